"""Rows to cells: the DuckDB aggregation against a direct pandas computation, file formats,
awkward column names, and pre-aggregated cells against rows."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import aggregate_frame, write_experiment
from relevance.config import Experiment, load_experiment
from relevance.errors import DataError
from relevance.io.cells import MISSING_LEVEL, Cells
from relevance.io.sources import load_cells
from relevance.pipeline.analysis import analyze
from relevance.results import Results, Uplift

ARMS = ["holdout", "A", "B"]


def campaign_rows(
    rng: np.random.Generator,
    n: int,
    arm: str = "arm",
    stage: str = "stage",
    bucket: str = "bucket",
    purchased: str = "purchased",
    revenue: str = "revenue",
    missing_stage: bool = True,
) -> pd.DataFrame:
    """One row per recipient: arm, two segments, a binary outcome and a hurdle amount."""
    arms = rng.choice(ARMS, size=n, p=[0.2, 0.4, 0.4])
    stages = rng.choice(["new", "loyal", "lapsed"], size=n).astype(object)
    if missing_stage:
        stages[rng.random(n) < 0.02] = None
    buckets = rng.choice(["0", "1", "2", "3+"], size=n)
    rate = np.where(arms == "B", 0.08, 0.05)
    bought = (rng.random(n) < rate).astype(np.int64)
    amounts = np.where(bought == 1, rng.lognormal(3.5, 0.9, size=n), 0.0)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            arm: arms,
            stage: stages,
            bucket: buckets,
            purchased: bought,
            revenue: amounts,
        }
    )


def reference_cells(
    frame: pd.DataFrame,
    arm: str,
    segments: list[str],
    binary: dict[str, str],
    revenue: dict[str, str],
) -> pd.DataFrame:
    """The sufficient statistics per arm x segment cell, computed directly in pandas/numpy."""
    frame = frame.copy()
    for segment in segments:
        frame[segment] = frame[segment].fillna(MISSING_LEVEL).astype(str)
    rows = []
    for key, group in frame.groupby([arm, *segments], dropna=False):
        row: dict[str, object] = dict(zip(["arm", *segments], key, strict=True))
        row["n"] = len(group)
        for name, column in binary.items():
            values = group[column].to_numpy(dtype=float)
            row[f"{name}__n"] = len(values)
            row[f"{name}__ones"] = int((values == 1).sum())
        for name, column in revenue.items():
            values = group[column].to_numpy(dtype=float)
            positive = values[values > 0]
            # Log amounts are summed rounded to 9 decimals (io.query.LOG_DECIMALS).
            logs = np.round(np.log(positive), 9)
            row[f"{name}__n"] = len(values)
            row[f"{name}__buyers"] = len(positive)
            row[f"{name}__sum"] = positive.sum()
            row[f"{name}__sum_log"] = logs.sum()
            row[f"{name}__sum_log_sq"] = (logs**2).sum()
            row[f"{name}__sum_sq"] = (np.exp(logs) ** 2).sum()
        rows.append(row)
    return pd.DataFrame(rows)


def assert_same_cells(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Same cells (rows in any order) with the same statistics; floats to 1e-12 relative
    (sums of squared amounts are exact to 4 decimals per row)."""
    columns = list(expected.columns)
    assert set(columns) <= set(actual.columns), sorted(set(columns) - set(actual.columns))
    left = actual[columns].astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    right = expected.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    assert len(left) == len(right)
    pd.testing.assert_frame_equal(left[keys], right[keys], check_dtype=False)
    for column in columns:
        if column in keys:
            continue
        np.testing.assert_allclose(
            left[column].to_numpy(dtype=float),
            right[column].to_numpy(dtype=float),
            rtol=1e-12,
            atol=1e-4 * len(actual) if column.endswith("__sum_sq") else 1e-9,  # 4 decimals a row
            err_msg=column,
        )


def experiment_for(folder: Path, data: dict[str, object], **columns: str) -> Experiment:
    """An experiment with a binary and a revenue metric over two segment columns."""
    path = write_experiment(
        folder,
        data={"arm": columns.get("arm", "arm"), **data},
        metrics=[
            {
                "name": "purchase",
                "kind": "binary",
                "column": columns.get("purchased", "purchased"),
                "primary": True,
                "rope": 0.001,
            },
            {
                "name": "spend",
                "kind": "revenue",
                "column": columns.get("revenue", "revenue"),
                "rope": 0.05,
            },
        ],
        segments=[columns.get("stage", "stage"), columns.get("bucket", "bucket")],
    )
    return load_experiment(path)


