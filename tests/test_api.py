"""The public API: what `import relevance` offers, and that importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import relevance
from relevance.config import Experiment
from relevance.errors import ChecksFailed, ConfigError, DataError, InputError, RunFailed
from relevance.pipeline.analysis import Analysis, analyze
from relevance.results import Results


def test_public_names_are_the_documented_ones() -> None:
    assert set(relevance.__all__) == {
        "Analysis",
        "ChecksFailed",
        "ConfigError",
        "DataError",
        "Experiment",
        "InputError",
        "RelevanceError",
        "Results",
        "RunFailed",
        "Verdict",
        "__version__",
        "analyze",
        "load_experiment",
    }
    assert sorted(dir(relevance)) == sorted(relevance.__all__)


def test_public_names_are_the_package_objects() -> None:
    assert relevance.analyze is analyze
    assert relevance.Analysis is Analysis
    assert relevance.Results is Results
    assert relevance.Experiment is Experiment
    for error in (ChecksFailed, ConfigError, DataError, InputError, RunFailed):
        assert getattr(relevance, error.__name__) is error
        assert issubclass(error, relevance.RelevanceError)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'analyse'"):
        relevance.analyse  # noqa: B018


def test_importing_the_package_loads_no_statistics_stack() -> None:
    """`import relevance` (and the CLI's start) must not pay for PyMC, ArviZ or pandas."""
    code = (
        "import sys, relevance; from relevance import __version__, Results; "
        "print(sorted(m for m in ('pymc', 'arviz', 'pytensor', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
