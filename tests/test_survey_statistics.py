"""Survey models against the simulator's known truth: rating shifts by version and segment,
reason shares by version, and response rates that do or do not depend on the arm.

The demo's three questions (experiments/demo.yaml) are read from simulated campaigns, fitted
with the demo's segments (lifecycle stage, emails already received) and compared with the
exact answer shares the simulator drew them from (population-weighted for ratings, whose
truth depends on the stage). Every 95% interval is counted; the misses must stay within what
chance allows (binomial, 99.9%).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import stats

from relevance.config import load_experiment
from relevance.io import simulate
from relevance.io.simulate_surveys import SimulatedRating, true_answers
from relevance.io.sources import rows_path
from relevance.model.layout import layout
from relevance.model.survey import fit_answers
from relevance.pipeline.checking import check_everything
from relevance.results import Severity

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "experiments" / "demo.yaml"
QUICK = {"sampler": {"draws": 1000, "tune": 1000, "chains": 2, "seed": 3}}


@dataclass(frozen=True)
class Interval:
    what: str
    truth: float
    low: float
    high: float

    @property
    def covers(self) -> bool:
        return self.low <= self.truth <= self.high


def demo_experiment(seed: int, preset: str = "demo", recipients: int = 200_000):
    simulated = {"simulate": {"preset": preset, "seed": seed, "recipients": recipients}}
    return load_experiment(DEMO, overrides={"data": simulated, **QUICK})


def interval(what: str, truth: float, draws: np.ndarray) -> Interval:
    low, high = np.quantile(draws, [0.025, 0.975])
    return Interval(what, truth, float(low), float(high))


def recovery(seed: int) -> list[Interval]:
    """Every 95% interval of the demo's survey answers at one seed, with its truth."""
    experiment = demo_experiment(seed)
    cells, answers, _ = check_everything(experiment)
    lay = layout(cells, ordered=(experiment.fatigue.column,))
    table = pq.read_table(rows_path(experiment))
    stages = table["lifecycle_stage"].value_counts().to_pylist()
    weights = {item["values"]: float(item["counts"]) for item in stages}
    spec = simulate.preset("demo", 200_000, seed)
    questions = {q.column: q for q in spec.surveys}
    found = []
    for survey, cells_of_question in zip(experiment.surveys, answers, strict=True):
        fitted = fit_answers(experiment, lay, cells_of_question)
        assert fitted is not None and fitted.diagnostics.reliable, fitted and fitted.diagnostics
        shares = fitted.shares()  # (sample, arm, answer)
        arms = experiment.asked_arms(survey)
        truth = true_answers(questions[survey.column], spec.arm_names, weights)
        for i, arm in enumerate(arms):
            rows = truth[truth.arm == arm].set_index("answer")
            for k, code in enumerate(survey.codes):
                found.append(
                    interval(f"{survey.name} {arm} {code}", rows.share[code], shares[:, i, k])
                )
        if isinstance(questions[survey.column], SimulatedRating):
            levels = np.arange(1, len(survey.codes) + 1)
            means = shares @ levels
            true_mean = {a: float(truth[truth.arm == a]["mean"].iloc[0]) for a in arms}
            for i, arm in enumerate(arms):
                found.append(interval(f"{survey.name} mean {arm}", true_mean[arm], means[:, i]))
            for i, j in itertools.combinations(range(len(arms)), 2):
                difference = true_mean[arms[j]] - true_mean[arms[i]]
                found.append(
                    interval(
                        f"{survey.name} {arms[j]} - {arms[i]}",
                        difference,
                        means[:, j] - means[:, i],
                    )
                )
        else:
            for k, code in enumerate(survey.codes):
                rows = truth.set_index(["arm", "answer"]).share
                found.append(
                    interval(
                        f"{survey.name} B - A {code}",
                        rows[("B", code)] - rows[("A", code)],
                        shares[:, 1, k] - shares[:, 0, k],
                    )
                )
    return found


def allowed_misses(count: int) -> int:
    """Misses of `count` 95% intervals that chance allows (99.9% binomial quantile)."""
    return int(stats.binom.ppf(0.999, count, 0.05))


def test_demo_survey_truth_inside_the_intervals() -> None:
    found = recovery(seed=1)
    misses = [f for f in found if not f.covers]
    assert len(found) == 46  # 13 relevance, 21 feeling, 12 reasons
    assert len(misses) <= allowed_misses(len(found)), misses


@pytest.mark.slow
def test_demo_survey_recovery_across_seeds() -> None:
    """Six simulated campaigns: coverage of every answer share, mean rating, rating shift and
    reason difference stays at its nominal 95% within chance."""
    found = [item for seed in range(2, 8) for item in recovery(seed)]
    misses = [f for f in found if not f.covers]
    print(
        f"\nsurvey recovery: {len(found) - len(misses)} of {len(found)} intervals cover the truth"
    )
    for question in ("relevance", "feeling", "unsubscribe_reason"):
        for kind, test in (
            ("answer shares", lambda w: "mean" not in w and " - " not in w),
            ("mean ratings", lambda w: "mean" in w),
            ("differences", lambda w: " - " in w),
        ):
            chosen = [f for f in found if f.what.startswith(question) and test(f.what)]
            if chosen:
                print(f"  {question} {kind}: {sum(f.covers for f in chosen)} of {len(chosen)}")
    assert len(misses) <= allowed_misses(len(found)), misses


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_non_response_warning_fires_only_when_response_depends_on_the_arm(seed: int) -> None:
    """The demo's answer rates do not depend on the arm; in the non-response preset Version B's
    recipients answer the rating half as often: only there does the warning fire."""
    for preset, expected in (("demo", False), ("survey_nonresponse", True)):
        experiment = demo_experiment(seed, preset, recipients=100_000)
        _, _, findings = check_everything(experiment)
        differs = [f for f in findings if f.check == "survey_response_differs"]
        assert bool(differs) is expected, (preset, seed, [f.message for f in differs])
        if expected:
            assert differs[0].severity is Severity.WARNING
            assert differs[0].details["survey"] == "relevance"
            assert "comparison is among" not in differs[0].message  # that is the report's note
