"""The drift model: a metric's effect period by period, coded from the first period.

It is the campaign model with the periods as its one ordered segment, with one change to the
design: periods are coded from the first (the holdout's level in each later period a deviation
from the first, each version's effect a random walk starting at the first) instead of centred
over all periods. Centred codes tie every level to the average over all periods, so empty
periods (which pad the number of periods to a block, to reuse compiled code) would leave the
levels weakly identified and the sampler slow; coded from the first, an empty period's
parameters are independent of the data and cost nothing. The codes are data of the compiled
model, not its graph, so the same compiled code serves both.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from relevance.config import MetricConfig, PriorConfig
from relevance.model.design import Design, design
from relevance.model.layout import Layout


def from_first(levels: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of `levels` periods from the first: indicators of each later period, and steps
    of a random walk (a period counts every step before it)."""
    later = np.arange(levels)[:, None] == np.arange(1, levels)[None, :]
    steps = np.arange(levels)[:, None] > np.arange(levels - 1)[None, :]
    return later.astype(float), steps.astype(float)


def drift_design(lay: Layout, metric: MetricConfig, priors: PriorConfig) -> Design:
    """The design of one metric on a layout whose only segment is the (ordered) period."""
    (column,) = lay.segments
    d = design(lay, (metric,), priors)
    levels, level_of_combo = len(lay.levels[column]), lay.level_index[column]
    n_arms, n_combos = len(lay.arms), len(lay.grid)
    arm_of_row = np.repeat(np.arange(n_arms), n_combos)
    level_of_row = level_of_combo[np.tile(np.arange(n_combos), n_arms)]
    later, steps = from_first(levels)
    columns = [later[level_of_row]]  # the holdout's level in each later period
    columns += [steps[level_of_row] * (arm_of_row == k)[:, None] for k in range(1, n_arms)]
    x = np.hstack(columns)
    if x.shape != d.rate_x.shape:  # pragma: no cover - the design's layout changed
        raise ValueError(f"drift codes {x.shape} do not match the design {d.rate_x.shape}")
    return dataclasses.replace(d, rate_x=x)
