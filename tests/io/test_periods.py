"""Cells per send day (`data.date`) and days grouped into weeks and months."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import load_experiment
from relevance.io import simulate
from relevance.io.cells import MISSING_LEVEL, Cells
from relevance.io.periods import DAY, by_period, dated_only, next_period, period_start
from relevance.io.sources import load_cells

METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05},
]


@pytest.fixture(scope="module")
def always_on(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("always-on")
    simulate.write_parquet(simulate.preset("always_on", 60_000, 2), folder / "rows.parquet")
    return write_experiment(
        folder,
        data={"path": "rows.parquet", "arm": "arm", "date": "send_date"},
        arms={"holdout": "holdout", "versions": ["A"]},
        metrics=METRICS,
        segments=["lifecycle_stage"],
    )


def test_day_cells_add_up_to_the_snapshot(always_on: Path) -> None:
    cells = load_cells(load_experiment(always_on))
    days = cells.by_day
    assert days is not None and days.segments == (DAY,)
    first = date(2026, 3, 2)
    assert sorted(set(days.keys[DAY])) == [
        (first + timedelta(days=i)).isoformat() for i in range(91)
    ]
    assert days.recipients == cells.recipients == 60_000
    for name in ("purchase", "revenue"):
        by_day, snapshot = days.stats[name].overall(), cells.stats[name].overall()
        for field in snapshot.names():
            assert np.allclose(getattr(by_day, field), getattr(snapshot, field)), (name, field)
    assert days.arm_sizes() == cells.arm_sizes()


def test_weeks_and_months(always_on: Path) -> None:
    days = load_cells(load_experiment(always_on)).by_day
    assert days is not None
    weeks = by_period(days, "week")
    assert sorted(set(weeks.keys[DAY]))[:2] == ["2026-03-02", "2026-03-09"]
    assert len(set(weeks.keys[DAY])) == 13 and weeks.recipients == 60_000
    months = by_period(days, "month")
    assert sorted(set(months.keys[DAY])) == ["2026-03-01", "2026-04-01", "2026-05-01"]


@pytest.mark.parametrize(
    ("day", "period", "start", "following"),
    [
        (date(2026, 3, 4), "week", date(2026, 3, 2), date(2026, 3, 9)),
        (date(2026, 3, 2), "week", date(2026, 3, 2), date(2026, 3, 9)),
        (date(2026, 12, 31), "month", date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 2, 28), "month", date(2026, 2, 1), date(2026, 3, 1)),
        (date(2026, 2, 28), "day", date(2026, 2, 28), date(2026, 3, 1)),
    ],
)
def test_period_starts(day: date, period: str, start: date, following: date) -> None:
    assert period_start(day, period) == start  # type: ignore[arg-type]
    assert next_period(start, period) == following  # type: ignore[arg-type]


def day_cells_of(folder: Path, rows: str) -> Cells | None:
    """The day cells of a file of rows in `folder` (holdout and A, purchases)."""
    path = write_experiment(
        folder,
        data={"path": rows, "arm": "arm", "date": "send_date"},
        arms={"holdout": "holdout", "versions": ["A"]},
        metrics=METRICS[:1],
    )
    return load_cells(load_experiment(path)).by_day


def test_rows_without_a_readable_day_are_kept_apart(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "customer_id,arm,purchased,send_date\n"
        "1,holdout,0,2026-03-02\n"
        "2,A,1,2026-03-02 18:30:00\n"
        "3,A,0,\n"
        "4,holdout,1,2026-03-03T23:30:00-05:00\n"
        "5,A,0,2026-03-03\n",
        encoding="utf-8",
    )
    days = day_cells_of(tmp_path, "rows.csv")
    assert days is not None
    found = dict(zip(days.keys[DAY] + "/" + days.keys["arm"], days.n, strict=True))
    assert found == {
        "2026-03-02/holdout": 1,
        "2026-03-02/A": 1,  # a timestamp counts on its day
        f"{MISSING_LEVEL}/A": 1,
        "2026-03-03/holdout": 1,  # the day as written, whatever its offset
        "2026-03-03/A": 1,
    }
    assert dated_only(days).recipients == 4


def test_timestamps_stored_with_a_time_zone_count_on_their_utc_day(tmp_path: Path) -> None:
    moments = pd.to_datetime(["2026-04-10 23:30", "2026-04-10 01:30", "2026-04-11 12:00"])
    pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "arm": ["holdout", "A", "A"],
            "purchased": [0, 1, 0],
            "send_date": moments.tz_localize("America/New_York"),
        }
    ).to_parquet(tmp_path / "rows.parquet")
    days = day_cells_of(tmp_path, "rows.parquet")
    assert days is not None
    found = dict(zip(days.keys[DAY] + "/" + days.keys["arm"], days.n, strict=True))
    assert found == {"2026-04-11/holdout": 1, "2026-04-10/A": 1, "2026-04-11/A": 1}
