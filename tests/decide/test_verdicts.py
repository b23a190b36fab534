"""Verdicts per version (primary ROPE rule, guardrails) and for the campaign."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, MetricConfig, load_experiment
from relevance.decide.verdicts import (
    campaign_verdict,
    extra_recipients_needed,
    version_verdicts,
)
from relevance.io.cells import Cells
from relevance.model.layout import Layout, layout
from relevance.results import ModelCheck, NetValue, Uplift, Verdict, VersionVerdict

Z_95_SQUARED = 1.6448536269514722**2  # Phi^-1(0.95) squared
CAVEAT = " (the sampler did not converge: do not rely on these numbers yet)"
PURCHASE = {
    "name": "purchase",
    "kind": "binary",
    "column": "purchased",
    "primary": True,
    "rope": 0.001,
    "label": "purchases",
}
UNSUBSCRIBE = {
    "name": "unsubscribe",
    "kind": "binary",
    "column": "unsubscribed",
    "direction": "decrease",
    "guardrail": True,
    "rope": 0.0005,
    "label": "unsubscribes",
}


def make_uplift(
    metric: str,
    version: str,
    mean: float,
    verdict: Verdict = Verdict.INCONCLUSIVE,
    sd: float = 0.001,
    p_worse: float = 0.0,
    p_beats: float = 0.5,
    level: tuple[str, str] = ("overall", "all"),
) -> Uplift:
    """An uplift summary with an interval of mean ± 2 sd (only what verdicts read matters)."""
    return Uplift(
        metric=metric,
        version=version,
        segment_column=level[0],
        segment_level=level[1],
        recipients=1,
        holdout_mean=0.05,
        version_mean=0.05 + mean,
        uplift_mean=mean,
        uplift_low=mean - 2 * sd,
        uplift_high=mean + 2 * sd,
        uplift_sd=sd,
        relative_mean=None,
        relative_low=None,
        relative_high=None,
        p_beats_holdout=p_beats,
        p_better_beyond_rope=0.0,
        p_inside_rope=1.0 - p_worse,
        p_worse_beyond_rope=p_worse,
        expected_loss=0.0,
        verdict=verdict,
    )


def rope_metric(rope: float = 0.001, direction: str = "increase") -> MetricConfig:
    return MetricConfig(name="m", kind="binary", column="m", rope=rope, direction=direction)


def experiment(folder: Path, versions: list[str], primary: dict | None = None) -> Experiment:
    path = write_experiment(
        folder,
        arms={"holdout": "holdout", "versions": versions},
        metrics=[primary or PURCHASE, UNSUBSCRIBE],
    )
    return load_experiment(path)


def sized_layout(exp: Experiment, sizes: list[int]) -> Layout:
    """No segments; one cell per arm with the given recipients."""
    frame = pd.DataFrame({"arm": exp.arms.all, "n": sizes})
    for metric in exp.metrics:
        frame[f"{metric.name}__n"] = sizes
        frame[f"{metric.name}__ones"] = 0
    return layout(Cells.for_experiment(exp, frame))


@pytest.mark.parametrize(
    ("mean", "sd", "rope", "expected"),
    [
        # Beyond the ROPE by 0.002 with sd 0.002: n must grow by z^2.
        (0.003, 0.002, 0.001, math.ceil(10_000 * (Z_95_SQUARED - 1))),
        (-0.003, 0.002, 0.001, math.ceil(10_000 * (Z_95_SQUARED - 1))),  # towards harmful
        # Inside the ROPE, 0.0008 from its edge, sd 0.0008: the same factor.
        (0.0002, 0.0008, 0.001, math.ceil(10_000 * (Z_95_SQUARED - 1))),
        # Without a ROPE only the distance from zero counts.
        (0.001, 0.001, 0.0, math.ceil(10_000 * (Z_95_SQUARED - 1))),
        # sd 1.8 times the gap: (1.8 z)^2 = 8.77 times the recipients, still said.
        (0.003, 0.0036, 0.001, math.ceil(10_000 * (1.8**2 * Z_95_SQUARED - 1))),
        # sd 2 times the gap: (2 z)^2 = 10.8 times, beyond ten times the data: not said.
        (0.003, 0.004, 0.001, None),
        (0.003, 0.0005, 0.001, 0),  # already settled at this size
        (0.001, 0.002, 0.001, None),  # exactly on the ROPE's edge: no gap
        (0.00101, 0.002, 0.001, None),  # would need 100,000 times the recipients
        (0.003, 0.0, 0.001, None),  # no spread
    ],
)
def test_extra_recipients_needed(mean: float, sd: float, rope: float, expected: int | None) -> None:
    uplift = make_uplift("m", "A", mean, sd=sd)
    assert extra_recipients_needed(uplift, rope_metric(rope), 10_000, 0.95) == expected


def test_extra_recipients_does_not_depend_on_the_metric_direction() -> None:
    up = make_uplift("m", "A", 0.003, sd=0.002)
    down = make_uplift("m", "A", -0.003, sd=0.002)
    assert extra_recipients_needed(up, rope_metric(), 5000, 0.9) == extra_recipients_needed(
        down, rope_metric(direction="decrease"), 5000, 0.9
    )
    # A stricter threshold needs more recipients.
    assert extra_recipients_needed(up, rope_metric(), 5000, 0.99) > extra_recipients_needed(
        up, rope_metric(), 5000, 0.9
    )


def test_version_verdicts_with_a_harmed_guardrail_overruling_a_win(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    lay = sized_layout(exp, [1000, 2000, 3000])
    uplifts = [
        make_uplift("purchase", "A", 0.004, Verdict.BEATS, p_beats=0.99),
        make_uplift("unsubscribe", "A", 0.002, Verdict.HARMFUL, sd=0.0005, p_worse=0.97),
        make_uplift("purchase", "B", 0.003, sd=0.002, p_beats=0.93),
        make_uplift("unsubscribe", "B", 0.0, p_worse=0.5),
        # A harmed guardrail in one segment does not make the version harmful.
        make_uplift("unsubscribe", "B", 0.003, p_worse=0.99, level=("stage", "retention")),
    ]
    a, b = version_verdicts(exp, lay, uplifts, [])

    assert (a.version, a.verdict, a.p_beats_holdout) == ("A", Verdict.HARMFUL, 0.99)
    win = (
        "Sending Version A is very likely better than sending nothing: "
        "+4.00 purchases per 1,000 recipients (95%: 2.00 to 6.00)."
    )
    harm = (
        "It worsens unsubscribes: +2.00 unsubscribes per 1,000 recipients "
        "(95%: 1.00 to 3.00), beyond the ±0.50 that would matter."
    )
    assert a.reasons == [win, harm]
    assert a.sentence == f"Version A is harmful. {win} {harm}"
    assert a.extra_recipients_needed is None

    assert (b.version, b.verdict, b.p_beats_holdout) == ("B", Verdict.INCONCLUSIVE, 0.93)
    # Holdout and B together: 4,000 recipients; the gap is 0.002 with sd 0.002.
    extra = math.ceil(4000 * (Z_95_SQUARED - 1))
    assert b.extra_recipients_needed == extra == 6823
    assert len(b.reasons) == 1
    assert b.reasons[0].startswith("We cannot tell yet whether Version B beats sending nothing")
    assert b.sentence == (
        f"{b.reasons[0]} About 6,800 more recipients (same split) would likely settle it."
    )


def test_guardrail_at_the_threshold_is_harm_and_keeps_a_harmful_sentence(
    tmp_path: Path,
) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    lay = sized_layout(exp, [1000, 1000, 1000])
    uplifts = [
        make_uplift("purchase", "A", -0.004, Verdict.HARMFUL),
        make_uplift("unsubscribe", "A", 0.002, p_worse=0.95),
        make_uplift("purchase", "B", 0.0, Verdict.IRRELEVANT),
        make_uplift("unsubscribe", "B", 0.001, p_worse=0.949),
    ]
    a, b = version_verdicts(exp, lay, uplifts, [])
    assert a.verdict is Verdict.HARMFUL
    assert len(a.reasons) == 2
    # Already harmful on the primary metric: no "is harmful." prefix, the primary's sentence.
    assert a.sentence == a.reasons[0]
    assert a.sentence.startswith("Sending Version A is very likely worse than sending nothing")
    assert b.verdict is Verdict.IRRELEVANT
    assert b.reasons[0].startswith("Version B is practically the same as sending nothing")
    assert b.extra_recipients_needed is None


def check(metric: str, arm: str, observed: float, predicted: float, ok: bool) -> ModelCheck:
    return ModelCheck(
        metric=metric,
        arm=arm,
        observed_mean=observed,
        predicted_mean=predicted,
        predicted_low=predicted - 0.001,
        predicted_high=predicted + 0.001,
        consistent=ok,
    )


def test_a_model_that_misses_the_primary_data_withholds_the_verdict(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    lay = sized_layout(exp, [1000, 1000, 1000])
    uplifts = [
        make_uplift("purchase", "A", 0.004, Verdict.BEATS, p_beats=0.99),
        make_uplift("unsubscribe", "A", 0.0),
        make_uplift("purchase", "B", 0.003, sd=0.002),
        make_uplift("unsubscribe", "B", 0.0),
    ]
    checks = [
        check("purchase", "holdout", 0.05, 0.05, True),
        check("purchase", "A", 0.2, 0.05, False),
    ]
    a, b = version_verdicts(exp, lay, uplifts, checks)
    misfit = (
        "The model does not fit the purchases data (arm 'A': observed 200 per 1,000 "
        "recipients, model 50.0), so no verdict is given until the data are checked."
    )
    assert a.verdict is Verdict.INCONCLUSIVE
    assert a.reasons[1:] == [misfit]
    assert a.sentence == f"{a.reasons[0]} {misfit}"
    assert a.p_beats_holdout == 0.99
    # More recipients would not repair a model that does not fit: no figure is given.
    assert a.extra_recipients_needed is None
    assert b.verdict is Verdict.INCONCLUSIVE
    assert b.extra_recipients_needed is None


def test_a_misfit_on_another_metric_leaves_the_verdict_alone(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A"])
    lay = sized_layout(exp, [1000, 1000])
    uplifts = [
        make_uplift("purchase", "A", 0.004, Verdict.BEATS),
        make_uplift("unsubscribe", "A", 0.0),
    ]
    checks = [check("unsubscribe", "A", 0.02, 0.005, False)]
    (a,) = version_verdicts(exp, lay, uplifts, checks)
    assert a.verdict is Verdict.BEATS
    assert len(a.reasons) == 1


def verdict(version: str, v: Verdict) -> VersionVerdict:
    return VersionVerdict(version=version, verdict=v, sentence="", reasons=[], p_beats_holdout=0.5)


def value(version: str, mean: float) -> NetValue:
    return NetValue(
        version=version, mean=mean, low=mean - 1, high=mean + 1, p_positive=0.5, sentence=""
    )


def primary_uplifts(benefits: dict[str, float]) -> list[Uplift]:
    return [make_uplift("purchase", version, mean) for version, mean in benefits.items()]


@pytest.mark.parametrize("reliable", [True, False])
def test_campaign_sends_the_winner_with_the_highest_net_value(
    tmp_path: Path, reliable: bool
) -> None:
    exp = experiment(tmp_path, ["A", "B", "C"])
    verdicts = [
        verdict("A", Verdict.BEATS),
        verdict("B", Verdict.BEATS),
        verdict("C", Verdict.INCONCLUSIVE),
    ]
    # A gains more purchases, but B is worth more; C is worth most but is not a winner.
    values = [value("A", 5.0), value("B", 8.0), value("C", 20.0)]
    uplifts = primary_uplifts({"A": 0.006, "B": 0.004, "C": 0.01})
    result = campaign_verdict(exp, verdicts, values, reliable, uplifts)
    assert result.send == "B"
    assert result.reliable is reliable
    caveat = "" if reliable else CAVEAT
    assert result.headline == f"Send Version B: it beats sending nothing{caveat}."


@pytest.mark.parametrize("best_value", [-1.5, 0.0])
def test_a_winner_that_does_not_pay_is_not_sent(tmp_path: Path, best_value: float) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    verdicts = [verdict("A", Verdict.BEATS), verdict("B", Verdict.BEATS)]
    values = [value("A", best_value - 3.0), value("B", best_value)]
    result = campaign_verdict(exp, verdicts, values, True, primary_uplifts({"A": 1, "B": 1}))
    assert result.send is None
    assert result.headline == (
        "Version B beats sending nothing, but not by enough to pay for sending it once "
        "costs and unsubscribes are counted."
    )


def test_without_values_the_largest_gain_on_the_primary_wins(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    verdicts = [verdict("A", Verdict.BEATS), verdict("B", Verdict.BEATS)]
    uplifts = [
        *primary_uplifts({"A": 0.002, "B": 0.004}),
        # Segment and guardrail uplifts do not count.
        make_uplift("purchase", "A", 0.05, level=("stage", "retention")),
        make_uplift("unsubscribe", "A", 0.05),
    ]
    result = campaign_verdict(exp, verdicts, [], True, uplifts)
    assert result.send == "B"


def test_without_values_a_decreasing_primary_prefers_the_larger_fall(tmp_path: Path) -> None:
    churn = {
        "name": "churn",
        "kind": "binary",
        "column": "churned",
        "primary": True,
        "direction": "decrease",
        "rope": 0.001,
    }
    exp = experiment(tmp_path, ["A", "B"], primary=churn)
    verdicts = [verdict("A", Verdict.BEATS), verdict("B", Verdict.BEATS)]
    uplifts = [make_uplift("churn", "A", -0.004), make_uplift("churn", "B", -0.002)]
    assert campaign_verdict(exp, verdicts, [], True, uplifts).send == "A"


@pytest.mark.parametrize("reliable", [True, False])
def test_no_winner(tmp_path: Path, reliable: bool) -> None:
    exp = experiment(tmp_path, ["A", "B", "Holiday"])
    verdicts = [
        verdict("A", Verdict.INCONCLUSIVE),
        verdict("B", Verdict.HARMFUL),
        verdict("Holiday", Verdict.IRRELEVANT),
    ]
    values = [value("A", 50.0), value("B", 1.0), value("Holiday", 2.0)]
    result = campaign_verdict(exp, verdicts, values, reliable, primary_uplifts({"A": 0.01}))
    assert result.send is None
    assert result.reliable is reliable
    caveat = "" if reliable else CAVEAT
    assert result.headline == (
        "No version beats sending nothing (Version A: inconclusive; Version B: harmful; "
        f"Holiday: irrelevant){caveat}."
    )


def test_unreliable_caveat_on_a_winner_that_does_not_pay(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A"])
    result = campaign_verdict(
        exp, [verdict("A", Verdict.BEATS)], [value("A", -2.0)], False, primary_uplifts({"A": 1})
    )
    assert result.send is None and not result.reliable
    assert result.headline.endswith(f"are counted{CAVEAT}.")


def test_layout_sizes_feed_the_extra_recipients(tmp_path: Path, rng: np.random.Generator) -> None:
    """Only the holdout and the version's own arm count as the current sample."""
    exp = experiment(tmp_path, ["A", "B"])
    sizes = [int(v) for v in rng.integers(1000, 5000, 3)]
    lay = sized_layout(exp, sizes)
    uplifts = [
        make_uplift("purchase", "A", 0.003, sd=0.002),
        make_uplift("unsubscribe", "A", 0.0),
        make_uplift("purchase", "B", 0.003, sd=0.002),
        make_uplift("unsubscribe", "B", 0.0),
    ]
    a, b = version_verdicts(exp, lay, uplifts, [])
    assert a.extra_recipients_needed == math.ceil((sizes[0] + sizes[1]) * (Z_95_SQUARED - 1))
    assert b.extra_recipients_needed == math.ceil((sizes[0] + sizes[2]) * (Z_95_SQUARED - 1))
