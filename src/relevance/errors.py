"""User-facing errors: each names the file, the field or row, and the fix.

The CLI maps :class:`InputError` to exit code 2 and prints only its message; anything else
is a failed run (exit code 1).
"""

from __future__ import annotations

import reprlib
from pathlib import Path

MAX_TEXT = 2_000
"""No part of a message is longer: a message quotes the user's input, never all of it."""


def brief(value: object, limit: int = 60, quote: bool = True) -> str:
    """A user's value quoted for a message, cut to `limit` characters ('abc...' + length).

    Data can be anything (a label read from /etc/passwd, a megabyte of YAML): messages
    quote only enough of it to recognise.
    """
    text = repr(value) if quote and isinstance(value, str) else str(value)
    if not isinstance(value, str | int | float | bool | type(None)):
        shortened = reprlib.Repr(maxstring=limit, maxother=limit, maxlevel=2, maxlist=4)
        text = shortened.repr(value)
    if len(text) > limit:
        text = f"{text[: limit - 3]}... ({len(text):,} characters)"
    return text


def _bounded(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return f"{text[:MAX_TEXT]}... ({len(text) - MAX_TEXT:,} more characters)"


class RelevanceError(Exception):
    """Base class of every error relevance raises on purpose."""


class InputError(RelevanceError):
    """Bad input (config or data): the user can fix it; exit code 2."""

    def __init__(self, file: Path | str | None, where: str | None, problem: str, fix: str) -> None:
        self.file = _bounded(str(file)) if file is not None else None
        self.where = _bounded(where) if where is not None else None
        self.problem = _bounded(problem)
        self.fix = _bounded(fix)
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
