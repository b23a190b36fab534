"""Checks that need rows: duplicated recipients, recipients in two arms, holdout members
who were sent, and an example row of each bad value.

They are portable Ibis aggregates, run where the rows live (DuckDB for files, PostgreSQL,
Spark, a warehouse): counts first, then, only for the problems found, one more pass for an
example of each. Only these few numbers and examples cross the wire. An example is the first
such row of a file; rows of a query have no order, so there it is the recipient with the
smallest id (and that recipient's smallest offending value).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from relevance.checks.base import counted, finding
from relevance.checks.outcomes import outcome_finding
from relevance.config import Experiment
from relevance.errors import brief
from relevance.io.engines import Rows
from relevance.io.files import file_rows, unit_column
from relevance.io.identifiers import ROW_NUMBER
from relevance.io.query import Values, computed_once, outcome_problems
from relevance.io.sources import rows_path
from relevance.io.values import is_missing, read_flag
from relevance.io.warehouse import sql_rows
from relevance.results import Finding, Severity

HOLDOUT_SENT_ERROR_SHARE = 0.01  # at 1% or more of the holdout sent the email, the run stops


def units_expression(rows: ir.Table, unit: str, arm: str) -> ir.Table:
    """One GROUP BY per recipient id: duplicated ids and ids in more than one arm."""
    present = rows.filter(~is_missing(rows[unit]))
    label = present[arm].cast(dt.string)
    units = present.group_by(unit=present[unit]).aggregate(
        rows=present.count(), first_arm=label.min(), last_arm=label.max()
    )
    same = (units.rows > 1) & units.first_arm.identical_to(units.last_arm)
    split = (units.first_arm != units.last_arm).fill_null(False)
    return units.aggregate(
        units=units.count(),
        duplicated_units=units.count(where=same),
        duplicated_rows=(units.rows - 1).sum(where=same),
        duplicated_example=units.unit.min(where=same),
        duplicated_example_rows=units.rows.argmin(units.unit, where=same),
        split_units=units.count(where=split),
        split_rows=units.rows.sum(where=split),
        split_example=units.unit.min(where=split),
        split_example_first=units.first_arm.argmin(units.unit, where=split),
        split_example_last=units.last_arm.argmin(units.unit, where=split),
    )


@dataclass(frozen=True)
class Problem:
    """A row-level problem: the rows that have it, the value to show, and what it means."""

    condition: ir.BooleanValue
    value: ir.Value | None
    meaning: tuple[Any, ...]


def row_problems(
    experiment: Experiment, rows: ir.Table, unit: str | None
) -> tuple[ir.Table, dict[str, Problem]]:
    """Every row-level problem by prefix: missing ids, holdout members sent the email,
    unreadable sent flags, and each metric's bad values (the conditions the cells count).

    Returns the rows with each metric's number (and the sent flag) computed once per row, and
    the problems as conditions on them.
    """
    sent = experiment.data.sent
    if sent:
        rows = rows.mutate(__relevance_sent=read_flag(rows[sent]))
    rows, values = computed_once(
        rows, [Values.of(rows, m) for m in experiment.metrics], per_row=False
    )
    problems: dict[str, Problem] = {}
    if unit:
        problems["unit_missing"] = Problem(is_missing(rows[unit]), None, ("unit_missing",))
    if sent:
        flag = rows["__relevance_sent"]
        holdout = rows[experiment.data.arm].cast(dt.string) == experiment.arms.holdout
        problems["holdout_sent"] = Problem(holdout & flag.fill_null(False), None, ("holdout_sent",))
        invalid = ~is_missing(rows[sent]) & flag.isnull()
        problems["sent_invalid"] = Problem(invalid, rows[sent], ("sent_invalid",))
    for i, (metric, v) in enumerate(zip(experiment.metrics, values, strict=True)):
        for stat, condition in outcome_problems(metric, v).items():
            problems[f"m{i}_{stat}"] = Problem(condition, v.raw, ("outcome", metric, stat))
    return rows, problems


def counts_expression(
    experiment: Experiment, rows: ir.Table, problems: Mapping[str, Problem], first_unit: str | None
) -> ir.Table:
    """One pass over the rows: how many rows have each problem (``p_count``), the holdout's
    size, and with `first_unit` the smallest recipient id having each problem (``p_unit``)."""
    parts: dict[str, ir.Scalar] = {"total_rows": rows.count()}
    if experiment.data.sent:
        holdout = rows[experiment.data.arm].cast(dt.string) == experiment.arms.holdout
        parts["holdout_rows"] = rows.count(where=holdout)
    for prefix, problem in problems.items():
        parts[f"{prefix}_count"] = rows.count(where=problem.condition.fill_null(False))
        if first_unit and prefix != "unit_missing":
            parts[f"{prefix}_unit"] = rows[first_unit].min(where=problem.condition)
    return rows.aggregate(**parts)


def examples_expression(
    rows: ir.Table,
    problems: Mapping[str, Problem],
    found: Collection[str],
    unit: str | None,
    first_units: Mapping[str, Any],
) -> ir.Table:
    """The example of each problem found: in a file (`rows` numbered) the first row with it,
    its value and recipient; elsewhere the smallest value of the recipient `first_units` names
    (or the smallest value when there is no recipient id)."""
    parts: dict[str, ir.Scalar] = {}
    numbered = ROW_NUMBER in rows.columns
    for prefix in found:
        problem = problems[prefix]
        where = problem.condition
        if numbered:
            number = rows[ROW_NUMBER]
            parts[f"{prefix}_row"] = number.min(where=where)
            if problem.value is not None:
                parts[f"{prefix}_value"] = problem.value.cast(dt.string).argmin(number, where=where)
            if unit:
                parts[f"{prefix}_unit"] = rows[unit].cast(dt.string).argmin(number, where=where)
            continue
        if problem.value is None:
            continue
        if unit and first_units.get(prefix) is not None:
            same = rows[unit] == ibis.literal(first_units[prefix], type=rows[unit].type())
            where = where & same
        parts[f"{prefix}_value"] = problem.value.cast(dt.string).min(where=where)
    return rows.aggregate(**parts) if parts else rows.aggregate(total_rows=rows.count())


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
                f"{_place(result, 'sent_invalid', unit)}{brief(result['sent_invalid_value'])}.",
                f"write `{sent}` as 0/1 or true/false",
                where=f"column `{sent}`",
                rows=invalid,
                example_row=_number(result.get("sent_invalid_row")),
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
    row = None if result.get("holdout_sent_row") is None else int(result["holdout_sent_row"])
    places = [] if row is None else [f"row {row:,}"]
    if result.get("holdout_sent_unit") is not None:
        places.append(f"{unit} {brief(result['holdout_sent_unit'], quote=False)}")
    example = ", e.g. " + ", ".join(places) if places else ""
    severity = Severity.ERROR if share >= HOLDOUT_SENT_ERROR_SHARE else Severity.WARNING
    findings.append(
        finding(
            "holdout_sent",
            severity,
            f"{count:,} of the {total:,} holdout recipients ({share:.1%}) were sent the email "
            f"(column `{sent}`){example}. The holdout must get nothing: every one of "
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
            example=_plain(result.get("holdout_sent_unit")),
        )
    )
    return findings


def _number(value: Any) -> int | None:
    return None if value is None else int(value)


def _plain(value: Any) -> Any:
    """An id as a message shows it: text and numbers as they are, anything else as text."""
    return value if value is None or isinstance(value, str | int | float) else str(value)


def _place(result: Mapping[str, Any], prefix: str, unit: str | None) -> str:
    """'row 8: ' in a file; 'customer_id 8: ' for a query's rows (no row order)."""
    row = result.get(f"{prefix}_row")
    if row is not None:
        return f"row {int(row):,}: "
    if unit and result.get(f"{prefix}_unit") is not None:
        return f"{unit} {brief(_plain(result[f'{prefix}_unit']), quote=False)}: "
    return ""


