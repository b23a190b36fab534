"""Tests for the synthetic campaign generator and its known truth."""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from relevance.io import simulate
from relevance.io.simulate import (
    FATIGUE_BUCKETS,
    LIFECYCLE_STAGES,
    METRICS,
    CampaignSpec,
    VersionEffect,
    expected_rate,
    generate,
    preset,
    true_effects,
    write_parquet,
)

EXPECTED_SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("arm", pa.string()),
        ("lifecycle_stage", pa.string()),
        ("emails_prior_7d", pa.int8()),
        ("emails_prior_7d_bucket", pa.string()),
        ("sent", pa.bool_()),
        ("purchased", pa.int8()),
        ("revenue", pa.float64()),
        ("unsubscribed", pa.int8()),
        ("visited", pa.int8()),
    ]
)


@pytest.fixture(scope="module")
def demo_spec() -> CampaignSpec:
    return preset("demo", recipients=400_000, seed=20240601)


@pytest.fixture(scope="module")
def demo_frame(demo_spec: CampaignSpec) -> pd.DataFrame:
    return generate(demo_spec).to_pandas()


@pytest.fixture(scope="module")
def demo_truth(demo_spec: CampaignSpec, demo_frame: pd.DataFrame) -> pd.DataFrame:
    return true_effects(demo_spec, pa.Table.from_pandas(demo_frame, preserve_index=False))


def _truth(truth: pd.DataFrame, version: str, metric: str, column: str, level: str) -> float:
    row = truth[
        (truth.version == version)
        & (truth.metric == metric)
        & (truth.segment_column == column)
        & (truth.segment_level == level)
    ]
    assert len(row) == 1
    return float(row.uplift.iloc[0])


def _difference_and_se(frame: pd.DataFrame, metric: str, version: str) -> tuple[float, float]:
    """Empirical version-minus-holdout mean per recipient and its standard error."""
    treated = frame.loc[frame.arm == version, metric].astype(float)
    holdout = frame.loc[frame.arm == "holdout", metric].astype(float)
    difference = treated.mean() - holdout.mean()
    standard_error = math.sqrt(
        treated.var(ddof=1) / len(treated) + holdout.var(ddof=1) / len(holdout)
    )
    return difference, standard_error


# --- determinism and shape -----------------------------------------------------------------


def test_same_seed_gives_identical_table_and_other_seed_differs() -> None:
    spec = preset("demo", recipients=20_000, seed=7)
    first, second = generate(spec), generate(spec)
    assert first.equals(second, check_metadata=True)
    other = generate(dataclasses.replace(spec, seed=8))
    assert not first.equals(other)
    assert not np.array_equal(first["arm"].to_numpy(), other["arm"].to_numpy())


def test_columns_and_dtypes(demo_spec: CampaignSpec) -> None:
    table = generate(dataclasses.replace(demo_spec, recipients=5_000))
    survey_answers = [  # the demo's survey questions (tests/io/test_simulate_surveys.py)
        pa.field("relevance_rating", pa.int8()),
        pa.field("emails_feeling", pa.int8()),
        pa.field("unsubscribe_reason", pa.string()),
    ]
    assert table.schema.remove_metadata() == pa.schema([*EXPECTED_SCHEMA, *survey_answers])
    assert table.num_rows == 5_000
    assert table.schema.metadata[simulate.SPEC_METADATA_KEY]
    frame = table.to_pandas()
    assert frame.customer_id.is_unique
    assert set(frame.arm) == {"holdout", "A", "B"}
    assert set(frame.lifecycle_stage) <= set(LIFECYCLE_STAGES)


def test_arm_and_stage_shares_match_plan(demo_spec: CampaignSpec, demo_frame: pd.DataFrame) -> None:
    n = len(demo_frame)
    arm_counts = demo_frame.arm.value_counts()
    for arm, share in zip(demo_spec.arm_names, demo_spec.arm_allocations, strict=True):
        tolerance = 5 * math.sqrt(n * share * (1 - share))
        assert abs(arm_counts[arm] - n * share) < tolerance, arm
    stage_counts = demo_frame.lifecycle_stage.value_counts()
    for stage, share in demo_spec.stage_shares.items():
        assert abs(stage_counts[stage] - n * share) < 5 * math.sqrt(n * share * (1 - share))


def test_counts_vary_randomly_between_seeds() -> None:
    counts = {
        seed: generate(preset("demo", 10_000, seed)).column("arm").value_counts().to_pylist()
        for seed in (1, 2)
    }
    assert counts[1] != counts[2]


