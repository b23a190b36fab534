"""The campaign in totals rather than per 1,000 recipients.

- Realised: what each version brought in this campaign: its uplift per recipient, averaged
  over that version arm's own segment mix, times the arm's recipients.
- Roll-out: what the recommendation (the recommended targeting policy, else the version worth
  sending to everyone, else nothing) would earn over the whole list.
- Holdout cost: what the held-out customers would have brought had they been treated as
  recommended (none when the recommendation is to send nothing).
"""

from __future__ import annotations

import math

import numpy as np

from relevance.config import Experiment, MetricConfig
from relevance.decide.uplift import direction, uplift_draws
from relevance.decide.value import has_value, measure, net_value_draws, pays_draws, summary
from relevance.decide.verdicts import targeting_recommended
from relevance.language import money, version_label
from relevance.model.layout import Layout
from relevance.results import PER, CampaignVerdict, Summary, Targeting, Totals, VersionTotal

NOTHING = Summary(mean=0.0, low=0.0, high=0.0)


def scaled(per_recipient: Summary, recipients: int) -> Summary:
    """A per-recipient summary times a number of recipients (quantiles scale exactly)."""
    return Summary(
        mean=per_recipient.mean * recipients,
        low=per_recipient.low * recipients,
        high=per_recipient.high * recipients,
    )


def version_total(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray], index: int
) -> VersionTotal:
    """What version `index` brought in this campaign: uplift x its arm's recipients.

    The uplift is averaged over the version arm's own recipients per cell, so the total is
    what these recipients got, not what an average list would have got.
    """
    recipients = int(lay.n[index].sum())
    if recipients == 0:
        return VersionTotal(
            version=lay.arms[index],
            recipients=0,
            extra_primary=NOTHING,
            net_value=NOTHING if has_value(experiment) else None,
        )
    weights = lay.n[index] / recipients
    share = experiment.decision.interval
    primary = experiment.primary
    extra = uplift_draws(draws[primary.name], index, weights) * recipients
    net = None
    if has_value(experiment):
        net = summary(net_value_draws(experiment, draws, index, weights) / PER * recipients, share)
    return VersionTotal(
        version=lay.arms[index],
        recipients=recipients,
        extra_primary=summary(extra, share),
        net_value=net,
    )


def recommendation_value(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    best: Targeting | None,
    campaign: CampaignVerdict,
) -> Summary | None:
    """Value per recipient of the list of following the recommendation (None: send nothing).

    In :func:`pays_draws` units: net value, or the primary metric's benefit.
    """
    if best is not None and targeting_recommended(experiment, campaign, best):
        return _per_recipient(best.value_per_1000)
    if campaign.send is None:
        return None
    weights = lay.weights / lay.weights.sum()
    per_thousand = pays_draws(experiment, draws, lay.arms.index(campaign.send), weights)
    return summary(per_thousand / PER, experiment.decision.interval)


def _per_recipient(per_thousand: Summary) -> Summary:
    """A summary per 1,000 recipients as one per recipient."""
    return Summary(
        mean=per_thousand.mean / PER, low=per_thousand.low / PER, high=per_thousand.high / PER
    )


def totals(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    best: Targeting | None,
    campaign: CampaignVerdict,
) -> Totals:
    """Realised totals per version, the roll-out's value over the list, the holdout's cost.

    `best` is the best targeting policy (or None) and `campaign` the campaign verdict: together
    they say what the recommendation is (see :func:`recommendation_value`).
    """
    realised = [version_total(experiment, lay, draws, i) for i in range(1, len(lay.arms))]
    list_size = experiment.decision.list_size or int(lay.n.sum())
    holdout_recipients = int(lay.n[0].sum())
    per_recipient = recommendation_value(experiment, lay, draws, best, campaign)
    rollout = NOTHING if per_recipient is None else scaled(per_recipient, list_size)
    holdout_cost = None if per_recipient is None else scaled(per_recipient, holdout_recipients)
    sentences = [realised_sentence(experiment, total) for total in realised]
    sentences.append(
        rollout_sentence(experiment, list_size, None if per_recipient is None else rollout)
    )
    if holdout_cost is not None:
        sentences.append(holdout_sentence(experiment, holdout_recipients, holdout_cost))
    return Totals(
        measure=measure(experiment),
        realised=realised,
        list_size=list_size,
        rollout=rollout,
        holdout_recipients=holdout_recipients,
        holdout_cost=holdout_cost,
        sentences=sentences,
    )


