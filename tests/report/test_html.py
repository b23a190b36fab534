"""Executed notebooks to self-contained HTML: outputs only, no code, no stderr, no scripts."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from relevance.report.html import render_html

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
