"""Campaign pictures drawn from a hand-made `Results`: they build on both canvases, every axis
says its unit, and a version keeps one colour in every chart."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import same_color, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from handmade import handmade_results, results_data
from relevance.language import band
from relevance.report.figures import (
    figure_fatigue,
    figure_net_value,
    figure_probability,
    figure_segments,
    figure_uplift,
    metric_label,
    segment_levels,
)
from relevance.report.style import (
    NARROW,
    VERDICT_COLOURS,
    WIDE,
    Size,
    chart,
    chart_rc,
    svg,
    version_colour,
)
from relevance.results import Results

PER_THOUSAND = "per 1,000 recipients"
SIZES = pytest.mark.parametrize("size", [WIDE, NARROW], ids=["wide", "narrow"])
LINE_WIDTH = {"wide": 68, "narrow": 30}  # the longest line of a wrapped axis label


@pytest.fixture(scope="module")
def results() -> Results:
    return handmade_results()


@pytest.fixture(autouse=True)
def canvas_settings() -> Iterator[None]:
    """Draw with the wide canvas's settings, as :func:`chart` does."""
    with matplotlib.rc_context(chart_rc(WIDE)):
        yield


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


def words(label: str) -> str:
    """A wrapped label as one line."""
    return " ".join(label.split())


def assert_wrapped(label: str, size: Size) -> None:
    assert all(len(line) <= LINE_WIDTH[size.name] for line in label.split("\n")), label


def all_figures(results: Results, size: Size) -> list[Figure | None]:
    return [
        *(figure_uplift(results, m.name, size) for m in results.metrics),
        figure_probability(results, size),
        *(figure_segments(results, m.name, "lifecycle_stage", size) for m in results.metrics),
        figure_net_value(results, size),
        figure_fatigue(results, size),
    ]


# --- every figure ----------------------------------------------------------------------------


@SIZES
def test_every_figure_builds_for_both_canvases_and_renders(results: Results, size: Size) -> None:
    for fig in all_figures(results, size):
        assert isinstance(fig, Figure)
        assert fig.get_figwidth() == size.width
        markup = svg(fig, size)
        assert markup.startswith("<svg ") and "<text" in markup


def test_every_chart_keeps_its_text_at_nine_points_or_more(results: Results) -> None:
    """12 CSS pixels at the chart's natural size, on either canvas."""
    draws: list[Callable[[Size], Figure | None]] = [
        *(lambda s, m=m.name: figure_uplift(results, m, s) for m in results.metrics),
        lambda s: figure_probability(results, s),
        lambda s: figure_segments(results, "purchase", "lifecycle_stage", s),
        lambda s: figure_net_value(results, s),
        lambda s: figure_fatigue(results, s),
    ]
    for draw in draws:
        markup = str(chart(draw, "a chart"))
        assert markup.count("<svg") == 2
        sizes = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)", markup)]
        assert sizes and min(sizes) >= 9.0
        assert "<script" not in markup.lower()


def test_nothing_to_draw_is_none() -> None:
    empty = handmade_results(net_value=[], fatigue=[])
    for size in (WIDE, NARROW):
        assert figure_net_value(empty, size) is None
        assert figure_fatigue(empty, size) is None
    assert str(chart(lambda s: figure_net_value(empty, s), "net value")) == ""


# --- axes and units --------------------------------------------------------------------------


@SIZES
def test_uplift_figure_axis_and_rows(results: Results, size: Size) -> None:
    ax = axes(figure_uplift(results, "revenue", size))
    assert words(ax.get_xlabel()) == (
        f"extra sales ($) {PER_THOUSAND} vs sending nothing (dot: best estimate, bar: 95% range)"
    )
    assert_wrapped(ax.get_xlabel(), size)
    # first version on top, each with its verdict on this metric
    assert top_down(ax) == ["Version A\ninconclusive", "Version B\ninconclusive"]
    bars = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_linewidth() == 3]
    spans = sorted(tuple(line.get_xdata()) for line in bars)
    assert spans == [pytest.approx((-85.6, 120.0)), pytest.approx((120.0, 580.0))]
    (rope,) = ax.patches
    assert (rope.get_x(), rope.get_width()) == pytest.approx((-50.0, 100.0))


def test_uplift_figure_of_a_count_has_no_currency(results: Results) -> None:
    ax = axes(figure_uplift(results, "purchase", WIDE))
    assert words(ax.get_xlabel()).startswith(f"extra purchases {PER_THOUSAND} vs sending")
    assert "$" not in ax.get_xlabel()
    assert top_down(ax) == ["Version A\nirrelevant", "Version B\nbeats sending nothing"]


