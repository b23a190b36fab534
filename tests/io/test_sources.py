"""Where rows come from (file, simulation, cells), the data fingerprint and the cache folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, load_experiment
from relevance.errors import DataError
from relevance.io.sources import cache_dir, data_fingerprint, load_cells, rows_path

METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "spend", "kind": "revenue", "column": "revenue", "rope": 0.05},
]


def write_rows(path: Path, rng: np.random.Generator, n: int = 900) -> pd.DataFrame:
    """`n` recipients in three arms and two stages, with purchases and revenue."""
    purchased = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "arm": rng.choice(["holdout", "A", "B"], n),
            "stage": rng.choice(["new", "loyal"], n),
            "purchased": purchased,
            "revenue": np.round(purchased * rng.lognormal(3, 1, n), 2),
        }
    )
    frame.to_csv(path, index=False)
    return frame


def rows_experiment(folder: Path, data_path: str = "rows.csv") -> Experiment:
    return load_experiment(
        write_experiment(folder, data={"path": data_path}, metrics=METRICS, segments=["stage"])
    )


def test_rows_path_of_a_file_is_resolved_from_the_experiment_folder(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    (tmp_path / "data").mkdir()
    write_rows(tmp_path / "data" / "rows.csv", rng)
    experiment = rows_experiment(tmp_path / "exp", "../data/rows.csv")
    assert rows_path(experiment) == (tmp_path / "data" / "rows.csv").resolve()


def test_rows_path_of_a_simulation_generates_it_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEVANCE_CACHE", str(tmp_path / "cache"))
    experiment = load_experiment(
        write_experiment(
            tmp_path, data={"simulate": {"preset": "null", "recipients": 1000, "seed": 5}}
        )
    )
    path = rows_path(experiment)
    assert path.parent == tmp_path / "cache"
    assert re.fullmatch(r"simulated-null-1000-5-[0-9a-f]{8}\.parquet", path.name)  # spec's hash
    assert path.is_file()
    written = path.stat().st_mtime_ns
    assert rows_path(experiment) == path
    assert path.stat().st_mtime_ns == written  # generated once, then reused
    assert load_cells(experiment).recipients == 1000


def test_rows_path_of_an_unknown_preset_is_a_data_error(tmp_path: Path) -> None:
    experiment = load_experiment(
        write_experiment(tmp_path, data={"simulate": {"preset": "demoo", "recipients": 1000}})
    )
    with pytest.raises(DataError) as error:
        rows_path(experiment)
    assert error.value.where == "data.simulate.preset"
    assert error.value.file == str(experiment.source)


def test_rows_path_of_cells_is_none(tmp_path: Path) -> None:
    experiment = load_experiment(write_experiment(tmp_path, data={"cells": "cells.csv"}))
    assert rows_path(experiment) is None


def test_missing_data_file_suggests_the_closest_name(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    write_rows(tmp_path / "rows.csv", rng)
    experiment = rows_experiment(tmp_path, "row.csv")
    with pytest.raises(DataError) as error:
        rows_path(experiment)
    assert error.value.where == "data.path"
    assert error.value.problem == (
        f"data file {(tmp_path / 'row.csv').resolve()} does not exist; did you mean rows.csv?"
    )
    assert "relative paths are read from the experiment file's folder" in error.value.fix


def test_missing_data_file_without_a_close_name(tmp_path: Path) -> None:
    experiment = rows_experiment(tmp_path, "nowhere/rows.csv")
    with pytest.raises(DataError, match="does not exist") as error:
        load_cells(experiment)
    assert "did you mean" not in error.value.problem


def test_missing_cells_file_is_a_data_error(tmp_path: Path) -> None:
    experiment = load_experiment(write_experiment(tmp_path, data={"cells": "cells.csv"}))
    with pytest.raises(DataError) as error:
        load_cells(experiment)
    assert error.value.where == "data.cells"


def test_cells_from_rows_and_from_a_cells_file_agree(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    rows = write_rows(tmp_path / "rows.csv", rng)
    from_rows = load_cells(rows_experiment(tmp_path))
    from_rows.to_frame().to_csv(tmp_path / "cells.csv", index=False)
    cells_experiment = load_experiment(
        write_experiment(
            tmp_path,
            "cells.yaml",
            data={"cells": "cells.csv"},
            metrics=METRICS,
            segments=["stage"],
        )
    )

    from_cells = load_cells(cells_experiment)

    pd.testing.assert_frame_equal(from_cells.to_frame(), from_rows.to_frame())
    assert from_cells.fingerprint() == from_rows.fingerprint()
    assert from_rows.recipients == len(rows) == 900
    assert from_rows.arm_sizes() == rows.groupby("arm").size().to_dict()
    frame = from_rows.to_frame()
    assert int(frame["purchase__ones"].sum()) == int(rows.purchased.sum())
    assert frame["spend__sum"].sum() == pytest.approx(rows.revenue.sum(), abs=1e-6)


def test_data_fingerprint_follows_the_content_not_the_file_time(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    rows = write_rows(tmp_path / "rows.csv", rng)
    experiment = rows_experiment(tmp_path)
    first = data_fingerprint(experiment)
    assert len(first) == 16 and int(first, 16) >= 0

    rows.to_csv(tmp_path / "rows.csv", index=False)  # rewritten, identical bytes
    os.utime(tmp_path / "rows.csv", (1, 1))
    assert data_fingerprint(experiment) == first

    rows.loc[17, "purchased"] = 1 - rows.loc[17, "purchased"]
    rows.to_csv(tmp_path / "rows.csv", index=False)
    changed = data_fingerprint(experiment)
    assert changed != first

    rows.loc[17, "purchased"] = 1 - rows.loc[17, "purchased"]
    rows.to_csv(tmp_path / "rows.csv", index=False)
    assert data_fingerprint(experiment) == first


def test_data_fingerprint_of_a_simulation_follows_its_spec(tmp_path: Path) -> None:
    def fingerprint(seed: int) -> str:
        data = {"simulate": {"preset": "demo", "recipients": 1000, "seed": seed}}
        return data_fingerprint(load_experiment(write_experiment(tmp_path, data=data)))

    assert fingerprint(1) == fingerprint(1)
    assert fingerprint(1) != fingerprint(2)
    assert not list(tmp_path.glob("*.parquet"))  # no data generated to fingerprint a spec


def test_cache_dir_honours_relevance_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELEVANCE_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"

    monkeypatch.setenv("RELEVANCE_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "relevance"

    monkeypatch.delenv("RELEVANCE_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "relevance"
