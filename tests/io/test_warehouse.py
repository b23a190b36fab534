"""SQL sources (relevance.warehouse): cells computed inside the database, one GROUP BY.

DuckDB database files need no server and always run. The PostgreSQL tests need a server:
they read the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) and are
skipped with a reason when PGHOST is unset or the server cannot be reached (they fail instead
when RELEVANCE_REQUIRE_POSTGRES is set, as in CI). Start a server with

    bash .ci/postgres.sh /tmp/pg.env && . /tmp/pg.env
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from engines import load_into_postgres
from relevance.config import Experiment, load_experiment
from relevance.errors import DataError
from relevance.io import simulate, targets, warehouse
from relevance.io.engines import Rows
from relevance.io.query import cells_expression
from relevance.io.sources import data_fingerprint, load_cells
from relevance.pipeline.analysis import analyze

# A segment column whose name needs quoting: a space, a single and a double quote.
SEGMENT = 'customer\'s "lifecycle stage"'
BUCKET = "emails_prior_7d_bucket"
RECIPIENTS = 50_000
SEED = 3
TABLE = "sends"

METRICS: list[dict[str, Any]] = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05, "value": 0.3},
    {
        "name": "unsubscribe",
        "kind": "binary",
        "column": "unsubscribed",
        "direction": "decrease",
        "guardrail": True,
        "rope": 0.002,
    },
]


def write_experiment(folder: Path, data: dict[str, Any], name: str = "sql-source") -> Path:
    """An experiment on the simulated campaign's columns, reading `data`."""
    content = {
        "name": name,
        "data": {"arm": "arm", "unit_id": "customer_id", **data},
        "arms": {
            "holdout": "holdout",
            "versions": ["A", "B"],
            "allocation": {"holdout": 0.2, "A": 0.4, "B": 0.4},
        },
        "metrics": METRICS,
        "segments": [SEGMENT, BUCKET],
        "sampler": {"draws": 200, "tune": 200, "chains": 2, "seed": 11},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def sql_experiment(folder: Path, url: str, query: str | None = None, **kw: Any) -> Experiment:
    query = query or f"SELECT * FROM {TABLE}"
    return load_experiment(write_experiment(folder, {"sql": {"url": url, "query": query}}, **kw))


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, Path]:
    """The demo campaign (50k recipients, seed 3) with a hard-to-quote segment name."""
    table = simulate.generate(simulate.preset("demo", recipients=RECIPIENTS, seed=SEED))
    table = table.rename_columns(
        [SEGMENT if c == "lifecycle_stage" else c for c in table.column_names]
    )
    table = table.replace_schema_metadata(None)
    path = tmp_path_factory.mktemp("campaign") / "rows.parquet"
    pq.write_table(table, path)
    return table, path


@pytest.fixture(scope="module")
def file_cells(campaign: tuple[pa.Table, Path], tmp_path_factory: pytest.TempPathFactory):
    """The reference: the same rows aggregated from the Parquet file."""
    experiment = load_experiment(
        write_experiment(tmp_path_factory.mktemp("file"), {"path": str(campaign[1])}, "parquet")
    )
    return experiment, load_cells(experiment)


