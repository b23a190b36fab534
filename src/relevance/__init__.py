"""relevance: does this email beat sending nothing?

The public API, in one place::

    from relevance import analyze

    analysis = analyze("experiments/demo.yaml", profile="quick")
    print(analysis.results.campaign.headline)
    analysis.save("reports/demo")

Names are imported when first used, so ``import relevance`` (and the CLI's start-up) stays
fast; the statistics stack (PyMC, ArviZ) loads with :func:`analyze`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_HOMES = {
    "analyze": "relevance.pipeline.analysis",
    "Analysis": "relevance.pipeline.analysis",
    "load_experiment": "relevance.config",
    "Experiment": "relevance.config",
    "Results": "relevance.results",
    "Verdict": "relevance.results",
    "RelevanceError": "relevance.errors",
    "InputError": "relevance.errors",
    "ConfigError": "relevance.errors",
    "DataError": "relevance.errors",
    "ChecksFailed": "relevance.errors",
    "RunFailed": "relevance.errors",
}

__all__ = [
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
]

if TYPE_CHECKING:
    from relevance.config import Experiment, load_experiment
    from relevance.errors import (
        ChecksFailed,
        ConfigError,
        DataError,
        InputError,
        RelevanceError,
        RunFailed,
    )
    from relevance.pipeline.analysis import Analysis, analyze
    from relevance.results import Results, Verdict


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module 'relevance' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
