"""Plain-language numbers and sentences for marketers: per 1,000 recipients, no jargon."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from relevance.config import MetricConfig
from relevance.results import PER, Uplift, Verdict


def number(value: float, signed: bool = False) -> str:
    """A number with sensible precision, thousands separated: 3 significant figures from 1 up,
    2 below 1 (at least 2 decimals), so small effects never print as "0.00"."""
    if value is None or math.isnan(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{value:,.0f}"
    elif magnitude >= 10:
        text = f"{value:,.1f}"
    elif magnitude >= 1:
        text = f"{value:,.2f}"
    elif magnitude > 0:
        decimals = min(max(2, 1 - math.floor(math.log10(magnitude))), 12)
        text = f"{value:.{decimals}f}"
    else:
        text = "0.00"
    text = text.replace("-", "−")
    if signed and value > 0:
        text = "+" + text
    return text


def likelihood_ratio(value: float) -> str:
    """A likelihood ratio as people read it: '20', '2.27', '1,256,093'."""
    if value >= 1e9:
        return "over a billion"
    if value >= 100 or value == round(value):
        return f"{value:,.0f}"
    return number(value)


def percent(probability: float) -> str:
    """A probability as a whole percentage, never claiming certainty (">99%", "<1%")."""
    if probability > 0.99:
        return ">99%"
    if probability < 0.01:
        return "<1%"
    return f"{probability * 100:.0f}%"


def amount(
    metric: MetricConfig, per_recipient: float, currency: str = "", signed: bool = True
) -> str:
    """An effect per 1,000 recipients in the metric's own words: '+4.2 purchases'."""
    symbol = metric.symbol(currency)
    return f"{money(per_recipient * PER, symbol, signed=signed)} {metric.display}"


def span(low: float, high: float, currency: str = "") -> str:
    """'2.0 to 6.3' for a per-recipient interval shown per 1,000 recipients."""
    return f"{money(low * PER, currency)} to {money(high * PER, currency)}"


def interval(low: float, high: float, share: float, currency: str = "") -> str:
    """'95%: 2.0 to 6.3' for a per-recipient interval shown per 1,000 recipients."""
    return f"{share * 100:.0f}%: {span(low, high, currency)}"


def money(value: float, currency: str = "", signed: bool = False) -> str:
    """A number with the currency symbol after the sign: '−$85.6', '+$12.0'."""
    text = number(value, signed=signed)
    if not currency:
        return text
    sign = text[0] if text[:1] in "+−" else ""
    return f"{sign}{currency}{text[len(sign) :]}"


def version_label(version: str) -> str:
    """'Version B' for a short label, the label itself when it is already a name."""
    return f"Version {version}" if len(version) <= 3 else version


def band(metric: MetricConfig, currency: str = "") -> str:
    """The metric's ROPE in words: '±1.00 purchases per 1,000 recipients'."""
    symbol = metric.symbol(currency)
    width = metric.rope * PER
    text = f"{width:,.0f}" if width == round(width) else number(width)
    return f"±{symbol}{text} {metric.display} per 1,000 recipients"


def uplift_sentence(metric: MetricConfig, uplift: Uplift, share: float, currency: str = "") -> str:
    """One sentence on a version's effect on one metric against sending nothing.

    The chances quoted are the ones the verdict uses: beyond the ROPE, not merely above zero.
    """
    who = version_label(uplift.version)
    symbol = metric.symbol(currency)
    effect = (
        f"{amount(metric, uplift.uplift_mean, currency)} per 1,000 recipients "
        f"({interval(uplift.uplift_low, uplift.uplift_high, share, symbol)})"
    )
    if uplift.verdict is Verdict.BEATS:
        return f"Sending {who} is very likely better than sending nothing: {effect}."
    if uplift.verdict is Verdict.HARMFUL:
        return f"Sending {who} is very likely worse than sending nothing: {effect}."
    if uplift.verdict is Verdict.IRRELEVANT:
        return (
            f"{who} is practically the same as sending nothing: {effect}, within "
            f"{band(metric, currency)} that you set as practically nothing."
        )
    return (
        f"We cannot tell yet whether {who} beats sending nothing: {effect}; chance it beats "
        f"sending nothing by more than {band(metric, currency)}: "
        f"{percent(uplift.p_better_beyond_rope)}."
    )


