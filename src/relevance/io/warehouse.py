"""SQL sources: the rows stay where they are and only the cells come back.

``data: {sql: {url: ..., query: "SELECT ..."}}`` names an engine and a SELECT returning one
row per recipient. The query is parsed and checked (:mod:`relevance.io.readonly`), then put as
a subquery into the portable aggregation (:mod:`relevance.io.query`) that Ibis compiles for the
engine, so a campaign of any size ships one row per arm x segment cell.

Engines (``data.sql.url``):

- PostgreSQL (``postgresql://...``), through SQLAlchemy 2 and psycopg 3, in a read-only
  transaction. ``postgresql://`` alone uses the libpq variables (PGHOST, PGPORT, PGUSER,
  PGPASSWORD, PGDATABASE) or ``~/.pgpass``.
- DuckDB database files (``duckdb:///relative/to/experiment.db``, ``duckdb:////absolute.db``
  or a bare path ending in ``.duckdb``/``.db``), opened read-only with the duckdb package.
- Spark (``spark://`` the process's active session or a local one, ``spark://local[4]``,
  ``spark://host:7077`` a cluster master, ``sc://host:15002`` Spark Connect); settings as
  query parameters (``?spark.sql.shuffle.partitions=8``).
- Snowflake (``snowflake://user@account/database/schema?warehouse=WH``), BigQuery
  (``bigquery://project/dataset``), Databricks SQL (``databricks://host/http/path``) and Trino
  (``trino://user@host:443/catalog/schema``) through Ibis's connections (``pip install
  'ibis-framework[snowflake]'`` and so on).

Credentials never live in the experiment file: :mod:`relevance.io.targets` reads the url,
replaces ``${VAR}`` by the environment variable at run time and rejects a literal password.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb
import pandas as pd
from sqlglot import exp

from relevance.config import Experiment
from relevance.errors import DataError
from relevance.io.cells import AmountCap
from relevance.io.engines import (
    Records,
    Rows,
    ibis_backend_execute,
    ibis_backend_table,
    quiet_pyspark,
    rows_table,
    spark_execute,
    spark_session,
    spark_types,
    with_columns,
)
from relevance.io.files import aggregate_rows
from relevance.io.query import fingerprint_expression
from relevance.io.readonly import UnsafeQuery, read_only_select, read_only_tree
from relevance.io.targets import (
    CONNECT_TIMEOUT_SECONDS,
    DUCKDB_READ_ONLY,
    LIBPQ_IDENTITY,
    WAREHOUSES,
    Target,
    data_error,
    resolve_target,
    spark_settings,
)


def parsed_query(experiment: Experiment, target: Target) -> exp.Query:
    """The user's query as a parse tree, once it is one read-only SELECT in the engine's SQL.

    The engine receives the aggregation with this tree as a subquery, rendered from the tree
    (:mod:`relevance.io.readonly`): text that would break out of the brackets, a statement
    that writes, or a function that reads files never reaches the engine.
    """
    source = experiment.data.sql
    assert source is not None
    try:
        return read_only_tree(source.query, target.kind)
    except UnsafeQuery as error:
        raise data_error(
            experiment,
            "data.sql.query",
            f"the query is refused: {error}",
            "write one SELECT (or WITH ... SELECT) over tables of the database, returning one "
            "row per recipient; relevance only reads",
        ) from None


_PG_FIXES = {
    "08": "check that the server is running and reachable at the host and port of "
    "data.sql.url (or PGHOST and PGPORT)",
    "28": "check the user and password in the environment (PGUSER and PGPASSWORD, or the "
    "${VAR} references in the url)",
    "3D": "check the database name in data.sql.url (or PGDATABASE)",
    "42P01": "check the table name and schema in data.sql.query (e.g. analytics.sends) and "
    "that data.sql.url names the right database",
    "42501": "ask the database owner to GRANT SELECT on the tables the query reads to the user "
    "relevance connects as",
    "42601": "fix the SQL of data.sql.query: one SELECT, as it would run on its own",
    "42703": "check the column names in data.sql.query",
    "22003": "check the metric columns for corrupt or mis-scaled values: relevance adds up "
    "amounts below 10^17 per recipient and 10^26 in total",
}
_SPARK_STATES = {
    "TABLE_OR_VIEW_NOT_FOUND": "42P01",
    "UNRESOLVED_COLUMN": "42703",
    "PARSE_SYNTAX_ERROR": "42601",
    "INSUFFICIENT_PERMISSIONS": "42501",
    "ARITHMETIC_OVERFLOW": "22003",
    "CAST_OVERFLOW": "22003",
    "NUMERIC_VALUE_OUT_OF_RANGE": "22003",
    "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION": "22003",
}
"""Spark error classes and the PostgreSQL state whose fix applies."""


def _spark_state(error: BaseException) -> str:
    condition = ""
    for name in ("getCondition", "getErrorClass"):
        if hasattr(error, name):
            condition = getattr(error, name)() or ""
            break
    return next((s for c, s in _SPARK_STATES.items() if condition.startswith(c)), "")


def _database_message(target: Target, error: BaseException) -> str:
    """The database's own words, without SQL echo lines, stack traces or secrets."""
    text = str(getattr(error, "orig", None) or error)
    lines = [line.strip() for line in text.splitlines()]
    kept = [line for line in lines if line and not line.startswith(("LINE ", "^", "[SQL:"))]
    if target.kind == "spark":  # the first line says it; a plan and a JVM stack follow
        kept = kept[:1]
    message = " ".join(kept[:4]) or type(error).__name__
    hint = getattr(getattr(getattr(error, "orig", None), "diag", None), "message_hint", None)
    if hint and hint not in message:
        message += f" (hint: {hint})"
    message = target.scrub(message)
    return message if len(message) <= 600 else message[:600] + "..."


