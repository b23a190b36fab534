"""Properties of the rows-to-cells aggregation (DuckDB), on random small frames (hypothesis).

- cells add up to the rows: counts and sums per arm (and per arm x segment) match pandas;
- row order does not matter: shuffled rows give identical cells, bit for bit;
- CSV and Parquet of the same rows give identical cells;
- bad values are counted, never dropped: missing, not-a-number and negative values per arm.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import aggregate_frame, write_experiment
from relevance.config import Experiment, load_experiment
from relevance.io.cells import MISSING_LEVEL

ARMS = ["holdout", "A", "B"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Experiment:
    folder = tmp_path_factory.mktemp("properties")
    path = write_experiment(
        folder,
        data={"path": "rows.parquet", "arm": "arm", "unit_id": None},
        metrics=[
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "rope": 0.001,
            },
            {"name": "spend", "kind": "revenue", "column": "revenue", "rope": 0.05},
        ],
        segments=["stage"],
    )
    return load_experiment(path)


amounts = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False),
)


@st.composite
def campaigns(draw: st.DrawFn, min_rows: int = 1, max_rows: int = 60) -> pd.DataFrame:
    """One row per recipient: arm, a segment (sometimes missing), a 0/1 and an amount."""
    n = draw(st.integers(min_rows, max_rows))
    return pd.DataFrame(
        {
            "arm": draw(st.lists(st.sampled_from(ARMS), min_size=n, max_size=n)),
            "stage": draw(
                st.lists(st.sampled_from(["new", "loyal", None]), min_size=n, max_size=n)
            ),
            "purchased": draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)),
            "revenue": draw(st.lists(amounts, min_size=n, max_size=n)),
        }
    )


def aggregate(experiment: Experiment, frame: pd.DataFrame, suffix: str = "parquet") -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"rows.{suffix}"
        if suffix == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        cells = aggregate_frame(experiment, path)
    return cells.sort_values(["arm", "stage"]).reset_index(drop=True)


def pandas_cells(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The same statistics computed row by row in pandas."""
    frame = frame.assign(stage=frame["stage"].fillna(MISSING_LEVEL))
    positive = frame["revenue"] > 0
    logs = np.log(frame["revenue"].where(positive))
    frame = frame.assign(
        buyer=positive.astype(int),
        amount=frame["revenue"].where(positive, 0.0),
        log=logs.fillna(0.0),
        log_sq=(logs**2).fillna(0.0),
        amount_sq=frame["revenue"].where(positive, 0.0) ** 2,
    )
    grouped = frame.groupby(keys)
    return pd.DataFrame(
        {
            "n": grouped.size(),
            "purchase__ones": grouped["purchased"].sum(),
            "spend__buyers": grouped["buyer"].sum(),
            "spend__sum": grouped["amount"].sum(),
            "spend__sum_log": grouped["log"].sum(),
            "spend__sum_log_sq": grouped["log_sq"].sum(),
            "spend__sum_sq": grouped["amount_sq"].sum(),
        }
    )


@SETTINGS
@given(frame=campaigns())
def test_cells_add_up_to_the_rows(experiment: Experiment, frame: pd.DataFrame) -> None:
    cells = aggregate(experiment, frame)
    assert cells["n"].sum() == len(frame)
    assert (cells["purchase__n"] == cells["n"]).all() and (cells["spend__n"] == cells["n"]).all()
    quality = [
        c for c in cells if c.endswith(("__missing", "__invalid", "__negative", "__nonbinary"))
    ]
    assert (cells[quality] == 0).all().all()
    for keys in (["arm"], ["arm", "stage"]):
        ours = cells.groupby(keys).sum(numeric_only=True)
        expected = pandas_cells(frame, keys)
        assert list(ours.index) == list(expected.index)
        for column in ("n", "purchase__ones", "spend__buyers"):
            assert ours[column].tolist() == expected[column].tolist(), column
        for column in ("spend__sum", "spend__sum_log", "spend__sum_log_sq"):
            np.testing.assert_allclose(
                ours[column], expected[column], rtol=1e-9, atol=1e-9, err_msg=column
            )
        # Squared amounts are added up exactly to 4 decimals a row (room for large amounts).
        np.testing.assert_allclose(
            ours["spend__sum_sq"], expected["spend__sum_sq"], rtol=1e-9, atol=5e-5 * len(frame)
        )


@SETTINGS
@given(frame=campaigns(min_rows=2), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(experiment: Experiment, frame: pd.DataFrame, seed: int) -> None:
    shuffled = frame.sample(frac=1.0, random_state=np.random.RandomState(seed))
    pd.testing.assert_frame_equal(aggregate(experiment, frame), aggregate(experiment, shuffled))


@SETTINGS
@given(frame=campaigns())
def test_csv_and_parquet_give_identical_cells(experiment: Experiment, frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        aggregate(experiment, frame, "parquet"), aggregate(experiment, frame, "csv")
    )


bad_amounts = st.one_of(amounts, st.none(), st.just("n/a"), st.just("NaN"), st.floats(-1e3, -0.01))


@SETTINGS
@given(data=st.data())
def test_bad_values_are_counted_per_arm_never_dropped(
    experiment: Experiment, data: st.DataObject
) -> None:
    frame = data.draw(campaigns())
    n = len(frame)
    frame["revenue"] = data.draw(st.lists(bad_amounts, min_size=n, max_size=n))
    cells = aggregate(experiment, frame.astype({"revenue": object}), "csv")
    ours = cells.groupby("arm").sum(numeric_only=True)
    text = frame["revenue"].map(lambda v: v if isinstance(v, str) else None)
    number = pd.to_numeric(frame["revenue"].where(text.isna()), errors="coerce")
    expected = (
        pd.DataFrame(
            {
                "spend__missing": frame["revenue"].isna() & text.isna(),
                "spend__invalid": text.notna(),
                "spend__negative": number < 0,
                "spend__n": number >= 0,
            }
        )
        .groupby(frame["arm"])
        .sum()
    )
    for column in expected:
        assert ours[column].tolist() == expected[column].tolist(), column
    accounted = ours[["spend__missing", "spend__invalid", "spend__negative", "spend__n"]]
    assert (accounted.sum(axis=1) == ours["n"]).all()  # every row is counted exactly once
