"""Cells by send day (`data.date`), and days grouped into weeks or months.

Always-on emails are sent every day; the timeline, the drift over time and the holdout's
stopping rule need the same sufficient statistics as the snapshot, per arm x send day. They
come from the one cells expression (:func:`relevance.io.query.cells_expression`), run over the
rows with one extra column, the day, standing in for the segments. Rows whose date is missing or not a
date get the day ``(missing)``: the date checks count them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from relevance.config import Experiment
from relevance.io.cells import MISSING_LEVEL, AmountCap, Cells
from relevance.io.files import file_rows
from relevance.io.identifiers import quote

DAY = "__relevance_day__"
"""The day column of day cells (ISO text, e.g. 2026-03-02; ``(missing)`` when unreadable)."""
Period = Literal["day", "week", "month"]
UTC_DAYS = "SET TimeZone = 'UTC'"
"""Timestamps stored with a time zone (Parquet) count on their day in UTC, on any machine (every
connection of :func:`relevance.io.files.connect` sets it)."""


def day_expression(column: str) -> str:
    """The day of a date or timestamp column as DuckDB reads it; NULL when not a date (the
    date checks' SQL; :func:`aggregate_days` says the same in Ibis).

    The day as written: a timestamp written with an offset ('...T23:30:00-05:00') keeps its
    own calendar day; one stored with a time zone counts in UTC (:data:`UTC_DAYS`).
    """
    text = f"trim(CAST({quote(column)} AS VARCHAR))"
    return f"CAST(TRY_CAST({text} AS TIMESTAMP) AS DATE)"


def dated(relation: str, column: str) -> str:
    """`relation` with the send day of every row as one more column, ``__relevance_day__``."""
    return f"(SELECT *, {day_expression(column)} AS {quote(DAY)} FROM {relation}) AS dated"


def by_day_experiment(experiment: Experiment) -> Experiment:
    """The experiment as the day aggregation sees it: the day is the only key beside the arm."""
    return experiment.model_copy(update={"segments": [DAY], "fatigue": None, "adjust_for": []})


def aggregate_days(
    experiment: Experiment, path: Path, caps: Sequence[AmountCap] = ()
) -> pd.DataFrame:
    """The cells frame per arm x send day of a row file (amounts capped as in the snapshot).

    Files only: PostgreSQL's cast of text to a timestamp fails on a bad date where DuckDB's
    TRY_CAST gives NULL (the date checks then count it).
    """
    import ibis.expr.datatypes as dt

    from relevance.io.query import cells_columns, cells_expression, read_cells

    assert experiment.data.date is not None
    by_day = by_day_experiment(experiment)
    with file_rows(experiment, path, experiment.data.format) as rows:
        text = rows.table[experiment.data.date].cast(dt.string).strip()
        table = rows.table.mutate(**{DAY: text.try_cast(dt.timestamp).cast(dt.date)})
        records = rows.fetch(cells_expression(by_day, table, caps))
    return pd.DataFrame.from_records(read_cells(by_day, records), columns=cells_columns(by_day))


def day_cells(experiment: Experiment, path: Path, caps: Sequence[AmountCap] = ()) -> Cells:
    """Typed cells per arm x send day (segment ``__relevance_day__``)."""
    frame = aggregate_days(experiment, path, caps)
    cells = Cells.from_frame(frame, experiment.arms.all, [DAY], experiment.metrics)
    return dataclasses.replace(cells, caps=tuple(caps))


def parse_day(text: str) -> date | None:
    """A day level as a date (None for ``(missing)``)."""
    if text == MISSING_LEVEL:
        return None
    return date.fromisoformat(text)


def period_start(day: date, period: Period) -> date:
    """The first day of the day's period: itself, its week's Monday, its month's first day."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def next_period(start: date, period: Period) -> date:
    """The first day of the period after the one starting on `start`."""
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def dated_only(cells: Cells) -> Cells:
    """Cells of rows with a readable send day (the ``(missing)`` day left out)."""
    keep = (cells.keys[DAY] != MISSING_LEVEL).to_numpy()
    return select(cells, keep)


def select(cells: Cells, keep: np.ndarray) -> Cells:
    """The cells where `keep` is true (a boolean per cell)."""
    return dataclasses.replace(
        cells,
        keys=cells.keys[keep].reset_index(drop=True),
        n=cells.n[keep],
        stats={name: s[keep] for name, s in cells.stats.items()},
        quality={name: q[keep] for name, q in cells.quality.items()},
    )


def by_period(cells: Cells, period: Period) -> Cells:
    """Day cells summed into periods (column ``__relevance_day__`` holds each period's first
    day); rows without a readable day are left out."""
    return dated_only(cells).relabel(
        DAY, lambda text: period_start(date.fromisoformat(text), period).isoformat()
    )
