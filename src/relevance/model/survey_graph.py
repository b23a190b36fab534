"""The PyMC graphs of the survey models (see :mod:`relevance.model.survey`): imported only to
compile one, so a report whose models are stored never loads PyMC."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.transforms import ordered

TINY = 1e-300
"""Added to answer probabilities before the log, so an answer nobody gave (count 0) whose
probability rounds to zero adds 0, not 0 x -inf."""


def _segment_effect(data: dict[str, pt.TensorVariable], columns: object) -> object:
    """Segment contrasts times their coefficients, (rows, columns): one column for a rating,
    one per answer beyond the first for a choice; the deviations of arms after the first
    share a learned scale. Present, with size 0, when the campaign has no segments."""
    raw = pm.Normal("survey_raw", 0.0, 1.0, shape=(data["survey_x"].shape[1], columns))
    scales = pm.HalfNormal(
        "survey_scale",
        data["survey_prior_segment_sd"],
        shape=(data["survey_scale_map"].shape[1],),
    )
    sd = data["survey_fixed_sd"] + pt.dot(data["survey_scale_map"], scales)
    return pt.dot(data["survey_x"], raw * sd[:, None])


def build_survey_model(kind: str, data_values: dict[str, np.ndarray]) -> pm.Model:
    """The PyMC model of one question of `kind` (see the module's docstring).

    Every size (answers, arms, segment coefficients and scales) and every prior scale is read
    from the data, never written into the graph, and every part is present even when empty
    (one arm, no segments): one graph per kind serves every question of every campaign.
    """
    if kind not in ("rating", "choice"):
        raise ValueError(f"no survey model of kind {kind!r} (rating or choice)")
    with pm.Model() as model:
        data = {name: pm.Data(name, value) for name, value in data_values.items()}
        counts, n_arms = data["survey_counts"], data["survey_n_arms"]
        n_answers = counts.shape[1]
        if kind == "rating":
            shifts = pm.Normal(
                "survey_arms", 0.0, data["survey_prior_effect_sd"], shape=(n_arms - 1,)
            )
            levels = pt.concatenate([pt.zeros(1), shifts])
            eta = levels[data["survey_arm_index"]] + _segment_effect(data, 1)[:, 0]
            n_cuts = n_answers - 1
            cuts = pm.Normal(
                "survey_cutpoints",
                0.0,
                data["survey_prior_intercept_sd"],
                shape=(n_cuts,),
                transform=ordered,
                initval=pt.arange(n_cuts, dtype="float64") - (n_cuts - 1) / 2.0,
            )
            below = pm.math.sigmoid(cuts[None, :] - eta[:, None])
            edge = pt.zeros_like(below[:, :1])
            cumulative = pt.concatenate([edge, below, edge + 1.0], axis=1)
            probability = cumulative[:, 1:] - cumulative[:, :-1]
            pm.Potential("survey_loglik", pt.sum(counts * pt.log(probability + TINY)))
        else:
            reference = pm.Normal(
                "survey_reference", 0.0, data["survey_prior_intercept_sd"], shape=(n_answers - 1,)
            )
            others = pm.Normal(
                "survey_arms",
                mu=reference[None, :],
                sigma=data["survey_prior_effect_sd"],
                shape=(n_arms - 1, n_answers - 1),
            )
            levels = pt.concatenate([reference[None, :], others], axis=0)
            eta = levels[data["survey_arm_index"]] + _segment_effect(data, n_answers - 1)
            logits = pt.concatenate([pt.zeros_like(eta[:, :1]), eta], axis=1)
            log_p = logits - pt.logsumexp(logits, axis=1, keepdims=True)
            pm.Potential("survey_loglik", pt.sum(counts * log_p))
    return model
