"""Where the rows live: ``data.sql.url`` read into a :class:`Target`, credentials from the
environment.

A url names PostgreSQL, a DuckDB database file, Spark or a cloud warehouse (Snowflake,
BigQuery, Databricks, Trino). ``${VAR}`` is replaced by the environment variable at run time
and remembered as a secret, so no message ever shows it; a literal password in the url is
refused, because experiment files are shared and committed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl
from urllib.parse import quote as percent_encode

from relevance.config import Experiment
from relevance.errors import DataError

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
LIBPQ_IDENTITY = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")
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
Kind = Literal["postgresql", "duckdb", "spark", "snowflake", "bigquery", "databricks", "trino"]
WAREHOUSES = ("snowflake", "bigquery", "databricks", "trino")
"""Reached through Ibis's own connections; each needs its extra: ibis-framework[snowflake]."""
SUPPORTED = (
    "use postgresql://..., a DuckDB file (duckdb:///path/to.db), Spark (spark://, "
    "spark://local[4], sc://host:15002), snowflake://, bigquery://, databricks:// or trino://"
)


@dataclass(frozen=True)
class Target:
    """A database to query: ``url`` may hold secrets, ``shown`` never does."""

    kind: Kind
    url: str
    shown: str
    secrets: tuple[str, ...] = ()

    def scrub(self, text: str) -> str:
        """`text` without any secret this target knows, nor a password inside a url."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)


def data_error(experiment: Experiment, where: str, problem: str, fix: str) -> DataError:
    return DataError(experiment.source, where, problem, fix)


def _expand(experiment: Experiment, text: str, encode: bool = False) -> tuple[str, list[str]]:
    """Replace ``${VAR}`` by the environment's value; returns the text and the values used."""
    used: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise data_error(
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


def _reject_literal_password(
    experiment: Experiment, userinfo: str | None, rest: str, scheme: str = "postgresql"
) -> None:
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
        raise data_error(
            experiment,
            "data.sql.url",
            "the url contains a literal password; experiment files are shared and committed",
            (
                "remove the password from the url and set it in the environment: PGPASSWORD "
                "(with a url like postgresql://user@host/db or just postgresql://), or write "
                "postgresql://user:${DB_PASSWORD}@host/db and export DB_PASSWORD"
            )
            if scheme.startswith("postgres")
            else f"write {scheme}://user:${{DB_PASSWORD}}@... and export DB_PASSWORD in the "
            "environment that runs relevance",
        )


def _duckdb_target(experiment: Experiment, location: str) -> Target:
    expanded, _ = _expand(experiment, location)
    path = Path(expanded).expanduser()
    if not path.is_absolute():
        path = experiment.resolve(path)
    if not path.exists():
        raise data_error(
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
        raise data_error(
            experiment,
            "data.sql.url",
            f"not a database url: {Target('postgresql', raw, raw).scrub(raw)!r}",
            "write postgresql://[user@][host[:port]]/database, or a DuckDB file as "
            "duckdb:///path/to.db (or a path ending in .duckdb or .db)",
        )
    scheme = match.group("scheme").lower()
    base = scheme.split("+")[0]
    userinfo, rest = match.group("user"), match.group("rest")
    if base in ("spark", "sc"):
        return _spark_target(experiment, raw)
    if base not in ("postgresql", "postgres", *WAREHOUSES):
        raise data_error(
            experiment,
            "data.sql.url",
            f"unsupported database {scheme!r}",
            f"{SUPPORTED}; for another engine, export the rows to Parquet and use data.path",
        )
    _reject_literal_password(experiment, userinfo, rest, base)
    if base in WAREHOUSES:
        return _warehouse_target(experiment, base, userinfo, rest)
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
        raise data_error(
            experiment,
            "data.sql.url",
            f"cannot read the url: {exc}",
            "write postgresql://[user@][host[:port]]/database[?sslmode=require]",
        ) from None
    shown = url.render_as_string(hide_password=True)
    if not url.host:
        libpq = [f"{v}={os.environ[v]}" for v in LIBPQ_IDENTITY if os.environ.get(v)]
        shown += f" with {' '.join(libpq)}" if libpq else " (libpq defaults)"
    known = tuple(s for s in secrets if s)
    shown = Target("postgresql", "", "", known).scrub(shown)
    return Target("postgresql", url.render_as_string(hide_password=False), shown, known)


def _spark_target(experiment: Experiment, raw: str) -> Target:
    """``spark://[master][?conf]`` or ``sc://host:port`` (Spark Connect)."""
    url, secrets = _expand(experiment, raw)
    shown = Target("spark", "", "", tuple(secrets)).scrub(url)
    return Target("spark", url, shown, tuple(s for s in secrets if s))


def spark_settings(url: str) -> tuple[str | None, dict[str, str], str | None]:
    """The master (None: the active session or local[*]), settings and Spark Connect url."""
    if url.lower().startswith("sc://"):
        return None, {}, url
    location, _, query = url.split("://", 1)[1].partition("?")
    location = location.rstrip("/")
    conf = dict(parse_qsl(query, keep_blank_values=True))
    if not location:
        return None, conf, None
    master = (
        location if location.lower().startswith(("local", "yarn", "k8s")) else url.split("?")[0]
    )
    return master, conf, None


def _warehouse_target(experiment: Experiment, kind: str, userinfo: str | None, rest: str) -> Target:
    """A cloud warehouse url with ``${VAR}`` expanded; the password never shown."""
    secrets: list[str] = []
    credentials = ""
    if userinfo is not None:
        user, _, password = userinfo.partition(":")
        credentials, _ = _expand(experiment, user, encode=True)
        if password:
            password, used = _expand(experiment, password, encode=True)
            secrets += used
            credentials += f":{password}"
        credentials += "@"
    rest, used = _expand(experiment, rest)
    secrets += [v for k, v in parse_qsl(rest.partition("?")[2]) if "password" in k.lower()]
    known = tuple(s for s in secrets if s)
    url = f"{kind}://{credentials}{rest}"
    return Target(kind, url, Target(kind, "", "", known).scrub(url), known)  # type: ignore[arg-type]
