"""The one call: an experiment file in, typed results out (`relevance.analyze`).

Steps follow DESIGN.md: config -> cells -> checks -> model -> fit -> decision -> results.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from relevance import __version__
from relevance.checks import row_checks, run_checks, stop_on_errors
from relevance.config import Experiment, load_experiment
from relevance.data import Cells
from relevance.decision import Decision, decide
from relevance.fatigue import bucket_cells, fatigue_curves
from relevance.fit import Fit, fit
from relevance.models import Layout, design, layout
from relevance.results import DiagnosticsSummary, Finding, Results, RunInfo
from relevance.sources import data_fingerprint, load_cells, rows_path


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

    def draws(self) -> dict[str, np.ndarray]:
        """Posterior draws of the expected outcome per recipient: (sample, arm, cell)."""
        return self.fit.mean_draws()


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


def analyze(
    experiment: Experiment | Path | str,
    profile: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Analysis:
    """Analyse one experiment against its no-send holdout and return typed results.

    Raises :class:`relevance.errors.InputError` for bad config or data (nothing is fitted).
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment, profile=profile, overrides=overrides)
    seconds["config"] = time.perf_counter() - started

    started = time.perf_counter()
    cells = bucket_cells(experiment, load_cells(experiment))
    seconds["aggregate"] = time.perf_counter() - started

    started = time.perf_counter()
    path = rows_path(experiment)  # row checks need a row file (path or simulate)
    findings = run_checks(experiment, cells, row_checks(experiment, path) if path else None)
    seconds["checks"] = time.perf_counter() - started
    stop_on_errors(experiment, findings)

    lay = layout(cells, ordered=(experiment.fatigue.column,) if experiment.fatigue else ())
    model_design = design(lay, tuple(experiment.metrics), experiment.priors)
    result = fit(model_design, experiment.sampler, experiment.diagnostics)
    seconds.update(result.seconds)

    started = time.perf_counter()
    draws = result.mean_draws()
    decision = decide(experiment, lay, draws, result.diagnostics.reliable)
    seconds["decide"] = time.perf_counter() - started

    results = Results(
        experiment=experiment.name,
        description=experiment.description,
        holdout=experiment.arms.holdout,
        versions=list(experiment.arms.versions),
        primary_metric=experiment.primary.name,
        metrics=[m.model_dump(mode="json") for m in experiment.metrics],
        segments=list(experiment.segments),
        interval=experiment.decision.interval,
        probability=experiment.decision.probability,
        currency=experiment.decision.currency,
        run=RunInfo(
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
        ),
        findings=findings,
        diagnostics=diagnostics_summary(result),
        campaign=decision.campaign,
        verdicts=decision.verdicts,
        uplifts=decision.uplifts,
        net_value=decision.net_value,
        comparisons=decision.comparisons,
        model_checks=decision.model_checks,
        fatigue=fatigue_curves(experiment, lay, draws),
        priors=experiment.priors.model_dump(),
    )
    return Analysis(experiment, cells, lay, findings, result, decision, results, seconds)
