"""The third email of the week: does sending still pay for customers who already got several?

The number of emails a customer received in the prior 7 days is bucketed (0, 1, 2, 3+) and
analysed as an ordered segment: a version's deviation across buckets follows a random walk,
so neighbouring buckets borrow strength and the curve is smooth where the data are thin.
"""

from __future__ import annotations

import re

import numpy as np

from relevance.config import Experiment
from relevance.decide.uplift import direction, uplift_draws
from relevance.decide.value import has_value, measure, pays_draws
from relevance.errors import DataError, brief
from relevance.io.cells import Cells
from relevance.io.surveys import SurveyCells
from relevance.language import money, number, percent, version_label
from relevance.model.layout import Layout
from relevance.results import FatigueCurve, FatiguePoint


def bucket_label(level: str, cap: int) -> str:
    """'0', '1', ..., 'cap+' for a count of emails received; raises ValueError for non-counts."""
    found = re.fullmatch(r"\s*\+?(\d+)(\.0*)?\s*", level)
    if found is None:
        raise ValueError(level)
    value = int(found.group(1))
    return f"{cap}+" if value >= cap else str(value)


def bucket_cells(experiment: Experiment, cells: Cells) -> Cells:
    """Collapse the fatigue column's raw counts into buckets (sums of sufficient statistics)."""
    if experiment.fatigue is None:
        return cells
    column, cap = experiment.fatigue.column, experiment.fatigue.cap
    try:
        return cells.relabel(column, lambda level: bucket_label(level, cap))
    except ValueError as error:
        raise DataError(
            experiment.data.path or experiment.source,
            f"column `{column}`",
            "fatigue needs a whole number of emails received per customer; found "
            f"{brief(str(error.args[0]))}",
            "give the count of emails in the prior 7 days (0, 1, 2, ...), or remove `fatigue`",
        ) from None


def bucket_answers(experiment: Experiment, answers: SurveyCells) -> SurveyCells:
    """Survey answers with the fatigue column in the same buckets as the cells."""
    if experiment.fatigue is None:
        return answers
    cap = experiment.fatigue.cap
    return answers.relabel(experiment.fatigue.column, lambda level: bucket_label(level, cap))


def fatigue_curves(
    experiment: Experiment, lay: Layout, draws: dict[str, np.ndarray]
) -> list[FatigueCurve]:
    """Per version: uplift and what sending earns in each bucket, and where it stops paying."""
    if experiment.fatigue is None:
        return []
    column = experiment.fatigue.column
    is_money = has_value(experiment)
    curves = []
    for index, version in enumerate(lay.versions, start=1):
        points = []
        for level_index, bucket in enumerate(lay.levels[column]):
            selected = np.where(lay.level_index[column] == level_index, lay.weights, 0.0)
            if selected.sum() > 0:
                points.append(_point(experiment, lay, draws, index, bucket, selected))
        stops = _stops_paying_from(points)
        curves.append(
            FatigueCurve(
                version=version,
                column=column,
                measure=measure(experiment),
                points=points,
                stops_paying_from=stops,
                sentence=_sentence(version, points, stops, is_money, experiment.decision.currency),
            )
        )
    return curves


def _point(
    experiment: Experiment,
    lay: Layout,
    draws: dict[str, np.ndarray],
    index: int,
    bucket: str,
    selected: np.ndarray,
) -> FatiguePoint:
    """One bucket of one version: the primary metric's uplift and what sending earns there."""
    tail = (1 - experiment.decision.interval) / 2
    primary = experiment.primary
    weights = selected / selected.sum()
    uplift = uplift_draws(draws[primary.name], index, weights)
    pays = pays_draws(experiment, draws, index, weights)
    return FatiguePoint(
        bucket=bucket,
        recipients=int(lay.n.sum(axis=0)[selected > 0].sum()),
        uplift_mean=float(uplift.mean()),
        uplift_low=float(np.quantile(uplift, tail)),
        uplift_high=float(np.quantile(uplift, 1 - tail)),
        p_beats_holdout=float(np.mean(direction(primary) * uplift > 0)),
        pays_mean=float(pays.mean()),
        pays_low=float(np.quantile(pays, tail)),
        pays_high=float(np.quantile(pays, 1 - tail)),
        p_pays=float(np.mean(pays > 0)),
    )


def _stops_paying_from(points: list[FatiguePoint]) -> str | None:
    """The first bucket from which sending is expected not to pay in every later bucket."""
    for start in range(len(points)):
        if all(p.pays_mean <= 0 for p in points[start:]):
            return points[start].bucket
    return None


def emails_phrase(bucket: str) -> str:
    """'no email', '1 email', '2 emails', '3 or more emails' for a bucket of emails received."""
    if bucket.endswith("+"):
        return f"{bucket[:-1]} or more emails"
    return "no email" if bucket == "0" else f"{bucket} email{'s' if bucket != '1' else ''}"


def _sentence(
    version: str, points: list[FatiguePoint], stops: str | None, is_money: bool, currency: str
) -> str:
    who = version_label(version)
    unit = "net value" if is_money else "gain"

    def amount(p: FatiguePoint) -> str:
        text = (
            money(p.pays_mean, currency if is_money else "", signed=True)
            if is_money
            else number(p.pays_mean, signed=True)
        )
        return f"{text} {unit} per 1,000 recipients, chance it pays {percent(p.p_pays)}"

    if not points:
        return f"{who}: no customers in any bucket."
    if stops is None:
        last = points[-1]
        return f"{who} still pays for customers who already got {emails_phrase(last.bucket)} this week ({amount(last)})."
    first = next(p for p in points if p.bucket == stops)
    if first is points[0]:
        return f"{who} does not pay for any group, even customers who got {emails_phrase(first.bucket)} this week ({amount(first)})."
    return (
        f"{who} stops paying once customers already got {emails_phrase(stops)} this week "
        f"({amount(first)}); send it only to customers with fewer."
    )
