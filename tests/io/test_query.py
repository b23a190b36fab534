"""The one cells query: rendered for DuckDB and PostgreSQL, quoted, and run on tiny tables."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, MetricConfig, load_experiment
from relevance.io.engines import Rows, rows_table
from relevance.io.identifiers import quote
from relevance.io.query import (
    Values,
    cells_columns,
    cells_expression,
    exact_sum,
    outcome_problems,
    read_cells,
)
from relevance.io.values import MAX_NUMBER_LENGTH, NUMBER_PATTERN

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


def duckdb_rows(con: duckdb.DuckDBPyConnection, name: str) -> Rows:
    """The rows of DuckDB table `name` as relevance reads them."""
    described = con.execute(f"DESCRIBE {quote(name)}").fetchall()
    table = rows_table("duckdb", [(str(r[0]), str(r[1])) for r in described], name=name)

    def execute(sql: str) -> list[dict]:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    return Rows("duckdb", table, execute, name)


def text_table(columns: dict[str, str], name: str = "rows") -> Rows:
    return Rows("duckdb", rows_table("duckdb", list(columns.items()), name), print, name)


def test_cells_query_is_one_group_by_with_quoted_identifiers(experiment: Experiment) -> None:
    rows = text_table({"my arm": "VARCHAR", SEGMENT: "VARCHAR", "bought": "VARCHAR",
                       'spend "eur"': "VARCHAR"})  # fmt: skip
    for engine in ("duckdb", "postgresql"):
        query = Rows(engine, rows.table, print, "rows").sql(
            cells_expression(experiment, rows.table)
        )
        assert query.count("GROUP BY") == 1
        assert query.rstrip().endswith("GROUP BY 1, 2")
        assert 'AS "arm"' in query and f"AS {quote(SEGMENT)}" in query
        assert '"spend ""eur"""' in query and quote("my arm") in query
        assert not re.search(r"try_cast|isinf\(", query, re.I)


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
        con.register("frame", rows)
        con.execute("CREATE TABLE rows AS SELECT * FROM frame")
        source = duckdb_rows(con, "rows")
        records = source.fetch(cells_expression(experiment, source.table))
        cells = pd.DataFrame(read_cells(experiment, records), columns=cells_columns(experiment))

    assert set(records[0]) == set(cells_columns(experiment))
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


def rows_where(values: list[tuple[int, object]], kind: str, metric: MetricConfig) -> dict:
    """Ids of the rows of a one-column table (column `a "b"`) with each outcome problem."""
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE t (id INTEGER, {quote(SEGMENT)} {kind})")
        con.executemany("INSERT INTO t VALUES (?, ?)", values)
        source = duckdb_rows(con, "t")
        problems = outcome_problems(metric, Values.of(source.table, metric))
        found = {}
        for name, condition in problems.items():
            records = source.fetch(source.table.filter(condition).select("id").order_by("id"))
            found[name] = [r["id"] for r in records]
    return found


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (BINARY, {"missing": [3], "invalid": [5, 6, 7, 10, 12], "nonbinary": [4, 8, 9]}),
        (REVENUE, {"missing": [3], "invalid": [5, 6, 7, 10, 12], "negative": [8]}),
    ],
)
def test_outcome_problems_on_text(metric: MetricConfig, expected: dict[str, list[int]]) -> None:
    assert list(outcome_problems(metric)) == list(expected)
    assert rows_where(TEXT_VALUES, "VARCHAR", metric) == expected


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (BINARY, {"missing": [5], "invalid": [2, 3], "nonbinary": [4, 6]}),
        (REVENUE, {"missing": [5], "invalid": [2, 3], "negative": [4]}),
    ],
)
def test_outcome_problems_on_numbers(metric: MetricConfig, expected: dict[str, list[int]]) -> None:
    assert rows_where(NUMBER_VALUES, "DOUBLE", metric) == expected


NUMBER_TEXTS = [
    " 1.5 ", "1e3", ".5", "5.", "+3", "-0", "nan", "NaN", "Infinity", "-inf", "1.5E-3",
    "abc", "", "  ", "1e", "0x10", "1,5", "1.2.3", "--1", "e5", "inf inity", "\u0661",
    "1_000", "1d", "1e400", "\t2\n", "1" * 60, "1" * 65, "0." + "1" * 70,
]  # fmt: skip


def test_what_is_a_number_is_the_pattern_and_nothing_else() -> None:
    """The engine reads a text as a number exactly when NUMBER_PATTERN matches it (so every
    engine reads the same values: their own casts accept 'inf', '1_000', '1d' or '0x10')."""
    metric = MetricConfig(name="spend", kind="revenue", column=SEGMENT, rope=0.05)
    found = rows_where(list(enumerate(NUMBER_TEXTS)), "VARCHAR", metric)
    not_numbers = set(found["invalid"])
    matched = {
        i
        for i, text in enumerate(NUMBER_TEXTS)
        if re.match(NUMBER_PATTERN, text) and len(text) <= MAX_NUMBER_LENGTH
    }
    assert matched == set(range(len(NUMBER_TEXTS))) - not_numbers
    assert {NUMBER_TEXTS[i] for i in matched} >= {" 1.5 ", "1e3", ".5", "5.", "\t2\n"}
    assert not {"nan", "-inf", "1_000", "1d", "1e400", "0x10"} & {NUMBER_TEXTS[i] for i in matched}


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


def test_an_exact_sum_keeps_the_decimals_its_scale_asks_for() -> None:
    """A statistic that needs room (squared amounts) keeps fewer decimals: each value rounded
    half away from zero to 10^-4, then added exactly."""
    values = [1234.56789, 0.00005, 1e12 + 0.25, 2.00004]  # 1234.5679, 0.0001, exact, 2.0
    with duckdb.connect() as con:
        con.execute('CREATE TABLE rows ("x" DOUBLE)')
        con.executemany("INSERT INTO rows VALUES (?)", [[v] for v in values])
        source = duckdb_rows(con, "rows")
        metric = MetricConfig(name="x", kind="revenue", column="x", rope=0.05)
        statistic = exact_sum(lambda v: v.number, lambda v: v.number.notnull(), 10**4)
        total = source.fetch_one(
            source.table.aggregate(total=statistic.aggregate(Values.of(source.table, metric)))
        )["total"]
    assert statistic.read(total) == float(Fraction("1000000001236.818"))
