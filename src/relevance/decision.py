"""From posterior draws to decisions: uplift against the holdout, ROPE, verdicts, net value.

All quantities are computed from the posterior of the expected outcome per recipient in every
arm x segment cell, averaged with population weights. Uplift is absolute per recipient;
"benefit" is the uplift in the metric's better direction (minus the uplift for unsubscribes).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import stats

from relevance.config import Experiment, MetricConfig
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
from relevance.models import Layout
from relevance.results import (
    CampaignVerdict,
    Comparison,
    ModelCheck,
    NetValue,
    Uplift,
    Verdict,
    VersionVerdict,
)

OVERALL = ("overall", "all")


@dataclass(frozen=True)
class Decision:
    """Everything decided from one posterior."""

    uplifts: list[Uplift]
    verdicts: list[VersionVerdict]
    net_value: list[NetValue]
    comparisons: list[Comparison]
    model_checks: list[ModelCheck]
    campaign: CampaignVerdict


def direction(metric: MetricConfig) -> float:
    """+1 when more is better (purchases), -1 when less is better (unsubscribes)."""
    return 1.0 if metric.direction == "increase" else -1.0


def segment_masks(lay: Layout) -> list[tuple[str, str, np.ndarray]]:
    """(column, level, weights over cells) for the overall population and every segment level."""
    weights = lay.weights
    masks = [(*OVERALL, weights / weights.sum())]
    for column in lay.segments:
        for index, level in enumerate(lay.levels[column]):
            selected = np.where(lay.level_index[column] == index, weights, 0.0)
            if selected.sum() > 0:
                masks.append((column, level, selected / selected.sum()))
    return masks


def rope_verdict(p_better: float, p_inside: float, p_worse: float, threshold: float) -> Verdict:
    """Verdict on one metric from the ROPE probabilities (harm is checked first)."""
    if p_worse >= threshold:
        return Verdict.HARMFUL
    if p_better >= threshold:
        return Verdict.BEATS
    if p_inside >= threshold:
        return Verdict.IRRELEVANT
    return Verdict.INCONCLUSIVE


def summarise_uplift(
    metric: MetricConfig,
    version: str,
    column: str,
    level: str,
    recipients: int,
    holdout: np.ndarray,
    treated: np.ndarray,
    experiment: Experiment,
) -> Uplift:
    """Uplift summary from draws of the holdout and version means (per recipient)."""
    tail = (1 - experiment.decision.interval) / 2
    delta = treated - holdout
    benefit = direction(metric) * delta
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = delta / holdout
    finite = bool(np.all(np.isfinite(relative)))
    p_better = float(np.mean(benefit > metric.rope))
    p_worse = float(np.mean(benefit < -metric.rope))
    p_inside = 1.0 - p_better - p_worse
    return Uplift(
        metric=metric.name,
        version=version,
        segment_column=column,
        segment_level=level,
        recipients=recipients,
        holdout_mean=float(holdout.mean()),
        version_mean=float(treated.mean()),
        uplift_mean=float(delta.mean()),
        uplift_low=float(np.quantile(delta, tail)),
        uplift_high=float(np.quantile(delta, 1 - tail)),
        uplift_sd=float(delta.std(ddof=1)),
        relative_mean=float(relative.mean()) if finite else None,
        relative_low=float(np.quantile(relative, tail)) if finite else None,
        relative_high=float(np.quantile(relative, 1 - tail)) if finite else None,
        p_beats_holdout=float(np.mean(benefit > 0)),
        p_better_beyond_rope=p_better,
        p_inside_rope=p_inside,
        p_worse_beyond_rope=p_worse,
        expected_loss=float(np.mean(np.maximum(0.0, -benefit))),
        verdict=rope_verdict(p_better, p_inside, p_worse, experiment.decision.probability),
    )


def extra_recipients_needed(
    uplift: Uplift, metric: MetricConfig, current: int, threshold: float
) -> int | None:
    """Roughly how many more recipients would turn an inconclusive verdict into a clear one.

    Assumes the posterior mean stays put and its standard deviation shrinks as 1/sqrt(n):
    the nearest verdict boundary must be z = Phi^-1(threshold) standard deviations away.
    """
    z = float(stats.norm.ppf(threshold))
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
    if factor > 1e4:
        return None
    return int(np.ceil(current * (factor - 1)))


def uplifts_for(
    experiment: Experiment, lay: Layout, metric: MetricConfig, draws: np.ndarray
) -> list[Uplift]:
    """Every version x segment uplift of one metric; draws are (sample, arm, cell)."""
    population = lay.stats["n"].sum(axis=0)
    results = []
    for column, level, weights in segment_masks(lay):
        holdout = draws[:, 0, :] @ weights
        recipients = int(population[weights > 0].sum())
        for index, version in enumerate(lay.versions, start=1):
            treated = draws[:, index, :] @ weights
            results.append(
                summarise_uplift(
                    metric, version, column, level, recipients, holdout, treated, experiment
                )
            )
    return results


def overall_benefit(lay: Layout, metric: MetricConfig, draws: np.ndarray, index: int) -> np.ndarray:
    """Draws of a version's overall uplift in the better direction, per recipient."""
    weights = lay.weights / lay.weights.sum()
    return direction(metric) * (draws[:, index, :] @ weights - draws[:, 0, :] @ weights)


