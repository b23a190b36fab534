"""A user's SQL query is one read-only SELECT, checked by parsing before it reaches any engine.

``data.sql.query`` is embedded in relevance's own aggregation as a subquery. Text that closes
that bracket and starts a statement of its own (``...) AS x; COPY ...``), a statement that
writes (``INSERT``, ``COPY``, ``ATTACH``, ``SET``, ``SELECT ... INTO``, ``FOR UPDATE``), or a
table function that reads files or other databases (``read_csv('/etc/passwd')``, a path as a
table name, ``pg_read_file``) is refused here, with one message naming ``data.sql.query``.
The query is parsed with sqlglot in the engine's dialect and the engine receives sqlglot's
rendering of the parsed tree, never the raw text, so what was checked is what runs.
Engines are also opened read-only (a read-only DuckDB file with external access disabled,
a read-only PostgreSQL transaction): this check is the first of two walls, not the only one.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

SAFE_TABLE_FUNCTIONS = frozenset(
    {"unnest", "generate_series", "exploding_generate_series", "range"}
)
"""Table functions that only compute: every other table function may read files or databases."""

FORBIDDEN_FUNCTIONS = re.compile(
    r"^(read_.*|.*_scan|glob|sniff_csv|query|query_table|iceberg_.*|delta_.*|st_read|"
    r"pg_read_.*|pg_ls_.*|pg_stat_file|lo_.*|dblink.*|pg_sleep.*|pg_terminate_backend|"
    r"pg_cancel_backend|set_config|current_setting|getenv|load_extension|"
    r"reflect|try_reflect|java_method|external_query|system\$.*)$",
    re.IGNORECASE,
)
"""Scalar or table functions that read files, reach other databases, wait, change settings,
or call into the engine's runtime (Spark's reflect/java_method, BigQuery's external_query)."""

WRITING = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Copy,
    exp.Command,
    exp.Into,
    exp.Lock,
    exp.Set,
    exp.Pragma,
    exp.Attach,
    exp.Detach,
    exp.Merge,
    exp.Use,
)
"""Expressions that write, lock, attach, load or change settings, wherever they appear."""

DIALECTS = {
    "duckdb": "duckdb",
    "postgresql": "postgres",
    "spark": "spark",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "trino": "trino",
}
"""Each engine's SQL dialect in sqlglot: a query is parsed as the engine would read it."""


class UnsafeQuery(ValueError):
    """The query is not one read-only SELECT: the message says what was found."""


def _function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name)
    return str(node.sql_name() if hasattr(node, "sql_name") else type(node).__name__)


def _refuse_node(node: exp.Expression) -> None:
    if isinstance(node, WRITING):
        kind = type(node).__name__.upper()
        raise UnsafeQuery(f"it contains {kind}, which is not a read-only SELECT")
    if isinstance(node, exp.Table):
        target = node.this
        if isinstance(target, exp.Func):
            name = _function_name(target).lower()
            if name not in SAFE_TABLE_FUNCTIONS:
                raise UnsafeQuery(
                    f"it reads from the table function {name}(...), which can read files or "
                    "other databases; query tables of the database instead"
                )
        elif isinstance(target, exp.Literal) or re.search(r"[/\\:]|\.\w{2,7}$", node.name):
            raise UnsafeQuery(
                f"the table name {node.name[:60]!r} looks like a file or url; "
                "query tables of the database instead"
            )
    if isinstance(node, exp.Func) and FORBIDDEN_FUNCTIONS.match(_function_name(node)):
        raise UnsafeQuery(f"it calls {_function_name(node).lower()}(...), which is not allowed")


def read_only_select(query: str, engine: str) -> str:
    """The query rendered from its parse tree, if it is one read-only SELECT in `engine`'s SQL.

    Raises :class:`UnsafeQuery` otherwise (the caller names the field and the fix).
    """
    return read_only_tree(query, engine).sql(dialect=DIALECTS[engine])


def read_only_tree(query: str, engine: str) -> exp.Query:
    """The query's parse tree, if it is one read-only SELECT in `engine`'s SQL (else
    :class:`UnsafeQuery`): the engine receives SQL rendered from this tree, never the text."""
    dialect = DIALECTS[engine]
    text = query.strip().rstrip(";").strip()
    if not text:
        raise UnsafeQuery("the query is empty")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except ParseError as error:
        place = error.errors[0] if error.errors else {}
        where = f" near line {place.get('line')}, column {place.get('col')}" if place else ""
        raise UnsafeQuery(f"it is not valid SQL (a syntax error{where})") from None
    if len(statements) != 1:
        raise UnsafeQuery(f"it holds {len(statements)} statements; give exactly one SELECT")
    (tree,) = statements
    if not isinstance(tree, exp.Query):
        kind = type(tree).__name__.upper()
        article = "an" if kind[0] in "AEIOU" else "a"
        raise UnsafeQuery(f"it is {article} {kind} statement, not a SELECT")
    for node in tree.walk():
        _refuse_node(node)
    return tree
