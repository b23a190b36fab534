"""The one cells query: a portable Ibis expression of the GROUP BY per arm x segment cell.

The aggregation, the amount caps, the data fingerprint and every row-level condition are
written once, as Ibis expressions over a table of one row per recipient; Ibis compiles them
(through sqlglot) for the engine that holds the rows: DuckDB for files, PostgreSQL, Spark,
Snowflake, BigQuery, Databricks, Trino. No SQL is spelled here by hand.

Two rules make the cells identical, bit for bit, on every engine:

- a value is a number only when its text matches one pattern (or its column is numeric):
  each engine's own cast would accept different text ('1_000', 'inf', '1d', '0x10');
- sums are exact: each value is rounded once to 12 decimals (log amounts to 9) as a whole
  number (the same IEEE arithmetic everywhere), whole numbers are added as fixed-point
  DECIMAL(38, 0) (no dependence on row order or on how an engine splits the work), and the
  total is scaled back to a double in Python.

Both rules live in :mod:`relevance.io.values`.

**Adding a statistic** is one entry: a metric's statistics are :data:`STATISTICS` (per metric
kind), the recipients' are :func:`cell_statistics`; the names must match the fields of the
metric's type in :mod:`relevance.io.cells`. **Adding a grouping column** is one entry in
:func:`cell_keys`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from relevance.config import Experiment, MetricConfig
from relevance.io.cells import MISSING_LEVEL, AmountCap, problem_names, stat_column
from relevance.io.values import (
    LOG_SCALE,
    SCALE,
    column_kind,
    exact_total,
    fixed_point,
    is_missing,
    read_number,
    rounded,
    words_pattern,
)

# --- per metric: values, statistics, problems ----------------------------------------------


SQUARES_SCALE = 10**4
"""Squared amounts are summed exactly at 4 decimals (exact for amounts in cents), which leaves
room for amounts up to 10^17 (:func:`squared_amount_units`)."""
LARGEST_WHOLE_SQUARE = 9e18
"""Up to here a squared amount's whole part fits 64 bits (:func:`fixed_point`)."""


def squared_amount_units(amount: ir.FloatingValue) -> ir.DecimalValue:
    """The squared amount in units of 10^-4: the double square rounded once (as every engine
    multiplies doubles the same way) while its whole part fits 64 bits, i.e. amounts to 3e9;
    beyond, the exact square of the amount in cents (rounding such an amount to cents moves
    its square by less than 10^-11 of itself). Amounts beyond 10^17 overflow DECIMAL(38, 0):
    too large to add up, on every engine."""
    square = amount * amount
    small = square <= LARGEST_WHOLE_SQUARE
    exact = fixed_point(ibis.ifelse(small, square, 0.0), SQUARES_SCALE)
    cents = fixed_point(ibis.ifelse(small, 0.0, amount), 100)  # cents squared: 10^-4 units
    return exact + bounded(cents * cents)


def bounded(product: ir.DecimalValue) -> ir.DecimalValue:
    """A product of whole numbers held to DECIMAL(38, 0), so that it overflows on PostgreSQL
    too (its numeric would grow). Typed not-null: Ibis drops a cast to the type it infers."""
    return product.cast(dt.Decimal(38, 0, nullable=False))


@dataclass(frozen=True)
class Values:
    """A metric's column as every statistic and check reads it (expressions over the rows).

    ``raw`` is the column as stored, ``number`` its finite value or NULL; ``amount`` is the
    number at most the metric's cap (extreme amounts count at the cap); ``log_units`` the
    fixed-point natural log of a positive amount.
    """

    rows: ir.Table
    metric: MetricConfig
    raw: ir.Value
    number: ir.FloatingValue
    cap: float | None = None
    columns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: ir.Table, metric: MetricConfig, cap: float | None = None) -> Values:
        raw = rows[metric.column]
        return cls(rows, metric, raw, read_number(raw, metric.kind == "binary"), cap)

    @property
    def positive(self) -> ir.BooleanValue:
        return (self.number > 0).fill_null(False)

    @property
    def amount(self) -> ir.FloatingValue:
        return self.number if self.cap is None else ibis.least(self.number, self.cap)

    @property
    def amount_units(self) -> ir.DecimalValue:
        """The amount in fixed-point units of 10^-12 (:func:`fixed_point`)."""
        if "amount_units" in self.columns:
            return self.rows[self.columns["amount_units"]]
        return fixed_point(self.amount)

    @property
    def square_units(self) -> ir.DecimalValue:
        """The squared amount in fixed-point units of 10^-4 (:func:`squared_amount_units`)."""
        if "square_units" in self.columns:
            return self.rows[self.columns["square_units"]]
        return squared_amount_units(self.amount)

    @property
    def log_units(self) -> ir.IntegerValue:
        """round(ln(amount) * 10^9) where the amount is positive: |ln| < 710 fits 64 bits."""
        if "log_units" in self.columns:
            return self.rows[self.columns["log_units"]]
        return rounded(ibis.ifelse(self.positive, self.amount, 1.0).ln() * LOG_SCALE)