def assert_same_cells(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Counts exactly, sums to 1e-9 relative; same columns, same cells."""
    assert list(actual.columns) == list(expected.columns)
    actual = actual.sort_values(keys, ignore_index=True)
    expected = expected.sort_values(keys, ignore_index=True)
    assert len(actual) == len(expected)
    for column in expected.columns:
        if column in keys:
            assert actual[column].astype(str).tolist() == expected[column].astype(str).tolist()
        elif column.endswith(("__sum", "__sum_log", "__sum_log_sq", "__sum_sq")):
            np.testing.assert_allclose(
                actual[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-9
            )
        else:
            assert (
                actual[column].astype("int64").tolist() == expected[column].astype("int64").tolist()
            ), column


def spy_fetches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every statement an engine runs for relevance, with the rows that came back."""
    calls: list[tuple[str, int]] = []
    original = Rows.fetch

    def fetch(self: Rows, expression: Any) -> list[dict[str, Any]]:
        rows = original(self, expression)
        calls.append((self.sql(expression), len(rows)))
        return rows

    monkeypatch.setattr(Rows, "fetch", fetch)
    return calls


# --- DuckDB database files (no server) ------------------------------------------------------


@pytest.fixture(scope="module")
def duckdb_file(campaign: tuple[pa.Table, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    table, _ = campaign
    path = tmp_path_factory.mktemp("duckdb") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.register("arrow_rows", table)
    con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM arrow_rows")
    con.close()
    return path


def test_duckdb_file_source_equals_parquet(duckdb_file: Path, file_cells, monkeypatch) -> None:
    reference, expected = file_cells
    calls = spy_fetches(monkeypatch)
    folder = duckdb_file.parent
    for url in (
        "duckdb:///warehouse.duckdb",  # relative to the experiment file
        f"duckdb:///{duckdb_file}",  # four slashes: absolute
        "warehouse.duckdb",  # a bare path ending in .duckdb
    ):
        experiment = sql_experiment(folder, url)
        cells = load_cells(experiment)
        assert_same_cells(cells.to_frame(), expected.to_frame(), ["arm", *reference.segments])
    # Each load: one scan for the amounts' quartiles (one row), then one GROUP BY fetching
    # one row per cell; no amount is extreme here, so no second scan.
    assert len(calls) == 6
    for (fence, fence_rows), (sql, rows) in zip(calls[::2], calls[1::2], strict=True):
        assert "QUANTILE_CONT" in fence and "GROUP BY" not in fence and fence_rows == 1
        assert sql.count("GROUP BY") == 1 and rows == len(expected.to_frame())


def test_duckdb_query_can_rename_and_filter(duckdb_file: Path, file_cells) -> None:
    """The query is the user's own SELECT: renames and WHERE clauses run in the database."""
    _, expected = file_cells
    query = (
        f'SELECT arm AS variant, "{SEGMENT.replace(chr(34), chr(34) * 2)}", {BUCKET}, '
        "purchased, revenue, unsubscribed FROM sends WHERE arm <> 'B' -- no trailing semicolon;\n;"
    )
    experiment = load_experiment(
        write_experiment(
            duckdb_file.parent,
            {"arm": "variant", "sql": {"url": "duckdb:///warehouse.duckdb", "query": query}},
        )
    )
    frame, _ = warehouse.load_sql_cells(experiment)
    assert sorted(frame["arm"].unique()) == ["A", "holdout"]
    want = expected.to_frame()[expected.to_frame()["arm"] != "B"]
    assert frame["n"].sum() == want["n"].sum()


def test_duckdb_errors_name_field_and_database_message(duckdb_file: Path) -> None:
    folder = duckdb_file.parent
    with pytest.raises(DataError) as missing_table:
        load_cells(sql_experiment(folder, "duckdb:///warehouse.duckdb", "SELECT * FROM nope"))
    assert missing_table.value.where == "data.sql.query"
    assert "nope" in missing_table.value.problem and "does not exist" in missing_table.value.problem

    with pytest.raises(DataError) as syntax:
        load_cells(sql_experiment(folder, "duckdb:///warehouse.duckdb", "SELEC * FROM sends"))
    assert syntax.value.where == "data.sql.query"
    assert "syntax error" in syntax.value.problem.lower()
    assert syntax.value.file is not None and syntax.value.file.endswith("sql-source.yaml")

    with pytest.raises(DataError) as absent:
        load_cells(sql_experiment(folder, "duckdb:///warehouse.duckdb", "SELECT arm FROM sends"))
    assert absent.value.where == "data.sql.query"
    assert "'purchased'" in absent.value.problem and "AS arm" in absent.value.fix

    with pytest.raises(DataError) as no_file:
        load_cells(sql_experiment(folder, "duckdb:///missing.duckdb"))
    assert no_file.value.where == "data.sql.url" and "does not exist" in no_file.value.problem


def test_duckdb_fingerprint_follows_the_data(tmp_path: Path, campaign) -> None:
    table, _ = campaign
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.register("arrow_rows", table.slice(0, 2000))
    con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM arrow_rows")
    con.close()
    experiment = sql_experiment(tmp_path, "duckdb:///small.duckdb")
    first = data_fingerprint(experiment)
    assert data_fingerprint(experiment) == first

    con = duckdb.connect(str(path))
    con.execute(
        f"UPDATE {TABLE} SET purchased = 1 WHERE customer_id = (SELECT min(customer_id) FROM {TABLE} WHERE purchased = 0)"
    )
    con.close()
    late_purchase = data_fingerprint(experiment)
    assert late_purchase != first

    con = duckdb.connect(str(path))
    con.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE} LIMIT 1")
    con.close()
    assert data_fingerprint(experiment) not in (first, late_purchase)


# --- urls and credentials (no server) -------------------------------------------------------


def test_missing_environment_variable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("RELEVANCE_TEST_NO_SUCH_VAR", raising=False)
    experiment = sql_experiment(
        tmp_path, "postgresql://analyst:${RELEVANCE_TEST_NO_SUCH_VAR}@db.internal/marketing"
    )
    with pytest.raises(DataError) as error:
        load_cells(experiment)
    assert error.value.where == "data.sql.url"
    assert "RELEVANCE_TEST_NO_SUCH_VAR" in error.value.problem
    assert "export RELEVANCE_TEST_NO_SUCH_VAR" in error.value.fix


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://analyst:hunter2@db.internal/marketing",
        "postgresql+psycopg://analyst:hunter2@db.internal:5432/marketing",
        "postgresql://analyst:${USER_PART}hunter2@db.internal/marketing",
        "postgresql://db.internal/marketing?user=analyst&password=hunter2",
    ],
)
def test_literal_password_is_rejected(tmp_path: Path, url: str) -> None:
    with pytest.raises(DataError) as error:
        load_cells(sql_experiment(tmp_path, url))
    assert error.value.where == "data.sql.url"
    assert "literal password" in error.value.problem
    assert "PGPASSWORD" in error.value.fix and "${" in error.value.fix
    assert "hunter2" not in str(error.value)


