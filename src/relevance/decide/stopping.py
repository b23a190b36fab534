"""When can a standing holdout stop? The expected loss of deciding now, and days to a verdict.

Deciding now means taking the option (sending a version, or nothing) with the best expected
value today: its expected loss is what that choice costs on average where another option is
better, per 1,000 recipients, in the primary metric and (with values or costs) in money. When
that loss is below the threshold set as small enough, holding customers out buys nothing
worth its cost. Otherwise the report says how many days at today's volume a verdict is likely
to take, if the estimate stays where it is.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np

from relevance.config import Experiment
from relevance.decide.evidence import recipients_to_verdict
from relevance.decide.uplift import OVERALL, direction, uplift_draws
from relevance.decide.value import has_value, pays_draws
from relevance.io.cells import Cells
from relevance.io.periods import DAY, dated_only
from relevance.language import money, number, version_label
from relevance.model.layout import Layout
from relevance.results import PER, DriftCurve, HoldoutStop, Uplift, Verdict, VersionVerdict

RECENT_DAYS = 7
"""The daily volume is the average over the last week of sends."""
MAX_DAYS = 365
"""Beyond a year at today's volume a projection says nothing useful."""


def option_draws(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray], money_terms: bool
) -> np.ndarray:
    """(sample, option) draws of each option's value per 1,000 recipients against sending
    nothing: option 0 is nothing (0), then each version; in money (net value) or in the
    primary metric's benefit."""
    weights = lay.weights / lay.weights.sum()
    primary = experiment.primary
    columns = [np.zeros(next(iter(draws.values())).shape[0])]
    for index in range(1, len(lay.arms)):
        if money_terms:
            columns.append(pays_draws(experiment, draws, index, weights))
        else:
            benefit = direction(primary) * uplift_draws(draws[primary.name], index, weights)
            columns.append(benefit * PER)
    return np.column_stack(columns)


def expected_loss(values: np.ndarray, choice: int) -> float:
    """Mean over draws of the best option's value minus the chosen one's (>= 0)."""
    return float(np.mean(values.max(axis=1) - values[:, choice]))


def recipients_per_day(day_cells: Cells, arms: tuple[str, ...]) -> float:
    """Recipients of `arms` per day over the last week with sends (up to 7 days)."""
    cells = dated_only(day_cells)
    if cells.count == 0:
        return 0.0
    days = cells.keys[DAY].map(date.fromisoformat)
    last = days.max()
    recent = ((last - days).map(lambda gap: gap.days) < RECENT_DAYS).to_numpy()
    chosen = cells.keys["arm"].isin(arms).to_numpy()
    spanned = min(RECENT_DAYS, (last - days.min()).days + 1)
    return float(cells.n[recent & chosen].sum()) / spanned


def days_to_verdict(
    experiment: Experiment,
    lay: Layout,
    day_cells: Cells,
    uplifts: list[Uplift],
    verdicts: list[VersionVerdict],
) -> dict[str, int | None]:
    """Per undecided version: days at today's volume until the look-safe rule likely gives a
    verdict, if the estimate stays put (None: not within a year, or no sends lately)."""
    primary = experiment.primary
    by_version = {
        u.version: u
        for u in uplifts
        if u.metric == primary.name and (u.segment_column, u.segment_level) == OVERALL
    }
    days: dict[str, int | None] = {}
    for verdict in verdicts:
        uplift = by_version.get(verdict.version)
        if verdict.verdict is not Verdict.INCONCLUSIVE or uplift is None:
            continue
        index = lay.arms.index(verdict.version)
        pair = (lay.arms[0], verdict.version)
        current = int(lay.n[[0, index]].sum())
        extra = recipients_to_verdict(
            primary, uplift, current, experiment.decision.probability, len(lay.versions)
        )
        daily = recipients_per_day(day_cells, pair)
        needed = None if extra is None or daily <= 0 else math.ceil(extra / daily)
        days[verdict.version] = needed if needed is not None and needed <= MAX_DAYS else None
    return days


