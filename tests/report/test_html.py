"""Executed notebooks to self-contained HTML: outputs only, no code, no stderr, no scripts;
inline charts and tables reach the page as they are."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from relevance.report.html import GENERATOR, render_html, rendered_by_relevance
from relevance.report.style import Size, chart, table

SOURCE = "secret_source_code = 42\nprint('to stdout')"
STDERR = "WARNING: a noisy library complained"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nnot-really-an-image").decode("ascii")


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    """A tiny executed notebook: one markdown cell and one code cell with mixed outputs."""
    cell = new_code_cell(
        SOURCE,
        execution_count=1,
        outputs=[
            new_output("stream", name="stdout", text="to stdout\n"),
            new_output("stream", name="stderr", text=STDERR + "\n"),
            new_output(
                "display_data",
                data={
                    "text/html": '<p class="verdict-line">Version B beats sending nothing.</p>',
                    "text/plain": "<Html fragment>",
                },
            ),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("error", ename="ValueError", evalue="<b>bad</b> value", traceback=[]),
        ],
    )
    notebook = new_notebook(
        cells=[new_markdown_cell("## What we found"), cell],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def page(executed: Path, tmp_path: Path) -> str:
    target = tmp_path / "report.html"
    size = render_html(executed, target, "spring & <sale>")
    text = target.read_text(encoding="utf-8")
    assert size == len(text.encode("utf-8")) == target.stat().st_size
    return text


def test_outputs_are_shown(page: str) -> None:
    assert (
        '<div class="output"><p class="verdict-line">Version B beats sending nothing.</p></div>'
        in (page)
    )
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert '<section class="narrative">' in page and "What we found" in page
    assert '<div class="output error">ValueError: &lt;b&gt;bad&lt;/b&gt; value</div>' in page


def test_no_input_code_and_no_stderr(page: str) -> None:
    assert "secret_source_code" not in page
    assert "print(" not in page
    assert STDERR not in page and "noisy library" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page  # no prompts


def test_no_scripts_and_no_network(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)


def test_title_is_set_and_escaped(page: str) -> None:
    assert "<title>spring &amp; &lt;sale&gt;</title>" in page
    assert 'class="relevance-report"' in page


def test_the_executed_notebook_is_left_unchanged(executed: Path, tmp_path: Path) -> None:
    before = executed.read_bytes()
    render_html(executed, tmp_path / "page.html", "title")
    assert executed.read_bytes() == before


def line_chart(size: Size) -> Figure:
    fig = Figure(figsize=(size.width, 2), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("extra purchases per 1,000 recipients")
    return fig


@pytest.fixture
def chart_page(tmp_path: Path) -> tuple[str, str]:
    """A page whose one output is a chart (both canvases) and a table, and that output."""
    fragment = str(chart(line_chart, "uplift <per version>")) + table(
        [{"version": "Version B", "range (95%)": "2.10 to 6.30"}]
    )
    cell = new_code_cell(
        "report.uplift()",
        execution_count=1,
        outputs=[new_output("display_data", data={"text/html": fragment, "text/plain": "<Html>"})],
    )
    path = tmp_path / "chart.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    render_html(path, tmp_path / "chart.html", "chart")
    return (tmp_path / "chart.html").read_text(encoding="utf-8"), fragment


class Events(HTMLParser):
    """Markup as a list of (start tag and its attributes | end tag | text) events.

    Attribute names are lowercased and sorted, as an HTML parser (a browser) reads them, so
    two serialisations of the same document compare equal.
    """

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, object]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", (tag, sorted(attrs))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.events.append(("end", tag))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.events.append(("text", data.strip()))


def test_inline_charts_and_tables_reach_the_page_unchanged(chart_page: tuple[str, str]) -> None:
    page, fragment = chart_page
    output = page.split('<div class="output">', 1)[1].rsplit("</main>", 1)[0]
    output = output.strip().removesuffix("</div>")
    events = Events(fragment).events
    assert len(events) > 100
    assert Events(output).events == events  # the same document, however it is serialised
    assert page.count("<svg") == 2 and "<img" not in page
    assert "<script" not in page.lower()


def test_the_page_shows_one_canvas_and_stacks_tables_on_a_phone(
    chart_page: tuple[str, str],
) -> None:
    page, _ = chart_page
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, re.S)
    (css,) = [style for style in styles if "figure.chart" in style]
    assert "figure.chart.narrow { display: none; }" in css.split("@media", 1)[0]  # wide first
    phone = css.split("@media (max-width: 640px)", 1)[1].split("@media print", 1)[0]
    assert "figure.chart.wide { display: none; }" in phone
    assert "figure.chart.narrow { display: block; }" in phone
    assert "content: attr(data-label)" in phone  # each cell names its column
    printed = css.split("@media print", 1)[1]
    assert "figure.chart.narrow { display: none; }" in printed


def test_the_page_says_relevance_rendered_it(page: str) -> None:
    head = page.split("</head>", 1)[0]
    (generator,) = [e for e in Events(head).events if e[0] == "start" and "generator" in str(e)]
    assert generator == Events(GENERATOR).events[0]
    assert rendered_by_relevance(page)
