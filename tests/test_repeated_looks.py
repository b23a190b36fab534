"""Reading every day stays honest: the benchmark's simulation, reduced, against its bound."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def benchmark() -> ModuleType:
    """benchmarks/repeated_looks.py, imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "repeated_looks", ROOT / "benchmarks" / "repeated_looks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up by name
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("daily", "versions", "rope"), [(1_000, 1, 0.0), (5_000, 2, 0.0), (20_000, 1, 0.001)]
)
def test_no_effect_is_rarely_ever_called_a_winner_over_28_daily_looks(
    daily: int, versions: int, rope: float
) -> None:
    looks = benchmark()
    campaigns = 1_500
    found = looks.simulate(
        looks.Scenario(daily, versions, rope), campaigns, np.random.default_rng(daily + versions)
    )
    ever_after = found["after"].any(axis=(1, 2)).mean()
    ever_before = found["before"].any(axis=(1, 2)).mean()
    bound = 0.05 + 2 * np.sqrt(0.05 * 0.95 / campaigns)  # the guarantee, with Monte Carlo room
    assert ever_after <= bound, ever_after
    assert ever_before > 0.05, ever_before  # what the rule guards against


def test_the_benchmark_script_runs_small(tmp_path: Path) -> None:
    out = tmp_path / "looks.md"
    assert benchmark().main(["--small", "--skip", "timings", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## No effect at all" in text and "Worst share after the change" in text