def test_duckdb_cells_match_pandas(tmp_path: Path, rng: np.random.Generator) -> None:
    frame = campaign_rows(rng, 5_000)
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_for(tmp_path, {"path": "rows.parquet"})
    cells = load_cells(experiment)
    expected = reference_cells(
        frame, "arm", ["stage", "bucket"], {"purchase": "purchased"}, {"spend": "revenue"}
    )
    assert_same_cells(cells.to_frame(), expected, ["arm", "stage", "bucket"])
    assert cells.recipients == len(frame)
    assert MISSING_LEVEL in set(cells.to_frame()["stage"])
    totals = cells.arm_totals()
    assert list(totals.index) == ARMS
    for arm in ARMS:
        rows = frame[frame.arm == arm]
        assert totals.loc[arm, "purchase__ones"] == rows.purchased.sum()
        assert totals.loc[arm, "spend__sum"] == pytest.approx(rows.revenue.sum(), rel=1e-12)
    for stat in ("missing", "invalid", "negative"):
        assert (cells.to_frame()[f"spend__{stat}"] == 0).all()


def test_column_names_with_spaces_and_double_quotes(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    names = {
        "arm": 'arm "assigned"',
        "stage": "life stage",
        "bucket": 'emails "prior" 7d',
        "purchased": "bought it?",
        "revenue": 'spend "$" total',
    }
    frame = campaign_rows(rng, 3_000, **names)
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_for(tmp_path, {"path": "rows.parquet"}, **names)
    cells = load_cells(experiment)
    expected = reference_cells(
        frame,
        names["arm"],
        [names["stage"], names["bucket"]],
        {"purchase": names["purchased"]},
        {"spend": names["revenue"]},
    )
    assert_same_cells(cells.to_frame(), expected, ["arm", names["stage"], names["bucket"]])


def test_csv_and_parquet_give_the_same_cells(tmp_path: Path, rng: np.random.Generator) -> None:
    frame = campaign_rows(rng, 4_000)
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    frame.to_csv(tmp_path / "rows.csv", index=False)
    experiment = experiment_for(tmp_path, {"path": "rows.parquet"})
    from_parquet = aggregate_frame(experiment, tmp_path / "rows.parquet")
    from_csv = aggregate_frame(experiment, tmp_path / "rows.csv")
    keys = ["arm", "stage", "bucket"]
    assert_same_cells(from_csv, from_parquet, keys)
    assert (
        Cells.for_experiment(experiment, from_csv).fingerprint()
        == Cells.for_experiment(experiment, from_parquet).fingerprint()
    )


def _uplift_key(u: Uplift) -> tuple[str, str, str, str]:
    return (u.metric, u.version, u.segment_column, u.segment_level)


def test_cells_file_gives_the_same_posterior_as_rows(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    """A cells file holding the rows' statistics reproduces the rows' posterior exactly.

    The sampler is deterministic given its seed and *bit-identical* inputs, but a change of
    1e-13 in a sum of log amounts (pandas and DuckDB add in different orders) sends the chains
    along other paths. So cells computed independently (pandas) agree only up to Monte Carlo
    error, while cells written from the DuckDB aggregation of the same rows agree exactly.
    """
    frame = campaign_rows(rng, 30_000, missing_stage=False)
    frame.to_csv(tmp_path / "rows.csv", index=False)
    metrics = [
        {
            "name": "purchase",
            "kind": "binary",
            "column": "purchased",
            "primary": True,
            "rope": 0.001,
        },
        {"name": "spend", "kind": "revenue", "column": "revenue", "rope": 0.05},
    ]
    sampler = {"draws": 300, "tune": 300, "chains": 2, "seed": 17}

    def run(folder: str, data: dict[str, str]) -> Results:
        path = write_experiment(
            tmp_path / folder, data=data, metrics=metrics, segments=["stage"], sampler=sampler
        )
        return analyze(path).results

    from_rows = run("rows", {"path": "../rows.csv"})
    experiment = load_experiment(tmp_path / "rows" / "experiment.yaml")
    aggregate_frame(experiment, tmp_path / "rows.csv").to_parquet(
        tmp_path / "cells.parquet", index=False
    )
    from_cells = run("cells", {"cells": "../cells.parquet"})
    reference_cells(
        frame, "arm", ["stage"], {"purchase": "purchased"}, {"spend": "revenue"}
    ).to_csv(tmp_path / "pandas-cells.csv", index=False)
    from_pandas = run("pandas", {"cells": "../pandas-cells.csv"})

    assert from_rows.run.recipients == from_cells.run.recipients == len(frame)
    assert from_rows.run.cells_fingerprint == from_cells.run.cells_fingerprint
    assert len(from_rows.uplifts) == len(from_cells.uplifts) == 2 * 2 * (1 + 3)
    for a, b, c in zip(from_rows.uplifts, from_cells.uplifts, from_pandas.uplifts, strict=True):
        assert _uplift_key(a) == _uplift_key(b) == _uplift_key(c)
        for field in ("uplift_mean", "uplift_low", "uplift_high", "uplift_sd", "holdout_mean"):
            assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-9, abs=1e-15), (
                _uplift_key(a),
                field,
            )
        assert a.verdict == b.verdict
        # Independent chains on the same posterior: Monte Carlo error of a mean from ~300
        # effective draws is ~0.06 sd, so 0.5 sd is a wide margin that still catches a
        # different posterior (wrong cells, dropped segment, wrong arm).
        assert abs(a.uplift_mean - c.uplift_mean) <= 0.5 * a.uplift_sd, _uplift_key(a)
        assert c.uplift_sd == pytest.approx(a.uplift_sd, rel=0.25), _uplift_key(a)
    for a, b in zip(from_rows.model_checks, from_pandas.model_checks, strict=True):
        assert a.observed_mean == pytest.approx(b.observed_mean, rel=1e-12)


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2, reason="DuckDB adds in parallel only with 2+ threads"
)
def test_aggregation_is_bit_reproducible_on_a_large_file(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    """Same file, same cells, bit for bit, however DuckDB splits the sums between threads.

    Floating-point sums in parallel depend on the split (1e-13 differences), and the sampler
    follows other paths for inputs that differ in the last bit, so without exact sums
    `results.json` would change from run to run on the same file and seed.
    """
    n = 1_000_000
    bought = rng.random(n) < 0.05
    table = pa.table(
        {
            "arm": rng.choice(np.array(ARMS), size=n),
            "purchased": bought.astype(np.int8),
            "revenue": np.where(bought, rng.lognormal(3.5, 0.9, size=n), 0.0),
        }
    )
    pq.write_table(table, tmp_path / "rows.parquet", row_group_size=20_000)
    path = write_experiment(
        tmp_path,
        metrics=[
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "rope": 0.001,
            },
            {"name": "spend", "kind": "revenue", "column": "revenue", "rope": 0.05},
        ],
    )
    experiment = load_experiment(path)
    fingerprints = {load_cells(experiment).fingerprint() for _ in range(6)}
    assert len(fingerprints) == 1, fingerprints


