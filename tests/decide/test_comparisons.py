"""Version against version on hand-built draws with known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, load_experiment
from relevance.decide.comparisons import comparisons
from relevance.io.cells import Cells
from relevance.model.layout import Layout, layout

METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {
        "name": "unsubscribe",
        "kind": "binary",
        "column": "unsubscribed",
        "direction": "decrease",
        "rope": 0.001,
    },
]


def experiment(folder: Path, versions: list[str]) -> Experiment:
    path = write_experiment(
        folder,
        arms={"holdout": "holdout", "versions": versions},
        metrics=METRICS,
        segments=["tier"],
    )
    return load_experiment(path)


def tier_layout(exp: Experiment, sizes: tuple[int, int]) -> Layout:
    rows = [
        {"arm": arm, "tier": tier, "n": n}
        for arm in exp.arms.all
        for tier, n in zip(("gold", "silver"), sizes, strict=True)
    ]
    frame = pd.DataFrame(rows)
    for metric in exp.metrics:
        frame[f"{metric.name}__n"] = frame["n"]
    return layout(Cells.for_experiment(exp, frame))


# Uplift of A and B per sample, the same in both tiers; A minus B is 0.003, -0.001, 0.001, 0.001.
UPLIFT_A = np.array([0.004, 0.003, 0.001, 0.002])
UPLIFT_B = np.array([0.001, 0.004, 0.0, 0.001])


def known_draws() -> np.ndarray:
    draws = np.full((4, 3, 2), 0.05)
    draws[:, 1, :] += UPLIFT_A[:, None]
    draws[:, 2, :] += UPLIFT_B[:, None]
    return draws


def test_every_pair_on_every_metric(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A", "B", "C"])
    lay = tier_layout(exp, (10, 10))
    draws = {"purchase": np.zeros((3, 4, 2)), "unsubscribe": np.zeros((3, 4, 2))}
    results = comparisons(exp, lay, draws)
    assert [(c.metric, c.version_a, c.version_b) for c in results] == [
        (metric, a, b)
        for metric in ("purchase", "unsubscribe")
        for a, b in (("A", "B"), ("A", "C"), ("B", "C"))
    ]


def test_known_difference_for_a_metric_that_should_increase(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    lay = tier_layout(exp, (10, 30))
    purchase, _ = comparisons(exp, lay, {"purchase": known_draws(), "unsubscribe": known_draws()})
    assert purchase.difference_mean == pytest.approx(0.001)
    # Sorted differences -0.001, 0.001, 0.001, 0.003 at positions 0.075 and 2.925.
    assert purchase.difference_low == pytest.approx(-0.001 + 0.075 * 0.002)
    assert purchase.difference_high == pytest.approx(0.001 + 0.925 * 0.002)
    assert purchase.p_a_better == pytest.approx(3 / 4)
    assert purchase.expected_loss_choosing_a == pytest.approx(0.001 / 4)


def test_known_difference_for_a_metric_that_should_decrease(tmp_path: Path) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    lay = tier_layout(exp, (10, 30))
    _, unsubscribe = comparisons(
        exp, lay, {"purchase": known_draws(), "unsubscribe": known_draws()}
    )
    # The difference stays on the raw scale (A minus B); "better" means fewer unsubscribes.
    assert unsubscribe.difference_mean == pytest.approx(0.001)
    assert unsubscribe.difference_low == pytest.approx(-0.001 + 0.075 * 0.002)
    assert unsubscribe.p_a_better == pytest.approx(1 / 4)
    assert unsubscribe.expected_loss_choosing_a == pytest.approx((0.003 + 0.001 + 0.001) / 4)


def test_differences_use_the_population_weights(tmp_path: Path, rng: np.random.Generator) -> None:
    exp = experiment(tmp_path, ["A", "B"])
    lay = tier_layout(exp, (20, 60))  # gold 0.25, silver 0.75
    draws = {m.name: rng.uniform(0.01, 0.05, (300, 3, 2)) for m in exp.metrics}
    results = comparisons(exp, lay, draws)
    for result, sign in zip(results, (1.0, -1.0), strict=True):
        d = draws[result.metric]
        difference = 0.25 * (d[:, 1, 0] - d[:, 2, 0]) + 0.75 * (d[:, 1, 1] - d[:, 2, 1])
        assert result.difference_mean == pytest.approx(difference.mean())
        assert result.difference_low == pytest.approx(np.quantile(difference, 0.025))
        assert result.difference_high == pytest.approx(np.quantile(difference, 0.975))
        assert result.p_a_better == pytest.approx(np.mean(sign * difference > 0))
        assert result.expected_loss_choosing_a == pytest.approx(
            np.mean(np.maximum(0.0, -sign * difference))
        )
