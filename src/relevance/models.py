"""PyMC models built on cells, never on rows: every metric is a block of one joint GLM.

Binary metrics: Binomial counts with a logit link. The holdout is the reference; a version's
effect in a segment is its overall effect plus a partially pooled, non-centred deviation per
segment column (a learned scale times sum-to-zero level contrasts). Revenue metrics: a hurdle,
P(buy) with the same logit structure times a log-normal amount among buyers, whose likelihood
uses only the per-cell buyers, sum of log amount and sum of squared log amount.

The structure lives in design matrices, not in the graph: the PyMC graph is a handful of
vector operations whose size does not grow with segments, so it compiles in seconds and a
compiled model is reused for any data of the same dimensions (see :mod:`relevance.fit`).
Expected outcomes per cell are computed from the parameter draws in numpy
(:func:`cell_means`), not inside the sampler.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from relevance.config import MetricConfig, PriorConfig
from relevance.data import Cells, stat_column

LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Layout:
    """The arm x segment-combination grid a model is built on, with cell data on that grid."""

    arms: tuple[str, ...]
    segments: tuple[str, ...]
    grid: pd.DataFrame  # one row per segment combination: segment columns and population weight
    levels: dict[str, tuple[str, ...]]
    level_index: dict[str, np.ndarray]  # per segment column: level index of each combination
    stats: dict[str, np.ndarray]  # "<metric>__<stat>" and "n" -> array (arm, combination)
    ordered: tuple[str, ...] = ()  # segment columns whose levels are ordered (random walk)

    @property
    def versions(self) -> tuple[str, ...]:
        """Arms other than the holdout (which is always first)."""
        return self.arms[1:]

    @property
    def weights(self) -> np.ndarray:
        """Population weight of each segment combination (sums to 1)."""
        return self.grid["weight"].to_numpy(dtype=float)

    def cell_labels(self) -> list[str]:
        """A readable name per segment combination, e.g. 'retention | 2'."""
        if not self.segments:
            return ["all"]
        rows = self.grid[list(self.segments)].itertuples(index=False)
        return [" | ".join(str(v) for v in row) for row in rows]


def layout(cells: Cells, ordered: tuple[str, ...] = ()) -> Layout:
    """Place the observed cells on the full arm x combination grid (zeros where unobserved).

    `ordered` names segment columns whose levels are ordered (emails already received).
    """
    grid = cells.segment_grid()
    segments = cells.segments
    arm_index = {arm: i for i, arm in enumerate(cells.arms)}
    frame = cells.frame[cells.frame["arm"].isin(cells.arms)]
    arm_of_cell = frame["arm"].map(arm_index).to_numpy()
    if segments:
        keys = grid[list(segments)].astype(str).agg("\x1f".join, axis=1)
        combo_index = {key: i for i, key in enumerate(keys)}
        cell_keys = frame[list(segments)].astype(str).agg("\x1f".join, axis=1)
        combo_of_cell = cell_keys.map(combo_index).to_numpy()
    else:
        combo_of_cell = np.zeros(len(frame), dtype=int)
    shape = (len(cells.arms), len(grid))
    stats: dict[str, np.ndarray] = {}
    for column in [c for c in frame.columns if c == "n" or "__" in c]:
        values = np.zeros(shape, dtype=float)
        np.add.at(values, (arm_of_cell, combo_of_cell), frame[column].to_numpy(dtype=float))
        stats[column] = values
    levels = {s: tuple(sorted(grid[s].astype(str).unique(), key=_level_order)) for s in segments}
    level_index = {
        s: grid[s].astype(str).map({lv: i for i, lv in enumerate(levels[s])}).to_numpy()
        for s in segments
    }
    return Layout(cells.arms, segments, grid, levels, level_index, stats, tuple(ordered))


LIFECYCLE_STAGES = ("acquisition", "activation", "retention", "reactivation")


def _level_order(level: str) -> tuple[int, float | str]:
    """Numbers in numeric order ("0" < "2" < "3+"), lifecycle stages in lifecycle order, then text."""
    try:
        return (0, float(level.rstrip("+")))
    except ValueError:
        pass
    if level.lower() in LIFECYCLE_STAGES:
        return (1, float(LIFECYCLE_STAGES.index(level.lower())))
    return (2, level)


def sum_to_zero_basis(levels: int) -> np.ndarray:
    """An orthonormal levels x (levels - 1) basis of vectors summing to zero.

    Level effects ``basis @ z`` with ``z ~ Normal(0, s)`` are exactly ZeroSumNormal(s): the
    intercept stays identified and every level is treated alike.
    """
    if levels < 2:
        return np.zeros((levels, 0))
    centred = np.eye(levels) - 1.0 / levels
    u, _, _ = np.linalg.svd(centred)
    return u[:, : levels - 1]


def random_walk_basis(levels: int) -> np.ndarray:
    """A levels x (levels - 1) basis of centred cumulative steps: a random walk over levels.

    Deviations ``basis @ z`` with ``z ~ Normal(0, s)`` move by independent steps of scale s
    from one level to the next, so neighbouring levels borrow strength; centring keeps the
    version's overall effect identified.
    """
    if levels < 2:
        return np.zeros((levels, 0))
    steps = (np.arange(levels)[:, None] > np.arange(levels - 1)[None, :]).astype(float)
    return steps - steps.mean(axis=0, keepdims=True)


@dataclass(frozen=True)
class Block:
    """Where one likelihood part (a rate or an amount) sits in the joint design."""

    metric: str
    part: str  # "rate" (binary metric or revenue purchase) or "amount" (revenue log amount)
    rows: slice  # rows of the design: arm-major over (arm, combination)
    params: slice  # its coefficients in the part's parameter vector
    sigma: slice | None = None  # amount parts: one log-amount spread per arm


@dataclass(frozen=True)
class Design:
    """The joint model as matrices: what the sampler needs, and how to read its draws back."""

    layout: Layout
    metrics: tuple[MetricConfig, ...]
    blocks: tuple[Block, ...]
    rate_x: np.ndarray  # (rate rows, rate params)
    rate_trials: np.ndarray
    rate_events: np.ndarray
    rate_fixed_sd: np.ndarray  # prior sd per coefficient; 0 where a learned scale applies
    rate_scale_map: np.ndarray  # (rate params, scales): which scale a coefficient uses
    rate_labels: tuple[str, ...]
    rate_arm_index: np.ndarray  # per rate row: block x arm position of its arm's own level
    amount_arm_index: np.ndarray  # per amount row: block x arm position of its arm's level
    n_arms: int
    amount_x: np.ndarray  # (amount rows, amount params)
    amount_centre: np.ndarray  # per amount row: log of the observed mean amount of its metric
    amount_buyers: np.ndarray
    amount_sum_log: np.ndarray
    amount_sum_log_sq: np.ndarray
    amount_sd: np.ndarray
    amount_sigma_index: np.ndarray  # per amount row: which spread parameter
    amount_labels: tuple[str, ...]
    scale_labels: tuple[str, ...]
    sigma_labels: tuple[str, ...]
    priors: PriorConfig

    def signature(self) -> str:
        """What the compiled graph depends on: every data array's shape and dtype, the block
        structure (rate and amount blocks per arm) and the priors. Two designs with the same
        signature can share one compiled model with their own data."""
        dims = (
            tuple((name, value.shape, value.dtype.str) for name, value in self.data().items()),
            tuple(b.part for b in self.blocks),
            len(self.sigma_labels),
            self.n_arms,
            self.priors.model_dump_json(),
        )
        return hashlib.sha256(repr(dims).encode()).hexdigest()[:16]

    def data(self) -> dict[str, np.ndarray]:
        """Values of every ``pm.Data`` container, to swap into a compiled model."""
        return {
            "rate_x": self.rate_x,
            "rate_trials": self.rate_trials,
            "rate_events": self.rate_events,
            "rate_fixed_sd": self.rate_fixed_sd,
            "rate_scale_map": self.rate_scale_map,
            "amount_x": self.amount_x,
            "amount_centre": self.amount_centre,
            "amount_buyers": self.amount_buyers,
            "amount_sum_log": self.amount_sum_log,
            "amount_sum_log_sq": self.amount_sum_log_sq,
            "amount_sd": self.amount_sd,
            "amount_sigma_index": self.amount_sigma_index,
            "rate_arm_index": self.rate_arm_index,
            "amount_arm_index": self.amount_arm_index,
        }


def _rate_columns(
    lay: Layout, priors: PriorConfig
) -> tuple[np.ndarray, np.ndarray, list[int | None], list[str], list[str]]:
    """Design of one logit block on the (arm, combination) grid.

    Columns (beyond each arm's own level, which the model carries as centred parameters):
    per segment column the holdout's level contrasts; per version and segment column the
    deviation contrasts (learned scale). Returns (X, fixed sd, scale group per column, column
    labels, scale labels).
    """
    n_arms, n_combos = len(lay.arms), len(lay.grid)
    arm_of_row = np.repeat(np.arange(n_arms), n_combos)
    combo_of_row = np.tile(np.arange(n_combos), n_arms)
    columns: list[np.ndarray] = []
    fixed_sd: list[float] = []
    group: list[int | None] = []
    labels: list[str] = []
    scale_labels: list[str] = []
    for s in lay.segments:
        basis = sum_to_zero_basis(len(lay.levels[s]))[lay.level_index[s]]  # (combos, L-1)
        for j in range(basis.shape[1]):
            columns.append(basis[combo_of_row, j])
            fixed_sd.append(priors.baseline_segment_sd)
            group.append(None)
            labels.append(f"holdout by {s} [{j}]")
        scale_labels.append(s)
        if s in lay.ordered:
            basis = random_walk_basis(len(lay.levels[s]))[lay.level_index[s]]
        for k, version in enumerate(lay.versions, start=1):
            for j in range(basis.shape[1]):
                columns.append(basis[combo_of_row, j] * (arm_of_row == k))
                fixed_sd.append(0.0)
                group.append(len(scale_labels) - 1)
                labels.append(f"{version} by {s} [{j}]")
    x = np.column_stack(columns) if columns else np.zeros((n_arms * n_combos, 0))
    return x, np.array(fixed_sd), group, labels, scale_labels


def _amount_columns(lay: Layout, priors: PriorConfig) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Design of one log-amount block beyond each arm's level: the level contrasts."""
    n_arms, n_combos = len(lay.arms), len(lay.grid)
    combo_of_row = np.tile(np.arange(n_combos), n_arms)
    columns: list[np.ndarray] = []
    sds: list[float] = []
    labels: list[str] = []
    for s in lay.segments:
        basis = sum_to_zero_basis(len(lay.levels[s]))[lay.level_index[s]]
        for j in range(basis.shape[1]):
            columns.append(basis[combo_of_row, j])
            sds.append(priors.baseline_segment_sd)
            labels.append(f"by {s} [{j}]")
    x = np.column_stack(columns) if columns else np.zeros((n_arms * n_combos, 0))
    return x, np.array(sds), labels


def design(lay: Layout, metrics: tuple[MetricConfig, ...], priors: PriorConfig) -> Design:
    """Stack every metric's blocks into one block-diagonal design."""
    x_one, sd_one, group_one, labels_one, scales_one = _rate_columns(lay, priors)
    ax_one, asd_one, alabels_one = _amount_columns(lay, priors)
    rows_per_block = x_one.shape[0]
    rate_metrics = list(metrics)
    amount_metrics = [m for m in metrics if m.kind == "revenue"]
    blocks: list[Block] = []
    rate_trials, rate_events, rate_labels, scale_labels = [], [], [], []
    for i, metric in enumerate(rate_metrics):
        events = "ones" if metric.kind == "binary" else "buyers"
        rate_trials.append(lay.stats[stat_column(metric.name, "n")].ravel())
        rate_events.append(lay.stats[stat_column(metric.name, events)].ravel())
        rate_labels += [f"{metric.name}: {label}" for label in labels_one]
        scale_labels += [f"{metric.name}: segment scale {s}" for s in scales_one]
        blocks.append(
            Block(
                metric.name,
                "rate",
                slice(i * rows_per_block, (i + 1) * rows_per_block),
                slice(i * x_one.shape[1], (i + 1) * x_one.shape[1]),
            )
        )
    n_rate = len(rate_metrics)
    rate_x = np.kron(np.eye(n_rate), x_one)
    scale_map = np.zeros((rate_x.shape[1], n_rate * len(scales_one)))
    for i in range(n_rate):
        for j, g in enumerate(group_one):
            if g is not None:
                scale_map[i * x_one.shape[1] + j, i * len(scales_one) + g] = 1.0

    centre, buyers, sum_log, sum_log_sq, sigma_index = [], [], [], [], []
    amount_labels, sigma_labels = [], []
    n_arms = len(lay.arms)
    arm_of_row = np.repeat(np.arange(n_arms), len(lay.grid))
    for i, metric in enumerate(amount_metrics):
        b = lay.stats[stat_column(metric.name, "buyers")].ravel()
        s1 = lay.stats[stat_column(metric.name, "sum_log")].ravel()
        buyers.append(b)
        sum_log.append(s1)
        sum_log_sq.append(lay.stats[stat_column(metric.name, "sum_log_sq")].ravel())
        centre.append(np.full(rows_per_block, s1.sum() / b.sum() if b.sum() > 0 else 0.0))
        sigma_index.append(i * n_arms + arm_of_row)
        amount_labels += [f"{metric.name}: amount {label}" for label in alabels_one]
        sigma_labels += [f"{metric.name}: amount spread {arm}" for arm in lay.arms]
        blocks.append(
            Block(
                metric.name,
                "amount",
                slice(i * rows_per_block, (i + 1) * rows_per_block),
                slice(i * ax_one.shape[1], (i + 1) * ax_one.shape[1]),
                slice(i * n_arms, (i + 1) * n_arms),
            )
        )
    n_amount = len(amount_metrics)
    empty = np.zeros(0)
    return Design(
        layout=lay,
        metrics=metrics,
        blocks=tuple(blocks),
        rate_x=rate_x,
        rate_trials=np.concatenate(rate_trials).astype(np.int64),
        rate_events=np.concatenate(rate_events).astype(np.int64),
        rate_fixed_sd=np.tile(sd_one, n_rate),
        rate_scale_map=scale_map,
        rate_labels=tuple(rate_labels),
        rate_arm_index=np.concatenate([i * n_arms + arm_of_row for i in range(n_rate)]).astype(
            np.int64
        ),
        amount_arm_index=np.concatenate([i * n_arms + arm_of_row for i in range(n_amount)]).astype(
            np.int64
        )
        if n_amount
        else np.zeros(0, dtype=np.int64),
        n_arms=n_arms,
        amount_x=np.kron(np.eye(n_amount), ax_one) if n_amount else np.zeros((0, 0)),
        amount_centre=np.concatenate(centre) if n_amount else empty,
        amount_buyers=np.concatenate(buyers) if n_amount else empty,
        amount_sum_log=np.concatenate(sum_log) if n_amount else empty,
        amount_sum_log_sq=np.concatenate(sum_log_sq) if n_amount else empty,
        amount_sd=np.tile(asd_one, n_amount) if n_amount else empty,
        amount_sigma_index=np.concatenate(sigma_index).astype(np.int64)
        if n_amount
        else np.zeros(0, dtype=np.int64),
        amount_labels=tuple(amount_labels),
        scale_labels=tuple(scale_labels),
        sigma_labels=tuple(sigma_labels),
        priors=priors,
    )


def _arm_levels(
    name: str, blocks: int, n_arms: int, centre_sd: float, effect_sd: float
) -> pt.TensorVariable:
    """Each arm's own level, centred: holdout ~ N(0, centre_sd), version ~ N(holdout, effect_sd).

    The data pin every arm's level down, so sampling the levels directly (rather than the
    holdout plus differences) keeps the posterior uncorrelated and the sampler fast; the prior
    on each version's difference from the holdout is still Normal(0, effect_sd).
    """
    holdout = pm.Normal(f"{name}_holdout", 0.0, centre_sd, shape=blocks)
    versions = pm.Normal(
        f"{name}_versions", mu=holdout[:, None], sigma=effect_sd, shape=(blocks, n_arms - 1)
    )
    return pt.concatenate([holdout[:, None], versions], axis=1).ravel()


def build_model(d: Design) -> pm.Model:
    """The joint PyMC model of a design: arm levels, pooled segment deviations, cell likelihoods."""
    n_rate_blocks = len([b for b in d.blocks if b.part == "rate"])
    n_amount_blocks = len(d.sigma_labels) // d.n_arms
    with pm.Model() as model:
        data = {name: pm.Data(name, value) for name, value in d.data().items()}
        arm_logit = _arm_levels(
            "rate", n_rate_blocks, d.n_arms, d.priors.intercept_sd, d.priors.effect_sd
        )
        eta = arm_logit[data["rate_arm_index"]]
        if d.rate_x.shape[1]:
            rate_raw = pm.Normal("rate_raw", 0.0, 1.0, shape=d.rate_x.shape[1])
            scales = pm.HalfNormal(
                "segment_scale", d.priors.segment_sd, shape=d.rate_scale_map.shape[1]
            )
            rate_sd = data["rate_fixed_sd"] + pt.dot(data["rate_scale_map"], scales)
            eta = eta + pt.dot(data["rate_x"], rate_raw * rate_sd)
        # Binomial log-likelihood without its constant: y * eta - n * log(1 + exp(eta)).
        pm.Potential(
            "rate_loglik",
            pt.sum(data["rate_events"] * eta - data["rate_trials"] * pt.softplus(eta)),
        )
        if n_amount_blocks:
            arm_amount = _arm_levels(
                "amount",
                n_amount_blocks,
                d.n_arms,
                d.priors.amount_intercept_sd,
                d.priors.amount_effect_sd,
            )
            mu = data["amount_centre"] + arm_amount[data["amount_arm_index"]]
            if d.amount_x.shape[1]:
                amount_raw = pm.Normal("amount_raw", 0.0, 1.0, shape=d.amount_x.shape[1])
                mu = mu + pt.dot(data["amount_x"], amount_raw * data["amount_sd"])
            sigma = pm.HalfNormal(
                "amount_sigma", d.priors.amount_sigma_sd, shape=len(d.sigma_labels)
            )
            row_sigma = sigma[data["amount_sigma_index"]]
            buyers = data["amount_buyers"]
            # Normal log-likelihood of log amounts, from the sufficient statistics only.
            pm.Potential(
                "amount_loglik",
                pt.sum(
                    -buyers * (pt.log(row_sigma) + 0.5 * LOG_2PI)
                    - (
                        data["amount_sum_log_sq"]
                        - 2.0 * mu * data["amount_sum_log"]
                        + buyers * mu**2
                    )
                    / (2.0 * row_sigma**2)
                ),
            )
    return model


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
    Binary: P(event). Revenue: P(buy) x exp(mu + sigma^2 / 2), the log-normal mean.
    """
    n_arms, n_combos = len(d.layout.arms), len(d.layout.grid)
    rate_levels = _arm_level_draws(draws, "rate", n_arms)
    coefficients = None
    if "rate_raw" in draws:
        rate_sd = d.rate_fixed_sd[None, :] + draws["segment_scale"] @ d.rate_scale_map.T
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
            sigma = draws["amount_sigma"][:, d.amount_sigma_index[block.rows]]
            amount_mean = np.exp(mu + 0.5 * sigma**2).reshape(-1, n_arms, n_combos)
            means[block.metric] = means[block.metric] * amount_mean
    return means