PER_ROW = ("amount_units", "log_units", "square_units")
"""What revenue statistics share per row: computed once as columns (:func:`computed_once`)."""


def computed_once(
    rows: ir.Table, values: Sequence[Values], per_row: bool = True
) -> tuple[ir.Table, list[Values]]:
    """`rows` with each metric's number (and for revenue :data:`PER_ROW`) as columns, and
    `values` reading them: each is computed once per row, not once per statistic."""
    numbers = {f"__relevance_number_{i}": v.number for i, v in enumerate(values)}
    rows = rows.mutate(**numbers)
    values = [
        replace(v, rows=rows, raw=rows[v.metric.column], number=rows[name])
        for v, name in zip(values, numbers, strict=True)
    ]
    if not per_row:
        return rows, values
    shared = {
        f"__relevance_{name}_{i}": getattr(v, name)
        for i, v in enumerate(values)
        if v.metric.kind == "revenue"
        for name in PER_ROW
    }
    if not shared:
        return rows, values
    rows = rows.mutate(**shared)
    return rows, [
        replace(
            v,
            rows=rows,
            raw=rows[v.metric.column],
            number=rows[f"__relevance_number_{i}"],
            columns={n: f"__relevance_{n}_{i}" for n in PER_ROW}
            if v.metric.kind == "revenue"
            else {},
        )
        for i, v in enumerate(values)
    ]


def outcome_problems(metric: MetricConfig, values: Values | None = None) -> dict[str, Any]:
    """One condition per kind of bad outcome value, true on a row with that problem.

    The cells count them (missing, invalid, negative for revenue, nonbinary for binary
    metrics) and the row checks find an example row with the very same conditions. Every
    value that is not a finite number is `invalid`. Without `values`, only the names.
    """
    if values is None:
        return dict.fromkeys(problem_names(metric))
    v = values
    present = ~is_missing(v.raw)
    problems = {"missing": is_missing(v.raw), "invalid": present & v.number.isnull()}
    if metric.kind == "binary":
        problems["nonbinary"] = v.number.notnull() & ~v.number.isin((0.0, 1.0))
    else:
        problems["negative"] = (v.number < 0).fill_null(False)
    return problems


@dataclass(frozen=True)
class Statistic:
    """One cell statistic: an aggregate of a metric's values (or of the rows) per cell, and
    how its total is read in Python (a count as an int, fixed-point units as a double)."""

    aggregate: Callable[[Values], ir.Scalar]
    read: Callable[[Any], int | float]


def _count(total: Any) -> int:
    return int(total or 0)


def count(where: Callable[[Values], ir.BooleanValue]) -> Statistic:
    """Rows where `where` holds (a NULL condition does not hold: Ibis counts on Spark with
    SUM, which would be NULL where no row has a value)."""
    return Statistic(lambda v: v.rows.count(where=where(v).fill_null(False)), _count)


def units_sum(
    units: Callable[[Values], ir.Value], where: Callable, scale: int = SCALE
) -> Statistic:
    """Sum of whole fixed-point `units` (of 1/`scale`) where `where` holds, exactly."""
    return Statistic(
        lambda v: ibis.ifelse(
            where(v), units(v).cast(dt.Decimal(38, 0)), ibis.null(dt.Decimal(38, 0))
        ).sum(),
        lambda total: exact_total(total, scale),
    )


