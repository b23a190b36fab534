"""Layout: observed cells placed on the full arm x segment-combination grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from relevance.config import MetricConfig
from relevance.io.cells import Amounts, Cells, Proportion
from relevance.model.layout import Layout, layout

PURCHASE = MetricConfig(name="purchase", kind="binary", column="purchased", rope=0.001)
REVENUE = MetricConfig(name="revenue", kind="revenue", column="spend", rope=0.01)


def region_cells() -> Cells:
    """Two arms, three regions; holdout/east and A/south unobserved, A/north split in two rows,
    and one cell of an arm label that is not configured."""
    frame = pd.DataFrame(
        {
            "arm": ["holdout", "holdout", "A", "A", "A", "Z"],
            "region": ["north", "south", "north", "east", "north", "north"],
            "n": [100, 200, 60, 50, 40, 7],
            "purchase__n": [100, 200, 60, 50, 40, 7],
            "purchase__ones": [5, 8, 4, 3, 2, 1],
        }
    )
    return Cells.from_frame(frame, ("holdout", "A"), ("region",), (PURCHASE,))


def test_cells_are_placed_on_the_arm_by_combination_grid() -> None:
    lay = layout(region_cells())
    assert lay.arms == ("holdout", "A")
    assert lay.versions == ("A",)
    assert list(lay.grid["region"]) == ["east", "north", "south"]
    assert lay.cell_labels() == ["east", "north", "south"]
    # rows: holdout, A; columns: east, north, south (zeros where unobserved, A/north summed).
    expected_n = np.array([[0, 100, 200], [50, 100, 0]])
    np.testing.assert_array_equal(lay.n, expected_n)
    stats = lay.stats["purchase"]
    assert isinstance(stats, Proportion)
    np.testing.assert_array_equal(stats.n, expected_n)
    np.testing.assert_array_equal(stats.ones, np.array([[0, 5, 8], [3, 6, 0]]))
    assert stats.ones.dtype == np.int64


def test_unknown_arms_are_left_out_of_the_grid() -> None:
    lay = layout(region_cells())
    # The 7 recipients of arm Z are in no row of the grid.
    assert int(lay.n.sum()) == 100 + 200 + 60 + 50 + 40
    assert int(lay.stats["purchase"].ones.sum()) == 5 + 8 + 4 + 3 + 2
    assert lay.n.shape == (2, 3)


def test_weights_are_population_shares_summing_to_one() -> None:
    frame = pd.DataFrame(
        {
            "arm": ["holdout", "holdout", "A", "A", "B"],
            "region": ["north", "south", "north", "south", "south"],
            "n": [10, 30, 20, 20, 20],
            "purchase__n": [10, 30, 20, 20, 20],
            "purchase__ones": [1, 2, 3, 4, 5],
        }
    )
    lay = layout(Cells.from_frame(frame, ("holdout", "A", "B"), ("region",), (PURCHASE,)))
    # north: 10 + 20 = 30 of 100; south: 30 + 20 + 20 = 70 of 100.
    np.testing.assert_allclose(lay.weights, [0.3, 0.7])
    assert lay.weights.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(lay.n, [[10, 30], [20, 20], [0, 20]])


def test_no_segments_gives_one_combination() -> None:
    frame = pd.DataFrame(
        {"arm": ["A", "holdout"], "n": [5, 9], "purchase__n": [5, 9], "purchase__ones": [1, 2]}
    )
    lay = layout(Cells.from_frame(frame, ("holdout", "A"), (), (PURCHASE,)))
    assert lay.segments == ()
    assert lay.cell_labels() == ["all"]
    np.testing.assert_allclose(lay.weights, [1.0])
    np.testing.assert_array_equal(lay.n, [[9], [5]])
    np.testing.assert_array_equal(lay.stats["purchase"].ones, [[2], [1]])


def test_two_segments_index_each_combination() -> None:
    frame = pd.DataFrame(
        {
            "arm": ["holdout", "holdout", "A"],
            "stage": ["retention", "acquisition", "retention"],
            "emails": ["2", "0", "0"],
            "n": [4, 6, 10],
            "purchase__n": [4, 6, 10],
            "purchase__ones": [0, 1, 2],
        }
    )
    lay = layout(
        Cells.from_frame(frame, ("holdout", "A"), ("stage", "emails"), (PURCHASE,)),
        ordered=("emails",),
    )
    assert lay.ordered == ("emails",)
    assert lay.cell_labels() == ["acquisition | 0", "retention | 0", "retention | 2"]
    assert lay.levels == {"stage": ("acquisition", "retention"), "emails": ("0", "2")}
    np.testing.assert_array_equal(lay.level_index["stage"], [0, 1, 1])
    np.testing.assert_array_equal(lay.level_index["emails"], [0, 0, 1])
    np.testing.assert_array_equal(lay.n, [[6, 0, 4], [0, 10, 0]])
    np.testing.assert_allclose(lay.weights, [0.3, 0.5, 0.2])


def test_level_order_numbers_then_lifecycle_then_text() -> None:
    levels = ["zeta", "10", "Retention", "3+", "Alpha", "acquisition", "0", "2", "reactivation"]
    frame = pd.DataFrame(
        {
            "arm": "holdout",
            "segment": levels,
            "n": 1,
            "purchase__n": 1,
            "purchase__ones": 0,
        }
    )
    lay = layout(Cells.from_frame(frame, ("holdout", "A"), ("segment",), (PURCHASE,)))
    expected = ("0", "2", "3+", "10", "acquisition", "Retention", "reactivation", "Alpha", "zeta")
    assert lay.levels["segment"] == expected
    # level_index maps each grid row (sorted as text) to its level's position.
    positions = [expected.index(level) for level in lay.grid["segment"]]
    np.testing.assert_array_equal(lay.level_index["segment"], positions)


def test_revenue_statistics_keep_their_types_on_the_grid() -> None:
    frame = pd.DataFrame(
        {
            "arm": ["holdout", "A", "A"],
            "tier": ["gold", "gold", "silver"],
            "n": [10, 8, 12],
            "revenue__n": [10, 8, 12],
            "revenue__buyers": [2, 1, 3],
            "revenue__sum": [30.0, 12.5, 40.0],
            "revenue__sum_log": [6.0, 2.5, 9.0],
            "revenue__sum_log_sq": [19.0, 6.25, 28.0],
        }
    )
    lay: Layout = layout(Cells.from_frame(frame, ("holdout", "A"), ("tier",), (REVENUE,)))
    stats = lay.stats["revenue"]
    assert isinstance(stats, Amounts)
    np.testing.assert_array_equal(stats.buyers, [[2, 0], [1, 3]])
    np.testing.assert_allclose(stats.sum, [[30.0, 0.0], [12.5, 40.0]])
    np.testing.assert_allclose(stats.sum_log_sq, [[19.0, 0.0], [6.25, 28.0]])
    assert stats.sum.dtype == np.float64


def test_text_that_float_parses_is_still_text() -> None:
    levels = ["silver", "nan", "gold", "inf", "retention"]
    frame = pd.DataFrame(
        {"arm": "holdout", "tier": levels, "n": 1, "purchase__n": 1, "purchase__ones": 0}
    )
    lay = layout(Cells.from_frame(frame, ("holdout", "A"), ("tier",), (PURCHASE,)))
    assert lay.levels["tier"] == ("retention", "gold", "inf", "nan", "silver")
