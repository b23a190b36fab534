"""Net value of sending a version rather than nothing, per 1,000 recipients, after costs.

Net value is the sum over metrics of uplift per recipient times the metric's value (value per
conversion, margin on revenue, minus the future value lost per unsubscribe), minus the cost
per send, shown per 1,000 recipients.
"""

from __future__ import annotations

import numpy as np

from relevance.config import Experiment
from relevance.decide.uplift import direction, uplift_draws
from relevance.language import money, percent, version_label
from relevance.model.layout import Layout
from relevance.results import PER, NetValue, Summary


def has_value(experiment: Experiment) -> bool:
    """True when some metric has a value or sending costs something: net value exists."""
    return experiment.decision.cost_per_send > 0 or any(
        m.value is not None for m in experiment.metrics
    )


def net_value_draws(
    experiment: Experiment, draws: dict[str, np.ndarray], index: int, weights: np.ndarray
) -> np.ndarray:
    """Draws of version `index`'s net value per 1,000 recipients among `weights`' cells."""
    samples = next(iter(draws.values())).shape[0]
    total = np.full(samples, -experiment.decision.cost_per_send)
    for metric in experiment.metrics:
        if metric.value is not None:
            total = total + uplift_draws(draws[metric.name], index, weights) * metric.value
    return total * PER


def pays_draws(
    experiment: Experiment, draws: dict[str, np.ndarray], index: int, weights: np.ndarray
) -> np.ndarray:
    """Draws of what sending version `index` earns per 1,000 recipients among `weights`' cells.

    Net value (currency) when values or costs are configured (:func:`has_value`); otherwise
    the primary metric's benefit (extra outcomes in its better direction). Sending nothing
    earns 0, so this is the value of sending against not sending.
    """
    if has_value(experiment):
        return net_value_draws(experiment, draws, index, weights)
    primary = experiment.primary
    return direction(primary) * uplift_draws(draws[primary.name], index, weights) * PER


def measure(experiment: Experiment) -> str:
    """What :func:`pays_draws` measures, in words: 'net value' or 'extra purchases'."""
    return "net value" if has_value(experiment) else f"extra {experiment.primary.display}"


def summary(values: np.ndarray, share: float) -> Summary:
    """Posterior mean and equal-tailed `share` interval (e.g. 0.95) of some draws."""
    tail = (1 - share) / 2
    low, high = (float(q) for q in np.quantile(values, [tail, 1 - tail]))
    return Summary(mean=float(np.mean(values)), low=low, high=high)


def net_values(experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray]) -> list[NetValue]:
    """Value per 1,000 recipients of sending each version rather than nothing, after costs.

    Empty when no metric has a value and sending costs nothing.
    """
    if not has_value(experiment):
        return []
    tail = (1 - experiment.decision.interval) / 2
    currency = experiment.decision.currency
    weights = lay.weights / lay.weights.sum()
    results = []
    for index, version in enumerate(lay.versions, start=1):
        per_thousand = net_value_draws(experiment, draws, index, weights)
        mean = float(per_thousand.mean())
        low, high = (float(q) for q in np.quantile(per_thousand, [tail, 1 - tail]))
        p_positive = float(np.mean(per_thousand > 0))
        word = "gains" if mean >= 0 else "loses"
        sentence = (
            f"{version_label(version)} {word} about {money(abs(mean), currency)} per 1,000 "
            f"recipients after costs ({experiment.decision.interval * 100:.0f}%: "
            f"{money(low, currency)} to {money(high, currency)}); "
            f"chance it pays {percent(p_positive)}."
        )
        results.append(
            NetValue(
                version=version,
                mean=mean,
                low=low,
                high=high,
                p_positive=p_positive,
                sentence=sentence,
            )
        )
    return results
