"""The looks' normal approximation and the verdict rule applied at every look."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import write_experiment
from minimal_results import PURCHASE, UNSUBSCRIBE
from relevance.config import Experiment, load_experiment
from relevance.decide.looks import (
    Estimate,
    amounts_estimate,
    look_grid,
    proportion_estimate,
    rule_verdicts,
    timeline_sentences,
)
from relevance.io.cells import Amounts, Cells
from relevance.io.periods import DAY
from relevance.results import Look, Verdict


def test_a_rate_is_its_jeffreys_posterior() -> None:
    ones, n = np.array([0, 30, 995]), np.array([100, 1000, 1000])
    found = proportion_estimate(ones, n)
    posterior = stats.beta(ones + 0.5, n - ones + 0.5)
    assert np.allclose(found.mean, posterior.mean()) and np.allclose(
        found.variance, posterior.var()
    )


def test_revenue_per_recipient_and_its_spread_match_repeated_campaigns(
    rng: np.random.Generator,
) -> None:
    """Known truth: a 5% buyer rate, log-normal amounts (mu 3.5, sigma 0.9); the delta-method
    mean and variance agree with 2,000 simulated campaigns of 4,000 recipients."""
    campaigns, n, rate, mu, sigma = 2_000, 4_000, 0.05, 3.5, 0.9
    buyers = rng.binomial(n, rate, campaigns)
    logs = [rng.normal(mu, sigma, b) for b in buyers]
    stat = Amounts(
        n=np.full(campaigns, n),
        buyers=buyers,
        sum=np.array([np.exp(x).sum() for x in logs]),
        sum_log=np.array([x.sum() for x in logs]),
        sum_log_sq=np.array([(x**2).sum() for x in logs]),
        sum_sq=np.array([np.exp(2 * x).sum() for x in logs]),
    )
    found = amounts_estimate(stat)
    truth = rate * np.exp(mu + sigma**2 / 2)
    assert found.mean.mean() == pytest.approx(truth, rel=0.01)
    assert found.variance.mean() == pytest.approx(found.mean.var(), rel=0.1)
    one = [np.array([value]) for value in (100, 1, 5.0, 1.6, 2.56, 25.0)]
    few = amounts_estimate(Amounts(*one))  # one buyer: the spread of amounts is unknown
    assert np.isnan(few.mean).all()


def experiment(folder: Path, probability: float = 0.95) -> Experiment:
    return load_experiment(
        write_experiment(
            folder,
            data={"path": "rows.parquet", "arm": "arm", "date": "send_date"},
            arms={"holdout": "holdout", "versions": ["A"]},
            metrics=[PURCHASE, UNSUBSCRIBE],
            decision={"probability": probability},
        )
    )


def estimates(purchase: list[tuple[float, float]], unsubscribe: list[tuple[float, float]]) -> dict:
    """Estimates of (holdout, version) per look from (holdout mean, version mean) with sd 0.001."""

    def make(pairs: list[tuple[float, float]]) -> Estimate:
        mean = np.array(pairs, dtype=float)
        return Estimate(mean, np.full_like(mean, 0.001**2 / 2))

    return {"purchase": make(purchase), "unsubscribe": make(unsubscribe)}


def test_the_rule_at_every_look(tmp_path: Path) -> None:
    """Benefit sd 0.001 at every look; the evidence's scale is 20% of 0.03."""
    exp = experiment(tmp_path)
    quiet = (0.002, 0.002)
    found = rule_verdicts(
        exp,
        estimates(
            [(0.03, 0.03), (0.03, 0.0328), (0.03, 0.0340), (0.03, 0.0270), (0.03, 0.040)],
            [quiet, quiet, quiet, quiet, (0.002, 0.0065)],
        ),
        index=1,
        versions=1,
    )
    assert list(found) == [
        Verdict.INCONCLUSIVE,  # nothing either way, yet
        Verdict.INCONCLUSIVE,  # 96% beyond the ROPE, but evidence 14.9 of the 20 needed
        Verdict.BEATS,  # >99% and evidence 789
        Verdict.HARMFUL,  # P(benefit < -ROPE) = P(z < 2) = 97.7%
        Verdict.HARMFUL,  # a guardrail harmed (+4.5 unsubscribes, ROPE 2) beats any gain
    ]
    plain = rule_verdicts(exp, estimates([(0.03, 0.0328)], [quiet]), 1, 1, look_safe=False)
    assert plain[0] is Verdict.BEATS  # the rule before repeated looks were accounted for


def test_irrelevant_and_not_measured(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    found = rule_verdicts(
        exp,
        {
            "purchase": Estimate(np.array([[0.03, 0.0301], [np.nan, 0.03]]), np.full((2, 2), 1e-8)),
            "unsubscribe": Estimate(np.full((2, 2), 0.002), np.full((2, 2), 1e-8)),
        },
        1,
        1,
    )
    assert list(found) == [Verdict.IRRELEVANT, Verdict.INCONCLUSIVE]


def day_cells(exp: Experiment, rows: list[tuple[str, str, int, int]]) -> Cells:
    frame = pd.DataFrame(rows, columns=["arm", DAY, "n", "purchase__ones"])
    frame["purchase__n"] = frame["n"]
    frame["unsubscribe__n"], frame["unsubscribe__ones"] = frame["n"], 0
    return Cells.from_frame(frame, exp.arms.all, [DAY], exp.metrics)


def test_looks_accumulate_by_day_and_by_week(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    cells = day_cells(
        exp,
        [
            ("holdout", "2026-03-02", 10, 1),
            ("A", "2026-03-02", 40, 2),
            ("A", "2026-03-04", 40, 3),
            ("holdout", "2026-03-09", 10, 0),
            ("A", "(missing)", 99, 9),
        ],
    )
    daily = look_grid(cells, "day")
    assert [d.isoformat() for d in daily.days] == ["2026-03-02", "2026-03-04", "2026-03-09"]
    assert daily.recipients.tolist() == [[10, 40], [10, 80], [20, 80]]
    assert daily.stats["purchase"].ones.tolist() == [[1, 2], [1, 5], [1, 5]]
    weekly = look_grid(cells, "week")
    assert [d.isoformat() for d in weekly.days] == ["2026-03-04", "2026-03-09"]  # last days
    assert weekly.recipients.sum(axis=1).tolist() == [90, 100]


def look(day: str, verdict: Verdict) -> Look:
    return Look(
        day=pd.Timestamp(day).date(),
        version="A",
        recipients=1,
        uplift_mean=None,
        uplift_low=None,
        uplift_high=None,
        p_better_beyond_rope=None,
        evidence=None,
        verdict=verdict,
    )


def test_timeline_sentences_say_since_when_and_how_often_it_changed() -> None:
    beats, unsure = Verdict.BEATS, Verdict.INCONCLUSIVE
    looks = [
        look(f"2026-03-0{i}", v) for i, v in enumerate([unsure, beats, unsure, beats, beats], 1)
    ]
    (sentence,) = timeline_sentences(looks, "day")
    assert sentence == (
        "Version A has been “beats sending nothing” since 4 March 2026 (look 4 of 5); before "
        "that it was “inconclusive”, and its verdict changed 3 times in all."
    )
    (steady,) = timeline_sentences([look("2026-03-02", unsure), look("2026-03-09", unsure)], "week")
    assert (
        steady
        == "Version A has been “inconclusive” at every one of 2 weekly looks since 2 March 2026."
    )
