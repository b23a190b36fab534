"""Posterior predictive check: predicted against observed mean per arm."""

from __future__ import annotations

import numpy as np

from relevance.config import Experiment
from relevance.model.layout import Layout
from relevance.results import ModelCheck


def model_checks(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray]
) -> list[ModelCheck]:
    """Predicted against observed mean per arm, with each arm's own segment mix."""
    tail = (1 - experiment.decision.interval) / 2
    results = []
    for metric in experiment.metrics:
        stats = lay.stats[metric.name]
        trials, observed_total = stats.n, stats.outcome_sum
        for index, arm in enumerate(lay.arms):
            n = trials[index].sum()
            if n == 0:
                continue
            predicted = draws[metric.name][:, index, :] @ trials[index] / n
            observed = float(observed_total[index].sum() / n)
            low, high = np.quantile(predicted, [tail, 1 - tail])
            sd = float(predicted.std(ddof=1))
            results.append(
                ModelCheck(
                    metric=metric.name,
                    arm=arm,
                    observed_mean=observed,
                    predicted_mean=float(predicted.mean()),
                    predicted_low=float(low),
                    predicted_high=float(high),
                    consistent=bool(abs(observed - float(predicted.mean())) <= 3 * sd + 1e-12),
                )
            )
    return results
