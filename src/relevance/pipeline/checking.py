"""The steps before any model: config and data aggregated into cells, every data check run.

Light on purpose (no PyMC): `relevance validate` and `relevance run`, before it starts a
kernel, run exactly these steps, so bad input is found in seconds, with exit code 2.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from relevance.checks.rows import row_checks
from relevance.checks.suite import run_checks
from relevance.config import Experiment
from relevance.decide.fatigue import bucket_cells
from relevance.io.cells import Cells
from relevance.io.sources import load_cells, rows_path
from relevance.results import Finding


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

    Row-level checks need a file of rows (``data.path`` or ``data.simulate``). Errors are
    returned as findings, not raised: :func:`stop_on_errors` decides.
    """
    timer = timer or Timer()
    with timer("aggregate"):
        cells = bucket_cells(experiment, load_cells(experiment))
    with timer("checks"):
        path = rows_path(experiment)
        findings = run_checks(experiment, cells, row_checks(experiment, path) if path else None)
    return cells, findings
