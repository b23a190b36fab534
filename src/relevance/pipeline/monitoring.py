"""Always-on campaigns (`data.date`): the timeline of looks, drift over time, when to stop.

Runs after the report's own analysis, on the cells per send day that the aggregation made
beside the snapshot's. The looks use the normal approximation of :mod:`relevance.decide.looks`
(the last look is the report itself); drift refits the primary metric's model with the
periods as its one ordered segment (a random walk over time with a learned step size), on the
same compiled model as every campaign (sizes are data).
"""

from __future__ import annotations

import numpy as np

from relevance.config import Experiment
from relevance.decide.decision import Decision
from relevance.decide.drift import drift_curves, too_short
from relevance.decide.evidence import evidence_needed
from relevance.decide.looks import timeline_looks, timeline_sentences
from relevance.decide.stopping import fading_caveat, holdout_stop
from relevance.io.cells import MISSING_LEVEL, Cells
from relevance.io.periods import DAY, Period, by_period
from relevance.model.design import design
from relevance.model.fit import fit
from relevance.model.layout import Layout, layout
from relevance.pipeline.checking import Timer
from relevance.results import DriftCurve, Timeline

DRIFT_TARGET_ACCEPT = 0.995
"""Strong data per period against a learned step size near zero (an effect that does not
move) make a narrow funnel: small steps from the start, rather than a refit after divergences."""


def drift_over_time(
    experiment: Experiment, day_cells: Cells, period: Period
) -> tuple[list[DriftCurve], bool]:
    """The primary metric's effect per period, partially pooled over time, and whether the
    sampler converged. Without two periods of sends there is no trend to fit."""
    cells = by_period(day_cells, period)
    lay = layout(cells, ordered=(DAY,))
    primary = experiment.primary
    if int((lay.weights > 0).sum()) < 2:
        return [too_short(experiment, version, period) for version in lay.versions], True
    sampler = experiment.sampler.model_copy(
        update={"target_accept": max(experiment.sampler.target_accept, DRIFT_TARGET_ACCEPT)}
    )
    result = fit(design(lay, (primary,), experiment.priors), sampler, experiment.diagnostics)
    draws = result.mean_draws()[primary.name]
    return drift_curves(experiment, lay, draws, period), result.diagnostics.reliable


def monitor(
    experiment: Experiment,
    cells: Cells,
    lay: Layout,
    draws: dict[str, np.ndarray],
    decision: Decision,
    timer: Timer | None = None,
) -> Timeline | None:
    """The timeline of an always-on campaign, or None without `data.date`."""
    watch = experiment.watched
    if watch is None or cells.by_day is None:
        return None
    timer = timer or Timer()
    with timer("timeline"):
        looks = timeline_looks(experiment, cells, watch.every, decision.uplifts, decision.verdicts)
    measurable = all(item.metric != experiment.primary.name for item in decision.not_estimable)
    drift, reliable, stop = [], True, None
    if measurable:
        with timer("drift"):
            drift, reliable = drift_over_time(experiment, cells.by_day, watch.drift)
        stop = holdout_stop(
            experiment, lay, draws, cells.by_day, decision.uplifts, decision.verdicts
        )
        if caveat := fading_caveat(experiment, drift):
            stop = stop.model_copy(update={"sentence": stop.sentence + caveat})
    days = cells.by_day.keys[DAY].to_numpy()
    return Timeline(
        every=watch.every,
        period=watch.drift,
        looks=looks,
        sentences=timeline_sentences(looks, watch.every),
        evidence_needed=evidence_needed(
            experiment.decision.probability, len(experiment.arms.versions)
        ),
        undated=int(cells.by_day.n[days == MISSING_LEVEL].sum()),
        drift=drift,
        drift_reliable=reliable,
        stop=stop,
    )
