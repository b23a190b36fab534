"""One look for every page and picture: colours, verdict badges, escaping, tables, axes.

Colour-blind-safe Okabe-Ito palette. Every user string that reaches HTML goes through
:func:`esc`.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Literal

import pandas as pd

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
BADGE_CLASS = {
    Verdict.BEATS: "beats",
    Verdict.IRRELEVANT: "irrelevant",
    Verdict.HARMFUL: "harmful",
    Verdict.INCONCLUSIVE: "inconclusive",
}
ROPE_COLOUR = "#DDDDDD"


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


def png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (no GUI backend needed: figures are built without pyplot)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


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


def image(fig: Figure | None, alt: str) -> Html:
    """A figure embedded as a PNG data URI (self-contained, no external file)."""
    if fig is None:
        return Html("")
    encoded = base64.b64encode(png(fig)).decode("ascii")
    return Html(f'<img class="figure" alt="{esc(alt)}" src="data:image/png;base64,{encoded}">')


def table(frame: pd.DataFrame) -> str:
    """A DataFrame as an escaped HTML table."""
    return frame.to_html(index=False, escape=True, border=0, classes="numbers", na_rep="–")
