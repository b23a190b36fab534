"""The house style: escaping, tables, inline SVG charts, colours, axes and the ROPE band."""

from __future__ import annotations

import html
import re

import matplotlib
import pytest
from matplotlib.colors import same_color
from matplotlib.figure import Figure

from relevance.report.style import (
    BADGE_CLASS,
    NARROW,
    ROPE_COLOUR,
    VERDICT_COLOURS,
    VERSION_COLOURS,
    WIDE,
    Html,
    Size,
    chart,
    chart_rc,
    esc,
    image,
    rope_band,
    style_axes,
    table,
    version_colour,
)
from relevance.results import Verdict

POINTS_PER_INCH = 72
CSS_PX_PER_INCH = 96
SMALLEST_FONT = 9.0  # SVG units (points): 12 CSS pixels at the chart's natural size


def cells(row: str) -> list[tuple[str, str, str]]:
    """(tag, attributes, content) of every cell of one table row."""
    return re.findall(r"<(th|td)([^>]*)>(.*?)</\1>", row, re.S)


def body_rows(markup: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", markup.split("<tbody>", 1)[1], re.S)


def font_sizes(svg_markup: str) -> list[float]:
    """Every font size the SVG sets, in SVG units (CSS declarations and attributes)."""
    found = re.findall(r"font-size:\s*([\d.]+)(px|pt)?", svg_markup)
    found += re.findall(r'font-size="([\d.]+)(px|pt)?"', svg_markup)
    assert all(unit in ("", "px") for _, unit in found), found
    return [float(value) for value, _ in found]


def copies(markup: str) -> dict[str, str]:
    """The wide and narrow copies of a chart, by their class."""
    found = re.findall(r'<figure class="chart (\w+)"[^>]*>(.*?)</figure>', markup, re.S)
    return dict(found)


def small_chart(size: Size) -> Figure:
    """A line chart with a title, axis labels, a legend and a text note."""
    fig = Figure(figsize=(size.width, 2.5), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1, 2], [1, 3, 2], label="Version B")
    ax.set_xlabel("extra purchases per 1,000 recipients")
    ax.set_ylabel("chance, %")
    ax.set_title("uplift")
    ax.text(1, 2, "95% needed")
    ax.legend()
    return fig


# --- escaping and fragments ----------------------------------------------------------------


def test_esc_escapes_markup_and_both_quotes() -> None:
    assert esc("<b>\"Tom\" & 'Jerry'</b>") == (
        "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;"
    )
    assert esc(3.5) == "3.5"
    assert esc("plain text") == "plain text"


def test_html_displays_as_its_markup() -> None:
    fragment = Html("<p>hi</p>")
    assert str(fragment) == "<p>hi</p>"
    assert fragment._repr_html_() == "<p>hi</p>"


# --- tables ----------------------------------------------------------------------------------


def test_table_escapes_cells_and_headers() -> None:
    rows = [
        {"<i>name</i>": "<script>alert(1)</script>", 'say "n"': "a & b"},
        {"<i>name</i>": "O'Brien", 'say "n"': 3},
    ]
    markup = table(rows)
    assert "<script" not in markup and "<i>" not in markup
    assert '<th scope="col">&lt;i&gt;name&lt;/i&gt;</th>' in markup
    assert '<th scope="col">say &quot;n&quot;</th>' in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert ">a &amp; b</td>" in markup
    assert ">O&#x27;Brien</th>" in markup
    assert ">3</td>" in markup
    assert markup.count("<tr>") == 3  # header and two rows


def test_table_cells_carry_their_column_name_and_the_first_is_the_row_name() -> None:
    rows = [
        {"version": "Version A", 'range "95%"': "−1.10 to 1.50", "<b>verdict</b>": "irrelevant"},
        {"version": "Version B", 'range "95%"': "2.10 to 6.30", "<b>verdict</b>": "beats"},
    ]
    markup = table(rows)
    columns = [esc(c) for c in rows[0]]
    for row, source in zip(body_rows(markup), rows, strict=True):
        found = cells(row)
        assert [tag for tag, _, _ in found] == ["th", "td", "td"]
        assert found[0][1] == f' scope="row" data-label="{columns[0]}"'
        assert [attrs for _, attrs, _ in found[1:]] == [f' data-label="{c}"' for c in columns[1:]]
        assert [html.unescape(text) for _, _, text in found] == [str(v) for v in source.values()]
    assert 'data-label="&lt;b&gt;verdict&lt;/b&gt;"' in markup  # attribute values escaped too


