"""Survey answers as cells: counts of each answer per arm x segment cell, and what was wrong.

A question's answers are a column of the main data, or a file or query of one row per
respondent joined to the experiment's rows by the recipient id. One small GROUP BY per question
(:func:`answers_query`, plain SQL that DuckDB and PostgreSQL both run) returns the count of
each raw answer per arm x segment cell; the answers are then read here, in Python, where a
rating out of range, a number that is not whole or an unknown reason is counted with an
example, so the checks can name the row and the fix.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from relevance.config import Experiment, SurveyConfig
from relevance.errors import DataError
from relevance.io.cells import MISSING_LEVEL
from relevance.io.files import (
    check_file,
    connect,
    describe,
    file_relation,
    numbered_rows,
    shown,
    translate,
)
from relevance.io.identifiers import ROW_NUMBER, quote
from relevance.io.sources import rows_path

Fetch = Callable[[str], list[tuple[Any, ...]]]
BLANK = "blank"
MAX_LOOKUP = 1_000
"""A lookup of the first bad row names at most this many distinct bad values."""


def literal(text: str) -> str:
    """A SQL string literal (quotes doubled): for the few values a lookup compares with."""
    return "'" + text.replace("'", "''") + "'"


def text(column: str, table: str = "") -> str:
    """A column (of `table`, when given) as text, as every engine writes it."""
    prefix = f"{table}." if table else ""
    return f"CAST({prefix}{quote(column)} AS VARCHAR)"


def key(column: str, table: str = "") -> str:
    """A recipient id as the join compares it: text, trimmed, without a trailing '.0' (an
    export that wrote 42 as 42.0 still finds recipient 42); empty text is no id."""
    return f"NULLIF(regexp_replace(trim({text(column, table)}), '\\.0+$', ''), '')"


def read_answer(survey: SurveyConfig, raw: str | None) -> int | str:
    """The index of an answer among :attr:`SurveyConfig.codes`, or why it is not one.

    Ratings are whole numbers among the levels ('4' and '4.0' are 4); choices are a code or its
    words, ignoring case and surrounding spaces. Empty text is no answer (``BLANK``).
    """
    value = (raw or "").strip()
    if not value:
        return BLANK
    if survey.kind == "choice":
        for index, (code, words) in enumerate(zip(survey.codes, survey.answer_labels, strict=True)):
            if value.casefold() in (code.strip().casefold(), words.strip().casefold()):
                return index
        return f"not one of the choices ({', '.join(survey.codes)})"
    try:
        number = float(value) if "_" not in value else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return "not a number"
    if number != round(number):
        return "not a whole number"
    levels = sorted(survey.levels or ())
    if int(number) not in levels:
        return f"not one of the levels {levels[0]} to {levels[-1]}"
    return levels.index(int(number))


@dataclass(frozen=True)
class Example:
    """One row with a problem: its row number in a file (when known), respondent and value."""

    row: int | None
    unit: str | None
    value: str | None

    def describe(self, unit_column: str) -> str:
        """'row 7 (customer_id 1042): '6'' as a message quotes it."""
        parts = [f"row {self.row:,}"] if self.row is not None else []
        if self.unit is not None:
            parts.append(f"{unit_column} {self.unit[:40]}")
        where = parts[0] + (f" ({parts[1]})" if len(parts) > 1 else "") if parts else ""
        value = repr(self.value[:40]) if self.value is not None else ""
        return ": ".join(p for p in (where, value) if p)


@dataclass(frozen=True)
class Problem:
    """Answers with one kind of problem: how many and the first example."""

    kind: str  # bad_answer, duplicated, unmatched, no_id, holdout
    count: int
    example: Example | None
    reason: str = ""  # for bad answers: what is wrong with them
    values: tuple[str, ...] = ()  # a few of the bad values seen
    extra: int = 0  # duplicated: rows beyond the first per respondent


@dataclass(frozen=True)
class SurveyCells:
    """Counts of each answer per arm x segment cell: the survey models' sufficient statistics.

    ``keys`` has one row per cell (``arm`` and the segment columns, as text) and ``counts`` one
    row per cell with a column per answer, in the order of the question's codes.
    """

    survey: SurveyConfig
    keys: pd.DataFrame
    counts: np.ndarray
    segments: tuple[str, ...]
    source: str  # where the answers come from, as messages name it
    unit: str  # the respondent id column (empty for a column of the main data)
    problems: tuple[Problem, ...] = ()
    blank: int = 0  # rows with no answer (empty text)

    @property
    def respondents(self) -> int:
        """Answers counted over every cell."""
        return int(self.counts.sum())

    def by_arm(self, arms: tuple[str, ...]) -> np.ndarray:
        """Answers per arm (rows, in `arms` order) and answer (columns)."""
        totals = np.zeros((len(arms), self.counts.shape[1]), dtype=np.int64)
        position = {arm: i for i, arm in enumerate(arms)}
        for arm, row in zip(self.keys["arm"], self.counts, strict=True):
            if arm in position:
                totals[position[arm]] += row
        return totals

    def relabel(self, column: str, label: Callable[[str], str]) -> SurveyCells:
        """Cells with `column`'s levels renamed (fatigue buckets); cells that meet are summed."""
        if column not in self.keys:
            return self
        keys = self.keys.assign(**{column: [label(str(v)) for v in self.keys[column]]})
        frame = pd.concat([keys, pd.DataFrame(self.counts)], axis=1)
        summed = frame.groupby(list(keys.columns), sort=True, as_index=False).sum()
        counts = summed.drop(columns=list(keys.columns)).to_numpy(dtype=np.int64)
        keys = summed[list(keys.columns)].reset_index(drop=True)
        return dataclasses.replace(self, keys=keys, counts=counts)


