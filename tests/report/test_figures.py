"""Campaign pictures drawn from a hand-made `Results`: they build, and every axis says its unit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from handmade import handmade_results, results_data
from relevance.report.figures import (
    figure_fatigue,
    figure_net_value,
    figure_probability,
    figure_segments,
    figure_uplift,
    metric_label,
    segment_levels,
)
from relevance.report.style import png
from relevance.results import Results

PER_THOUSAND = "per 1,000 recipients"


@pytest.fixture(scope="module")
def results() -> Results:
    return handmade_results()


def axes(fig: Figure | None) -> Axes:
    """The one axes of a figure (each campaign figure has exactly one)."""
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    return ax


def ticks(labels: list[object]) -> list[str]:
    return [label.get_text() for label in labels]  # type: ignore[attr-defined]


def top_down(ax: Axes) -> list[str]:
    """The y tick labels as a reader sees them, from the top of the chart down."""
    pairs = zip(ax.get_yticks(), ticks(ax.get_yticklabels()), strict=True)
    return [label for _, label in sorted(pairs, key=lambda pair: -pair[0])]


def test_every_figure_builds_and_renders(results: Results) -> None:
    figures = [
        *(figure_uplift(results, m.name) for m in results.metrics),
        figure_probability(results),
        *(figure_segments(results, m.name, "lifecycle_stage") for m in results.metrics),
        figure_net_value(results),
        figure_fatigue(results),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert png(fig, dpi=30).startswith(b"\x89PNG")


def test_uplift_figure_axis_and_rows(results: Results) -> None:
    ax = axes(figure_uplift(results, "revenue"))
    assert ax.get_xlabel() == (
        f"extra sales {PER_THOUSAND} vs sending nothing\n(dot: best estimate, bar: 95% range)"
    )
    # first version on top
    assert top_down(ax) == ["Version A\ninconclusive", "Version B\ninconclusive"]
    bars = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_linewidth() == 3]
    spans = sorted(tuple(line.get_xdata()) for line in bars)
    assert spans == [pytest.approx((-85.6, 120.0)), pytest.approx((120.0, 580.0))]
    (band,) = ax.patches
    assert (band.get_x(), band.get_width()) == pytest.approx((-50.0, 100.0))


def test_probability_figure_never_claims_certainty(results: Results) -> None:
    ax = axes(figure_probability(results))
    assert ax.get_xlabel() == "chance that sending beats sending nothing on purchases (%)"
    assert top_down(ax) == ["Version A", "Version B"]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["62%", ">99%", " 95% needed"]
    assert ax.get_xlim() == (0, 100)


def test_segment_figure_axes(results: Results) -> None:
    assert segment_levels(results, "purchase", "lifecycle_stage") == ["new", "loyal"]
    ax = axes(figure_segments(results, "purchase", "lifecycle_stage"))
    assert ax.get_xlabel() == f"extra purchases {PER_THOUSAND} vs sending nothing"
    assert ax.get_ylabel() == "lifecycle stage"
    assert top_down(ax) == ["new", "loyal"]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()][-2:] == ["Version A", "Version B"]


def test_net_value_figure(results: Results) -> None:
    ax = axes(figure_net_value(results))
    assert ax.get_xlabel() == f"net value {PER_THOUSAND} after sending costs and lost subscribers"
    assert top_down(ax) == ["Version A", "Version B"]
    means = [line.get_xdata() for line in ax.lines if line.get_marker() == "o"]
    assert [float(m[0]) for m in means] == [1.5, 20.0]  # stored per 1,000 already


def test_fatigue_figure_axes(results: Results) -> None:
    ax = axes(figure_fatigue(results))
    assert ax.get_ylabel() == f"net value {PER_THOUSAND}"
    assert ax.get_xlabel() == "emails the customer already received in the previous 7 days"
    assert ticks(ax.get_xticklabels()) == ["0", "1", "2", "3+"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Version A", "Version B"]


def test_fatigue_figure_for_another_measure_breaks_the_label() -> None:
    data = results_data()
    for curve in data["fatigue"]:
        curve["measure"] = "extra purchases"
    ax = axes(figure_fatigue(Results.model_validate(data)))
    assert ax.get_ylabel() == f"extra purchases\n{PER_THOUSAND}"


def test_nothing_to_draw_is_none() -> None:
    empty = handmade_results(net_value=[], fatigue=[])
    assert figure_net_value(empty) is None
    assert figure_fatigue(empty) is None


def test_metric_label_uses_the_label_else_the_name() -> None:
    data = results_data()
    data["metrics"][0]["label"] = None
    data["metrics"][0]["name"] = "first_purchase"
    data["primary_metric"] = "first_purchase"
    for row in data["uplifts"]:
        if row["metric"] == "purchase":
            row["metric"] = "first_purchase"
    results = Results.model_validate(data)
    assert metric_label(results, "revenue") == "sales"
    assert metric_label(results, "first_purchase") == "first purchase"
    ax = axes(figure_uplift(results, "first_purchase"))
    assert ax.get_xlabel().startswith(f"extra first purchase {PER_THOUSAND}")


def test_drawing_needs_no_pyplot() -> None:
    """Figures are built as `Figure` objects: importing and drawing never loads pyplot."""
    code = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from handmade import handmade_results\n"
        "from relevance.report.campaign import CampaignReport\n"
        "report = CampaignReport(handmade_results())\n"
        "html = str(report.uplifts()) + str(report.fatigue()) + str(report.net_value())\n"
        "assert 'data:image/png;base64,' in html\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
