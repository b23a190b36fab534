"""Verdicts: per version (the primary metric's ROPE rule, overruled by a harmed guardrail)
and for the campaign (which version to send, if any).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from relevance.config import Experiment, MetricConfig
from relevance.decide.evidence import evidence_phrase, recipients_to_verdict, uplift_evidence
from relevance.decide.uplift import OVERALL, direction
from relevance.errors import brief
from relevance.language import (
    amount,
    interval,
    money,
    number,
    percent,
    recipients_phrase,
    uplift_sentence,
    version_label,
)
from relevance.model.layout import Layout
from relevance.results import (
    PER,
    CampaignVerdict,
    ModelCheck,
    NetValue,
    Targeting,
    Uplift,
    Verdict,
    VersionVerdict,
)

MAX_DATA_FACTOR = 10.0
"""Say how much more data would settle a verdict only up to ten times the data so far."""

UNRELIABLE = " (the sampler did not converge: do not rely on these numbers yet)"
"""Added to a headline when the sampler diagnostics fail."""


def extra_recipients_needed(
    uplift: Uplift, metric: MetricConfig, current: int, threshold: float
) -> int | None:
    """Roughly how many more recipients would turn an inconclusive verdict into a clear one.

    Assumes the posterior mean stays put and its standard deviation shrinks as 1/sqrt(n):
    the nearest verdict boundary must be z = Phi^-1(threshold) standard deviations away.
    """
    z = NormalDist().inv_cdf(threshold)  # stdlib: scipy.stats costs 0.35 s of import
    benefit = direction(metric) * uplift.uplift_mean
    gaps = [abs(benefit) - metric.rope]  # beyond the ROPE: beats or harmful
    if metric.rope > 0:
        gaps.append(metric.rope - abs(benefit))  # inside the ROPE: irrelevant
    gap = max(gaps)
    if gap <= 0 or uplift.uplift_sd <= 0:
        return None
    factor = (z * uplift.uplift_sd / gap) ** 2
    if factor <= 1:
        return 0
    if factor > MAX_DATA_FACTOR:
        return None  # too far to extrapolate: tiny changes of the estimate swing the figure
    return int(np.ceil(current * (factor - 1)))


def model_misfit(metric: MetricConfig, checks: list[ModelCheck], currency: str) -> str | None:
    """A sentence when the model's predicted mean misses the observed one in some arm."""
    missed = [c for c in checks if c.metric == metric.name and not c.consistent]
    if not missed:
        return None
    check = missed[0]
    symbol = metric.symbol(currency)
    return (
        f"The model does not fit the {metric.display} data (arm {brief(check.arm, 30)}: observed "
        f"{money(check.observed_mean * PER, symbol)} per 1,000 recipients, model "
        f"{money(check.predicted_mean * PER, symbol)}), so no verdict is given until the data "
        "are checked."
    )


def undecided(experiment: Experiment, lay: Layout, reason: str) -> list[VersionVerdict]:
    """Every version inconclusive, for one reason that no amount of sampling changes."""
    return [
        VersionVerdict(
            version=version,
            verdict=Verdict.INCONCLUSIVE,
            sentence=reason,
            reasons=[reason],
            p_beats_holdout=None,
        )
        for version in lay.versions
    ]


