"""Rows to cells: DuckDB streams over the source and returns sufficient statistics per cell.

A cell is one arm x segment combination. Models only ever see cells, so an analysis costs the
same for ten thousand or a hundred million recipients. Rows from a file never enter pandas.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from relevance.config import Experiment, MetricConfig
from relevance.errors import DataError

MISSING_LEVEL = "(missing)"

BINARY_STATS = ("n", "ones")
REVENUE_STATS = ("n", "buyers", "sum", "sum_log", "sum_log_sq")
QUALITY_STATS = ("missing", "invalid", "negative")


def quote(identifier: str) -> str:
    """A SQL identifier, quoted so that spaces and quotes in column names are safe."""
    return '"' + identifier.replace('"', '""') + '"'


def stat_column(metric: str, stat: str) -> str:
    """Name of a metric's statistic in a cells table, e.g. ``purchase__ones``."""
    return f"{metric}__{stat}"


def metric_stats(metric: MetricConfig) -> tuple[str, ...]:
    """The sufficient statistics a metric's model needs."""
    return BINARY_STATS if metric.kind == "binary" else REVENUE_STATS


@dataclass(frozen=True)
class Cells:
    """Sufficient statistics per arm x segment cell (the contract between data and models).

    ``frame`` has one row per observed cell: ``arm``, one column per segment, ``n`` recipients,
    and per metric ``<metric>__<stat>`` (binary: n, ones; revenue: n, buyers, sum, sum_log,
    sum_log_sq; plus missing, invalid, negative counts for the data-quality checks).
    """

    frame: pd.DataFrame
    arms: tuple[str, ...]
    segments: tuple[str, ...]
    metrics: tuple[MetricConfig, ...]

    @property
    def recipients(self) -> int:
        """Total recipients over all cells."""
        return int(self.frame["n"].sum())

    def arm_totals(self) -> pd.DataFrame:
        """Statistics summed per arm (segments collapsed), in arm order."""
        totals = self.frame.groupby("arm", observed=True).sum(numeric_only=True)
        return totals.reindex(list(self.arms)).fillna(0)

    def segment_grid(self) -> pd.DataFrame:
        """Every segment combination seen in any arm, with its population weight.

        Weights are shares of all recipients (every arm): randomisation makes each arm's
        segment mix the same, so pooling arms estimates the population mix best.
        """
        if not self.segments:
            return pd.DataFrame({"weight": [1.0]})
        grid = self.frame.groupby(list(self.segments), observed=True)["n"].sum().reset_index()
        grid["weight"] = grid["n"] / grid["n"].sum()
        return grid.drop(columns="n").sort_values(list(self.segments)).reset_index(drop=True)

    def fingerprint(self) -> str:
        """A short hash of the cell statistics: same data, same fingerprint."""
        ordered = self.frame.sort_values(["arm", *self.segments]).reset_index(drop=True)
        digest = hashlib.sha256(ordered.to_csv(index=False).encode()).hexdigest()
        return digest[:16]


def _metric_sql(metric: MetricConfig) -> list[str]:
    """SELECT expressions producing a metric's statistics, robust to bad values."""
    raw = quote(metric.column)
    value = f"TRY_CAST({raw} AS DOUBLE)"
    name = metric.name
    common = [
        f"count(*) FILTER (WHERE {raw} IS NULL) AS {quote(stat_column(name, 'missing'))}",
        f"count(*) FILTER (WHERE {raw} IS NOT NULL AND ({value} IS NULL OR isnan({value}))) "
        f"AS {quote(stat_column(name, 'invalid'))}",
        f"count(*) FILTER (WHERE {value} < 0) AS {quote(stat_column(name, 'negative'))}",
    ]
    if metric.kind == "binary":
        valid = f"{value} IN (0, 1)"
        return [
            f"count(*) FILTER (WHERE {valid}) AS {quote(stat_column(name, 'n'))}",
            f"count(*) FILTER (WHERE {value} = 1) AS {quote(stat_column(name, 'ones'))}",
            *common,
            f"count(*) FILTER (WHERE {raw} IS NOT NULL AND {value} NOT IN (0, 1)) "
            f"AS {quote(stat_column(name, 'nonbinary'))}",
        ]
    valid = f"{value} >= 0 AND NOT isnan({value})"
    positive = f"{value} > 0 AND NOT isinf({value})"
    return [
        f"count(*) FILTER (WHERE {valid}) AS {quote(stat_column(name, 'n'))}",
        f"count(*) FILTER (WHERE {positive}) AS {quote(stat_column(name, 'buyers'))}",
        f"coalesce(sum({value}) FILTER (WHERE {positive}), 0) AS {quote(stat_column(name, 'sum'))}",
        f"coalesce(sum(ln({value})) FILTER (WHERE {positive}), 0) "
        f"AS {quote(stat_column(name, 'sum_log'))}",
        f"coalesce(sum(ln({value}) * ln({value})) FILTER (WHERE {positive}), 0) "
        f"AS {quote(stat_column(name, 'sum_log_sq'))}",
        *common,
    ]


