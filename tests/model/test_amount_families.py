"""Revenue per recipient whatever the amounts' distribution: log-normal, gamma, capped and
floored, Pareto (alpha 2.5). On large simulated campaigns the truth is inside the interval and
the posterior mean sits within 0.1 posterior sd of the difference in observed means."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from relevance.config import Experiment
from relevance.io.scenarios import AMOUNT_FAMILIES, Scenario, simulate
from relevance.pipeline.analysis import analyze


def experiment(path: Path) -> Experiment:
    return Experiment.model_validate(
        {
            "name": "families",
            "data": {"cells": str(path), "unit_id": None},
            "arms": {"holdout": "holdout", "versions": ["A", "B"]},
            "metrics": [
                {
                    "name": "revenue",
                    "kind": "revenue",
                    "column": "revenue",
                    "primary": True,
                    "rope": 0.05,
                }
            ],
            "segments": ["segment"],
            "sampler": {"draws": 2000, "tune": 500, "chains": 2, "seed": 4},
        }
    )


@pytest.mark.parametrize("family", sorted(AMOUNT_FAMILIES))
def test_revenue_recovery(family: str, tmp_path: Path) -> None:
    scenario = Scenario(
        family,
        kind="revenue",
        recipients=400_000,
        segment_levels=2,
        effects=(0.0, 0.12),
        amounts=family,
        amount_effects=(1.0, 1.1),
        effect_spread=0.0,
    )
    campaign = simulate(scenario, np.random.default_rng(8))
    campaign.cells.to_csv(tmp_path / "cells.csv", index=False)
    results = analyze(experiment(tmp_path / "cells.csv")).results
    per_arm = campaign.cells.groupby("arm")[["revenue__sum", "n"]].sum()
    observed = per_arm["revenue__sum"] / per_arm["n"]
    for version, truth in campaign.truth.items():
        uplift = results.uplift("revenue", version)
        assert uplift.uplift_low <= truth <= uplift.uplift_high, (version, truth, uplift)
        difference = observed[version] - observed["holdout"]
        gap = (uplift.uplift_mean - difference) / uplift.uplift_sd
        assert abs(gap) <= 0.1, (version, gap)
    assert results.diagnostics.max_r_hat is not None and results.diagnostics.max_r_hat <= 1.01


def test_family_means_are_exact() -> None:
    """Each family's stated mean is the mean of its draws (10^6 draws, 4 standard errors)."""
    rng = np.random.default_rng(1)
    for family in AMOUNT_FAMILIES.values():
        for scale in (1.0, 1.3):
            draws = family.draw(rng, 1_000_000, scale)
            se = draws.std() / 1000
            assert abs(draws.mean() - family.mean(scale)) <= 4 * se, (family.name, scale)
