"""Always-on campaigns end to end in the package: the timeline on the always-on preset, drift
on a fading and a constant effect (known truth), and when the holdout can stop."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import minimal_results
from conftest import write_experiment
from relevance import analyze
from relevance.config import Experiment, load_experiment
from relevance.decide.looks import approximate_looks
from relevance.decide.uplift import uplifts_for
from relevance.io import simulate
from relevance.io.periods import DAY, by_period, dated_only, select
from relevance.io.sources import load_cells
from relevance.model.design import design
from relevance.model.fit import fit
from relevance.model.layout import layout
from relevance.model.stored import compiled_model
from relevance.pipeline.analysis import Analysis
from relevance.pipeline.monitoring import drift_over_time
from relevance.results import PER, Results, Verdict

PURCHASE = {**minimal_results.PURCHASE, "value": 30.0}
UNSUBSCRIBE = {**minimal_results.UNSUBSCRIBE, "value": -5.0}
SAMPLER = {"draws": 500, "tune": 500, "chains": 2, "seed": 11}


def always_on(folder: Path, preset: str, recipients: int, seed: int, **sections: object) -> Path:
    """An experiment over a simulated always-on flow (rows written to `folder`)."""
    simulate.write_parquet(simulate.preset(preset, recipients, seed), folder / "rows.parquet")
    return write_experiment(
        folder,
        name=preset.replace("_", "-"),
        data={"path": "rows.parquet", "arm": "arm", "date": "send_date"},
        arms={"holdout": "holdout", "versions": ["A"]},
        sampler=SAMPLER,
        **sections,
    )


@pytest.fixture(scope="module")
def fading(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    """The always-on preset (fading effect), 1M recipients over 13 weeks, analysed in full."""
    folder = tmp_path_factory.mktemp("always-on")
    path = always_on(
        folder,
        "always_on",
        1_000_000,
        3,
        metrics=[PURCHASE, UNSUBSCRIBE],
        segments=["lifecycle_stage"],
        decision={"cost_per_send": 0.002, "currency": "$"},
    )
    return analyze(path)


def test_looks_grow_day_by_day_and_end_with_the_report(fading: Analysis) -> None:
    timeline = fading.results.timeline
    assert timeline is not None and timeline.every == "day"
    looks = timeline.looks
    assert len(looks) == 91 and [look.version for look in looks] == ["A"] * 91
    days = [look.day for look in looks]
    assert days == [days[0] + timedelta(days=i) for i in range(91)]
    recipients = [look.recipients for look in looks]
    assert all(a < b for a, b in itertools.pairwise(recipients))
    final = looks[-1]
    snapshot = fading.results.uplift("purchase", "A")
    assert final.full_model and not any(look.full_model for look in looks[:-1])
    assert final.recipients == fading.results.run.recipients == 1_000_000
    assert (final.uplift_mean, final.uplift_low, final.uplift_high) == (
        snapshot.uplift_mean,
        snapshot.uplift_low,
        snapshot.uplift_high,
    )
    assert final.p_better_beyond_rope == snapshot.p_better_beyond_rope
    assert final.verdict is fading.results.verdict("A").verdict is Verdict.BEATS
    assert timeline.sentences[0].startswith("Version A has been “beats sending nothing” since")


def test_the_looks_approximation_agrees_with_the_full_model(fading: Analysis) -> None:
    """The approximation of the last look against the report's own full fit on the same data."""
    cells = fading.cells
    assert cells.by_day is not None
    approximate = approximate_looks(fading.experiment, cells.by_day, "day")[-1]
    full = fading.results.uplift("purchase", "A")
    assert approximate.uplift_mean is not None and approximate.uplift_low is not None
    assert approximate.uplift_high is not None
    assert abs(approximate.uplift_mean - full.uplift_mean) < 0.15 * full.uplift_sd
    width = approximate.uplift_high - approximate.uplift_low
    assert width == pytest.approx(full.uplift_high - full.uplift_low, rel=0.1)
    assert approximate.verdict is Verdict.BEATS


def test_the_fading_effect_is_caught_and_the_holdout_can_stop(fading: Analysis) -> None:
    timeline = fading.results.timeline
    assert timeline is not None and timeline.drift_reliable
    (curve,) = timeline.drift
    assert len(curve.periods) == 13
    assert curve.p_latest_below_first >= 0.95
    assert curve.sentence.startswith("Version A’s extra purchases fell from +")
    assert "per 1,000 recipients since the week of 2 March 2026" in curve.sentence
    stop = timeline.stop
    assert stop is not None and stop.in_money and stop.choice == "A"
    assert stop.threshold == pytest.approx(0.001 * PER / 10 * 30)  # a tenth of the ROPE, in $
    assert stop.can_stop and stop.expected_loss_money is not None
    assert stop.expected_loss_money < stop.threshold
    assert stop.sentence.startswith("You can stop the holdout: deciding now (sending Version A)")
    assert stop.sentence.endswith(
        "But the effect of Version A is fading (see “Is the effect fading?”): this decision "
        "rests on the average so far, so keep watching it, for example with a smaller holdout."
    )
    assert stop.recipients_per_day == pytest.approx(1_000_000 / 91, rel=0.01)
    assert Results.model_validate_json(fading.results.to_json()) == fading.results


