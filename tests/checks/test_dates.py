"""Bad send dates (`data.date`): one clear message with file, column, row and fix, exit code 2;
missing dates for some rows are a visible warning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_experiment
from minimal_results import PURCHASE
from relevance.checks import dates
from relevance.cli import app
from relevance.config import load_experiment
from relevance.errors import ConfigError
from relevance.pipeline.checking import check_data
from relevance.results import Severity

N = 2_000


def rows(n: int = N) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    days = pd.date_range("2026-03-02", periods=14).strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "arm": np.where(np.arange(n) % 5 == 0, "holdout", "A"),
            "purchased": rng.binomial(1, 0.05, n),
            "send_date": np.resize(days, n),
        }
    )


def experiment(folder: Path, frame: pd.DataFrame, **data: object) -> Path:
    frame.to_csv(folder / "rows.csv", index=False)
    return write_experiment(
        folder,
        data={"path": "rows.csv", "arm": "arm", "date": "send_date", **data},
        arms={"holdout": "holdout", "versions": ["A"]},
        metrics=[PURCHASE],
    )


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", str(path)])
    return result.exit_code, " ".join(result.output.split())


def test_good_dates_are_a_note_with_their_range(tmp_path: Path) -> None:
    code, output = validate(experiment(tmp_path, rows()))
    assert code == 0, output
    assert "Send dates (column `send_date`) run from 2026-03-02 to 2026-03-15: 14 days" in output


def test_an_unreadable_date_stops_with_its_row_and_the_fix(tmp_path: Path) -> None:
    frame = rows()
    frame.loc[6, "send_date"] = "03/08/2026"  # row 7 of the data, line 8 of the file
    frame.loc[9, "send_date"] = "soon"
    code, output = validate(experiment(tmp_path, frame))
    assert code == 2
    assert "rows.csv" in output and "Traceback" not in output
    assert (
        "Column `send_date` (`data.date`) has 2 values that are not a date, e.g. row 7: '03/08/2026'"
        in output
    )
    assert "write send days as YYYY-MM-DD" in output


def test_a_date_in_the_future_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = rows()
    frame.loc[99, "send_date"] = "2062-03-02"  # a typo in the year
    monkeypatch.setattr(dates, "today", lambda: pd.Timestamp("2026-06-01").date())
    code, output = validate(experiment(tmp_path, frame))
    assert code == 2, output
    assert "has 1 date after 2026-06-02, in the future, e.g. row 100: '2062-03-02'" in output
    assert "the year and the order of day and month" in output


def test_a_day_ahead_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "today", lambda: pd.Timestamp("2026-03-14").date())
    code, output = validate(experiment(tmp_path, rows()))  # the last day is 2026-03-15
    assert code == 0, output


def test_some_missing_dates_are_a_warning_that_names_a_row(tmp_path: Path) -> None:
    frame = rows()
    frame.loc[[3, 40, 41], "send_date"] = None
    path = experiment(tmp_path, frame)
    code, output = validate(path)
    assert code == 0, output
    assert (
        "[warning] 3 rows (0.1%) have no send date (empty column `send_date`), e.g. row 4" in output
    )
    _, findings = check_data(load_experiment(path))
    (missing,) = [f for f in findings if f.check == "send_date_missing"]
    assert missing.severity is Severity.WARNING and missing.details["rows"] == 3


def test_no_date_at_all_stops(tmp_path: Path) -> None:
    frame = rows().assign(send_date="")
    code, output = validate(experiment(tmp_path, frame))
    assert code == 2
    assert f"has no readable date in any of the {N:,} rows" in output


def test_a_date_column_the_file_lacks_names_the_field(tmp_path: Path) -> None:
    code, output = validate(experiment(tmp_path, rows(), date="sent_at"))
    assert code == 2
    assert "`sent_at` (set by `data.date`) is not a column of the file" in output


@pytest.mark.parametrize(
    ("data", "sections", "message"),
    [
        ({"cells": "cells.csv", "date": "send_date"}, {}, "`date` needs one row per recipient"),
        ({"path": "rows.csv"}, {"monitoring": {"every": "week"}}, "`monitoring` needs `data.date`"),
        (
            {"path": "rows.csv", "date": "send_date"},
            {"monitoring": {"every": "hour"}},
            "monitoring.every",
        ),
        (
            {"path": "rows.csv", "date": "send_date"},
            {"monitoring": {"stop_loss": -1}},
            "monitoring.stop_loss",
        ),
    ],
)
def test_config_errors(tmp_path: Path, data: dict, sections: dict, message: str) -> None:
    path = write_experiment(tmp_path, data={"arm": "arm", **data}, **sections)
    with pytest.raises(ConfigError) as error:
        load_experiment(path)
    assert message in error.value.render()