def squares_sum(units: Callable[[Values], ir.Value], where: Callable, scale: int) -> Statistic:
    """Sum of squares of whole fixed-point `units` (of 1/`scale`) where `where` holds: the
    squares are whole numbers, added exactly, so the sum needs no second rounding. (Not
    POWER: engines compute it in double precision.)"""

    def aggregate(v: Values) -> ir.Scalar:
        value = units(v).cast(dt.Decimal(38, 0))
        return ibis.ifelse(where(v), bounded(value * value), ibis.null(dt.Decimal(38, 0))).sum()

    return Statistic(aggregate, lambda total: exact_total(total, scale * scale))


def exact_sum(
    value: Callable[[Values], ir.FloatingValue], where: Callable, scale: int = SCALE
) -> Statistic:
    """Sum of `value` where `where` holds, exact to 1/`scale` (fixed point; 10^-12 unless a
    large statistic needs room, e.g. squared amounts)."""
    return units_sum(lambda v: fixed_point(value(v), scale), where, scale)


def _positive(v: Values) -> ir.BooleanValue:
    return v.positive


def _number(v: Values) -> ir.FloatingValue:
    return v.number


STATISTICS: Mapping[str, Mapping[str, Statistic]] = {
    "binary": {
        "n": count(lambda v: v.number.isin((0.0, 1.0))),
        "ones": count(lambda v: v.number == 1),
    },
    "revenue": {
        "n": count(lambda v: v.number >= 0),
        "buyers": count(_positive),
        "sum": units_sum(lambda v: v.amount_units, _positive),
        "sum_log": units_sum(lambda v: v.log_units, _positive, LOG_SCALE),
        "sum_log_sq": squares_sum(lambda v: v.log_units, _positive, LOG_SCALE),
        "sum_sq": units_sum(lambda v: v.square_units, _positive, SQUARES_SCALE),
    },
}
"""Each metric kind's statistics per cell, in the order of its type in io.cells
(:class:`~relevance.io.cells.Proportion`, :class:`~relevance.io.cells.Amounts`)."""

QUALITY: Mapping[str, Callable[[Values], ir.BooleanValue]] = {
    "missing": lambda v: outcome_problems(v.metric, v)["missing"],
    "invalid": lambda v: outcome_problems(v.metric, v)["invalid"],
    "negative": lambda v: (v.number < 0).fill_null(False),
    "nonbinary": lambda v: outcome_problems(v.metric, v)["nonbinary"],
}
"""Counts of bad values per cell (:class:`~relevance.io.cells.Quality`); nonbinary for binary
metrics only."""


def cell_statistics(experiment: Experiment) -> dict[str, Callable[[ir.Table], ir.Scalar]]:
    """Statistics of the recipients of a cell, whatever the metric, by output column: the
    recipients ``n``, and any count the experiment's columns call for (e.g. a delivered
    count: one entry here, read as a whole number)."""
    statistics: dict[str, Callable[[ir.Table], ir.Scalar]] = {"n": lambda rows: rows.count()}
    if experiment.data.delivered:
        column = experiment.data.delivered

        def delivered(rows: ir.Table) -> ir.Scalar:
            flag = read_number(rows[column], binary=True)
            return rows.count(where=(flag == 1).fill_null(False))

        def delivered_invalid(rows: ir.Table) -> ir.Scalar:
            flag = read_number(rows[column], binary=True)
            return rows.count(
                where=~is_missing(rows[column]) & ~flag.isin((0.0, 1.0)).fill_null(False)
            )

        statistics.update(delivered=delivered, delivered_invalid=delivered_invalid)
    return statistics


def metric_statistics(metric: MetricConfig) -> dict[str, Statistic]:
    """A metric's statistics and quality counts, by output column, in cells-file order."""
    stats = {stat_column(metric.name, name): s for name, s in STATISTICS[metric.kind].items()}
    for name, problem in QUALITY.items():
        if name == "nonbinary" and metric.kind != "binary":
            continue
        stats[stat_column(metric.name, name)] = count(problem)
    return stats


# --- the cells --------------------------------------------------------------------------


def level(value: ir.Value) -> ir.Value:
    """A grouping column's level. Text, whole numbers, booleans and dates are cast to text the
    same way by every engine (NULL is ``(missing)``); other types (doubles, decimals, times)
    are grouped as they are and written as text in Python (:func:`level_label`), because
    engines spell them differently ('1' or '1.0')."""
    dtype = value.type()
    if dtype.is_string():
        return value.fill_null(MISSING_LEVEL)
    if dtype.is_integer() or dtype.is_boolean() or dtype.is_date():
        return value.cast(dt.string).fill_null(MISSING_LEVEL)
    return value


