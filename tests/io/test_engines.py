"""The same campaign in DuckDB (a Parquet file), PostgreSQL and Spark: the same cells and the
same findings, bit for bit, because one portable expression is compiled for each engine.

PostgreSQL and Spark are real (a server from ``.ci/postgres.sh``; a local Spark session with
pyspark and Java 17): each part is skipped with the reason when its engine is absent, and
fails instead under RELEVANCE_REQUIRE_POSTGRES / RELEVANCE_REQUIRE_SPARK (as in CI).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from engines import load_into_postgres, load_into_spark
from relevance.config import Experiment, load_experiment
from relevance.errors import DataError
from relevance.io import simulate
from relevance.io.sources import data_fingerprint, load_cells
from relevance.io.warehouse import load_sql_cells
from relevance.pipeline.checking import check_data

SEGMENT = 'customer\'s "lifecycle stage"'  # a space, a single and a double quote
RECIPIENTS = 50_000
METRICS: list[dict[str, Any]] = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05, "value": 0.3},
    {"name": "unsubscribe", "kind": "binary", "column": "unsubscribed", "rope": 0.002},
]


def write_experiment(folder: Path, data: dict[str, Any], name: str) -> Path:
    """The demo campaign's experiment (ids, sent flag, three segments) reading `data`."""
    content = {
        "name": name,
        "data": {
            "arm": "arm",
            "unit_id": "customer_id",
            "sent": "sent",
            "delivered": "delivered",
            **data,
        },
        "arms": {
            "holdout": "holdout",
            "versions": ["A", "B"],
            "allocation": {"holdout": 0.2, "A": 0.4, "B": 0.4},
        },
        "metrics": METRICS,
        "segments": [SEGMENT, "emails_prior_7d_bucket", "emails_prior_7d"],
        "adjust_for": ["prior spend"],  # cut at its deciles
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def campaign_table(recipients: int, seed: int = 3) -> pa.Table:
    """The demo campaign with a segment name that needs quoting and a few extreme amounts; a
    delivery column of text (1/0, true/f, a few bad words and blanks) and a prior spend to
    adjust for (NaN and infinities among its values: the missing bucket)."""
    table = simulate.generate(simulate.preset("demo", recipients=recipients, seed=seed))
    table = table.rename_columns(
        [SEGMENT if c == "lifecycle_stage" else c for c in table.column_names]
    )
    revenue = table.column("revenue").to_numpy().copy()
    buyers = np.flatnonzero(revenue > 0)
    revenue[buyers[:: max(1, len(buyers) // 4)][:4]] = 1e9  # typos: capped, on every engine
    table = table.set_column(table.column_names.index("revenue"), "revenue", pa.array(revenue))
    random = np.random.default_rng(seed)
    holdout = table.column("arm").to_numpy(zero_copy_only=False) == "holdout"
    delivered = np.where(holdout, "0", random.choice(["1", "1", "1", "0", "true", "f"], recipients))
    delivered = delivered.astype(object)
    delivered[random.choice(recipients, 30, replace=False)] = "bounced"  # not 0/1
    delivered[random.choice(recipients, 30, replace=False)] = None
    spend = np.round(random.lognormal(3.0, 1.2, recipients), 2)
    spend[::997] = np.nan
    spend[5::1999] = np.inf
    table = table.append_column("delivered", pa.array(delivered, pa.string()))
    table = table.append_column("prior spend", pa.array(spend))
    return table.replace_schema_metadata(None)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, Path]:
    table = campaign_table(RECIPIENTS)
    path = tmp_path_factory.mktemp("campaign") / "rows.parquet"
    pq.write_table(table, path)
    return table, path


@pytest.fixture(scope="module")
def from_file(campaign, tmp_path_factory: pytest.TempPathFactory):
    """The reference: cells and findings of the Parquet file (DuckDB, embedded)."""
    path = write_experiment(tmp_path_factory.mktemp("file"), {"path": str(campaign[1])}, "file")
    experiment = load_experiment(path)
    cells, findings = check_data(experiment)
    return experiment, cells, findings


def sql_source(
    engine: str, campaign: tuple[pa.Table, Path], request: pytest.FixtureRequest
) -> tuple[str, str]:
    """(url, query) of the campaign loaded into `engine` under a fresh name."""
    table, path = campaign
    if engine == "postgresql":
        connection, schema = request.getfixturevalue("pg_schema")
        name = f"{schema}.sends_{request.node.name.split('[')[0][-20:]}"
        load_into_postgres(connection, name, table)
        return "postgresql://", f"SELECT * FROM {name}"
    session = request.getfixturevalue("spark")
    load_into_spark(session, "sends", path)
    return "spark://", "SELECT * FROM sends"


def comparable(findings: list) -> list[dict[str, Any]]:
    return [f.model_dump() for f in findings]


@pytest.mark.parametrize("engine", ["postgresql", "spark"])
def test_cells_and_findings_are_identical_bit_for_bit(
    engine: str, campaign, from_file, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _, expected_cells, expected_findings = from_file
    url, query = sql_source(engine, campaign, request)
    path = write_experiment(tmp_path, {"sql": {"url": url, "query": query}}, engine)
    cells, findings = check_data(load_experiment(path))

    pd.testing.assert_frame_equal(cells.to_frame(), expected_cells.to_frame(), check_exact=True)
    assert cells.fingerprint() == expected_cells.fingerprint()
    assert cells.caps == expected_cells.caps and len(cells.caps) == 1  # the same cap, exactly
    assert comparable(findings) == comparable(expected_findings)
    checks = {f.check for f in findings}
    assert {"unique_units", "holdout_sent", "sample_ratio_mismatch", "extreme_amounts"} <= checks
    frame = cells.to_frame()  # issue 15's statistics and keys are among the identical ones
    assert sorted(set(frame["prior spend"])) == [
        "(missing)",
        *(f"bucket {i:02d}" for i in range(1, 11)),
    ]
    assert frame["revenue__sum_sq"].sum() > 0 and frame["delivered_invalid"].sum() == 30
    assert 0 < frame["delivered"].sum() < frame["n"].sum()


def test_spark_settings_in_the_url_and_a_fingerprint(campaign, from_file, spark, tmp_path) -> None:
    """spark://local[2]?... reuses the running session; the fingerprint follows the data."""
    _, expected, _ = from_file
    load_into_spark(spark, "sends", campaign[1])
    url = "spark://local[2]?spark.sql.shuffle.partitions=2"
    experiment = load_experiment(
        write_experiment(tmp_path, {"sql": {"url": url, "query": "SELECT * FROM sends"}}, "s")
    )
    assert load_cells(experiment).fingerprint() == expected.fingerprint()
    first = data_fingerprint(experiment)
    assert data_fingerprint(experiment) == first
    spark.sql("SELECT * FROM sends WHERE customer_id <> 1").createOrReplaceTempView("sends")
    assert data_fingerprint(experiment) != first


DIRTY = [
    "1", "0", " 1 ", "1.", ".5", "+1", "-1", "1e3", "1E-2", "nan", "NaN", "-nan", "inf",
    "-inf", "Infinity", "-Infinity", "true", "", "abc", "1,5", "0x10", "1_000", "2",
    "  ", "1 0", "- 1", "1e", "e3", "1.5.2", "\u0661", "12.75", None, "1d", "TRUE", " f ",
    "1e400", "0." + "3" * 40,
]  # fmt: skip


def dirty_table() -> pa.Table:
    """Text, boolean, integer, double and decimal columns full of bad values."""
    rng = np.random.default_rng(5)
    specials = [0.0, 0.0, 0.0, 1.0, 2.5, -1.0, float("inf"), -float("inf"), 1e-3, 1e-13, 1e12]
    n = 4 * len(DIRTY)
    amount = [
        float(rng.lognormal(3, 1.5)) if i % 3 else specials[i % len(specials)] for i in range(n)
    ]
    return pa.table(
        {
            "arm": ["holdout" if i % 3 == 0 else "A" for i in range(n)],
            "seg": [None if i % 5 == 0 else f"s{i % 2}" for i in range(n)],
            "level": [None if i % 7 == 0 else float(i % 3) for i in range(n)],
            "t": [DIRTY[i % len(DIRTY)] for i in range(n)],
            "flag": [None if i % 7 == 0 else bool(i % 2) for i in range(n)],
            "i": pa.array([None if i % 6 == 0 else i % 3 for i in range(n)], pa.int32()),
            "x": [float("nan") if i % 11 == 0 else a for i, a in enumerate(amount)],
            "d": pa.array(
                [None if abs(a) == float("inf") else Decimal(f"{a:.6f}") for a in amount],
                pa.decimal128(20, 6),
            ),
        }
    )


def dirty_experiment(folder: Path, url: str, query: str) -> Experiment:
    metrics = [
        {"name": f"{column}_{kind}", "kind": kind, "column": column, "rope": 0.01}
        for kind in ("binary", "revenue")
        for column in ("t", "flag", "i", "x", "d")
    ]
    metrics[0]["primary"] = True
    content = {
        "name": "dirty",
        "data": {"sql": {"url": url, "query": query}, "unit_id": None},
        "arms": {"holdout": "holdout", "versions": ["A"]},
        "metrics": metrics,
        "segments": ["seg", "level"],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dirty.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return load_experiment(path)


def test_spark_reads_bad_values_as_duckdb_does(spark, tmp_path: Path) -> None:
    """Every kind of bad value, typed and as text: Spark's cells equal DuckDB's exactly (its
    own cast would read 'inf', '1d' and '-nan' as numbers; NUMBER_PATTERN decides instead)."""
    table = dirty_table()
    with duckdb.connect(str(tmp_path / "dirty.duckdb")) as con:
        con.register("frame", table)
        con.execute("CREATE TABLE dirty AS SELECT * FROM frame")
    pq.write_table(table, tmp_path / "dirty.parquet")
    load_into_spark(spark, "dirty", tmp_path / "dirty.parquet")
    from_duckdb, _ = load_sql_cells(
        dirty_experiment(tmp_path / "d", "duckdb:///../dirty.duckdb", "SELECT * FROM dirty")
    )
    from_spark, _ = load_sql_cells(
        dirty_experiment(tmp_path / "s", "spark://", "SELECT * FROM dirty")
    )
    assert from_duckdb["t_binary__invalid"].sum() > 0 and from_duckdb["x_revenue__sum"].sum() > 0
    assert set(from_duckdb["level"]) == {"0.0", "1.0", "2.0", "(missing)"}
    pd.testing.assert_frame_equal(from_spark, from_duckdb, check_exact=True)


def test_spark_errors_name_the_field_and_the_fix(spark, campaign, tmp_path: Path) -> None:
    load_into_spark(spark, "sends", campaign[1])

    def error(query: str) -> DataError:
        path = write_experiment(tmp_path, {"sql": {"url": "spark://", "query": query}}, "e")
        with pytest.raises(DataError) as caught:
            load_cells(load_experiment(path))
        return caught.value

    missing = error("SELECT * FROM no_such_table")
    assert missing.where == "data.sql.query" and "TABLE_OR_VIEW_NOT_FOUND" in missing.problem
    assert "table name" in missing.fix and "\n" not in missing.problem

    column = error("SELECT arm, nope AS purchased FROM sends")
    assert column.where == "data.sql.query" and "column names" in column.fix

    absent = error("SELECT arm, purchased FROM sends")
    assert "returns no column" in absent.problem and "'revenue'" in absent.problem

    writes = error("INSERT INTO sends SELECT * FROM sends")
    assert "refused" in writes.problem and "INSERT" in writes.problem
    calls_java = error("SELECT *, reflect('java.lang.System', 'exit', 0) AS x FROM sends")
    assert "refused" in calls_java.problem and "reflect" in calls_java.problem
    assert spark.sql("SELECT count(*) AS n FROM sends").collect()[0]["n"] == RECIPIENTS


@pytest.mark.slow
def test_duckdb_and_postgres_agree_on_a_million_rows(
    pg_schema, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """1,000,000 recipients: the cells from PostgreSQL equal the Parquet file's, bit for bit."""
    connection, schema = pg_schema
    table = campaign_table(1_000_000, seed=7)
    folder = tmp_path_factory.mktemp("million")
    pq.write_table(table, folder / "rows.parquet")
    load_into_postgres(connection, f"{schema}.million", table)
    file_cells = load_cells(
        load_experiment(write_experiment(folder, {"path": "rows.parquet"}, "file"))
    )
    query = f"SELECT * FROM {schema}.million"
    sql = write_experiment(folder, {"sql": {"url": "postgresql://", "query": query}}, "pg")
    pg_cells = load_cells(load_experiment(sql))
    pd.testing.assert_frame_equal(pg_cells.to_frame(), file_cells.to_frame(), check_exact=True)
    assert pg_cells.caps == file_cells.caps


def test_column_names_in_another_case_are_matched_where_the_engine_ignores_case(
    campaign, from_file, tmp_path: Path
) -> None:
    """Snowflake returns unquoted names in upper case; DuckDB and Spark match names in any
    case. A query returning ARM and CUSTOMER_ID serves `arm` and `customer_id`."""
    _, expected_cells, expected_findings = from_file
    with duckdb.connect(str(tmp_path / "upper.duckdb")) as con:
        con.register("frame", campaign[0])
        con.execute("CREATE TABLE sends AS SELECT * FROM frame")
    query = (
        "SELECT customer_id AS CUSTOMER_ID, arm AS ARM, sent AS SENT, purchased AS PURCHASED, "
        "* EXCLUDE (customer_id, arm, sent, purchased) FROM sends"
    )
    path = write_experiment(
        tmp_path, {"sql": {"url": "duckdb:///upper.duckdb", "query": query}}, "upper"
    )
    cells, findings = check_data(load_experiment(path))
    pd.testing.assert_frame_equal(cells.to_frame(), expected_cells.to_frame(), check_exact=True)
    assert comparable(findings) == comparable(expected_findings)


@pytest.mark.parametrize("engine", ["postgresql", "spark"])
def test_an_amount_too_large_to_add_up_is_refused_on_every_engine(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Beyond 10^17 a squared amount does not fit DECIMAL(38, 0): every engine refuses it (as
    DuckDB does for a file) instead of adding it up in a wider type of its own."""
    table = dirty_table().slice(0, 12)
    table = table.set_column(3, "t", pa.array(["1"] * 11 + ["1e18"]))
    pq.write_table(table, tmp_path / "huge.parquet")
    if engine == "postgresql":
        connection, schema = request.getfixturevalue("pg_schema")
        load_into_postgres(connection, f"{schema}.huge", table)
        url, query = "postgresql://", f"SELECT * FROM {schema}.huge"
    else:
        load_into_spark(request.getfixturevalue("spark"), "huge", tmp_path / "huge.parquet")
        url, query = "spark://", "SELECT * FROM huge"
    experiment = dirty_experiment(tmp_path / engine, url, query)
    with pytest.raises(DataError) as caught:
        load_sql_cells(experiment)
    assert caught.value.where == "data.sql.query" and "below 10^17" in caught.value.fix
