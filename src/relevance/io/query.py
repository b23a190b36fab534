"""The one cells query: a GROUP BY per arm x segment cell, rendered for each SQL engine.

Files (DuckDB) and warehouses (PostgreSQL, DuckDB database files) run the same SQL, with
the few engine-specific spellings taken from a :class:`Dialect`; the row checks use the same
conditions for bad values (:func:`outcome_problems`), so a count and its example row agree.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from relevance.config import Experiment, MetricConfig
from relevance.io.cells import MISSING_LEVEL, AmountCap, stat_column

# Sums are added up as exact fixed-point decimals (12 digits after the point), so the cells do
# not depend on row order or on how DuckDB splits the work between threads: same file, same
# cells, same fingerprint, same posterior.
EXACT_SUM = "DECIMAL(38, 12)"
SQUARES_DIGITS = 4
"""Sums of squared amounts keep 4 decimals (exact for amounts in cents) and so have room for
amounts up to 10^17, further than the sums themselves (10^13)."""
ROW_NUMBER = "__relevance_row__"


def quote(identifier: str) -> str:
    """A SQL identifier, quoted so that spaces and quotes in column names are safe."""
    return '"' + identifier.replace('"', '""') + '"'


ColumnKind = Literal["number", "boolean", "text"]
TRUE_WORDS = "'true', 't'"
FALSE_WORDS = "'false', 'f'"
"""How pandas (True/False), PostgreSQL (t/f) and others export booleans, in any case."""


# Text that DuckDB's TRY_CAST(... AS DOUBLE) accepts and that has no underscore: decimal or
# exponent notation with optional sign and surrounding whitespace; nan, inf, infinity.
# Groups are non-capturing: PostgreSQL then matches with its DFA alone.
_DIGITS = "[0-9]+"
NUMBER_PATTERN = (
    rf"^\s*[-+]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:e[-+]?{_DIGITS})?"
    r"|inf|infinity|nan)\s*$"
)


@dataclass(frozen=True)
class Dialect:
    """How one database spells the few expressions the cells query needs (DuckDB here).

    ``kinds`` gives the kind of a column when known (``number``, ``boolean``, ``text``); for
    PostgreSQL a column not listed is treated as text, which is always correct, only slower.
    """

    name: str
    kinds: Mapping[str, ColumnKind] = field(default_factory=dict)

    def to_double(self, column: str, booleans: bool = False) -> str:
        """The column as a double, NULL where the value is not a number.

        DuckDB reads '1_000' as 1000; a digit separator in an export is more likely a broken
        value than a number, so text with an underscore is not a number here. With
        `booleans` (0/1 outcomes), true/false and t/f in any case read as 1/0, as pandas,
        PostgreSQL and Parquet write them.
        """
        raw = quote(column)
        text = f"CAST({raw} AS VARCHAR)"
        number = (
            f"TRY_CAST(CASE WHEN strpos({text}, '_') > 0 OR lower({text}) IN ('true', 'false') "
            f"THEN NULL ELSE {raw} END AS DOUBLE)"
        )
        if not booleans:
            return number
        word = f"lower(trim(CAST({raw} AS VARCHAR)))"
        return f"CASE WHEN {word} IN ({TRUE_WORDS}) THEN 1.0 WHEN {word} IN ({FALSE_WORDS}) THEN 0.0 ELSE {number} END"

    def isnan(self, value: str) -> str:
        """True where `value` is NaN (NULL stays NULL)."""
        return f"isnan({value})"

    def isinf(self, value: str) -> str:
        """True where `value` is +-infinity (NULL stays NULL)."""
        return f"isinf({value})"

    def exact_sum(self, expression: str, where: str, digits: int = 12) -> str:
        """Sum of `expression` where `where` holds, as exact fixed-point (`digits` decimals)."""
        exact = EXACT_SUM if digits == 12 else f"DECIMAL(38, {digits})"
        return (
            f"CAST(coalesce(sum(CASE WHEN {where} THEN CAST({expression} AS {exact}) END), 0) "
            "AS DOUBLE)"
        )

    def relation(self, relation: str, columns: Sequence[tuple[str, bool]]) -> str:
        """The relation the cells are computed from (a dialect may add derived columns);
        `columns` are (column, booleans) pairs as :meth:`to_double` reads them."""
        return relation

    def quantile(self, expression: str, share: float, where: str) -> str:
        """The exact `share` quantile of `expression` over the rows where `where` holds."""
        return f"quantile_cont({expression}, {share}) FILTER (WHERE {where})"


@dataclass(frozen=True)
class PostgresDialect(Dialect):
    """PostgreSQL: no TRY_CAST, isnan or isinf; NaN equals NaN and sorts above all numbers."""

    name: str = "postgresql"

    def to_double(self, column: str, booleans: bool = False) -> str:
        raw = quote(column)
        kind = self.kinds.get(column, "text")
        if kind == "number":
            return f"CAST({raw} AS double precision)"
        if kind == "boolean":  # a flag: 1/0 for a 0/1 outcome, never an amount
            return (
                f"CAST(CAST({raw} AS integer) AS double precision)"
                if booleans
                else ("CAST(NULL AS double precision)")
            )
        return quote(self._parsed(column, booleans))  # parsed once per row in `relation`

    def isnan(self, value: str) -> str:
        return f"({value} = 'NaN'::double precision)"

    def isinf(self, value: str) -> str:
        return f"({value} IN ('Infinity'::double precision, '-Infinity'::double precision))"

    def exact_sum(self, expression: str, where: str, digits: int = 12) -> str:
        """DuckDB's CAST(x AS DECIMAL(38, 12)) rounds x * 1e12 (a double product) half away
        from zero; its DECIMAL -> DOUBLE is correctly rounded. The same steps here (one bigint
        per row, summed exactly as numeric, scaled exactly, then correctly rounded to double)
        give bit-identical sums."""
        y = f"(({expression}) * CAST(1e{digits} AS double precision))"
        rounded = f"(trunc({y}) + CASE WHEN abs({y} - trunc({y})) >= 0.5 THEN sign({y}) ELSE 0 END)"
        return (
            f"CAST(coalesce(sum(CASE WHEN {where} THEN CAST({rounded} AS bigint) END), 0) "
            f"* 1e-{digits} AS double precision)"
        )

    def quantile(self, expression: str, share: float, where: str) -> str:
        return (
            f"percentile_cont({share}) WITHIN GROUP (ORDER BY {expression}) FILTER (WHERE {where})"
        )

    @staticmethod
    def _parsed(column: str, booleans: bool) -> str:
        kind = "flag" if booleans else "number"
        return f"__relevance_{kind}_" + hashlib.sha256(column.encode()).hexdigest()[:12]

    def relation(self, relation: str, columns: Sequence[tuple[str, bool]]) -> str:
        """Text columns parsed once per row: the regex is the cost, and inlined into every
        aggregate it would run ten times. ``unnest(ARRAY[x])`` (one row per row) keeps the
        planner from inlining it while, unlike an ``OFFSET 0`` fence, allowing a parallel scan.
        """
        text = [c for c in dict.fromkeys(columns) if self.kinds.get(c[0], "text") == "text"]
        if not text:
            return relation
        parsed = []
        for column, booleans in text:
            value = f"CAST({quote(column)} AS text)"
            words = ""
            if booleans:
                word = f"lower(btrim({value}))"
                words = f"WHEN {word} IN ({TRUE_WORDS}) THEN 1.0 WHEN {word} IN ({FALSE_WORDS}) THEN 0.0 "
            number = (
                f"CASE {words}WHEN {value} ~* '{NUMBER_PATTERN}' "
                f"THEN CAST({value} AS double precision) END"
            )
            name = quote(self._parsed(column, booleans))
            parsed.append(f"unnest(ARRAY[{number}]) AS {name}")
        return f"(SELECT *, {', '.join(parsed)} FROM {relation}) AS parsed"


DUCKDB = Dialect("duckdb")
POSTGRES = PostgresDialect()


def read_as(metrics: Sequence[MetricConfig]) -> list[tuple[str, bool]]:
    """Each metric's column and whether true/false count as 1/0 (binary metrics)."""
    return [(m.column, m.kind == "binary") for m in metrics]


