"""Survey models on cells: ordered logistic for ratings, multinomial logit for choices.

The structure is the campaign model's (:mod:`relevance.model.design`): every asked arm has its
own level, the first arm's segment differences have fixed priors and every other arm's
segment deviations are partially pooled (a learned scale per segment column; sum-to-zero
contrasts, or a random walk over ordered levels such as emails already received). The data are
counts of each answer per arm x segment cell, so the model costs the same for any number of
respondents.

- Rating (ordered levels 1..K): cumulative logit. P(answer <= k) = sigmoid(c_k - eta) with
  ordered cut-points c shared by every cell, and eta the cell's level (first arm's fixed at 0).
- Choice (K answers): multinomial logit; each arm has a level per answer (the first answer the
  reference), the others centred on the first arm's, and each answer its segment deviations.

Like the campaign model, every size and prior scale is data: one graph per kind is compiled
once (:func:`relevance.model.stored.compiled_once`, its Numba code and C wrappers cached
on disk; the graph is :mod:`relevance.model.survey_graph`) and serves every question of every
campaign; it is sampled by :func:`relevance.model.fit.sample_until_judged`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from relevance.config import (
    DiagnosticsConfig,
    Experiment,
    PriorConfig,
    SamplerConfig,
    SurveyConfig,
)
from relevance.io.surveys import SurveyCells
from relevance.model.design import _rate_columns
from relevance.model.diagnostics import Diagnostics, convergence, divergence_count
from relevance.model.fit import flat_draws, sample_until_judged
from relevance.model.layout import Layout
from relevance.model.stored import can_store, compile_elsewhere, compiled_once, is_stored

SURVEY_PRIORS = ("intercept_sd", "effect_sd", "segment_sd")
"""Prior scales the survey models read as data."""


@dataclass(frozen=True)
class SurveyDesign:
    """One question's model as matrices: answers per (arm, combination) row, the segment
    design shared by every answer, and the population weights its summaries use."""

    layout: Layout  # arms: the asked arms, first the reference; the campaign's segment grid
    kind: str  # rating or choice
    x: np.ndarray  # (rows, params) segment contrasts beyond each arm's level
    fixed_sd: np.ndarray  # prior sd per column; 0 where a learned scale applies
    scale_map: np.ndarray  # (params, scales): which scale a column uses
    arm_index: np.ndarray  # arm of every row
    counts: np.ndarray  # (rows, answers) answers given, as floats
    weights: np.ndarray  # population weight of every combination (sums to 1)
    scale_labels: tuple[str, ...]
    priors: PriorConfig

    @property
    def answers(self) -> int:
        """How many answers the question has (K)."""
        return int(self.counts.shape[1])

    @property
    def arms(self) -> tuple[str, ...]:
        """The asked arms, the reference first."""
        return self.layout.arms

    def signature(self) -> str:
        """What the compiled graph depends on: the kind, and the data arrays' names, ranks and
        dtypes, never their sizes or values (:func:`build_survey_model` reads every size and
        prior scale from the data). Every question of a kind shares one compiled model,
        whatever its answers, arms, segment levels and priors."""
        return survey_signature(self.kind, self.data())

    def data(self) -> dict[str, np.ndarray]:
        """Values of every ``pm.Data`` container: sizes and prior scales are data too."""
        return survey_data(
            len(self.arms),
            self.priors,
            self.x,
            self.fixed_sd,
            self.scale_map,
            self.arm_index,
            self.counts,
        )


def survey_data(
    n_arms: int,
    priors: PriorConfig,
    x: np.ndarray,
    fixed_sd: np.ndarray,
    scale_map: np.ndarray,
    arm_index: np.ndarray,
    counts: np.ndarray,
) -> dict[str, np.ndarray]:
    """The survey graph's data containers by name (one place: their names, ranks and dtypes
    are the compiled model's key)."""
    return {
        "survey_n_arms": np.array(n_arms, dtype=np.int64),
        **{
            f"survey_prior_{name}": np.array(getattr(priors, name), dtype=np.float64)
            for name in SURVEY_PRIORS
        },
        "survey_x": x,
        "survey_fixed_sd": fixed_sd,
        "survey_scale_map": scale_map,
        "survey_arm_index": arm_index,
        "survey_counts": counts,
    }


def survey_signature(kind: str, data: dict[str, np.ndarray]) -> str:
    """The compiled graph's key for a question of `kind` with these data arrays."""
    dims = (
        "survey",
        kind,
        tuple((name, value.ndim, value.dtype.str) for name, value in data.items()),
    )
    return hashlib.sha256(repr(dims).encode()).hexdigest()[:16]


