"""User-facing errors: each names the file, the field or row, and the fix.

The CLI maps :class:`InputError` to exit code 2 and prints only its message; anything else
is a failed run (exit code 1).
"""

from __future__ import annotations

from pathlib import Path


class RelevanceError(Exception):
    """Base class of every error relevance raises on purpose."""


class InputError(RelevanceError):
    """Bad input (config or data): the user can fix it; exit code 2."""

    def __init__(self, file: Path | str | None, where: str | None, problem: str, fix: str) -> None:
        self.file = str(file) if file is not None else None
        self.where = where
        self.problem = problem
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """One message: `file: where: problem. Fix: fix`."""
        head = ": ".join(part for part in (self.file, self.where) if part)
        text = f"{head}: {self.problem}" if head else self.problem
        return f"{text}\n  Fix: {self.fix}"


class ConfigError(InputError):
    """An experiment or defaults file is invalid."""


class DataError(InputError):
    """The data cannot be read or does not match the experiment."""


class ChecksFailed(InputError):
    """Data-quality checks found errors that stop the run before any model is fitted."""


class RunFailed(RelevanceError):
    """The analysis ran but could not finish (a notebook cell failed, sampling broke)."""
