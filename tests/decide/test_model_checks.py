"""Posterior predictive check: predicted against observed mean per arm, by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, load_experiment
from relevance.decide.model_checks import model_checks
from relevance.io.cells import Cells
from relevance.model.layout import layout

METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "spend", "rope": 0.01},
]


def experiment(folder: Path) -> Experiment:
    path = write_experiment(
        folder,
        arms={"holdout": "holdout", "versions": ["A", "B"]},
        metrics=METRICS,
        segments=["tier"],
    )
    return load_experiment(path)


def cells(exp: Experiment) -> Cells:
    """Holdout 100 gold + 300 silver, A 200 + 200; B has no recipients at all."""
    frame = pd.DataFrame(
        {
            "arm": ["holdout", "holdout", "A", "A"],
            "tier": ["gold", "silver", "gold", "silver"],
            "n": [100, 300, 200, 200],
            "purchase__n": [100, 300, 200, 200],
            "purchase__ones": [10, 15, 40, 40],
            "revenue__n": [100, 300, 200, 200],
            "revenue__buyers": [5, 10, 10, 10],
            "revenue__sum": [200.0, 400.0, 300.0, 500.0],
            "revenue__sum_log": [15.0, 30.0, 30.0, 30.0],
            "revenue__sum_log_sq": [50.0, 100.0, 100.0, 100.0],
            "revenue__sum_sq": [10000.0, 20000.0, 12000.0, 30000.0],
        }
    )
    return Cells.for_experiment(exp, frame)


def test_predicted_against_observed_with_each_arms_own_mix(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    lay = layout(cells(exp))
    purchase = np.zeros((4, 3, 2))
    purchase[:, 0, 0] = 0.1  # holdout gold
    purchase[:, 0, 1] = [0.04, 0.05, 0.06, 0.05]  # holdout silver
    purchase[:, 1, :] = 0.05  # A everywhere: far below the 0.2 it observed
    revenue = np.zeros((4, 3, 2))
    revenue[:, 0, :] = 1.5  # holdout observed 600 / 400 = 1.5 per recipient
    revenue[:, 1, 0] = [1.9, 2.0, 2.1, 2.0]  # A observed 800 / 400 = 2.0
    revenue[:, 1, 1] = 2.0
    results = model_checks(exp, lay, {"purchase": purchase, "revenue": revenue})

    # B has no recipients: no check for it.
    assert [(r.metric, r.arm) for r in results] == [
        ("purchase", "holdout"),
        ("purchase", "A"),
        ("revenue", "holdout"),
        ("revenue", "A"),
    ]
    holdout, a, revenue_holdout, revenue_a = results

    # Holdout: (100 x 0.1 + 300 x silver) / 400 = 0.055, 0.0625, 0.07, 0.0625.
    assert holdout.observed_mean == pytest.approx(25 / 400)
    assert holdout.predicted_mean == pytest.approx(0.0625)
    assert holdout.predicted_low == pytest.approx(0.055 + 0.075 * 0.0075)
    assert holdout.predicted_high == pytest.approx(0.0625 + 0.925 * 0.0075)
    assert holdout.consistent

    assert a.observed_mean == pytest.approx(0.2)
    assert a.predicted_mean == pytest.approx(0.05)
    assert not a.consistent  # no spread at all, and 0.15 away

    # Constant draws equal to the observation: consistent although the spread is zero.
    assert revenue_holdout.observed_mean == pytest.approx(1.5)
    assert revenue_holdout.predicted_mean == pytest.approx(1.5)
    assert revenue_holdout.consistent
    # A: (200 x gold + 200 x 2.0) / 400 = 1.95, 2.0, 2.05, 2.0.
    assert revenue_a.observed_mean == pytest.approx(2.0)
    assert revenue_a.predicted_mean == pytest.approx(2.0)
    assert revenue_a.consistent


def test_consistency_is_three_predictive_sds(tmp_path: Path, rng: np.random.Generator) -> None:
    exp = experiment(tmp_path)
    lay = layout(cells(exp))
    observed = 25 / 400
    noise = rng.normal(0.0, 1.0, 1000)
    sd = 0.002
    for offset, consistent in [(2.9, True), (-2.9, True), (3.1, False), (-3.1, False)]:
        # Every holdout cell predicts the same: the arm's prediction is the cell value.
        values = observed + offset * sd + sd * (noise - noise.mean()) / noise.std(ddof=1)
        purchase = np.zeros((1000, 3, 2))
        purchase[:, 0, :] = values[:, None]
        draws = {"purchase": purchase, "revenue": np.ones((1000, 3, 2))}
        holdout = model_checks(exp, lay, draws)[0]
        assert holdout.arm == "holdout"
        assert holdout.predicted_mean == pytest.approx(observed + offset * sd)
        assert holdout.consistent is consistent, offset
