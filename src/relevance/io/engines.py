"""Rows wherever they live, and the engine that aggregates them.

A :class:`Rows` is a table of one row per recipient as Ibis sees it (its columns and types)
plus the way to run SQL where the rows are. The portable expressions of
:mod:`relevance.io.query` and :mod:`relevance.checks.rows` are compiled by Ibis for the
engine's dialect; a user's query is grafted in as a subquery from its parsed, checked tree
(:mod:`relevance.io.readonly`), so what was checked is what runs. Only aggregates (and a
handful of example rows) come back.

Engines: DuckDB (files and database files, embedded), PostgreSQL (read-only transaction),
Spark (a SparkSession, local or remote), and Snowflake, BigQuery, Databricks and Trino through
Ibis's own connections. Opening them is :mod:`relevance.io.files` and
:mod:`relevance.io.warehouse`; this module only runs what they opened.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from sqlglot import exp

from relevance.io.identifiers import RELATION

COMPILERS = {
    "duckdb": "duckdb",
    "postgresql": "postgres",
    "spark": "pyspark",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "trino": "trino",
}
"""Engine -> the Ibis compiler that writes its SQL."""
APPROXIMATE_QUANTILES = frozenset({"bigquery", "trino"})
"""Engines without an exact quantile aggregate: the amount fence uses an approximate one."""
FENCED = frozenset({"postgresql"})
"""Engines whose planner copies a subquery's expressions into every aggregate that reads
them (PostgreSQL): where text is parsed into numbers, that subquery is fenced with OFFSET 0,
so that the number pattern runs once per row, not once per statistic (40 times over).
Numbers in typed columns cost little to recompute, and there the fence would cost the
parallel scan."""
CASE_INSENSITIVE = frozenset({"duckdb", "spark", "snowflake", "bigquery", "databricks", "trino"})
"""Engines that match column names regardless of case (Snowflake returns them upper case)."""


class _SparkOptions(ibis.config.Config):
    """What ibis's PySpark backend registers on import (without importing pyspark): keep NaN a
    value (relevance counts it as not a number), never NULL."""

    treat_nan_as_null: bool = False


if ibis.options.pyspark is None:
    ibis.options.pyspark = _SparkOptions()


def compiler(engine: str) -> Any:
    """The Ibis SQL compiler of `engine` (see :data:`COMPILERS`)."""
    import ibis.backends.sql.compilers as compilers

    return getattr(compilers, COMPILERS[engine]).compiler


def ibis_type(engine: str, name: str) -> dt.DataType:
    """An engine's type name as an Ibis type; anything unknown is read as text."""
    from ibis.backends.sql import datatypes

    mapper = {
        "duckdb": datatypes.DuckDBType,
        "postgresql": datatypes.PostgresType,
        "spark": datatypes.PySparkType,
        "databricks": datatypes.DatabricksType,
        "snowflake": datatypes.SnowflakeType,
        "bigquery": datatypes.BigQueryType,
        "trino": datatypes.TrinoType,
    }[engine]
    try:
        dtype = mapper.from_string(name)
    except Exception:  # a type Ibis does not know: its text is what relevance reads
        return dt.string
    return dt.string if dtype.is_unknown() else dtype


Records = list[dict[str, Any]]


@dataclass
class Rows:
    """One row per recipient in some engine: an unbound Ibis table and how to run SQL there.

    ``source`` is the user's parsed query, put in place of :data:`RELATION` (None when the
    engine has a view of that name, as for files). ``numbered`` gives, for files, the rows
    with their row number (example rows are then the first in the file; elsewhere the
    smallest recipient id).
    """

    engine: str
    table: ir.Table
    execute: Callable[[str], Records]
    name: str
    source: exp.Expression | None = None
    numbered: Callable[[], ir.Table] | None = None

    @property
    def exact_quantiles(self) -> bool:
        return self.engine not in APPROXIMATE_QUANTILES

    def sql(self, expression: ir.Table, pretty: bool = False) -> str:
        """The engine's SQL for `expression`, with the source in place of the relation."""
        sql_compiler = compiler(self.engine)
        tree = sql_compiler.to_sqlglot(expression.unbind())
        if self.source is not None:
            for table in list(tree.find_all(exp.Table)):
                if table.name == RELATION and not table.db:
                    alias = table.args.get("alias") or exp.TableAlias(
                        this=exp.to_identifier(RELATION)
                    )  # PostgreSQL wants a name for every subquery
                    table.replace(exp.Subquery(this=self.source.copy(), alias=alias))
        if self.engine in FENCED:
            for select in list(tree.find_all(exp.Select)):
                parsing = any(e.find(exp.RegexpLike) for e in select.expressions)
                if parsing and any(e.alias.startswith("__relevance_") for e in select.expressions):
                    select.set("offset", exp.Offset(expression=exp.Literal.number(0)))
        return tree.sql(dialect=sql_compiler.dialect, pretty=pretty)

    def fetch(self, expression: ir.Table) -> Records:
        """Run `expression` in the engine; its rows as dicts (few: cells or aggregates)."""
        return self.execute(self.sql(expression))

    def fetch_one(self, expression: ir.Table) -> dict[str, Any]:
        """Run a one-row aggregate."""
        (row,) = self.fetch(expression)
        return row


