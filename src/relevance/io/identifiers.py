"""Names in SQL: an identifier quoted, and the names relevance gives its own relation and
columns. Light on purpose (no Ibis, no sqlglot): reading a file's columns needs only these."""

from __future__ import annotations

RELATION = "__relevance_rows__"
"""The name the portable expressions give the rows; the engine's SQL replaces it by the
source (a view of a file, or the user's query as a subquery)."""
ROW_NUMBER = "__relevance_row__"
"""A file's 1-based row number, for example rows (files only: a query's rows have no order)."""


def quote(identifier: str) -> str:
    """A SQL identifier, quoted so that spaces and quotes in column names are safe."""
    return '"' + identifier.replace('"', '""') + '"'
