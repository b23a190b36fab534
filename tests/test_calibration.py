"""A reduced calibration run (benchmarks/calibration.py): 95% intervals must cover the truth
within binomial tolerance, and exact nulls must not be called with the wrong sign."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import calibration

PER_FAMILY = 6
FAMILIES = tuple(
    f for f in calibration.FAMILIES if f.name in {"binary null", "revenue Pareto 2.5", "adjust_for"}
)


@pytest.mark.slow
def test_reduced_calibration(tmp_path: Path) -> None:
    outcomes, _ = calibration.run(PER_FAMILY, tmp_path, FAMILIES)
    intervals = len(outcomes)
    covered = sum(o.low <= o.truth <= o.high for o in outcomes) / intervals
    low, _ = calibration.binomial_band(0.95, intervals)
    assert covered >= low, f"coverage {covered:.1%} of {intervals} below {low:.1%}"
    segments = sum(o.segments for o in outcomes)
    segment_coverage = sum(o.segments_covered for o in outcomes) / segments
    low, _ = calibration.binomial_band(0.95, segments)
    assert segment_coverage >= low, f"segment coverage {segment_coverage:.1%} below {low:.1%}"
    wrong = [
        o
        for o in outcomes
        if (o.verdict == "beats sending nothing" and o.truth < 0)
        or (o.verdict == "harmful" and o.truth > 0)
    ]
    assert not wrong, wrong