def _read_all(experiment: Experiment) -> list[tuple[str, bool]]:
    """Every column the cells query reads as a number: metrics, delivery flag, adjust_for."""
    columns = read_as(experiment.metrics)
    if experiment.data.delivered:
        columns.append((experiment.data.delivered, True))
    return columns + [(c, False) for c in experiment.adjust_for]


ADJUST_BUCKETS = 10
"""A numeric adjust_for column with more distinct values than this is cut at its deciles."""


@dataclass(frozen=True)
class Buckets:
    """How an adjust_for column groups the cells: its own levels, or numeric quantile buckets."""

    column: str
    cuts: tuple[float, ...] = ()  # upper edges of every bucket but the last; () = own levels

    def expression(self, d: Dialect) -> str:
        """The column's level per row (text): as written, or 'bucket 01' .. for numbers."""
        raw = quote(self.column)
        if not self.cuts:
            return f"coalesce(CAST({raw} AS VARCHAR), '{MISSING_LEVEL}')"
        value = d.to_double(self.column)
        cases = " ".join(
            f"WHEN {value} <= {cut!r} THEN 'bucket {i + 1:02d}'" for i, cut in enumerate(self.cuts)
        )
        last = f"bucket {len(self.cuts) + 1:02d}"
        missing = f"{value} IS NULL OR NOT ({_finite(d, value)})"
        return f"CASE WHEN {missing} THEN '{MISSING_LEVEL}' {cases} ELSE '{last}' END"


