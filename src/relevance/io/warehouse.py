"""SQL sources: the rows stay in the database and only the cells come back.

``data: {sql: {url: ..., query: "SELECT ..."}}`` names a database and a SELECT returning one
row per recipient. :func:`load_sql_cells` wraps the query as a subquery and runs the same
single GROUP BY that :mod:`relevance.io.files` runs over files, *inside* the database, so a
campaign of any size ships one row per arm x segment cell.

Databases:

- PostgreSQL (``postgresql://...``), through SQLAlchemy 2 and psycopg 3, in a read-only
  transaction. ``postgresql://`` alone uses the libpq variables (PGHOST, PGPORT, PGUSER,
  PGPASSWORD, PGDATABASE) or ``~/.pgpass``.
- DuckDB database files (``duckdb:///relative/to/experiment.db``, ``duckdb:////absolute.db``
  or a bare path ending in ``.duckdb``/``.db``), opened read-only with the duckdb package.

Credentials never live in the experiment file: ``${VAR}`` in the url is replaced by the
environment variable at run time, and a url with a literal password is rejected.

The cells SQL is :func:`relevance.io.query.cells_query`, rendered with the database's
:class:`~relevance.io.query.Dialect`, so every source yields the same statistics.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl
from urllib.parse import quote as percent_encode

import duckdb
import pandas as pd

from relevance.config import Experiment
from relevance.errors import DataError
from relevance.io.cells import AmountCap
from relevance.io.query import (
    DUCKDB,
    POSTGRES,
    ColumnKind,
    Dialect,
    PostgresDialect,
    adjust_buckets,
    amount_caps,
    cells_columns,
    cells_query,
    fingerprint_query,
)
from relevance.io.readonly import UnsafeQuery, read_only_select

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


# PostgreSQL type OIDs whose values cast to double precision without a text round trip.
_PG_NUMBER_TYPES = {20, 21, 23, 26, 700, 701, 1700}  # int8 int2 int4 oid float4 float8 numeric
_PG_BOOLEAN_TYPES = {16}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LIBPQ_IDENTITY = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")
CONNECT_TIMEOUT_SECONDS = 15
DUCKDB_READ_ONLY = {
    "memory_limit": "1GB",
    "preserve_insertion_order": False,
    "enable_external_access": False,  # no file reads or writes, no ATTACH, no extensions
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,  # no SET can undo the above
}
"""A DuckDB database file is opened read-only with no way out to the file system."""


@dataclass(frozen=True)
class Target:
    """A database to query: ``url`` may hold secrets, ``shown`` never does."""

    kind: Literal["postgresql", "duckdb"]
    url: str
    shown: str
    secrets: tuple[str, ...] = ()

    def scrub(self, text: str) -> str:
        """`text` without any secret this target knows, nor a password inside a url."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)


def _fail(experiment: Experiment, where: str, problem: str, fix: str) -> DataError:
    return DataError(experiment.source, where, problem, fix)


def _expand(experiment: Experiment, text: str, encode: bool = False) -> tuple[str, list[str]]:
    """Replace ``${VAR}`` by the environment's value; returns the text and the values used."""
    used: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise _fail(
                experiment,
                "data.sql.url",
                f"environment variable {name} is not set (the url refers to ${{{name}}})",
                f"export {name}=... in the shell or CI job that runs relevance; credentials "
                "come from the environment, never from the experiment file",
            )
        used.append(os.environ[name])
        return percent_encode(os.environ[name], safe="") if encode else os.environ[name]

    return _ENV_REFERENCE.sub(value, text), used


def _only_reference(text: str) -> bool:
    return _ENV_REFERENCE.fullmatch(text) is not None