def representative_data() -> dict[str, np.ndarray]:
    """Data of a small question (two arms, one segment column, three answers) with the names,
    ranks and dtypes of every question's: its graph is every question's graph."""
    return survey_data(
        2,
        PriorConfig(),
        x=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]),
        fixed_sd=np.array([1.0, 0.0]),
        scale_map=np.array([[0.0], [1.0]]),
        arm_index=np.array([0, 0, 1, 1], dtype=np.int64),
        counts=np.ones((4, 3)),
    )


def survey_model_key(kind: str) -> str:
    """The key under which questions of `kind` find their compiled model."""
    return f"survey-{survey_signature(kind, representative_data())}"


def compile_survey_kinds(kinds: str) -> None:
    """Compile and store the models of questions of these kinds (comma-separated), one after
    the other (they share most of their operations' machine code): in a helper process while
    the campaign's own model compiles, see :func:`prepare_survey_models`."""
    data = representative_data()
    for kind in kinds.split(","):
        compiled_once(survey_model_key(kind), lambda kind=kind: _kind_model(kind, data))


def prepare_survey_models(kinds: set[str]) -> None:
    """Start compiling, in one helper process, the survey models of `kinds` that are not
    stored yet: on a machine's first run they compile beside the campaign's model, not after."""
    missing = [
        kind
        for kind in sorted(kinds)
        if can_store(survey_model_key(kind), _survey_model)  # else the helper's work is lost
        and not is_stored(survey_model_key(kind), _survey_model)
    ]
    if missing:
        compile_elsewhere(
            [survey_model_key(kind) for kind in missing], compile_survey_kinds, ",".join(missing)
        )


