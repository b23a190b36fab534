"""Everything decided from one posterior, in one call."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from relevance.config import Experiment
from relevance.decide.comparisons import comparisons
from relevance.decide.estimable import not_estimable, without
from relevance.decide.fatigue import fatigue_curves
from relevance.decide.model_checks import model_checks
from relevance.decide.targeting import best_targeting, targeting_by_column
from relevance.decide.totals import totals
from relevance.decide.uplift import uplifts_for
from relevance.decide.value import net_values
from relevance.decide.verdicts import (
    campaign_verdict,
    model_misfit,
    targeted_verdict,
    undecided,
    version_verdicts,
)
from relevance.model.layout import Layout
from relevance.results import (
    CampaignVerdict,
    Comparison,
    FatigueCurve,
    ModelCheck,
    NetValue,
    NotEstimable,
    Targeting,
    Totals,
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
    not_estimable: list[NotEstimable]
    targeting: Targeting | None = None
    targeting_by_column: list[Targeting] = field(default_factory=list)
    totals: Totals | None = None


def decide(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray], reliable: bool
) -> Decision:
    """All decisions from the posterior draws of every metric's cell means.

    Metrics the data cannot measure (:mod:`relevance.decide.estimable`) take no part; when
    the primary metric is one of them, no version gets a verdict.
    """
    missing = not_estimable(experiment, lay)
    measured = without(experiment, missing)
    uplifts = [u for m in measured.metrics for u in uplifts_for(measured, lay, m, draws[m.name])]
    checks = model_checks(measured, lay, draws)
    primary_missing = [item for item in missing if item.metric == experiment.primary.name]
    if primary_missing:
        reason = primary_missing[0].reason
        verdicts = undecided(experiment, lay, reason)
        campaign = CampaignVerdict(send=None, headline=f"No verdict. {reason}", reliable=reliable)
        values, curves, by_column, best, total = [], [], [], None, None
    else:
        verdicts = version_verdicts(measured, lay, uplifts, checks)
        values = net_values(measured, lay, draws)
        campaign = campaign_verdict(measured, verdicts, values, reliable, uplifts)
        curves = fatigue_curves(measured, lay, draws)
        by_column = targeting_by_column(measured, lay, draws, verdicts)
        if model_misfit(measured.primary, checks, measured.decision.currency):
            # The verdicts are withheld: no policy is recommended on a model that misses the data.
            by_column = [t.model_copy(update={"recommended": False}) for t in by_column]
        best = best_targeting(by_column)
        campaign = targeted_verdict(measured, campaign, best)
        total = totals(measured, lay, draws, best, campaign)
    return Decision(
        uplifts=uplifts,
        verdicts=verdicts,
        net_value=values,
        comparisons=comparisons(measured, lay, draws),
        model_checks=checks,
        campaign=campaign,
        fatigue=curves,
        not_estimable=missing,
        targeting=best,
        targeting_by_column=by_column,
        totals=total,
    )