def level_label(value: Any) -> str:
    """A level fetched from the engine as text (:func:`level`): NULL is ``(missing)``."""
    return MISSING_LEVEL if value is None else str(value)


def cell_keys(
    experiment: Experiment, rows: ir.Table, buckets: Sequence[Buckets] = ()
) -> dict[str, ir.Value]:
    """The columns that define a cell, by output name: the arm exactly as written (a label that
    matches an arm only after trimming or changing case stays apart, so the checks can refuse
    it with a "did you mean"), then each segment, then each adjust_for column (its levels, or
    its quantile bucket as `buckets` says). Adding a grouping column is one entry here."""
    keys: dict[str, ir.Value] = {"arm": rows[experiment.data.arm].cast(dt.string)}
    for segment in experiment.segments:
        keys[segment] = level(rows[segment])
    bucket_of = {b.column: b for b in buckets}
    for column in experiment.adjust_for:
        keys[column] = bucket_of.get(column, Buckets(column)).level(rows)
    return keys


def key_columns(experiment: Experiment) -> list[str]:
    """The cells' key columns after the arm: segments, then adjust_for columns."""
    return [*experiment.segments, *experiment.adjust_for]


def cells_columns(experiment: Experiment) -> list[str]:
    """The cells' columns, in order: arm, segments, adjust_for columns, n, metric statistics,
    then the recipients' other statistics (delivery counts with ``data.delivered``)."""
    stats = [column for m in experiment.metrics for column in metric_statistics(m)]
    others = [c for c in cell_statistics(experiment) if c != "n"]
    return ["arm", *key_columns(experiment), "n", *stats, *others]


def cells_expression(
    experiment: Experiment,
    rows: ir.Table,
    caps: Sequence[AmountCap] = (),
    buckets: Sequence[Buckets] = (),
) -> ir.Table:
    """One GROUP BY over `rows` producing the cells (read them with :func:`read_cells`).

    Revenue amounts beyond their metric's cap (extreme values, :func:`amount_caps`) are
    counted at the cap; adjust_for columns are bucketed as `buckets` says
    (:func:`adjust_buckets`; levels as written when not given).
    """
    cap_of = {c.metric: c.cap for c in caps}
    keys = cell_keys(experiment, rows, buckets)
    rows, values = computed_once(
        rows.mutate(**{f"__relevance_key_{i}": k for i, k in enumerate(keys.values())}),
        [Values.of(rows, m, cap_of.get(m.name)) for m in experiment.metrics],
    )
    aggregates = {name: statistic(rows) for name, statistic in cell_statistics(experiment).items()}
    for metric, metric_values in zip(experiment.metrics, values, strict=True):
        for column, statistic in metric_statistics(metric).items():
            aggregates[column] = statistic.aggregate(metric_values)
    groups = {name: rows[f"__relevance_key_{i}"] for i, name in enumerate(keys)}
    return rows.group_by(**groups).aggregate(**aggregates)


def read_cells(experiment: Experiment, records: Sequence[Mapping[str, Any]]) -> list[dict]:
    """The engine's cells as plain values (counts as ints, sums as doubles, levels as text),
    sorted by arm and key columns in code-point order, whatever the engine's collation."""
    readers: dict[str, Callable[[Any], Any]] = {"arm": lambda v: v}
    readers.update({s: level_label for s in key_columns(experiment)})
    readers.update({name: _count for name in cell_statistics(experiment)})
    for metric in experiment.metrics:
        readers.update({c: s.read for c, s in metric_statistics(metric).items()})
    cells = [{c: read(record[c]) for c, read in readers.items()} for record in records]
    order = ["arm", *key_columns(experiment)]
    return sorted(cells, key=lambda cell: tuple(_sort_key(cell[k]) for k in order))


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value))


