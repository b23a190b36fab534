"""Aggregation time per engine: the same campaign as a Parquet file and a CSV file (DuckDB,
embedded), in PostgreSQL and in Spark (a local session).

    .venv/bin/python benchmarks/run.py --only engines [--rows 1000000]

Each engine runs what a `relevance validate` runs on it: the amount caps and the cells (one
GROUP BY, `aggregate`), then the row-level checks (`row checks`), each timed once warm (after
one untimed run, so that Spark's JIT and PostgreSQL's cache are what a second campaign would
find). PostgreSQL needs the libpq variables (PGHOST, ...); Spark needs pyspark and Java.
Prints a Markdown table; an engine that cannot run says why in its row.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from engines import (  # noqa: E402  (tests/engines.py: the same loaders the tests use)
    SPARK_SETTINGS,
    load_into_postgres,
    load_into_spark,
    postgres_reason,
    spark_reason,
)
from relevance.checks.rows import row_checks  # noqa: E402
from relevance.config import load_experiment  # noqa: E402
from relevance.io import simulate  # noqa: E402
from relevance.io.sources import load_cells  # noqa: E402

METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05},
    {"name": "unsubscribe", "kind": "binary", "column": "unsubscribed", "rope": 0.002},
]


def experiment(folder: Path, name: str, data: dict[str, Any]) -> Path:
    content = {
        "name": name,
        "data": {"arm": "arm", "unit_id": "customer_id", "sent": "sent", **data},
        "arms": {"holdout": "holdout", "versions": ["A", "B"]},
        "metrics": METRICS,
        "segments": ["lifecycle_stage", "emails_prior_7d_bucket"],
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return path


def timed(step: Callable[[], object]) -> float:
    step()  # warm: compiled plans, JIT, caches
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def measure(path: Path) -> tuple[str, str, str]:
    loaded = load_experiment(path)
    fingerprint = load_cells(loaded).fingerprint()
    aggregate = timed(lambda: load_cells(loaded))
    checks = timed(lambda: row_checks(loaded))
    return f"{aggregate:.2f} s", f"{checks:.2f} s", fingerprint


def run(rows: int = 1_000_000) -> str:
    work = Path(tempfile.mkdtemp(prefix="relevance-engines-"))
    table = simulate.generate(simulate.preset("demo", recipients=rows, seed=5))
    table = table.replace_schema_metadata(None)
    parquet, csv = work / "rows.parquet", work / "rows.csv"
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv)
    lines = [
        f"Aggregation per engine, {rows:,} recipients (demo preset, 3 metrics, 2 segments, ids "
        "and sent flag); warm times of one run each.",
        "",
        "| engine | aggregate (caps + cells) | row checks | cells fingerprint |",
        "|---|---|---|---|",
    ]
    results: dict[str, tuple[str, ...]] = {}
    results["DuckDB, Parquet file"] = measure(experiment(work, "parquet", {"path": str(parquet)}))
    results["DuckDB, CSV file"] = measure(experiment(work, "csv", {"path": str(csv)}))

    reason = postgres_reason()
    if reason is None:
        import psycopg

        schema = f"relevance_bench_{uuid.uuid4().hex[:8]}"
        connection = psycopg.connect()
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.commit()
        try:
            load_into_postgres(connection, f"{schema}.sends", table)
            query = f"SELECT * FROM {schema}.sends"
            data = {"sql": {"url": "postgresql://", "query": query}}
            results["PostgreSQL (typed columns)"] = measure(experiment(work, "pg", data))
        finally:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
            connection.commit()
            connection.close()
    else:
        results["PostgreSQL"] = (f"not run: {reason}", "", "")

    reason = spark_reason()
    if reason is None:
        from pyspark.sql import SparkSession

        started = time.perf_counter()
        builder = SparkSession.builder.master("local[2]").appName("relevance-bench")
        for key, value in SPARK_SETTINGS.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        start = time.perf_counter() - started
        load_into_spark(session, "sends", parquet)
        data = {"sql": {"url": "spark://", "query": "SELECT * FROM sends"}}
        results[f"Spark local[2] (session start {start:.1f} s)"] = measure(
            experiment(work, "spark", data)
        )
        session.stop()
    else:
        results["Spark"] = (f"not run: {reason}", "", "")
    for engine, (aggregate, checks, fingerprint) in results.items():
        lines.append(f"| {engine} | {aggregate} | {checks} | {fingerprint} |")
    fingerprints = {r[2] for r in results.values() if r[2]}
    lines += [
        "",
        "Same cells on every engine (one fingerprint)."
        if len(fingerprints) == 1
        else f"Cells DIFFER between engines: {sorted(fingerprints)}",
        f"Machine: {os.cpu_count()} cores.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
