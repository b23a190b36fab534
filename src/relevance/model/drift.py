"""The drift model: a metric's effect period by period, partially pooled over time.

It is the campaign model with the periods as its one ordered segment (each version's effect a
random walk over periods with a learned step size), with one change to the design's codes.
The number of periods is padded with empty periods to a block (so that a new week reuses the
compiled code); centred over all periods, as the design codes segments, every level would be
tied to empty periods the data say nothing about, and the sampler would crawl along that
ridge. So the codes are centred over the periods with sends, and each empty period gets a code
of its own, independent of the data. Codes are data of the compiled model, not its graph: the
same compiled code serves any campaign of the same shape.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from relevance.config import MetricConfig, PriorConfig
from relevance.model.design import Design, design, random_walk_basis, sum_to_zero_basis
from relevance.model.layout import Layout


def period_codes(levels: int, observed: int) -> tuple[np.ndarray, np.ndarray]:
    """(levels x levels - 1) codes of the holdout's level per period (sum-to-zero) and of a
    version's random walk, both over the first `observed` periods; each later (empty) period
    has a column of its own."""
    baseline = np.zeros((levels, levels - 1))
    walk = np.zeros((levels, levels - 1))
    baseline[:observed, : observed - 1] = sum_to_zero_basis(observed)
    walk[:observed, : observed - 1] = random_walk_basis(observed)
    for extra in range(levels - observed):
        baseline[observed + extra, observed - 1 + extra] = 1.0
        walk[observed + extra, observed - 1 + extra] = 1.0
    return baseline, walk


def drift_design(lay: Layout, metric: MetricConfig, priors: PriorConfig) -> Design:
    """The design of one metric on a layout whose only segment is the (ordered) period, with
    periods without recipients last."""
    (column,) = lay.segments
    d = design(lay, (metric,), priors)
    levels, level_of_combo = len(lay.levels[column]), lay.level_index[column]
    recipients = np.bincount(level_of_combo, weights=lay.n.sum(axis=0), minlength=levels)
    observed = int(np.count_nonzero(recipients))
    if observed < 2 or np.any(recipients[:observed] == 0):
        return d  # nothing to pool, or gaps among the periods: the design's own codes
    n_arms, n_combos = len(lay.arms), len(lay.grid)
    arm_of_row = np.repeat(np.arange(n_arms), n_combos)
    level_of_row = level_of_combo[np.tile(np.arange(n_combos), n_arms)]
    baseline, walk = period_codes(levels, observed)
    columns = [baseline[level_of_row]]  # every arm shares the holdout's level per period
    columns += [walk[level_of_row] * (arm_of_row == k)[:, None] for k in range(1, n_arms)]
    x = np.hstack(columns)
    if x.shape != d.rate_x.shape:
        raise ValueError(f"drift codes {x.shape} do not match the design {d.rate_x.shape}")
    return dataclasses.replace(d, rate_x=x)
