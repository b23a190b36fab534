"""Shared helpers and fixtures: experiment files, seeded randomness, a simulated campaign.

Simulated campaigns are written to a session temporary folder (``RELEVANCE_CACHE``), never to
the user's cache, and figures use the non-interactive Agg backend.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

import engines
from relevance.io import simulate
from relevance.io.files import aggregate_file

DEMO_RECIPIENTS = 200_000
DEMO_SEED = 1

DEFAULT_SECTIONS: dict[str, Any] = {
    "name": "test-experiment",
    "description": "written by tests/conftest.py",
    "data": {"path": "rows.parquet", "arm": "arm"},
    "arms": {"holdout": "holdout", "versions": ["A", "B"]},
    "metrics": [
        {
            "name": "purchase",
            "kind": "binary",
            "column": "purchased",
            "primary": True,
            "rope": 0.001,
        }
    ],
    "sampler": {"draws": 500, "tune": 500, "chains": 2, "seed": 7},
}


def write_experiment(folder: Path, filename: str = "experiment.yaml", **sections: Any) -> Path:
    """Write an experiment YAML into `folder` and return its path.

    Defaults: a name, a holdout with versions A and B, rows in ``rows.parquet`` and one binary
    primary metric (``purchase`` from column ``purchased``, ROPE 0.001), plus a small sampler.
    Each keyword replaces a whole top-level section (``data=...``, ``metrics=...``); a value of
    ``None`` leaves that section out of the file so the defaults in ``configs/`` apply.
    """
    content = copy.deepcopy(DEFAULT_SECTIONS)
    for key, value in sections.items():
        if value is None:
            content.pop(key, None)
        else:
            content[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(yaml.safe_dump(_plain(content), sort_keys=False), encoding="utf-8")
    return path


def aggregate_frame(*args: Any) -> pd.DataFrame:
    """The cells frame of :func:`aggregate_file`, without its amount caps."""
    frame, _ = aggregate_file(*args)
    return frame


def _plain(value: Any) -> Any:
    """Paths and tuples as YAML-friendly strings and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


@dataclass(frozen=True)
class SimulatedCampaign:
    """A simulated campaign on disk with the spec that generated it and its exact truth."""

    path: Path
    spec: simulate.CampaignSpec
    truth: pd.DataFrame

    def true_uplift(
        self, version: str, metric: str, column: str = "overall", level: str = "all"
    ) -> float:
        """The exact simulated uplift of one version, metric (simulate's name) and segment."""
        rows = self.truth[
            (self.truth.version == version)
            & (self.truth.metric == metric)
            & (self.truth.segment_column == column)
            & (self.truth.segment_level == level)
        ]
        assert len(rows) == 1, (version, metric, column, level)
        return float(rows.uplift.iloc[0])


def simulated_campaign(spec: simulate.CampaignSpec, path: Path) -> SimulatedCampaign:
    """Write `spec` as Parquet at `path` and compute its truth from the written table."""
    simulate.write_parquet(spec, path)
    return SimulatedCampaign(path, spec, simulate.true_effects(spec, pq.read_table(path)))


@pytest.fixture(scope="session", autouse=True)
def relevance_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point RELEVANCE_CACHE at a session temporary folder for every test."""
    folder = tmp_path_factory.mktemp("relevance-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RELEVANCE_CACHE", str(folder))
        yield folder


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from the test's id: reproducible, different for every test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(scope="session")
def demo_campaign(tmp_path_factory: pytest.TempPathFactory) -> SimulatedCampaign:
    """The demo preset (200k recipients, seed 1) as a Parquet file, with its true effects."""
    spec = simulate.preset("demo", recipients=DEMO_RECIPIENTS, seed=DEMO_SEED)
    folder = tmp_path_factory.mktemp("demo-campaign")
    return simulated_campaign(spec, folder / "demo.parquet")


@pytest.fixture(scope="module")
def pg_schema() -> Iterator[tuple[Any, str]]:
    """A fresh PostgreSQL schema for one test module (skipped without a server)."""
    yield from engines.postgres_schema()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole run (skipped without pyspark or Java)."""
    yield from engines.spark_session()
