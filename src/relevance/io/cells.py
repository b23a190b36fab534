"""Cells: sufficient statistics per arm x segment cell, the contract between data and models.

A cell is one arm x segment combination. A metric's statistics are one small frozen type per
kind (the shape of gbstats' ``SampleMeanStatistic``): :class:`Proportion` for binary metrics,
:class:`Amounts` for revenue, and :class:`Quality` counts of bad values for the checks. Their
fields are arrays with one value per cell: ``a + b`` adds two of them cell by cell and
:meth:`Statistic.group` sums cells into groups (merging buckets, placing cells on a grid).
Models, checks and fatigue read these typed fields; the ``<metric>__<stat>`` columns exist
only where cells meet files (the aggregation query's output and ``cells.csv``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from relevance.config import Experiment, MetricConfig

MISSING_LEVEL = "(missing)"


def stat_column(metric: str, stat: str) -> str:
    """Name of a metric's statistic in a cells file, e.g. ``purchase__ones``."""
    return f"{metric}__{stat}"


@dataclass(frozen=True)
class Statistic:
    """Sufficient statistics as equally shaped arrays, one value per cell (or per group)."""

    COUNTS: ClassVar[tuple[str, ...]] = ()  # fields that are whole numbers

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The statistic's fields, in file order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    def _map(self, change: Callable[[np.ndarray], np.ndarray]) -> Self:
        return type(self)(*(change(getattr(self, name)) for name in self.names()))

    def __add__(self, other: Self) -> Self:
        """Cell-by-cell sum: the statistics of the union of two sets of recipients."""
        if type(other) is not type(self):
            return NotImplemented
        return type(self)(*(getattr(self, n) + getattr(other, n) for n in self.names()))

    def group(self, index: np.ndarray, size: int) -> Self:
        """Sum cells into `size` groups; `index` gives each cell's group."""

        def summed(values: np.ndarray) -> np.ndarray:
            out = np.zeros(size, dtype=values.dtype)
            np.add.at(out, index, values)
            return out

        return self._map(summed)

    def overall(self) -> Self:
        """All cells summed into one."""
        return self._map(lambda values: np.asarray(values.sum()))

    def reshape(self, *shape: int) -> Self:
        """Every field reshaped, e.g. onto an (arm, combination) grid."""
        return self._map(lambda values: values.reshape(shape))

    def __getitem__(self, selection: object) -> Self:
        """The statistics of some cells (numpy indexing on every field)."""
        return self._map(lambda values: values[selection])

    @classmethod
    def from_columns(cls, columns: Callable[[str], np.ndarray]) -> Self:
        """Read each field from `columns(name)`, counts as integers, sums as floats."""
        return cls(
            *(
                np.asarray(columns(n), dtype=np.int64 if n in cls.COUNTS else np.float64)
                for n in cls.names()
            )
        )


@dataclass(frozen=True)
class Proportion(Statistic):
    """A binary metric: recipients with a valid 0/1 value (`n`) and how many were 1 (`ones`)."""

    n: np.ndarray
    ones: np.ndarray
    COUNTS: ClassVar[tuple[str, ...]] = ("n", "ones")

    @property
    def events(self) -> np.ndarray:
        """What the rate model counts: recipients with the outcome."""
        return self.ones

    @property
    def outcome_sum(self) -> np.ndarray:
        """Sum of the outcome over recipients (observed mean = outcome_sum / n)."""
        return self.ones


@dataclass(frozen=True)
class Amounts(Statistic):
    """A revenue metric: recipients with a valid amount (`n`), `buyers` (amount > 0), and the
    buyers' sum of amounts, of log amounts, of squared log amounts and of squared amounts
    (`sum_sq`: with `sum` and `buyers`, the buyers' mean amount and its spread)."""

    n: np.ndarray
    buyers: np.ndarray
    sum: np.ndarray
    sum_log: np.ndarray
    sum_log_sq: np.ndarray
    sum_sq: np.ndarray
    COUNTS: ClassVar[tuple[str, ...]] = ("n", "buyers")

    @property
    def events(self) -> np.ndarray:
        """What the purchase-rate part of the hurdle counts: buyers."""
        return self.buyers

    @property
    def outcome_sum(self) -> np.ndarray:
        """Sum of amounts over recipients (observed mean per recipient = outcome_sum / n)."""
        return self.sum


