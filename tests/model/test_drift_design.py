"""The drift model's codes: centred over the periods with sends, empty periods on their own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relevance.config import MetricConfig, PriorConfig
from relevance.io.cells import Cells
from relevance.io.periods import DAY
from relevance.model.design import design
from relevance.model.drift import drift_design, period_codes
from relevance.model.layout import layout

METRIC = MetricConfig(name="purchase", kind="binary", column="purchased", primary=True, rope=0.001)


def test_codes_are_centred_over_the_observed_periods_and_free_beyond() -> None:
    baseline, walk = period_codes(6, 4)
    assert baseline.shape == walk.shape == (6, 5)
    assert np.allclose(baseline[:4, :3].sum(axis=0), 0) and np.allclose(walk[:4, :3].sum(axis=0), 0)
    assert np.allclose(np.diff(walk[:4, :3], axis=0), np.eye(3))  # one step per period
    assert np.array_equal(baseline[4:, 3:], np.eye(2)) and np.array_equal(walk[4:, 3:], np.eye(2))
    assert not baseline[4:, :3].any() and not baseline[:4, 3:].any()


def cells(weeks: list[str], empty: int) -> Cells:
    rows = [
        (arm, week, 0 if i >= len(weeks) - empty else 100)
        for i, week in enumerate(weeks)
        for arm in ("holdout", "A")
    ]
    frame = pd.DataFrame(rows, columns=["arm", DAY, "n"])
    frame["purchase__n"], frame["purchase__ones"] = frame["n"], frame["n"] // 20
    return Cells.from_frame(frame, ["holdout", "A"], [DAY], [METRIC])


def test_the_drift_design_keeps_the_shape_of_the_campaign_design() -> None:
    weeks = ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    lay = layout(cells(weeks, empty=1), ordered=(DAY,))
    plain, drift = design(lay, (METRIC,), PriorConfig()), drift_design(lay, METRIC, PriorConfig())
    assert drift.signature() == plain.signature()  # the same compiled code serves both
    assert drift.rate_x.shape == plain.rate_x.shape and not np.array_equal(
        drift.rate_x, plain.rate_x
    )
    full = layout(cells(weeks, empty=0), ordered=(DAY,))
    assert np.array_equal(  # without empty periods the codes are the design's own
        drift_design(full, METRIC, PriorConfig()).rate_x,
        design(full, (METRIC,), PriorConfig()).rate_x,
    )
