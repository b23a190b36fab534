"""Survey models against independent computations: with no segments and a large sample, the
ordered-logistic posterior matches the empirical cumulative proportions per arm and the
maximum-likelihood fit of the same model (scipy); the multinomial matches the observed shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from relevance.config import DiagnosticsConfig, PriorConfig, SamplerConfig, SurveyConfig
from relevance.io.surveys import SurveyCells
from relevance.model.layout import Layout
from relevance.model.survey import (
    SurveyFit,
    answer_probabilities,
    fit_survey,
    population_shares,
    survey_design,
)

SAMPLER = SamplerConfig(draws=1000, tune=1000, chains=2, seed=5)
THRESHOLDS = DiagnosticsConfig()
RESPONDENTS = 20_000  # per arm
CUTPOINTS = np.array([-2.0, -0.8, 0.4, 1.6])
SHIFT = 0.35  # B's latent shift over A


def no_segments(arms: tuple[str, ...]) -> Layout:
    """The campaign grid of an experiment without segments."""
    grid = pd.DataFrame({"weight": [1.0]})
    return Layout(arms, (), grid, {}, {}, np.zeros((len(arms), 1), dtype=np.int64), {})


def cells(survey: SurveyConfig, table: dict[str, np.ndarray]) -> SurveyCells:
    keys = pd.DataFrame({"arm": list(table)})
    return SurveyCells(survey, keys, np.array(list(table.values())), (), "test", "")


def negative_log_likelihood(params: np.ndarray, counts: np.ndarray) -> float:
    """Proportional odds, no segments: cut-points (ordered by cumulative exp steps), B's shift."""
    cuts = params[0] + np.concatenate([[0.0], np.cumsum(np.exp(params[1:4]))])
    total = 0.0
    for counts_of_arm, shift in zip(counts, (0.0, params[4]), strict=True):
        below = special.expit(cuts - shift)
        p = np.diff(np.concatenate([[0.0], below, [1.0]]))
        total -= counts_of_arm @ np.log(p)
    return total


@pytest.fixture(scope="module")
def rating_fit() -> tuple[SurveyFit, np.ndarray]:
    rng = np.random.default_rng(11)
    table = {}
    for arm, shift in (("A", 0.0), ("B", SHIFT)):
        below = special.expit(CUTPOINTS - shift)
        table[arm] = rng.multinomial(RESPONDENTS, np.diff(np.concatenate([[0], below, [1]])))
    survey = SurveyConfig(name="relevance", kind="rating", column="x", levels=[1, 2, 3, 4, 5])
    design = survey_design(
        cells(survey, table), no_segments(("holdout", "A", "B")), ("A", "B"), PriorConfig()
    )
    return fit_survey(design, SAMPLER, THRESHOLDS), np.array(list(table.values()))


def test_ordered_model_matches_empirical_cumulative_proportions(
    rating_fit: tuple[SurveyFit, np.ndarray],
) -> None:
    fitted, counts = rating_fit
    assert fitted.diagnostics.reliable, fitted.diagnostics.problems
    shares = fitted.shares()  # (sample, arm, answer)
    model = np.cumsum(shares.mean(axis=0), axis=1)[:, :-1]
    empirical = np.cumsum(counts / counts.sum(axis=1, keepdims=True), axis=1)[:, :-1]
    standard_error = np.sqrt(empirical * (1 - empirical) / RESPONDENTS)
    # The model ties the two arms together (one shift), so it is at least as precise as the
    # empirical proportions: within three of their standard errors.
    assert np.all(np.abs(model - empirical) < 3 * standard_error), (model, empirical)


