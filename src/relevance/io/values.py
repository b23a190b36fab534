"""How a value reads, the same on every engine: numbers, flags, exact fixed-point sums.

Each engine's own cast would read different text as a number ('1_000', 'inf', '1d', '0x10'),
round differently (PostgreSQL rounds half to even) and add doubles in an order of its own.
These Ibis expressions decide instead, so that :mod:`relevance.io.query` gives the same
cells, bit for bit, on DuckDB, PostgreSQL, Spark or a warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

EXACT_DECIMALS = 12
"""Digits after the point that exact sums of amounts keep (rounding a double times 10^12 is
the same IEEE arithmetic on every engine)."""
LOG_DECIMALS = 9
"""Digits after the point that sums of log amounts keep. Engines compute logarithms that
differ in the last bit (Spark's StrictMath against the C library, for about one value in
thirty); rounded to 9 decimals such a difference changes a value about once in a billion
rows, at 12 decimals once in a few thousand."""
SCALE = 10**EXACT_DECIMALS
LOG_SCALE = 10**LOG_DECIMALS
MAX_FINITE = 1.7976931348623157e308
"""The largest double: a value is finite when its absolute value is at most this (NaN and
infinity are not, on engines where NaN sorts above every number as on those where it is
unordered)."""

_SPACE = " \t\r\n"
NUMBER_PATTERN = (
    f"^[{_SPACE}]*[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]{{1,2}})?[{_SPACE}]*$"
)
MAX_NUMBER_LENGTH = 64
"""Text that is a finite number on every engine matches NUMBER_PATTERN and is at most 64
characters: optional sign, digits with an optional '.' and a two-digit exponent, spaces
around. No '1_000' (a broken export more likely than a thousand), no '1,5', no 'inf' or
'nan' (not numbers an outcome can have); the bounds keep every engine's cast from
overflowing ('1e400' is an error in PostgreSQL, infinity elsewhere)."""
TRUE_WORDS = ("true", "t")
FALSE_WORDS = ("false", "f")
"""How pandas (True/False), PostgreSQL (t/f) and others export booleans, in any case."""
SENT_TRUE = ("1", "true", "t", "yes", "y")
SENT_FALSE = ("0", "false", "f", "no", "n")


def words_pattern(words: Sequence[str]) -> str:
    """A pattern matching any of `words` in any case with spaces around, e.g. ``[Tt]`` for t.

    Written out letter by letter: engines spell case-insensitive matching differently, and
    trimming a set of characters is slow in DuckDB.
    """
    spelled = [
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word) for word in words
    ]
    return f"^[{_SPACE}]*(?:{'|'.join(spelled)})[{_SPACE}]*$"


_BARE_NUMBER = NUMBER_PATTERN.replace(f"[{_SPACE}]*", "")
ColumnKind = Literal["number", "boolean", "text"]


def column_kind(value: ir.Value) -> ColumnKind:
    """How a column's values are read: as numbers, as booleans, or as text to parse."""
    dtype = value.type()
    if dtype.is_boolean():
        return "boolean"
    if dtype.is_numeric():
        return "number"
    return "text"


def is_missing(value: ir.Value) -> ir.BooleanValue:
    """True where the value is NULL (and only there: a NaN is a value, not a missing one).

    Ibis reads NaN as NULL on Spark; the second term undoes that, and is false elsewhere.
    """
    if value.type().is_floating():
        return value.isnull() & ~value.isnan().fill_null(False)
    return value.isnull()


def finite(number: ir.FloatingValue) -> ir.BooleanValue:
    """True where a double is a finite number (false for NaN, infinity and NULL)."""
    return (number.abs() <= MAX_FINITE).fill_null(False)


def _null() -> ir.FloatingValue:
    return ibis.null(dt.float64)


def read_number(value: ir.Value, binary: bool = False) -> ir.FloatingValue:
    """The value as a finite double, NULL where it is not one.

    With `binary` (0/1 outcomes), true/false and t/f in any case read as 1/0, and a boolean
    column as 1/0; a boolean is never an amount. Text is a number only as
    :data:`NUMBER_PATTERN` and :data:`MAX_NUMBER_LENGTH` say.
    """
    kind = column_kind(value)
    if kind == "boolean":  # 1/0 for a 0/1 outcome; never an amount (NULL on every row)
        number = value.cast(dt.int32).cast(dt.float64)
        return number if binary else ibis.ifelse(value.isnull(), _null(), _null())
    if kind == "number":
        number = value.cast(dt.float64)
        return ibis.ifelse(finite(number), number, _null())
    text = value.cast(dt.string)
    short = text.length() <= MAX_NUMBER_LENGTH
    number = ibis.cases(
        ((short & text.re_search(_BARE_NUMBER)).fill_null(False), text.cast(dt.float64)),
        ((short & text.re_search(NUMBER_PATTERN)).fill_null(False), text.strip().cast(dt.float64)),
        else_=_null(),
    )  # most numbers have no spaces around: those need no trimming
    if not binary:
        return number
    return ibis.cases(
        (text.re_search(words_pattern(TRUE_WORDS)).fill_null(False), 1.0),
        (text.re_search(words_pattern(FALSE_WORDS)).fill_null(False), 0.0),
        else_=number,
    )


def read_flag(value: ir.Value) -> ir.BooleanValue:
    """A yes/no column (``data.sent``) as true/false: 0/1, true/false, t/f, yes/no, y/n.

    NULL when the value is missing or none of these.
    """
    kind = column_kind(value)
    if kind == "boolean":
        return value
    number = read_number(value)
    flag = ibis.cases((number == 1, True), (number == 0, False), else_=ibis.null(dt.boolean))
    if kind == "number":
        return flag
    text = value.cast(dt.string)
    return ibis.cases(
        (text.re_search(words_pattern(SENT_TRUE)).fill_null(False), True),
        (text.re_search(words_pattern(SENT_FALSE)).fill_null(False), False),
        else_=flag,
    )


def _rounded_size(size: ir.FloatingValue) -> ir.IntegerValue:
    whole = size.floor()
    return whole + ibis.ifelse(size - whole >= 0.5, 1, 0)


def _sign(value: ir.FloatingValue) -> ir.IntegerValue:
    return ibis.ifelse(value < 0, -1, 1)


def rounded(value: ir.FloatingValue) -> ir.IntegerValue:
    """A double rounded half away from zero to a whole number, the same on every engine.

    The fraction ``|x| - floor(|x|)`` is exact in IEEE arithmetic, so the comparison with
    0.5 is too; engines' own ROUND differ (PostgreSQL rounds half to even).
    """
    return _rounded_size(value.abs()) * _sign(value)


def fixed_point(value: ir.FloatingValue, scale: int = SCALE) -> ir.DecimalValue:
    """`value` in units of 1/`scale` (10^-12 by default), as a whole DECIMAL(38, 0).

    Split into its whole part and fraction (both exact) so that amounts up to 9.2e18 keep
    every digit on every engine (a double times 10^12 would not fit 64 bits beyond 9.2e6).
    """
    size = value.abs()
    whole = size.floor()
    fraction = _rounded_size((size - whole) * scale)
    units = whole.cast(dt.Decimal(38, 0)) * scale + fraction.cast(dt.Decimal(38, 0))
    return units * _sign(value)


def exact_total(units: Any, scale: int = SCALE) -> float:
    """A fixed-point total from the engine (a whole number of units) as the nearest double."""
    if units is None:
        return 0.0
    return float(Fraction(Decimal(units)) / scale)