def _reject_literal_password(experiment: Experiment, userinfo: str | None, rest: str) -> None:
    literal = userinfo is not None and ":" in userinfo
    if literal and _only_reference(userinfo.split(":", 1)[1]):
        literal = False
    if not literal:
        query = rest.split("?", 1)[1] if "?" in rest else ""
        literal = any(
            key.lower() == "password" and not _only_reference(value)
            for key, value in parse_qsl(query, keep_blank_values=True)
        )
    if literal:
        raise _fail(
            experiment,
            "data.sql.url",
            "the url contains a literal password; experiment files are shared and committed",
            "remove the password from the url and set it in the environment: PGPASSWORD "
            "(with a url like postgresql://user@host/db or just postgresql://), or write "
            "postgresql://user:${DB_PASSWORD}@host/db and export DB_PASSWORD",
        )


def _duckdb_target(experiment: Experiment, location: str) -> Target:
    expanded, _ = _expand(experiment, location)
    path = Path(expanded).expanduser()
    if not path.is_absolute():
        path = experiment.resolve(path)
    if not path.exists():
        raise _fail(
            experiment,
            "data.sql.url",
            f"DuckDB database file {path} does not exist",
            "check the path: duckdb:///relative/path.db is read from the experiment file's "
            "folder, duckdb:////absolute/path.db (four slashes) is absolute",
        )
    return Target("duckdb", str(path), f"duckdb:///{path}")


def resolve_target(experiment: Experiment) -> Target:
    """The database named by ``data.sql.url``, with ``${VAR}`` expanded and checked."""
    source = experiment.data.sql
    assert source is not None
    raw = source.url.strip()
    if raw.lower().startswith("duckdb:"):
        return _duckdb_target(experiment, re.sub(r"^duckdb:(///?)?", "", raw, flags=re.I))
    match = re.fullmatch(
        r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:(?P<user>.*)@)?(?P<rest>.*)", raw
    )
    if match is None:
        if raw.lower().endswith((".duckdb", ".db")):
            return _duckdb_target(experiment, raw)
        raise _fail(
            experiment,
            "data.sql.url",
            f"not a database url: {Target('postgresql', raw, raw).scrub(raw)!r}",
            "write postgresql://[user@][host[:port]]/database, or a DuckDB file as "
            "duckdb:///path/to.db (or a path ending in .duckdb or .db)",
        )
    scheme = match.group("scheme").lower()
    if scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise _fail(
            experiment,
            "data.sql.url",
            f"unsupported database {scheme!r}",
            "use PostgreSQL (postgresql://...) or a DuckDB file (duckdb:///path/to.db); "
            "for another warehouse, export the rows to Parquet and use data.path",
        )
    userinfo, rest = match.group("user"), match.group("rest")
    _reject_literal_password(experiment, userinfo, rest)
    secrets: list[str] = [os.environ.get("PGPASSWORD", "")]
    credentials = ""
    if userinfo is not None:
        user, _, password = userinfo.partition(":")
        user, _ = _expand(experiment, user, encode=True)
        credentials = user
        if password:
            password, used = _expand(experiment, password, encode=True)
            secrets += used
            credentials += f":{password}"
        credentials += "@"
    query = rest.split("?", 1)[1] if "?" in rest else ""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if "password" in key.lower():
            secrets += _expand(experiment, value)[1]
    rest, _ = _expand(experiment, rest)

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(f"postgresql+psycopg://{credentials}{rest}")
    except (ArgumentError, ValueError) as exc:
        raise _fail(
            experiment,
            "data.sql.url",
            f"cannot read the url: {exc}",
            "write postgresql://[user@][host[:port]]/database[?sslmode=require]",
        ) from None
    shown = url.render_as_string(hide_password=True)
    if not url.host:
        libpq = [f"{v}={os.environ[v]}" for v in _LIBPQ_IDENTITY if os.environ.get(v)]
        shown += f" with {' '.join(libpq)}" if libpq else " (libpq defaults)"
    known = tuple(s for s in secrets if s)
    shown = Target("postgresql", "", "", known).scrub(shown)
    return Target("postgresql", url.render_as_string(hide_password=False), shown, known)