@SIZES
def test_probability_figure_shows_the_chance_beyond_the_rope(results: Results, size: Size) -> None:
    ax = axes(figure_probability(results, size))
    label = words(ax.get_xlabel())
    assert label == (
        "chance it beats sending nothing by more than ±1 purchases per 1,000 recipients "
        "(what the verdict needs), %"
    )
    assert band(results.primary) in label  # the band the verdict sentences name
    assert_wrapped(ax.get_xlabel(), size)
    assert top_down(ax) == ["Version A", "Version B"]
    widths = [bar.get_width() for bar in sorted(ax.patches, key=lambda bar: -bar.get_y())]
    expected = [results.uplift("purchase", v).p_better_beyond_rope * 100 for v in "AB"]
    assert widths == pytest.approx(expected)  # not the chance of merely beating zero
    assert widths != pytest.approx([62.0, 99.8])
    assert [t.get_text() for t in ax.texts] == ["50%", "80%", "95% needed "]
    (needed,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert list(needed.get_xdata()) == [95, 95]
    assert ax.get_xlim() == (0, 100)


def test_probability_figure_never_claims_certainty() -> None:
    data = results_data()
    for row in data["uplifts"]:
        if row["metric"] == "purchase" and row["segment_column"] == "overall":
            row["p_better_beyond_rope"] = 0.9995 if row["version"] == "B" else 0.0004
    ax = axes(figure_probability(Results.model_validate(data), WIDE))
    assert [t.get_text() for t in ax.texts] == ["<1%", ">99%", "95% needed "]


def test_probability_figure_of_money_names_the_band_with_its_currency() -> None:
    results = Results.model_validate({**results_data(), "primary_metric": "revenue"})
    label = words(axes(figure_probability(results, WIDE)).get_xlabel())
    assert band(results.primary, "$") in label  # '±$50 sales per 1,000 recipients'


@SIZES
def test_segment_figure_axes(results: Results, size: Size) -> None:
    assert segment_levels(results, "purchase", "lifecycle_stage") == ["new", "loyal"]
    ax = axes(figure_segments(results, "purchase", "lifecycle_stage", size))
    assert words(ax.get_xlabel()) == f"extra purchases {PER_THOUSAND} vs sending nothing"
    assert_wrapped(ax.get_xlabel(), size)
    assert ax.get_ylabel() == "lifecycle stage"
    assert top_down(ax) == ["new", "loyal"]
    (legend,) = ax.figure.legends
    assert [t.get_text() for t in legend.get_texts()][-2:] == ["Version A", "Version B"]


def test_segment_figure_of_money_and_with_a_segment_label() -> None:
    results = handmade_results(segment_labels={"lifecycle_stage": "customer stage"})
    ax = axes(figure_segments(results, "revenue", "lifecycle_stage", WIDE))
    assert words(ax.get_xlabel()) == f"extra sales ($) {PER_THOUSAND} vs sending nothing"
    assert ax.get_ylabel() == "customer stage"


@SIZES
def test_net_value_figure(results: Results, size: Size) -> None:
    ax = axes(figure_net_value(results, size))
    assert words(ax.get_xlabel()) == (
        f"net value ($) {PER_THOUSAND} after sending costs and lost subscribers"
    )
    assert_wrapped(ax.get_xlabel(), size)
    assert top_down(ax) == ["Version A", "Version B"]
    means = [line.get_xdata() for line in ax.lines if line.get_marker() == "o"]
    assert [float(m[0]) for m in means] == [1.5, 20.0]  # stored per 1,000 already


def test_net_value_figure_without_a_currency_names_none() -> None:
    ax = axes(figure_net_value(handmade_results(currency=""), WIDE))
    assert words(ax.get_xlabel()) == (
        f"net value {PER_THOUSAND} after sending costs and lost subscribers"
    )


@SIZES
def test_fatigue_figure_axes(results: Results, size: Size) -> None:
    ax = axes(figure_fatigue(results, size))
    assert words(ax.get_ylabel()) == f"net value ($) {PER_THOUSAND}"
    assert words(ax.get_xlabel()) == "emails the customer already received in the previous 7 days"
    assert_wrapped(ax.get_xlabel(), size)
    assert ticks(ax.get_xticklabels()) == ["0", "1", "2", "3+"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Version A", "Version B"]


def test_fatigue_figure_for_another_measure_has_no_currency() -> None:
    data = results_data()
    for curve in data["fatigue"]:
        curve["measure"] = "extra purchases"
    ax = axes(figure_fatigue(Results.model_validate(data), WIDE))
    assert ax.get_ylabel() == f"extra purchases {PER_THOUSAND}"
    narrow = axes(figure_fatigue(Results.model_validate(data), NARROW))
    assert narrow.get_ylabel() == "extra purchases per 1,000\nrecipients"  # 28 a line


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
    ax = axes(figure_uplift(results, "first_purchase", WIDE))
    assert words(ax.get_xlabel()).startswith(f"extra first purchase {PER_THOUSAND}")


# --- one colour per version ------------------------------------------------------------------


def row_colours(ax: Axes, names: dict[str, str]) -> dict[str, set[str]]:
    """The colours of the lines drawn on each labelled row, by version (row label -> name)."""
    rows = dict(zip(ax.get_yticks(), ticks(ax.get_yticklabels()), strict=True))
    found: dict[str, set[str]] = {}
    for line in ax.lines:
        ys = set(line.get_ydata())
        if len(ys) == 1 and (y := ys.pop()) in rows:
            found.setdefault(names[rows[y]], set()).add(to_hex(line.get_color()))
    return found


def labelled_colours(lines: list[Line2D]) -> dict[str, set[str]]:
    """The colours of lines with a version label, by version."""
    found: dict[str, set[str]] = {}
    for line in lines:
        if line.get_label().startswith("Version "):
            found.setdefault(line.get_label()[-1], set()).add(to_hex(line.get_color()))
    return found


def reordered() -> Results:
    """Three versions; net value and fatigue list them in another order than `versions`."""
    data = results_data()
    extra = [dict(row, version="C") for row in data["uplifts"] if row["version"] == "A"]
    data["uplifts"] += extra
    data["versions"] = ["A", "B", "C"]
    data["net_value"] = list(
        reversed([*data["net_value"], dict(data["net_value"][0], version="C")])
    )
    data["fatigue"] = list(reversed([*data["fatigue"], dict(data["fatigue"][0], version="C")]))
    return Results.model_validate(data)


def test_a_version_has_the_same_colour_in_every_chart() -> None:
    results = reordered()
    names = {f"Version {v}": v for v in results.versions}
    uplift_names = {
        f"Version {u.version}\n{u.verdict.value}": u.version
        for u in results.uplifts
        if u.segment_column == "overall"
    }
    uplift = row_colours(axes(figure_uplift(results, "purchase", WIDE)), uplift_names)
    net = row_colours(axes(figure_net_value(results, NARROW)), names)
    segments = labelled_colours(
        axes(figure_segments(results, "purchase", "lifecycle_stage", WIDE)).lines
    )
    fatigue = labelled_colours(axes(figure_fatigue(results, NARROW)).lines)
    for version in results.versions:
        expected = {version_colour(results.versions, version).lower()}
        assert uplift[version] == net[version] == segments[version] == expected, version
        assert fatigue[version] == expected, version
    assert len({uplift[v].pop() for v in results.versions}) == 3  # and versions differ


def test_segment_intervals_are_drawn_in_their_versions_colour() -> None:
    results = reordered()
    ax = axes(figure_segments(results, "purchase", "lifecycle_stage", WIDE))
    colours = {to_hex(line.get_color()) for line in ax.lines if line.get_linewidth() == 3}
    assert colours == {version_colour(results.versions, v).lower() for v in results.versions}


def test_no_version_is_drawn_in_a_verdict_colour(results: Results) -> None:
    for size in (WIDE, NARROW):
        for fig in all_figures(results, size):
            assert fig is not None
            ax = axes(fig)
            drawn = [line.get_color() for line in ax.lines]
            drawn += [patch.get_facecolor() for patch in ax.patches]
            drawn += [c for collection in ax.collections for c in collection.get_facecolor()]
            assert drawn
            for colour in drawn:
                assert not any(same_color(colour, v) for v in VERDICT_COLOURS.values())


# --- what charts do not do -------------------------------------------------------------------


def test_labels_with_dollar_signs_are_drawn_as_written() -> None:
    data = results_data()
    for row in data["uplifts"]:
        if row["segment_level"] == "loyal":
            row["segment_level"] = "$0-$50"
    results = Results.model_validate(data)
    markup = str(chart(lambda s: figure_segments(results, "purchase", "lifecycle_stage", s), "x"))
    texts = [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", markup)]
    assert "$0-$50" in texts


def test_drawing_needs_no_pyplot() -> None:
    """Figures are built as `Figure` objects: importing and drawing never loads pyplot."""
    code = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from handmade import handmade_results\n"
        "from relevance.report.campaign import CampaignReport\n"
        "report = CampaignReport(handmade_results())\n"
        "html = str(report.uplifts()) + str(report.fatigue()) + str(report.net_value())\n"
        "assert html.count('<svg') == 10, html.count('<svg')\n"
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
