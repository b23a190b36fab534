"""The SQL relevance sends to Snowflake, BigQuery, Databricks and Trino, which cannot run here:
golden files of the compiled statements, each parsed back in its dialect, grouped by the right
columns, with every identifier quoted and the user's query inside.

Regenerate the golden files after a deliberate change with
``RELEVANCE_UPDATE_GOLDEN=1 pytest tests/io/test_dialects.py`` and read the diff.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import ibis.expr.types as ir
import pytest
import sqlglot
from sqlglot import exp

from conftest import write_experiment
from relevance.checks.rows import counts_expression, row_problems, units_expression
from relevance.config import Experiment, load_experiment
from relevance.errors import DataError
from relevance.io.engines import COMPILERS, Rows, compiler, rows_table
from relevance.io.query import cells_expression, fingerprint_expression, quartiles_expression
from relevance.io.readonly import DIALECTS, UnsafeQuery, read_only_tree
from relevance.io.sources import load_cells
from relevance.io.targets import resolve_target, spark_settings

GOLDEN = Path(__file__).parent / "golden"
WAREHOUSES = ["snowflake", "bigquery", "databricks", "trino"]
SEGMENT = "customer's lifecycle stage"  # a space and a quote: must be quoted everywhere
QUERY = "SELECT * FROM analytics.sends WHERE campaign = 'w47'"
TYPES = {
    "snowflake": ("VARCHAR", "NUMBER(38, 0)", "FLOAT", "BOOLEAN"),
    "bigquery": ("STRING", "INT64", "FLOAT64", "BOOL"),
    "databricks": ("string", "bigint", "double", "boolean"),
    "trino": ("varchar", "bigint", "double", "boolean"),
}


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Experiment:
    path = write_experiment(
        tmp_path_factory.mktemp("dialects"),
        data={
            "sql": {"url": "trino://analyst@host/catalog/schema", "query": QUERY},
            "unit_id": "customer_id",
            "sent": "sent",
        },
        metrics=[
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "rope": 0.001,
            },
            {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05},
        ],
        segments=[SEGMENT, "emails_prior_7d"],
    )
    return load_experiment(path)


def warehouse_rows(engine: str) -> Rows:
    """Rows of the campaign's columns in the warehouse's own type names, from QUERY."""
    text, whole, double, boolean = TYPES[engine]
    columns = [
        ("customer_id", whole),
        ("arm", text),
        (SEGMENT, text),
        ("emails_prior_7d", whole),
        ("sent", boolean),
        ("purchased", text),  # as text: the number pattern is compiled too
        ("revenue", double),
    ]
    source = read_only_tree(QUERY, engine)
    return Rows(engine, rows_table(engine, columns), print, engine, source)


def statements(experiment: Experiment, rows: Rows) -> dict[str, ir.Table]:
    """Every statement relevance runs on a source: caps, cells, fingerprint, row checks."""
    table = rows.table
    checked, problems = row_problems(experiment, table, "customer_id")
    return {
        "quartiles": quartiles_expression(experiment, table, rows.exact_quantiles),
        "cells": cells_expression(experiment, table),
        "fingerprint": fingerprint_expression(experiment, table),
        "units": units_expression(table, "customer_id", "arm"),
        "row_counts": counts_expression(experiment, checked, problems, "customer_id"),
    }


@pytest.mark.parametrize("engine", WAREHOUSES)
def test_compiled_sql_matches_the_golden_files(engine: str, experiment: Experiment) -> None:
    rows = warehouse_rows(engine)
    for name, expression in statements(experiment, rows).items():
        sql = rows.sql(expression, pretty=True) + "\n"
        golden = GOLDEN / f"{engine}-{name}.sql"
        if os.environ.get("RELEVANCE_UPDATE_GOLDEN"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_bytes(sql.encode())  # bytes: a pattern holds a carriage return
        assert golden.exists(), f"{golden} is missing: run with RELEVANCE_UPDATE_GOLDEN=1"
        assert sql == golden.read_bytes().decode(), f"{engine} {name} changed"


@pytest.mark.parametrize("engine", WAREHOUSES)
def test_golden_sql_parses_groups_and_quotes(engine: str, experiment: Experiment) -> None:
    dialect = compiler(engine).dialect
    quote_char = "`" if engine in ("bigquery", "databricks") else '"'
    for name in ("quartiles", "cells", "fingerprint", "units", "row_counts"):
        sql = (GOLDEN / f"{engine}-{name}.sql").read_bytes().decode()
        (tree,) = sqlglot.parse(sql, read=dialect)
        assert isinstance(tree, exp.Select), name
        # The user's query is inside, as one subquery over the warehouse's table.
        tables = {t.sql(dialect=dialect) for t in tree.find_all(exp.Table)}
        assert tables == {"analytics.sends"}, (name, tables)
        assert "'w47'" in sql
        # Identifiers are quoted: the segment's name with a space and a quote survives.
        if name in ("cells",):
            quoted = exp.to_identifier(SEGMENT, quoted=True).sql(dialect=dialect)
            assert quoted in sql and quoted.startswith(quote_char)
    cells = sqlglot.parse_one((GOLDEN / f"{engine}-cells.sql").read_bytes().decode(), read=dialect)
    # One GROUP BY, on the arm and the segments (by position in the select list).
    (group,) = list(cells.find_all(exp.Group))
    positions = [int(e.name) for e in group.expressions]
    selected = [cells.expressions[p - 1].alias_or_name for p in positions]
    assert selected == ["arm", SEGMENT, "emails_prior_7d"]
    assert cells.args.get("where") is None
    aggregates = [e for e in cells.expressions if e.alias_or_name.startswith("revenue__")]
    assert [e.alias_or_name for e in aggregates] == [
        "revenue__n", "revenue__buyers", "revenue__sum", "revenue__sum_log",
        "revenue__sum_log_sq", "revenue__sum_sq", "revenue__missing", "revenue__invalid", "revenue__negative",
    ]  # fmt: skip


def test_every_engine_has_a_compiler_and_a_reader() -> None:
    assert set(COMPILERS) == set(DIALECTS)


@pytest.mark.parametrize("engine", sorted(DIALECTS))
@pytest.mark.parametrize(
    "query",
    [
        "INSERT INTO sends SELECT * FROM sends",
        "DELETE FROM sends",
        "SELECT * FROM sends; DROP TABLE sends",
        "CREATE TABLE x AS SELECT * FROM sends",
        "UPDATE sends SET revenue = 0",
        "MERGE INTO sends USING other ON sends.id = other.id WHEN MATCHED THEN DELETE",
    ],
)
def test_a_writing_query_is_refused_in_every_dialect(engine: str, query: str) -> None:
    """Refused before any engine sees it: parsed in the engine's own SQL, then walked."""
    with pytest.raises(UnsafeQuery):
        read_only_tree(query, engine)