def test_bucket_matches_emails_prior_7d(demo_frame: pd.DataFrame) -> None:
    emails = demo_frame.emails_prior_7d
    assert emails.between(0, simulate.MAX_EMAILS_PRIOR_7D).all()
    expected = np.array(FATIGUE_BUCKETS)[np.minimum(emails.to_numpy(), 3)]
    assert (demo_frame.emails_prior_7d_bucket.to_numpy() == expected).all()
    assert set(demo_frame.emails_prior_7d_bucket) == set(FATIGUE_BUCKETS)


def test_revenue_positive_exactly_for_buyers(demo_frame: pd.DataFrame) -> None:
    bought = demo_frame.purchased == 1
    assert (demo_frame.revenue[bought] > 0).all()
    assert (demo_frame.revenue[~bought] == 0).all()
    assert set(demo_frame.purchased) == {0, 1}


def test_sent_flag_without_contamination(demo_frame: pd.DataFrame) -> None:
    holdout = demo_frame.arm == "holdout"
    assert not demo_frame.sent[holdout].any()
    assert demo_frame.sent[~holdout].all()


# --- known truth ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["A", "B"])
@pytest.mark.parametrize("metric", METRICS)
def test_empirical_overall_uplift_matches_truth(
    demo_frame: pd.DataFrame, demo_truth: pd.DataFrame, version: str, metric: str
) -> None:
    difference, standard_error = _difference_and_se(demo_frame, metric, version)
    truth = _truth(demo_truth, version, metric, "overall", "all")
    assert abs(difference - truth) < 4 * standard_error


@pytest.mark.parametrize("metric", METRICS)
def test_empirical_arm_means_match_truth(
    demo_frame: pd.DataFrame, demo_truth: pd.DataFrame, metric: str
) -> None:
    overall = demo_truth[(demo_truth.metric == metric) & (demo_truth.segment_column == "overall")]
    expected = {"holdout": float(overall.holdout_mean.iloc[0])}
    expected |= dict(zip(overall.version, overall.version_mean, strict=True))
    for arm, mean in expected.items():
        values = demo_frame.loc[demo_frame.arm == arm, metric].astype(float)
        standard_error = values.std(ddof=1) / math.sqrt(len(values))
        assert abs(values.mean() - mean) < 4 * standard_error, arm


@pytest.mark.parametrize("bucket", FATIGUE_BUCKETS)
def test_empirical_bucket_uplift_matches_truth(
    demo_frame: pd.DataFrame, demo_truth: pd.DataFrame, bucket: str
) -> None:
    segment = demo_frame[demo_frame.emails_prior_7d_bucket == bucket]
    difference, standard_error = _difference_and_se(segment, "purchased", "B")
    truth = _truth(demo_truth, "B", "purchased", "emails_prior_7d_bucket", bucket)
    assert abs(difference - truth) < 4 * standard_error


def test_demo_truth_has_the_promised_shape(demo_truth: pd.DataFrame) -> None:
    assert abs(_truth(demo_truth, "A", "purchased", "overall", "all")) < 0.0005
    assert 0.003 < _truth(demo_truth, "B", "purchased", "overall", "all") < 0.005
    by_bucket = [
        _truth(demo_truth, "B", "purchased", "emails_prior_7d_bucket", b) for b in FATIGUE_BUCKETS
    ]
    assert all(later < earlier for earlier, later in itertools.pairwise(by_bucket))
    by_stage = {
        s: _truth(demo_truth, "B", "purchased", "lifecycle_stage", s) for s in LIFECYCLE_STAGES
    }
    assert min(by_stage["retention"], by_stage["reactivation"]) > max(
        by_stage["acquisition"], by_stage["activation"]
    )
    assert _truth(demo_truth, "B", "unsubscribed", "overall", "all") > 0
    holdout_rate = demo_truth.loc[demo_truth.segment_column == "overall", "holdout_mean"]
    assert 0.025 < holdout_rate[demo_truth.metric == "purchased"].iloc[0] < 0.035


def test_fatigue_truth_crosses_zero_between_bucket_1_and_2() -> None:
    spec = preset("fatigue", recipients=50_000, seed=3)
    truth = true_effects(spec, generate(spec))
    assert list(truth.version.unique()) == ["A"]
    uplift = {
        b: _truth(truth, "A", "purchased", "emails_prior_7d_bucket", b) for b in FATIGUE_BUCKETS
    }
    assert uplift["0"] > 0 and uplift["1"] > 0
    assert uplift["2"] <= 0 and uplift["3+"] <= 0


def test_null_truth_is_exactly_zero() -> None:
    spec = preset("null", recipients=20_000, seed=4)
    truth = true_effects(spec, generate(spec))
    assert len(truth) == 2 * len(METRICS) * (1 + len(LIFECYCLE_STAGES) + len(FATIGUE_BUCKETS))
    assert (truth.uplift == 0.0).all()
    assert (truth.version_mean == truth.holdout_mean).all()


