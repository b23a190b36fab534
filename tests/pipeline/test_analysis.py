"""`analyze` in order: timed steps, data checks that report instead of raising, and `save`."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import write_experiment
from relevance.checks.suite import stop_on_errors
from relevance.config import load_experiment
from relevance.errors import ChecksFailed
from relevance.io import simulate
from relevance.io.sources import data_fingerprint
from relevance.pipeline.analysis import Analysis, analyze
from relevance.pipeline.checking import Timer, check_data
from relevance.results import Results, Severity

STEPS = ["config", "aggregate", "checks", "compile", "sample", "decide"]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo preset with 20,000 recipients (seed 3) as Parquet."""
    path = tmp_path_factory.mktemp("campaign") / "rows.parquet"
    simulate.write_parquet(simulate.preset("demo", recipients=20_000, seed=3), path)
    return path


@pytest.fixture(scope="module")
def analysis(campaign: Path) -> Analysis:
    """One short analysis of the small campaign (2 chains x 200 draws)."""
    path = write_experiment(
        campaign.parent,
        sampler={"draws": 200, "tune": 200, "chains": 2, "seed": 7},
        diagnostics={"min_ess": 100, "max_r_hat": 1.05},
    )
    return analyze(path)


def test_timer_records_steps_in_the_order_they_ran() -> None:
    timer = Timer()
    with timer("second"):
        time.sleep(0.02)
    with timer("first"):
        pass
    with pytest.raises(RuntimeError), timer("failed"):
        raise RuntimeError("still timed")
    assert list(timer.seconds) == ["second", "first", "failed"]
    assert timer.seconds["second"] >= 0.02
    assert all(value >= 0 for value in timer.seconds.values())


def test_check_data_returns_errors_as_findings(tmp_path: Path, rng: np.random.Generator) -> None:
    arms = ["holdout"] * 200 + ["A"] * 200 + ["B"] * 190 + ["C"] * 10
    pd.DataFrame(
        {
            "customer_id": np.arange(len(arms)),
            "arm": arms,
            "purchased": rng.integers(0, 2, len(arms)),
        }
    ).to_csv(tmp_path / "rows.csv", index=False)
    experiment = load_experiment(write_experiment(tmp_path, data={"path": "rows.csv"}))
    timer = Timer()

    cells, findings = check_data(experiment, timer)

    assert list(timer.seconds) == ["aggregate", "checks"]
    assert cells.recipients == 600
    assert cells.arm_sizes() == {"A": 200, "B": 190, "C": 10, "holdout": 200}
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert [f.check for f in errors] == ["unknown_arm"]
    assert "'C'" in errors[0].message
    assert findings[0] is errors[0]  # errors first
    with pytest.raises(ChecksFailed, match="'C'"):
        stop_on_errors(experiment, findings)


def test_check_data_buckets_the_fatigue_column(campaign: Path) -> None:
    experiment = load_experiment(
        write_experiment(
            campaign.parent,
            "fatigue.yaml",
            data={"path": campaign.name},
            fatigue={"column": "emails_prior_7d", "cap": 3},
        )
    )
    cells, findings = check_data(experiment)
    assert experiment.segments == ["emails_prior_7d"]
    levels = set(cells.keys["emails_prior_7d"])
    assert levels == {"0", "1", "2", "3+"}
    assert cells.recipients == 20_000
    assert not [f for f in findings if f.severity is Severity.ERROR]


def test_analyze_times_every_step_in_order(analysis: Analysis) -> None:
    run = analysis.results.run
    assert list(run.seconds) == STEPS
    assert list(analysis.seconds) == STEPS
    assert all(value >= 0 for value in run.seconds.values())
    assert run.seconds["sample"] > 0


def test_analyze_returns_results_of_this_campaign(analysis: Analysis) -> None:
    results = analysis.results
    run = results.run
    assert (run.seed, run.draws, run.tune, run.chains) == (7, 200, 200, 2)
    assert run.recipients == 20_000 == analysis.cells.recipients
    assert run.data_fingerprint == data_fingerprint(analysis.experiment)
    assert run.cells_fingerprint == analysis.cells.fingerprint()
    assert run.profile is None
    assert results.versions == ["A", "B"] and results.primary.name == "purchase"
    assert {v.version for v in results.verdicts} == {"A", "B"}
    b = results.uplift("purchase", "B")
    assert b.uplift_low < b.uplift_mean < b.uplift_high
    assert b.recipients == 20_000  # everybody in the segment (overall), every arm
    draws = analysis.draws()["purchase"]
    assert draws.shape[0] == results.diagnostics.draws * results.diagnostics.chains


def test_save_writes_results_cells_and_posterior(analysis: Analysis, tmp_path: Path) -> None:
    folder = tmp_path / "by-hand" / "demo"
    analysis.save(folder)

    assert sorted(p.name for p in folder.iterdir()) == ["cells.csv", "posterior.nc", "results.json"]
    assert Results.read(folder / "results.json") == analysis.results
    cells = pd.read_csv(folder / "cells.csv")
    expected = analysis.cells.to_frame()
    assert list(cells.columns) == list(expected.columns)
    assert int(cells["n"].sum()) == 20_000
    assert cells["purchase__ones"].tolist() == expected["purchase__ones"].tolist()
    posterior = xr.open_datatree(folder / "posterior.nc", engine="h5netcdf")
    try:
        group = posterior["posterior"]
        assert group.sizes["chain"] == 2
        assert group.sizes["draw"] == analysis.results.diagnostics.draws
    finally:
        posterior.close()


def test_save_to_an_empty_folder_name_writes_nothing(
    analysis: Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    analysis.save("")
    assert list(tmp_path.iterdir()) == []
