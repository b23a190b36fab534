"""Version against version (secondary: it says which wins, not whether to send)."""

from __future__ import annotations

import itertools

import numpy as np

from relevance.config import Experiment
from relevance.decide.uplift import direction, overall_benefit
from relevance.model.layout import Layout
from relevance.results import Comparison


def comparisons(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray]
) -> list[Comparison]:
    """Every pair of versions on every metric: difference, P(A better), expected loss."""
    tail = (1 - experiment.decision.interval) / 2
    results = []
    for metric in experiment.metrics:
        for (ia, a), (ib, b) in itertools.combinations(enumerate(lay.versions, start=1), 2):
            benefit_a = overall_benefit(lay, metric, draws[metric.name], ia)
            benefit_b = overall_benefit(lay, metric, draws[metric.name], ib)
            difference = direction(metric) * (benefit_a - benefit_b)  # raw scale: A minus B
            advantage = benefit_a - benefit_b
            results.append(
                Comparison(
                    metric=metric.name,
                    version_a=a,
                    version_b=b,
                    difference_mean=float(difference.mean()),
                    difference_low=float(np.quantile(difference, tail)),
                    difference_high=float(np.quantile(difference, 1 - tail)),
                    p_a_better=float(np.mean(advantage > 0)),
                    expected_loss_choosing_a=float(np.mean(np.maximum(0.0, -advantage))),
                )
            )
    return results
