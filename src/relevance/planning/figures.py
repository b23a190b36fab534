"""Pictures of a holdout plan: chance of a clear verdict and cost, per holdout share.

Each chart takes a canvas :class:`~relevance.report.style.Size` (wide or narrow screen) and
leaves every font to the canvas's matplotlib settings (:func:`~relevance.report.style.chart_rc`),
so that no text is smaller than the page allows. No verdict colour is used: a plan has none.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from relevance.io.outputs import write_text_atomic
from relevance.planning.plan import Plan, rough_money
from relevance.report.style import INK, MUTED, OKABE_ITO, WIDE, Size, chart_rc, style_axes

BLUE, PURPLE, GREY = OKABE_ITO[0], OKABE_ITO[3], "#B8B8B8"
SHARE_LABEL = "holdout: share of recipients kept out of the email (%)"


def _wrap(text: str, size: Size, wide: int = 70, narrow: int = 34) -> str:
    """Text broken into lines that fit the canvas (axis labels, legends)."""
    return "\n".join(textwrap.wrap(text, wide if size.name == "wide" else narrow))


def _axes(figure: Figure, ylabel: str, size: Size) -> Axes:
    axes = figure.add_subplot()
    axes.set_xlabel(_wrap(SHARE_LABEL, size))
    axes.set_ylabel(_wrap(ylabel, size, 40, 28))
    style_axes(axes, grid="y")
    return axes


def _height(size: Size) -> float:
    return 4.0 if size.name == "wide" else 4.6


def cost_label(plan: Plan) -> str:
    """What the cost chart measures: money with its currency, else conversions."""
    if plan.inputs.value_per_conversion > 0:
        return f"revenue forgone per send ({plan.inputs.currency or 'currency'})"
    return "conversions forgone per send"


def figure_assurance(plan: Plan, size: Size = WIDE) -> Figure:
    """Chance of a clear verdict against the holdout share, with the target and recommendation.

    Ticks mark the shares asked for; a share found between them is circled and named in the
    legend (ticks too close together would overlap).
    """
    figure = Figure(figsize=(size.width, _height(size)), layout="constrained")
    axes = _axes(figure, "chance of a clear verdict (%)", size)
    shares = np.array([r.share * 100 for r in plan.rows])
    values = np.array([r.assurance * 100 for r in plan.rows])
    errors = np.array([2 * r.mc_error * 100 for r in plan.rows])
    axes.errorbar(
        shares, values, yerr=errors, color=BLUE, marker="o", capsize=3,
        label="simulated (±2 Monte Carlo errors)",
    )  # fmt: skip
    axes.plot(
        shares, [r.assurance_normal * 100 for r in plan.rows], color=PURPLE, linestyle=":",
        marker="s", markersize=4, label="normal approximation",
    )  # fmt: skip
    target = plan.inputs.target_assurance * 100
    axes.axhline(target, color=MUTED, linestyle="--", linewidth=1.2)
    axes.annotate(
        f"target {target:g}%", (shares[0], target), xytext=(2, 4), textcoords="offset points",
        color=INK, va="bottom",
    )  # fmt: skip
    best = plan.recommended
    if best is not None:
        axes.plot(
            best.share * 100, best.assurance * 100, marker="o", markersize=14, fillstyle="none",
            color=INK, linestyle="none", markeredgewidth=1.5,
            label=f"recommended: {best.share * 100:g}%",
        )  # fmt: skip
    axes.set_ylim(0, 104)
    axes.set_xlim(0, shares.max() * 1.08)
    asked = [r.share * 100 for r in plan.rows if not r.refined]
    axes.set_xticks(asked, [f"{s:g}" for s in asked])
    figure.legend(loc="outside lower center", frameon=False, ncols=2 if size.name == "wide" else 1)
    return figure


def figure_cost(plan: Plan, size: Size = WIDE) -> Figure:
    """What the holdout costs per send, per share: the purchases the held-out customers miss,
    in money when a value per conversion is given, else in conversions."""
    valued = plan.inputs.value_per_conversion > 0
    currency = plan.inputs.currency
    figure = Figure(figsize=(size.width, _height(size)), layout="constrained")
    axes = _axes(figure, cost_label(plan), size)
    positions = np.arange(len(plan.rows))
    costs = np.array([r.revenue_forgone if valued else r.conversions_forgone for r in plan.rows])
    colours = [BLUE if r.share == plan.recommended_share else GREY for r in plan.rows]
    axes.bar(positions, costs, width=0.6, color=colours)
    for position, cost, row in zip(positions, costs, plan.rows, strict=True):
        text = rough_money(cost, currency) if valued else f"{cost:,.0f}"
        if size.name == "wide":
            text += f"\n{row.holdout:,} people"
        axes.annotate(
            text, (position, cost), xytext=(0, 3), textcoords="offset points", ha="center",
            va="bottom", color=INK,
        )  # fmt: skip
    axes.set_xticks(positions, [f"{r.share * 100:g}" for r in plan.rows])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    top = costs.max() if costs.max() > 0 else 1.0
    axes.set_ylim(min(0.0, costs.min() * 1.2), top * (1.3 if size.name == "wide" else 1.2))
    if plan.recommended_share is not None:
        figure.legend(
            handles=[Patch(color=BLUE, label="recommended"), Patch(color=GREY, label="other")],
            frameon=False, loc="outside lower center", ncols=2,
        )  # fmt: skip
    return figure


def write_plan(plan: Plan, output_dir: Path | str) -> list[Path]:
    """Write plan.json and both figures (PNG, wide) into `output_dir`; returns the files."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "plan.json", folder / "assurance.png", folder / "cost.png"]
    write_text_atomic(files[0], plan.to_json() + "\n")
    with matplotlib.rc_context(chart_rc(WIDE)):
        figure_assurance(plan).savefig(files[1], dpi=150)
        figure_cost(plan).savefig(files[2], dpi=150)
    return files