def test_password_from_environment_is_expanded_and_hidden(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "p@ss/w:rd")
    monkeypatch.setenv("WAREHOUSE_HOST", "db.internal")
    experiment = sql_experiment(
        tmp_path, "postgresql://analyst:${WAREHOUSE_PASSWORD}@${WAREHOUSE_HOST}:6543/marketing"
    )
    target = targets.resolve_target(experiment)
    from sqlalchemy.engine import make_url

    url = make_url(target.url)
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "analyst",
        "p@ss/w:rd",
        "db.internal",
        6543,
        "marketing",
    )
    assert "p@ss" not in target.shown and "p%40ss" not in target.shown
    assert target.scrub("failed for p@ss/w:rd at postgresql://a:zzz@h/d") == (
        "failed for *** at postgresql://a:***@h/d"
    )


def test_unsupported_database_and_unreachable_server(tmp_path: Path) -> None:
    with pytest.raises(DataError) as mysql:
        load_cells(sql_experiment(tmp_path, "mysql://analyst@db.internal/marketing"))
    assert mysql.value.where == "data.sql.url" and "unsupported" in mysql.value.problem

    # Port 1 on loopback: nothing listens, the connection is refused at once.
    with pytest.raises(DataError) as refused:
        load_cells(sql_experiment(tmp_path, "postgresql://analyst@127.0.0.1:1/marketing"))
    assert refused.value.where == "data.sql.url"
    assert "127.0.0.1" in refused.value.problem and "server is running" in refused.value.fix


# --- PostgreSQL (needs a server: bash .ci/postgres.sh) --------------------------------------


@pytest.fixture(scope="module")
def postgres(campaign: tuple[pa.Table, Path], pg_schema: tuple[Any, str]) -> tuple[Any, str]:
    """A fresh schema holding the campaign as `<schema>.sends` (conftest drops it afterwards)."""
    connection, schema = pg_schema
    load_into_postgres(connection, f"{schema}.{TABLE}", campaign[0])
    return connection, schema


