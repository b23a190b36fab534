"""One look for every page and picture: colours, verdict badges, escaping, tables, charts.

Colour-blind-safe Okabe-Ito palette. A version keeps one colour in every chart, and version
colours are never verdict colours. Every user string that reaches HTML goes through
:func:`esc`. Charts are inline SVG with real text, drawn twice, for a wide and a narrow
screen (CSS shows one), so that no chart text is ever smaller than 11 CSS pixels.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING, Literal

from relevance.results import PER, Verdict

if TYPE_CHECKING:  # matplotlib is imported by whoever draws, not by pages without pictures
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
VERDICT_COLOURS = {
    Verdict.BEATS: "#009E73",
    Verdict.IRRELEVANT: "#7F7F7F",
    Verdict.HARMFUL: "#D55E00",
    Verdict.INCONCLUSIVE: "#E69F00",
}
VERSION_COLOURS = ["#0072B2", "#CC79A7", "#56B4E9", "#000000", "#8C564B", "#17BECF"]
"""Blue, reddish purple, sky blue, black, brown, teal: none of them a verdict colour."""
BADGE_CLASS = {
    Verdict.BEATS: "beats",
    Verdict.IRRELEVANT: "irrelevant",
    Verdict.HARMFUL: "harmful",
    Verdict.INCONCLUSIVE: "inconclusive",
}
ROPE_COLOUR = "#DDDDDD"
INK, MUTED = "#1d1d1f", "#555555"


def version_colour(versions: Sequence[str], version: str) -> str:
    """The colour of `version` in every chart of a report (by its place among the versions)."""
    return VERSION_COLOURS[list(versions).index(version) % len(VERSION_COLOURS)]


def style_axes(ax: Axes, grid: Literal["x", "y"] = "x") -> None:
    """The house style of every chart: no top or right frame, a light grid behind the data."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis=grid, color="#EEEEEE", linewidth=0.8)
    ax.set_axisbelow(True)


def rope_band(ax: Axes, rope: float, vertical: bool = True) -> None:
    """Shade the ROPE (per 1,000 recipients) and draw the zero line, across x or along y."""
    span, line = (ax.axvspan, ax.axvline) if vertical else (ax.axhspan, ax.axhline)
    if rope > 0:
        span(
            -rope * PER, rope * PER, color=ROPE_COLOUR, zorder=0, label="practically nothing (ROPE)"
        )
    line(0, color="#444444", linewidth=1, zorder=1)


