"""Data-quality checks before any model: each check returns findings with a severity.

Errors stop the run before fitting (exit code 2); warnings and notes go on the report and in
`results.json`. Checks on cells cost nothing at any scale; checks that need rows (duplicated
units, units in two arms, holdout members who were sent) run as DuckDB queries on the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import numpy as np
from scipy import stats

from relevance.config import Experiment
from relevance.data import Cells, stat_column
from relevance.errors import ChecksFailed
from relevance.results import Finding, Severity

SRM_P_VALUE = 0.001
TINY_ARM = 100

CellCheck = Callable[[Experiment, Cells], list[Finding]]


def _normalise(label: str) -> str:
    return " ".join(label.split()).casefold()


def unknown_arms(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Arm labels in the data that the config does not know (with a 'did you mean')."""
    known = experiment.arms.all
    counts = cells.frame.groupby("arm")["n"].sum()
    findings = []
    for label, n in counts.items():
        if label in known:
            continue
        same = [k for k in known if _normalise(k) == _normalise(str(label))]
        close = same or difflib.get_close_matches(str(label), known, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        findings.append(
            Finding(
                check="unknown_arm",
                severity=Severity.ERROR,
                message=(
                    f"The data has {int(n):,} rows in arm {str(label)!r}, which the experiment does "
                    f"not list (arms: {', '.join(map(repr, known))}).{hint} Fix: correct the label "
                    "in the data, or add it to `arms` in the experiment file."
                ),
                details={
                    "label": str(label),
                    "rows": int(n),
                    "suggestion": close[0] if close else None,
                },
            )
        )
    return findings


def empty_or_tiny_arms(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Arms with no recipients (error) or too few to say anything (warning)."""
    totals = cells.frame.groupby("arm")["n"].sum()
    findings = []
    for arm in experiment.arms.all:
        n = int(totals.get(arm, 0))
        if n == 0:
            findings.append(
                Finding(
                    check="empty_arm",
                    severity=Severity.ERROR,
                    message=(
                        f"Arm {arm!r} has no recipients in the data. Fix: check the arm column "
                        f"`{experiment.data.arm}` and the labels in `arms`."
                    ),
                    details={"arm": arm},
                )
            )
        elif n < TINY_ARM:
            findings.append(
                Finding(
                    check="tiny_arm",
                    severity=Severity.WARNING,
                    message=f"Arm {arm!r} has only {n} recipients: estimates will be very uncertain.",
                    details={"arm": arm, "recipients": n},
                )
            )
    return findings


def sample_ratio_mismatch(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Chi-square test of arm sizes against the planned allocation (flag at p < 0.001)."""
    allocation = experiment.arms.allocation
    if allocation is None:
        return []
    totals = cells.frame.groupby("arm")["n"].sum()
    arms = experiment.arms.all
    observed = np.array([float(totals.get(a, 0)) for a in arms])
    if observed.sum() == 0:
        return []
    expected = np.array([allocation[a] for a in arms]) * observed.sum()
    chi2, p_value = stats.chisquare(observed, expected)
    table = {
        a: {"observed": int(o), "expected": round(float(e), 1)}
        for a, o, e in zip(arms, observed, expected, strict=True)
    }
    described = ", ".join(
        f"{a} {int(o):,} (expected {e:,.0f})"
        for a, o, e in zip(arms, observed, expected, strict=True)
    )
    if p_value < SRM_P_VALUE:
        return [
            Finding(
                check="sample_ratio_mismatch",
                severity=Severity.ERROR,
                message=(
                    f"Sample ratio mismatch: arm sizes do not match the planned allocation "
                    f"(chi-square {chi2:.1f}, p = {p_value:.2g}): {described}. The randomisation or "
                    "the data extract is broken, so no comparison can be trusted. Fix: find where "
                    "recipients were lost or added, or correct `arms.allocation`."
                ),
                details={"chi2": float(chi2), "p_value": float(p_value), "arms": table},
            )
        ]
    return [
        Finding(
            check="sample_ratio_mismatch",
            severity=Severity.INFO,
            message=f"Arm sizes match the planned allocation (p = {p_value:.2g}): {described}.",
            details={"chi2": float(chi2), "p_value": float(p_value), "arms": table},
        )
    ]


def bad_outcomes(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Missing, unreadable, negative or non-binary outcome values; metrics with no events."""
    frame = cells.frame
    findings = []
    for metric in experiment.metrics:
        column = metric.column
        problems = {
            "missing": "missing (empty or NULL)",
            "invalid": "not numbers",
            "negative": "negative",
        }
        if metric.kind == "binary":
            problems["nonbinary"] = "neither 0 nor 1"
        for stat, words in problems.items():
            key = stat_column(metric.name, stat)
            count = int(frame[key].sum()) if key in frame else 0
            if stat == "negative" and metric.kind == "binary":
                continue
            if count:
                findings.append(
                    Finding(
                        check=f"outcome_{stat}",
                        severity=Severity.ERROR,
                        message=(
                            f"Column `{column}` (metric {metric.name!r}) has {count:,} values that are "
                            f"{words}. An analysis that dropped or guessed them would be silently "
                            f"wrong. Fix: repair the extract so every recipient has a value"
                            + (" of 0 or 1." if metric.kind == "binary" else " of 0 or more.")
                        ),
                        details={"metric": metric.name, "column": column, "rows": count},
                    )
                )
        events_key = stat_column(metric.name, "ones" if metric.kind == "binary" else "buyers")
        if events_key in frame and int(frame[events_key].sum()) == 0 and frame["n"].sum() > 0:
            findings.append(
                Finding(
                    check="zero_events",
                    severity=Severity.WARNING,
                    message=(
                        f"Metric {metric.name!r} has no events at all (column `{column}` is always 0): "
                        "its uplift can only be bounded, not measured."
                    ),
                    details={"metric": metric.name},
                )
            )
    return findings


CELL_CHECKS: tuple[CellCheck, ...] = (
    unknown_arms,
    empty_or_tiny_arms,
    sample_ratio_mismatch,
    bad_outcomes,
)


def run_checks(
    experiment: Experiment, cells: Cells, extra: list[Finding] | None = None
) -> list[Finding]:
    """All checks on the cells (plus any row-level findings), errors first."""
    findings = [f for check in CELL_CHECKS for f in check(experiment, cells)]
    findings += extra or []
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def stop_on_errors(experiment: Experiment, findings: list[Finding]) -> None:
    """Raise :class:`ChecksFailed` (exit code 2) when any finding is an error."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return
    data_file = experiment.data.path or experiment.data.cells or "the data"
    lines = "\n  - ".join(f.message for f in errors)
    raise ChecksFailed(
        data_file,
        None,
        f"{len(errors)} data-quality error(s) stop the run before any model is fitted:\n  - {lines}",
        "correct the data or the experiment file as each message says, then run again",
    )
