"""The arm x segment-combination grid a model is built on, with the cell data placed on it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from relevance.io.cells import Cells, MetricStatistic


@dataclass(frozen=True)
class Layout:
    """The arm x segment-combination grid a model is built on, with cell data on that grid."""

    arms: tuple[str, ...]
    segments: tuple[str, ...]
    grid: pd.DataFrame  # one row per segment combination: segment columns and population weight
    levels: dict[str, tuple[str, ...]]
    level_index: dict[str, np.ndarray]  # per segment column: level index of each combination
    n: np.ndarray  # recipients per (arm, combination)
    stats: dict[str, MetricStatistic]  # per metric, fields shaped (arm, combination)
    ordered: tuple[str, ...] = ()  # segment columns whose levels are ordered (random walk)
    adjust: tuple[str, ...] = ()  # adjust_for columns: in the grid and the model, not reported

    @property
    def versions(self) -> tuple[str, ...]:
        """Arms other than the holdout (which is always first)."""
        return self.arms[1:]

    @property
    def weights(self) -> np.ndarray:
        """Population weight of each segment combination (sums to 1)."""
        return self.grid["weight"].to_numpy(dtype=float)

    def measurable(self, metric: str) -> bool:
        """Whether the data can measure `metric` against the holdout: some holdout recipients
        have a valid value and some of them had the event (a purchase, a buyer)."""
        stats = self.stats[metric]
        return bool(stats.n[0].sum() > 0 and stats.events[0].sum() > 0)

    def cell_labels(self) -> list[str]:
        """A readable name per segment combination, e.g. 'retention | 2'."""
        if not self.segments and not self.adjust:
            return ["all"]
        rows = self.grid[[*self.segments, *self.adjust]].itertuples(index=False)
        return [" | ".join(str(v) for v in row) for row in rows]


def layout(cells: Cells, ordered: tuple[str, ...] = ()) -> Layout:
    """Place the observed cells on the full arm x combination grid (zeros where unobserved).

    `ordered` names segment columns whose levels are ordered (emails already received).
    """
    grid = cells.segment_grid()
    segments = cells.strata  # segments and adjust_for columns
    arm_index = {arm: i for i, arm in enumerate(cells.arms)}
    known = cells.keys["arm"].isin(cells.arms).to_numpy()  # unknown arms stop at the checks
    keys = cells.keys[known]
    arm_of_cell = keys["arm"].map(arm_index).to_numpy()
    if segments:
        combos = grid[list(segments)].astype(str).agg("\x1f".join, axis=1)
        combo_index = {key: i for i, key in enumerate(combos)}
        combo_of_cell = keys[list(segments)].agg("\x1f".join, axis=1).map(combo_index).to_numpy()
    else:
        combo_of_cell = np.zeros(len(keys), dtype=int)
    shape = (len(cells.arms), len(grid))
    position = arm_of_cell * shape[1] + combo_of_cell
    size = shape[0] * shape[1]

    stats = {
        name: stat[known].group(position, size).reshape(*shape)
        for name, stat in cells.stats.items()
    }
    levels = {s: tuple(sorted(grid[s].astype(str).unique(), key=_level_order)) for s in segments}
    level_index = {
        s: grid[s].astype(str).map({lv: i for i, lv in enumerate(levels[s])}).to_numpy()
        for s in segments
    }
    n = np.zeros(size, dtype=np.int64)
    np.add.at(n, position, cells.n[known])
    return Layout(
        cells.arms,
        cells.segments,
        grid,
        levels,
        level_index,
        n.reshape(shape),
        stats,
        tuple(ordered),
        cells.adjust,
    )


LIFECYCLE_STAGES = ("acquisition", "activation", "retention", "reactivation")


def _level_order(level: str) -> tuple[int, float | str]:
    """Numbers in numeric order ("0" < "2" < "3+"), lifecycle stages in lifecycle order, then text."""
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)\+?", level.strip()):
        return (0, float(level.strip().rstrip("+")))
    if level.lower() in LIFECYCLE_STAGES:
        return (1, float(LIFECYCLE_STAGES.index(level.lower())))
    return (2, level)
