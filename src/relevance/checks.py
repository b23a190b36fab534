"""Data-quality checks before any model: each check returns findings with a severity.

Errors stop the run before fitting (exit code 2); warnings and notes go on the report and in
`results.json`. Checks on cells cost nothing at any scale; checks that need rows (duplicated
units, units in two arms, holdout members who were sent, the first row of each bad value) run
as two DuckDB queries on the file (:func:`row_checks`), never in pandas.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from scipy.special import chdtrc  # not scipy.stats: `validate` starts seconds faster

from relevance.config import Experiment, MetricConfig
from relevance.data import (
    MISSING_LEVEL,
    ROW_NUMBER,
    Cells,
    check_columns,
    check_file,
    describe,
    file_relation,
    numbered_rows,
    outcome_problems,
    quote,
    reading,
    shown,
    stat_column,
    unit_column,
)
from relevance.errors import ChecksFailed
from relevance.results import Finding, Severity

SRM_P_VALUE = 0.001
TINY_ARM = 100
HOLDOUT_SENT_ERROR_SHARE = 0.01  # at 1% or more of the holdout sent the email, the run stops

CellCheck = Callable[[Experiment, Cells], list[Finding]]


def finding(
    check: str,
    severity: Severity,
    problem: str,
    fix: str | None = None,
    where: str | None = None,
    **details: Any,
) -> Finding:
    """A finding whose message is the problem, then (when something must be done) the fix."""
    if fix:
        details["fix"] = fix
    if where:
        details["where"] = where
    message = f"{problem} Fix: {fix}" if fix else problem
    return Finding(check=check, severity=severity, message=message, details=details)


def counted(n: int, word: str, plural: str | None = None) -> str:
    """'1 row', '2,000 rows'."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _normalise(label: str) -> str:
    return " ".join(label.split()).casefold()


# --- checks on cells (any source) -----------------------------------------------------------