def version_verdicts(
    experiment: Experiment, lay: Layout, uplifts: list[Uplift], checks: list[ModelCheck]
) -> list[VersionVerdict]:
    """Verdict per version: the primary metric's ROPE verdict, overruled by a harmed guardrail,
    and withheld (inconclusive) when the model does not fit the primary metric's data."""
    by_key = {(u.metric, u.version, u.segment_column, u.segment_level): u for u in uplifts}
    primary = experiment.primary
    currency = experiment.decision.currency
    share = experiment.decision.interval
    verdicts = []
    for index, version in enumerate(lay.versions, start=1):
        main = by_key[(primary.name, version, *OVERALL)]
        verdict = main.verdict
        reasons = [uplift_sentence(primary, main, share, currency)]
        harmed = []
        for guard in experiment.guardrails:
            guard_uplift = by_key[(guard.name, version, *OVERALL)]
            if guard_uplift.p_worse_beyond_rope >= experiment.decision.probability:
                harmed.append(guard)
                reasons.append(
                    f"It worsens {guard.display}: {amount(guard, guard_uplift.uplift_mean, currency)} "
                    f"per 1,000 recipients ({interval(guard_uplift.uplift_low, guard_uplift.uplift_high, share)}), "
                    f"beyond the ±{number(guard.rope * PER)} that would matter."
                )
        if harmed:
            verdict = Verdict.HARMFUL
        sentence = reasons[0]
        if harmed and main.verdict is not Verdict.HARMFUL:
            sentence = f"{version_label(version)} is harmful. " + " ".join(reasons)
        watched = experiment.data.date is not None  # read every day: look-safe evidence too
        count = len(lay.versions)
        if watched and verdict is Verdict.BEATS:
            ratio, needed = uplift_evidence(primary, main, experiment.decision.probability, count)
            if ratio < needed:
                verdict = Verdict.INCONCLUSIVE
                reasons.append(evidence_phrase(ratio, needed))
                sentence = f"{sentence} {reasons[-1]}"
        misfit = model_misfit(primary, checks, currency)
        if misfit:
            verdict = Verdict.INCONCLUSIVE
            reasons.append(misfit)
            sentence = f"{sentence} {misfit}"
        extra = None
        if verdict is Verdict.INCONCLUSIVE and not misfit:
            current = int(lay.n[[0, index]].sum())
            extra = (
                recipients_to_verdict(
                    primary, main, current, experiment.decision.probability, count
                )
                if watched
                else extra_recipients_needed(
                    main, primary, current, experiment.decision.probability
                )
            )
            sentence = f"{sentence} {recipients_phrase(extra)}"
        verdicts.append(
            VersionVerdict(
                version=version,
                verdict=verdict,
                sentence=sentence,
                reasons=reasons,
                p_beats_holdout=main.p_beats_holdout,
                extra_recipients_needed=extra,
            )
        )
    return verdicts


def campaign_verdict(
    experiment: Experiment,
    verdicts: list[VersionVerdict],
    values: list[NetValue],
    reliable: bool,
    uplifts: list[Uplift],
) -> CampaignVerdict:
    """Send the winner with the highest expected net value (or, without values, the largest
    expected gain on the primary metric), or say that no version beats sending nothing."""
    primary = experiment.primary
    benefit_of = {
        u.version: direction(primary) * u.uplift_mean
        for u in uplifts
        if u.metric == primary.name and (u.segment_column, u.segment_level) == OVERALL
    }
    winners = [v for v in verdicts if v.verdict is Verdict.BEATS]
    caveat = "" if reliable else UNRELIABLE
    if not winners:
        parts = "; ".join(f"{version_label(v.version)}: {v.verdict.value}" for v in verdicts)
        return CampaignVerdict(
            send=None,
            headline=f"No version beats sending nothing ({parts}){caveat}.",
            reliable=reliable,
        )
    value_of = {v.version: v.mean for v in values}
    if value_of:
        best = max(winners, key=lambda v: value_of[v.version])
        if value_of[best.version] <= 0:
            return CampaignVerdict(
                send=None,
                headline=(
                    f"{version_label(best.version)} beats sending nothing, but not by enough to pay "
                    f"for sending it once costs and unsubscribes are counted{caveat}."
                ),
                reliable=reliable,
            )
    else:
        best = max(winners, key=lambda v: benefit_of[v.version])
    return CampaignVerdict(
        send=best.version,
        headline=f"Send {version_label(best.version)}: it beats sending nothing{caveat}.",
        reliable=reliable,
    )


def targeting_recommended(
    experiment: Experiment, campaign: CampaignVerdict, best: Targeting | None
) -> bool:
    """True when the campaign should follow the targeting policy `best`.

    It must be recommended (it beats sending one choice to everyone convincingly) and, when no
    version is worth sending to everyone, beat sending nothing with the decision probability.
    """
    if best is None or not best.recommended:
        return False
    return campaign.send is not None or best.p_beats_nothing >= experiment.decision.probability


def targeted_verdict(
    experiment: Experiment, campaign: CampaignVerdict, best: Targeting | None
) -> CampaignVerdict:
    """The campaign verdict with the targeting policy as its headline when it is recommended.

    `send` stays the version worth sending to everyone (or None); only the headline changes.
    """
    if best is None or not targeting_recommended(experiment, campaign, best):
        return campaign
    caveat = "" if campaign.reliable else UNRELIABLE
    sentence = f"{best.sentence.removesuffix('.')}{caveat}."
    if campaign.send is None:
        sentence = (
            "No version beats sending nothing for everyone, but targeting does (chance it beats "
            f"sending nothing {percent(best.p_beats_nothing)}). {sentence}"
        )
    return campaign.model_copy(update={"headline": sentence})
