"""Targeting: who to send which version to, one segment column at a time.

For every level of a segment column, each action (a version, or sending nothing) is worth
what :func:`relevance.decide.value.pays_draws` says per 1,000 recipients of that level
(sending nothing is worth 0). A policy picks, per level, the action with the highest
posterior mean value; harmful versions are never picked. Its value per 1,000 recipients of
the whole campaign is the population-weighted sum over levels, computed draw by draw, so the
gain over the best single action for everyone (send-all) carries its own uncertainty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from relevance.config import Experiment
from relevance.decide.fatigue import emails_phrase
from relevance.decide.value import has_value, measure, pays_draws, summary
from relevance.language import money, percent, version_label
from relevance.model.layout import Layout
from relevance.results import PolicyChoice, Summary, Targeting, Verdict, VersionVerdict


@dataclass(frozen=True)
class LevelValues:
    """One segment level: its population share and each action's value draws.

    `values` maps an action (a version, or None for sending nothing) to draws of its value
    per 1,000 recipients of the level.
    """

    level: str
    share: float
    recipients: int
    values: dict[str | None, np.ndarray]

    def best(self) -> str | None:
        """The action with the highest posterior mean value (the first one on ties)."""
        return max(self.values, key=lambda action: float(np.mean(self.values[action])))


def level_values(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    column: str,
    allowed: Sequence[str],
) -> list[LevelValues]:
    """Per level of `column` with recipients: share and value draws of nothing and `allowed`.

    Sending nothing comes first, so it wins ties: sending costs attention that no number here
    measures.
    """
    samples = next(iter(draws.values())).shape[0]
    population = lay.n.sum(axis=0)
    total_weight = lay.weights.sum()
    found = []
    for position, level in enumerate(lay.levels[column]):
        selected = np.where(lay.level_index[column] == position, lay.weights, 0.0)
        if selected.sum() <= 0:
            continue
        weights = selected / selected.sum()
        values: dict[str | None, np.ndarray] = {None: np.zeros(samples)}
        for version in allowed:
            index = lay.arms.index(version)
            values[version] = pays_draws(experiment, draws, index, weights)
        found.append(
            LevelValues(
                level=level,
                share=float(selected.sum() / total_weight),
                recipients=int(population[selected > 0].sum()),
                values=values,
            )
        )
    return found


def campaign_value(levels: Sequence[LevelValues], actions: Sequence[str | None]) -> np.ndarray:
    """Draws of a policy's value per 1,000 recipients of the whole campaign: the sum over
    levels of the level's population share times the value of the action taken there."""
    return np.sum(
        [level.share * level.values[action] for level, action in zip(levels, actions, strict=True)],
        axis=0,
    )


def column_targeting(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    column: str,
    allowed: Sequence[str],
) -> Targeting:
    """The best policy by one segment column, against sending the best single action to all."""
    levels = level_values(experiment, lay, draws, column, allowed)
    choices = [level.best() for level in levels]
    policy = campaign_value(levels, choices)
    actions = list(levels[0].values)
    overall = {action: campaign_value(levels, [action] * len(levels)) for action in actions}
    send_all = max(actions, key=lambda action: float(np.mean(overall[action])))
    gain = policy - overall[send_all]
    share = experiment.decision.interval
    differs = any(action != send_all for action in choices)
    p_beats_send_all = float(np.mean(gain > 0))
    gain_summary = summary(gain, share)
    return Targeting(
        column=column,
        measure=measure(experiment),
        policy=[
            PolicyChoice(
                segment_column=column,
                segment_level=level.level,
                send=action,
                recipients=level.recipients,
                value_per_1000=float(np.mean(level.values[action])),
            )
            for level, action in zip(levels, choices, strict=True)
        ],
        value_per_1000=summary(policy, share),
        send_all=send_all,
        send_all_value_per_1000=summary(overall[send_all], share),
        gain_over_send_all=gain_summary,
        p_beats_send_all=p_beats_send_all,
        p_beats_nothing=float(np.mean(policy > 0)),
        recommended=differs and p_beats_send_all >= experiment.decision.probability,
        sentence=targeting_sentence(
            experiment, column, levels, choices, send_all, gain_summary, p_beats_send_all
        ),
    )