def guardrail_sentence(
    metric: MetricConfig, uplift: Uplift, share: float, probability: float, currency: str = ""
) -> str:
    """A guardrail's effect and whether it counts as harm, with the band it is judged against."""
    who = version_label(uplift.version)
    symbol = metric.symbol(currency)
    relative = (
        "" if uplift.relative_mean is None else f", {uplift.relative_mean:+.0%}".replace("-", "−")
    )
    effect = (
        f"{who}: {amount(metric, uplift.uplift_mean, currency)} per 1,000 recipients "
        f"({interval(uplift.uplift_low, uplift.uplift_high, share, symbol)}{relative})"
    )
    if uplift.p_worse_beyond_rope >= probability:
        return (
            f"{effect}: worse than sending nothing beyond {band(metric, currency)} (chance "
            f"{percent(uplift.p_worse_beyond_rope)}), so {who} counts as harmful."
        )
    return (
        f"{effect}: not beyond {band(metric, currency)} that you set as practically nothing "
        f"(chance of harm beyond it {percent(uplift.p_worse_beyond_rope)}), so not counted as harm."
    )


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _utc(moment: str) -> datetime:
    """An ISO date or time in UTC; one without a time zone (or a bare date) is read as UTC."""
    parsed = datetime.fromisoformat(moment)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def when(moment: str | None) -> str:
    """An ISO time as people write it: '30 November 2026, 07:12 UTC'."""
    return _written(moment, with_time=True)


def day(moment: str | None) -> str:
    """An ISO date (or time) as the day people write: '30 November 2026' (UTC)."""
    return _written(moment, with_time=False)


def _written(moment: str | None, with_time: bool) -> str:
    """A date (and time) as people write it; text that is not ISO is shown as it is."""
    if not moment:
        return "unknown date"
    try:
        parsed = _utc(moment)
    except ValueError:
        return moment
    written = f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"
    return f"{written}, {parsed:%H:%M} UTC" if with_time else written


def recipients_phrase(extra: int | None) -> str:
    """How many more recipients would likely settle an inconclusive verdict."""
    if extra is None:
        return "More data is unlikely to settle it unless the effect moves."
    rounded = float(f"{extra:.2g}")
    return f"About {rounded:,.0f} more recipients (same split) would likely settle it."


def adjustment_sentence(
    columns: list[str],
    bucketed: list[str],
    metric: MetricConfig,
    narrowing: dict[str, float],
    noise: float = 0.0,
) -> str:
    """What the pre-period adjustment was and how much it narrowed the verdict's interval;
    changes within twice the sampling `noise` of the comparison are called 'about the same'."""
    names = ", ".join(
        f"`{c}`" + (" (10 quantile buckets)" if c in bucketed else "") for c in columns
    )

    def change(n: float) -> str:
        if abs(n) <= 2 * noise:
            return f"about the same (within the sampling noise of ±{2 * noise:.0%})"
        return f"{abs(n):.0%} {'narrower' if n >= 0 else 'wider'}"

    changes = "; ".join(f"{version_label(v)} {change(n)}" for v, n in narrowing.items())
    return (
        f"Adjusted for what was known before the send: {names}. The effects are still the "
        f"average over everyone assigned; the adjustment only sharpens them. The range for "
        f"{metric.display} against sending nothing, compared with no adjustment: {changes}."
    )


def delivered_sentence(
    metric: MetricConfig,
    version: str,
    rate: float,
    mean: float,
    low: float,
    high: float,
    share: float,
    currency: str = "",
) -> str:
    """The effect on delivered recipients, worded as secondary to the verdict."""
    symbol = metric.symbol(currency)
    return (
        f"{version_label(version)} reached {rate:.1%} of the recipients it was assigned to. "
        f"Among those it reached: {amount(metric, mean, currency)} per 1,000 "
        f"({interval(low, high, share, symbol)}). The verdict stays on everyone assigned."
    )


def percent_share(share: float) -> str:
    """A share of people as a percentage: '38%', and one decimal below 10% ('5.1%')."""
    if share is None or math.isnan(share):
        return "n/a"
    if 0 < abs(share) < 0.000995:  # a few in ten thousand: two significant digits
        return f"{share * 100:.2g}%".replace("-", "−")
    if 0 < abs(share) < 0.0995:  # below 9.95%, which one decimal would show as '10.0%'
        return f"{share * 100:.1f}%".replace("-", "−")
    return f"{share * 100:.0f}%".replace("-", "−")