def cells_query(experiment: Experiment, relation: str) -> str:
    """One GROUP BY over `relation` (a table function or subquery) producing the cells."""
    arm = f"trim(CAST({quote(experiment.data.arm)} AS VARCHAR)) AS arm"
    segments = [
        f"coalesce(CAST({quote(s)} AS VARCHAR), '{MISSING_LEVEL}') AS {quote(s)}"
        for s in experiment.segments
    ]
    stats = [e for m in experiment.metrics for e in _metric_sql(m)]
    select = ",\n  ".join([arm, *segments, "count(*) AS n", *stats])
    group = ", ".join(str(i + 1) for i in range(1 + len(experiment.segments)))
    return f"SELECT\n  {select}\nFROM {relation}\nGROUP BY {group}\nORDER BY {group}"


def file_relation(path: Path, file_format: str) -> tuple[str, list[object]]:
    """A DuckDB table function reading `path`, with the path bound as a parameter."""
    kind = file_format
    if kind == "auto":
        kind = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    if kind == "parquet":
        return "read_parquet($1)", [str(path)]
    return "read_csv($1, header = true, auto_detect = true)", [str(path)]


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a bounded memory footprint."""
    con = duckdb.connect(":memory:")
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET preserve_insertion_order = false")
    return con


def aggregate_file(experiment: Experiment, path: Path, file_format: str = "auto") -> pd.DataFrame:
    """Aggregate a CSV or Parquet file of one row per recipient into a cells frame."""
    relation, params = file_relation(path, file_format)
    con = connect()
    try:
        return con.execute(cells_query(experiment, relation), params).df()
    finally:
        con.close()


def to_cells(experiment: Experiment, frame: pd.DataFrame) -> Cells:
    """Wrap a cells frame, with arms ordered holdout first and integer counts."""
    frame = frame.copy()
    frame["arm"] = frame["arm"].astype(str)
    for segment in experiment.segments:
        frame[segment] = frame[segment].astype(str)
    for column in frame.columns:
        if column.endswith(
            ("__n", "__ones", "__buyers", "__missing", "__invalid", "__negative", "__nonbinary")
        ):
            frame[column] = frame[column].astype(np.int64)
    frame["n"] = frame["n"].astype(np.int64)
    return Cells(
        frame=frame.reset_index(drop=True),
        arms=tuple(experiment.arms.all),
        segments=tuple(experiment.segments),
        metrics=tuple(experiment.metrics),
    )


def read_cells_file(experiment: Experiment, path: Path) -> pd.DataFrame:
    """A pre-aggregated cells file (CSV or Parquet), checked for the columns models need."""
    relation, params = file_relation(path, experiment.data.format)
    con = connect()
    try:
        frame = con.execute(f"SELECT * FROM {relation}", params).df()
    finally:
        con.close()
    needed = ["arm", *experiment.segments, "n"]
    for metric in experiment.metrics:
        needed += [stat_column(metric.name, s) for s in metric_stats(metric)]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DataError(
            path,
            f"columns {absent}",
            "missing from the cells file",
            "a cells file needs arm, the segment columns, n and per metric "
            "<metric>__n, <metric>__ones (binary) or <metric>__buyers, __sum, __sum_log, "
            "__sum_log_sq (revenue)",
        )
    for metric in experiment.metrics:
        for stat in QUALITY_STATS:
            if stat_column(metric.name, stat) not in frame.columns:
                frame[stat_column(metric.name, stat)] = 0
    return frame