def _database_error(
    experiment: Experiment, target: Target, error: BaseException, connecting: bool
) -> DataError:
    message = _database_message(target, error)
    fix = None
    at_url = connecting
    if target.kind == "postgresql":
        state = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
        at_url = connecting or state[:2] in ("08", "28", "3D")
        fix = _PG_FIXES.get(state) or _PG_FIXES.get(state[:2])
        if not state and connecting:  # libpq reports connection failures without a code
            lowered = message.lower()
            if "password" in lowered or "authentication" in lowered or 'role "' in lowered:
                state = "28000"
            elif 'database "' in lowered and "does not exist" in lowered:
                state = "3D000"
            else:
                state = "08000"
            fix = _PG_FIXES[state[:2]]
    elif target.kind == "spark":
        fix = _PG_FIXES.get(_spark_state(error))
    elif target.kind == "duckdb":
        if isinstance(error, duckdb.CatalogException):
            fix = _PG_FIXES["42P01"]
        elif isinstance(error, duckdb.ParserException):
            fix = _PG_FIXES["42601"]
        elif isinstance(error, duckdb.BinderException):
            fix = _PG_FIXES["42703"]
        elif isinstance(error, duckdb.OutOfRangeException | duckdb.ConversionException):
            fix = _PG_FIXES["22003"]
        elif connecting:
            fix = (
                "check that the file is a DuckDB database and that no other program holds "
                "it open for writing"
            )
    if fix is None:
        fix = (
            "check data.sql.url and the credentials in the environment"
            if at_url
            else "run data.sql.query on its own in the database to see the problem, then fix it"
        )
    where = "data.sql.url" if at_url else "data.sql.query"
    return data_error(experiment, where, f"the database ({target.shown}) said: {message}", fix)


def _database_errors() -> tuple[type[BaseException], ...]:
    """Every error an engine raises about a query or a connection."""
    errors: list[type[BaseException]] = [duckdb.Error]
    try:
        from sqlalchemy.exc import DBAPIError

        errors.append(DBAPIError)
    except ImportError:  # pragma: no cover - depends on the install
        pass
    try:
        with quiet_pyspark():
            from py4j.protocol import Py4JError
            from pyspark.errors import PySparkException

        errors += [PySparkException, Py4JError]
    except ImportError:  # Spark is optional
        pass
    return tuple(errors)


# --- connecting: each engine's rows ------------------------------------------------------


def _pg_type_names(connection: Any, sql: str) -> list[tuple[str, str]]:
    result = connection.exec_driver_sql(f"SELECT * FROM ({sql}) AS rows LIMIT 0")
    cursor = result.cursor
    description = cursor.description if cursor is not None else []
    types = connection.connection.driver_connection.adapters.types
    named = []
    for column in description or []:
        info = types.get(column.type_code)
        named.append((column.name, info.name if info is not None else "text"))
    result.close()
    return named


def _pg_execute(connection: Any) -> Any:
    def execute(sql: str) -> Records:
        return [dict(row._mapping) for row in connection.exec_driver_sql(sql)]

    return execute