# --- urls of engines that cannot run here ---------------------------------------------------

WAREHOUSE_URLS = {
    "snowflake": ("snowflake://analyst@myorg-acct/MARKETING/PUBLIC?warehouse=REPORTING", "snowflake.connector"),
    "bigquery": ("bigquery://my-project/marketing", "google.cloud.bigquery"),
    "databricks": ("databricks://dbc-1.cloud.databricks.com/sql/1.0/warehouses/abc", "databricks.sql"),
    "trino": ("trino://analyst@trino.internal:443/hive/marketing", "trino"),
}  # fmt: skip


def url_experiment(folder: Path, url: str) -> Experiment:
    path = write_experiment(
        folder,
        data={"sql": {"url": url, "query": QUERY}},
        metrics=[
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "rope": 0.001,
            }
        ],
    )
    return load_experiment(path)


def driver_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.parametrize("engine", WAREHOUSES)
def test_a_warehouse_without_its_driver_says_what_to_install(engine: str, tmp_path: Path) -> None:
    url, module = WAREHOUSE_URLS[engine]
    if driver_installed(module):
        pytest.skip(f"{module} is installed: relevance would try to connect")
    with pytest.raises(DataError) as error:
        load_cells(url_experiment(tmp_path, url))
    assert error.value.where == "data.sql.url" and "not installed" in error.value.problem
    assert f"ibis-framework[{engine}]" in error.value.fix


@pytest.mark.parametrize("engine", WAREHOUSES)
def test_warehouse_credentials_come_from_the_environment(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    literal = f"{engine}://analyst:hunter2@host/db"
    with pytest.raises(DataError) as error:
        load_cells(url_experiment(tmp_path, literal))
    assert "literal password" in error.value.problem and "hunter2" not in str(error.value)
    assert f"{engine}://user:${{DB_PASSWORD}}" in error.value.fix
    monkeypatch.setenv("WAREHOUSE_SECRET", "s3cr/et:@")
    target = resolve_target(
        url_experiment(tmp_path, f"{engine}://analyst:${{WAREHOUSE_SECRET}}@host/db")
    )
    assert target.kind == engine and "s3cr" not in target.shown
    assert "s3cr%2Fet%3A%40" in target.url  # percent-encoded into the url the driver reads


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("spark://", (None, {}, None)),
        ("spark://local[2]?spark.sql.shuffle.partitions=2", ("local[2]", {"spark.sql.shuffle.partitions": "2"}, None)),
        ("spark://spark-master:7077", ("spark://spark-master:7077", {}, None)),
        ("sc://spark-connect:15002", (None, {}, "sc://spark-connect:15002")),
    ],
)  # fmt: skip
def test_spark_urls(url: str, expected: tuple) -> None:
    assert spark_settings(url) == expected
