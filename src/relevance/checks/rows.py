"""Checks that need rows: duplicated recipients, recipients in two arms, holdout members
who were sent, and the first row of each bad value, as DuckDB queries over the file.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import duckdb

from relevance.checks.base import counted, finding
from relevance.checks.outcomes import outcome_finding
from relevance.config import Experiment
from relevance.errors import brief
from relevance.io.files import (
    check_columns,
    check_file,
    describe,
    file_relation,
    numbered_rows,
    reading,
    unit_column,
)
from relevance.io.query import ROW_NUMBER, outcome_problems, quote
from relevance.results import Finding, Severity

HOLDOUT_SENT_ERROR_SHARE = 0.01  # at 1% or more of the holdout sent the email, the run stops


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
                f"({counted(int(result['duplicated_rows']), 'extra row')}), e.g. {unit} {brief(example, quote=False)} appears "
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
                f"({counted(int(result['split_rows']), 'row')}), e.g. {unit} "
                f"{brief(example, quote=False)} is in {brief(first_arm)} and {brief(last_arm)}. "
                "A recipient assigned twice breaks the "
                "randomisation.",
                "find out how recipients were assigned twice; keep one assignment per "
                "recipient (their first) or exclude them, then run again",
                where=f"column `{unit}`",
                units=split,
                rows=int(result["split_rows"]),
                example=str(example)[:60],
                example_arms=[str(first_arm)[:60], str(last_arm)[:60]],
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
                f"row {int(result['sent_invalid_row']):,}: {brief(result['sent_invalid_value'])}.",
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
        example += f", {unit} {brief(result['holdout_sent_unit'], quote=False)}"
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