@dataclass(frozen=True)
class Relations:
    """Where one question's answers are read: relations as SQL text and a way to fetch."""

    fetch: Fetch
    rows: str  # the experiment's rows
    answers: str | None  # the respondents' file or query (None: a column of the rows)
    numbered: str | None  # the answers (or rows) with their 1-based row number, files only
    source: str
    unit: str
    errors: Callable[[Exception], Exception] = field(default=lambda e: e)


def answers_query(
    experiment: Experiment, survey: SurveyConfig, rows: str, answers: str | None
) -> str:
    """The one aggregation: each raw answer (as text) counted per arm x segment cell.

    For answers of their own (`answers` given), the respondent id joins them to the rows; the
    first two columns say whether a row had no id or no recipient in the experiment.
    """
    segments = [
        f"coalesce(CAST({quote(s)} AS VARCHAR), {literal(MISSING_LEVEL)}) AS {quote(s)}"
        for s in experiment.segments
    ]
    keys = [f"CAST({quote(experiment.data.arm)} AS VARCHAR) AS arm", *segments]
    if answers is None:
        column = survey.column or ""
        select = ", ".join(
            ["FALSE AS no_id", "TRUE AS matched", *keys, f"{text(column)} AS answer"]
        )
        group = ", ".join(str(i + 1) for i in range(len(keys) + 3))
        return (
            f"SELECT {select}, count(*) AS n FROM {rows} AS t "
            f"WHERE {quote(column)} IS NOT NULL GROUP BY {group}"
        )
    unit = experiment.data.unit_id or ""
    recipients = ", ".join([f"{key(unit)} AS relevance_unit", *keys])
    inner = ", ".join(
        [
            f"{key(experiment.survey_unit(survey))} AS relevance_unit",
            f"{text(survey.answer)} AS answer",
        ]
    )
    outer = ["a.relevance_unit IS NULL AS no_id", "r.relevance_unit IS NOT NULL AS matched"]
    outer += ["r.arm", *(f"r.{quote(s)}" for s in experiment.segments), "a.answer"]
    group = ", ".join(str(i + 1) for i in range(len(outer)))
    return (
        f"WITH a AS (SELECT {inner} FROM {answers} AS s), "
        f"r AS (SELECT {recipients} FROM {rows} AS t WHERE {quote(unit)} IS NOT NULL) "
        f"SELECT {', '.join(outer)}, count(*) AS n FROM a "
        f"LEFT JOIN r ON a.relevance_unit = r.relevance_unit GROUP BY {group}"
    )


