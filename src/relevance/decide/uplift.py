"""Uplift against the holdout per version, metric and segment, from posterior draws.

Every quantity is computed from the posterior of the expected outcome per recipient in every
arm x segment cell, averaged with population weights. Uplift is absolute per recipient;
"benefit" is the uplift in the metric's better direction.
"""

from __future__ import annotations

import numpy as np

from relevance.config import Experiment, MetricConfig
from relevance.model.layout import Layout
from relevance.results import Uplift, Verdict

OVERALL = ("overall", "all")


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


def uplift_draws(draws: np.ndarray, index: int, weights: np.ndarray) -> np.ndarray:
    """Draws of version `index`'s uplift over the holdout (arm 0), averaged with `weights`.

    `draws` are expected outcomes per recipient, (sample, arm, cell); weights sum to 1.
    """
    return draws[:, index, :] @ weights - draws[:, 0, :] @ weights


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


def uplifts_for(
    experiment: Experiment, lay: Layout, metric: MetricConfig, draws: np.ndarray
) -> list[Uplift]:
    """Every version x segment uplift of one metric; draws are (sample, arm, cell)."""
    population = lay.n.sum(axis=0)
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
    return direction(metric) * uplift_draws(draws, index, lay.weights / lay.weights.sum())
