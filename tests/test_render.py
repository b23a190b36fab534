"""`relevance render NB` (an executed notebook to the report page) and `relevance --version`."""

from __future__ import annotations

from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from typer.testing import CliRunner

from relevance import __version__
from relevance.cli import app
from relevance.report.html import GENERATOR, rendered_by_relevance

CODE = "secret_code = 41 + 1  # never shown"
VERDICT = "Version B beats sending nothing"
NOISE = "a warning on stderr"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_notebook(path: Path, executed: bool = True, verdict: str = VERDICT) -> Path:
    """A small report notebook: a heading, two code cells (with outputs when `executed`)."""
    shown = new_output(
        "display_data",
        data={
            "text/html": f"<p class='verdict'>{verdict}</p>",
            "text/plain": "<IPython.core.display.HTML object>",
        },
    )
    table = new_output(
        "display_data",
        data={"text/html": "<table><tr><td>uplift</td><td>+0.4 pp</td></tr></table>"},
    )
    noise = new_output("stream", name="stderr", text=f"{NOISE}\n")
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Spring sale"),
        new_code_cell(
            CODE,
            outputs=[shown, noise] if executed else [],
            execution_count=1 if executed else None,
        ),
        new_code_cell(
            "display(table)",
            outputs=[table] if executed else [],
            execution_count=2 if executed else None,
        ),
    ]
    nbformat.write(nb, path)
    return path


class MetaTags(HTMLParser):
    """The attributes of every <meta> tag of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.metas: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self.metas.append(dict(attrs))


def generator_of(page: str) -> list[str | None]:
    """The content of each <meta name="generator"> tag, whatever the attribute order."""
    parser = MetaTags()
    parser.feed(page)
    return [m.get("content") for m in parser.metas if m.get("name") == "generator"]


def test_render_writes_the_page_beside_the_notebook(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb")
    result = runner.invoke(app, ["render", str(notebook)])
    assert result.exit_code == 0, result.output
    page = tmp_path / "nb.html"
    assert result.stdout.strip() == f"wrote {page}"
    text = page.read_text(encoding="utf-8")
    assert generator_of(text) == ["relevance"]
    assert "<title>nb</title>" in text
    assert VERDICT in text and "+0.4 pp" in text and "Spring sale" in text
    assert "secret_code" not in text and "display(table)" not in text  # no input code
    assert NOISE not in text  # no stderr
    assert "<script" not in text.lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.html", "nb.ipynb"]


def test_page_carries_the_generator_tag(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb")
    assert runner.invoke(app, ["render", str(notebook)]).exit_code == 0
    page = (tmp_path / "nb.html").read_text(encoding="utf-8")
    assert rendered_by_relevance(page)
    assert not rendered_by_relevance(page.replace('content="relevance"', 'content="other"'))


def test_out_option_writes_there(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb")
    other = tmp_path / "pages" / "other.html"
    other.parent.mkdir()
    result = runner.invoke(app, ["render", str(notebook), "--out", str(other)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {other}"
    assert VERDICT in other.read_text(encoding="utf-8")
    assert not (tmp_path / "nb.html").exists()


def test_notebook_without_outputs_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb", executed=False)
    result = runner.invoke(app, ["render", str(notebook)])
    assert result.exit_code == 2
    assert "has not been run" in result.stderr
    assert "nb.ipynb" in result.stderr
    assert not (tmp_path / "nb.html").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("text.ipynb", "hello"),
        ("list.ipynb", "[1, 2]"),
        ("dict.ipynb", '{"a": 1}'),
        ("rows.csv", "arm,purchased\nA,1\n"),
    ],
)
def test_a_file_that_is_not_a_notebook_is_refused(
    runner: CliRunner, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["render", str(path)])
    assert result.exit_code == 2, result.output
    assert "not a notebook" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_missing_notebook_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(tmp_path / "nope.ipynb")])
    assert result.exit_code == 2
    assert "no such notebook file" in result.stderr


def test_a_foreign_page_is_never_replaced(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb")
    other = tmp_path / "other.html"
    mine = "<html><head><title>my notes</title></head><body>keep me</body></html>\n"
    other.write_text(mine, encoding="utf-8")
    result = runner.invoke(app, ["render", str(notebook), "--out", str(other)])
    assert result.exit_code == 2
    assert "relevance did not render it" in result.stderr
    assert other.read_text(encoding="utf-8") == mine


def test_a_folder_as_out_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb")
    folder = tmp_path / "other.html"
    folder.mkdir()
    result = runner.invoke(app, ["render", str(notebook), "--out", str(folder)])
    assert result.exit_code == 2
    assert "this is a folder" in result.stderr
    assert folder.is_dir() and not any(folder.iterdir())


def test_a_page_carrying_the_generator_tag_is_replaced(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb")
    page = tmp_path / "nb.html"
    page.write_text(
        f"<html><head>{GENERATOR}</head><body>previous page 7f3a</body></html>\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["render", str(notebook)])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert VERDICT in text and "previous page 7f3a" not in text


def test_a_page_rendered_earlier_is_replaced(runner: CliRunner, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb", verdict="first run")
    assert runner.invoke(app, ["render", str(notebook)]).exit_code == 0
    write_notebook(notebook, verdict="second run")
    result = runner.invoke(app, ["render", str(notebook)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "nb.html").read_text(encoding="utf-8")
    assert "second run" in text and "first run" not in text


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"relevance {__version__}\n"
    assert __version__ == version("relevance")  # the installed metadata agrees