def test_ordered_model_matches_maximum_likelihood(
    rating_fit: tuple[SurveyFit, np.ndarray],
) -> None:
    """With 40,000 answers and weak priors the posterior mean sits on the MLE (scipy)."""
    fitted, counts = rating_fit
    start = np.array([-1.0, 0.0, 0.0, 0.0, 0.0])
    mle = optimize.minimize(negative_log_likelihood, start, args=(counts,), method="BFGS").x
    draws = fitted.parameter_draws()
    # P(answer <= k) = sigmoid(c_k - level): a higher level means higher answers, exactly
    # the simulation's shift.
    shift = draws["survey_arms"][:, 0]
    assert abs(shift.mean() - mle[4]) < 0.1 * shift.std(), (shift.mean(), mle[4])
    cuts = draws["survey_cutpoints"]
    mle_cuts = mle[0] + np.concatenate([[0.0], np.cumsum(np.exp(mle[1:4]))])
    assert np.all(np.abs(cuts.mean(axis=0) - mle_cuts) < 0.15 * cuts.std(axis=0))
    assert abs(shift.mean() - SHIFT) < 3 * shift.std()  # and the truth is recovered


def test_choice_model_matches_observed_shares() -> None:
    rng = np.random.default_rng(12)
    truth = {"A": [0.2, 0.4, 0.25, 0.15], "B": [0.4, 0.25, 0.2, 0.15]}
    table = {arm: rng.multinomial(4_000, p) for arm, p in truth.items()}
    survey = SurveyConfig(
        name="reason", kind="choice", column="x", choices={"a": "a", "b": "b", "c": "c", "d": "d"}
    )
    design = survey_design(
        cells(survey, table), no_segments(("holdout", "A", "B")), ("A", "B"), PriorConfig()
    )
    fitted = fit_survey(design, SAMPLER, THRESHOLDS)
    assert fitted.diagnostics.reliable
    shares = fitted.shares()
    observed = np.array(list(table.values())) / 4_000
    standard_error = np.sqrt(observed * (1 - observed) / 4_000)
    assert np.all(np.abs(shares.mean(axis=0) - observed) < 0.2 * standard_error + 0.002)
    low, high = np.quantile(shares, [0.025, 0.975], axis=0)
    assert np.all(
        (low <= np.array(list(truth.values()))) & (np.array(list(truth.values())) <= high)
    )


def test_answers_are_placed_on_the_campaign_grid_and_weighted_by_its_population() -> None:
    """Segments: answers go to their (arm, combination) row; shares average combinations with
    the campaign's weights, or those of an outcome for a question asked among it."""
    survey = SurveyConfig(name="reason", kind="choice", column="x", choices={"a": "a", "b": "b"})
    grid = pd.DataFrame({"stage": ["new", "old"], "weight": [0.25, 0.75]})
    lay = Layout(
        ("holdout", "A"),
        ("stage",),
        grid,
        {"stage": ("new", "old")},
        {"stage": np.array([0, 1])},
        np.ones((2, 2), dtype=np.int64),
        {},
    )
    keys = pd.DataFrame({"arm": ["A", "A", "holdout"], "stage": ["old", "new", "old"]})
    answers = SurveyCells(survey, keys, np.array([[3, 1], [0, 2], [9, 9]]), ("stage",), "x", "")
    design = survey_design(answers, lay, ("A",), PriorConfig(), weights=np.array([1.0, 3.0]))
    assert design.counts.tolist() == [[0, 2], [3, 1]]  # holdout answers are not asked here
    assert design.weights.tolist() == [0.25, 0.75]
    probability = np.zeros((1, 1, 2, 2))
    probability[0, 0] = [[1.0, 0.0], [0.0, 1.0]]  # new answer a, old answer b
    assert population_shares(design, probability)[0, 0].tolist() == [0.25, 0.75]
    draws = {
        "survey_reference": np.zeros((1, 1)),
        "survey_raw": np.zeros((1, 1)),
        "survey_scale": np.ones((1, 1)),
    }
    assert answer_probabilities(design, draws).shape == (1, 1, 2, 2)


