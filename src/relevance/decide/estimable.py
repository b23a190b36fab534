"""Which metrics the data can measure at all: no number is shown for the others.

With no events in the holdout (no purchase, no buyer) or in every arm, a metric's effect is
whatever the prior says: a revenue "loss of $38,499 per 1,000" from a campaign where nobody
bought anything is the prior's tail, not a finding. Such a metric is reported as not
estimable, with the reason, and takes no part in verdicts, net value or comparisons.
"""

from __future__ import annotations

from relevance.config import Experiment, MetricConfig
from relevance.model.layout import Layout
from relevance.results import NotEstimable


def _events_word(metric: MetricConfig) -> str:
    return "buyers" if metric.kind == "revenue" else metric.display


def not_estimable(experiment: Experiment, lay: Layout) -> list[NotEstimable]:
    """Metrics without events in the holdout or in every arm, each with its reason."""
    found = []
    for metric in experiment.metrics:
        if lay.measurable(metric.name):  # the one rule; what follows only says why not
            continue
        stats = lay.stats[metric.name]
        events = stats.events.sum(axis=1)  # per arm
        valid = stats.n.sum(axis=1)
        if valid[0] == 0:
            reason = f"no holdout recipient has a valid value of {metric.display}"
        elif events.sum() == 0:
            reason = f"there are no {_events_word(metric)} in any arm"
        else:
            reason = (
                f"there are no {_events_word(metric)} in the holdout, so sending cannot be "
                "compared with not sending"
            )
        found.append(
            NotEstimable(
                metric=metric.name,
                reason=f"{metric.display[:1].upper()}{metric.display[1:]} cannot be estimated: "
                f"{reason}.",
            )
        )
    return found


def without(experiment: Experiment, missing: list[NotEstimable]) -> Experiment:
    """The experiment as decisions see it: only measurable metrics; and when a valued metric
    is not measurable, no money at all (a net value without it would be wrong, not smaller)."""
    names = {item.metric for item in missing}
    metrics = [m for m in experiment.metrics if m.name not in names]
    update: dict[str, object] = {"metrics": metrics}
    if any(m.value is not None for m in experiment.metrics if m.name in names):
        update["metrics"] = [m.model_copy(update={"value": None}) for m in metrics]
        update["decision"] = experiment.decision.model_copy(update={"cost_per_send": 0.0})
    return experiment.model_copy(update=update)
