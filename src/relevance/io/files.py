"""Row files (CSV, Parquet) read by DuckDB: checked, described and aggregated into cells.

Rows never enter pandas; DuckDB's errors become :class:`DataError` naming the file and the fix.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from relevance.config import Experiment
from relevance.errors import DataError
from relevance.io.cells import AmountCap, stat_column, statistic_type
from relevance.io.identifiers import RELATION, ROW_NUMBER, quote

if TYPE_CHECKING:  # Ibis (and sqlglot under it) loads when rows are read, not on import
    import ibis.expr.types as ir

    from relevance.io.engines import Records, Rows


def shown(path: Path | str) -> str:
    """A path as users should read it: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def file_kind(path: Path, file_format: str = "auto") -> str:
    """``parquet`` or ``csv``: the configured format, else guessed from the file name."""
    if file_format != "auto":
        return file_format
    return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"


def file_relation(
    path: Path, file_format: str, text: bool = False, row_numbers: bool = False
) -> tuple[str, list[object]]:
    """A DuckDB table function reading `path`, with the path bound as a parameter.

    ``text`` reads every CSV column as text, so a stray word deep in a numeric column is a
    counted bad value (with an example row) rather than a type error, and "yes"/"no" are not
    silently read as booleans. ``row_numbers`` adds Parquet's row number (free to read).
    """
    if file_kind(path, file_format) == "parquet":
        numbered = ", file_row_number = true" if row_numbers else ""
        return f"read_parquet($1{numbered})", [str(path)]
    options = ", all_varchar = true" if text else ""
    return f"read_csv($1, header = true, auto_detect = true{options})", [str(path)]


def numbered_rows(path: Path, file_format: str, columns: list[str]) -> tuple[str, list[object]]:
    """A subquery over the file's `columns` plus ``__relevance_row__``, the 1-based row number.

    Parquet reads its row numbers; a CSV numbers rows in file order (header not counted),
    which needs the connection's insertion order preserved.
    """
    relation, params = file_relation(path, file_format, text=True, row_numbers=True)
    selected = ", ".join(quote(c) for c in dict.fromkeys(columns))
    if file_kind(path, file_format) == "parquet":
        number = "file_row_number + 1"
    else:
        number = "row_number() OVER ()"
    return f"(SELECT {number} AS {quote(ROW_NUMBER)}, {selected} FROM {relation}) AS rows", params


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a bounded memory footprint."""
    con = duckdb.connect(":memory:")
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")  # a timestamp with a time zone has its UTC day
    return con


def unit_id_is_default(experiment: Experiment) -> bool:
    """True when `data.unit_id` was not written in the experiment file (``customer_id``).

    A default unit id column that the file lacks is not an error: the duplicate-recipient
    checks are skipped with a warning. A unit id the user named must exist.
    """
    return "unit_id" not in experiment.data.model_fields_set


def unit_column(experiment: Experiment, columns: list[str]) -> str | None:
    """The recipient id column to check, or None (not configured, or a default not in the file)."""
    unit = experiment.data.unit_id
    if unit is None or (unit not in columns and unit_id_is_default(experiment)):
        return None
    return unit


def columns_in_use(
    experiment: Experiment, columns: list[str] | None = None
) -> list[tuple[str, str]]:
    """Every column the experiment reads from a row file, with the config field naming it.

    Given the file's `columns`, a default unit id the file lacks is left out.
    """
    data = experiment.data
    used = [(data.arm, "data.arm")]
    unit = data.unit_id if columns is None else unit_column(experiment, columns)
    if unit:
        used.append((unit, "data.unit_id"))
    if data.sent:
        used.append((data.sent, "data.sent"))
    if data.delivered:
        used.append((data.delivered, "data.delivered"))
    if data.date:
        used.append((data.date, "data.date"))
    used += [(s, f"segments[{i}]") for i, s in enumerate(experiment.segments)]
    used += [(c, f"adjust_for[{i}]") for i, c in enumerate(experiment.adjust_for)]
    used += [(m.column, f"metrics[{i}].column") for i, m in enumerate(experiment.metrics)]
    return used


def check_file(path: Path) -> None:
    """Refuse a data path that is missing, a folder or an empty file, before DuckDB sees it."""
    if not path.exists():
        raise DataError(
            shown(path), None, "the data file does not exist", "check the path and its spelling"
        )
    if path.is_dir():
        inside = sorted(p.name for p in path.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
        found = f" (it holds {', '.join(inside[:5])})" if inside else ""
        raise DataError(
            shown(path),
            None,
            f"this is a folder, not a data file{found}",
            "point `data.path` at one CSV or Parquet file",
        )
    if path.stat().st_size == 0:
        raise DataError(
            shown(path),
            None,
            "the file is empty (0 bytes)",
            "export the data again: a header row with the column names, then one row per recipient",
        )


DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".gz")


def describe(con: duckdb.DuckDBPyConnection, relation: str, params: list[object]) -> list[str]:
    """The file's column names (DuckDB reads only the schema, or a small sample of a CSV)."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()
    return [str(row[0]) for row in rows]


