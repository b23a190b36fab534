"""Pictures of a holdout plan: chance of a clear verdict and cost, per holdout share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from relevance.io.outputs import write_text_atomic
from relevance.planning.plan import Plan, rough_money
from relevance.report.style import OKABE_ITO, style_axes

BLUE, VERMILLION, GREEN = OKABE_ITO[0], OKABE_ITO[5], OKABE_ITO[2]


def _axes(figure: Figure, ylabel: str) -> Axes:
    axes = figure.add_subplot()
    axes.set_xlabel("Holdout: share of recipients kept out of the email (%)")
    axes.set_ylabel(ylabel)
    style_axes(axes, grid="y")
    return axes


def figure_assurance(plan: Plan) -> Figure:
    """Chance of a clear verdict against the holdout share, with the target and recommendation."""
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = _axes(figure, "Chance of a clear verdict (%)")
    shares = np.array([r.share * 100 for r in plan.rows])
    values = np.array([r.assurance * 100 for r in plan.rows])
    errors = np.array([2 * r.mc_error * 100 for r in plan.rows])
    axes.errorbar(
        shares, values, yerr=errors, color=BLUE, marker="o", capsize=3,
        label="simulated (±2 Monte Carlo s.e.)",
    )  # fmt: skip
    axes.plot(
        shares, [r.assurance_normal * 100 for r in plan.rows], color=GREEN, linestyle=":",
        marker="s", markersize=4, label="normal approximation",
    )  # fmt: skip
    target = plan.inputs.target_assurance * 100
    axes.axhline(target, color=VERMILLION, linestyle="--", linewidth=1.2)
    axes.annotate(
        f"target {target:g}%", (shares[0], target), xytext=(0, 4), textcoords="offset points",
        color=VERMILLION, fontsize=9,
    )  # fmt: skip
    best = plan.recommended
    if best is not None:
        axes.plot(
            best.share * 100, best.assurance * 100, marker="o", markersize=13, fillstyle="none",
            color=VERMILLION, linestyle="none", label=f"recommended: {best.share * 100:g}%",
        )  # fmt: skip
    axes.set_ylim(0, 102)
    axes.set_xlim(0, shares.max() * 1.08)
    axes.set_xticks(shares, [f"{s:g}" for s in shares])
    axes.legend(frameon=False, loc="lower right", fontsize=9)
    return figure


def figure_cost(plan: Plan) -> Figure:
    """Revenue forgone per send (the holdout's missed purchases) against the holdout share."""
    currency = plan.inputs.currency
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = _axes(figure, f"Revenue forgone per send ({currency or 'currency'})")
    shares = np.array([r.share * 100 for r in plan.rows])
    costs = np.array([r.revenue_forgone for r in plan.rows])
    colours = [VERMILLION if r.share == plan.recommended_share else BLUE for r in plan.rows]
    width = 0.6 * (np.min(np.diff(shares)) if len(shares) > 1 else shares[0])
    axes.bar(shares, costs, width=width, color=colours)
    for share, cost, row in zip(shares, costs, plan.rows, strict=True):
        axes.annotate(
            f"{rough_money(cost, currency)}\n{row.holdout:,} people", (share, cost), xytext=(0, 3),
            textcoords="offset points", ha="center", va="bottom", fontsize=8,
        )  # fmt: skip
    axes.set_xticks(shares, [f"{s:g}" for s in shares])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    top = costs.max() if costs.max() > 0 else 1.0
    axes.set_ylim(min(0.0, costs.min() * 1.2), top * 1.25)
    if plan.recommended_share is not None:
        axes.legend(
            handles=[Patch(color=VERMILLION, label="recommended"), Patch(color=BLUE, label="other")],
            frameon=False, loc="upper left", fontsize=9,
        )  # fmt: skip
    return figure


def write_plan(plan: Plan, output_dir: Path | str) -> list[Path]:
    """Write plan.json and both figures (PNG) into `output_dir`; returns the files written."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "plan.json", folder / "assurance.png", folder / "cost.png"]
    write_text_atomic(files[0], plan.to_json() + "\n")
    figure_assurance(plan).savefig(files[1], dpi=150)
    figure_cost(plan).savefig(files[2], dpi=150)
    return files
