"""Every check in order: errors stop the run before any model (exit code 2), warnings and
notes go on the report.
"""

from __future__ import annotations

from relevance.checks.arms import empty_or_tiny_arms, unknown_arms
from relevance.checks.balance import adjustment_balance
from relevance.checks.base import CellCheck
from relevance.checks.delivery import delivery_flags
from relevance.checks.outcomes import bad_outcomes, extreme_amounts, silent_arms
from relevance.checks.ratio import sample_ratio_mismatch
from relevance.checks.size import model_size
from relevance.config import Experiment
from relevance.errors import ChecksFailed
from relevance.io.cells import Cells
from relevance.io.files import shown
from relevance.results import Finding, Severity

CELL_CHECKS: tuple[CellCheck, ...] = (
    unknown_arms,
    empty_or_tiny_arms,
    sample_ratio_mismatch,
    bad_outcomes,
    silent_arms,
    extreme_amounts,
    model_size,
    delivery_flags,
    adjustment_balance,
)


def _key(item: Finding) -> tuple[str, object]:
    return item.check, item.details.get("metric")


def run_checks(
    experiment: Experiment, cells: Cells, extra: list[Finding] | None = None
) -> list[Finding]:
    """All checks on the cells plus any row-level findings (:func:`row_checks`), errors first.

    A row-level outcome finding replaces the cell-level one for the same metric and problem:
    same count, plus the example row.
    """
    extra = list(extra or [])
    replaced = {_key(f) for f in extra if f.check.startswith("outcome_")}
    findings = [
        f for check in CELL_CHECKS for f in check(experiment, cells) if _key(f) not in replaced
    ]
    findings += extra
    return by_severity(findings)


def by_severity(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes (stable within each)."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def data_name(experiment: Experiment) -> str:
    """The data as users know it: the rows or cells file, else the experiment file."""
    data = experiment.data
    for path in (data.path, data.cells):
        if path is not None:
            return shown(experiment.resolve(path))
    return shown(experiment.source) if experiment.source else "the data"


def stop_on_errors(experiment: Experiment, findings: list[Finding]) -> None:
    """Raise :class:`ChecksFailed` (exit code 2) when any finding is an error."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return
    if len(errors) == 1:
        (error,) = errors
        fix = str(error.details.get("fix") or "correct the data or the experiment file")
        problem = error.message.removesuffix(f" Fix: {fix}")
        raise ChecksFailed(data_name(experiment), None, problem, fix)
    lines = "\n  - ".join(f.message for f in errors)
    raise ChecksFailed(
        data_name(experiment),
        None,
        f"{len(errors)} data-quality errors stop the run before any model is fitted:\n  - {lines}",
        "correct the data or the experiment file as each message says, then run again",
    )