def fingerprint_expression(experiment: Experiment, rows: ir.Table) -> ir.Table:
    """A cheap scan (no GROUP BY): row count, and per metric its present values and exact sum."""
    rows, values = computed_once(
        rows, [Values.of(rows, m) for m in experiment.metrics], per_row=False
    )
    parts: dict[str, ir.Scalar] = {"rows": rows.count()}
    for i, v in enumerate(values):
        parts[f"m{i}_present"] = count(lambda v: ~is_missing(v.raw)).aggregate(v)
        parts[f"m{i}_sum"] = exact_sum(_number, lambda v: v.number.notnull()).aggregate(v)
    return rows.aggregate(**parts)


# --- extreme amounts ----------------------------------------------------------------------

FENCE_IQRS = 4.0
"""Amounts beyond the upper quartile by this many interquartile ranges (on the log scale) are
extreme: about 6 standard deviations for log-normal amounts, 140 times the scale of a Pareto
tail with alpha 2.5, while a $10^12 typo or a test order stands out by orders of magnitude."""
MIN_LOG_IQR = math.log(2)
"""Where nearly every buyer pays the same, the spread used for the fence is at least this."""
MIN_BUYERS = 100
"""Quartiles of fewer buyers are too rough to call anything extreme."""
FENCE_DIGITS = 6
"""The fence and the typical amount keep 6 significant digits: engines interpolate quartiles
in different orders (the last bit differs), and the cap must be the same on every engine."""

Fetch = Callable[[ir.Table], Mapping[str, Any]]


def _significant(value: float) -> float:
    return float(f"{value:.{FENCE_DIGITS}g}")


def quartiles_expression(
    experiment: Experiment, rows: ir.Table, exact_quantiles: bool = True
) -> ir.Table:
    """One scan: per revenue metric the buyers' log-amount quartiles, largest amount, count."""
    parts: dict[str, ir.Scalar] = {}
    revenue = [m for m in experiment.metrics if m.kind == "revenue"]
    rows, values = computed_once(rows, [Values.of(rows, m) for m in revenue], per_row=False)
    for i, v in enumerate(values):
        log = ibis.ifelse(v.positive, v.number, 1.0).ln()
        for q, name in ((0.25, "low"), (0.5, "middle"), (0.75, "high")):
            quantile = log.quantile if exact_quantiles else log.approx_quantile
            parts[f"m{i}_{name}"] = quantile(q, where=v.positive)
        parts[f"m{i}_largest"] = v.number.max(where=v.positive)
        parts[f"m{i}_buyers"] = count(_positive).aggregate(v)
    return rows.aggregate(**parts)


def amount_caps(
    experiment: Experiment, rows: ir.Table, fetch: Fetch, exact_quantiles: bool = True
) -> list[AmountCap]:
    """Caps for revenue metrics with amounts far beyond the bulk (one or two cheap scans).

    The fence is ``exp(Q3 + 4 * IQR)`` of the buyers' log amounts (quartiles are robust: a
    handful of absurd values cannot move them). Only when some amount is beyond it does a
    second scan count those amounts and their share of the total. `fetch` runs a one-row
    expression; engines without exact quantiles (BigQuery, Trino) use approximate ones.
    """
    revenue = [m for m in experiment.metrics if m.kind == "revenue"]
    if not revenue:
        return []
    quartiles = fetch(quartiles_expression(experiment, rows, exact_quantiles))
    fences: dict[int, tuple[float, float, float]] = {}
    for i, _ in enumerate(revenue):
        low, middle, high = (quartiles[f"m{i}_{n}"] for n in ("low", "middle", "high"))
        largest, buyers = quartiles[f"m{i}_largest"], int(quartiles[f"m{i}_buyers"] or 0)
        if largest is None or low is None or buyers < MIN_BUYERS:
            continue
        fence = _significant(math.exp(high + FENCE_IQRS * max(high - low, MIN_LOG_IQR)))
        if float(largest) > fence:
            fences[i] = (fence, _significant(math.exp(middle)), float(largest))
    if not fences:
        return []
    counts: dict[str, ir.Scalar] = {}
    rows, values = computed_once(rows, [Values.of(rows, m) for m in revenue], per_row=False)
    for i, (fence, _, _) in fences.items():
        v = values[i]

        def beyond(v: Values, fence: float = fence) -> ir.BooleanValue:
            return v.number > fence

        counts[f"m{i}_extremes"] = count(beyond).aggregate(v)
        counts[f"m{i}_extreme_sum"] = exact_sum(_number, beyond).aggregate(v)
        counts[f"m{i}_total"] = exact_sum(_number, lambda v: v.number >= 0).aggregate(v)
    totals = fetch(rows.aggregate(**counts))
    caps = []
    for i, (fence, typical, largest) in fences.items():
        extreme_sum, total = (Decimal(totals[f"m{i}_{n}"] or 0) for n in ("extreme_sum", "total"))
        caps.append(
            AmountCap(
                metric=revenue[i].name,
                cap=fence,
                typical=typical,
                extremes=int(totals[f"m{i}_extremes"] or 0),
                largest=largest,
                share=float(Fraction(extreme_sum) / Fraction(total)) if total else 0.0,
            )
        )
    return caps