@dataclass(frozen=True)
class Quality(Statistic):
    """Counts of bad values of a metric: missing, not a finite number, negative, not 0/1."""

    missing: np.ndarray
    invalid: np.ndarray
    negative: np.ndarray
    nonbinary: np.ndarray
    COUNTS: ClassVar[tuple[str, ...]] = ("missing", "invalid", "negative", "nonbinary")


@dataclass(frozen=True)
class Delivery(Statistic):
    """``data.delivered``: recipients marked delivered (1), and values that are not 0/1."""

    delivered: np.ndarray
    invalid: np.ndarray
    COUNTS: ClassVar[tuple[str, ...]] = ("delivered", "invalid")


MetricStatistic = Proportion | Amounts


@dataclass(frozen=True)
class AmountCap:
    """A revenue metric's extreme amounts: how many, how large, and the cap they get."""

    metric: str
    cap: float  # amounts above it are counted at the cap
    typical: float  # the median amount among buyers
    extremes: int
    largest: float
    share: float  # of the metric's total amount, what the extremes held before capping


def statistic_type(metric: MetricConfig) -> type[MetricStatistic]:
    """The statistic a metric's model needs."""
    return Proportion if metric.kind == "binary" else Amounts


def quality_names(metric: MetricConfig) -> tuple[str, ...]:
    """The bad-value counts a cells file holds for a metric (binary adds nonbinary)."""
    names = Quality.names()
    return names if metric.kind == "binary" else tuple(n for n in names if n != "nonbinary")


def problem_names(metric: MetricConfig) -> tuple[str, ...]:
    """The kinds of bad outcome value reported for a metric, each once: a binary metric's
    negative value is nonbinary, a revenue metric's is negative."""
    return ("missing", "invalid", "nonbinary" if metric.kind == "binary" else "negative")


