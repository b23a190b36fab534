"""Typed cell statistics: addition, grouping, relabelling, and the cells file round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, load_experiment
from relevance.io.cells import Amounts, Cells, Proportion, Quality, statistic_type

METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "spend", "kind": "revenue", "column": "revenue", "rope": 0.05},
]


@pytest.fixture
def experiment(tmp_path: Path) -> Experiment:
    path = write_experiment(tmp_path, metrics=METRICS, segments=["stage"])
    return load_experiment(path)


def frame() -> pd.DataFrame:
    """Four cells: two arms x two stages, with every statistic of both metrics."""
    return pd.DataFrame(
        {
            "arm": ["holdout", "holdout", "A", "B"],
            "stage": ["new", "loyal", "new", "loyal"],
            "n": [10, 20, 30, 40],
            "purchase__n": [10, 19, 30, 40],
            "purchase__ones": [1, 2, 3, 4],
            "purchase__missing": [0, 1, 0, 0],
            "purchase__invalid": [0, 0, 0, 0],
            "purchase__negative": [0, 0, 0, 0],
            "purchase__nonbinary": [0, 0, 0, 0],
            "spend__n": [10, 20, 30, 40],
            "spend__buyers": [1, 2, 3, 4],
            "spend__sum": [5.0, 7.5, 12.0, 20.25],
            "spend__sum_log": [1.0, 2.0, 3.0, 4.0],
            "spend__sum_log_sq": [1.0, 2.5, 3.5, 4.5],
            "spend__sum_sq": [25.0, 30.0, 50.0, 110.0],
            "spend__missing": [0, 0, 2, 0],
            "spend__invalid": [0, 0, 0, 1],
            "spend__negative": [0, 0, 0, 0],
        }
    )


def test_addition_is_the_statistics_of_the_union() -> None:
    a = Proportion(n=np.array([10, 5]), ones=np.array([1, 2]))
    b = Proportion(n=np.array([3, 4]), ones=np.array([0, 4]))
    total = a + b
    assert total.n.tolist() == [13, 9] and total.ones.tolist() == [1, 6]
    assert (a + b).ones.sum() == a.overall().ones + b.overall().ones
    assert a.__add__(Quality(*(np.zeros(2, int) for _ in range(4)))) is NotImplemented


def test_group_sums_cells_into_groups() -> None:
    amounts = Amounts(
        n=np.array([1, 2, 3]),
        buyers=np.array([1, 1, 0]),
        sum=np.array([2.0, 3.0, 0.0]),
        sum_log=np.array([0.5, 1.0, 0.0]),
        sum_log_sq=np.array([0.25, 1.0, 0.0]),
        sum_sq=np.array([4.0, 9.0, 0.0]),
    )
    grouped = amounts.group(np.array([1, 1, 0]), 2)
    assert grouped.n.tolist() == [3, 3]
    assert grouped.buyers.tolist() == [0, 2]
    assert grouped.sum.tolist() == [0.0, 5.0]
    assert grouped.sum_sq.tolist() == [0.0, 13.0]
    assert grouped.events is grouped.buyers and grouped.outcome_sum is grouped.sum
    assert grouped.n.dtype == np.int64 and grouped.sum.dtype == np.float64


def test_the_statistic_follows_the_metric_kind(experiment: Experiment) -> None:
    purchase, spend = experiment.metrics
    assert statistic_type(purchase) is Proportion and statistic_type(spend) is Amounts
    assert Proportion.names() == ("n", "ones")
    assert Amounts.names() == ("n", "buyers", "sum", "sum_log", "sum_log_sq", "sum_sq")


def test_cells_file_round_trip_is_exact(experiment: Experiment) -> None:
    cells = Cells.for_experiment(experiment, frame())
    assert cells.count == 4 and cells.recipients == 100
    assert cells.stats["purchase"].ones.tolist() == [1, 2, 3, 4]
    assert cells.quality["spend"].missing.tolist() == [0, 0, 2, 0]
    assert cells.quality["spend"].nonbinary.tolist() == [0, 0, 0, 0]  # absent: zero
    pd.testing.assert_frame_equal(cells.to_frame(), frame(), check_dtype=False)
    again = Cells.for_experiment(experiment, cells.to_frame())
    assert again.fingerprint() == cells.fingerprint()


def test_missing_arm_and_quality_columns(experiment: Experiment) -> None:
    raw = frame().drop(columns=["purchase__nonbinary", "spend__missing"])
    raw.loc[0, "arm"] = None
    cells = Cells.for_experiment(experiment, raw)
    assert cells.keys["arm"].iloc[0] == "(missing)"
    assert cells.quality["spend"].missing.sum() == 0


def test_arm_sizes_and_segment_grid(experiment: Experiment) -> None:
    cells = Cells.for_experiment(experiment, frame())
    assert cells.arm_sizes() == {"A": 30, "B": 40, "holdout": 30}
    grid = cells.segment_grid()
    assert grid["stage"].tolist() == ["loyal", "new"]
    assert grid["weight"].tolist() == pytest.approx([0.6, 0.4])


def test_relabel_merges_cells_that_meet(experiment: Experiment) -> None:
    cells = Cells.for_experiment(experiment, frame())
    merged = cells.relabel("stage", lambda level: "all")
    assert merged.count == 3  # holdout's two stages became one cell
    holdout = (merged.keys["arm"] == "holdout").to_numpy()
    assert merged.n[holdout].tolist() == [30]
    assert merged.stats["purchase"].ones[holdout].tolist() == [3]
    assert merged.stats["spend"].sum[holdout].tolist() == [12.5]
    assert merged.quality["purchase"].missing[holdout].tolist() == [1]
    assert merged.recipients == cells.recipients


def test_arm_totals_in_arm_order(experiment: Experiment) -> None:
    totals = Cells.for_experiment(experiment, frame()).arm_totals()
    assert list(totals.index) == ["holdout", "A", "B"]
    assert totals.loc["holdout", "spend__sum"] == 12.5