def test_a_beats_b_but_neither_beats_holdout() -> None:
    spec = preset("a_beats_b_neither_beats", recipients=20_000, seed=5)
    truth = true_effects(spec, generate(spec))
    purchases = truth[truth.metric == "purchased"]
    assert (purchases[purchases.version == "A"].uplift == 0.0).all()
    assert (purchases[purchases.version == "B"].uplift < 0).all()


def test_truth_from_cells_equals_row_by_row_average() -> None:
    spec = dataclasses.replace(preset("demo", recipients=3_000, seed=6), contamination=0.1)
    table = generate(spec)
    frame = table.to_pandas()
    truth = true_effects(spec, table)
    for version in ("A", "B"):
        for metric in METRICS:
            rate = {
                (arm, s, b): expected_rate(spec, arm, s, b, metric)
                for arm in ("holdout", version)
                for s in LIFECYCLE_STAGES
                for b in FATIGUE_BUCKETS
            }
            per_row = [
                rate[(version, s, b)] - rate[("holdout", s, b)]
                for s, b in zip(frame.lifecycle_stage, frame.emails_prior_7d_bucket, strict=True)
            ]
            overall = _truth(truth, version, metric, "overall", "all")
            assert overall == pytest.approx(float(np.mean(per_row)), rel=1e-12, abs=1e-15)


def test_expected_rate_revenue_and_contamination_mixture() -> None:
    spec = preset("demo", recipients=10, seed=0)
    p_buy = expected_rate(spec, "B", "retention", "1", "purchased")
    amount = math.exp(
        spec.amount_log_mean + spec.version("B").amount_log_effect + spec.amount_log_sd**2 / 2
    )
    assert expected_rate(spec, "B", "retention", "1", "revenue") == pytest.approx(p_buy * amount)
    fully_sent = dataclasses.replace(spec, contamination=1.0)
    mixed = expected_rate(fully_sent, "holdout", "retention", "1", "visited")
    versions = [expected_rate(spec, v, "retention", "1", "visited") for v in ("A", "B")]
    assert mixed == pytest.approx(np.mean(versions))
    with pytest.raises(ValueError, match="unknown metric"):
        expected_rate(spec, "B", "retention", "1", "opened")


def test_contamination_sends_holdout_and_dilutes_the_truth() -> None:
    spec = dataclasses.replace(preset("demo", recipients=400_000, seed=9), contamination=0.5)
    table = generate(spec)
    frame = table.to_pandas()
    holdout_sent = frame.loc[frame.arm == "holdout", "sent"]
    share = holdout_sent.mean()
    assert abs(share - 0.5) < 5 * math.sqrt(0.25 / len(holdout_sent))
    truth = true_effects(spec, table)
    clean_truth = true_effects(dataclasses.replace(spec, contamination=0.0), table)
    diluted = _truth(truth, "B", "purchased", "overall", "all")
    assert 0 < diluted < _truth(clean_truth, "B", "purchased", "overall", "all")
    difference, standard_error = _difference_and_se(frame, "purchased", "B")
    assert abs(difference - diluted) < 4 * standard_error


# --- presets and validation ----------------------------------------------------------------


def test_unknown_preset_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"demo.*null.*a_beats_b_neither_beats.*fatigue"):
        preset("nope", recipients=10, seed=0)


@pytest.mark.parametrize(
    "change",
    [
        {"holdout_allocation": 0.3},
        {"recipients": 0},
        {"contamination": 1.5},
        {"stage_shares": {"acquisition": 1.0, "churned": 0.0}},
        {"versions": (VersionEffect("holdout", 0.8),)},
    ],
)
def test_invalid_specs_are_rejected(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(preset("demo", recipients=10, seed=0), **change)


# --- writing -------------------------------------------------------------------------------


def test_write_parquet_round_trips_atomically(tmp_path: Path) -> None:
    spec = preset("demo", recipients=10_000, seed=11)
    target = tmp_path / "campaign.parquet"
    target.write_bytes(b"old")
    written = write_parquet(spec, target)
    assert written == target
    assert pq.read_table(target).equals(generate(spec), check_metadata=True)
    assert [p.name for p in tmp_path.iterdir()] == ["campaign.parquet"]


def test_write_parquet_failure_leaves_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "campaign.parquet"
    target.write_bytes(b"old")

    def broken_write(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(simulate.pq, "write_table", broken_write)
    with pytest.raises(OSError, match="disk full"):
        write_parquet(preset("demo", recipients=100, seed=0), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["campaign.parquet"]
