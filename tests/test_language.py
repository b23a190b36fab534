"""How numbers and sentences are said: precision, the true minus sign, money, per 1,000."""

from __future__ import annotations

import math

import numpy as np
import pytest

from handmade import handmade_results
from relevance.config import MetricConfig
from relevance.language import (
    amount,
    interval,
    money,
    number,
    percent,
    recipients_phrase,
    span,
    uplift_sentence,
    version_label,
)
from relevance.results import Uplift, Verdict

PURCHASES = MetricConfig(
    name="purchase", kind="binary", column="purchased", rope=0.001, label="purchases"
)
REVENUE = MetricConfig(name="revenue_per_user", kind="revenue", column="revenue", rope=0.05)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234.6, "1,235"),
        (100.0, "100"),
        (-250.4, "−250"),
        (12.345, "12.3"),
        (-12.35, "−12.3"),
        (10.0, "10.0"),
        (1.234, "1.23"),
        (-4.2, "−4.20"),
        (0.5, "0.50"),
        (0.0, "0.00"),
    ],
)
def test_number_precision_by_magnitude(value: float, text: str) -> None:
    assert number(value) == text


def test_number_uses_the_true_minus_sign_never_a_hyphen() -> None:
    for value in (-0.5, -4.2, -12.3, -1234.0):
        text = number(value)
        assert text.startswith("−") and "-" not in text


def test_number_signed_adds_plus_only_to_positive_values() -> None:
    assert number(4.2, signed=True) == "+4.20"
    assert number(-4.2, signed=True) == "−4.20"
    assert number(0.0, signed=True) == "0.00"
    assert number(1500.0, signed=True) == "+1,500"


def test_number_missing_values_are_not_available() -> None:
    assert number(math.nan) == "n/a"
    assert number(None) == "n/a"  # type: ignore[arg-type]


def test_number_keeps_two_significant_figures_below_one() -> None:
    assert number(0.0123) == "0.012"
    assert number(-0.001) == "−0.0010"
    assert number(0.5) == "0.50"


@pytest.mark.parametrize(
    ("probability", "text"),
    [
        (1.0, ">99%"),
        (0.999, ">99%"),
        (0.9901, ">99%"),
        (0.99, "99%"),
        (0.5, "50%"),
        (0.123, "12%"),
        (0.01, "1%"),
        (0.0099, "<1%"),
        (0.0, "<1%"),
    ],
)
def test_percent_never_claims_certainty(probability: float, text: str) -> None:
    assert percent(probability) == text


def test_percent_never_says_zero_or_a_hundred(rng: np.random.Generator) -> None:
    for probability in rng.uniform(0, 1, 2000):
        assert percent(float(probability)) not in ("0%", "100%")


def test_money_puts_the_currency_after_the_sign() -> None:
    assert money(-85.6, "$") == "−$85.6"
    assert money(12.0, "$", signed=True) == "+$12.0"
    assert money(1234.6, "€") == "€1,235"
    assert money(-0.5, "£", signed=True) == "−£0.50"
    assert money(4.2) == "4.20"
    assert money(4.2, signed=True) == "+4.20"


def test_amount_in_the_metrics_own_words_per_thousand() -> None:
    assert amount(PURCHASES, 0.0042) == "+4.20 purchases"
    assert amount(PURCHASES, -0.0042, currency="$") == "−4.20 purchases"  # no money for counts
    assert amount(REVENUE, 0.35, currency="$") == "+$350 revenue per user"
    assert amount(REVENUE, 0.35, currency="$", signed=False) == "$350 revenue per user"


def test_span_and_interval_are_per_thousand_recipients() -> None:
    assert span(0.002, 0.0063) == "2.00 to 6.30"
    assert span(-0.0856, 0.012, "$") == "−$85.6 to $12.0"
    assert interval(0.002, 0.0063, 0.95) == "95%: 2.00 to 6.30"
    assert interval(-0.0011, 0.0015, 0.9) == "90%: −1.10 to 1.50"
    assert interval(0.12, 0.58, 0.95, "$") == "95%: $120 to $580"


@pytest.mark.parametrize(
    ("version", "label"),
    [("B", "Version B"), ("B2", "Version B2"), ("ABC", "Version ABC"), ("Long", "Long")],
)
def test_version_label(version: str, label: str) -> None:
    assert version_label(version) == label


def uplift(verdict: Verdict, mean: float = 0.0042, p: float = 0.91) -> Uplift:
    """An overall purchase uplift of Version B with the given verdict."""
    row = handmade_results().uplift("purchase", "B")
    return row.model_copy(
        update={
            "verdict": verdict,
            "uplift_mean": mean,
            "uplift_low": -0.001,
            "uplift_high": 0.0094,
            "p_beats_holdout": p,
        }
    )


def test_uplift_sentence_beats() -> None:
    assert uplift_sentence(PURCHASES, uplift(Verdict.BEATS), 0.95, "$") == (
        "Sending Version B is very likely better than sending nothing: +4.20 purchases per "
        "1,000 recipients (95%: −1.00 to 9.40)."
    )


def test_uplift_sentence_harmful() -> None:
    assert uplift_sentence(PURCHASES, uplift(Verdict.HARMFUL, mean=-0.0042), 0.95) == (
        "Sending Version B is very likely worse than sending nothing: −4.20 purchases per "
        "1,000 recipients (95%: −1.00 to 9.40)."
    )


def test_uplift_sentence_irrelevant_names_the_rope() -> None:
    assert uplift_sentence(PURCHASES, uplift(Verdict.IRRELEVANT, mean=0.0002), 0.95) == (
        "Version B is practically the same as sending nothing: +0.20 purchases per 1,000 "
        "recipients (95%: −1.00 to 9.40), inside the ±1.00 that would matter."
    )


def test_uplift_sentence_inconclusive_gives_the_chance() -> None:
    assert uplift_sentence(PURCHASES, uplift(Verdict.INCONCLUSIVE, p=0.995), 0.9) == (
        "We cannot tell yet whether Version B beats sending nothing: +4.20 purchases per 1,000 "
        "recipients (90%: −1.00 to 9.40); chance it beats sending nothing >99%."
    )


def test_uplift_sentence_shows_money_only_for_revenue() -> None:
    results = handmade_results()
    revenue = results.uplift("revenue", "B")
    assert uplift_sentence(results.metric("revenue"), revenue, 0.95, "$") == (
        "We cannot tell yet whether Version B beats sending nothing: +$350 sales per 1,000 "
        "recipients (95%: $120 to $580); chance it beats sending nothing >99%."
    )


def test_recipients_phrase() -> None:
    assert recipients_phrase(12_345) == (
        "About 12,000 more recipients (same split) would likely settle it."
    )
    assert (
        recipients_phrase(987) == "About 990 more recipients (same split) would likely settle it."
    )
    assert recipients_phrase(1_260_000) == (
        "About 1,300,000 more recipients (same split) would likely settle it."
    )
    assert recipients_phrase(None) == "More data is unlikely to settle it unless the effect moves."
