"""The look-safe evidence: the mixture likelihood ratio, its guarantee, and the verdicts it gates."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from conftest import write_experiment
from minimal_results import PURCHASE, overall_uplift
from relevance.config import Experiment, load_experiment
from relevance.decide.evidence import (
    evidence_needed,
    information_to_verdict,
    log_evidence,
    mixture_scale,
    verdict_reached,
)
from relevance.decide.verdicts import version_verdicts
from relevance.io.cells import Cells
from relevance.language import likelihood_ratio
from relevance.model.layout import Layout, layout
from relevance.results import Uplift, Verdict


def mixture_by_quadrature(benefit: float, sd: float, scale: float) -> float:
    """The half-normal mixture of Gaussian likelihood ratios, integrated numerically."""

    def integrand(effect: float) -> float:
        ratio = math.exp((effect * benefit - effect**2 / 2) / sd**2)
        return ratio * 2 * stats.norm.pdf(effect, scale=scale)

    value, _ = integrate.quad(integrand, 0, scale * 12, limit=200)
    return value


@pytest.mark.parametrize(
    ("benefit", "sd", "scale"),
    [(0.004, 0.002, 0.006), (0.0, 0.002, 0.006), (-0.003, 0.001, 0.006), (0.01, 0.004, 0.002)],
)
def test_evidence_is_the_half_normal_mixture_of_likelihood_ratios(
    benefit: float, sd: float, scale: float
) -> None:
    expected = mixture_by_quadrature(benefit, sd, scale)
    assert math.exp(float(log_evidence(benefit, sd, scale))) == pytest.approx(expected, rel=1e-6)


def test_no_spread_is_no_evidence_and_the_scale_has_a_floor() -> None:
    assert log_evidence(0.01, 0.0, 0.006) == -np.inf
    assert float(mixture_scale(0.001, 0.03)) == pytest.approx(0.006)  # 20% of the holdout mean
    assert float(mixture_scale(0.01, 0.03)) == 0.01  # never less than the ROPE
    assert evidence_needed(0.95, 1) == pytest.approx(20) and evidence_needed(0.95, 2) == 40


def test_an_effect_of_exactly_nothing_is_rarely_ever_crowned(rng: np.random.Generator) -> None:
    """Ville's inequality: under no effect the ratio ever reaches 20 in at most 5% of campaigns,
    however many looks (here 200 looks of a Gaussian random walk, 4,000 campaigns)."""
    campaigns, looks, sd_one = 4_000, 200, 0.02
    steps = rng.normal(0.0, sd_one, size=(campaigns, looks))
    n = np.arange(1, looks + 1)
    estimate = steps.cumsum(axis=1) / n  # the running mean of a null effect
    sd = sd_one / np.sqrt(n)
    ever = (log_evidence(estimate, sd, 0.01) >= math.log(20)).any(axis=1).mean()
    plain = (estimate / sd >= stats.norm.ppf(0.95)).any(axis=1).mean()  # 95% alone
    assert ever <= 0.05
    assert plain > 0.25  # what the guarantee protects from


def test_information_to_verdict_is_where_the_rule_first_gives_one() -> None:
    args = (0.002, 0.0015, 0.001, 0.006, 0.95, 1)
    factor = information_to_verdict(*args)
    assert factor is not None and factor > 1
    benefit, sd, rope, scale, probability, versions = args
    assert verdict_reached(
        benefit, sd / math.sqrt(factor * 1.01), rope, scale, probability, versions
    )
    assert not verdict_reached(
        benefit, sd / math.sqrt(factor * 0.99), rope, scale, probability, versions
    )
    assert information_to_verdict(0.001, 0.0015, 0.001, 0.006, 0.95, 1) is None  # on the edge
    assert information_to_verdict(0.01, 0.0001, 0.001, 0.006, 0.95, 1) == 1.0  # decided


@pytest.mark.parametrize(
    ("value", "text"),
    [(20.0, "20"), (2.2716, "2.27"), (1_256_093.25, "1,256,093"), (3e12, "over a billion")],
)
def test_ratios_read_as_people_write_them(value: float, text: str) -> None:
    assert likelihood_ratio(value) == text


# --- the verdict of a campaign with send dates ----------------------------------------------


def experiment(folder: Path, dated: bool) -> Experiment:
    data = {"path": "rows.parquet", "arm": "arm", **({"date": "send_date"} if dated else {})}
    return load_experiment(write_experiment(folder, data=data, metrics=[PURCHASE]))


def one_cell_per_arm(exp: Experiment, sizes: list[int]) -> Layout:
    frame = pd.DataFrame({"arm": exp.arms.all, "n": sizes})
    frame["purchase__n"], frame["purchase__ones"] = sizes, 0
    return layout(Cells.for_experiment(exp, frame))


def winner(version: str, mean: float, sd: float) -> Uplift:
    """An uplift the plain rule calls 'beats sending nothing'."""
    better = float(stats.norm.sf((0.001 - mean) / sd))
    return overall_uplift(
        version,
        mean,
        sd,
        p_better_beyond_rope=better,
        p_inside_rope=1 - better,
        p_worse_beyond_rope=0.0,
        verdict=Verdict.BEATS,
    )


def test_a_dated_campaign_needs_evidence_that_survives_daily_looks(tmp_path: Path) -> None:
    # 95.7% beyond the ROPE, but the data are only ~9 times likelier under "it helps".
    weak = [winner("A", 0.0045, 0.002), winner("B", 0.02, 0.002)]
    plain = version_verdicts(
        experiment(tmp_path / "plain", dated=False),
        one_cell_per_arm(experiment(tmp_path / "plain", dated=False), [10_000] * 3),
        weak,
        [],
    )
    assert [v.verdict for v in plain] == [Verdict.BEATS, Verdict.BEATS]
    exp = experiment(tmp_path / "dated", dated=True)
    watched = version_verdicts(exp, one_cell_per_arm(exp, [10_000] * 3), weak, [])
    a, b = watched
    assert a.verdict is Verdict.INCONCLUSIVE and b.verdict is Verdict.BEATS
    assert "Because this campaign is read every day, a winner also needs evidence" in a.sentence
    assert "and 40 times are needed" in a.sentence  # two versions share the 5%
    assert a.extra_recipients_needed is not None and a.extra_recipients_needed > 0
    assert "more recipients (same split) would likely settle it" in a.sentence