def test_postgres_cells_equal_parquet_cells(
    postgres, file_cells, tmp_path: Path, monkeypatch
) -> None:
    _, schema = postgres
    reference, expected = file_cells
    calls = spy_fetches(monkeypatch)
    # The libpq variables alone: `postgresql://` with PGHOST, PGUSER, PGPASSWORD, ... set.
    experiment = sql_experiment(tmp_path, "postgresql://", f"SELECT * FROM {schema}.{TABLE}")
    cells = load_cells(experiment)
    assert_same_cells(cells.to_frame(), expected.to_frame(), ["arm", *reference.segments])
    assert cells.recipients == RECIPIENTS
    # Exact fixed-point sums in both databases: the cells are bit-identical.
    assert cells.fingerprint() == expected.fingerprint()
    # One GROUP BY in the database; only the cells came back.
    (fence, fence_rows), (sql, rows) = calls  # the amounts' quartiles, then the cells
    assert "PERCENTILE_CONT" in fence and "GROUP BY" not in fence and fence_rows == 1
    assert sql.count("GROUP BY") == 1 and f"(SELECT * FROM {schema}.{TABLE})" in sql
    assert rows == len(expected.to_frame()) == len(cells.to_frame())


def test_postgres_url_with_environment_references(
    postgres, file_cells, tmp_path: Path, monkeypatch
) -> None:
    """${VAR} in the url (password included) instead of libpq's variables; % and : are literal."""
    _, schema = postgres
    _, expected = file_cells
    monkeypatch.setenv("RELEVANCE_DB_PASSWORD", os.environ.get("PGPASSWORD", ""))
    monkeypatch.delenv("PGPASSWORD", raising=False)  # the url alone must carry the password
    url = (
        "postgresql+psycopg://${PGUSER}:${RELEVANCE_DB_PASSWORD}@${PGHOST}:${PGPORT}/${PGDATABASE}"
    )
    query = f"SELECT * FROM {schema}.{TABLE} WHERE arm LIKE '%' AND ':not_a_parameter' <> '';"
    frame, _ = warehouse.load_sql_cells(sql_experiment(tmp_path, url, query))
    assert frame["n"].sum() == expected.to_frame()["n"].sum() == RECIPIENTS


def test_postgres_analysis_equals_file_analysis(postgres, file_cells, tmp_path: Path) -> None:
    _, schema = postgres
    reference, _ = file_cells
    overrides = {"sampler": {"draws": 200, "tune": 200}}
    from_file = analyze(reference.source, profile="quick", overrides=overrides)
    path = write_experiment(
        tmp_path,
        {"sql": {"url": "postgresql://", "query": f"SELECT * FROM {schema}.{TABLE}"}},
    )
    from_sql = analyze(path, profile="quick", overrides=overrides)
    assert from_sql.results.run.cells_fingerprint == from_file.results.run.cells_fingerprint
    file_uplifts = [u.model_dump() for u in from_file.results.uplifts]
    sql_uplifts = [u.model_dump() for u in from_sql.results.uplifts]
    assert len(sql_uplifts) == len(file_uplifts) > 0
    assert sql_uplifts == file_uplifts  # same cells, same seed: the same numbers exactly
    assert [v.model_dump() for v in from_sql.results.verdicts] == [
        v.model_dump() for v in from_file.results.verdicts
    ]


DIRTY = [
    "1", "0", " 1 ", "1.", ".5", "+1", "-1", "1e3", "1E-2", "nan", "NaN", "-nan", "inf",
    "-inf", "Infinity", "-Infinity", "true", "", "abc", "1,5", "0x10", "1_000", "2",
    "  ", "1 0", "- 1", "1e", "e3", "1.5.2", "\u0661", "12.75", None,
]  # fmt: skip