def test_an_amount_too_large_to_add_up_is_one_clear_message(tmp_path: Path) -> None:
    """Beyond 10^17 an amount cannot be added exactly on every engine: bad input, said so."""
    frame = pd.DataFrame(
        {"arm": ["holdout", "A", "B"] * 10, "stage": "new", "bucket": "0", "purchased": 1,
         "revenue": ["12.5"] * 30}
    )  # fmt: skip
    frame.loc[4, "revenue"] = "1e18"
    frame.to_csv(tmp_path / "rows.csv", index=False)
    experiment = experiment_for(tmp_path, {"path": "rows.csv"})
    with pytest.raises(DataError) as error:
        load_cells(experiment)
    assert "too large to add up" in error.value.problem and error.value.file.endswith("rows.csv")


@pytest.mark.parametrize(
    ("amount", "square"), [("12.3456789", 152.4158), ("5e9", 2.5e19), ("9e16", 8.1e33)]
)
def test_squared_amounts_keep_4_decimals_up_to_1e17(
    tmp_path: Path, amount: str, square: float
) -> None:
    """Squares are summed exactly at 4 decimals, past the 64-bit whole part of a square (3e9);
    beyond 10^17 an amount is too large to add up (test above)."""
    frame = pd.DataFrame(
        {"arm": ["holdout", "A", "B"] * 10, "stage": "new", "bucket": "0", "purchased": 1,
         "revenue": ["1"] * 30}
    )  # fmt: skip
    frame.loc[4, "revenue"] = amount
    frame.to_csv(tmp_path / "rows.csv", index=False)
    cells = load_cells(experiment_for(tmp_path, {"path": "rows.csv"})).to_frame()
    assert cells.loc[cells["arm"] == "A", "spend__sum_sq"].sum() == square + 9