@dataclass(frozen=True)
class Cells:
    """Sufficient statistics per arm x segment cell (the contract between data and models).

    ``keys`` has one row per observed cell: ``arm`` and one column per segment (text);
    ``n`` is the recipients per cell; ``stats`` and ``quality`` hold each metric's typed
    statistics, one value per cell in the order of ``keys``.
    """

    keys: pd.DataFrame
    n: np.ndarray
    stats: dict[str, MetricStatistic]
    quality: dict[str, Quality]
    arms: tuple[str, ...]
    segments: tuple[str, ...]
    metrics: tuple[MetricConfig, ...]
    caps: tuple[AmountCap, ...] = ()  # revenue amounts counted at a cap (extreme values)
    adjust: tuple[str, ...] = ()  # adjust_for columns: keys like segments, never reported
    delivery: Delivery | None = None  # with ``data.delivered``
    by_day: Cells | None = None  # the same statistics per arm x send day (`data.date`)

    @property
    def strata(self) -> tuple[str, ...]:
        """Every key column beyond the arm: segments, then adjust_for columns."""
        return (*self.segments, *self.adjust)

    @property
    def recipients(self) -> int:
        """Total recipients over all cells."""
        return int(self.n.sum())

    @property
    def count(self) -> int:
        """Number of cells."""
        return len(self.keys)

    def arm_sizes(self) -> dict[str, int]:
        """Recipients per arm label found in the data (configured or not)."""
        sizes = pd.Series(self.n).groupby(self.keys["arm"].to_numpy()).sum()
        return {str(arm): int(n) for arm, n in sizes.items()}

    def segment_grid(self) -> pd.DataFrame:
        """Every segment combination seen in any arm, with its population weight.

        Weights are shares of all recipients (every arm): randomisation makes each arm's
        segment mix the same, so pooling arms estimates the population mix best.
        """
        strata = list(self.strata)  # adjust_for columns too: the model's cells
        if not strata:
            return pd.DataFrame({"weight": [1.0]})
        frame = self.keys[strata].assign(n=self.n)
        grid = frame.groupby(strata, observed=True)["n"].sum().reset_index()
        grid["weight"] = grid["n"] / grid["n"].sum()
        return grid.drop(columns="n").sort_values(strata).reset_index(drop=True)

    def relabel(self, column: str, label: Callable[[str], str]) -> Cells:
        """Cells with `column`'s levels renamed by `label`; cells that meet are summed.

        This is how fatigue buckets are made (0, 1, 2, 3, 4 -> 0, 1, 2, 3+): sufficient
        statistics of merged cells are the sums of theirs.
        """
        return self._merged(
            self.keys.assign(**{column: [label(str(v)) for v in self.keys[column]]})
        )

    def unadjusted(self) -> Cells:
        """The same cells summed over the adjust_for columns (what no adjustment sees)."""
        if not self.adjust:
            return self
        merged = self._merged(self.keys.drop(columns=list(self.adjust)))
        return dataclasses.replace(merged, adjust=())

    def _merged(self, keys: pd.DataFrame) -> Cells:
        """Cells whose keys are `keys` (one row per cell), cells with equal keys summed."""
        columns = list(keys.columns)
        merged = keys.drop_duplicates().sort_values(columns).reset_index(drop=True)
        position = {tuple(row): i for i, row in enumerate(merged.itertuples(index=False))}
        index = np.array([position[tuple(row)] for row in keys.itertuples(index=False)])
        size = len(merged)
        return dataclasses.replace(
            self,
            keys=merged,
            n=np.bincount(index, weights=self.n, minlength=size).astype(np.int64),
            stats={name: s.group(index, size) for name, s in self.stats.items()},
            quality={name: q.group(index, size) for name, q in self.quality.items()},
            delivery=None if self.delivery is None else self.delivery.group(index, size),
        )

    def to_frame(self) -> pd.DataFrame:
        """The cells file: arm, segments, n and ``<metric>__<stat>`` columns."""
        columns: dict[str, np.ndarray] = {"n": self.n}
        for metric in self.metrics:
            stats, quality = self.stats[metric.name], self.quality[metric.name]
            for name in stats.names():
                columns[stat_column(metric.name, name)] = getattr(stats, name)
            for name in quality_names(metric):
                columns[stat_column(metric.name, name)] = getattr(quality, name)
        if self.delivery is not None:
            columns["delivered"] = self.delivery.delivered
            columns["delivered_invalid"] = self.delivery.invalid
        return pd.concat([self.keys, pd.DataFrame(columns)], axis=1)

    def arm_totals(self) -> pd.DataFrame:
        """The cells file's statistics summed per arm (segments collapsed), in arm order."""
        totals = self.to_frame().groupby("arm", observed=True).sum(numeric_only=True)
        return totals.reindex(list(self.arms)).fillna(0)

    def fingerprint(self) -> str:
        """A short hash of the cell statistics: same data, same fingerprint."""
        ordered = self.to_frame().sort_values(["arm", *self.strata]).reset_index(drop=True)
        digest = hashlib.sha256(ordered.to_csv(index=False).encode()).hexdigest()
        return digest[:16]

    @classmethod
    def for_experiment(
        cls, experiment: Experiment, frame: pd.DataFrame, caps: Sequence[AmountCap] = ()
    ) -> Cells:
        """Typed cells of an experiment's arms, segments and metrics from a cells frame."""
        cells = cls.from_frame(
            frame,
            experiment.arms.all,
            experiment.segments,
            experiment.metrics,
            adjust=experiment.adjust_for,
        )
        delivery = None
        if experiment.data.delivered:
            zeros = np.zeros(len(frame), dtype=np.int64)
            delivery = Delivery(
                np.asarray(frame["delivered"], dtype=np.int64),
                np.asarray(frame.get("delivered_invalid", zeros), dtype=np.int64),
            )
        return dataclasses.replace(cells, caps=tuple(caps), delivery=delivery)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        arms: Sequence[str],
        segments: Sequence[str],
        metrics: Sequence[MetricConfig],
        adjust: Sequence[str] = (),
    ) -> Cells:
        """Typed cells from a cells frame (the aggregation's output or a cells file).

        Arm labels stay as written (a NULL arm becomes ``(missing)``); statistics absent from
        the frame (e.g. quality counts a cells file leaves out) are zero.
        """
        frame = frame.reset_index(drop=True)
        arm = frame["arm"].astype(object).where(frame["arm"].notna(), MISSING_LEVEL)
        keys = pd.DataFrame({"arm": arm.astype(str)})
        for segment in [*segments, *adjust]:
            keys[segment] = frame[segment].astype(str)
        zeros = np.zeros(len(frame), dtype=np.int64)

        def column(metric: str) -> Callable[[str], np.ndarray]:
            def read(stat: str) -> np.ndarray:
                name = stat_column(metric, stat)
                return frame[name].to_numpy() if name in frame else zeros

            return read

        return cls(
            keys=keys,
            n=frame["n"].to_numpy(dtype=np.int64),
            stats={m.name: statistic_type(m).from_columns(column(m.name)) for m in metrics},
            quality={m.name: Quality.from_columns(column(m.name)) for m in metrics},
            arms=tuple(arms),
            segments=tuple(segments),
            metrics=tuple(metrics),
            adjust=tuple(adjust),
        )