def subquery(experiment: Experiment, target: Target) -> str:
    """The user's query as a relation, ``(query) AS rows``, once it is one read-only SELECT.

    The query is parsed in the target's dialect and rendered from its parse tree
    (:mod:`relevance.io.readonly`): text that would break out of the brackets, a statement
    that writes, or a table function that reads files never reaches the database.
    """
    source = experiment.data.sql
    assert source is not None
    try:
        query = read_only_select(source.query, target.kind)
    except UnsafeQuery as error:
        raise _fail(
            experiment,
            "data.sql.query",
            f"the query is refused: {error}",
            "write one SELECT (or WITH ... SELECT) over tables of the database, returning one "
            "row per recipient; relevance only reads",
        ) from None
    # Newlines keep a trailing `-- comment` in the query from swallowing the closing bracket.
    return f"(\n{query}\n) AS rows"


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
}


def _database_message(target: Target, error: BaseException) -> str:
    """The database's own words, without SQL echo lines or secrets."""
    text = str(getattr(error, "orig", None) or error)
    lines = [line.strip() for line in text.splitlines()]
    kept = [line for line in lines if line and not line.startswith(("LINE ", "^", "[SQL:"))]
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
    else:
        at_url = connecting
        fix = None
        if isinstance(error, duckdb.CatalogException):
            fix = _PG_FIXES["42P01"]
        elif isinstance(error, duckdb.ParserException):
            fix = _PG_FIXES["42601"]
        elif isinstance(error, duckdb.BinderException):
            fix = _PG_FIXES["42703"]
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
    return _fail(experiment, where, f"the database ({target.shown}) said: {message}", fix)


class _PostgresSession:
    """A read-only PostgreSQL transaction (SQLAlchemy 2 + psycopg 3)."""

    dialect: Dialect = POSTGRES

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def column_kinds(self, relation: str) -> dict[str, ColumnKind]:
        result = self.connection.exec_driver_sql(f"SELECT * FROM {relation} LIMIT 0")
        description = result.cursor.description if result.cursor is not None else []
        result.close()
        kinds: dict[str, ColumnKind] = {}
        for column in description or []:
            oid = column[1]
            kinds[column[0]] = (
                "number"
                if oid in _PG_NUMBER_TYPES
                else "boolean"
                if oid in _PG_BOOLEAN_TYPES
                else "text"
            )
        return kinds

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.exec_driver_sql(sql).fetchall()]


class _DuckDBSession:
    """A read-only DuckDB connection to a database file."""

    dialect: Dialect = DUCKDB

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    def column_kinds(self, relation: str) -> dict[str, ColumnKind]:
        description = self.connection.execute(f"SELECT * FROM {relation} LIMIT 0").description
        return {column[0]: "text" for column in description or []}

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()