@contextmanager
def _postgres_rows(experiment: Experiment, target: Target, query: exp.Query) -> Iterator[Rows]:
    """A read-only PostgreSQL transaction (SQLAlchemy 2 + psycopg 3)."""
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.pool import NullPool
    except ImportError:  # pragma: no cover - depends on the install
        raise data_error(
            experiment,
            "data.sql.url",
            "PostgreSQL sources need the sqlalchemy and psycopg packages",
            "pip install 'sqlalchemy>=2' 'psycopg[binary]>=3.1'",
        ) from None
    from sqlalchemy.engine import make_url

    connect_args: dict[str, Any] = {"application_name": "relevance"}
    if "connect_timeout" not in make_url(target.url).query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    engine = create_engine(target.url, poolclass=NullPool, connect_args=connect_args)
    try:
        try:
            connection = engine.connect().execution_options(
                postgresql_readonly=True, no_parameters=True
            )
        except DBAPIError as exc:
            raise _database_error(experiment, target, exc, connecting=True) from None
        try:
            sql = query.sql(dialect="postgres")
            table = rows_table(
                "postgresql", _wrapped(experiment, target, _pg_type_names, connection, sql)
            )
            yield Rows("postgresql", table, _pg_execute(connection), target.shown, query)
        finally:
            connection.close()
    finally:
        engine.dispose()