def test_table_shape_caption_and_nothing_for_no_rows() -> None:
    markup = table([{"a": "1", "b": "2"}], caption="By <lifecycle> stage")
    assert markup.startswith(
        '<div class="table-wrap"><p class="caption">By &lt;lifecycle&gt; stage</p>'
        '<table class="numbers"><thead><tr><th scope="col">a</th><th scope="col">b</th></tr>'
    )
    assert markup.endswith("</tbody></table></div>")
    assert '<p class="caption">' not in table([{"a": "1"}])
    assert table([]) == ""


# --- charts ----------------------------------------------------------------------------------


def test_chart_draws_a_wide_and_a_narrow_copy_as_inline_svg() -> None:
    sizes: list[Size] = []

    def draw(size: Size) -> Figure:
        sizes.append(size)
        return small_chart(size)

    markup = str(chart(draw, 'uplift of "sales" <per version>'))
    assert sizes == [WIDE, NARROW]
    alt = 'aria-label="uplift of &quot;sales&quot; &lt;per version&gt;"'
    assert re.findall(r"<figure [^>]*>", markup) == [
        f'<figure class="chart wide" role="img" {alt}>',
        f'<figure class="chart narrow" role="img" {alt}>',
    ]
    parts = copies(markup)
    assert list(parts) == ["wide", "narrow"]
    for name, size in (("wide", WIDE), ("narrow", NARROW)):
        svg = parts[name].strip()
        assert svg.startswith("<svg ") and svg.endswith("</svg>")
        assert svg.count("<svg") == 1
        width = f"{size.width * POINTS_PER_INCH:g}"
        assert f'width="{width}pt"' in svg and f'viewBox="0 0 {width} ' in svg  # unit = point
    assert "<?xml" not in markup and "<!DOCTYPE" not in markup and "<metadata" not in markup
    assert "<script" not in markup.lower() and "<img" not in markup


def test_chart_text_is_real_text_not_glyph_paths() -> None:
    parts = copies(str(chart(small_chart, "a chart")))
    for svg in parts.values():
        texts = [html.unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]
        for label in (
            "extra purchases per 1,000 recipients",
            "chance, %",
            "uplift",
            "95% needed",
            "Version B",
        ):
            assert label in texts
        assert "DejaVuSans-" not in svg  # no glyph definitions drawn as paths


def test_chart_ids_are_prefixed_per_copy_and_never_shared() -> None:
    parts = copies(str(chart(small_chart, "a chart")))
    ids = {name: re.findall(r'\sid="([^"]+)"', svg) for name, svg in parts.items()}
    for name, found in ids.items():
        assert found and all(re.match(rf"{name}\d+-", i) for i in found)
        assert len(found) == len(set(found))
    assert not set(ids["wide"]) & set(ids["narrow"])
    for name, svg in parts.items():  # every reference points into its own copy
        references = re.findall(r"url\(#([^)]+)\)", svg) + re.findall(r'href="#([^"]+)"', svg)
        assert references and set(references) <= set(ids[name])


def test_two_charts_never_share_a_clip_path_or_marker() -> None:
    """References resolve to the first element with an id: each chart needs its own."""
    first, second = str(chart(small_chart, "one")), str(chart(small_chart, "two"))
    referenced = {
        markup: set(re.findall(r"url\(#([^)]+)\)", markup))
        | set(re.findall(r'href="#([^"]+)"', markup))
        for markup in (first, second)
    }
    assert referenced[first] and not referenced[first] & referenced[second]


def test_chart_text_is_never_smaller_than_nine_points() -> None:
    parts = copies(str(chart(small_chart, "a chart")))
    for svg in parts.values():
        sizes = font_sizes(svg)
        assert len(sizes) >= 5 and min(sizes) >= SMALLEST_FONT
    assert min(font_sizes(parts["narrow"])) == NARROW.font


def test_font_size_check_sees_small_text() -> None:
    """The check above can fail: a 6-point note is found."""

    def tiny(size: Size) -> Figure:
        fig = small_chart(size)
        fig.axes[0].text(0, 0, "tiny", fontsize=6)
        return fig

    for svg in copies(str(chart(tiny, "a chart"))).values():
        assert min(font_sizes(svg)) == 6


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["wide", "narrow"])
def test_chart_settings_keep_every_text_at_least_the_canvas_font(size: Size) -> None:
    settings = chart_rc(size)
    sizes = [value for key, value in settings.items() if key.endswith("size")]
    assert len(sizes) == 6 and min(sizes) == size.font >= SMALLEST_FONT  # type: ignore[operator]
    seen: list[float] = []

    def draw(drawn: Size) -> Figure:
        seen.append(matplotlib.rcParams["xtick.labelsize"])
        return small_chart(drawn)

    chart(draw, "a chart")
    assert seen == [WIDE.font, NARROW.font]


