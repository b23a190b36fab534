"""When chains are too short, fit() samples longer, by a rule that could be checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import DiagnosticsConfig, SamplerConfig
from relevance.model.diagnostics import Diagnostics
from relevance.model.fit import longer_sampler
from relevance.pipeline.analysis import analyze
from relevance.report.campaign import CampaignReport

THRESHOLDS = DiagnosticsConfig(max_r_hat=1.01, min_ess=400, max_divergences=0)
SAMPLER = SamplerConfig(draws=1000, tune=1000, chains=2, seed=1)


def diagnostics(r_hat: float = 1.0, ess: float = 900.0, divergences: int = 0) -> Diagnostics:
    return Diagnostics(
        max_r_hat=r_hat,
        min_ess_bulk=ess,
        min_ess_tail=ess + 50,
        divergences=divergences,
        draws=SAMPLER.draws,
        chains=SAMPLER.chains,
        thresholds=THRESHOLDS,
        worst_parameter="purchase: A / all",
    )


@pytest.mark.parametrize(
    ("case", "expected_draws"),
    [
        (diagnostics(), None),  # reliable: nothing to do
        (diagnostics(ess=100, divergences=3), None),  # longer chains do not cure divergences
        (diagnostics(ess=391), 1500),  # 1.3 x 400 / 391 = 1.33, at least half as many again
        (diagnostics(ess=200), 2600),  # 1.3 x 400 / 200 = 2.6
        (diagnostics(ess=20), 4000),  # capped at four times the configured draws
        (diagnostics(r_hat=1.02), 1500),  # r_hat alone: the same minimum
    ],
)
def test_longer_sampler_rule(case: Diagnostics, expected_draws: int | None) -> None:
    longer = longer_sampler(case, SAMPLER, THRESHOLDS)
    if expected_draws is None:
        assert longer is None
    else:
        assert longer is not None
        assert (longer.draws, longer.tune, longer.seed) == (expected_draws, 1000, 1)


def test_short_chains_are_extended_until_reliable(tmp_path: Path) -> None:
    """100 draws per chain cannot give 500 effective draws: the fit samples longer by itself
    and says so in results.json and the report's diagnostics."""
    rng = np.random.default_rng(3)
    n = 20_000
    rates = {"holdout": 0.05, "A": 0.056}
    cells = pd.DataFrame(
        {
            "arm": list(rates),
            "n": n,
            "purchase__n": n,
            "purchase__ones": [int(rng.binomial(n, p)) for p in rates.values()],
        }
    )
    cells.to_csv(tmp_path / "cells.csv", index=False)
    path = write_experiment(
        tmp_path,
        data={"cells": "cells.csv"},
        arms={"holdout": "holdout", "versions": ["A"]},
        sampler={"draws": 100, "tune": 300, "chains": 2, "seed": 5},
        diagnostics={"min_ess": 250},
    )
    analysis = analyze(str(path))
    d = analysis.results.diagnostics
    assert analysis.results.run.draws == 100  # what was configured
    assert 100 < d.draws <= 400  # what was sampled
    assert d.min_ess_bulk >= 250 and d.reliable
    assert analysis.draws()["purchase"].shape[0] == 2 * d.draws
    assert f"2 chains × {d.draws} draws (the configured 100 were too few" in (
        CampaignReport(analysis.results).diagnostics().markup
    )


def test_one_compiled_model_serves_designs_of_every_structure() -> None:
    """Compiled once (for one metric with two segments), the callbacks give every other
    design (more metrics, more arms, revenue, no segments, other priors, adjust_for columns)
    exactly the log-density and gradient of that design's own PyMC model."""

    from c_calls import call_logp
    from designs import designed
    from relevance.config import PriorConfig
    from relevance.model.build import build_model
    from relevance.model.compile import compile_model

    first = designed(["m1"], ["s1", "s2"], ("holdout", "A"))
    compiled = compile_model(build_model(first))  # type: ignore[arg-type]
    others = [
        designed(["m1", "m2"], ["s1"], ("holdout", "A", "B")),
        designed(["m1", "rev"], ["s1", "s2"], ("holdout", "A")),
        designed(["m1"], [], ("holdout", "A", "B", "C")),
        designed(["m1", "rev"], ["s1"], ("holdout", "A"), PriorConfig(effect_sd=1, segment_sd=0.2)),
        designed(["rev"], ["s1"], ("holdout", "A", "B"), adjust=("pre1", "pre2")),
    ]
    rng = np.random.default_rng(7)
    for d in [first, *others]:
        assert d.signature() == first.signature()  # type: ignore[attr-defined]
        model = build_model(d)  # type: ignore[arg-type]
        data = d.data()  # type: ignore[attr-defined]
        x = rng.normal(scale=0.3, size=compiled.ndim(data))
        code, value, gradient = call_logp(compiled, data, x)
        point, start = {}, 0
        for v in model.value_vars:
            size = int(np.prod(model.initial_point()[v.name].shape))
            point[v.name] = x[start : start + size].reshape(model.initial_point()[v.name].shape)
            start += size
        assert code == 0 and start == len(x)
        assert value == pytest.approx(float(model.compile_logp()(point)), rel=1e-10)
        np.testing.assert_allclose(gradient, model.compile_dlogp()(point), rtol=1e-8, atol=1e-10)
