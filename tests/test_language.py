"""How numbers and sentences are said: precision, the true minus sign, money, per 1,000."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
import pytest

from handmade import handmade_results
from relevance.config import MetricConfig
from relevance.language import (
    amount,
    band,
    day,
    guardrail_sentence,
    interval,
    money,
    number,
    percent,
    recipients_phrase,
    span,
    uplift_sentence,
    version_label,
    when,
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


def uplift(verdict: Verdict, mean: float = 0.0042, beyond: float = 0.73) -> Uplift:
    """An overall purchase uplift of Version B with the given verdict.

    The chance of beating the holdout at all (0.91) differs from the chance of beating it by
    more than the ROPE (`beyond`), so a sentence quoting the wrong one is caught.
    """
    row = handmade_results().uplift("purchase", "B")
    return row.model_copy(
        update={
            "verdict": verdict,
            "uplift_mean": mean,
            "uplift_low": -0.001,
            "uplift_high": 0.0094,
            "p_beats_holdout": 0.91,
            "p_better_beyond_rope": beyond,
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


def test_uplift_sentence_irrelevant_states_the_band() -> None:
    assert uplift_sentence(PURCHASES, uplift(Verdict.IRRELEVANT, mean=0.0002), 0.95) == (
        "Version B is practically the same as sending nothing: +0.20 purchases per 1,000 "
        "recipients (95%: −1.00 to 9.40), within ±1 purchases per 1,000 recipients that you "
        "set as practically nothing."
    )


def test_uplift_sentence_inconclusive_quotes_the_chance_beyond_the_band() -> None:
    assert uplift_sentence(PURCHASES, uplift(Verdict.INCONCLUSIVE), 0.9) == (
        "We cannot tell yet whether Version B beats sending nothing: +4.20 purchases per 1,000 "
        "recipients (90%: −1.00 to 9.40); chance it beats sending nothing by more than ±1 "
        "purchases per 1,000 recipients: 73%."
    )
    assert "91%" not in uplift_sentence(PURCHASES, uplift(Verdict.INCONCLUSIVE), 0.9)


def test_uplift_sentence_inconclusive_never_claims_certainty() -> None:
    sentence = uplift_sentence(PURCHASES, uplift(Verdict.INCONCLUSIVE, beyond=0.9995), 0.95)
    assert sentence.endswith("per 1,000 recipients: >99%.")


def test_uplift_sentence_shows_money_only_for_revenue() -> None:
    results = handmade_results()
    revenue = results.uplift("revenue", "B")
    assert uplift_sentence(results.metric("revenue"), revenue, 0.95, "$") == (
        "We cannot tell yet whether Version B beats sending nothing: +$350 sales per 1,000 "
        "recipients (95%: $120 to $580); chance it beats sending nothing by more than ±$50 "
        "sales per 1,000 recipients: 80%."
    )
    purchase = results.uplift("purchase", "A")
    assert "$" not in uplift_sentence(results.metric("purchase"), purchase, 0.95, "$")


@pytest.mark.parametrize(
    ("rope", "currency", "text"),
    [
        (0.001, "", "±1 purchases per 1,000 recipients"),
        (0.001, "$", "±1 purchases per 1,000 recipients"),  # no money for counts
        (0.0025, "", "±2.50 purchases per 1,000 recipients"),
        (0.0125, "", "±12.5 purchases per 1,000 recipients"),
        (0.0004, "", "±0.40 purchases per 1,000 recipients"),
    ],
)
def test_band_is_the_rope_per_thousand_in_the_metrics_words(
    rope: float, currency: str, text: str
) -> None:
    assert band(PURCHASES.model_copy(update={"rope": rope}), currency) == text


def test_band_of_money_carries_the_currency() -> None:
    assert band(REVENUE, "$") == "±$50 revenue per user per 1,000 recipients"
    assert band(REVENUE.model_copy(update={"rope": 2.5}), "€") == (
        "±€2,500 revenue per user per 1,000 recipients"
    )
    assert band(REVENUE) == "±50 revenue per user per 1,000 recipients"


UNSUBSCRIBES = MetricConfig(
    name="unsubscribe",
    kind="binary",
    column="unsubscribed",
    direction="decrease",
    guardrail=True,
    rope=0.002,
    label="unsubscribes",
)


def guard(
    version: str, worse: float, mean: float = 0.0031, relative: float | None = 0.1033
) -> Uplift:
    """An overall unsubscribe uplift with the given chance of harm beyond the ROPE."""
    row = handmade_results().uplift("unsubscribe", "B")
    return row.model_copy(
        update={
            "version": version,
            "uplift_mean": mean,
            "uplift_low": mean - 0.0007,
            "uplift_high": mean + 0.0007,
            "relative_mean": relative,
            "p_worse_beyond_rope": worse,
        }
    )


def test_guardrail_sentence_when_harmed_states_the_band() -> None:
    assert guardrail_sentence(UNSUBSCRIBES, guard("B", 0.97), 0.95, 0.95) == (
        "Version B: +3.10 unsubscribes per 1,000 recipients (95%: 2.40 to 3.80, +10%): worse "
        "than sending nothing beyond ±2 unsubscribes per 1,000 recipients (chance 97%), so "
        "Version B counts as harmful."
    )


def test_guardrail_sentence_when_not_harmed_states_the_band() -> None:
    sentence = guardrail_sentence(
        UNSUBSCRIBES, guard("A", 0.004, mean=0.0001, relative=-0.2), 0.9, 0.95
    )
    assert sentence == (
        "Version A: +0.10 unsubscribes per 1,000 recipients (90%: −0.60 to 0.80, −20%): not "
        "beyond ±2 unsubscribes per 1,000 recipients that you set as practically nothing "
        "(chance of harm beyond it <1%), so not counted as harm."
    )


def test_guardrail_harm_starts_at_the_verdict_probability() -> None:
    at = guardrail_sentence(UNSUBSCRIBES, guard("B", 0.95), 0.95, 0.95)
    below = guardrail_sentence(UNSUBSCRIBES, guard("B", 0.949), 0.95, 0.95)
    assert at.endswith("so Version B counts as harmful.")
    assert below.endswith("so not counted as harm.") and "(chance of harm beyond it 95%)" in below


def test_guardrail_sentence_without_a_relative_lift_and_with_money() -> None:
    sentence = guardrail_sentence(UNSUBSCRIBES, guard("B", 0.1, relative=None), 0.95, 0.95, "$")
    assert sentence.startswith(
        "Version B: +3.10 unsubscribes per 1,000 recipients (95%: 2.40 to 3.80): not beyond"
    )
    refunds = REVENUE.model_copy(update={"guardrail": True})
    sentence = guardrail_sentence(refunds, guard("B", 0.99, mean=0.2), 0.95, 0.95, "$")
    assert sentence.startswith(
        "Version B: +$200 revenue per user per 1,000 recipients (95%: $199 to $201, +10%): "
        "worse than sending nothing beyond ±$50 revenue per user per 1,000 recipients"
    )


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        ("2026-11-30T07:12:00+00:00", "30 November 2026, 07:12 UTC"),
        ("2026-11-30T07:12:59.9+00:00", "30 November 2026, 07:12 UTC"),
        ("2026-11-30T07:12:00Z", "30 November 2026, 07:12 UTC"),
        ("2026-11-30T08:12:00+01:00", "30 November 2026, 07:12 UTC"),  # said in UTC
        ("2026-12-31T23:30:00-02:00", "1 January 2027, 01:30 UTC"),
        ("2026-03-05T00:00:00+00:00", "5 March 2026, 00:00 UTC"),  # no leading zero
    ],
)
def test_when_says_the_date_as_people_write_it_in_utc(moment: str, text: str) -> None:
    assert when(moment) == text


def test_when_without_a_time_is_unknown_and_nonsense_is_kept() -> None:
    assert when(None) == "unknown date"
    assert when("") == "unknown date"
    assert when("yesterday <b>") == "yesterday <b>"


@pytest.fixture
def east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's clock nine hours east of UTC (as in Tokyo)."""
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("east_of_utc")
def test_a_time_without_offset_is_utc_on_any_machine() -> None:
    """A send date has no time zone: east of UTC it must not become the day before."""
    assert time.timezone == -9 * 3600  # the fixture took effect
    assert when("2026-11-02") == "2 November 2026, 00:00 UTC"
    assert when("2026-11-02T06:00:00") == "2 November 2026, 06:00 UTC"
    assert day("2026-11-02") == "2 November 2026"
    assert day("2026-11-02T23:30:00-02:00") == "3 November 2026"


def test_day_is_the_date_without_the_time() -> None:
    assert day("2026-11-30T07:12:00+00:00") == "30 November 2026"
    assert day(None) == "unknown date"
    assert day("soon") == "soon"


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
