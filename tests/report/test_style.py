"""The house style: escaping, tables, embedded pictures, axes and the ROPE band."""

from __future__ import annotations

import base64
import struct

import pandas as pd
import pytest
from matplotlib.colors import same_color
from matplotlib.figure import Figure

from relevance.report.style import (
    ROPE_COLOUR,
    Html,
    esc,
    image,
    png,
    rope_band,
    style_axes,
    table,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", data[16:24])


def test_esc_escapes_markup_and_both_quotes() -> None:
    assert esc("<b>\"Tom\" & 'Jerry'</b>") == (
        "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;"
    )
    assert esc(3.5) == "3.5"
    assert esc("plain text") == "plain text"


def test_table_escapes_cells_and_headers() -> None:
    frame = pd.DataFrame(
        {"<i>name</i>": ["<script>alert(1)</script>", "a & b", None], "n": [1, 2, 3]}
    )
    markup = table(frame)
    assert "<script" not in markup and "<i>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "<th>&lt;i&gt;name&lt;/i&gt;</th>" in markup
    assert "<td>a &amp; b</td>" in markup
    assert "<td>–</td>" in markup  # missing values
    assert markup.startswith('<table class="dataframe numbers">')
    assert markup.count("<tr") == 4  # header and three rows, no index column
    assert "<th></th>" not in markup


def test_html_displays_as_its_markup() -> None:
    fragment = Html("<p>hi</p>")
    assert str(fragment) == "<p>hi</p>"
    assert fragment._repr_html_() == "<p>hi</p>"


def test_png_has_the_figure_size_at_the_dpi() -> None:
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [0, 1])
    assert png_size(png(fig, dpi=50)) == (100, 50)


def test_image_embeds_a_png_data_uri_with_escaped_alt() -> None:
    fig = Figure(figsize=(2, 1))
    fig.subplots()
    markup = str(image(fig, 'uplift of "sales" <per version>'))
    prefix = '<img class="figure" alt="uplift of &quot;sales&quot; &lt;per version&gt;" '
    assert markup.startswith(prefix + 'src="data:image/png;base64,')
    assert markup.endswith('">')
    encoded = markup.split("base64,", 1)[1].removesuffix('">')
    assert png_size(base64.b64decode(encoded, validate=True)) == (220, 110)  # dpi 110


def test_image_of_nothing_is_empty() -> None:
    fragment = image(None, "no picture")
    assert isinstance(fragment, Html)
    assert str(fragment) == ""


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