def segmented(arms: tuple[str, ...], segments: int) -> Layout:
    """A campaign grid with `segments` columns of three levels each."""
    import itertools

    names = tuple(f"s{i}" for i in range(segments))
    combos = list(itertools.product(("x", "y", "z"), repeat=segments))
    grid = pd.DataFrame(combos, columns=list(names)) if segments else pd.DataFrame(index=[0])
    grid["weight"] = 1.0 / len(grid)
    levels = {name: ("x", "y", "z") for name in names}
    index = {name: grid[name].map({"x": 0, "y": 1, "z": 2}).to_numpy() for name in names}
    n = np.ones((len(arms), len(grid)), dtype=np.int64)
    return Layout(arms, names, grid, levels, index, n, {})


@pytest.mark.parametrize("kind", ["rating", "choice"])
def test_one_compiled_survey_model_serves_questions_of_every_structure(kind: str) -> None:
    """Compiled once per kind (two asked arms, one segment column, five answers), the
    callbacks give every other question (more or fewer answers and arms, one arm, no or two
    segment columns, other priors) exactly the log-density and gradient of its own model."""
    from c_calls import call_logp
    from relevance.model.compile import compile_model
    from relevance.model.survey_graph import build_survey_model

    def designed(
        answers: int, arms: tuple[str, ...], segments: int, priors: PriorConfig | None = None
    ) -> object:
        rng = np.random.default_rng(answers * 100 + len(arms) * 10 + segments)
        lay = segmented(("holdout", *arms), segments)
        keys = pd.DataFrame({"arm": arms})
        if segments:
            keys = keys.merge(lay.grid[list(lay.segments)], how="cross")
        if kind == "rating":
            survey = SurveyConfig(
                name="q", kind="rating", column="x", levels=list(range(1, answers + 1))
            )
        else:
            codes = {f"c{k}": f"c{k}" for k in range(answers)}
            survey = SurveyConfig(name="q", kind="choice", column="x", choices=codes)
        counts = rng.integers(0, 40, size=(len(keys), answers))
        cells_ = SurveyCells(survey, keys, counts, lay.segments, "test", "")
        return survey_design(cells_, lay, arms, priors or PriorConfig())

    first = designed(5, ("A", "B"), 1)
    compiled = compile_model(build_survey_model(kind, first.data()))  # type: ignore[attr-defined]
    others = [
        designed(3, ("A", "B", "C"), 2),
        designed(7, ("A",), 0),
        designed(4, ("A",), 2),  # one arm: segment coefficients, but no learned scale
        designed(2, ("A", "B"), 1, PriorConfig(effect_sd=1.5, segment_sd=0.2, intercept_sd=3)),
    ]
    rng = np.random.default_rng(3)
    for d in [first, *others]:
        assert d.signature() == first.signature()  # type: ignore[attr-defined]
        model = build_survey_model(kind, d.data())  # type: ignore[attr-defined]
        data = d.data()  # type: ignore[attr-defined]
        x = rng.normal(scale=0.3, size=compiled.ndim(data))
        code, value, gradient = call_logp(compiled, data, x)
        start_point = model.initial_point()
        point, start = {}, 0
        for v in model.value_vars:
            shape = start_point[v.name].shape
            point[v.name] = x[start : start + int(np.prod(shape))].reshape(shape)
            start += int(np.prod(shape))
        assert code == 0 and start == len(x)
        assert value == pytest.approx(float(model.compile_logp()(point)), rel=1e-10)
        np.testing.assert_allclose(gradient, model.compile_dlogp()(point), rtol=1e-8, atol=1e-10)
        # The draws nutpie returns leave out empty parameters; the answers are still read.
        kept, _, shapes = compiled.nutpie_model(data).shape_info
        draws = {name: np.zeros((2, int(np.prod(s)))) for name, s in zip(kept, shapes, strict=True)}
        probability = answer_probabilities(d, draws)  # type: ignore[arg-type]
        np.testing.assert_allclose(probability.sum(axis=3), 1.0)
