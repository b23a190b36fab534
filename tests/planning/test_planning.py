"""Tests for holdout planning: simulated assurance, its normal check, cost, recommendation."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure
from pydantic import ValidationError

from relevance.planning import assurance as simulation
from relevance.planning.assurance import assurance_normal
from relevance.planning.figures import figure_assurance, figure_cost, write_plan
from relevance.planning.plan import (
    REFINE_STEP,
    Plan,
    PlanInputs,
    plan_holdout,
    recipients_needed,
    rough_money,
    simulate_share,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "holdout_planning.ipynb"
SHARES = [0.02, 0.05, 0.1, 0.2]


def inputs(**changes: object) -> PlanInputs:
    """The worked example (3% baseline, +4 per 1,000, ROPE ±1 per 1,000), with changes."""
    values: dict[str, object] = {
        "baseline_rate": 0.03,
        "expected_uplift": 0.004,
        "rope": 0.001,
        "recipients": 200_000,
        "holdout_shares": SHARES,
        "value_per_conversion": 40.0,
        "seed": 7,
    }
    values.update(changes)
    return PlanInputs.model_validate(values)


@pytest.fixture(scope="module")
def example() -> Plan:
    return plan_holdout(inputs())


@pytest.mark.parametrize(
    ("uplift", "verdict"),
    [(0.0015, "p_beats"), (0.0003, "p_irrelevant"), (-0.0015, "p_harmful")],
)
def test_assurance_agrees_with_normal_approximation_for_large_samples(
    uplift: float, verdict: str
) -> None:
    result = plan_holdout(inputs(recipients=2_000_000, expected_uplift=uplift))
    for row in result.rows:
        normal = assurance_normal(
            baseline_rate=0.03,
            expected_uplift=uplift,
            rope=0.001,
            holdout=row.holdout,
            version=row.version,
        )
        assert row.assurance == pytest.approx(normal.assurance, abs=0.03), row
        assert getattr(row, verdict) == pytest.approx(getattr(normal, verdict), abs=0.03), row
        assert row.posterior_sd == pytest.approx(normal.posterior_sd, rel=0.02)
    # the check is not vacuous: the designs span hardly-ever to often conclusive
    assert min(r.assurance for r in result.rows) < 0.2
    assert max(r.assurance for r in result.rows) > 0.45


def test_assurance_grows_with_the_holdout_share(example: Plan) -> None:
    values = [row.assurance for row in example.rows]
    assert all(later >= earlier - 0.02 for earlier, later in itertools.pairwise(values))
    assert values[-1] - values[0] > 0.3
    sds = [row.posterior_sd for row in example.rows]
    assert sds == sorted(sds, reverse=True)


def test_zero_uplift_with_zero_rope_rarely_says_beats() -> None:
    result = plan_holdout(inputs(expected_uplift=0.0, rope=0.0, simulations=4000))
    for row in result.rows:
        margin = 3 * np.sqrt(0.05 * 0.95 / 4000)
        assert row.p_beats <= 0.05 + margin, row
        assert row.p_harmful <= 0.05 + margin, row
        assert row.p_irrelevant == 0.0  # nothing is inside an empty ROPE


def test_revenue_forgone_is_holdout_times_uplift_times_value() -> None:
    result = plan_holdout(
        inputs(
            recipients=123_457,
            holdout_shares=[0.07, 0.33],
            expected_uplift=0.0037,
            value_per_conversion=12.5,
            simulations=200,
        )
    )
    for row in result.rows:
        assert row.holdout == round(row.share * 123_457)
        assert row.holdout + row.version == 123_457
        assert row.revenue_forgone == row.holdout * 0.0037 * 12.5
        assert row.conversions_forgone == row.holdout * 0.0037


def test_recommends_the_smallest_share_meeting_the_target(example: Plan) -> None:
    asked = [row for row in example.rows if not row.refined]
    values = [row.assurance for row in asked]
    # a target between the 2nd and 3rd share's assurance picks a share in (2nd, 3rd]: the
    # smallest that reaches it, found between the shares asked for by bisection
    target = (values[1] + values[2]) / 2
    result = plan_holdout(inputs(target_assurance=target))
    assert [r.assurance for r in result.rows if not r.refined] == values  # same asked-for rows
    assert result.recipients_needed is None
    best = result.recommended
    assert best is not None and best.assurance >= target
    assert SHARES[1] < best.share <= SHARES[2]
    if best.share - REFINE_STEP > SHARES[1]:  # half a point less would miss the target
        below = simulate_share(result.inputs, round(best.share - REFINE_STEP, 6))
        assert below.assurance < target
    assert f"Keep {best.share * 100:g}% of recipients ({best.holdout:,} people)" in result.sentence
    assert rough_money(best.revenue_forgone, "$") in result.sentence
    # the default example: the first row meeting 80%, and none below it does
    first = next(r for r in example.rows if r.assurance >= 0.8)
    assert example.recommended_share == first.share
    assert all(r.assurance < 0.8 for r in example.rows if r.share < first.share)


def test_no_share_meets_the_target_says_what_would() -> None:
    small = inputs(recipients=20_000)
    result = plan_holdout(small)
    assert result.recommended_share is None
    assert result.recommended is None
    needed = result.recipients_needed
    assert needed is not None and needed > 20_000
    assert "repeat the campaign" in result.sentence

    def normal_at(total: int) -> float:
        held = round(0.2 * total)
        return assurance_normal(
            baseline_rate=0.03,
            expected_uplift=0.004,
            rope=0.001,
            holdout=held,
            version=total - held,
        ).assurance

    assert normal_at(needed) >= 0.8 > normal_at(int(needed * 0.99))
    # an uplift on the ROPE edge can never be settled: say so instead of a number
    edge = inputs(expected_uplift=0.001, holdout_shares=[0.1], simulations=200)
    assert recipients_needed(edge, 0.1) is None
    assert "No realistic number" in plan_holdout(edge).sentence


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"holdout_shares": [0.1, 0.6]}, "holdout_shares"),
        ({"holdout_shares": [0.0]}, "holdout_shares"),
        ({"holdout_shares": [0.1, 0.1]}, "holdout_shares"),
        ({"rope": -0.001}, "rope"),
        ({"baseline_rate": 1.2}, "baseline_rate"),
        ({"value_per_conversion": -1}, "value_per_conversion"),
        ({"target_assurance": 1.0}, "target_assurance"),
        ({"recipient": 5}, "recipient"),
    ],
)
def test_invalid_inputs_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        inputs(**changes)
    assert raised.value.errors()[0]["loc"][0] == field
    assert field in str(raised.value)


def test_infeasible_designs_are_rejected() -> None:
    with pytest.raises(ValidationError, match="expected_uplift"):
        inputs(baseline_rate=0.999, expected_uplift=0.004)
    with pytest.raises(ValidationError, match="holds out nobody"):
        inputs(recipients=10, holdout_shares=[0.02])


def test_verdict_rule_is_decision_rope_verdict() -> None:
    from relevance.decide.uplift import rope_verdict
    from relevance.results import Verdict

    grid = np.round(np.arange(0, 1.0001, 0.025), 3)
    pairs = [(b, w) for b in grid for w in grid if b + w <= 1] + [(0.95, 0.0), (0.0, 0.95)]
    better = np.array([p[0] for p in pairs])
    worse = np.array([p[1] for p in pairs])
    harmful, beats, irrelevant = simulation._verdict_shares(better, worse, 0.95)
    for index, (b, w) in enumerate(pairs):
        expected = rope_verdict(b, 1.0 - b - w, w, 0.95)
        assert harmful[index] == (expected is Verdict.HARMFUL)
        assert beats[index] == (expected is Verdict.BEATS)
        assert irrelevant[index] == (expected is Verdict.IRRELEVANT)


def test_plan_is_reproducible_and_serialises(example: Plan) -> None:
    again = plan_holdout(inputs())
    assert again.to_json() == example.to_json()
    data = json.loads(example.to_json())
    assert data["recommended_share"] == example.recommended_share
    assert Plan.model_validate_json(example.to_json()) == example
    assert plan_holdout(inputs(seed=8)).to_json() != example.to_json()


def test_figures_have_labelled_axes_and_no_titles(example: Plan, tmp_path: Path) -> None:
    for figure in (figure_assurance(example), figure_cost(example)):
        assert isinstance(figure, Figure)
        axes = figure.axes[0]
        assert "%" in axes.get_xlabel()
        assert axes.get_ylabel()
        assert axes.get_title() == ""
    files = write_plan(example, tmp_path)
    assert all(f.stat().st_size > 0 for f in files)


def test_notebook_is_saved_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_notebook_runs_with_parameters(tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    output = tmp_path / "plan.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(output),
        parameters={
            "recipients": 300_000,
            "holdout_shares": [0.05, 0.1],
            "simulations": 500,
            "output_dir": str(tmp_path / "report"),
        },
        kernel_name="python3",
        progress_bar=False,
    )
    executed = nbformat.read(output, as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert "How big a no-send holdout to keep" in html[0]  # the title, then the recommendation
    assert 'class="headline">Keep ' in html[1] or 'class="headline">No holdout share' in html[1]
    assert sum(page.count("<svg") for page in html) == 4  # two charts, wide and narrow
    assert not any("image/png" in o.get("data", {}) for o in outputs)
    saved = json.loads((tmp_path / "report" / "plan.json").read_text())
    assert saved["inputs"]["recipients"] == 300_000
    asked = [row["share"] for row in saved["rows"] if not row["refined"]]
    assert asked == [0.05, 0.1]  # and any share found between them


def test_two_stage_sampling_matches_full_sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    design = {
        "baseline_rate": 0.03,
        "expected_uplift": 0.004,
        "rope": 0.001,
        "holdout": 20_000,
        "version": 180_000,
        "simulations": 3000,
    }
    staged = simulation.assurance(**design)
    monkeypatch.setattr(simulation, "SCREEN_MIN_DRAWS", 10**9)  # every experiment gets all draws
    full = simulation.assurance(**design)
    # same seed, same simulated experiments: only borderline posterior Monte Carlo noise differs
    assert staged.assurance == pytest.approx(full.assurance, abs=0.015)
    assert staged.posterior_sd == full.posterior_sd


def test_experiments_settled_early_keep_their_verdict() -> None:
    rng = np.random.default_rng(3)
    sizes = np.array([20_000, 180_000])
    successes = rng.binomial(sizes, [0.03, 0.034], size=(1000, 2))
    alpha, beta = 1.0 + successes, 1.0 + sizes - successes
    better, worse = simulation._rope_counts(rng, alpha, beta, 0.001, 250)
    more = simulation._undecided(better / 250, worse / 250, 0.95, 250)
    assert 0.05 < more.mean() < 0.8  # the screen saves work, but not blindly
    early = simulation._verdict_shares(better / 250, worse / 250, 0.95)
    better, worse = simulation._rope_counts(rng, alpha, beta, 0.001, 4000)
    precise = simulation._verdict_shares(better / 4000, worse / 4000, 0.95)
    for quick, exact in zip(early, precise, strict=True):
        assert np.array_equal(quick[~more], exact[~more])