def adjust_buckets(
    experiment: Experiment,
    relation: str,
    fetch: Callable[[str], list[tuple[Any, ...]]],
    dialect: Dialect = DUCKDB,
) -> list[Buckets]:
    """How each adjust_for column enters the cells (two cheap queries at most).

    A column whose every value is a number and that has more than ``ADJUST_BUCKETS``
    distinct values is cut at its deciles (ties merge buckets; NaN and infinities join the
    missing values); any other column is used level by level.
    """
    columns = experiment.adjust_for
    if not columns:
        return []
    parts = []
    for column in columns:
        value = dialect.to_double(column)
        parts.append(f"count(*) FILTER (WHERE {quote(column)} IS NOT NULL AND {value} IS NULL)")
        parts.append(f"count(DISTINCT {value}) FILTER (WHERE {_finite(dialect, value)})")
    source = dialect.relation(relation, [(c, False) for c in columns])
    (row,) = fetch(f"SELECT {', '.join(parts)} FROM {source}")
    numeric = [
        c for i, c in enumerate(columns) if not row[2 * i] and row[2 * i + 1] > ADJUST_BUCKETS
    ]
    if not numeric:
        return [Buckets(c) for c in columns]
    shares = [k / ADJUST_BUCKETS for k in range(1, ADJUST_BUCKETS)]
    parts = [
        dialect.quantile(dialect.to_double(c), share, _finite(dialect, dialect.to_double(c)))
        for c in numeric
        for share in shares
    ]
    (row,) = fetch(
        f"SELECT {', '.join(parts)} FROM {dialect.relation(relation, [(c, False) for c in numeric])}"
    )
    cuts = {
        c: tuple(sorted({float(v) for v in row[i * len(shares) : (i + 1) * len(shares)]}))
        for i, c in enumerate(numeric)
    }
    return [Buckets(c, cuts.get(c, ())) for c in columns]


def _finite(d: Dialect, value: str) -> str:
    return f"NOT {d.isnan(value)} AND NOT {d.isinf(value)}"


def outcome_problems(metric: MetricConfig, d: Dialect = DUCKDB) -> dict[str, str]:
    """SQL conditions, one per kind of bad outcome value, true on a row with that problem.

    The cells count them (missing, invalid, negative for revenue, nonbinary for binary
    metrics) and the row checks find the first such row with the very same conditions. Every
    row with a value that is not a finite number is `invalid`.
    """
    raw, value = quote(metric.column), d.to_double(metric.column, metric.kind == "binary")
    problems = {
        "missing": f"{raw} IS NULL",
        "invalid": f"{raw} IS NOT NULL AND ({value} IS NULL OR NOT ({_finite(d, value)}))",
    }
    if metric.kind == "binary":
        problems["nonbinary"] = f"{value} NOT IN (0, 1) AND {_finite(d, value)}"
    else:
        problems["negative"] = f"{value} < 0 AND NOT {d.isinf(value)}"
    return problems


