"""Real engines for tests: a PostgreSQL schema and a local Spark session, with loaders.

PostgreSQL needs a server (``bash .ci/postgres.sh /tmp/pg.env && . /tmp/pg.env``); Spark needs
pyspark and a Java runtime (17 or later). Tests that use them are skipped with the reason when
they are absent, and fail instead when RELEVANCE_REQUIRE_POSTGRES / RELEVANCE_REQUIRE_SPARK
is set (as in CI).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from relevance.io.identifiers import quote

SPARK_SETTINGS = {
    "spark.sql.shuffle.partitions": "2",  # a handful of cells: 200 shuffle tasks would dominate
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "1g",
    "spark.sql.session.timeZone": "UTC",
}


def require(kind: str, reason: str | None) -> None:
    """Skip with `reason`, or fail when RELEVANCE_REQUIRE_<KIND> is set."""
    if reason is None:
        return
    variable = f"RELEVANCE_REQUIRE_{kind.upper()}"
    if os.environ.get(variable):
        pytest.fail(f"{variable} is set but {reason}")
    pytest.skip(reason)


def postgres_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None."""
    if not os.environ.get("PGHOST"):
        return "PGHOST is not set: start a server with `bash .ci/postgres.sh /tmp/pg.env && . /tmp/pg.env`"
    try:
        import psycopg

        psycopg.connect(connect_timeout=5).close()
    except ImportError:
        return "psycopg is not installed: pip install 'psycopg[binary]' sqlalchemy"
    except Exception as exc:  # any connection problem means: no server for these tests
        return f"PostgreSQL at {os.environ['PGHOST']}:{os.environ.get('PGPORT', 5432)} unreachable: {exc}"
    return None


def spark_reason() -> str | None:
    """Why Spark tests cannot run here (no pyspark, no Java 17+), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install pyspark"
    java = shutil.which("java")
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        java = str(Path(home, "bin", "java"))
    if java is None:
        return "no Java runtime: apt-get install openjdk-17-jre-headless"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"`java -version` failed: {done.stderr.strip()[:200]}"
    return None


def postgres_schema() -> Iterator[tuple[Any, str]]:
    """A fresh schema on the test server (a psycopg connection and its name), then dropped."""
    require("postgres", postgres_reason())
    import psycopg

    schema = f"relevance_test_{uuid.uuid4().hex[:10]}"
    connection = psycopg.connect()
    connection.execute(f"CREATE SCHEMA {schema}")
    connection.commit()
    try:
        yield connection, schema
    finally:
        connection.rollback()
        connection.execute(f"DROP SCHEMA {schema} CASCADE")
        connection.commit()
        connection.close()


def spark_session() -> Iterator[Any]:
    """A local Spark session (local[2], two shuffle partitions), stopped afterwards."""
    require("spark", spark_reason())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("relevance-tests")
    for key, value in SPARK_SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _pg_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "bigint" if arrow_type.bit_width > 16 else "smallint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    return "text"


def load_into_postgres(connection: Any, name: str, table: pa.Table) -> None:
    """CREATE TABLE + COPY FROM a CSV rendering of `table` (identifiers quoted)."""
    columns = ", ".join(
        f"{quote(c)} {_pg_type(t)}"
        for c, t in zip(table.column_names, table.schema.types, strict=True)
    )
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} ({columns})")
        names = ", ".join(quote(c) for c in table.column_names)
        with cursor.copy(
            f"COPY {name} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute(f"ANALYZE {name}")
    connection.commit()


def load_csv_into_postgres(connection: Any, name: str, path: Path) -> None:
    """A CSV file as a table of text columns (as DuckDB reads a CSV: every column as text)."""
    with path.open(newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} ({', '.join(f'{quote(c)} text' for c in header)})")
        with cursor.copy(f"COPY {name} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(path.read_bytes())
    connection.commit()


def load_into_spark(session: Any, name: str, path: Path) -> None:
    """A Parquet file (typed) or a CSV file (every column as text) as a Spark temporary view."""
    reader = session.read
    if path.suffix == ".csv":
        frame = reader.option("header", True).option("inferSchema", False).csv(str(path))
    else:
        frame = reader.parquet(str(path))
    frame.createOrReplaceTempView(name)