def targeting_by_column(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    verdicts: Sequence[VersionVerdict] = (),
) -> list[Targeting]:
    """The best policy by each segment column (fatigue included), in the layout's order.

    Versions whose verdict is harmful are never sent, by the policy or as the send-all
    choice. Empty without segments. `draws` are expected outcomes per recipient,
    (sample, arm, cell), for every metric of `experiment` (measurable metrics only).
    """
    harmful = {v.version for v in verdicts if v.verdict is Verdict.HARMFUL}
    allowed = [version for version in lay.versions if version not in harmful]
    return [column_targeting(experiment, lay, draws, column, allowed) for column in lay.segments]


def best_targeting(options: Sequence[Targeting]) -> Targeting | None:
    """The recommended policy with the largest mean gain; else the largest mean gain overall."""
    if not options:
        return None
    recommended = [option for option in options if option.recommended]
    return max(recommended or options, key=lambda option: option.gain_over_send_all.mean)


# --- sentences -------------------------------------------------------------------------


def join(items: Sequence[str], word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _count(bucket: str) -> int | None:
    found = re.fullmatch(r"\s*(\d+)\+?\s*", bucket)
    return int(found.group(1)) if found else None


def emails_group(chosen: Sequence[str], present: Sequence[str]) -> str:
    """Buckets of emails already received as customers: 'customers with fewer than 3 emails
    this week', 'customers with 3 or more emails this week', 'customers with no email ...'."""
    positions = [present.index(bucket) for bucket in chosen]
    size = len(chosen)
    if size == len(present):
        return "everyone"
    if positions == list(range(size)):  # the lowest buckets
        limit = _count(present[size])
        if limit == 1:
            return "customers with no email this week"
        if limit is not None:
            return f"customers with fewer than {limit} emails this week"
    if positions == list(range(len(present) - size, len(present))):  # the highest buckets
        limit = _count(present[len(present) - size])
        if limit is not None:
            return f"customers with {limit} or more emails this week"
    return f"customers with {join([emails_phrase(b) for b in chosen], 'or')} this week"


def _who(experiment: Experiment, column: str, chosen: list[str], present: list[str]) -> str:
    if experiment.fatigue is not None and column == experiment.fatigue.column:
        return emails_group(chosen, present)
    return "everyone" if len(chosen) == len(present) else join(chosen)


def _send(action: str | None) -> str:
    return "send nothing" if action is None else f"send {version_label(action)}"


def _money_format(experiment: Experiment) -> tuple[str, str]:
    """(currency symbol, unit after the number) for amounts of :func:`pays_draws`."""
    if has_value(experiment):
        return experiment.decision.currency, ""
    primary = experiment.primary
    symbol = primary.symbol(experiment.decision.currency)
    return symbol, f" {primary.display}"


def targeting_sentence(
    experiment: Experiment,
    column: str,
    levels: list[LevelValues],
    choices: list[str | None],
    send_all: str | None,
    gain: Summary,
    p_better: float,
) -> str:
    """'Send Version B to retention; send nothing to acquisition (by lifecycle stage):
    +$12.3 per 1,000 recipients more than sending Version B to everyone (95%: ...; chance ...).'"""
    present = [level.level for level in levels]
    if all(action == send_all for action in choices):
        what = "send nothing" if send_all is None else f"{_send(send_all)} to everyone"
        return (
            f"By {experiment.segment_label(column)}, the best choice is the same for every "
            f"group: {what}."
        )
    groups: dict[str | None, list[str]] = {}
    for level, action in zip(present, choices, strict=True):
        groups.setdefault(action, []).append(level)
    if None in groups:  # versions first, in the order met; sending nothing last
        groups[None] = groups.pop(None)
    text = "; ".join(
        f"{_send(action)} to {_who(experiment, column, chosen, present)}"
        for action, chosen in groups.items()
    )
    if experiment.fatigue is None or column != experiment.fatigue.column:
        text += f" (by {experiment.segment_label(column)})"
    symbol, unit = _money_format(experiment)
    alternative = (
        "sending nothing" if send_all is None else f"sending {version_label(send_all)} to everyone"
    )
    share = f"{experiment.decision.interval * 100:.0f}%"
    return (
        f"{text[:1].upper()}{text[1:]}: {money(gain.mean, symbol, signed=True)}{unit} per 1,000 "
        f"recipients more than {alternative} ({share}: {money(gain.low, symbol)} to "
        f"{money(gain.high, symbol)}; chance it is better {percent(p_better)})."
    )