def test_drift_models_of_every_length_share_the_reports_compiled_model(
    fading: Analysis,
) -> None:
    """Drift over 5 weeks, 13 weeks or 3 months (periods are an ordered segment whose random
    walk basis is data) has the report's own signature: no compile for a longer campaign."""
    cells = fading.cells.by_day
    assert cells is not None
    dated = dated_only(cells)
    five_weeks = select(dated, (dated.keys[DAY] < "2026-04-06").to_numpy())
    exp = fading.experiment
    designs = [
        design(layout(by_period(part, period), ordered=(DAY,)), (exp.primary,), exp.priors)
        for part, period in ((five_weeks, "week"), (dated, "week"), (dated, "month"))
    ]
    assert [len(d.data()["rate_x"]) for d in designs] == [2 * 5, 2 * 13, 2 * 3]
    for d in designs:
        assert d.signature() == fading.fit.design.signature()
        assert compiled_model(d)[2]  # a hit in this process: compiled once, for the report


def weekly_truth(path: Path, preset: str, recipients: int, seed: int) -> list[float]:
    """The exact uplift per recipient of each week (mean of its days' truth)."""
    spec = simulate.preset(preset, recipients, seed)
    daily = simulate.true_uplift_by_day(spec, pq.read_table(path))
    return [float(week.uplift.mean()) for _, week in daily.groupby(np.arange(len(daily)) // 7)]


@pytest.mark.parametrize(("preset", "fell"), [("always_on", True), ("always_on_constant", False)])
def test_drift_is_found_on_a_fading_effect_and_not_on_a_constant_one(
    tmp_path: Path, preset: str, fell: bool
) -> None:
    path = always_on(tmp_path, preset, 1_000_000, 5, metrics=[PURCHASE])
    experiment: Experiment = load_experiment(path)
    cells = load_cells(experiment)
    assert cells.by_day is not None
    (curve,), reliable = drift_over_time(experiment, cells.by_day, "week")
    assert reliable
    if fell:
        assert curve.p_latest_below_first >= 0.95
        assert curve.sentence.startswith("Version A’s extra purchases fell from")
    else:
        assert 0.05 < curve.p_latest_below_first < 0.95
        assert curve.sentence.startswith("No credible change in Version A’s extra purchases")
    truth = weekly_truth(tmp_path / "rows.parquet", preset, 1_000_000, 5)
    covered = [
        p.uplift_low <= t <= p.uplift_high for p, t in zip(curve.periods, truth, strict=True)
    ]
    assert sum(covered) >= 11, list(zip(curve.periods, truth, strict=True))  # of 13 weeks


@pytest.mark.parametrize("days", [1, 7])
def test_early_looks_agree_with_the_full_model_on_the_same_cells(
    fading: Analysis, days: int
) -> None:
    """At an early look (11,000 and 77,000 recipients) the approximation against the full
    model fitted on that look's cells: same mean, same width, same chance beyond the ROPE."""
    cells = fading.cells.by_day
    assert cells is not None
    dated = dated_only(cells)
    end = (date(2026, 3, 2) + timedelta(days=days)).isoformat()
    early = select(dated, (dated.keys[DAY] < end).to_numpy())
    look = approximate_looks(fading.experiment, early, "day")[-1]
    pooled = dataclasses.replace(early, keys=early.keys[["arm"]], segments=())  # arms only
    lay = layout(pooled)
    primary = fading.experiment.primary
    exp = fading.experiment
    result = fit(design(lay, (primary,), exp.priors), exp.sampler, exp.diagnostics)
    (full,) = uplifts_for(exp, lay, primary, result.mean_draws()["purchase"])
    assert (
        look.uplift_mean is not None
        and look.uplift_low is not None
        and look.uplift_high is not None
    )
    assert abs(look.uplift_mean - full.uplift_mean) < 0.1 * full.uplift_sd
    assert look.uplift_high - look.uplift_low == pytest.approx(
        full.uplift_high - full.uplift_low, rel=0.1
    )
    assert look.p_better_beyond_rope == pytest.approx(full.p_better_beyond_rope, abs=0.03)
