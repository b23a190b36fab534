"""The PyMC graph of a design (its numpy twin for draws is :mod:`relevance.model.means`).

The graph is a handful of vector operations whose size does not grow with segments; the
likelihoods use only per-cell sufficient statistics. Imported only to compile: a report whose
model is stored (:mod:`relevance.model.compiled`) never loads PyMC.
"""

from __future__ import annotations

import pymc as pm
import pytensor.tensor as pt

from relevance.model.design import Design


def _arm_levels(
    name: str,
    blocks: pt.TensorVariable,
    n_arms: pt.TensorVariable,
    centre_sd: pt.TensorVariable,
    effect_sd: pt.TensorVariable,
) -> pt.TensorVariable:
    """Each arm's own level, centred: holdout ~ N(0, centre_sd), version ~ N(holdout, effect_sd).

    The data pin every arm's level down, so sampling the levels directly (rather than the
    holdout plus differences) keeps the posterior uncorrelated and the sampler fast; the prior
    on each version's difference from the holdout is still Normal(0, effect_sd).
    """
    holdout = pm.Normal(f"{name}_holdout", 0.0, centre_sd, shape=(blocks,))
    versions = pm.Normal(
        f"{name}_versions", mu=holdout[:, None], sigma=effect_sd, shape=(blocks, n_arms - 1)
    )
    return pt.concatenate([holdout[:, None], versions], axis=1).ravel()


def build_model(d: Design) -> pm.Model:
    """The joint PyMC model of a design: arm levels, pooled segment deviations, cell likelihoods.

    Every size (metrics, arms, segment levels, coefficients) and every prior scale is read
    from the data, never written into the graph, and every part is present even when empty
    (no segments, no revenue metric): one graph serves every campaign, so a campaign of a new
    shape, or with its own priors, loads the compiled model instead of compiling its own.
    """
    with pm.Model() as model:
        data = {name: pm.Data(name, value) for name, value in d.data().items()}
        arm_logit = _arm_levels(
            "rate",
            data["n_rate_blocks"],
            data["n_arms"],
            data["prior_intercept_sd"],
            data["prior_effect_sd"],
        )
        rate_raw = pm.Normal("rate_raw", 0.0, 1.0, shape=(data["rate_x"].shape[1],))
        scales = pm.HalfNormal(
            "segment_scale", data["prior_segment_sd"], shape=(data["rate_scale_map"].shape[1],)
        )
        rate_sd = data["rate_fixed_sd"] + pt.dot(data["rate_scale_map"], scales)
        eta = arm_logit[data["rate_arm_index"]] + pt.dot(data["rate_x"], rate_raw * rate_sd)
        # Binomial log-likelihood without its constant: y * eta - n * log(1 + exp(eta)).
        pm.Potential(
            "rate_loglik",
            pt.sum(data["rate_events"] * eta - data["rate_trials"] * pt.softplus(eta)),
        )
        arm_amount = _arm_levels(
            "amount",
            data["n_amount_blocks"],
            data["n_arms"],
            data["prior_amount_intercept_sd"],
            data["prior_amount_effect_sd"],
        )
        amount_raw = pm.Normal("amount_raw", 0.0, 1.0, shape=(data["amount_x"].shape[1],))
        # log of each cell's buyers' mean amount, in units of the metric's observed mean M
        mu = arm_amount[data["amount_arm_index"]] + pt.dot(
            data["amount_x"], amount_raw * data["amount_sd"]
        )
        # Quasi-likelihood of each cell's mean amount exp(mu) (log link, variance =
        # dispersion x mean): from the buyers' count and sum only, its peak is the observed
        # mean and its curvature that of the central limit theorem, whatever the amounts'
        # distribution (see design.amount_dispersion).
        pm.Potential(
            "amount_loglik",
            pt.sum(
                (data["amount_sum"] * mu - data["amount_buyers"] * pt.exp(mu))
                / data["amount_dispersion"]
            ),
        )
    return model