def unknown_arms(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Arm labels in the data that the config does not know (with a 'did you mean').

    A label that matches an arm only after trimming spaces or ignoring case (" A", "a") is an
    error too: merging it silently would hide a broken extract.
    """
    known = experiment.arms.all
    counts = cells.frame.groupby("arm")["n"].sum()
    column = experiment.data.arm
    arms = ", ".join(map(repr, known))
    findings = []
    for label, n in counts.items():
        label = str(label)
        if label in known:
            continue
        rows = int(n)
        if label == MISSING_LEVEL:
            findings.append(
                finding(
                    "unknown_arm",
                    Severity.ERROR,
                    f"{counted(rows, 'row')} {'has' if rows == 1 else 'have'} no arm label (empty or "
                    f"NULL in column `{column}`).",
                    "give every recipient the arm they were assigned to, or remove rows that "
                    "were never part of the experiment",
                    where=f"column `{column}`",
                    label=None,
                    rows=rows,
                    suggestion=None,
                )
            )
            continue
        same = [k for k in known if _normalise(k) == _normalise(label)]
        close = same or difflib.get_close_matches(label, known, n=1, cutoff=0.6)
        if same:
            hint = (
                f" It differs from {same[0]!r} only in spaces or capital letters, so it was not "
                f"merged into that arm. Did you mean {same[0]!r}?"
            )
        else:
            hint = f" Did you mean {close[0]!r}?" if close else ""
        findings.append(
            finding(
                "unknown_arm",
                Severity.ERROR,
                f"The data has {counted(rows, 'row')} in arm {label!r} (column `{column}`), which the "
                f"experiment does not list (arms: {arms}).{hint}",
                "correct the label in the data, or add it to `arms` in the experiment file",
                where=f"column `{column}`",
                label=label,
                rows=rows,
                suggestion=close[0] if close else None,
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
                finding(
                    "empty_arm",
                    Severity.ERROR,
                    f"Arm {arm!r} has no recipients in the data.",
                    f"check the arm column `{experiment.data.arm}` and the labels in `arms`",
                    arm=arm,
                )
            )
        elif n < TINY_ARM:
            findings.append(
                finding(
                    "tiny_arm",
                    Severity.WARNING,
                    f"Arm {arm!r} has only {n} recipients: estimates will be very uncertain.",
                    arm=arm,
                    recipients=n,
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
    frame = cells.frame
    findings = []
    for metric in experiment.metrics:
        bad = 0
        for stat in outcome_problems(metric):
            key = stat_column(metric.name, stat)
            count = int(frame[key].sum()) if key in frame else 0
            bad += count
            if count:
                findings.append(outcome_finding(metric, stat, count))
        events_key = stat_column(metric.name, "ones" if metric.kind == "binary" else "buyers")
        no_events = events_key in frame and int(frame[events_key].sum()) == 0
        if no_events and not bad and frame["n"].sum() > 0:
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


CELL_CHECKS: tuple[CellCheck, ...] = (
    unknown_arms,
    empty_or_tiny_arms,
    sample_ratio_mismatch,
    bad_outcomes,
)


# --- checks on rows (row files: path or simulate) --------------------------------------------


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> dict[str, Any]:
    cursor = con.execute(sql, params)
    row = cursor.fetchone()
    names = [d[0] for d in cursor.description]
    return dict(zip(names, row or [None] * len(names), strict=True))


def units_query(relation: str, unit: str, arm: str) -> str:
    """One GROUP BY per recipient id: duplicated ids and ids in more than one arm."""
    label = f"CAST({quote(arm)} AS VARCHAR)"
    same = "rows > 1 AND first_arm IS NOT DISTINCT FROM last_arm"
    split = "first_arm <> last_arm"
    return f"""
WITH units AS (
  SELECT {quote(unit)} AS unit, count(*) AS rows, min({label}) AS first_arm,
         max({label}) AS last_arm
  FROM {relation}
  WHERE {quote(unit)} IS NOT NULL
  GROUP BY 1
)
SELECT
  count(*) AS units,
  count(*) FILTER (WHERE {same}) AS duplicated_units,
  coalesce(sum(rows - 1) FILTER (WHERE {same}), 0) AS duplicated_rows,
  min(unit) FILTER (WHERE {same}) AS duplicated_example,
  arg_min(rows, unit) FILTER (WHERE {same}) AS duplicated_example_rows,
  count(*) FILTER (WHERE {split}) AS split_units,
  coalesce(sum(rows) FILTER (WHERE {split}), 0) AS split_rows,
  min(unit) FILTER (WHERE {split}) AS split_example,
  arg_min(first_arm, unit) FILTER (WHERE {split}) AS split_example_first,
  arg_min(last_arm, unit) FILTER (WHERE {split}) AS split_example_last
FROM units
"""


def _sent_flag(sent: str) -> str:
    """The sent column as true/false: 0/1, true/false (or yes/no); NULL when unreadable."""
    number = f"TRY_CAST({quote(sent)} AS DOUBLE)"
    return (
        f"(CASE WHEN {number} IN (0, 1) THEN {number} = 1 "
        f"ELSE TRY_CAST({quote(sent)} AS BOOLEAN) END)"
    )


def rows_query(
    experiment: Experiment, relation: str, unit: str | None, examples: Collection[str] = ()
) -> tuple[str, dict[str, tuple[Any, ...]]]:
    """One pass over the rows: how many rows have each row-level problem.

    Returns the SQL (the holdout label is bound as ``$2``) and, per output prefix, what it
    describes. Each prefix ``p`` yields ``p_count``; a prefix in ``examples`` also yields
    ``p_row`` (first row number), ``p_value`` (the offending value as text) and ``p_unit``
    (that row's recipient id), which needs ``relation`` to be numbered (:func:`numbered_rows`).
    Counting alone is about ten times cheaper, so examples are only asked for problems found.
    """
    number = quote(ROW_NUMBER)
    parts = ["count(*) AS total_rows"]
    meaning: dict[str, tuple[Any, ...]] = {}

    def first(prefix: str, condition: str, value: str | None) -> None:
        parts.append(f"count(*) FILTER (WHERE {condition}) AS {prefix}_count")
        if prefix not in examples:
            return
        parts.append(f"min({number}) FILTER (WHERE {condition}) AS {prefix}_row")
        shown_value = f"CAST({value} AS VARCHAR)" if value else "NULL"
        parts.append(
            f"arg_min({shown_value}, {number}) FILTER (WHERE {condition}) AS {prefix}_value"
        )
        unit_value = f"CAST({quote(unit)} AS VARCHAR)" if unit else "NULL"
        parts.append(f"arg_min({unit_value}, {number}) FILTER (WHERE {condition}) AS {prefix}_unit")

    if unit:
        first("unit_missing", f"{quote(unit)} IS NULL", None)
        meaning["unit_missing"] = ("unit_missing",)
    sent = experiment.data.sent
    if sent:
        arm = f"CAST({quote(experiment.data.arm)} AS VARCHAR)"
        flag = _sent_flag(sent)
        parts.append(f"count(*) FILTER (WHERE {arm} = $2) AS holdout_rows")
        first("holdout_sent", f"{arm} = $2 AND {flag}", None)
        first("sent_invalid", f"{quote(sent)} IS NOT NULL AND {flag} IS NULL", quote(sent))
        meaning["holdout_sent"] = ("holdout_sent",)
        meaning["sent_invalid"] = ("sent_invalid",)
    for i, metric in enumerate(experiment.metrics):
        for stat, condition in outcome_problems(metric).items():
            prefix = f"m{i}_{stat}"
            first(prefix, condition, quote(metric.column))
            meaning[prefix] = ("outcome", metric, stat)
    return f"SELECT\n  {',\n  '.join(parts)}\nFROM {relation}", meaning


def _unit_findings(experiment: Experiment, unit: str, result: dict[str, Any]) -> list[Finding]:
    findings = []
    duplicated = int(result["duplicated_units"] or 0)
    split = int(result["split_units"] or 0)
    if duplicated:
        example = result["duplicated_example"]
        findings.append(
            finding(
                "duplicated_units",
                Severity.ERROR,
                f"{counted(duplicated, 'recipient id')} (column `{unit}`) "
                f"{'appears' if duplicated == 1 else 'appear'} in more than one row "
                f"({counted(int(result['duplicated_rows']), 'extra row')}), e.g. {unit} {example} appears "
                f"{int(result['duplicated_example_rows'])} times. Each recipient must be one row, "
                "or they are counted twice.",
                "remove the duplicated rows so that the extract has one row per recipient",
                where=f"column `{unit}`",
                units=duplicated,
                extra_rows=int(result["duplicated_rows"]),
                example=str(example),
            )
        )
    if split:
        example = result["split_example"]
        first_arm, last_arm = result["split_example_first"], result["split_example_last"]
        findings.append(
            finding(
                "units_in_several_arms",
                Severity.ERROR,
                f"{counted(split, 'recipient id')} (column `{unit}`) "
                f"{'is' if split == 1 else 'are'} in more than one arm "
                f"({counted(int(result['split_rows']), 'row')}), e.g. {unit} {example} is in "
                f"{first_arm!r} and {last_arm!r}. A recipient assigned twice breaks the "
                "randomisation.",
                "find out how recipients were assigned twice; keep one assignment per "
                "recipient (their first) or exclude them, then run again",
                where=f"column `{unit}`",
                units=split,
                rows=int(result["split_rows"]),
                example=str(example),
                example_arms=[first_arm, last_arm],
            )
        )
    if not duplicated and not split:
        findings.append(
            finding(
                "unique_units",
                Severity.INFO,
                f"All {int(result['units'] or 0):,} recipient ids (column `{unit}`) appear in "
                "exactly one row and one arm.",
                units=int(result["units"] or 0),
            )
        )
    return findings


def _holdout_findings(experiment: Experiment, result: dict[str, Any]) -> list[Finding]:
    sent = experiment.data.sent
    unit = experiment.data.unit_id
    holdout = experiment.arms.holdout
    findings = []
    invalid = int(result["sent_invalid_count"] or 0)
    if invalid:
        findings.append(
            finding(
                "sent_invalid",
                Severity.ERROR,
                f"Column `{sent}` has {counted(invalid, 'value')} that {'is' if invalid == 1 else 'are'} not 0/1 or true/false, e.g. "
                f"row {int(result['sent_invalid_row']):,}: {result['sent_invalid_value']!r}.",
                f"write `{sent}` as 0/1 or true/false",
                where=f"column `{sent}`",
                rows=invalid,
                example_row=int(result["sent_invalid_row"]),
                example_value=result["sent_invalid_value"],
            )
        )
    total = int(result["holdout_rows"] or 0)
    count = int(result["holdout_sent_count"] or 0)
    if not total:
        return findings
    share = count / total
    if not count:
        findings.append(
            finding(
                "holdout_sent",
                Severity.INFO,
                f"None of the {total:,} holdout recipients was sent the email (column `{sent}`).",
                holdout=total,
                sent=0,
                share=0.0,
            )
        )
        return findings
    row = int(result["holdout_sent_row"])
    example = f"row {row:,}"
    if result["holdout_sent_unit"] is not None:
        example += f", {unit} {result['holdout_sent_unit']}"
    severity = Severity.ERROR if share >= HOLDOUT_SENT_ERROR_SHARE else Severity.WARNING
    findings.append(
        finding(
            "holdout_sent",
            severity,
            f"{count:,} of the {total:,} holdout recipients ({share:.1%}) were sent the email "
            f"(column `{sent}`), e.g. {example}. The holdout must get nothing: every one of "
            "them dilutes the comparison with sending nothing"
            + (
                f" (at {HOLDOUT_SENT_ERROR_SHARE:.0%} or more the run stops)."
                if severity is Severity.ERROR
                else "."
            ),
            f"find out why holdout members were sent the email (a suppression list not applied?) "
            f"and check that arm {holdout!r} and column `{sent}` are right",
            where=f"column `{sent}`",
            holdout=total,
            sent=count,
            share=round(share, 6),
            example_row=row,
            example=result["holdout_sent_unit"],
        )
    )
    return findings


def row_checks(experiment: Experiment, path: Path) -> list[Finding]:
    """Checks that need the rows of a file, as two DuckDB queries over it (never pandas).

    1. Per recipient id (``data.unit_id``): duplicated ids and ids in more than one arm.
    2. One pass over the numbered rows: missing ids, holdout members who were sent the email
       (``data.sent``), unreadable sent flags, and the first row and value of every bad
       outcome (these findings replace the cell-level ones, adding the example row).
    """
    file_format = experiment.data.format
    check_file(path)
    relation, params = file_relation(path, file_format, text=True)
    findings: list[Finding] = []
    with reading(path, file_format) as con:
        columns = describe(con, relation, params)
        check_columns(experiment, path, columns)
        unit = unit_column(experiment, columns)
        if unit is None and experiment.data.unit_id is not None:
            findings.append(
                finding(
                    "unit_id_absent",
                    Severity.WARNING,
                    f"The file has no column `{experiment.data.unit_id}` (the default "
                    "`data.unit_id`), so duplicated recipients and recipients in two arms were "
                    "not checked.",
                    "set `data.unit_id` to the recipient id column, or `data.unit_id: null` to "
                    "say there is none",
                )
            )
        if unit is not None:
            result = _fetch(con, units_query(relation, unit, experiment.data.arm), params)
            findings += _unit_findings(experiment, unit, result)
        holdout = [experiment.arms.holdout] if experiment.data.sent else []  # bound as $2
        sql, meaning = rows_query(experiment, relation, unit)
        result = _fetch(con, sql, [*params, *holdout])
        found = [p for p in meaning if result[f"{p}_count"]]
        if found:  # a second pass for the first row, value and recipient of each problem
            used = [experiment.data.arm, *(c for c in (unit, experiment.data.sent) if c)]
            used += [m.column for m in experiment.metrics]
            numbered, numbered_params = numbered_rows(path, file_format, used)
            sql, meaning = rows_query(experiment, numbered, unit, examples=found)
            con.execute("SET preserve_insertion_order = true")  # CSV rows numbered in file order
            result = _fetch(con, sql, [*numbered_params, *holdout])
    if unit is not None and result["unit_missing_count"]:
        count = int(result["unit_missing_count"])
        findings.append(
            finding(
                "unit_id_missing",
                Severity.ERROR,
                f"{counted(count, 'row')} {'has' if count == 1 else 'have'} no recipient id "
                f"(empty or NULL in column `{unit}`), e.g. "
                f"row {int(result['unit_missing_row']):,}: they cannot be checked for duplicates.",
                f"fill in `{unit}` for every row, or set `data.unit_id: null` to skip the "
                "duplicate-recipient checks",
                where=f"column `{unit}`",
                rows=count,
                example_row=int(result["unit_missing_row"]),
            )
        )
    if experiment.data.sent:
        findings += _holdout_findings(experiment, result)
    for prefix, (kind, *rest) in meaning.items():
        if kind != "outcome" or not result[f"{prefix}_count"]:
            continue
        metric, stat = rest
        findings.append(
            outcome_finding(
                metric,
                stat,
                int(result[f"{prefix}_count"]),
                row=result[f"{prefix}_row"],
                value=result[f"{prefix}_value"],
                unit=(unit, result[f"{prefix}_unit"]) if unit else None,
            )
        )
    return findings


# --- running them ---------------------------------------------------------------------------


def _key(item: Finding) -> tuple[str, object]:
    return item.check, item.details.get("metric")


def run_checks(
    experiment: Experiment, cells: Cells, extra: list[Finding] | None = None
) -> list[Finding]:
    """All checks on the cells plus any row-level findings (:func:`row_checks`), errors first.

    A row-level outcome finding replaces the cell-level one for the same metric and problem:
    same count, plus the example row.
    """
    extra = list(extra or [])
    replaced = {_key(f) for f in extra if f.check.startswith("outcome_")}
    findings = [
        f for check in CELL_CHECKS for f in check(experiment, cells) if _key(f) not in replaced
    ]
    findings += extra
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def data_name(experiment: Experiment) -> str:
    """The data as users know it: the rows or cells file, else the experiment file."""
    data = experiment.data
    for path in (data.path, data.cells):
        if path is not None:
            return shown(experiment.resolve(path))
    return shown(experiment.source) if experiment.source else "the data"


def stop_on_errors(experiment: Experiment, findings: list[Finding]) -> None:
    """Raise :class:`ChecksFailed` (exit code 2) when any finding is an error."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return
    if len(errors) == 1:
        (error,) = errors
        fix = str(error.details.get("fix") or "correct the data or the experiment file")
        problem = error.message.removesuffix(f" Fix: {fix}")
        raise ChecksFailed(data_name(experiment), None, problem, fix)
    lines = "\n  - ".join(f.message for f in errors)
    raise ChecksFailed(
        data_name(experiment),
        None,
        f"{len(errors)} data-quality errors stop the run before any model is fitted:\n  - {lines}",
        "correct the data or the experiment file as each message says, then run again",
    )