def test_canvases_fit_their_screens() -> None:
    assert NARROW.width * CSS_PX_PER_INCH <= 390  # a phone, nearly unscaled
    assert WIDE.width * CSS_PX_PER_INCH <= 980 - 2 * 20  # the desktop column, unscaled
    assert NARROW.height(4) > WIDE.height(4) > WIDE.height(2)  # narrow text wraps: taller


def test_chart_with_nothing_to_draw_is_empty() -> None:
    fragment = chart(lambda size: None, "nothing")
    assert isinstance(fragment, Html) and str(fragment) == ""


def test_image_is_one_inline_svg_with_escaped_alt() -> None:
    markup = str(image(small_chart(WIDE), 'uplift of "sales" <per version>'))
    assert markup.startswith(
        '<figure class="chart any" role="img" '
        'aria-label="uplift of &quot;sales&quot; &lt;per version&gt;"><svg '
    )
    assert re.search(r"</svg>\s*</figure>$", markup)
    assert markup.count("<svg") == 1 and "<?xml" not in markup and "<script" not in markup
    assert "<text" in markup and min(font_sizes(markup)) >= SMALLEST_FONT


def test_image_of_nothing_is_empty() -> None:
    fragment = image(None, "no picture")
    assert isinstance(fragment, Html)
    assert str(fragment) == ""


# --- colours ---------------------------------------------------------------------------------


def test_version_colours_are_never_verdict_colours_and_all_differ() -> None:
    for colour in VERSION_COLOURS:
        assert not any(same_color(colour, v) for v in VERDICT_COLOURS.values()), colour
        assert not same_color(colour, ROPE_COLOUR)
    assert len({c.lower() for c in VERSION_COLOURS}) == len(VERSION_COLOURS)


def test_every_verdict_has_a_colour_and_a_badge() -> None:
    assert set(VERDICT_COLOURS) == set(Verdict) == set(BADGE_CLASS)
    assert len(set(VERDICT_COLOURS.values())) == len(Verdict)


def test_version_colour_follows_the_place_among_the_versions() -> None:
    versions = ["A", "B", "C"]
    assert [version_colour(versions, v) for v in versions] == VERSION_COLOURS[:3]
    assert version_colour(["B", "A"], "A") == VERSION_COLOURS[1]
    many = [f"V{i}" for i in range(len(VERSION_COLOURS) + 1)]
    assert version_colour(many, many[-1]) == VERSION_COLOURS[0]  # cycles
    with pytest.raises(ValueError):
        version_colour(versions, "D")


# --- axes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("grid", "other"), [("x", "y"), ("y", "x")])
def test_style_axes_hides_top_and_right_and_grids_one_axis(grid: str, other: str) -> None:
    ax = Figure().subplots()
    style_axes(ax, grid=grid)  # type: ignore[arg-type]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.spines["left"].get_visible() and ax.spines["bottom"].get_visible()
    lines = {"x": ax.get_xgridlines(), "y": ax.get_ygridlines()}
    assert lines[grid] and all(line.get_visible() for line in lines[grid])
    assert all(same_color(line.get_color(), "#EEEEEE") for line in lines[grid])
    assert not any(line.get_visible() for line in lines[other])
    assert ax.get_axisbelow() is True


def test_rope_band_shades_plus_minus_rope_per_thousand_across_x() -> None:
    ax = Figure().subplots()
    rope_band(ax, 0.002)
    (band,) = ax.patches
    assert (band.get_x(), band.get_width()) == pytest.approx((-2.0, 4.0))
    assert same_color(band.get_facecolor(), ROPE_COLOUR)
    assert band.get_label() == "practically nothing (ROPE)"
    (zero,) = ax.lines
    assert list(zero.get_xdata()) == [0, 0]


def test_rope_band_along_y() -> None:
    ax = Figure().subplots()
    rope_band(ax, 0.05, vertical=False)
    (band,) = ax.patches
    assert (band.get_y(), band.get_height()) == pytest.approx((-50.0, 100.0))
    (zero,) = ax.lines
    assert list(zero.get_ydata()) == [0, 0]


def test_rope_band_without_a_rope_draws_only_the_zero_line() -> None:
    ax = Figure().subplots()
    rope_band(ax, 0.0)
    assert not ax.patches
    assert len(ax.lines) == 1


def test_two_charts_on_one_page_never_share_an_id() -> None:
    first, second = str(chart(small_chart, "one")), str(chart(small_chart, "two"))
    ids = [set(re.findall(r'\sid="([^"]+)"', markup)) for markup in (first, second)]
    assert ids[0] and not ids[0] & ids[1]