def survey_design(
    answers: SurveyCells,
    lay: Layout,
    arms: tuple[str, ...],
    priors: PriorConfig,
    weights: np.ndarray | None = None,
) -> SurveyDesign:
    """Place a question's answer counts on the campaign's segment grid for the asked `arms`.

    `weights` (one per combination) are the population the summaries describe: by default the
    campaign's recipients, for a question asked `among` an outcome those with it.
    """
    n_combos = len(lay.grid)
    counts = np.zeros((len(arms), n_combos, answers.counts.shape[1]))
    arm_of = {arm: i for i, arm in enumerate(arms)}
    if lay.segments:
        combos = lay.grid[list(lay.segments)].astype(str).agg("\x1f".join, axis=1)
        combo_of = {key: i for i, key in enumerate(combos)}
        keys = answers.keys[list(lay.segments)].astype(str).agg("\x1f".join, axis=1)
        combo = keys.map(combo_of).to_numpy()
    else:
        combo = np.zeros(len(answers.keys), dtype=float)
    for arm, where, row in zip(answers.keys["arm"], combo, answers.counts, strict=True):
        if arm in arm_of and where == where:  # NaN: a combination the campaign has not
            counts[arm_of[arm], int(where)] += row
    survey_layout = dataclasses.replace(
        lay, arms=tuple(arms), n=counts.sum(axis=2).astype(np.int64), stats={}
    )
    x, fixed_sd, groups, _, scale_labels = _rate_columns(survey_layout, priors)
    scale_map = np.zeros((x.shape[1], len(scale_labels)))
    for column, group in enumerate(groups):
        if group is not None:
            scale_map[column, group] = 1.0
    population = lay.weights if weights is None else np.asarray(weights, dtype=float)
    return SurveyDesign(
        layout=survey_layout,
        kind=answers.survey.kind,
        x=x,
        fixed_sd=fixed_sd,
        scale_map=scale_map,
        arm_index=np.repeat(np.arange(len(arms)), n_combos).astype(np.int64),
        counts=counts.reshape(len(arms) * n_combos, -1),
        weights=population / population.sum(),
        scale_labels=tuple(scale_labels),
        priors=priors,
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def answer_probabilities(d: SurveyDesign, draws: dict[str, np.ndarray]) -> np.ndarray:
    """P(each answer) per draw, arm and combination: (sample, arm, combination, answer).

    ``draws`` are the flattened posterior draws (sample, dim) of every sampled vector; empty
    ones (no segments, no learned scale, one arm) are not among them.
    """
    n_arms, answers, n_combos = len(d.arms), d.answers, len(d.layout.grid)
    samples = next(iter(draws.values())).shape[0]
    columns = 1 if d.kind == "rating" else answers - 1
    effect = np.zeros((samples, d.x.shape[0], columns))
    if d.x.shape[1]:
        sd = np.broadcast_to(d.fixed_sd[None, :], (samples, d.x.shape[1]))  # (sample, params)
        if d.scale_map.shape[1]:
            sd = sd + draws["survey_scale"] @ d.scale_map.T
        raw = draws["survey_raw"].reshape(samples, d.x.shape[1], columns)
        effect = np.einsum("rp,spc->src", d.x, raw * sd[:, :, None])
    if d.kind == "rating":
        levels = np.zeros((samples, n_arms))
        if n_arms > 1:
            levels[:, 1:] = draws["survey_arms"]
        eta = levels[:, d.arm_index] + effect[:, :, 0]  # (sample, rows)
        below = _sigmoid(draws["survey_cutpoints"][:, None, :] - eta[:, :, None])
        cumulative = np.concatenate(
            [np.zeros_like(below[..., :1]), below, np.ones_like(below[..., :1])], axis=2
        )
        probability = np.diff(cumulative, axis=2)
    else:
        levels = draws["survey_reference"][:, None, :].repeat(n_arms, axis=1)
        if n_arms > 1:
            levels[:, 1:] = draws["survey_arms"].reshape(samples, n_arms - 1, answers - 1)
        eta = levels[:, d.arm_index, :] + effect
        logits = np.concatenate([np.zeros_like(eta[..., :1]), eta], axis=2)
        logits -= logits.max(axis=2, keepdims=True)
        probability = np.exp(logits)
        probability /= probability.sum(axis=2, keepdims=True)
    return probability.reshape(samples, n_arms, n_combos, answers)


def population_shares(d: SurveyDesign, probability: np.ndarray) -> np.ndarray:
    """Each arm's answer shares over the design's population: (sample, arm, answer)."""
    return np.einsum("sagk,g->sak", probability, d.weights)


@dataclass
class SurveyFit:
    """A fitted question: the posterior, its diagnostics and where the time went."""

    design: SurveyDesign
    posterior: xr.DataTree
    diagnostics: Diagnostics
    seconds: dict[str, float] = field(default_factory=dict)

    def parameter_draws(self) -> dict[str, np.ndarray]:
        """Every sampled vector as (sample, dim), chains concatenated."""
        return flat_draws(self.posterior)

    def shares(self) -> np.ndarray:
        """Each asked arm's answer shares over the population: (sample, arm, answer)."""
        return population_shares(
            self.design, answer_probabilities(self.design, flat_draws(self.posterior))
        )


def diagnose_survey(
    posterior: xr.DataTree, d: SurveyDesign, sampler: SamplerConfig, thresholds: DiagnosticsConfig
) -> Diagnostics:
    """Convergence judged on what the report states: every arm's answer shares."""
    chains = posterior.posterior.sizes["chain"]
    shares = population_shares(d, answer_probabilities(d, flat_draws(posterior)))
    quantities = xr.Dataset(
        {
            "survey_shares": xr.DataArray(
                shares.reshape(chains, -1, shares.shape[1] * d.answers),
                dims=("chain", "draw", "share"),
            )
        }
    )
    labels = {
        "survey_shares": tuple(
            f"share of answer {k + 1} in {arm}" for arm in d.arms for k in range(d.answers)
        )
    }
    return convergence(quantities, labels, divergence_count(posterior), sampler, thresholds)


def fit_survey(d: SurveyDesign, sampler: SamplerConfig, thresholds: DiagnosticsConfig) -> SurveyFit:
    """Compile (once per kind, for every campaign) and sample one question's model, with the
    campaign's rules."""
    started = time.perf_counter()
    compiled, _ = compiled_once(f"survey-{d.signature()}", lambda: _survey_model(d))
    model = compiled.nutpie_model(d.data())
    compile_seconds = time.perf_counter() - started
    posterior, diagnostics = sample_until_judged(
        model,
        sampler,
        thresholds,
        lambda posterior, settings: diagnose_survey(posterior, d, settings, thresholds),
    )
    seconds = {
        "compile": compile_seconds,
        "sample": time.perf_counter() - started - compile_seconds,
    }
    return SurveyFit(d, posterior, diagnostics, seconds)


def _survey_model(d: SurveyDesign) -> object:
    return _kind_model(d.kind, d.data())


def _kind_model(kind: str, data: dict[str, np.ndarray]) -> object:
    from relevance.model.survey_graph import build_survey_model  # PyMC loads only to compile

    return build_survey_model(kind, data)


def among_weights(lay: Layout, survey: SurveyConfig) -> np.ndarray | None:
    """The population a question describes: recipients (None), or for a question asked
    `among` an outcome those with it, all arms together (e.g. every unsubscriber)."""
    if survey.among is None or survey.among not in lay.stats:
        return None
    events = np.asarray(lay.stats[survey.among].events, dtype=float).sum(axis=0)
    return events if events.sum() > 0 else None


def fit_answers(experiment: Experiment, lay: Layout, answers: SurveyCells) -> SurveyFit | None:
    """Fit one question's model on the campaign's grid (None when nobody answered)."""
    if not answers.respondents:
        return None
    design = survey_design(
        answers,
        lay,
        experiment.asked_arms(answers.survey),
        experiment.priors,
        among_weights(lay, answers.survey),
    )
    return fit_survey(design, experiment.sampler, experiment.diagnostics)