def duplicates_query(experiment: Experiment, survey: SurveyConfig, answers: str) -> str:
    """Respondents with more than one answer: how many, their extra rows and the first one."""
    unit = key(experiment.survey_unit(survey))
    return (
        "SELECT count(*), coalesce(sum(n - 1), 0), min(u) FROM "
        f"(SELECT {unit} AS u, count(*) AS n FROM {answers} AS s "
        f"WHERE {unit} IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d"
    )


def _example(rel: Relations, condition: str, value: str) -> Example | None:
    """The first row (by row number in a file, else by respondent) meeting `condition`."""
    source = rel.numbered or rel.answers or rel.rows
    order = quote(ROW_NUMBER) if rel.numbered else (text(rel.unit) if rel.unit else "1")
    row = quote(ROW_NUMBER) if rel.numbered else "NULL"
    unit = text(rel.unit) if rel.unit else "NULL"
    found = rel.fetch(
        f"SELECT {row}, {unit}, {value} FROM {source} AS x WHERE {condition} ORDER BY {order} LIMIT 1"
    )
    if not found:
        return None
    number, who, shown_value = found[0]
    return Example(
        int(number) if number is not None else None,
        str(who) if who is not None else None,
        str(shown_value) if shown_value is not None else None,
    )


def _classify(
    experiment: Experiment, survey: SurveyConfig, frame: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Good answers with their index, and the counts of every kind of problem."""
    reading = {raw: read_answer(survey, raw) for raw in frame["answer"].drop_duplicates()}
    frame = frame.assign(read=frame["answer"].map(reading))
    arms = experiment.asked_arms(survey)
    no_id = frame["no_id"].astype(bool)
    matched = frame["matched"].astype(bool) & ~no_id
    blank = frame["read"].eq(BLANK)
    bad = ~blank & frame["read"].map(lambda r: isinstance(r, str))
    holdout = matched & frame["arm"].eq(experiment.arms.holdout) & (survey.asked != "everyone")
    good = matched & ~blank & ~bad & frame["arm"].isin(arms)
    counts = {
        "no_id": int(frame.loc[no_id & ~blank, "n"].sum()),
        "unmatched": int(frame.loc[~no_id & ~matched & ~blank, "n"].sum()),
        "blank": int(frame.loc[blank, "n"].sum()),
        "holdout": int(frame.loc[holdout & ~blank & ~bad, "n"].sum()),
        "bad": frame.loc[bad & ~no_id].groupby(["read", "answer"])["n"].sum(),
        "matched": int(frame.loc[matched & ~blank, "n"].sum()),
    }
    return frame.loc[good], counts


def _problems(
    experiment: Experiment, survey: SurveyConfig, rel: Relations, counts: dict[str, Any]
) -> list[Problem]:
    """Every problem found, each with the first row that has it."""
    problems: list[Problem] = []
    answer = text(survey.column or survey.answer)
    bad: pd.Series = counts["bad"]
    for reason in dict.fromkeys(bad.index.get_level_values(0)):
        values = bad[reason].sort_values(ascending=False, kind="stable")
        shown = ", ".join(literal(str(v)) for v in values.index[:MAX_LOOKUP])
        problems.append(
            Problem(
                "bad_answer",
                int(values.sum()),
                _example(rel, f"{answer} IN ({shown})", answer),  # the first row with one
                reason=str(reason),
                values=tuple(str(v)[:30] for v in values.index[:4]),
            )
        )
    unit_column = experiment.survey_unit(survey)
    if rel.answers is not None:
        duplicated, extra, first = rel.fetch(duplicates_query(experiment, survey, rel.answers))[0]
        if duplicated:
            example = _example(rel, f"{key(unit_column)} = {literal(str(first))}", answer)
            problems.append(Problem("duplicated", int(duplicated), example, extra=int(extra)))
        if counts["no_id"]:
            example = _example(rel, f"{key(unit_column)} IS NULL", answer)
            problems.append(Problem("no_id", counts["no_id"], example))
        if counts["unmatched"]:
            unit = experiment.data.unit_id or ""
            condition = (
                f"x.{quote(unit_column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {rel.rows} AS r "
                f"WHERE {key(unit, 'r')} = {key(unit_column, 'x')})"
            )
            problems.append(
                Problem("unmatched", counts["unmatched"], _example(rel, condition, answer))
            )
    if counts["holdout"]:
        holdout = literal(experiment.arms.holdout)
        if rel.answers is None:
            condition = f"CAST({quote(experiment.data.arm)} AS VARCHAR) = {holdout} AND {answer} IS NOT NULL"
        else:
            unit = experiment.data.unit_id or ""
            condition = (
                f"EXISTS (SELECT 1 FROM {rel.rows} AS r WHERE {key(unit, 'r')} = "
                f"{key(unit_column, 'x')} AND {text(experiment.data.arm, 'r')} = {holdout})"
            )
        problems.append(Problem("holdout", counts["holdout"], _example(rel, condition, answer)))
    return problems


def read_survey(experiment: Experiment, survey: SurveyConfig) -> SurveyCells:
    """One question's answers as cells (counts per arm x segment x answer), with its problems."""
    with _relations(experiment, survey) as rel:
        try:
            rows = rel.fetch(answers_query(experiment, survey, rel.rows, rel.answers))
            columns = ["no_id", "matched", "arm", *experiment.segments, "answer", "n"]
            frame = pd.DataFrame.from_records(rows, columns=columns)
            good, counts = _classify(experiment, survey, frame)
            problems = _problems(experiment, survey, rel, counts)
        except duckdb.Error as error:
            raise rel.errors(error) from None
    keys_columns = ["arm", *experiment.segments]
    table = np.zeros((0, len(survey.codes)), dtype=np.int64)
    keys = pd.DataFrame(columns=keys_columns, dtype=str)
    if len(good):
        pivot = good.pivot_table(
            index=keys_columns, columns="read", values="n", aggfunc="sum", fill_value=0
        ).reindex(columns=range(len(survey.codes)), fill_value=0)
        table = pivot.to_numpy(dtype=np.int64)
        keys = pivot.index.to_frame(index=False).astype(str)
    return SurveyCells(
        survey=survey,
        keys=keys.reset_index(drop=True),
        counts=table,
        segments=tuple(experiment.segments),
        source=rel.source,
        unit=rel.unit,
        problems=tuple(problems),
        blank=counts["blank"],
    )


@contextmanager
def _relations(experiment: Experiment, survey: SurveyConfig) -> Iterator[Relations]:
    """The rows and the answers as relations of one engine: DuckDB over files, else the database."""
    if experiment.data.sql is not None:
        from relevance.io.warehouse import second_query_session

        index = experiment.surveys.index(survey)
        query = survey.sql
        field = f"surveys[{index}].sql" if query else f"surveys[{index}].column"
        with second_query_session(experiment, query, field) as (fetch, rows, answers):
            source = (
                f"the query of surveys[{index}]"
                if query
                else f"column `{survey.column}` of the data"
            )
            unit = experiment.survey_unit(survey) if query else (experiment.data.unit_id or "")
            yield Relations(fetch, rows, answers, None, source, unit)
        return
    path = rows_path(experiment)
    if path is None:  # pre-aggregated cells: refused by the config already
        raise DataError(
            experiment.source, "surveys", "survey answers need the rows", "set data.path"
        )
    con = connect()
    try:
        relation, params = file_relation(path, experiment.data.format, text=True)
        con.sql(f"SELECT * FROM {relation}", params=params).create_view("relevance_rows")
        if survey.path is None:
            yield _column_relations(experiment, survey, con, path)
        else:
            yield _file_relations(experiment, survey, con)
    finally:
        con.close()


def _fetcher(con: duckdb.DuckDBPyConnection) -> Fetch:
    return lambda sql: con.execute(sql).fetchall()


def _column_relations(
    experiment: Experiment, survey: SurveyConfig, con: duckdb.DuckDBPyConnection, path: Path
) -> Relations:
    """A column of the main rows file: examples carry the data file's row numbers."""
    columns = describe(con, "relevance_rows", [])
    index = experiment.surveys.index(survey)
    if survey.column not in columns:
        raise DataError(
            shown(path),
            f"column `{survey.column}`",
            f"`surveys[{index}].column` names a column the data does not have",
            "set it to the column holding the answers, or give the answers as a file (`path`)",
        )
    unit = experiment.data.unit_id if experiment.data.unit_id in columns else ""
    used = [experiment.data.arm, survey.column or "", *([unit] if unit else [])]
    numbered, params = numbered_rows(path, experiment.data.format, used)
    con.execute("SET preserve_insertion_order = true")  # CSV rows numbered in file order
    con.sql(f"SELECT * FROM {numbered}", params=params).create_view("relevance_numbered")
    data = "the simulated campaign" if experiment.data.simulate else shown(path)
    return Relations(
        _fetcher(con),
        "relevance_rows",
        None,
        "relevance_numbered",
        f"column `{survey.column}` of {data}",
        unit or "",
        lambda error: translate(error, path, experiment.data.format),
    )


def _file_relations(
    experiment: Experiment, survey: SurveyConfig, con: duckdb.DuckDBPyConnection
) -> Relations:
    """A file of one row per respondent, checked for its columns before it is joined."""
    index = experiment.surveys.index(survey)
    path = experiment.resolve(survey.path or Path())
    check_file(path)
    unit = experiment.survey_unit(survey)
    try:
        relation, params = file_relation(path, "auto", text=True)
        con.sql(f"SELECT * FROM {relation}", params=params).create_view("relevance_answers")
        columns = describe(con, "relevance_answers", [])
        absent = [
            (column, key)
            for column, key in ((unit, "unit_id"), (survey.answer, "answer"))
            if column not in columns
        ]
        if absent:
            listed = ", ".join(f"`{c}`" for c in columns[:20])
            raise DataError(
                shown(path),
                ", ".join(f"column `{c}`" for c, _ in absent),
                "the survey file has no column "
                + " or ".join(f"`{c}` (set by `surveys[{index}].{k}`)" for c, k in absent),
                f"set `surveys[{index}].unit_id` and `.answer` to columns of the file: {listed}",
            )
        numbered, params = numbered_rows(path, "auto", [unit, survey.answer])
        con.execute("SET preserve_insertion_order = true")
        con.sql(f"SELECT * FROM {numbered}", params=params).create_view("relevance_numbered")
    except duckdb.Error as error:
        raise translate(error, path) from None
    return Relations(
        _fetcher(con),
        "relevance_rows",
        "relevance_answers",
        "relevance_numbered",
        shown(path),
        unit,
        lambda error: translate(error, path),
    )


def answers_frame(surveys: list[SurveyCells]) -> pd.DataFrame:
    """Every question's answer counts in one long table: survey, arm, segments, answer, count."""
    parts = []
    for cells in surveys:
        long = cells.keys.loc[np.repeat(np.arange(len(cells.keys)), len(cells.survey.codes))]
        parts.append(
            long.reset_index(drop=True).assign(
                answer=np.tile(cells.survey.codes, len(cells.keys)), count=cells.counts.ravel()
            )
        )
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    names = [c.survey.name for c in surveys for _ in range(len(c.keys) * len(c.survey.codes))]
    return frame.assign(survey=names)[["survey", *frame.columns]] if parts else frame
