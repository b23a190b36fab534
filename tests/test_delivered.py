"""`data.delivered`: the effect on delivered recipients (ITT / delivery share) against a known
truth, and bad delivery flags stopping with exit code 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.pipeline.analysis import analyze
from relevance.report.campaign import CampaignReport
from test_bad_input import experiment, good_rows, run_in_process

DELIVERY = 0.6
BASE, LIFT = 0.05, 0.02  # purchase rate, and its rise among recipients the email reached


def delivered_campaign(folder: Path, n: int = 90_000, seed: int = 5) -> Path:
    """Holdout 1/3, version A 2/3 of whom 60% were delivered; only they respond."""
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 1 / 3, "holdout", "A")
    delivered = (arm == "A") & (rng.random(n) < DELIVERY)
    bought = rng.random(n) < BASE + LIFT * delivered
    pd.DataFrame(
        {"arm": arm, "purchased": bought.astype(int), "delivered": delivered.astype(int)}
    ).to_parquet(folder / "rows.parquet")
    return write_experiment(
        folder,
        data={"path": "rows.parquet", "arm": "arm", "unit_id": None, "delivered": "delivered"},
        arms={"holdout": "holdout", "versions": ["A"]},
        sampler={"draws": 2000, "tune": 500, "chains": 2, "seed": 3},
    )


def test_effect_on_delivered_recovers_the_known_effect(tmp_path: Path) -> None:
    analysis = analyze(delivered_campaign(tmp_path))
    results = analysis.results
    (effect,) = results.effect_on_delivered
    itt = results.uplift("purchase", "A")
    assert effect.delivery_rate == pytest.approx(DELIVERY, abs=0.01)
    assert effect.itt_mean == pytest.approx(itt.uplift_mean)
    # The truth among those reached is LIFT; everyone assigned sees about 60% of it.
    assert effect.low <= LIFT <= effect.high, effect
    assert itt.uplift_low <= DELIVERY * LIFT <= itt.uplift_high
    assert effect.mean == pytest.approx(itt.uplift_mean / effect.delivery_rate, rel=0.02)
    assert effect.high - effect.low > itt.uplift_high - itt.uplift_low  # less certain
    assert "reached 60." in effect.sentence and "verdict stays on everyone" in effect.sentence
    rates = next(f for f in results.findings if f.check == "delivery_rate")
    assert rates.details["rates"]["A"] == pytest.approx(effect.delivery_rate)
    shown = str(CampaignReport(results).before_and_after_the_send())
    assert "Effect on delivered recipients" in shown and "Secondary" in shown
    assert "everyone assigned, per 1,000" in shown


def test_no_delivered_column_no_section(tmp_path: Path) -> None:
    rows = good_rows()
    rows.to_csv(tmp_path / "rows.csv", index=False)
    results = analyze(experiment(tmp_path, sampler={"draws": 200, "tune": 200})).results
    assert results.effect_on_delivered == [] and results.adjustment is None
    assert str(CampaignReport(results).before_and_after_the_send()) == ""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.assign(delivered=np.where(f.arm == "holdout", 0, 2)), "not 0/1 or true/false"),
        (lambda f: f.assign(delivered=np.where(f.arm == "holdout", "0", "maybe")), "not 0/1"),
        (lambda f: f.assign(delivered=1), "holdout recipients are marked delivered"),
    ],
    ids=["two", "text", "holdout-delivered"],
)
def test_bad_delivery_flags_exit_2(tmp_path: Path, change: object, expected: str) -> None:
    frame = change(good_rows())  # type: ignore[operator]
    frame.to_csv(tmp_path / "rows.csv", index=False)
    path = experiment(
        tmp_path,
        data={
            "path": "rows.csv",
            "arm": "arm",
            "unit_id": "customer_id",
            "sent": "sent",
            "delivered": "delivered",
        },
    )
    code, out, err = run_in_process(path)
    assert code == 2, (out, err)
    assert expected in " ".join(err.split()), err
    assert "`delivered`" in err and "Fix:" in err and "Traceback" not in err + out


def test_delivered_column_absent_from_the_file_exits_2(tmp_path: Path) -> None:
    good_rows().to_csv(tmp_path / "rows.csv", index=False)
    path = experiment(
        tmp_path, data={"path": "rows.csv", "arm": "arm", "delivered": "delivered_flag"}
    )
    code, _, err = run_in_process(path)
    assert code == 2 and "data.delivered" in err and "delivered_flag" in err, err
