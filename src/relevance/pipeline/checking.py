"""The steps before any model: config and data aggregated into cells, every data check run.

Light on purpose (no PyMC): `relevance validate` and `relevance run`, before the report
notebook starts, run exactly these steps, so bad input is found in seconds, with exit code 2.
`relevance run` then hands its cells and findings over (:func:`hand_over`) to the analysis the
notebook runs in the same process, so the data is read once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from relevance.checks.dates import date_checks
from relevance.checks.suite import by_severity, run_checks
from relevance.checks.surveys import survey_findings
from relevance.config import Experiment
from relevance.decide.fatigue import bucket_answers, bucket_cells
from relevance.io.cells import Cells
from relevance.io.sources import load_cells, rows_path
from relevance.io.surveys import SurveyCells, read_survey
from relevance.results import Finding

_HANDED: dict[str, tuple[Cells, list[SurveyCells], list[Finding], dict[str, float]]] = {}


class Timer:
    """Seconds spent per named step, in the order the steps ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = time.perf_counter() - started


def check_data(experiment: Experiment, timer: Timer | None = None) -> tuple[Cells, list[Finding]]:
    """Aggregate the data into cells (fatigue buckets included) and run every data check.

    Row-level checks run where the rows are (a file, a simulated campaign, a SQL source); a
    cells file has none. Errors are returned as findings, not raised: :func:`stop_on_errors` decides. Survey answers are read
    and checked too (:func:`check_everything` also returns them).
    """
    cells, _, findings = check_everything(experiment, timer)
    return cells, findings


def check_everything(
    experiment: Experiment, timer: Timer | None = None
) -> tuple[Cells, list[SurveyCells], list[Finding]]:
    """:func:`check_data`, also returning each survey question's answers as cells."""
    timer = timer or Timer()
    handed = _HANDED.pop(_handover_key(experiment), None)
    if handed is not None:
        cells, surveys, findings, seconds = handed
        timer.seconds.update(seconds)
        return cells, surveys, findings
    with timer("aggregate"):
        cells = bucket_cells(experiment, load_cells(experiment))
    with timer("checks"):
        row_findings = None
        if experiment.data.cells is None:  # rows to check: a file, a simulation, a query
            from relevance.checks.rows import row_checks  # Ibis loads only when rows are read

            row_findings = row_checks(experiment)
        path = rows_path(experiment)
        if path and experiment.data.date:  # always-on: send dates readable, none in the future
            row_findings = [*(row_findings or []), *date_checks(experiment, cells, path)]
        findings = run_checks(experiment, cells, row_findings)
    surveys: list[SurveyCells] = []
    if experiment.surveys:
        with timer("survey answers"):
            surveys = [
                bucket_answers(experiment, read_survey(experiment, s)) for s in experiment.surveys
            ]
            findings = by_severity([*findings, *survey_findings(experiment, cells, surveys)])
    return cells, surveys, findings


def hand_over(
    experiment: Experiment,
    cells: Cells,
    findings: list[Finding],
    seconds: dict[str, float],
    surveys: Sequence[SurveyCells] = (),
) -> None:
    """Keep checked cells (and survey answers) for the next :func:`check_data` of the same
    experiment and data in this process (the report notebook, seconds later); at most one is
    kept."""
    _HANDED.clear()
    _HANDED[_handover_key(experiment)] = (cells, list(surveys), list(findings), dict(seconds))


def discard_handed() -> None:
    """Forget cells handed over and not taken (the notebook ran elsewhere, or failed)."""
    _HANDED.clear()


def _handover_key(experiment: Experiment) -> str:
    """The experiment as loaded, and the size and modification time of its data files (the
    survey files too): a file rewritten in between is read again."""
    stamp = ""
    paths = [experiment.data.path, experiment.data.cells, *(s.path for s in experiment.surveys)]
    for path in paths:
        if path is not None:
            try:
                status = experiment.resolve(path).stat()
                stamp += f"|{status.st_size}:{status.st_mtime_ns}"
            except OSError:
                stamp += "|missing"
    return experiment.model_dump_json(exclude={"sampler"}) + stamp