def _wrapped(experiment: Experiment, target: Target, function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except _database_errors() as exc:
        raise _database_error(experiment, target, exc, connecting=False) from None


@contextmanager
def _duckdb_rows(experiment: Experiment, target: Target, query: exp.Query) -> Iterator[Rows]:
    """A DuckDB database file, read-only, with no way out to the file system."""
    try:
        connection = duckdb.connect(target.url, read_only=True, config=DUCKDB_READ_ONLY)
    except duckdb.Error as exc:
        raise _database_error(experiment, target, exc, connecting=True) from None

    def execute(sql: str) -> Records:
        cursor = connection.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    try:
        described = _wrapped(
            experiment,
            target,
            lambda: connection.execute(f"DESCRIBE {query.sql(dialect='duckdb')}").fetchall(),
        )
        table = rows_table("duckdb", [(str(r[0]), str(r[1])) for r in described])
        yield Rows("duckdb", table, execute, target.shown, query)
    finally:
        connection.close()


@contextmanager
def _spark_rows(experiment: Experiment, target: Target, query: exp.Query) -> Iterator[Rows]:
    """A Spark session (the active one, a local one, a cluster's or Spark Connect)."""
    try:
        with quiet_pyspark():
            import pyspark  # noqa: F401
    except ImportError:
        raise data_error(
            experiment,
            "data.sql.url",
            "Spark sources need the pyspark package (and Java 17 or later)",
            "pip install pyspark (for sc:// also pyspark[connect]); a Java runtime: "
            "apt-get install openjdk-17-jre-headless",
        ) from None
    master, conf, remote = spark_settings(target.url)
    try:
        session = spark_session(master, conf, remote)
    except Exception as exc:  # no Java, a cluster that cannot be reached, a bad setting
        raise _database_error(experiment, target, exc, connecting=True) from None
    sql = query.sql(dialect="spark")
    table = rows_table("spark", _wrapped(experiment, target, spark_types, session, sql))
    yield Rows("spark", table, spark_execute(session), target.shown, query)


@contextmanager
def _warehouse_rows(experiment: Experiment, target: Target, query: exp.Query) -> Iterator[Rows]:
    """Snowflake, BigQuery, Databricks or Trino through Ibis's connection to it."""
    import ibis

    try:
        backend = _warehouse_backend(ibis, target)
    except ImportError:
        raise data_error(
            experiment,
            "data.sql.url",
            f"{target.kind} sources need Ibis's {target.kind} driver, which is not installed",
            f"pip install 'ibis-framework[{target.kind}]' (or 'relevance[{target.kind}]')",
        ) from None
    except Exception as exc:
        raise _database_error(experiment, target, exc, connecting=True) from None
    try:
        sql = query.sql(dialect=target.kind)
        try:
            table = ibis_backend_table(backend, sql)
        except Exception as exc:
            raise _database_error(experiment, target, exc, connecting=False) from None
        yield Rows(target.kind, table, ibis_backend_execute(backend), target.shown, query)
    finally:
        disconnect = getattr(backend, "disconnect", None)
        if disconnect is not None:
            disconnect()


def _warehouse_backend(ibis: Any, target: Target) -> Any:
    if target.kind != "databricks":
        return ibis.connect(target.url)
    parts = urlsplit(target.url)
    settings = dict(parse_qsl(parts.query))
    return ibis.databricks.connect(
        server_hostname=parts.hostname,
        http_path=parts.path or None,
        access_token=unquote(parts.password)
        if parts.password
        else os.environ.get("DATABRICKS_TOKEN"),
        catalog=settings.get("catalog"),
        schema=settings.get("schema", "default"),
    )


_OPENERS = {
    "postgresql": _postgres_rows,
    "duckdb": _duckdb_rows,
    "spark": _spark_rows,
    **dict.fromkeys(WAREHOUSES, _warehouse_rows),
}


def _needed_columns(experiment: Experiment) -> list[str]:
    data = experiment.data
    needed = [data.arm, *experiment.segments, *experiment.adjust_for]
    needed += [m.column for m in experiment.metrics]
    needed += [c for c in (data.sent, data.delivered) if c]
    return list(dict.fromkeys(needed))


@contextmanager
def sql_rows(experiment: Experiment) -> Iterator[Rows]:
    """The rows of ``data.sql`` where they live; every configured column checked.

    Database errors become a :class:`DataError` naming the experiment file,
    ``data.sql.url`` or ``data.sql.query``, the database's message and a fix.
    """
    target = resolve_target(experiment)
    query = parsed_query(experiment, target)
    with _OPENERS[target.kind](experiment, target, query) as opened:
        rows, absent = with_columns(opened, _wanted_columns(experiment, opened))
        if absent:
            present = list(opened.table.columns)
            raise data_error(
                experiment,
                "data.sql.query",
                f"the query returns no column {', '.join(repr(c) for c in absent)} "
                f"(it returns {', '.join(repr(c) for c in present) or 'no columns'})",
                "select the columns the experiment names (data.arm, segments, metrics[].column"
                + (", data.sent" if experiment.data.sent in absent else "")
                + (", data.delivered" if experiment.data.delivered in absent else "")
                + (", adjust_for" if set(experiment.adjust_for) & set(absent) else "")
                + "), renaming with AS where needed, e.g. SELECT variant AS arm",
            )
        try:
            yield rows
        except _database_errors() as exc:
            raise _database_error(experiment, target, exc, connecting=False) from None


def _wanted_columns(experiment: Experiment, rows: Rows) -> list[str]:
    """The columns the experiment reads. A unit id the query lacks is not one: the row checks
    then say that duplicated recipients were not checked."""
    wanted = _needed_columns(experiment)
    unit = experiment.data.unit_id
    if unit is not None and unit not in wanted:
        present = {c.casefold() for c in rows.table.columns}
        if unit.casefold() in present:
            wanted.append(unit)
    return wanted


def load_sql_cells(experiment: Experiment) -> tuple[pd.DataFrame, list[AmountCap]]:
    """Aggregate the rows of ``data.sql`` into cells where they live (one GROUP BY).

    Returns the same columns as :func:`relevance.io.files.aggregate_file`, one row per cell,
    sorted by arm and segments.
    """
    with sql_rows(experiment) as rows:
        return aggregate_rows(experiment, rows)


def sql_fingerprint(experiment: Experiment) -> str:
    """Identity of a SQL source's data: url (no secrets), query and a cheap scan.

    The scan counts rows and sums each metric exactly, so new rows and late outcomes both
    change it, and the same data gives the same numbers whatever the plan.
    """
    source = experiment.data.sql
    assert source is not None
    target = resolve_target(experiment)
    digest = hashlib.sha256()
    digest.update(target.shown.encode())
    if target.kind == "postgresql":
        for name in LIBPQ_IDENTITY:
            digest.update(f"{name}={os.environ.get(name, '')};".encode())
    digest.update(source.query.encode())
    with sql_rows(experiment) as rows:
        values = rows.fetch_one(fingerprint_expression(experiment, rows.table))
    digest.update(";".join(f"{k}={v}" for k, v in sorted(values.items())).encode())
    return digest.hexdigest()[:16]


@contextmanager
def second_query_session(
    experiment: Experiment, query: str | None, field: str
) -> Iterator[tuple[Callable[[str], list[tuple[Any, ...]]], str, str | None]]:
    """A read-only session on ``data.sql``'s database for a second query (survey answers).

    Yields ``fetch(sql)``, the experiment's rows and `query` (refused unless it is one
    read-only SELECT) as relations in brackets; errors name `field` and the database's words.
    """
    target = resolve_target(experiment)
    answers = None
    if query is not None:
        try:
            answers = f"(\n{read_only_select(query, target.kind)}\n)"
        except UnsafeQuery as error:
            raise data_error(
                experiment,
                field,
                f"the query is refused: {error}",
                "write one SELECT of the respondent id and the answer; relevance only reads",
            ) from None
    with sql_rows(experiment) as rows:

        def fetch(sql: str) -> list[tuple[Any, ...]]:
            try:
                return [tuple(record.values()) for record in rows.execute(sql)]
            except _database_errors() as exc:
                error = _database_error(experiment, target, exc, connecting=False)
                raise data_error(experiment, field, error.problem, error.fix) from None

        yield fetch, f"({rows.sql(rows.table)})", answers
