"""Expected outcomes per cell from a design's posterior draws, in numpy.

The deterministic part of :mod:`relevance.model.build`'s graph, computed from the draws
without PyMC: what the decisions, the diagnostics and the model checks read.
"""

from __future__ import annotations

import numpy as np

from relevance.model.design import Design


def _arm_level_draws(draws: dict[str, np.ndarray], name: str, n_arms: int) -> np.ndarray:
    """(sample, block x arm) levels from the flattened holdout and version draws."""
    holdout = draws[f"{name}_holdout"]
    versions = draws[f"{name}_versions"].reshape(holdout.shape[0], holdout.shape[1], n_arms - 1)
    return np.concatenate([holdout[:, :, None], versions], axis=2).reshape(holdout.shape[0], -1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def cell_means(d: Design, draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Expected outcome per recipient for every metric: (sample, arm, combination).

    ``draws`` holds the flattened posterior draws of the sampled vectors (sample, dim).
    Binary: P(event). Revenue: P(buy) x the buyers' mean amount exp(mu).
    """
    n_arms, n_combos = len(d.layout.arms), len(d.layout.grid)
    rate_levels = _arm_level_draws(draws, "rate", n_arms)
    coefficients = None
    if "rate_raw" in draws:
        # adjust_for columns alone have coefficients but no learned scale (dropped: size 0)
        samples = draws["rate_raw"].shape[0]
        scales = draws.get("segment_scale", np.zeros((samples, d.rate_scale_map.shape[1])))
        rate_sd = d.rate_fixed_sd[None, :] + scales @ d.rate_scale_map.T
        coefficients = draws["rate_raw"] * rate_sd
    means: dict[str, np.ndarray] = {}
    for block in d.blocks:
        if block.part == "rate":
            eta = rate_levels[:, d.rate_arm_index[block.rows]]
            if coefficients is not None:
                eta = eta + coefficients[:, block.params] @ d.rate_x[block.rows, block.params].T
            means[block.metric] = _sigmoid(eta).reshape(-1, n_arms, n_combos)
    amount_coefficients = (
        draws["amount_raw"] * d.amount_sd[None, :] if "amount_raw" in draws else None
    )
    for block in d.blocks:
        if block.part == "amount":
            mu = (
                d.amount_centre[block.rows][None, :]
                + _arm_level_draws(draws, "amount", n_arms)[:, d.amount_arm_index[block.rows]]
            )
            if amount_coefficients is not None:
                mu = (
                    mu
                    + amount_coefficients[:, block.params] @ d.amount_x[block.rows, block.params].T
                )
            amount_mean = np.exp(mu).reshape(-1, n_arms, n_combos)
            means[block.metric] = means[block.metric] * amount_mean
    return means
