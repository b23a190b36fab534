"""The effect on delivered recipients: intention-to-treat divided by the delivery share.

Under one-sided non-compliance (the holdout receives nothing; a version's recipients either
got the email or not) and no effect on those it never reached, the effect on those reached is
``ITT / delivery share`` (the complier average causal effect). Each draw of the ITT is divided
by a draw of its arm's delivery share (Beta posterior with a flat prior, independent of the
outcome model): the joint posterior of both.
"""

from __future__ import annotations

import numpy as np

from relevance.config import Experiment
from relevance.decide.uplift import uplift_draws
from relevance.io.cells import Cells
from relevance.language import delivered_sentence
from relevance.model.layout import Layout
from relevance.results import EffectOnDelivered


def delivery_rates(cells: Cells) -> dict[str, tuple[int, int]]:
    """(delivered, assigned) recipients per arm, from the cells' delivery counts."""
    assert cells.delivery is not None
    arms = cells.keys["arm"].to_numpy()
    return {
        arm: (int(cells.delivery.delivered[arms == arm].sum()), int(cells.n[arms == arm].sum()))
        for arm in cells.arms
    }


def effect_on_delivered(
    experiment: Experiment,
    cells: Cells,
    lay: Layout,
    draws: dict[str, np.ndarray],
    estimable: set[str],
) -> list[EffectOnDelivered]:
    """Per estimable metric and version with delivered recipients: the effect on them."""
    if cells.delivery is None:
        return []
    rates = delivery_rates(cells)
    rng = np.random.default_rng(experiment.sampler.seed)
    tail = (1 - experiment.decision.interval) / 2
    results = []
    for index, version in enumerate(lay.versions, start=1):
        delivered, assigned = rates[version]
        if delivered == 0:
            continue
        samples = next(iter(draws.values())).shape[0]
        share = rng.beta(delivered + 1, assigned - delivered + 1, size=samples)
        for metric in experiment.metrics:
            if metric.name not in estimable:
                continue
            itt = uplift_draws(draws[metric.name], index, lay.weights / lay.weights.sum())
            effect = itt / share
            low, high = (float(q) for q in np.quantile(effect, [tail, 1 - tail]))
            rate = delivered / assigned
            results.append(
                EffectOnDelivered(
                    metric=metric.name,
                    version=version,
                    delivery_rate=rate,
                    itt_mean=float(itt.mean()),
                    mean=float(effect.mean()),
                    low=low,
                    high=high,
                    sentence=delivered_sentence(
                        metric,
                        version,
                        rate,
                        float(effect.mean()),
                        low,
                        high,
                        experiment.decision.interval,
                        experiment.decision.currency,
                    ),
                )
            )
    return results
