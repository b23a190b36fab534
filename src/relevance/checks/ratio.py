"""Sample ratio mismatch: arm sizes against the planned allocation (chi-square)."""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc  # not scipy.stats: `validate` starts seconds faster

from relevance.checks.base import finding
from relevance.config import Experiment
from relevance.io.cells import Cells
from relevance.results import Finding, Severity

SRM_P_VALUE = 0.001


def sample_ratio_mismatch(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Chi-square test of arm sizes against the planned allocation (flag at p < 0.001)."""
    allocation = experiment.arms.allocation
    if allocation is None:
        return []
    totals = cells.arm_sizes()
    arms = experiment.arms.all
    observed = np.array([float(totals.get(a, 0)) for a in arms])
    if observed.sum() == 0:
        return []
    expected = np.array([allocation[a] for a in arms]) * observed.sum()
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    p_value = float(chdtrc(len(arms) - 1, chi2))  # Pearson's chi-square test
    table = {
        a: {"observed": int(o), "expected": round(float(e), 1)}
        for a, o, e in zip(arms, observed, expected, strict=True)
    }
    described = ", ".join(
        f"{a} {int(o):,} (expected {e:,.0f})"
        for a, o, e in zip(arms, observed, expected, strict=True)
    )
    details = {"chi2": float(chi2), "p_value": float(p_value), "arms": table}
    if p_value < SRM_P_VALUE:
        return [
            finding(
                "sample_ratio_mismatch",
                Severity.ERROR,
                f"Sample ratio mismatch: arm sizes do not match the planned allocation "
                f"(chi-square {chi2:.1f}, p = {p_value:.2g}): {described}. The randomisation or "
                "the data extract is broken, so no comparison can be trusted.",
                "find where recipients were lost or added, or correct `arms.allocation`",
                **details,
            )
        ]
    return [
        finding(
            "sample_ratio_mismatch",
            Severity.INFO,
            f"Arm sizes match the planned allocation (p = {p_value:.2g}): {described}.",
            **details,
        )
    ]