# --- sentences -------------------------------------------------------------------------


def rounded(value: float) -> float:
    """A total to 3 significant figures (22,403 -> 22,400): totals are estimates."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 2 - math.floor(math.log10(abs(value))))


def _money(value: float, symbol: str, signed: bool = False) -> str:
    return money(rounded(value), symbol, signed=signed)


def _symbol(experiment: Experiment, metric: MetricConfig) -> str:
    return metric.symbol(experiment.decision.currency)


def change(experiment: Experiment, metric: MetricConfig, value: float) -> str:
    """A total change of a metric in words: '330 extra purchases', '$50 less revenue'."""
    more = "extra" if value >= 0 else ("less" if metric.kind == "revenue" else "fewer")
    return f"{_money(abs(value), _symbol(experiment, metric))} {more} {metric.display}"


def _range(experiment: Experiment, total: Summary, symbol: str) -> str:
    """'95%: 170 to 490'; signed when the interval crosses zero."""
    signed = total.low < 0
    low, high = _money(total.low, symbol, signed), _money(total.high, symbol, signed)
    return f"{experiment.decision.interval * 100:.0f}%: {low} to {high}"


def realised_sentence(experiment: Experiment, total: VersionTotal) -> str:
    """'This campaign's Version B brought about 330 extra purchases (95%: 170 to 490) and
    $1,250 net value.'"""
    primary = experiment.primary
    text = (
        f"This campaign's {version_label(total.version)} brought about "
        f"{change(experiment, primary, total.extra_primary.mean)} "
        f"({_range(experiment, total.extra_primary, _symbol(experiment, primary))})"
    )
    if total.net_value is not None:
        text += f" and {_money(total.net_value.mean, experiment.decision.currency)} net value"
    return f"{text}."


def _value_symbol(experiment: Experiment) -> str:
    """The currency symbol of :func:`pays_draws` amounts ('' for counts of outcomes)."""
    if has_value(experiment):
        return experiment.decision.currency
    return _symbol(experiment, experiment.primary)


def _value(experiment: Experiment, value: float) -> str:
    """An amount of :func:`pays_draws` units in words: '$2,480' or '2,480 extra purchases'."""
    if has_value(experiment):
        return _money(abs(value), experiment.decision.currency)
    primary = experiment.primary
    return change(experiment, primary, direction(primary) * value)


def rollout_sentence(experiment: Experiment, list_size: int, rollout: Summary | None) -> str:
    """'Rolling the recommendation out to all 200,000 customers would earn about $2,480 (...).'"""
    if rollout is None:
        return (
            f"The recommendation is to send nothing, so rolling it out to all {list_size:,} "
            "customers would bring nothing extra."
        )
    verb = "bring" if not has_value(experiment) else ("earn" if rollout.mean >= 0 else "lose")
    symbol = _value_symbol(experiment)
    return (
        f"Rolling the recommendation out to all {list_size:,} customers would {verb} about "
        f"{_value(experiment, rollout.mean)} ({_range(experiment, rollout, symbol)})."
    )


def holdout_sentence(experiment: Experiment, recipients: int, cost: Summary) -> str:
    """'Keeping 40,000 customers out of the email cost about $496 (95%: ...).'"""
    symbol = _value_symbol(experiment)
    verb = "cost" if has_value(experiment) else "gave up"
    if cost.mean < 0:
        verb = "saved"
    return (
        f"Keeping {recipients:,} customers out of the email {verb} about "
        f"{_value(experiment, cost.mean)} ({_range(experiment, cost, symbol)})."
    )
