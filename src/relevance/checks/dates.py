"""Send dates (`data.date`): unreadable or future dates stop the run, missing ones are a warning.

The day cells already say how many rows have no readable day and which days lie in the
future; only when something is wrong does one more query over the numbered rows find the
first row of each problem, so the message can point at it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from relevance.checks.base import counted, finding
from relevance.config import Experiment
from relevance.errors import brief
from relevance.io.cells import MISSING_LEVEL, Cells
from relevance.io.files import numbered_rows, reading
from relevance.io.identifiers import ROW_NUMBER, quote
from relevance.io.periods import DAY, UTC_DAYS, day_expression
from relevance.results import Finding, Severity

DATE_FORMATS = "YYYY-MM-DD, or a timestamp such as YYYY-MM-DD HH:MM:SS"
FUTURE_TOLERANCE = timedelta(days=1)
"""A day after today (UTC) is allowed: somewhere it is already tomorrow."""


def today() -> date:
    """Today in UTC (a function, so that tests can move the clock)."""
    return datetime.now(UTC).date()


def _problem_rows(experiment: Experiment, path: Path, latest: date) -> dict[str, Any]:
    """Counts, first row and value of missing, unreadable and future dates (one query)."""
    column = experiment.data.date
    assert column is not None
    relation, params = numbered_rows(path, experiment.data.format, [column])
    raw, day, number = quote(column), day_expression(column), quote(ROW_NUMBER)
    conditions = {
        "missing": f"({raw} IS NULL OR trim(CAST({raw} AS VARCHAR)) = '')",
        "unreadable": f"(trim(CAST({raw} AS VARCHAR)) <> '' AND {day} IS NULL)",
        "future": f"({day} > CAST($2 AS DATE))",
    }
    parts = []
    for name, condition in conditions.items():
        parts += [
            f"count(*) FILTER (WHERE {condition}) AS {name}",
            f"min({number}) FILTER (WHERE {condition}) AS {name}_row",
            f"arg_min(CAST({raw} AS VARCHAR), {number}) FILTER (WHERE {condition}) AS {name}_value",
        ]
    with reading(path, experiment.data.format) as con:
        con.execute("SET preserve_insertion_order = true")  # CSV rows numbered in file order
        con.execute(UTC_DAYS)
        cursor = con.execute(f"SELECT {', '.join(parts)} FROM {relation}", [*params, latest])
        row = cursor.fetchone()
        names = [d[0] for d in cursor.description]
    return dict(zip(names, row or [None] * len(names), strict=True))


def date_checks(experiment: Experiment, cells: Cells, path: Path) -> list[Finding]:
    """Findings about the send dates of a row file, from its day cells (and, on a problem, its
    rows): unreadable or future dates and no dates at all are errors; some missing dates a
    warning (those rows count in today's analysis, not in the timeline); else the date range."""
    column = experiment.data.date
    if column is None or cells.by_day is None:
        return []
    days = cells.by_day.keys[DAY].to_numpy()
    undated = int(cells.by_day.n[days == MISSING_LEVEL].sum())
    seen = sorted({date.fromisoformat(d) for d in days if d != MISSING_LEVEL})
    latest = today() + FUTURE_TOLERANCE
    where = f"column `{column}`"
    if not seen:
        return [
            finding(
                "send_dates",
                Severity.ERROR,
                f"Column `{column}` (`data.date`) has no readable date in any of the "
                f"{cells.recipients:,} rows.",
                f"write the send day of every recipient as {DATE_FORMATS}, or remove `data.date`",
                where=where,
                rows=cells.recipients,
            )
        ]
    if not undated and seen[-1] <= latest:
        return [
            finding(
                "send_dates",
                Severity.INFO,
                f"Send dates (column `{column}`) run from {seen[0].isoformat()} to "
                f"{seen[-1].isoformat()}: {counted(len(seen), 'day')} with recipients.",
                where=where,
                first=seen[0].isoformat(),
                last=seen[-1].isoformat(),
                days=len(seen),
            )
        ]
    found = _problem_rows(experiment, path, latest)
    return _problems(column, found, latest, cells.recipients)


def _problems(column: str, found: dict[str, Any], latest: date, recipients: int) -> list[Finding]:
    """One finding per kind of bad date the rows hold, each with its first row."""
    field = f"Column `{column}` (`data.date`)"
    texts = {
        "unreadable": (
            Severity.ERROR,
            lambda n: (
                f"{field} has {counted(n, 'value')} that {'is' if n == 1 else 'are'} not a date"
            ),
            f"write send days as {DATE_FORMATS} (not day/month/year, not a number of days)",
        ),
        "future": (
            Severity.ERROR,
            lambda n: f"{field} has {counted(n, 'date')} after {latest.isoformat()}, in the future",
            "check that the column holds the day each recipient was sent (not a planned or "
            "expiry date) and that the year and the order of day and month are right",
        ),
        "missing": (
            Severity.WARNING,
            lambda n: (
                f"{counted(n, 'row')} ({n / recipients:.1%}) {'has' if n == 1 else 'have'} "
                f"no send date (empty column `{column}`)"
            ),
            f"fill in `{column}` for every recipient (the holdout too: the day they would have "
            "been sent)",
        ),
    }
    after = {
        "unreadable": ".",
        "future": ". Nobody can have been sent an email then.",
        "missing": ": they count in today's analysis but not in the timeline or the effects "
        "over time.",
    }
    findings = []
    for kind, (severity, problem, fix) in texts.items():
        count = int(found[kind] or 0)
        if not count:
            continue
        row, value = int(found[f"{kind}_row"]), found[f"{kind}_value"]
        example = f", e.g. row {row:,}" + (f": {brief(value)}" if kind != "missing" else "")
        findings.append(
            finding(
                f"send_date_{kind}",
                severity,
                problem(count) + example + after[kind],
                fix,
                where=f"column `{column}`",
                rows=count,
                example_row=row,
                example_value=None if value is None else str(value)[:60],
            )
        )
    return findings
