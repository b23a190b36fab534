"""What `adjust_for` bought: the primary interval with and without the pre-period columns.

Adjustment is post-stratification on the model's cells: every adjust_for column enters the
model as level contrasts shared by all arms (no version deviations), and effects are averaged
over the population's cells, so they stay population-average intention-to-treat. The same
model fitted on the cells summed over those columns is the comparison.
"""

from __future__ import annotations

import numpy as np

from relevance.config import Experiment
from relevance.decide.uplift import uplift_draws
from relevance.language import adjustment_sentence
from relevance.model.layout import Layout
from relevance.results import Adjustment, Summary


def narrowing(adjusted: np.ndarray, unadjusted: np.ndarray) -> float:
    """``1 - sd(adjusted) / sd(unadjusted)`` of two sets of uplift draws (0.16 = 16% narrower)."""
    return float(1.0 - adjusted.std(ddof=1) / unadjusted.std(ddof=1))


def narrowing_noise(draws: int) -> float:
    """Monte Carlo standard error of :func:`narrowing` from `draws` draws of each fit: each
    sd is off by about 1/sqrt(2 x draws), relatively, and the two fits are independent."""
    return float(np.sqrt(1.0 / draws))


def adjustment(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    plain: Layout,
    plain_draws: dict[str, np.ndarray],
) -> Adjustment:
    """The primary metric's overall uplift per version, adjusted against not adjusted."""
    metric = experiment.primary
    tail = (1 - experiment.decision.interval) / 2
    narrowed, unadjusted = {}, {}
    for index, version in enumerate(lay.versions, start=1):
        with_ = uplift_draws(draws[metric.name], index, lay.weights / lay.weights.sum())
        without = uplift_draws(plain_draws[metric.name], index, plain.weights / plain.weights.sum())
        narrowed[version] = narrowing(with_, without)
        low, high = np.quantile(without, [tail, 1 - tail])
        unadjusted[version] = Summary(mean=float(without.mean()), low=float(low), high=float(high))
    columns = list(lay.adjust)
    bucketed = [
        c
        for c in columns
        if all(v.startswith("bucket ") or v == "(missing)" for v in lay.levels[c])
    ]
    return Adjustment(
        columns=columns,
        levels={c: len(lay.levels[c]) for c in columns},
        bucketed=bucketed,
        metric=metric.name,
        narrowing=narrowed,
        unadjusted=unadjusted,
        sentence=adjustment_sentence(
            columns, bucketed, metric, narrowed, noise=narrowing_noise(len(draws[metric.name]))
        ),
    )