def test_postgres_statistics_equal_duckdb_on_dirty_values(postgres, tmp_path: Path) -> None:
    """Text, boolean, integer, double, real and numeric columns with bad values: the cells
    from PostgreSQL equal DuckDB's exactly (counts and the exact fixed-point sums)."""
    connection, schema = postgres
    rng = np.random.default_rng(5)
    specials = [0.0, 0.0, 0.0, 1.0, 2.5, -1.0, float("inf"), -float("inf"), 1e-3, 1e-13]
    rows = []
    for i in range(4 * len(DIRTY)):
        text = DIRTY[i % len(DIRTY)]
        amount = float(rng.lognormal(3, 1.5)) if i % 3 else specials[i % len(specials)]
        rows.append(
            (
                "holdout" if i % 3 == 0 else "A",
                None if i % 5 == 0 else f"s{i % 2}",
                text,
                "junk" if text is not None and "nan" in text.lower() else text,
                None if i % 7 == 0 else bool(i % 2),
                None if i % 6 == 0 else i % 3,
                float("nan") if i % 11 == 0 else amount,
                amount,
                amount,
                round(amount, 6),
            )
        )
    columns = (
        "(arm text, seg text, t text, tr text, flag boolean, i integer, x double precision, "
        "xr double precision, r real, d {})"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {schema}.dirty {columns.format('numeric')}")
        cursor.executemany(f"INSERT INTO {schema}.dirty VALUES ({', '.join(['%s'] * 10)})", rows)
    connection.commit()
    metrics = [
        {"name": f"{column}_{kind}", "kind": kind, "column": column, "rope": 0.01}
        for kind in ("binary", "revenue")
        for column in ("t", "tr", "flag", "i", "x", "xr", "r", "d")
    ]
    metrics[0]["primary"] = True
    content = {
        "name": "dirty",
        "data": {"sql": {"url": "postgresql://", "query": f"SELECT * FROM {schema}.dirty"}},
        "arms": {"holdout": "holdout", "versions": ["A"]},
        "metrics": metrics,
        "segments": ["seg"],
    }
    path = tmp_path / "dirty.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    experiment = load_experiment(path)
    from_postgres, _ = warehouse.load_sql_cells(experiment)

    with duckdb.connect(str(tmp_path / "dirty.duckdb")) as con:
        con.execute(f"CREATE TABLE dirty {columns.format('DOUBLE')}")
        con.executemany(f"INSERT INTO dirty VALUES ({', '.join(['?'] * 10)})", rows)
    content["data"]["sql"] = {"url": "duckdb:///dirty.duckdb", "query": "SELECT * FROM dirty"}
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    from_duckdb, _ = warehouse.load_sql_cells(load_experiment(path))
    assert list(from_postgres.columns) == list(from_duckdb.columns)
    assert (
        from_postgres["t_binary__invalid"].sum() > 0 and from_postgres["tr_revenue__sum"].sum() > 0
    )
    pd.testing.assert_frame_equal(from_postgres, from_duckdb, check_dtype=False, check_exact=True)


def test_postgres_adjustment_and_delivery_equal_parquet(
    postgres, campaign: tuple[pa.Table, Path], tmp_path: Path
) -> None:
    """adjust_for (a numeric column cut at its deciles, a small integer column level by level)
    and data.delivered give the same cells in PostgreSQL as from the Parquet file."""
    _, schema = postgres

    def adjusted(data: dict[str, Any], name: str) -> Experiment:
        path = write_experiment(tmp_path, {**data, "unit_id": None, "delivered": "sent"}, name)
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        content["segments"] = [SEGMENT]
        content["adjust_for"] = ["customer_id", "emails_prior_7d"]
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return load_experiment(path)

    query = {"url": "postgresql://", "query": f"SELECT * FROM {schema}.{TABLE}"}
    from_postgres = load_cells(adjusted({"sql": query}, "pg-adjusted"))
    from_file = load_cells(adjusted({"path": str(campaign[1])}, "file-adjusted"))
    keys = ["arm", SEGMENT, "customer_id", "emails_prior_7d"]
    assert_same_cells(from_postgres.to_frame(), from_file.to_frame(), keys)
    assert from_postgres.fingerprint() == from_file.fingerprint()
    assert sorted(set(from_file.keys["customer_id"])) == [f"bucket {i:02d}" for i in range(1, 11)]
    assert from_file.delivery is not None and from_postgres.delivery is not None
    holdout = (from_file.keys["arm"] == "holdout").to_numpy()
    assert from_file.delivery.delivered[holdout].sum() == 0
    assert from_file.delivery.delivered.sum() == from_file.n[~holdout].sum()


def test_postgres_errors(postgres, tmp_path: Path, monkeypatch) -> None:
    _, schema = postgres

    def error(query: str, url: str = "postgresql://") -> DataError:
        with pytest.raises(DataError) as caught:
            load_cells(sql_experiment(tmp_path, url, query))
        return caught.value

    missing = error(f"SELECT * FROM {schema}.no_such_table")
    assert missing.where == "data.sql.query" and "does not exist" in missing.problem
    assert "schema" in missing.fix and missing.file.endswith("sql-source.yaml")

    syntax = error(f"SELECT * FORM {schema}.{TABLE}")
    assert syntax.where == "data.sql.query" and "syntax error" in syntax.problem

    denied = error("SELECT rolname AS arm, rolpassword AS purchased FROM pg_authid")
    assert denied.where == "data.sql.query" and "permission denied" in denied.problem
    assert "GRANT SELECT" in denied.fix

    # The query runs in a read-only transaction: even a function that writes is refused.
    connection, _ = postgres
    connection.execute(f"CREATE SEQUENCE IF NOT EXISTS {schema}.counter")
    connection.commit()
    writes = error(f"SELECT *, nextval('{schema}.counter') AS k FROM {schema}.{TABLE}")
    assert "read-only transaction" in writes.problem

    monkeypatch.setenv("WRONG_PASSWORD", "not-the-password-42")
    wrong = error(
        f"SELECT * FROM {schema}.{TABLE}",
        "postgresql://${PGUSER}:${WRONG_PASSWORD}@${PGHOST}:${PGPORT}/${PGDATABASE}",
    )
    assert wrong.where == "data.sql.url" and "password authentication failed" in wrong.problem
    assert "not-the-password-42" not in str(wrong) and "PGPASSWORD" in wrong.fix

    no_database = error("SELECT 1", "postgresql://${PGHOST}:${PGPORT}/no_such_database_here")
    assert no_database.where == "data.sql.url" and "no_such_database_here" in no_database.problem


def test_postgres_fingerprint_follows_the_data(postgres, tmp_path: Path) -> None:
    connection, schema = postgres
    connection.execute(f"CREATE TABLE {schema}.fp AS SELECT * FROM {schema}.{TABLE} LIMIT 1000")
    connection.commit()
    experiment = sql_experiment(tmp_path, "postgresql://", f"SELECT * FROM {schema}.fp")
    first = data_fingerprint(experiment)
    assert data_fingerprint(experiment) == first
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    connection.execute(
        f"UPDATE {schema}.fp SET revenue = revenue + 10 WHERE customer_id = "
        f"(SELECT min(customer_id) FROM {schema}.fp)"
    )
    connection.commit()
    assert data_fingerprint(experiment) != first


def test_postgres_aggregates_in_the_database(postgres, file_cells, tmp_path: Path) -> None:
    """Only cells cross the wire: the statement is a GROUP BY and returns one row per cell."""
    _, schema = postgres
    _, expected = file_cells
    experiment = sql_experiment(tmp_path, "postgresql://", f"SELECT * FROM {schema}.{TABLE}")
    with warehouse.sql_rows(experiment) as rows:
        sql = rows.sql(cells_expression(experiment, rows.table))
        plan = "\n".join(row["QUERY PLAN"] for row in rows.execute(f"EXPLAIN {sql}"))
        cells = rows.execute(sql)
        types = rows.table.schema()
    assert "Aggregate" in plan and "GROUP BY" in sql
    assert len(cells) == len(expected.to_frame())
    # The engine's own column types decide how values are read (numbers are not parsed).
    assert types["purchased"].is_integer() and types["arm"].is_string()
