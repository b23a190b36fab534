"""What every check returns: findings with a severity, a sentence and (when needed) a fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relevance.config import Experiment
from relevance.io.cells import Cells
from relevance.results import Finding, Severity

CellCheck = Callable[[Experiment, Cells], list[Finding]]


def finding(
    check: str,
    severity: Severity,
    problem: str,
    fix: str | None = None,
    where: str | None = None,
    **details: Any,
) -> Finding:
    """A finding whose message is the problem, then (when something must be done) the fix."""
    if fix:
        details["fix"] = fix
    if where:
        details["where"] = where
    message = f"{problem} Fix: {fix}" if fix else problem
    return Finding(check=check, severity=severity, message=message, details=details)


def counted(n: int, word: str, plural: str | None = None) -> str:
    """'1 row', '2,000 rows'."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