def _absent_unit_warning(experiment: Experiment, source: str) -> Finding:
    return finding(
        "unit_id_absent",
        Severity.WARNING,
        f"The {source} has no column `{experiment.data.unit_id}`"
        + (
            " (the default `data.unit_id`)"
            if "unit_id" not in experiment.data.model_fields_set
            else ""
        )
        + ", so duplicated recipients and recipients in two arms were not checked.",
        "set `data.unit_id` to the recipient id column, or `data.unit_id: null` to "
        "say there is none",
    )


def checks_on(experiment: Experiment, rows: Rows, source: str = "file") -> list[Finding]:
    """Every row-level check as aggregate queries where `rows` live.

    1. Per recipient id (``data.unit_id``): duplicated ids and ids in more than one arm.
    2. One pass counting missing ids, holdout members who were sent the email
       (``data.sent``), unreadable sent flags and every kind of bad outcome value.
    3. Only for the problems found, one pass for an example of each (these findings replace
       the cell-level ones, adding the example).
    """
    findings: list[Finding] = []
    unit = unit_column(experiment, list(rows.table.columns))
    if unit not in rows.table.columns:  # a query without the id column: not checked
        unit = None
    if unit is None and experiment.data.unit_id is not None:
        findings.append(_absent_unit_warning(experiment, source))
    table = rows.table
    if unit is not None:
        result = rows.fetch_one(units_expression(table, unit, experiment.data.arm))
        findings += _unit_findings(experiment, unit, result)
    checked, problems = row_problems(experiment, table, unit)
    by_unit = unit if rows.numbered is None else None
    result = rows.fetch_one(counts_expression(experiment, checked, problems, by_unit))
    found = [p for p in problems if result[f"{p}_count"]]
    if found:
        numbered = rows.numbered() if rows.numbered is not None else table
        numbered, numbered_problems = row_problems(experiment, numbered, unit)
        first_units = {p: result.get(f"{p}_unit") for p in found}
        examples = rows.fetch_one(
            examples_expression(numbered, numbered_problems, found, unit, first_units)
        )
        result = {**result, **{k: v for k, v in examples.items() if k != "total_rows"}}
    if unit is not None and result["unit_missing_count"]:
        count = int(result["unit_missing_count"])
        row = _number(result.get("unit_missing_row"))
        example = "" if row is None else f", e.g. row {row:,}"
        findings.append(
            finding(
                "unit_id_missing",
                Severity.ERROR,
                f"{counted(count, 'row')} {'has' if count == 1 else 'have'} no recipient id "
                f"(empty or NULL in column `{unit}`){example}: they cannot be checked for "
                "duplicates.",
                f"fill in `{unit}` for every row, or set `data.unit_id: null` to skip the "
                "duplicate-recipient checks",
                where=f"column `{unit}`",
                rows=count,
                example_row=row,
            )
        )
    if experiment.data.sent:
        findings += _holdout_findings(experiment, result)
    for prefix, problem in problems.items():
        kind, *rest = problem.meaning
        if kind != "outcome" or not result[f"{prefix}_count"]:
            continue
        metric, stat = rest
        findings.append(
            outcome_finding(
                metric,
                stat,
                int(result[f"{prefix}_count"]),
                row=result.get(f"{prefix}_row"),
                value=result.get(f"{prefix}_value"),
                unit=(unit, _plain(result.get(f"{prefix}_unit"))) if unit else None,
            )
        )
    return findings


def row_checks(experiment: Experiment, path: Path | None = None) -> list[Finding]:
    """Row-level checks of a file of rows (`path`), else of the experiment's own rows: its
    file, simulated campaign or SQL source. Nothing to check for a cells file."""
    path = path or rows_path(experiment)
    if path is not None:
        with file_rows(experiment, path, experiment.data.format) as rows:
            return checks_on(experiment, rows)
    if experiment.data.sql is not None:
        with sql_rows(experiment) as rows:
            return checks_on(experiment, rows, "query")
    return []
