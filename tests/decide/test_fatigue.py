"""Fatigue: the ordered bucket model recovers a decreasing uplift and where it stops paying."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from relevance.config import load_experiment
from relevance.decide.fatigue import bucket_cells, bucket_label
from relevance.errors import DataError
from relevance.io import simulate
from relevance.io.cells import Cells
from relevance.model.design import random_walk_basis
from relevance.pipeline.analysis import analyze

EXPERIMENT = """
name: fatigue
data: {{path: {path}}}
arms: {{holdout: holdout, versions: [A]}}
metrics:
  - {{name: purchase, kind: binary, column: purchased, primary: true, rope: 0.001}}
fatigue: {{column: emails_prior_7d, cap: 3}}
sampler: {{draws: 1000, tune: 1000, chains: 2, seed: 11}}
"""


def test_bucket_labels() -> None:
    assert [bucket_label(v, 3) for v in ("0", "1", "2", "3", "7", "2.0")] == [
        "0",
        "1",
        "2",
        "3+",
        "3+",
        "2",
    ]
    with pytest.raises(ValueError):
        bucket_label("1.5", 3)
    with pytest.raises(ValueError):
        bucket_label("-1", 3)


def test_random_walk_basis_is_centred_steps() -> None:
    basis = random_walk_basis(4)
    assert basis.shape == (4, 3)
    np.testing.assert_allclose(basis.sum(axis=0), 0.0, atol=1e-12)
    # Differences between neighbouring levels are unit steps, one per column.
    np.testing.assert_allclose(np.diff(basis, axis=0), np.eye(3))


@pytest.fixture(scope="module")
def fatigue_campaign(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, simulate.CampaignSpec]:
    folder = tmp_path_factory.mktemp("fatigue")
    spec = simulate.preset("fatigue", recipients=400_000, seed=5)
    simulate.write_parquet(spec, folder / "rows.parquet")
    (folder / "experiment.yaml").write_text(EXPERIMENT.format(path="rows.parquet"))
    return folder, spec


def test_bucket_cells_sum_raw_counts(fatigue_campaign: tuple[Path, simulate.CampaignSpec]) -> None:
    folder, _ = fatigue_campaign
    experiment = load_experiment(folder / "experiment.yaml")
    from relevance.io.sources import load_cells

    raw = load_cells(experiment)
    bucketed = bucket_cells(experiment, raw)
    assert set(bucketed.keys["emails_prior_7d"]) == {"0", "1", "2", "3+"}
    assert bucketed.recipients == raw.recipients
    assert bucketed.stats["purchase"].ones.sum() == raw.stats["purchase"].ones.sum()
    rows = pq.read_table(folder / "rows.parquet", columns=["emails_prior_7d"]).column(0).to_numpy()
    in_last = (bucketed.keys["emails_prior_7d"] == "3+").to_numpy()
    assert int(bucketed.n[in_last].sum()) == int((rows >= 3).sum())


def test_non_count_fatigue_column_is_a_clear_error(
    fatigue_campaign: tuple[Path, simulate.CampaignSpec],
) -> None:
    folder, _ = fatigue_campaign
    experiment = load_experiment(folder / "experiment.yaml")
    cells = Cells.from_frame(
        pd.DataFrame({"arm": ["A"], "emails_prior_7d": ["many"], "n": [3]}),
        arms=("holdout", "A"),
        segments=("emails_prior_7d",),
        metrics=tuple(experiment.metrics),
    )
    with pytest.raises(DataError) as error:
        bucket_cells(experiment, cells)
    assert "emails_prior_7d" in str(error.value) and "'many'" in str(error.value)


def test_recovers_decreasing_uplift_and_where_it_stops_paying(
    fatigue_campaign: tuple[Path, simulate.CampaignSpec],
) -> None:
    folder, spec = fatigue_campaign
    analysis = analyze(folder / "experiment.yaml")
    table = simulate.generate(spec)
    truth = simulate.true_effects(spec, table)
    truth = truth[
        (truth.metric == "purchased") & (truth.segment_column == "emails_prior_7d_bucket")
    ]
    true_by_bucket = dict(zip(truth.segment_level, truth.uplift, strict=True))

    (curve,) = analysis.results.fatigue
    assert [p.bucket for p in curve.points] == ["0", "1", "2", "3+"]
    for point in curve.points:
        assert point.uplift_low <= true_by_bucket[point.bucket] <= point.uplift_high, point
    means = [p.uplift_mean for p in curve.points]
    assert all(a > b for a, b in itertools.pairwise(means)), means
    # The truth crosses zero between buckets 1 and 2: sending stops paying from bucket 2.
    assert true_by_bucket["1"] > 0 >= true_by_bucket["2"]
    assert curve.stops_paying_from == "2"
    assert "2 emails" in curve.sentence
    assert analysis.results.diagnostics.reliable
