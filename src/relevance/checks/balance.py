"""adjust_for columns must be measured before the send: the same mix in every arm."""

from __future__ import annotations

import pandas as pd
from scipy.special import chdtrc

from relevance.checks.base import finding
from relevance.config import Experiment
from relevance.io.cells import Cells
from relevance.results import Finding, Severity

BALANCE_P_VALUE = 0.001
MAX_ADJUST_LEVELS = 100
"""More levels than this is an identifier or free text, not a pre-period stratum."""


def adjustment_balance(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Chi-square test of each adjust_for column's levels against the arm (warn at p < 0.001).

    Randomisation makes a pre-period column's mix the same in every arm; a column that
    differs was probably measured after the send (an outcome in disguise), and adjusting for
    it could bias the effect.
    """
    findings = []
    known = cells.keys["arm"].isin(experiment.arms.all).to_numpy()
    for column in cells.adjust:
        levels = cells.keys[column].nunique()
        if levels > MAX_ADJUST_LEVELS:
            findings.append(
                finding(
                    "adjustment_levels",
                    Severity.ERROR,
                    f"Column `{column}` (adjust_for) has {levels:,} distinct text values; "
                    f"adjustment needs a few groups (at most {MAX_ADJUST_LEVELS}) or a number "
                    "(numbers are cut into 10 quantile buckets).",
                    f"adjust for a column with few levels, or export `{column}` as a number",
                    where=f"adjust_for column `{column}`",
                    column=column,
                    levels=int(levels),
                )
            )
            continue
        table = (
            pd.DataFrame({"arm": cells.keys["arm"][known], "level": cells.keys[column][known]})
            .assign(n=cells.n[known])
            .pivot_table(index="arm", columns="level", values="n", aggfunc="sum", fill_value=0)
            .to_numpy(dtype=float)
        )
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if table.shape[0] < 2 or table.shape[1] < 2:
            continue
        expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
        chi2 = float(((table - expected) ** 2 / expected).sum())
        dof = (table.shape[0] - 1) * (table.shape[1] - 1)
        p_value = float(chdtrc(dof, chi2))
        details = {"column": column, "chi2": chi2, "p_value": p_value, "levels": table.shape[1]}
        if p_value < BALANCE_P_VALUE:
            findings.append(
                finding(
                    "adjustment_balance",
                    Severity.WARNING,
                    f"Column `{column}` (adjust_for) is distributed differently between arms "
                    f"(chi-square {chi2:.1f}, p = {p_value:.2g}). A column measured before the "
                    "send has the same mix in every arm; this one may have been changed by the "
                    "email, and adjusting for it can bias the effect.",
                    f"adjust only for columns fixed before the send (remove `{column}` from "
                    "adjust_for), or check how it was extracted",
                    where=f"adjust_for column `{column}`",
                    **details,
                )
            )
        else:
            findings.append(
                finding(
                    "adjustment_balance",
                    Severity.INFO,
                    f"Column `{column}` (adjust_for) has the same mix in every arm "
                    f"(p = {p_value:.2g}), as a pre-period column should.",
                    **details,
                )
            )
    return findings
