"""`adjust_for`: a strong pre-period covariate narrows the primary interval as much as CUPED
(ordinary least squares, computed here independently on the same rows), the estimate stays
on the truth, and a column that differs between arms is flagged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.pipeline.analysis import Analysis, analyze
from relevance.report.campaign import CampaignReport

N = 40_000
LIFT = 0.02
SLOPE = 0.95  # purchase probability = SLOPE x score (+ LIFT for version A): R^2 ~ 0.3 in arms
SAMPLER = {"draws": 10000, "tune": 1000, "chains": 2, "seed": 11}  # sd to ~0.5% (MC error)


def rows(seed: int = 2) -> pd.DataFrame:
    """Holdout and version A in halves; `score` is known before the send."""
    rng = np.random.default_rng(seed)
    arm = np.where(np.arange(N) % 2 == 0, "holdout", "A")
    score = rng.random(N)
    p = SLOPE * score + LIFT * (arm == "A")
    return pd.DataFrame({"arm": arm, "score": score, "purchased": (rng.random(N) < p).astype(int)})


def cuped_narrowing(frame: pd.DataFrame) -> tuple[float, float]:
    """1 - SE(CUPED) / SE(difference in means), and the within-arm R^2 of the score."""
    y = frame.purchased.to_numpy(float)
    treated = (frame.arm == "A").to_numpy(float)
    x = frame.score.to_numpy(float)
    plain = np.sqrt(
        y[treated == 1].var(ddof=1) / treated.sum()
        + y[treated == 0].var(ddof=1) / (1 - treated).sum()
    )
    design = np.column_stack([np.ones_like(y), treated, x - x.mean()])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coefficients
    sigma2 = residual @ residual / (len(y) - design.shape[1])
    se = np.sqrt(sigma2 * np.linalg.inv(design.T @ design)[1, 1])
    within = y - np.where(treated == 1, y[treated == 1].mean(), y[treated == 0].mean())
    r2 = 1 - residual @ residual / (within @ within)
    return float(1 - se / plain), float(r2)


@pytest.fixture(scope="module")
def adjusted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Analysis, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("adjusted")
    frame = rows()
    frame.to_parquet(folder / "rows.parquet")
    path = write_experiment(
        folder,
        data={"path": "rows.parquet", "arm": "arm", "unit_id": None},
        arms={"holdout": "holdout", "versions": ["A"]},
        adjust_for=["score"],
        sampler=SAMPLER,
    )
    return analyze(path), frame


def test_narrowing_agrees_with_cuped(adjusted: tuple[Analysis, pd.DataFrame]) -> None:
    analysis, frame = adjusted
    cuped, r2 = cuped_narrowing(frame)
    assert 0.25 <= r2 <= 0.35, r2
    adjustment = analysis.results.adjustment
    assert adjustment is not None and adjustment.columns == ["score"]
    assert adjustment.bucketed == ["score"] and adjustment.levels == {"score": 10}
    ours = adjustment.narrowing["A"]
    print(f"narrowing: ours {ours:.4f}, CUPED {cuped:.4f} (R^2 {r2:.3f})")
    assert ours == pytest.approx(cuped, rel=0.10), (ours, cuped)


def test_adjusted_estimate_covers_the_truth(adjusted: tuple[Analysis, pd.DataFrame]) -> None:
    analysis, _ = adjusted
    uplift = analysis.results.uplift("purchase", "A")
    assert uplift.uplift_low <= LIFT <= uplift.uplift_high
    unadjusted = analysis.results.adjustment.unadjusted["A"]
    assert unadjusted.low <= LIFT <= unadjusted.high
    assert uplift.uplift_high - uplift.uplift_low < unadjusted.high - unadjusted.low
    # Segments are reported, adjustment buckets are not.
    assert {u.segment_column for u in analysis.results.uplifts} == {"overall"}


def test_report_says_what_was_adjusted_for(adjusted: tuple[Analysis, pd.DataFrame]) -> None:
    analysis, _ = adjusted
    shown = str(CampaignReport(analysis.results).before_and_after_the_send())
    narrowing = analysis.results.adjustment.narrowing["A"]
    assert "Adjusted for what was known before the send: `score` (10 quantile buckets)" in shown
    assert f"compared with no adjustment: Version A {narrowing:.0%} narrower." in shown
    assert f"{narrowing:.1%}" in shown
    balance = [f for f in analysis.results.findings if f.check == "adjustment_balance"]
    assert [f.severity.value for f in balance] == ["info"]


def test_a_column_that_differs_between_arms_is_flagged(tmp_path: Path) -> None:
    from relevance.config import load_experiment
    from relevance.pipeline.checking import check_data

    frame = rows().head(4000)
    frame["after"] = np.where(frame.arm == "A", "opened", "no email")  # measured after the send
    frame.to_parquet(tmp_path / "rows.parquet")
    path = write_experiment(
        tmp_path,
        data={"path": "rows.parquet", "arm": "arm", "unit_id": None},
        arms={"holdout": "holdout", "versions": ["A"]},
        adjust_for=["after"],
    )
    _, findings = check_data(load_experiment(path))
    (warning,) = [f for f in findings if f.check == "adjustment_balance"]
    assert warning.severity.value == "warning"
    assert "`after` (adjust_for) is distributed differently between arms" in warning.message


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ({"adjust_for": ["score", "score"]}, "adjust_for columns must be distinct"),
        ({"adjust_for": ["purchased"]}, "adjust only for columns measured before the send"),
        ({"adjust_for": ["stage"], "segments": ["stage"]}, "both a segment and an adjust_for"),
    ],
)
def test_bad_adjust_for_config(tmp_path: Path, sections: dict, expected: str) -> None:
    from relevance.config import load_experiment
    from relevance.errors import ConfigError

    path = write_experiment(tmp_path, **sections)
    with pytest.raises(ConfigError, match=expected):
        load_experiment(path)


def test_odd_adjustment_columns(tmp_path: Path) -> None:
    """Infinities and NaN join the missing bucket of a numeric column; an identifier-like text
    column is refused before any model."""
    from relevance.config import load_experiment
    from relevance.pipeline.checking import check_data

    frame = rows().head(3000)
    frame["score"] = np.where(np.arange(3000) % 50 == 0, np.inf, frame.score)
    frame.loc[::70, "score"] = np.nan
    frame["customer"] = [f"<b>c{i}</b>" for i in range(3000)]
    frame.to_parquet(tmp_path / "rows.parquet")
    path = write_experiment(
        tmp_path,
        data={"path": "rows.parquet", "arm": "arm", "unit_id": None},
        arms={"holdout": "holdout", "versions": ["A"]},
        adjust_for=["score", "customer"],
    )
    cells, findings = check_data(load_experiment(path))
    levels = sorted(set(cells.keys["score"]))
    assert levels == ["(missing)", *(f"bucket {i:02d}" for i in range(1, 11))]
    (error,) = [f for f in findings if f.severity.value == "error"]
    assert error.check == "adjustment_levels" and "3,000 distinct text values" in error.message


def test_changes_within_the_sampling_noise_are_about_the_same() -> None:
    from relevance.config import MetricConfig
    from relevance.language import adjustment_sentence

    metric = MetricConfig(name="purchase", kind="binary", column="p", rope=0.001, label="buys")
    sentence = adjustment_sentence(["score"], ["score"], metric, {"A": 0.161, "B": -0.03}, 0.02)
    assert "`score` (10 quantile buckets)" in sentence
    assert (
        "compared with no adjustment: Version A 16% narrower; Version B about the same" in sentence
    )
    assert "wider" not in adjustment_sentence(["x"], [], metric, {"A": -0.01}, 0.007)
    assert "Version A 5% wider" in adjustment_sentence(["x"], [], metric, {"A": -0.05}, 0.007)
