"""Bad outcome values: missing, not a number, negative, not 0/1; metrics with no events."""

from __future__ import annotations

import re

from relevance.checks.base import counted, finding
from relevance.config import Experiment, MetricConfig
from relevance.errors import brief
from relevance.io.cells import Cells, problem_names
from relevance.language import money
from relevance.results import Finding, Severity

MAX_VALUE_CHARACTERS = 60
OUTCOME_WORDS = {  # (one value, several values)
    "missing": ("is missing (empty or NULL)", "are missing (empty or NULL)"),
    "invalid": ("is not a number", "are not numbers"),
    "negative": ("is negative", "are negative"),
    "nonbinary": ("is a number other than 0 and 1", "are numbers other than 0 and 1"),
}


OUTCOME_FIXES = {
    ("binary", "missing"): "fill in 0 or 1 for every recipient (an empty value means unknown, "
    "not 0)",
    ("binary", "invalid"): "recode the column as 0 and 1 (e.g. yes → 1, no → 0; true/false also "
    "work); other text, NaN "
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
    """One kind of bad value in a metric's column, with an example when rows were read: its row
    in a file, its recipient (`unit`: column and id) and its value."""
    example = ""
    recipient = f"{unit[0]} {brief(unit[1], quote=False)}" if unit and unit[1] is not None else ""
    if row is not None:  # a file: its row, then the recipient
        example = f"row {int(row):,}" + (f" ({recipient})" if recipient else "")
    elif recipient:  # a query's rows have no order: the recipient
        example = recipient
    if value is not None:
        example += f": {brief(str(value))}" if example else brief(str(value))
    if example:
        example = f", e.g. {example}"
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
        example_value=None if value is None else str(value)[:MAX_VALUE_CHARACTERS],
    )


def bad_outcomes(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Missing, unreadable, negative or non-binary outcome values; metrics with no events."""
    findings = []
    for metric in experiment.metrics:
        quality = cells.quality[metric.name].overall()
        bad = 0
        for stat in problem_names(metric):
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


def extreme_amounts(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Revenue amounts far beyond the bulk (a typo of 10^12, a test order): a warning naming
    them, and the cap at which the analysis counts them (see ``relevance.io.query``)."""
    currency = experiment.decision.currency
    findings = []
    for cap in cells.caps:
        metric = next(m for m in experiment.metrics if m.name == cap.metric)
        findings.append(
            finding(
                "extreme_amounts",
                Severity.WARNING,
                f"Column `{metric.column}` (metric {metric.name!r}) has "
                f"{counted(cap.extremes, 'amount')} far beyond the rest: above "
                f"{money(cap.cap, currency)}, {cap.cap / cap.typical:,.0f} times the typical "
                f"amount of {money(cap.typical, currency)}; the largest is "
                f"{money(cap.largest, currency)}. Before capping they held "
                f"{cap.share:.1%} of all {metric.display}. This analysis counts them at "
                f"{money(cap.cap, currency)}, so that a few such values cannot decide it.",
                "check these amounts at the source (typos, test orders, amounts in cents?) "
                "and correct or remove them",
                where=f"column `{metric.column}`",
                metric=metric.name,
                extremes=cap.extremes,
                cap=cap.cap,
                typical=cap.typical,
                largest=cap.largest,
                share=cap.share,
            )
        )
    return findings


SILENT_ARM_EXPECTED = 20
"""An arm with no events where at least this many were expected gets a warning."""


def silent_arms(experiment: Experiment, cells: Cells) -> list[Finding]:
    """An arm with no events at all while the other arms have many: was it recorded there?"""
    known = [a for a in experiment.arms.all if a in cells.arm_sizes()]
    arm_of_cell = cells.keys["arm"].to_numpy()
    findings = []
    for metric in experiment.metrics:
        stats = cells.stats[metric.name]
        events = {a: int(stats.events[arm_of_cell == a].sum()) for a in known}
        trials = {a: int(stats.n[arm_of_cell == a].sum()) for a in known}
        for arm in known:
            others_events = sum(events.values()) - events[arm]
            others_trials = sum(trials.values()) - trials[arm]
            if events[arm] or not others_trials:
                continue
            expected = trials[arm] * others_events / others_trials
            if expected < SILENT_ARM_EXPECTED:
                continue
            findings.append(
                finding(
                    "silent_arm",
                    Severity.WARNING,
                    f"Arm {brief(arm, 30)} has no {metric.display} at all (column "
                    f"`{metric.column}`), while the other arms' rate would give about "
                    f"{expected:,.0f}: an email does not usually stop every one of them.",
                    f"check that `{metric.column}` was recorded for arm {brief(arm, 30)} (a "
                    "join or tracking gap?)",
                    where=f"column `{metric.column}`",
                    metric=metric.name,
                    arm=arm,
                    expected=round(expected, 1),
                )
            )
    return findings