def _metric_parts(
    metric: MetricConfig, d: Dialect, cap: float | None = None
) -> list[tuple[str, str]]:
    """(expression, output column) pairs of a metric's statistics, robust to bad values.

    With a `cap` (see :func:`amount_caps`), amounts above it enter the sums at the cap.
    """
    value, name = d.to_double(metric.column, metric.kind == "binary"), metric.name
    problems = outcome_problems(metric, d)
    quality = [
        (problems["missing"], "missing"),
        (problems["invalid"], "invalid"),
        (f"{value} < 0 AND NOT {d.isinf(value)}", "negative"),
    ]

    def count(where: str, stat: str) -> tuple[str, str]:
        return f"count(*) FILTER (WHERE {where})", stat_column(name, stat)

    if metric.kind == "binary":
        counts = [(f"{value} IN (0, 1)", "n"), (f"{value} = 1", "ones"), *quality]
        counts.append((problems["nonbinary"], "nonbinary"))
        return [count(where, stat) for where, stat in counts]
    valid = f"{value} >= 0 AND {_finite(d, value)}"
    positive = f"{value} > 0 AND {_finite(d, value)}"  # NaN sorts above every number
    amount = value if cap is None else f"LEAST({value}, {cap!r})"
    log = f"ln({amount})"
    return [
        count(valid, "n"),
        count(positive, "buyers"),
        (d.exact_sum(amount, positive), stat_column(name, "sum")),
        (d.exact_sum(log, positive), stat_column(name, "sum_log")),
        (d.exact_sum(f"{log} * {log}", positive), stat_column(name, "sum_log_sq")),
        (
            d.exact_sum(f"{amount} * {amount}", positive, SQUARES_DIGITS),
            stat_column(name, "sum_sq"),
        ),
        *(count(where, stat) for where, stat in quality),
    ]


def cells_columns(experiment: Experiment) -> list[str]:
    """The cells query's output columns, in order: arm, segments, adjust_for columns, n,
    metric statistics, then the delivery counts when ``data.delivered`` is set."""
    stats = [column for m in experiment.metrics for _, column in _metric_parts(m, DUCKDB)]
    delivery = list(DELIVERY_COLUMNS) if experiment.data.delivered else []
    return ["arm", *experiment.segments, *experiment.adjust_for, "n", *stats, *delivery]


DELIVERY_COLUMNS = ("delivered", "delivered_invalid")


def _delivery_parts(column: str, d: Dialect) -> list[str]:
    """Per cell: recipients marked delivered (1), and values that are not 0/1 (NULL is 0)."""
    value = d.to_double(column, booleans=True)
    return [
        f"count(*) FILTER (WHERE {value} = 1) AS delivered",
        f"count(*) FILTER (WHERE {quote(column)} IS NOT NULL AND ({value} IS NULL OR "
        f"NOT ({_finite(d, value)}) OR {value} NOT IN (0, 1))) AS delivered_invalid",
    ]


def cells_query(
    experiment: Experiment,
    relation: str,
    dialect: Dialect = DUCKDB,
    caps: Sequence[AmountCap] = (),
    buckets: Sequence[Buckets] = (),
) -> str:
    """One GROUP BY over `relation` (a table function or subquery) producing the cells.

    Arm labels are taken exactly as written: a label that matches an arm only after trimming
    spaces or changing case is kept apart, so the checks can refuse it with a "did you mean"
    instead of silently merging it into that arm. Revenue amounts beyond their metric's cap
    (extreme values, :func:`amount_caps`) are counted at the cap. Adjust_for columns group
    the cells too, bucketed as `buckets` says (:func:`adjust_buckets`; levels as written when
    not given).
    """
    cap_of = {c.metric: c.cap for c in caps}
    arm = f"CAST({quote(experiment.data.arm)} AS VARCHAR) AS arm"
    segments = [
        f"coalesce(CAST({quote(s)} AS VARCHAR), '{MISSING_LEVEL}') AS {quote(s)}"
        for s in experiment.segments
    ]
    bucket_of = {b.column: b for b in buckets}
    segments += [
        f"{bucket_of.get(c, Buckets(c)).expression(dialect)} AS {quote(c)}"
        for c in experiment.adjust_for
    ]
    stats = [
        f"{expression} AS {quote(column)}"
        for m in experiment.metrics
        for expression, column in _metric_parts(m, dialect, cap_of.get(m.name))
    ]
    if experiment.data.delivered:
        stats += _delivery_parts(experiment.data.delivered, dialect)
    select = ",\n  ".join([arm, *segments, "count(*) AS n", *stats])
    group = ", ".join(str(i + 1) for i in range(len(segments) + 1))
    source = dialect.relation(relation, _read_all(experiment))
    return f"SELECT\n  {select}\nFROM {source}\nGROUP BY {group}\nORDER BY {group}"


