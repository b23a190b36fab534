"""The one staging path: a real notebook run by papermill, swapped in only when all went well.

Each `run_notebook` call starts a Jupyter kernel (a few seconds): four runs in this file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from relevance.errors import ConfigError, InputError, RunFailed
from relevance.io.outputs import staged_folder
from relevance.pipeline.notebooks import notebook_path, run_notebook
from relevance.resources import notebooks_folder

NOTEBOOKS = notebooks_folder()

PARAMETERS = 'output_dir = ""\nfail = False\nbad_input = False\n'
BODY = """\
from pathlib import Path
from IPython.display import HTML, display

Path(output_dir, "made.txt").write_text("written by the notebook", encoding="utf-8")
display(HTML('<p class="made">made in the kernel</p>'))
if fail:
    raise ValueError("boom in the notebook")
if bad_input:
    from relevance.errors import DataError
    raise DataError("rows.csv", "column `spend`", "text where a number belongs", "fix the row")
"""


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    """A tiny parameterised notebook that writes `made.txt` into its `output_dir`."""
    parameters = new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})
    notebook = new_notebook(
        cells=[parameters, new_code_cell(BODY)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """A report folder from an earlier, good run (staged the way every run stages)."""
    target = tmp_path / "reports" / "tiny"
    with staged_folder(target) as staging:
        (staging / "report.html").write_text("the last good page", encoding="utf-8")
        (staging / "results.json").write_text("{}", encoding="utf-8")
    return target


def visible(names: Iterable[str]) -> list[str]:
    """File names without hidden ones (the ownership marker)."""
    return sorted(name for name in names if not name.startswith("."))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in `folder` with its text."""
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(target: Path) -> list[str]:
    """Staging or retired folders left beside `target`."""
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith("."))


def test_a_good_run_replaces_the_folder_with_page_notebook_and_extras(
    notebook: Path, previous: Path
) -> None:
    steps: list[str] = []
    seen: list[list[str]] = []
    seconds = run_notebook(
        notebook,
        previous,
        {},
        "page.html",
        "Tiny & <report>",
        step=steps.append,
        check=lambda folder: seen.append(visible(p.name for p in folder.iterdir())),
        extra_files={"fingerprint.txt": "abc123\n"},
    )

    files = snapshot(previous)
    assert visible(files) == ["fingerprint.txt", "made.txt", "page.html", "page.ipynb"]
    assert files["made.txt"] == "written by the notebook"
    assert files["fingerprint.txt"] == "abc123\n"
    page = files["page.html"]
    assert '<p class="made">made in the kernel</p>' in page
    assert "<title>Tiny &amp; &lt;report&gt;</title>" in page
    assert "raise ValueError" not in page and "<script" not in page
    executed = nbformat.read(previous / "page.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "output_dir = " in injected[0].source
    # the check saw the staging folder before the extras were written
    assert seen == [["made.txt", "page.html", "page.ipynb"]]
    assert steps == ["notebook executed; rendering HTML"]
    assert set(seconds) == {"notebook", "html_bytes", "html"}
    assert seconds["html_bytes"] == len(page.encode("utf-8"))
    assert leftovers(previous) == []


def test_a_failing_cell_raises_and_keeps_the_last_good_folder(
    notebook: Path, previous: Path
) -> None:
    before = snapshot(previous)
    with pytest.raises(RunFailed) as error:
        run_notebook(notebook, previous, {"fail": True}, "page.html", "tiny")
    message = str(error.value)
    assert message.startswith("notebook tiny.ipynb, cell ")
    assert message.endswith("ValueError: boom in the notebook")
    assert not isinstance(error.value, InputError)
    assert snapshot(previous) == before
    assert leftovers(previous) == []


def test_a_raising_check_keeps_the_last_good_folder(notebook: Path, previous: Path) -> None:
    before = snapshot(previous)

    def check(folder: Path) -> None:
        assert (folder / "made.txt").exists()
        raise ValueError("results.json is not readable")

    with pytest.raises(ValueError, match=r"results\.json is not readable"):
        run_notebook(
            notebook, previous, {}, "page.html", "tiny", check=check, extra_files={"x.txt": "x"}
        )
    assert snapshot(previous) == before
    assert leftovers(previous) == []


def test_bad_input_inside_the_notebook_is_an_input_error(notebook: Path, tmp_path: Path) -> None:
    target = tmp_path / "new-report"
    with pytest.raises(InputError) as error:
        run_notebook(notebook, target, {"bad_input": True}, "page.html", "tiny")
    assert not isinstance(error.value, RunFailed)
    expected = "rows.csv: column `spend`: text where a number belongs\n  Fix: fix the row"
    assert error.value.render() == expected
    assert str(error.value) == expected
    assert not target.exists()
    assert leftovers(target) == []


def test_notebook_path_of_a_shipped_notebook_and_of_an_unknown_name() -> None:
    assert notebook_path("campaign_report") == NOTEBOOKS / "campaign_report.ipynb"
    assert notebook_path("campaign_report").is_file()
    with pytest.raises(ConfigError) as error:
        notebook_path("no_such_notebook")
    assert error.value.file == str(NOTEBOOKS / "no_such_notebook.ipynb")
    assert error.value.problem == "notebook not found"
