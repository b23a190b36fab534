"""The one call: an experiment file in, typed results out (`relevance.analyze`).

The steps follow the data flow, each a plain function of the previous step's output:

    config -> cells -> checks -> layout -> design -> fit -> decide -> results

:func:`analyze` runs them in that order and keeps every intermediate result on the returned
:class:`Analysis`; :meth:`Analysis.save` writes what a report folder holds.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from relevance import __version__
from relevance.checks.suite import stop_on_errors
from relevance.config import Experiment, load_experiment
from relevance.decide.adjustment import adjustment
from relevance.decide.decision import Decision, decide
from relevance.decide.delivered import effect_on_delivered
from relevance.decide.surveys import survey_results
from relevance.io.cells import Cells
from relevance.io.files import shown
from relevance.io.outputs import spreadsheet_safe, write_file, write_text_atomic
from relevance.io.sources import data_fingerprint
from relevance.io.surveys import SurveyCells, answers_frame
from relevance.model.design import design
from relevance.model.fit import Fit, fit
from relevance.model.layout import Layout, layout
from relevance.model.survey import SurveyFit, fit_answers
from relevance.pipeline.checking import Timer, check_everything
from relevance.pipeline.monitoring import monitor
from relevance.resources import configs_folder
from relevance.results import DiagnosticsSummary, Finding, Results, RunInfo


@dataclass
class Analysis:
    """An analysis in full: what went in, the posterior, and the results."""

    experiment: Experiment
    cells: Cells
    layout: Layout
    findings: list[Finding]
    fit: Fit
    decision: Decision
    results: Results
    seconds: dict[str, float] = field(default_factory=dict)
    surveys: list[SurveyCells] = field(default_factory=list)
    survey_fits: list[SurveyFit | None] = field(default_factory=list)

    def draws(self) -> dict[str, np.ndarray]:
        """Posterior draws of the expected outcome per recipient: (sample, arm, cell)."""
        return self.fit.mean_draws()

    def save(self, folder: Path | str) -> None:
        """Write results.json, the cells (CSV), the posterior (NetCDF) and, with surveys, the
        survey answers per cell (``survey_answers.csv``) into `folder`.

        An empty `folder` ("", the notebook's default) writes nothing.
        """
        if not str(folder):
            return
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / "results.json", self.results.to_json() + "\n")
        cells = spreadsheet_safe(self.cells.to_frame(), ["arm", *self.cells.segments])
        write_text_atomic(folder / "cells.csv", cells.to_csv(index=False))
        posterior = self.fit.posterior
        write_file(
            folder / "posterior.nc", lambda path: posterior.to_netcdf(path, engine="h5netcdf")
        )
        if self.surveys:
            answers = spreadsheet_safe(
                answers_frame(self.surveys), ["survey", "arm", *self.cells.segments, "answer"]
            )
            write_text_atomic(folder / "survey_answers.csv", answers.to_csv(index=False))


def analyze(
    experiment: Experiment | Path | str,
    profile: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Analysis:
    """Analyse one experiment against its no-send holdout and return typed results.

    Raises :class:`relevance.errors.InputError` for bad config or data (nothing is fitted).
    """
    timer = Timer()
    with timer("config"):
        if not isinstance(experiment, Experiment):
            experiment = load_experiment(experiment, profile=profile, overrides=overrides)
    cells, surveys, findings = check_everything(experiment, timer)
    stop_on_errors(experiment, findings)
    lay = layout(cells, ordered=(experiment.fatigue.column,) if experiment.fatigue else ())
    result = fit(
        design(lay, tuple(experiment.metrics), experiment.priors),
        experiment.sampler,
        experiment.diagnostics,
    )
    timer.seconds.update(result.seconds)
    with timer("decide"):
        draws = result.mean_draws()
        decision = decide(experiment, lay, draws, result.diagnostics.reliable)
    extra = before_and_after_the_send(experiment, cells, lay, result, decision, timer)
    survey_fits, why = [], []
    if surveys:
        with timer("surveys"):
            survey_fits = [fit_answers(experiment, lay, answers) for answers in surveys]
            why = survey_results(experiment, cells, surveys, survey_fits, decision)
    timeline = monitor(experiment, cells, lay, draws, decision, timer)  # always-on only
    run = run_info(experiment, profile, cells, timer.seconds)
    results = assemble(experiment, run, findings, diagnostics_summary(result), decision)
    results = results.model_copy(update={**extra, "surveys": why, "timeline": timeline})
    return Analysis(
        experiment,
        cells,
        lay,
        findings,
        result,
        decision,
        results,
        timer.seconds,
        surveys,
        survey_fits,
    )


def before_and_after_the_send(
    experiment: Experiment, cells: Cells, lay: Layout, result: Fit, decision: Decision, timer: Timer
) -> dict[str, Any]:
    """Results fields from what is known before the send (``adjust_for``: the same model
    fitted without it, to say how much it narrowed the primary interval) and after it
    (``data.delivered``: the effect on delivered recipients)."""
    extra: dict[str, Any] = {}
    draws = result.mean_draws()
    if experiment.adjust_for:
        with timer("unadjusted fit"):
            plain = layout(cells.unadjusted(), ordered=lay.ordered)
            plain_fit = fit(
                design(plain, tuple(experiment.metrics), experiment.priors),
                experiment.sampler,
                experiment.diagnostics,
            )
            extra["adjustment"] = adjustment(experiment, lay, draws, plain, plain_fit.mean_draws())
    if cells.delivery is not None:
        estimable = {m.name for m in experiment.metrics} - {
            n.metric for n in decision.not_estimable
        }
        extra["effect_on_delivered"] = effect_on_delivered(experiment, cells, lay, draws, estimable)
    return extra


def run_info(
    experiment: Experiment, profile: str | None, cells: Cells, seconds: dict[str, float]
) -> RunInfo:
    """Where the numbers came from: time, versions, seed, sampler settings, fingerprints."""
    return RunInfo(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        package_version=__version__,
        git_commit=git_commit(),
        seed=experiment.sampler.seed,
        draws=experiment.sampler.draws,
        tune=experiment.sampler.tune,
        chains=experiment.sampler.chains,
        profile=profile,
        data_fingerprint=data_fingerprint(experiment),
        cells_fingerprint=cells.fingerprint(),
        recipients=cells.recipients,
        seconds={k: round(v, 3) for k, v in seconds.items()},
        config_files=[shown_config(file) for file in experiment.config_files],
    )


def assemble(
    experiment: Experiment,
    run: RunInfo,
    findings: list[Finding],
    diagnostics: DiagnosticsSummary,
    decision: Decision,
) -> Results:
    """The results.json contract from the experiment, the findings and the decisions."""
    return Results(
        experiment=experiment.name,
        title=experiment.title or "",
        sent_on=experiment.sent_on,
        description=experiment.description,
        holdout=experiment.arms.holdout,
        versions=list(experiment.arms.versions),
        primary_metric=experiment.primary.name,
        metrics=list(experiment.metrics),
        segments=list(experiment.segments),
        segment_labels={s: experiment.segment_label(s) for s in experiment.segments},
        interval=experiment.decision.interval,
        probability=experiment.decision.probability,
        currency=experiment.decision.currency,
        run=run,
        findings=findings,
        diagnostics=diagnostics,
        campaign=decision.campaign,
        verdicts=decision.verdicts,
        uplifts=decision.uplifts,
        net_value=decision.net_value,
        comparisons=decision.comparisons,
        model_checks=decision.model_checks,
        fatigue=decision.fatigue,
        not_estimable=decision.not_estimable,
        targeting=decision.targeting,
        targeting_by_column=decision.targeting_by_column,
        totals=decision.totals,
        priors=experiment.priors.model_dump(),
    )


def shown_config(file: str) -> str:
    """A merged config file as a reader should see it: packaged files by their package."""
    path = Path(file)
    if path.parent.resolve() == configs_folder().resolve():
        return f"relevance's {path.name} (packaged default)"
    return shown(path)


def git_commit() -> str | None:
    """The commit of the code that produced the numbers, when run from a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def diagnostics_summary(result: Fit) -> DiagnosticsSummary:
    """The serialisable form of the sampler diagnostics."""
    d = result.diagnostics
    return DiagnosticsSummary(
        reliable=d.reliable,
        max_r_hat=None if np.isnan(d.max_r_hat) else round(d.max_r_hat, 4),
        min_ess_bulk=round(d.min_ess_bulk, 1),
        min_ess_tail=round(d.min_ess_tail, 1),
        divergences=d.divergences,
        draws=d.draws,
        chains=d.chains,
        target_accept=d.target_accept,
        problems=d.problems,
        thresholds={
            "max_r_hat": d.thresholds.max_r_hat,
            "min_ess": d.thresholds.min_ess,
            "max_divergences": d.thresholds.max_divergences,
        },
    )
