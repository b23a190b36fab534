"""Uplift against the holdout from hand-built posterior draws with known answers."""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, MetricConfig, load_experiment
from relevance.decide.uplift import (
    direction,
    overall_benefit,
    rope_verdict,
    segment_masks,
    summarise_uplift,
    uplift_draws,
    uplifts_for,
)
from relevance.io.cells import Cells
from relevance.model.layout import Layout, layout
from relevance.results import Verdict

PURCHASE = {
    "name": "purchase",
    "kind": "binary",
    "column": "purchased",
    "primary": True,
    "rope": 0.001,
}
UNSUBSCRIBE = {
    "name": "unsubscribe",
    "kind": "binary",
    "column": "unsubscribed",
    "direction": "decrease",
    "guardrail": True,
    "rope": 0.001,
}
# Grid order (segment columns sorted as text): acquisition|0, acquisition|1, reactivation|0,
# retention|0, retention|1. Reactivation has no recipients, so its weight is zero.
CELLS = [
    ("acquisition", "0", 10),
    ("acquisition", "1", 20),
    ("reactivation", "0", 0),
    ("retention", "0", 30),
    ("retention", "1", 40),
]


def experiment(folder: Path, interval: float = 0.95) -> Experiment:
    path = write_experiment(
        folder,
        arms={"holdout": "holdout", "versions": ["A", "B"]},
        metrics=[PURCHASE, UNSUBSCRIBE],
        segments=["stage", "emails"],
        decision={"interval": interval},
    )
    return load_experiment(path)


def campaign_layout(exp: Experiment) -> Layout:
    """Three arms, every cell with the same recipients in each arm (zero in reactivation)."""
    rows = [
        {"arm": arm, "stage": stage, "emails": emails, "n": n}
        for arm in ("holdout", "A", "B")
        for stage, emails, n in CELLS
    ]
    frame = pd.DataFrame(rows)
    for metric in ("purchase", "unsubscribe"):
        frame[f"{metric}__n"] = frame["n"]
        frame[f"{metric}__ones"] = 0
    return layout(Cells.for_experiment(exp, frame))


def metric(**fields: object) -> MetricConfig:
    return MetricConfig.model_validate(
        {"name": "m", "kind": "binary", "column": "m", "rope": 0.001, **fields}
    )


def test_direction() -> None:
    assert direction(metric()) == 1.0
    assert direction(metric(direction="increase")) == 1.0
    assert direction(metric(direction="decrease")) == -1.0


def test_segment_masks_overall_then_every_level_with_recipients(tmp_path: Path) -> None:
    lay = campaign_layout(experiment(tmp_path))
    masks = segment_masks(lay)
    expected = [
        ("overall", "all", [0.1, 0.2, 0.0, 0.3, 0.4]),
        ("stage", "acquisition", [1 / 3, 2 / 3, 0, 0, 0]),
        ("stage", "retention", [0, 0, 0, 3 / 7, 4 / 7]),
        ("emails", "0", [0.25, 0, 0, 0.75, 0]),
        ("emails", "1", [0, 1 / 3, 0, 0, 2 / 3]),
    ]
    assert [(c, lv) for c, lv, _ in masks] == [(c, lv) for c, lv, _ in expected]
    for (_, _, weights), (_, _, want) in zip(masks, expected, strict=True):
        np.testing.assert_allclose(weights, want, atol=1e-12)


def test_uplift_draws_are_weighted_differences_from_the_holdout(
    rng: np.random.Generator,
) -> None:
    draws = rng.uniform(0.0, 0.1, (6, 3, 4))
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    for index in (1, 2):
        expected = [
            sum(weights[c] * (draws[s, index, c] - draws[s, 0, c]) for c in range(4))
            for s in range(6)
        ]
        np.testing.assert_allclose(uplift_draws(draws, index, weights), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("p_better", "p_inside", "p_worse", "verdict"),
    [
        (0.96, 0.04, 0.0, Verdict.BEATS),
        (0.95, 0.05, 0.0, Verdict.BEATS),  # the threshold itself is enough
        (0.949, 0.051, 0.0, Verdict.INCONCLUSIVE),
        (0.0, 0.97, 0.03, Verdict.IRRELEVANT),
        (0.02, 0.03, 0.95, Verdict.HARMFUL),
        (0.5, 0.3, 0.2, Verdict.INCONCLUSIVE),
        (0.95, 0.0, 0.95, Verdict.HARMFUL),  # harm is checked first
    ],
)
def test_rope_verdict(p_better: float, p_inside: float, p_worse: float, verdict: Verdict) -> None:
    assert rope_verdict(p_better, p_inside, p_worse, 0.95) is verdict


DELTAS = np.array([-0.003, -0.0015, -0.0005, 0.0, 0.0005, 0.002, 0.003, 0.004])


def test_summarise_uplift_by_hand(tmp_path: Path) -> None:
    exp = experiment(tmp_path, interval=0.95)
    holdout = np.full(8, 0.05)
    treated = holdout + DELTAS
    u = summarise_uplift(exp.primary, "A", "stage", "retention", 210, holdout, treated, exp)
    assert (u.metric, u.version, u.segment_column, u.segment_level) == (
        "purchase",
        "A",
        "stage",
        "retention",
    )
    assert u.recipients == 210
    assert u.holdout_mean == pytest.approx(0.05)
    assert u.version_mean == pytest.approx(0.05 + DELTAS.mean())
    assert u.uplift_mean == pytest.approx(0.0045 / 8)
    # Linear interpolation at 0.025 x 7 = 0.175 and 0.975 x 7 = 6.825 of the sorted deltas.
    assert u.uplift_low == pytest.approx(-0.003 + 0.175 * 0.0015)
    assert u.uplift_high == pytest.approx(0.003 + 0.825 * 0.001)
    assert u.uplift_sd == pytest.approx(statistics.stdev(DELTAS.tolist()))
    assert u.relative_mean == pytest.approx(0.0045 / 8 / 0.05)
    assert u.relative_low == pytest.approx((-0.003 + 0.175 * 0.0015) / 0.05)
    assert u.p_beats_holdout == pytest.approx(4 / 8)  # 0.0005, 0.002, 0.003, 0.004
    assert u.p_better_beyond_rope == pytest.approx(3 / 8)
    assert u.p_worse_beyond_rope == pytest.approx(2 / 8)
    assert u.p_inside_rope == pytest.approx(3 / 8)
    assert u.expected_loss == pytest.approx((0.003 + 0.0015 + 0.0005) / 8)
    assert u.verdict is Verdict.INCONCLUSIVE


