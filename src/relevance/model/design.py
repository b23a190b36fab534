"""The joint model as design matrices: every metric is a block of one GLM.

Binary metrics: Binomial counts with a logit link. The holdout is the reference; a version's
effect in a segment is its overall effect plus a partially pooled, non-centred deviation per
segment column (a learned scale times sum-to-zero level contrasts, or a random walk over
ordered levels). Revenue: a hurdle, P(buy) with the same logit structure times the buyers'
mean amount, log link, fitted by its quasi-likelihood from the cells' count, sum and sum of
squares (see :func:`amount_dispersion`). The structure lives in these matrices, not in the
graph, so one compiled model serves any data of the same dimensions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from relevance.config import MetricConfig, PriorConfig
from relevance.io.cells import Amounts
from relevance.model.layout import Layout


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


GRAPH_PRIORS = (
    "intercept_sd",
    "effect_sd",
    "segment_sd",
    "amount_intercept_sd",
    "amount_effect_sd",
)
"""Prior scales the model reads as data (``baseline_segment_sd`` is in the design matrices)."""


@dataclass(frozen=True)
class Block:
    """Where one likelihood part (a rate or an amount) sits in the joint design."""

    metric: str
    part: str  # "rate" (binary metric or revenue purchase) or "amount" (revenue mean amount)
    rows: slice  # rows of the design: arm-major over (arm, combination)
    params: slice  # its coefficients in the part's parameter vector


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
    amount_centre: np.ndarray  # per amount row: log of the metric's observed mean amount (M)
    amount_buyers: np.ndarray
    amount_sum: np.ndarray  # per amount row: the buyers' sum of amounts, in units of M
    amount_dispersion: np.ndarray  # per amount row: its arm's variance / mean, in units of M
    amount_sd: np.ndarray
    amount_labels: tuple[str, ...]
    scale_labels: tuple[str, ...]
    priors: PriorConfig

    def signature(self) -> str:
        """What the compiled graph depends on: the data arrays' names, ranks and dtypes, never
        their sizes or values (:func:`relevance.model.build.build_model` reads every size and
        prior scale from the data). Every design shares one compiled model, whatever its
        metrics, arms, segment levels and priors."""
        dims = tuple((name, value.ndim, value.dtype.str) for name, value in self.data().items())
        return hashlib.sha256(repr(dims).encode()).hexdigest()[:16]

    @property
    def n_rate_blocks(self) -> int:
        """Number of logit blocks (one per metric)."""
        return sum(1 for b in self.blocks if b.part == "rate")

    @property
    def n_amount_blocks(self) -> int:
        """Number of mean-amount blocks (one per revenue metric)."""
        return sum(1 for b in self.blocks if b.part == "amount")

    def data(self) -> dict[str, np.ndarray]:
        """Values of every ``pm.Data`` container, to swap into a compiled model."""
        return {
            "n_arms": np.array(self.n_arms, dtype=np.int64),
            "n_rate_blocks": np.array(self.n_rate_blocks, dtype=np.int64),
            "n_amount_blocks": np.array(self.n_amount_blocks, dtype=np.int64),
            **{
                f"prior_{name}": np.array(getattr(self.priors, name), dtype=np.float64)
                for name in GRAPH_PRIORS
            },
            "rate_x": self.rate_x,
            "rate_trials": self.rate_trials,
            "rate_events": self.rate_events,
            "rate_fixed_sd": self.rate_fixed_sd,
            "rate_scale_map": self.rate_scale_map,
            "amount_x": self.amount_x,
            "amount_buyers": self.amount_buyers,
            "amount_sum": self.amount_sum,
            "amount_dispersion": self.amount_dispersion,
            "amount_sd": self.amount_sd,
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
    for s in (*lay.segments, *lay.adjust):
        basis = sum_to_zero_basis(len(lay.levels[s]))[lay.level_index[s]]  # (combos, L-1)
        for j in range(basis.shape[1]):
            columns.append(basis[combo_of_row, j])
            fixed_sd.append(priors.baseline_segment_sd)
            group.append(None)
            labels.append(f"holdout by {s} [{j}]")
        if s in lay.adjust:
            continue  # adjustment only: the same contrast in every arm, no version deviation
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
    # Segments only, not adjust_for columns: P(buy) standardised over the population times
    # the arm's buyers' mean amount is the population mean per recipient whatever the link
    # between the covariate and amounts; a product of two adjusted fits would not be.
    for s in lay.segments:
        basis = sum_to_zero_basis(len(lay.levels[s]))[lay.level_index[s]]
        for j in range(basis.shape[1]):
            columns.append(basis[combo_of_row, j])
            sds.append(priors.baseline_segment_sd)
            labels.append(f"by {s} [{j}]")
    x = np.column_stack(columns) if columns else np.zeros((n_arms * n_combos, 0))
    return x, np.array(sds), labels


def design(lay: Layout, metrics: tuple[MetricConfig, ...], priors: PriorConfig) -> Design:
    """Stack every metric's blocks into one block-diagonal design.

    Every metric has a rate block (binary: the event; revenue: buying at all); revenue
    metrics add an amount block (the buyers' mean amount, log link).
    """
    rate = _rate_blocks(lay, metrics, priors)
    amount = _amount_blocks(lay, [m for m in metrics if m.kind == "revenue"], priors)
    return Design(
        layout=lay,
        metrics=metrics,
        blocks=rate.pop("blocks") + amount.pop("blocks"),
        n_arms=len(lay.arms),
        priors=priors,
        **rate,
        **amount,
    )


def _arm_of_row(lay: Layout) -> np.ndarray:
    """The arm of every row of one block (rows are arm-major over (arm, combination))."""
    return np.repeat(np.arange(len(lay.arms)), len(lay.grid))


def _rate_blocks(
    lay: Layout, metrics: tuple[MetricConfig, ...], priors: PriorConfig
) -> dict[str, Any]:
    """The rate part of the design: one logit block per metric, stacked block-diagonally."""
    block_x, block_fixed_sd, scale_of_column, column_labels, scale_names = _rate_columns(
        lay, priors
    )
    rows, columns = block_x.shape
    arm_of_row = _arm_of_row(lay)
    n_arms, count = len(lay.arms), len(metrics)
    scale_map = np.zeros((count * columns, count * len(scale_names)))
    for i in range(count):
        for j, scale in enumerate(scale_of_column):
            if scale is not None:
                scale_map[i * columns + j, i * len(scale_names) + scale] = 1.0
    stats = [lay.stats[m.name] for m in metrics]
    return {
        "blocks": tuple(
            Block(
                m.name,
                "rate",
                slice(i * rows, (i + 1) * rows),
                slice(i * columns, (i + 1) * columns),
            )
            for i, m in enumerate(metrics)
        ),
        "rate_x": np.kron(np.eye(count), block_x),
        "rate_trials": np.concatenate([s.n.ravel() for s in stats]).astype(np.int64),
        "rate_events": np.concatenate([s.events.ravel() for s in stats]).astype(np.int64),
        "rate_fixed_sd": np.tile(block_fixed_sd, count),
        "rate_scale_map": scale_map,
        "rate_labels": tuple(f"{m.name}: {label}" for m in metrics for label in column_labels),
        "scale_labels": tuple(f"{m.name}: segment scale {s}" for m in metrics for s in scale_names),
        "rate_arm_index": np.concatenate([i * n_arms + arm_of_row for i in range(count)]).astype(
            np.int64
        ),
    }


MIN_DISPERSION = 1e-4
"""Amounts that barely vary (every buyer pays the same) still get this much dispersion (in
units of the metric's mean amount), so the likelihood stays finite."""


def amount_dispersion(stats: Amounts) -> np.ndarray:
    """Each arm's dispersion of amounts among buyers (variance / mean), from the cell sums.

    Shape (arm,), one per arm over its cells: the pooled within-cell variance
    ``sum(sum_sq - sum^2 / buyers) / (buyers - cells)`` divided by the arm's mean amount. With
    it the quasi-likelihood of a cell's mean amount m, ``(sum * log m - buyers * m) /
    dispersion``, has its peak at the cell's observed mean and the curvature of the central
    limit theorem (variance = sample variance / buyers) whatever the amounts' distribution.
    An arm with fewer than two buyers in any cell takes the dispersion of all arms together.
    """

    def dispersion(buyers: np.ndarray, sums: np.ndarray, squares: np.ndarray) -> float | None:
        bought = buyers > 0
        spare = float(buyers[bought].sum() - bought.sum())  # degrees of freedom within cells
        total = float(sums[bought].sum())
        if spare < 1 or total <= 0:
            return None
        within = float(np.sum(squares[bought] - sums[bought] ** 2 / buyers[bought]))
        mean = total / float(buyers[bought].sum())
        return max(within / spare / mean, MIN_DISPERSION * mean)

    buyers = stats.buyers.astype(np.float64)
    pooled = dispersion(buyers.ravel(), stats.sum.ravel(), stats.sum_sq.ravel())
    arms = [dispersion(buyers[a], stats.sum[a], stats.sum_sq[a]) for a in range(len(buyers))]
    fallback = pooled if pooled is not None else 1.0
    return np.array([fallback if value is None else value for value in arms])


def _amount_blocks(lay: Layout, metrics: list[MetricConfig], priors: PriorConfig) -> dict[str, Any]:
    """The amount part: one block per revenue metric, the buyers' mean amount per cell.

    Amounts enter in units of the metric's observed mean amount M (so the arm levels start
    near zero on the log scale); each arm has its own dispersion (:func:`amount_dispersion`).
    """
    block_x, block_sd, column_labels = _amount_columns(lay, priors)
    rows, columns = block_x.shape
    arm_of_row = _arm_of_row(lay)
    n_arms, count = len(lay.arms), len(metrics)
    # Amount statistics enter the model as floats (as the compiled graph expects).
    stats = [cast(Amounts, lay.stats[m.name]) for m in metrics]
    scales = [
        float(s.sum.sum() / s.buyers.sum()) if s.buyers.sum() > 0 and s.sum.sum() > 0 else 1.0
        for s in stats
    ]

    def stacked(parts: list[np.ndarray], dtype: type = np.float64) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return {
        "blocks": tuple(
            Block(
                m.name,
                "amount",
                slice(i * rows, (i + 1) * rows),
                slice(i * columns, (i + 1) * columns),
            )
            for i, m in enumerate(metrics)
        ),
        "amount_x": np.kron(np.eye(count), block_x) if count else np.zeros((0, 0)),
        "amount_centre": stacked([np.full(rows, np.log(scale)) for scale in scales]),
        "amount_buyers": stacked([s.buyers.ravel() for s in stats]),
        "amount_sum": stacked(
            [s.sum.ravel() / scale for s, scale in zip(stats, scales, strict=True)]
        ),
        "amount_dispersion": stacked(
            [
                amount_dispersion(s)[arm_of_row] / scale
                for s, scale in zip(stats, scales, strict=True)
            ]
        ),
        "amount_sd": np.tile(block_sd, count) if count else np.zeros(0),
        "amount_arm_index": stacked([i * n_arms + arm_of_row for i in range(count)], np.int64),
        "amount_labels": tuple(
            f"{m.name}: amount {label}" for m in metrics for label in column_labels
        ),
    }
