"""Files that travel inside the wheel: report notebooks, default configs, the demo experiment
and the scaffold of a campaigns repository (``relevance init``).

They are package data, found with :mod:`importlib.resources`, so relevance works the same
from a checkout (an editable install maps the top-level folders) and from a wheel installed
into someone else's repository.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    return Path(str(files(package)))


def notebooks_folder() -> Path:
    """The packaged report notebooks (``campaign_report.ipynb`` and friends)."""
    return _folder("relevance.notebooks")


def configs_folder() -> Path:
    """The packaged default configs (``defaults.yaml`` and profiles such as ``quick.yaml``)."""
    return _folder("relevance.configs")


def experiments_folder() -> Path:
    """The packaged example experiments (the built-in demo)."""
    return _folder("relevance.experiments")


def scaffold_folder() -> Path:
    """What ``relevance init`` writes besides configs and experiments (workflow, .gitignore)."""
    return _folder("relevance") / "scaffold"
