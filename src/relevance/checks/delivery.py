"""`data.delivered`: flags that are 0/1, a holdout nobody delivered to, each arm's delivery."""

from __future__ import annotations

import numpy as np

from relevance.checks.base import counted, finding
from relevance.config import Experiment
from relevance.io.cells import Cells
from relevance.results import Finding, Severity


def delivery_flags(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Errors for delivery flags that are not 0/1 and for holdout recipients marked delivered
    (the holdout must receive nothing, as with ``data.sent``); otherwise each version's
    delivery rate, and a warning for a version that reached nobody."""
    column = experiment.data.delivered
    if column is None or cells.delivery is None:
        return []
    where = f"column `{column}` (data.delivered)"
    findings = []
    invalid = int(cells.delivery.invalid.sum())
    if invalid:
        findings.append(
            finding(
                "delivered_invalid",
                Severity.ERROR,
                f"Column `{column}` (data.delivered) has {counted(invalid, 'value')} that "
                f"{'is' if invalid == 1 else 'are'} not 0/1 or true/false.",
                f"write `{column}` as 1 (delivered) or 0 (bounced, suppressed, not sent); "
                "leave it empty only where nothing was sent",
                where=where,
                rows=invalid,
            )
        )
    arms = cells.keys["arm"].to_numpy()
    holdout = experiment.arms.holdout
    marked = int(cells.delivery.delivered[arms == holdout].sum())
    if marked:
        findings.append(
            finding(
                "holdout_delivered",
                Severity.ERROR,
                f"{counted(marked, 'holdout recipient')} {'is' if marked == 1 else 'are'} marked "
                f"delivered (column `{column}`). The holdout must receive nothing: the effect "
                "on delivered recipients assumes it.",
                f"check that arm {holdout!r} is the no-send holdout and that `{column}` is 0 "
                "or empty for everyone in it",
                where=where,
                delivered=marked,
            )
        )
    rates = {}
    for version in experiment.arms.versions:
        assigned = int(cells.n[arms == version].sum())
        delivered = int(cells.delivery.delivered[arms == version].sum())
        rates[version] = delivered / assigned if assigned else float("nan")
    reached_nobody = [v for v, r in rates.items() if r == 0]
    if reached_nobody:
        findings.append(
            finding(
                "delivered_none",
                Severity.WARNING,
                f"No recipient of {', '.join(map(repr, reached_nobody))} is marked delivered "
                f"(column `{column}`), so its effect on delivered recipients is not computed.",
                f"check `{column}` for that arm",
                where=where,
            )
        )
    shown = ", ".join(f"{v} {r:.1%}" for v, r in rates.items() if np.isfinite(r))
    findings.append(
        finding(
            "delivery_rate",
            Severity.INFO,
            f"Delivered (column `{column}`): {shown} of the recipients assigned.",
            rates={v: r for v, r in rates.items() if np.isfinite(r)},
        )
    )
    return findings