def rows_table(engine: str, types: Sequence[tuple[str, str]], name: str = RELATION) -> ir.Table:
    """An unbound Ibis table of the engine's column names and type names."""
    schema: dict[str, dt.DataType] = {}
    for column, type_name in types:
        schema.setdefault(column, ibis_type(engine, type_name))
    return ibis.table(schema, name=name)


def matched_columns(
    wanted: Sequence[str], present: Sequence[str], case_insensitive: bool
) -> tuple[dict[str, str], list[str]]:
    """Each wanted column's spelling in the source, and the wanted columns not found.

    An exact match first; where the engine matches names regardless of case, a name that
    differs only in case (and is the only one that does) is taken.
    """
    found: dict[str, str] = {}
    absent = []
    by_case: dict[str, list[str]] = {}
    for column in present:
        by_case.setdefault(column.casefold(), []).append(column)
    for column in dict.fromkeys(wanted):
        if column in present:
            found[column] = column
        elif case_insensitive and len(by_case.get(column.casefold(), [])) == 1:
            found[column] = by_case[column.casefold()][0]
        else:
            absent.append(column)
    return found, absent


def renamed(table: ir.Table, columns: Mapping[str, str]) -> ir.Table:
    """The table with each source column also reachable by its configured spelling."""
    extra = {wanted: table[actual] for wanted, actual in columns.items() if wanted != actual}
    return table.mutate(**extra) if extra else table


# --- Spark ------------------------------------------------------------------------------


def spark_types(session: Any, sql: str) -> list[tuple[str, str]]:
    """Column names and Spark type names of a query (planned, not run)."""
    return [(f.name, f.dataType.simpleString()) for f in session.sql(sql).schema.fields]


def spark_execute(session: Any) -> Callable[[str], Records]:
    """Run SQL in a Spark session; the rows as dicts.

    With ANSI mode on for relevance's queries (then as it was): without it, Spark 3 turns an
    amount too large for 64 bits into the largest one, silently, where every other engine
    stops with an error.
    """

    def execute(sql: str) -> Records:
        before = session.conf.get("spark.sql.ansi.enabled", None)
        session.conf.set("spark.sql.ansi.enabled", "true")
        try:
            return [row.asDict() for row in session.sql(sql).collect()]
        finally:
            if before is None:
                session.conf.unset("spark.sql.ansi.enabled")
            else:
                session.conf.set("spark.sql.ansi.enabled", before)

    return execute


@contextmanager
def quiet_pyspark() -> Iterator[None]:
    """Import PySpark quietly. Its warning about pandas versions is off for good: relevance
    sends Spark no pandas data, and the warning comes on first use, not on import."""
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    yield


QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""
"""Spark's logging for a session relevance starts: errors only (relevance reports them)."""


def _quiet_log4j() -> str:
    path = Path(tempfile.gettempdir()) / "relevance-spark-log4j2.properties"
    if not path.exists() or path.read_text() != QUIET_LOG4J:
        path.write_text(QUIET_LOG4J)
    return str(path)


def spark_session(master: str | None, conf: Mapping[str, str], remote: str | None) -> Any:
    """The SparkSession for a ``spark://`` or ``sc://`` url.

    The process's active session when there is one (relevance inside a Spark job or a notebook
    on a cluster), else a new one: local (``local[2]``), a cluster master, or Spark Connect.
    """
    # PySpark logs every failed query with its JVM stack to stderr; relevance says it once.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    with quiet_pyspark():
        from pyspark.sql import SparkSession

        if remote is not None:
            return SparkSession.builder.remote(remote).getOrCreate()
        active = SparkSession.getActiveSession()
        if active is not None and master is None:
            return active
        builder = SparkSession.builder.appName("relevance")
        builder = builder.master(master or "local[*]")
        settings = {"spark.ui.showConsoleProgress": "false", **conf}
        if active is None:  # a JVM of our own: its start-up warnings are not the user's news
            settings.setdefault(
                "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_quiet_log4j()}"
            )
        for key, value in settings.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        if active is None:
            session.sparkContext.setLogLevel("ERROR")
        return session


# --- warehouses through Ibis's own connections -------------------------------------------


def ibis_backend_table(backend: Any, sql: str) -> ir.Table:
    """An unbound table with the columns and types of a query on an Ibis backend (the backend
    asks the warehouse)."""
    schema = backend.sql(sql).schema()
    return ibis.table({n: dt.string if t.is_unknown() else t for n, t in schema.items()}, RELATION)


def ibis_backend_execute(backend: Any) -> Callable[[str], Records]:
    """Run SQL on an Ibis backend (Snowflake, BigQuery, Databricks, Trino); rows as dicts."""

    def execute(sql: str) -> Records:
        return backend.sql(sql).to_pyarrow().to_pylist()

    return execute


def with_columns(rows: Rows, wanted: Sequence[str]) -> tuple[Rows, list[str]]:
    """`rows` whose table also answers to the configured names; the names not found."""
    present = list(rows.table.columns)
    found, absent = matched_columns(wanted, present, rows.engine in CASE_INSENSITIVE)
    if absent:
        return rows, absent
    return replace(rows, table=renamed(rows.table, found)), []