def check_columns(experiment: Experiment, path: Path, columns: list[str]) -> None:
    """Every configured column must be in the file: name each missing one, its field and a fix."""
    used = columns_in_use(experiment, columns)
    if len(columns) == 1 and len(used) > 1 and columns[0] not in dict(used):
        raise _one_column(path, columns[0])
    absent = [(column, field) for column, field in used if column not in columns]
    if not absent:
        return
    listed = ", ".join(f"`{c}`" for c in columns[:25]) + (" ..." if len(columns) > 25 else "")
    folded = {c.casefold().strip(): c for c in columns}
    lines = []
    for column, field in absent:
        close = [folded[column.casefold().strip()]] if column.casefold().strip() in folded else []
        close = close or difflib.get_close_matches(column, columns, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        lines.append(f"`{column}` (set by `{field}`) is not a column of the file{hint}")
    experiment_file = Path(experiment.source).name if experiment.source else "the experiment file"
    fix = (
        f"rename the column in the data, or set the field in {experiment_file} to one of the "
        f"file's columns: {listed}"
    )
    if any(field == "data.unit_id" for _, field in absent):
        fix += " (or `data.unit_id: null` to skip the duplicate-recipient checks)"
    where = "column " + ", ".join(f"`{c}`" for c, _ in absent)
    problem = lines[0] if len(lines) == 1 else "; ".join(lines)
    raise DataError(shown(path), where, problem[0].upper() + problem[1:], fix)


def _one_column(path: Path, name: str) -> DataError:
    """The whole header landed in one column: an unusual delimiter or ragged rows."""
    separators = [c for c in ";:|\t^~#/ " if c in name]
    if "," in name or not separators:
        line, fields, header = _ragged_line(path)
        if line is not None:
            return DataError(
                shown(path),
                f"line {line:,}",
                f"it has {fields} fields but the header has {header}, so the rows "
                f"could not be split into columns (everything landed in one column `{name[:60]}`)",
                "repair that line: quote values that contain commas, or remove extra commas",
            )
    guess = f" (the columns seem to be separated by {separators[0]!r})" if separators else ""
    return DataError(
        shown(path),
        f"column `{name[:60]}`",
        f"the whole header was read as one column{guess}: the file is not comma-, semicolon-, "
        "tab- or |-separated",
        "save the file as comma-separated CSV (or Parquet)",
    )


def _ragged_line(path: Path) -> tuple[int | None, int, int]:
    """The first line whose number of comma-separated fields differs from the header's."""
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as stream:
            reader = csv.reader(stream)
            header = len(next(reader, []))
            for row in reader:
                if row and len(row) != header:
                    return reader.line_num, len(row), header
    except (OSError, csv.Error):
        pass
    return None, 0, 0


def _first_non_utf8_line(path: Path) -> tuple[int, str] | None:
    """The first line that is not valid UTF-8, and how it reads as Latin-1 (Windows-1252)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number, line.decode("cp1252", errors="replace").strip()[:80]
    return None


def _file_starts_with(path: Path, size: int = 4) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(size)
    except OSError:
        return b""


def translate(error: duckdb.Error, path: Path, file_format: str = "auto") -> DataError:
    """A DuckDB error about a data file as a DataError that names the file and the fix."""
    text = str(error)
    lower = text.lower()
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
    line = re.search(r"line: (\d+)", lower)
    where = f"line {int(line.group(1)):,}" if line else None
    start = _file_starts_with(path)
    if start[:2] == b"\x1f\x8b" and not path.name.lower().endswith(".gz"):
        return DataError(
            shown(path),
            None,
            "the file is gzip-compressed but its name does not end in .gz",
            "rename it to end in .csv.gz (DuckDB then decompresses it), or decompress it",
        )
    if "unicode" in lower or "utf-8" in lower or "utf8" in lower:
        bad = _first_non_utf8_line(path) if path.is_file() else None
        if bad is not None:
            where = f"line {bad[0]:,}"
        sample = f" (as Latin-1 it reads {bad[1]!r})" if bad else ""
        return DataError(
            shown(path),
            where,
            f"the file is not UTF-8 text{sample}",
            "save it as UTF-8 (in Excel: 'CSV UTF-8'; or `iconv -f latin1 -t utf-8 in.csv > "
            "out.csv`)",
        )
    unreadable = isinstance(error, duckdb.IOException) or any(
        word in lower for word in ("parquet", "magic bytes", "footer", "thrift", "corrupt")
    )
    if file_kind(path, file_format) == "parquet" and unreadable:
        looks = ""
        if start and start != b"PAR1" and all(32 <= b < 127 or b in b"\r\n\t" for b in start):
            looks = (
                " It looks like text: if it is a CSV file, name it .csv or set `data.format: csv`."
            )
        return DataError(
            shown(path),
            None,
            f"not a readable Parquet file ({first.rstrip('.')}).{looks}",
            "write the Parquet file again (it may be truncated or corrupt), or export CSV instead",
        )
    if isinstance(error, duckdb.OutOfRangeException) or (
        isinstance(error, duckdb.ConversionException)
        and ("decimal" in lower or "out of range" in lower)
    ):
        return DataError(
            shown(path),
            None,
            "an outcome value is too large to add up (an amount above 10^17, or a total above "
            "10^26)",
            "check the metric columns for corrupt or mis-scaled values",
        )
    if "permission denied" in lower:
        return DataError(
            shown(path),
            None,
            "the file cannot be read (permission denied)",
            "check its permissions",
        )
    return DataError(
        shown(path),
        where,
        f"DuckDB could not read the file: {first}",
        "check that it is a CSV file (UTF-8, comma-separated, one header row) or a Parquet file",
    )


@contextmanager
def reading(path: Path, file_format: str = "auto") -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection whose errors about `path` become DataErrors naming file and fix."""
    con = connect()
    try:
        yield con
    except duckdb.Error as error:
        raise translate(error, path, file_format) from error
    finally:
        con.close()


def _records(con: duckdb.DuckDBPyConnection) -> Callable[[str], Records]:
    def execute(sql: str) -> Records:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    return execute


@contextmanager
def file_rows(experiment: Experiment, path: Path, file_format: str = "auto") -> Iterator[Rows]:
    """The rows of a CSV or Parquet file in an in-memory DuckDB, every column checked.

    The file is checked first (exists, is a file, not empty), then its columns (DESCRIBE,
    cheap) against every configured column; DuckDB's errors become DataErrors naming the file.
    """
    from relevance.io.engines import Rows, rows_table

    check_file(path)
    with reading(path, file_format) as con:
        relation, params = file_relation(path, file_format, text=True)
        con.sql(f"SELECT * FROM {relation}", params=params).create_view(RELATION)
        described = con.execute(f"DESCRIBE {quote(RELATION)}").fetchall()
        columns = [str(row[0]) for row in described]
        check_columns(experiment, path, columns)
        types = [(str(row[0]), str(row[1])) for row in described]

        def numbered() -> ir.Table:
            con.execute("SET preserve_insertion_order = true")  # CSV rows in file order
            subquery, params = numbered_rows(path, file_format, columns)
            con.sql(f"SELECT * FROM {subquery}", params=params).create_view(RELATION + "numbered")
            return rows_table("duckdb", [*types, (ROW_NUMBER, "BIGINT")], RELATION + "numbered")

        yield Rows(
            engine="duckdb",
            table=rows_table("duckdb", types),
            execute=_records(con),
            name=shown(path),
            numbered=numbered,
        )


def aggregate_rows(experiment: Experiment, rows: Rows) -> tuple[pd.DataFrame, list[AmountCap]]:
    """The cells of `rows` (one GROUP BY in their engine) and the amount caps applied.

    Revenue amounts far beyond the bulk are capped (:func:`amount_caps`, one or two cheap
    scans first); the caps come back too. Numeric adjust_for columns are cut at their deciles
    (:func:`adjust_buckets`, one or two more).
    """
    from relevance.io.query import (
        adjust_buckets,
        amount_caps,
        cells_columns,
        cells_expression,
        read_cells,
    )

    caps = amount_caps(experiment, rows.table, rows.fetch_one, rows.exact_quantiles)
    buckets = adjust_buckets(experiment, rows.table, rows.fetch_one, rows.exact_quantiles)
    expression = cells_expression(experiment, rows.table, caps, buckets)
    cells = read_cells(experiment, rows.fetch(expression))
    return pd.DataFrame.from_records(cells, columns=cells_columns(experiment)), caps


def aggregate_file(
    experiment: Experiment, path: Path, file_format: str = "auto"
) -> tuple[pd.DataFrame, list[AmountCap]]:
    """Aggregate a CSV or Parquet file of one row per recipient into a cells frame.

    The file and its columns are checked first (:func:`file_rows`); DuckDB's errors become
    DataErrors. Revenue amounts far beyond the bulk are capped; the caps come back too.
    """
    with file_rows(experiment, path, file_format) as rows:
        frame, caps = aggregate_rows(experiment, rows)
        columns = list(rows.table.columns)
    if frame.empty:
        raise DataError(
            shown(path),
            None,
            f"the file has no data rows (only the columns {', '.join(columns[:10])})",
            "export the data again with one row per recipient",
        )
    return frame, caps


def read_cells_file(experiment: Experiment, path: Path) -> pd.DataFrame:
    """A pre-aggregated cells file (CSV or Parquet), checked for the columns models need."""
    check_file(path)
    relation, params = file_relation(path, experiment.data.format)
    with reading(path, experiment.data.format) as con:
        frame = con.execute(f"SELECT * FROM {relation}", params).df()
    needed = ["arm", *experiment.segments, *experiment.adjust_for, "n"]
    for metric in experiment.metrics:
        needed += [stat_column(metric.name, s) for s in statistic_type(metric).names()]
    if experiment.data.delivered:
        needed.append("delivered")
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DataError(
            shown(path),
            f"columns {absent}",
            "missing from the cells file",
            "a cells file needs arm, the segment columns, n and per metric "
            "<metric>__n, <metric>__ones (binary) or <metric>__buyers, __sum, __sum_log, "
            "__sum_log_sq, __sum_sq (revenue); with adjust_for its columns, with data.delivered "
            "a delivered count",
        )
    return frame  # quality counts a cells file lacks are read as zero