def test_summarise_uplift_in_the_decreasing_direction(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    unsubscribe = exp.metrics[1]
    holdout = np.full(8, 0.05)
    u = summarise_uplift(unsubscribe, "B", "overall", "all", 300, holdout, holdout + DELTAS, exp)
    # The uplift itself keeps its sign; probabilities are in the better (lower) direction.
    assert u.uplift_mean == pytest.approx(0.0045 / 8)
    assert u.p_beats_holdout == pytest.approx(3 / 8)  # -0.003, -0.0015, -0.0005
    assert u.p_better_beyond_rope == pytest.approx(2 / 8)
    assert u.p_worse_beyond_rope == pytest.approx(3 / 8)
    assert u.expected_loss == pytest.approx((0.0005 + 0.002 + 0.003 + 0.004) / 8)


def test_summarise_uplift_interval_follows_the_configured_width(tmp_path: Path) -> None:
    exp = experiment(tmp_path, interval=0.6)
    holdout = np.full(8, 0.05)
    u = summarise_uplift(exp.primary, "A", "overall", "all", 1, holdout, holdout + DELTAS, exp)
    # 0.2 x 7 = 1.4 and 0.8 x 7 = 5.6.
    assert u.uplift_low == pytest.approx(-0.0015 + 0.4 * 0.001)
    assert u.uplift_high == pytest.approx(0.002 + 0.6 * 0.001)


def test_clear_verdicts_from_summarise_uplift(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    holdout = np.full(100, 0.05)
    spread = np.linspace(0.0, 0.001, 100)
    beats = summarise_uplift(
        exp.primary, "A", "overall", "all", 1, holdout, holdout + 0.002 + spread, exp
    )
    harms = summarise_uplift(
        exp.primary, "A", "overall", "all", 1, holdout, holdout - 0.003 + spread, exp
    )
    same = summarise_uplift(
        exp.primary, "A", "overall", "all", 1, holdout, holdout - 0.0005 + spread, exp
    )
    assert (beats.verdict, harms.verdict, same.verdict) == (
        Verdict.BEATS,
        Verdict.HARMFUL,
        Verdict.IRRELEVANT,
    )
    assert beats.expected_loss == 0.0
    assert same.p_inside_rope == pytest.approx(1.0)


def test_relative_lift_is_missing_when_a_holdout_draw_is_zero(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    holdout = np.array([0.0, 0.01, 0.02, 0.03])
    u = summarise_uplift(exp.primary, "A", "overall", "all", 1, holdout, holdout + 0.01, exp)
    assert u.relative_mean is None and u.relative_low is None and u.relative_high is None
    assert u.uplift_mean == pytest.approx(0.01)


def test_uplifts_for_every_version_and_segment(tmp_path: Path, rng: np.random.Generator) -> None:
    exp = experiment(tmp_path)
    lay = campaign_layout(exp)
    draws = rng.uniform(0.01, 0.05, (200, 3, 5))
    results = uplifts_for(exp, lay, exp.primary, draws)
    keys = [(u.segment_column, u.segment_level, u.version) for u in results]
    assert keys == [
        (column, level, version)
        for column, level in [
            ("overall", "all"),
            ("stage", "acquisition"),
            ("stage", "retention"),
            ("emails", "0"),
            ("emails", "1"),
        ]
        for version in ("A", "B")
    ]
    # Recipients of every arm in the segment: 3 arms x the cells' recipients.
    recipients = {(u.segment_column, u.segment_level): u.recipients for u in results}
    assert recipients == {
        ("overall", "all"): 300,
        ("stage", "acquisition"): 90,
        ("stage", "retention"): 210,
        ("emails", "0"): 120,
        ("emails", "1"): 180,
    }
    retention_b = next(u for u in results if u.segment_level == "retention" and u.version == "B")
    weights = np.array([0, 0, 0, 3 / 7, 4 / 7])
    holdout = (draws[:, 0, :] * weights).sum(axis=1)
    treated = (draws[:, 2, :] * weights).sum(axis=1)
    assert retention_b.holdout_mean == pytest.approx(holdout.mean())
    assert retention_b.version_mean == pytest.approx(treated.mean())
    assert retention_b.uplift_mean == pytest.approx((treated - holdout).mean())
    assert retention_b.p_beats_holdout == pytest.approx(np.mean(treated > holdout))


def test_overall_benefit_turns_with_the_metric_direction(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    exp = experiment(tmp_path)
    lay = campaign_layout(exp)
    draws = rng.uniform(0.01, 0.05, (50, 3, 5))
    weights = np.array([0.1, 0.2, 0.0, 0.3, 0.4])
    expected = ((draws[:, 1, :] - draws[:, 0, :]) * weights).sum(axis=1)
    np.testing.assert_allclose(overall_benefit(lay, exp.primary, draws, 1), expected)
    np.testing.assert_allclose(overall_benefit(lay, exp.metrics[1], draws, 1), -expected)
