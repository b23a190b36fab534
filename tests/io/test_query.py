"""The one cells query: rendered for DuckDB and PostgreSQL, quoted, and run on tiny tables."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, MetricConfig, load_experiment
from relevance.io.query import (
    DUCKDB,
    NUMBER_PATTERN,
    POSTGRES,
    PostgresDialect,
    cells_columns,
    cells_query,
    outcome_problems,
    quote,
)

SEGMENT = 'a "b"'
METRICS = [
    {"name": "purchase", "kind": "binary", "column": "bought", "primary": True, "rope": 0.001},
    {"name": "spend", "kind": "revenue", "column": 'spend "eur"', "rope": 0.05},
]
BINARY = MetricConfig(name="purchase", kind="binary", column='a "b"', rope=0.001)
REVENUE = MetricConfig(name="spend", kind="revenue", column='a "b"', rope=0.05)


@pytest.fixture
def experiment(tmp_path: Path) -> Experiment:
    """Arm in a column with a space, a segment and a revenue column with quotes in the name."""
    path = write_experiment(
        tmp_path,
        data={"path": "rows.csv", "arm": "my arm"},
        metrics=METRICS,
        segments=[SEGMENT],
    )
    return load_experiment(path)


def test_quote_doubles_quotes() -> None:
    assert quote("plain") == '"plain"'
    assert quote('a "b"') == '"a ""b"""'


def test_duckdb_query_is_one_group_by_with_quoted_identifiers(experiment: Experiment) -> None:
    query = cells_query(experiment, "rows")
    assert query.count("GROUP BY") == 1
    assert query.endswith("GROUP BY 1, 2\nORDER BY 1, 2")
    assert 'CAST("my arm" AS VARCHAR) AS arm' in query
    quoted = quote(SEGMENT)
    assert f"coalesce(CAST({quoted} AS VARCHAR), '(missing)') AS {quoted}" in query
    assert '"spend ""eur"""' in query
    assert "FROM rows\n" in query


def test_postgres_query_uses_no_duckdb_functions(experiment: Experiment) -> None:
    for dialect in (POSTGRES, PostgresDialect(kinds={"bought": "number"})):
        query = cells_query(experiment, "public.rows", dialect)
        assert query.count("GROUP BY") == 1
        assert not re.search(r"try_cast|isnan\(|isinf\(", query, re.I)
        assert "'NaN'::double precision" in query
        assert "'Infinity'::double precision" in query
        assert '"spend ""eur"""' in query


def test_postgres_parses_text_columns_once_and_casts_number_columns(
    experiment: Experiment,
) -> None:
    text = cells_query(experiment, "public.rows", POSTGRES)
    assert text.count("unnest(ARRAY[") == 2  # one per metric column, both text
    assert text.count(f"~* '{NUMBER_PATTERN}'") == 2
    assert ") AS parsed\nGROUP BY" in text
    typed = cells_query(
        experiment,
        "public.rows",
        PostgresDialect(kinds={"bought": "number", 'spend "eur"': "number"}),
    )
    assert "unnest" not in typed and "FROM public.rows\n" in typed
    assert 'CAST("bought" AS double precision)' in typed


def test_duckdb_query_runs_and_counts_every_cell(
    experiment: Experiment, rng: np.random.Generator
) -> None:
    n = 500
    bought = rng.integers(0, 2, n)
    rows = pd.DataFrame(
        {
            "my arm": rng.choice(["holdout", "A", "B"], n),
            SEGMENT: rng.choice(["x", "y"], n),
            "bought": bought,
            'spend "eur"': bought * np.round(rng.lognormal(2, 1, n), 2),
        }
    )
    rows.loc[3, SEGMENT] = None
    with duckdb.connect() as con:
        con.register("rows", rows)
        query = con.execute(cells_query(experiment, "rows"))
        names = [column[0] for column in query.description]
        cells = pd.DataFrame(query.fetchall(), columns=names)

    assert names == cells_columns(experiment)
    keys = rows.assign(**{SEGMENT: rows[SEGMENT].fillna("(missing)")})
    grouped = keys.groupby(["my arm", SEGMENT], sort=True)
    expected = grouped.agg(
        n=("bought", "size"),
        ones=("bought", "sum"),
        revenue=('spend "eur"', "sum"),
        buyers=('spend "eur"', lambda s: int((s > 0).sum())),
    ).reset_index()
    assert cells[["arm", SEGMENT]].values.tolist() == expected[["my arm", SEGMENT]].values.tolist()
    assert cells["n"].tolist() == expected["n"].tolist()
    assert cells["purchase__n"].tolist() == expected["n"].tolist()
    assert cells["purchase__ones"].tolist() == expected["ones"].tolist()
    assert cells["spend__buyers"].tolist() == expected["buyers"].tolist()
    assert cells["spend__sum"].to_numpy() == pytest.approx(expected["revenue"].to_numpy())
    assert cells["purchase__missing"].sum() == cells["purchase__invalid"].sum() == 0
    assert int(cells["n"].sum()) == n