def default_stop_loss(experiment: Experiment) -> float:
    """Small enough to stop holding out, per 1,000 recipients, in the campaign's measure: a
    tenth of the primary metric's ROPE; in money, that times its value, or else a tenth of the
    cost of sending 1,000 emails (0 when neither is known: never stop on its own)."""
    primary = experiment.primary
    outcomes = primary.rope * PER / 10
    if not has_value(experiment):
        return outcomes
    if primary.value:
        return outcomes * abs(primary.value)
    return experiment.decision.cost_per_send * PER / 10


def holdout_stop(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    day_cells: Cells,
    uplifts: list[Uplift],
    verdicts: list[VersionVerdict],
) -> HoldoutStop:
    """Whether the holdout can stop: the expected loss of deciding now against the threshold."""
    watch = experiment.watched
    assert watch is not None
    valued = has_value(experiment)
    outcomes = option_draws(experiment, lay, draws, money_terms=False)
    values = option_draws(experiment, lay, draws, money_terms=True) if valued else outcomes
    choice = int(np.argmax(values.mean(axis=0)))
    loss = expected_loss(outcomes, choice)
    loss_money = expected_loss(values, choice) if valued else None
    threshold = watch.stop_loss if watch.stop_loss is not None else default_stop_loss(experiment)
    deciding = loss_money if loss_money is not None else loss
    chosen = None if choice == 0 else lay.arms[choice]
    daily = recipients_per_day(day_cells, lay.arms)
    pending = days_to_verdict(experiment, lay, day_cells, uplifts, verdicts)
    return HoldoutStop(
        choice=chosen,
        expected_loss=loss,
        expected_loss_money=loss_money,
        threshold=threshold,
        in_money=valued,
        can_stop=deciding < threshold,
        recipients_per_day=daily,
        days_to_verdict=pending,
        sentence=stop_sentence(experiment, chosen, loss, loss_money, threshold, daily, pending),
    )


def stop_sentence(
    experiment: Experiment,
    chosen: str | None,
    loss: float,
    loss_money: float | None,
    threshold: float,
    daily: float,
    pending: dict[str, int | None],
) -> str:
    """'You can stop the holdout: ...' or 'Keep the holdout: ...', with the days to a verdict."""
    primary = experiment.primary
    currency = experiment.decision.currency
    symbol = primary.symbol(currency)
    action = f"sending {version_label(chosen)}" if chosen else "sending nothing"
    cost = f"{money(loss, symbol)} {primary.display}"
    if loss_money is not None:
        cost = f"{money(loss_money, currency)} ({cost})"
        limit = f"{money(threshold, currency)} per 1,000"
    else:
        limit = f"{money(threshold, symbol)} {primary.display} per 1,000"
    deciding = loss_money if loss_money is not None else loss
    if deciding < threshold:
        return (
            f"You can stop the holdout: deciding now ({action}) risks an expected loss of "
            f"{cost} per 1,000 recipients, below the {limit} set as small enough."
        )
    text = (
        f"Keep the holdout for now: deciding now ({action}) would risk an expected loss of "
        f"{cost} per 1,000 recipients, above the {limit} set as small enough."
    )
    volume = f"at the current {number(daily)} recipients a day"
    for version, days in pending.items():
        who = version_label(version)
        if days is None:
            text += f" {who} is unlikely to get a verdict within a year {volume} unless its effect moves."
        elif days == 0:
            text += f" {who} is on the edge of a verdict: the next look may settle it."
        else:
            text += f" {who} is likely to get a verdict in about {days:,} day{'s' if days != 1 else ''} {volume}."
    return text


def fading_caveat(experiment: Experiment, curves: list[DriftCurve]) -> str:
    """A sentence for the stop advice when some version's effect is credibly fading: the
    decision rests on the average so far, and the latest period is weaker."""
    fading = [
        c.version for c in curves if c.p_latest_below_first >= experiment.decision.probability
    ]
    if not fading:
        return ""
    who = " and ".join(version_label(v) for v in fading)
    return (
        f" But the effect of {who} is fading (see “Is the effect fading?”): this decision rests "
        "on the average so far, so keep watching it, for example with a smaller holdout."
    )
