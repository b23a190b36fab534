"""When the holdout can stop: the expected loss of deciding now, thresholds, days to a verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import minimal_results
from conftest import write_experiment
from minimal_results import overall_uplift
from relevance.config import Experiment, load_experiment
from relevance.decide.stopping import (
    default_stop_loss,
    expected_loss,
    fading_caveat,
    holdout_stop,
    recipients_per_day,
    stop_sentence,
)
from relevance.io.cells import Cells
from relevance.io.periods import DAY
from relevance.model.layout import layout
from relevance.results import DriftCurve, Verdict, VersionVerdict

PURCHASE = {**minimal_results.PURCHASE, "rope": 0.002}


def experiment(folder: Path, **sections: object) -> Experiment:
    return load_experiment(
        write_experiment(
            folder,
            data={"path": "rows.parquet", "arm": "arm", "date": "send_date"},
            arms={"holdout": "holdout", "versions": ["A"]},
            metrics=[PURCHASE],
            **sections,
        )
    )


def test_expected_loss_is_the_mean_regret_of_the_choice() -> None:
    values = np.array([[0.0, 2.0], [0.0, -1.0], [0.0, 3.0], [0.0, -2.0]])  # nothing, A
    assert expected_loss(values, 1) == pytest.approx((0 + 1 + 0 + 2) / 4)
    assert expected_loss(values, 0) == pytest.approx((2 + 0 + 3 + 0) / 4)


def test_default_thresholds(tmp_path: Path) -> None:
    assert default_stop_loss(experiment(tmp_path / "a")) == pytest.approx(0.2)  # purchases
    valued = {**PURCHASE, "value": 25.0}
    money = load_experiment(
        write_experiment(
            tmp_path / "b",
            data={"path": "rows.parquet", "arm": "arm", "date": "send_date"},
            arms={"holdout": "holdout", "versions": ["A"]},
            metrics=[valued],
        )
    )
    assert default_stop_loss(money) == pytest.approx(0.2 * 25)  # dollars per 1,000
    costs = experiment(tmp_path / "c", decision={"cost_per_send": 0.003})
    assert default_stop_loss(costs) == pytest.approx(0.3)  # a tenth of sending 1,000 emails


def day_cells(exp: Experiment, days: int, per_day: int) -> Cells:
    rows = [
        (arm, (pd.Timestamp("2026-03-02") + pd.Timedelta(days=d)).date().isoformat(), n)
        for d in range(days)
        for arm, n in (("holdout", per_day // 5), ("A", per_day - per_day // 5))
    ]
    rows.append(("A", "(missing)", 12345))
    frame = pd.DataFrame(rows, columns=["arm", DAY, "n"])
    frame["purchase__n"], frame["purchase__ones"] = frame["n"], frame["n"] // 30
    return Cells.from_frame(frame, exp.arms.all, [DAY], exp.metrics)


def test_daily_volume_is_the_last_week_of_sends(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    cells = day_cells(exp, 20, 1000)
    assert recipients_per_day(cells, ("holdout", "A")) == pytest.approx(1000)
    assert recipients_per_day(cells, ("holdout",)) == pytest.approx(200)
    assert recipients_per_day(day_cells(exp, 3, 700), ("holdout", "A")) == pytest.approx(700)


def test_keep_the_holdout_while_a_wrong_choice_would_cost_and_say_for_how_long(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    exp = experiment(tmp_path)
    cells = day_cells(exp, 20, 1000)
    frame = pd.DataFrame({"arm": ["holdout", "A"], "n": [4000, 16000]})
    frame["purchase__n"], frame["purchase__ones"] = frame["n"], [120, 520]
    lay = layout(Cells.for_experiment(exp, frame))
    draws = {
        "purchase": np.stack([rng.normal(0.03, 0.003, 4000), rng.normal(0.0325, 0.003, 4000)], 1)[
            :, :, None
        ]
    }
    verdicts = [
        VersionVerdict(
            version="A", verdict=Verdict.INCONCLUSIVE, sentence="", reasons=[], p_beats_holdout=0.9
        )
    ]
    stop = holdout_stop(exp, lay, draws, cells, [overall_uplift("A", 0.004, 0.0014)], verdicts)
    assert stop.choice == "A" and not stop.in_money and not stop.can_stop
    benefit = draws["purchase"][:, 1, 0] - draws["purchase"][:, 0, 0]
    assert stop.expected_loss == pytest.approx(np.maximum(0, -benefit).mean() * 1000)
    assert stop.expected_loss > stop.threshold == pytest.approx(0.2)
    days = stop.days_to_verdict["A"]
    assert days is not None and 1 <= days <= 365
    assert stop.sentence.startswith("Keep the holdout for now: deciding now (sending Version A)")
    assert (
        f"Version A is likely to get a verdict in about {days:,} days at the current 1,000"
        in stop.sentence
    )


def test_the_stop_sentence_in_money_and_beyond_a_year(tmp_path: Path) -> None:
    exp = experiment(tmp_path, decision={"cost_per_send": 0.002, "currency": "€"})
    can = stop_sentence(exp, None, 0.01, 0.05, 0.2, 500.0, {})
    assert can == (
        "You can stop the holdout: deciding now (sending nothing) risks an expected loss of "
        "€0.050 (0.010 purchases) per 1,000 recipients, below the €0.20 per 1,000 set as small "
        "enough."
    )
    keep = stop_sentence(exp, "A", 3.0, 9.0, 0.2, 500.0, {"A": None})
    assert "above the €0.20 per 1,000" in keep
    assert keep.endswith(
        "Version A is unlikely to get a verdict within a year at the current 500 recipients a "
        "day unless its effect moves."
    )


def test_a_fading_effect_adds_a_caveat(tmp_path: Path) -> None:
    exp = experiment(tmp_path)

    def curve(p_below: float) -> DriftCurve:
        return DriftCurve(version="A", periods=[], p_latest_below_first=p_below, sentence="")

    assert fading_caveat(exp, [curve(0.9)]) == ""
    assert fading_caveat(exp, [curve(0.97)]).startswith(" But the effect of Version A is fading")