@contextmanager
def _session(experiment: Experiment, target: Target) -> Iterator[_PostgresSession | _DuckDBSession]:
    """Connect (errors name data.sql.url), yield a session, always disconnect."""
    if target.kind == "duckdb":
        try:
            connection = duckdb.connect(target.url, read_only=True, config=DUCKDB_READ_ONLY)
        except duckdb.Error as exc:
            raise _database_error(experiment, target, exc, connecting=True) from None
        try:
            yield _DuckDBSession(connection)
        finally:
            connection.close()
        return

    try:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.pool import NullPool
    except ImportError:  # pragma: no cover - depends on the install
        raise _fail(
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
            yield _PostgresSession(connection)
        finally:
            connection.close()
    finally:
        engine.dispose()


def _database_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [duckdb.Error]
    try:
        from sqlalchemy.exc import DBAPIError

        errors.append(DBAPIError)
    except ImportError:  # pragma: no cover - depends on the install
        pass
    return tuple(errors)


def _needed_columns(experiment: Experiment) -> list[str]:
    return list(
        dict.fromkeys(
            [
                experiment.data.arm,
                *experiment.segments,
                *experiment.adjust_for,
                *([experiment.data.delivered] if experiment.data.delivered else []),
                *(m.column for m in experiment.metrics),
            ]
        )
    )


def _dialect_for(
    experiment: Experiment, session: _PostgresSession | _DuckDBSession, relation: str
) -> Dialect:
    """The session's dialect, told the kind of each column; checks the columns exist."""
    kinds = session.column_kinds(relation)
    if session.dialect is DUCKDB:  # DuckDB matches identifiers regardless of case
        present = {c.lower() for c in kinds}
        absent = [c for c in _needed_columns(experiment) if c.lower() not in present]
    else:
        absent = [c for c in _needed_columns(experiment) if c not in kinds]
    if absent:
        raise _fail(
            experiment,
            "data.sql.query",
            f"the query returns no column {', '.join(repr(c) for c in absent)} "
            f"(it returns {', '.join(repr(c) for c in kinds) or 'no columns'})",
            "select the columns the experiment names (data.arm, segments, metrics[].column), "
            "renaming with AS where needed, e.g. SELECT variant AS arm",
        )
    if session.dialect is DUCKDB:
        return DUCKDB
    return PostgresDialect(kinds=kinds)


def load_sql_cells(experiment: Experiment) -> tuple[pd.DataFrame, list[AmountCap]]:
    """Aggregate the rows of ``data.sql`` into cells inside the database (one GROUP BY).

    Returns the same columns as :func:`relevance.io.files.aggregate_file`, one row per cell,
    sorted by arm and segments. Database errors become a :class:`DataError` naming the
    experiment file, ``data.sql.url`` or ``data.sql.query``, the database's message and a fix.
    """
    target = resolve_target(experiment)
    relation = subquery(experiment, target)
    keys = ["arm", *experiment.segments, *experiment.adjust_for]
    with _session(experiment, target) as session:
        try:
            dialect = _dialect_for(experiment, session, relation)
            caps = amount_caps(experiment, relation, session.fetch, dialect)
            buckets = adjust_buckets(experiment, relation, session.fetch, dialect)
            rows = session.fetch(cells_query(experiment, relation, dialect, caps, buckets))
        except _database_errors() as exc:
            raise _database_error(experiment, target, exc, connecting=False) from None
    frame = pd.DataFrame.from_records(rows, columns=cells_columns(experiment))
    # One order whatever the database's collation: by code point, as DuckDB sorts.
    return frame.sort_values(keys, kind="stable", ignore_index=True), caps


def sql_fingerprint(experiment: Experiment) -> str:
    """Identity of a SQL source's data: url (no secrets), query and a cheap database scan.

    The scan counts rows and sums each metric, so new rows and late outcomes both change it.
    """
    source = experiment.data.sql
    assert source is not None
    target = resolve_target(experiment)
    relation = subquery(experiment, target)
    digest = hashlib.sha256()
    digest.update(target.shown.encode())
    if target.kind == "postgresql":
        for name in _LIBPQ_IDENTITY:
            digest.update(f"{name}={os.environ.get(name, '')};".encode())
    digest.update(source.query.encode())
    with _session(experiment, target) as session:
        try:
            dialect = _dialect_for(experiment, session, relation)
            values = session.fetch(fingerprint_query(experiment, relation, dialect))[0]
        except _database_errors() as exc:
            raise _database_error(experiment, target, exc, connecting=False) from None
    # Exact fixed-point sums: the same data gives the same numbers whatever the plan.
    digest.update(";".join(repr(v) for v in values).encode())
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
    rows = subquery(experiment, target).removesuffix(" AS rows")
    answers = None
    if query is not None:
        try:
            answers = f"(\n{read_only_select(query, target.kind)}\n)"
        except UnsafeQuery as error:
            raise _fail(
                experiment,
                field,
                f"the query is refused: {error}",
                "write one SELECT of the respondent id and the answer; relevance only reads",
            ) from None
    with _session(experiment, target) as session:

        def fetch(sql: str) -> list[tuple[Any, ...]]:
            try:
                return session.fetch(sql)
            except _database_errors() as exc:
                error = _database_error(experiment, target, exc, connecting=False)
                raise _fail(experiment, field, error.problem, error.fix) from None

        yield fetch, rows, answers
