"""Bad outcome values: missing, not a number, negative, not 0/1; metrics with no events."""

from __future__ import annotations

import re

from relevance.checks.base import counted, finding
from relevance.config import Experiment, MetricConfig
from relevance.io.cells import Cells
from relevance.io.query import outcome_problems
from relevance.results import Finding, Severity

OUTCOME_WORDS = {  # (one value, several values)
    "missing": ("is missing (empty or NULL)", "are missing (empty or NULL)"),
    "invalid": ("is not a number", "are not numbers"),
    "negative": ("is negative", "are negative"),
    "nonbinary": ("is a number other than 0 and 1", "are numbers other than 0 and 1"),
}


OUTCOME_FIXES = {
    ("binary", "missing"): "fill in 0 or 1 for every recipient (an empty value means unknown, "
    "not 0)",
    ("binary", "invalid"): "recode the column as 0 and 1 (e.g. yes → 1, no → 0); text, NaN "
    "and infinity are not allowed",
    ("binary", "nonbinary"): "a binary metric is 0 or 1 per recipient: recode the values, or "
    "use `kind: revenue` for amounts",
    ("revenue", "missing"): "fill in an amount for every recipient (0 for those who bought "
    "nothing)",
    ("revenue", "invalid"): "write plain numbers with '.' as the decimal point (no currency "
    "symbols, thousands separators, NaN or infinity)",
    ("revenue", "negative"): "settle refunds and corrections before the extract: every amount "
    "is 0 or more",
}


def outcome_finding(
    metric: MetricConfig,
    stat: str,
    count: int,
    row: int | None = None,
    value: object = None,
    unit: tuple[str, object] | None = None,
) -> Finding:
    """One kind of bad value in a metric's column, with an example row when rows were read."""
    example = ""
    if row is not None:
        example = f", e.g. row {int(row):,}"
        if unit is not None and unit[1] is not None:
            example += f" ({unit[0]} {unit[1]})"
        if value is not None:
            example += f": {str(value)!r}"
    fix = OUTCOME_FIXES[(metric.kind, stat)]
    if value is not None and re.fullmatch(r"\s*-?\d+,\d+\s*", str(value)):
        fix = "the values use a decimal comma: " + fix
    return finding(
        f"outcome_{stat}",
        Severity.ERROR,
        f"Column `{metric.column}` (metric {metric.name!r}) has {counted(count, 'value')} that "
        f"{OUTCOME_WORDS[stat][count != 1]}{example}. Dropping or guessing such values would "
        "make the result silently wrong.",
        fix,
        where=f"column `{metric.column}`",
        metric=metric.name,
        column=metric.column,
        rows=count,
        example_row=None if row is None else int(row),
        example_value=None if value is None else str(value),
    )


def bad_outcomes(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Missing, unreadable, negative or non-binary outcome values; metrics with no events."""
    findings = []
    for metric in experiment.metrics:
        quality = cells.quality[metric.name].overall()
        bad = 0
        for stat in outcome_problems(metric):
            count = int(getattr(quality, stat))
            bad += count
            if count:
                findings.append(outcome_finding(metric, stat, count))
        no_events = int(cells.stats[metric.name].events.sum()) == 0
        if no_events and not bad and cells.recipients > 0:
            findings.append(
                finding(
                    "zero_events",
                    Severity.WARNING,
                    f"Metric {metric.name!r} has no events at all (column `{metric.column}` "
                    "is always 0): its uplift can only be bounded, not measured.",
                    metric=metric.name,
                )
            )
    return findings
