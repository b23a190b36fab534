"""Everything decided from one posterior, in one call."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relevance.config import Experiment
from relevance.decide.comparisons import comparisons
from relevance.decide.fatigue import fatigue_curves
from relevance.decide.model_checks import model_checks
from relevance.decide.uplift import uplifts_for
from relevance.decide.value import net_values
from relevance.decide.verdicts import campaign_verdict, version_verdicts
from relevance.model.layout import Layout
from relevance.results import (
    CampaignVerdict,
    Comparison,
    FatigueCurve,
    ModelCheck,
    NetValue,
    Uplift,
    VersionVerdict,
)


@dataclass(frozen=True)
class Decision:
    """Everything decided from one posterior."""

    uplifts: list[Uplift]
    verdicts: list[VersionVerdict]
    net_value: list[NetValue]
    comparisons: list[Comparison]
    model_checks: list[ModelCheck]
    campaign: CampaignVerdict
    fatigue: list[FatigueCurve]


def decide(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray], reliable: bool
) -> Decision:
    """All decisions from the posterior draws of every metric's cell means."""
    uplifts = [
        u for m in experiment.metrics for u in uplifts_for(experiment, lay, m, draws[m.name])
    ]
    verdicts = version_verdicts(experiment, lay, uplifts)
    values = net_values(experiment, lay, draws)
    return Decision(
        uplifts=uplifts,
        verdicts=verdicts,
        net_value=values,
        comparisons=comparisons(experiment, lay, draws),
        model_checks=model_checks(experiment, lay, draws),
        campaign=campaign_verdict(experiment, verdicts, values, reliable, uplifts),
        fatigue=fatigue_curves(experiment, lay, draws),
    )