def version_verdicts(
    experiment: Experiment, lay: Layout, uplifts: list[Uplift]
) -> list[VersionVerdict]:
    """Verdict per version: the primary metric's ROPE verdict, overruled by a harmed guardrail."""
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
                    f"beyond the ±{number(guard.rope * 1000)} that would matter."
                )
        if harmed:
            verdict = Verdict.HARMFUL
        sentence = reasons[0]
        if harmed and main.verdict is not Verdict.HARMFUL:
            sentence = f"{version_label(version)} is harmful. " + " ".join(reasons)
        extra = None
        if verdict is Verdict.INCONCLUSIVE:
            current = int(lay.stats["n"][[0, index]].sum())
            extra = extra_recipients_needed(main, primary, current, experiment.decision.probability)
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


def net_values(experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray]) -> list[NetValue]:
    """Value per 1,000 recipients of sending each version rather than nothing, after costs.

    Sum over metrics of (uplift per recipient x value per unit), minus the cost per send.
    Empty when no metric has a value and sending costs nothing.
    """
    valued = [m for m in experiment.metrics if m.value is not None]
    cost = experiment.decision.cost_per_send
    if not valued and cost == 0:
        return []
    tail = (1 - experiment.decision.interval) / 2
    currency = experiment.decision.currency
    results = []
    weights = lay.weights / lay.weights.sum()
    for index, version in enumerate(lay.versions, start=1):
        total = np.full(next(iter(draws.values())).shape[0], -cost)
        for metric in valued:
            uplift = (
                draws[metric.name][:, index, :] @ weights - draws[metric.name][:, 0, :] @ weights
            )
            total = total + uplift * float(metric.value)  # type: ignore[arg-type]
        per_thousand = total * 1000
        mean = float(per_thousand.mean())
        p_positive = float(np.mean(per_thousand > 0))
        word = "gains" if mean >= 0 else "loses"
        low, high = np.quantile(per_thousand, [tail, 1 - tail])
        sentence = (
            f"{version_label(version)} {word} about {money(abs(mean), currency)} per 1,000 recipients "
            f"after costs ({experiment.decision.interval * 100:.0f}%: "
            f"{money(float(low), currency)} to {money(float(high), currency)}); "
            f"chance it pays {percent(p_positive)}."
        )
        results.append(
            NetValue(
                version=version,
                mean=mean,
                low=float(np.quantile(per_thousand, tail)),
                high=float(np.quantile(per_thousand, 1 - tail)),
                p_positive=p_positive,
                sentence=sentence,
            )
        )
    return results


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


def model_checks(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray]
) -> list[ModelCheck]:
    """Predicted against observed mean per arm, with each arm's own segment mix."""
    from relevance.data import stat_column

    tail = (1 - experiment.decision.interval) / 2
    results = []
    for metric in experiment.metrics:
        trials = lay.stats[stat_column(metric.name, "n")]
        observed_total = lay.stats[
            stat_column(metric.name, "ones" if metric.kind == "binary" else "sum")
        ]
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
    caveat = "" if reliable else " (the sampler did not converge: do not rely on these numbers yet)"
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
    )