class Html:
    """An HTML fragment that notebooks display as HTML (text/html output)."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def esc(value: object) -> str:
    """Escape any user or data string for HTML."""
    return html.escape(str(value), quote=True)


def table(rows: Sequence[Mapping[str, object]], caption: str = "") -> str:
    """Rows (dicts with the same keys) as an escaped HTML table.

    Every cell carries its column's name (``data-label``), so that on a phone the CSS shows
    each row as a small card of "name: value" lines instead of a table wider than the screen.
    The first column is the row's name.
    """
    if not rows:
        return ""
    columns = list(rows[0])
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = [f'<th scope="row" data-label="{esc(columns[0])}">{esc(row[columns[0]])}</th>']
        cells += [f'<td data-label="{esc(c)}">{esc(row[c])}</td>' for c in columns[1:]]
        body.append(f"<tr>{''.join(cells)}</tr>")
    title = f'<p class="caption">{esc(caption)}</p>' if caption else ""
    return (
        f'<div class="table-wrap">{title}<table class="numbers"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


@dataclass(frozen=True)
class Size:
    """A chart's canvas: width in inches (72 SVG units each) and the smallest font in points.

    At its natural width an SVG unit is 4/3 CSS pixels, so a 9-point font is 12 CSS pixels; the
    narrow canvas (3.9 in, 374 CSS pixels) fits a 390-pixel phone with its margins nearly
    unscaled, and the wide one (7 in, 672 CSS pixels) fits the desktop column unscaled.
    """

    name: Literal["wide", "narrow"]
    width: float
    font: float

    def height(self, rows: float, per_row: float = 0.45, extra: float = 1.3) -> float:
        """A height for a chart of `rows` rows (taller on a narrow canvas, where text wraps)."""
        scale = 1.0 if self.name == "wide" else 1.15
        return (per_row * rows + extra) * scale


WIDE = Size("wide", 7.0, 9.5)
NARROW = Size("narrow", 3.9, 9.0)
_SALT = count()


def fit_margins(fig: Figure) -> None:
    """Place the figure's axes so its ticks, labels and legend fit the canvas, measured once.

    A figure asks for this with ``layout="constrained"``; matplotlib's constrained layout
    measures the whole figure several times on every draw, most of a report's drawing time,
    while one measurement fits these one-axes charts (a legend at the figure's bottom). The
    figure is left with no layout engine at all: with one (even a placeholder) saving it
    draws it once more before drawing it into the file.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(
        {"figure.autolayout": False, "figure.constrained_layout.use": False}
    ):
        fig.set_layout_engine(None)
    renderer = FigureCanvasAgg(fig).get_renderer()
    pad = fig.dpi * 4 / 72  # 4 points around everything, as constrained layout leaves
    width, height = fig.bbox.width, fig.bbox.height
    legends = sum(legend.get_window_extent(renderer).height + pad for legend in fig.legends)
    for ax in fig.axes:
        inner, outer = ax.get_window_extent(renderer), ax.get_tightbbox(renderer)
        if outer is None:
            continue
        ax.set_position(
            [
                (inner.x0 - outer.x0 + pad) / width,
                (inner.y0 - outer.y0 + legends + pad) / height,
                1 - (inner.x0 - outer.x0 + outer.x1 - inner.x1 + 2 * pad) / width,
                1 - (inner.y0 - outer.y0 + outer.y1 - inner.y1 + legends + 2 * pad) / height,
            ]
        )


def svg(fig: Figure, size: Size) -> str:
    """The figure as inline SVG markup with real text (no XML prolog, unique ids)."""
    import matplotlib
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fit_margins(fig)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"r{next(_SALT)}"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    prefix = f"{size.name}{next(_SALT)}"  # ids unique across every chart of a page
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", text)  # HTML knows SVG: no URLs in the page
    text = re.sub(r'\sid="([^"]+)"', rf' id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', text)
    return text


def chart_rc(size: Size) -> dict[str, object]:
    """matplotlib settings for a canvas: every text at least `size.font` points."""
    return {
        "font.size": size.font + 0.5,
        "axes.labelsize": size.font + 0.5,
        "axes.titlesize": size.font + 1,
        "xtick.labelsize": size.font,
        "ytick.labelsize": size.font,
        "legend.fontsize": size.font,
        "font.family": "sans-serif",
        "text.parse_math": False,  # '$0-$50' is a label, not a formula
    }


def chart(draw: Callable[[Size], Figure | None], alt: str) -> Html:
    """A chart drawn for a wide and a narrow screen, as inline SVG (CSS shows one of them).

    `draw(size)` builds the figure for a canvas (``None``: nothing to draw). The SVG is
    labelled for screen readers with `alt`.
    """
    import matplotlib

    parts = []
    for size in (WIDE, NARROW):
        with matplotlib.rc_context(chart_rc(size)):
            fig = draw(size)
            if fig is None:
                return Html("")
            markup = svg(fig, size)
        parts.append(
            f'<figure class="chart {size.name}" role="img" aria-label="{esc(alt)}">{markup}</figure>'
        )
    return Html("".join(parts))


def image(fig: Figure | None, alt: str) -> Html:
    """One figure as inline SVG (for pages that draw a single size, such as plans)."""
    if fig is None:
        return Html("")
    return Html(
        f'<figure class="chart any" role="img" aria-label="{esc(alt)}">{svg(fig, WIDE)}</figure>'
    )