TEXT_VALUES = [
    (1, "0"),
    (2, "1"),
    (3, None),
    (4, "2"),
    (5, "abc"),
    (6, "nan"),
    (7, "inf"),
    (8, "-1"),
    (9, "0.5"),
    (10, "-Infinity"),
    (11, " 1 "),
    (12, ""),
]
NUMBER_VALUES = [(1, 0.0), (2, math.nan), (3, math.inf), (4, -2.5), (5, None), (6, 3.0)]


def rows_where(values: list[tuple[int, object]], kind: str, condition: str) -> list[int]:
    """Ids of the rows of a one-column table (column `a "b"`) where `condition` holds."""
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE t (id INTEGER, {quote(SEGMENT)} {kind})")
        con.executemany("INSERT INTO t VALUES (?, ?)", values)
        found = con.execute(f"SELECT id FROM t WHERE {condition} ORDER BY id").fetchall()
    return [row[0] for row in found]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (BINARY, {"missing": [3], "invalid": [5, 6, 7, 10, 12], "nonbinary": [4, 8, 9]}),
        (REVENUE, {"missing": [3], "invalid": [5, 6, 7, 10, 12], "negative": [8]}),
    ],
)
def test_outcome_problems_on_text(metric: MetricConfig, expected: dict[str, list[int]]) -> None:
    problems = outcome_problems(metric)
    assert list(problems) == list(expected)
    for kind, condition in problems.items():
        assert rows_where(TEXT_VALUES, "VARCHAR", condition) == expected[kind], kind


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (BINARY, {"missing": [5], "invalid": [2, 3], "nonbinary": [4, 6]}),
        (REVENUE, {"missing": [5], "invalid": [2, 3], "negative": [4]}),
    ],
)
def test_outcome_problems_on_numbers(metric: MetricConfig, expected: dict[str, list[int]]) -> None:
    for kind, condition in outcome_problems(metric).items():
        assert rows_where(NUMBER_VALUES, "DOUBLE", condition) == expected[kind], kind


def test_postgres_number_pattern_agrees_with_duckdb_on_what_is_a_number() -> None:
    """The text PostgreSQL parses (NUMBER_PATTERN, case-insensitive) is what DuckDB reads."""
    texts = [
        " 1.5 ", "1e3", ".5", "5.", "+3", "-0", "nan", "NaN", "Infinity", "-inf", "1.5E-3",
        "abc", "", "  ", "1e", "0x10", "1,5", "1.2.3", "--1", "e5", "inf inity", "١",
    ]  # fmt: skip
    values = list(enumerate(texts))
    parsed = set(rows_where(values, "VARCHAR", f"{DUCKDB.to_double(SEGMENT)} IS NOT NULL"))
    matched = {i for i, text in values if re.match(NUMBER_PATTERN, text, re.I)}
    assert matched == parsed
    assert {texts[i] for i in parsed} >= {" 1.5 ", "nan", "-inf", ".5", "5."}


def test_cells_columns_order(experiment: Experiment) -> None:
    assert cells_columns(experiment) == [
        "arm",
        SEGMENT,
        "n",
        "purchase__n",
        "purchase__ones",
        "purchase__missing",
        "purchase__invalid",
        "purchase__negative",
        "purchase__nonbinary",
        "spend__n",
        "spend__buyers",
        "spend__sum",
        "spend__sum_log",
        "spend__sum_log_sq",
        "spend__sum_sq",
        "spend__missing",
        "spend__invalid",
        "spend__negative",
    ]