# --- adjust_for: levels or quantile buckets ----------------------------------------------

ADJUST_BUCKETS = 10
"""A numeric adjust_for column with more distinct values than this is cut at its deciles."""
NON_FINITE = words_pattern(("inf", "infinity", "nan")).replace("(?:", "[-+]?(?:", 1)
"""Text that names a value that is not finite: in a numeric adjust_for column, missing."""


@dataclass(frozen=True)
class Buckets:
    """How an adjust_for column groups the cells: its own levels, or numeric quantile buckets."""

    column: str
    cuts: tuple[float, ...] = ()  # upper edges of every bucket but the last; () = own levels

    def level(self, rows: ir.Table) -> ir.Value:
        """The column's level per row: as written, or 'bucket 01' .. 'bucket NN' for numbers
        (NaN, infinities and missing values are ``(missing)``)."""
        raw = rows[self.column]
        if not self.cuts:
            return level(raw)
        number = read_number(raw)
        cases = [(number.isnull(), MISSING_LEVEL)]
        cases += [(number <= cut, f"bucket {i + 1:02d}") for i, cut in enumerate(self.cuts)]
        return ibis.cases(*cases, else_=f"bucket {len(self.cuts) + 1:02d}")


def _not_a_number(raw: ir.Value, number: ir.FloatingValue) -> ir.BooleanValue:
    """Text present that is no number at all (NaN and infinities are numbers, not finite)."""
    present = ~is_missing(raw) & number.isnull()
    return present & ~raw.cast(dt.string).re_search(NON_FINITE).fill_null(False)


def adjust_buckets(
    experiment: Experiment, rows: ir.Table, fetch: Fetch, exact_quantiles: bool = True
) -> list[Buckets]:
    """How each adjust_for column enters the cells (two cheap scans at most).

    A column whose every value is a number and that has more than :data:`ADJUST_BUCKETS`
    distinct finite values is cut at its deciles (ties merge buckets; NaN and infinities join
    the missing values); any other column is used level by level. Cuts keep 6 significant
    digits (:data:`FENCE_DIGITS`), so every engine cuts at the same values.
    """
    columns = experiment.adjust_for
    if not columns:
        return []
    parts: dict[str, ir.Scalar] = {}
    for i, column in enumerate(columns):
        number = read_number(rows[column])
        if column_kind(rows[column]) == "text":
            parts[f"c{i}_text"] = rows.count(where=_not_a_number(rows[column], number))
        parts[f"c{i}_distinct"] = number.nunique()
    counts = fetch(rows.aggregate(**parts))
    numeric = {
        i: column
        for i, column in enumerate(columns)
        if not int(counts.get(f"c{i}_text") or 0)
        and int(counts[f"c{i}_distinct"] or 0) > ADJUST_BUCKETS
    }
    if not numeric:
        return [Buckets(c) for c in columns]
    shares = [k / ADJUST_BUCKETS for k in range(1, ADJUST_BUCKETS)]
    quantiles: dict[str, ir.Scalar] = {}
    for i, column in numeric.items():
        number = read_number(rows[column])
        quantile = number.quantile if exact_quantiles else number.approx_quantile
        for k, share in enumerate(shares):
            quantiles[f"c{i}_q{k}"] = quantile(share)
    found = fetch(rows.aggregate(**quantiles))
    cuts = {
        i: tuple(sorted({_significant(float(found[f"c{i}_q{k}"])) for k in range(len(shares))}))
        for i in numeric
    }
    return [Buckets(c, cuts.get(i, ())) for i, c in enumerate(columns)]