def fingerprint_query(experiment: Experiment, relation: str, dialect: Dialect = DUCKDB) -> str:
    """A cheap scan (no GROUP BY): row count, and per metric its non-null count and sum."""
    parts = ["count(*)"]
    for metric in experiment.metrics:
        value = dialect.to_double(metric.column, metric.kind == "binary")
        parts += [
            f"count({quote(metric.column)})",
            dialect.exact_sum(value, _finite(dialect, value)),
        ]
    source = dialect.relation(relation, read_as(experiment.metrics))
    return f"SELECT {', '.join(parts)} FROM {source}"


FENCE_IQRS = 4.0
"""Amounts beyond the upper quartile by this many interquartile ranges (on the log scale) are
extreme: about 6 standard deviations for log-normal amounts, 140 times the scale of a Pareto
tail with alpha 2.5, while a $10^12 typo or a test order stands out by orders of magnitude."""
MIN_LOG_IQR = math.log(2)
"""Where nearly every buyer pays the same, the spread used for the fence is at least this."""
MIN_BUYERS = 100
"""Quartiles of fewer buyers are too rough to call anything extreme."""


def amount_caps(
    experiment: Experiment,
    relation: str,
    fetch: Callable[[str], list[tuple[Any, ...]]],
    dialect: Dialect = DUCKDB,
) -> list[AmountCap]:
    """Caps for revenue metrics with amounts far beyond the bulk (two cheap queries).

    The fence is ``exp(Q3 + 4 * IQR)`` of the buyers' log amounts (quartiles are robust: a
    handful of absurd values cannot move them). Only when some amount is beyond it does a
    second query count those amounts and their share of the total.
    """
    revenue = [m for m in experiment.metrics if m.kind == "revenue"]
    if not revenue:
        return []
    parts = []
    for metric in revenue:
        value = dialect.to_double(metric.column)
        positive = f"{value} > 0 AND {_finite(dialect, value)}"
        log = f"ln({value})"
        parts += [dialect.quantile(log, q, positive) for q in (0.25, 0.5, 0.75)]
        parts.append(f"max({value}) FILTER (WHERE {positive})")
        parts.append(f"count(*) FILTER (WHERE {positive})")
    source = dialect.relation(relation, read_as(revenue))
    (row,) = fetch(f"SELECT {', '.join(parts)} FROM {source}")
    fences = {}
    for i, metric in enumerate(revenue):
        low, middle, high, largest, buyers = row[5 * i : 5 * i + 5]
        if largest is None or low is None or buyers < MIN_BUYERS:
            continue
        fence = math.exp(high + FENCE_IQRS * max(high - low, MIN_LOG_IQR))
        if largest > fence:
            fences[metric] = (fence, math.exp(middle), float(largest))
    if not fences:
        return []
    counts = []
    for metric, (fence, _, _) in fences.items():
        value = dialect.to_double(metric.column)
        finite = f"{value} >= 0 AND {_finite(dialect, value)}"
        counts += [
            f"count(*) FILTER (WHERE {value} > {fence!r} AND {finite})",
            f"sum({value}) FILTER (WHERE {value} > {fence!r} AND {finite})",
            f"sum({value}) FILTER (WHERE {finite})",
        ]
    source = dialect.relation(relation, read_as(list(fences)))
    (row,) = fetch(f"SELECT {', '.join(counts)} FROM {source}")
    caps = []
    for i, (metric, (fence, typical, largest)) in enumerate(fences.items()):
        extremes, extreme_sum, total = row[3 * i : 3 * i + 3]
        caps.append(
            AmountCap(
                metric=metric.name,
                cap=fence,
                typical=typical,
                extremes=int(extremes or 0),
                largest=largest,
                share=float(extreme_sum or 0) / float(total) if total else 0.0,
            )
        )
    return caps
