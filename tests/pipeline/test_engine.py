"""relevance's own notebooks run in this process: outputs as a kernel gives them, a fresh
namespace per notebook, errors and Ctrl-C as the staging path expects."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from relevance.errors import InputError, RunFailed
from relevance.pipeline.engine import mime_bundle, run_cell
from relevance.pipeline.notebooks import execute
from relevance.report.style import Html


def notebook(path: Path, *cells: str) -> Path:
    """A notebook with a parameters cell (``value``) and the given code cells."""
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('value = "default"')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_markdown_cell("## A heading")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python"}
    nbformat.write(nb, path)
    return path


def test_a_cell_prints_then_shows_its_last_value() -> None:
    namespace: dict[str, object] = {}
    outputs, failed = run_cell("print('hello')\nx = 2\nx * 21", namespace, 1)
    assert not failed and namespace["x"] == 2
    assert [o.output_type for o in outputs] == ["stream", "execute_result"]
    assert outputs[0].text == "hello\n"
    assert outputs[1].data == {"text/plain": "42"} and outputs[1].execution_count == 1


def test_rich_values_are_shown_as_html_and_none_shows_nothing() -> None:
    assert mime_bundle(Html("<p>hi</p>"))["text/html"] == "<p>hi</p>"
    outputs, _ = run_cell("None", {}, 1)
    assert outputs == []
    outputs, _ = run_cell("x = 1", {}, 1)  # an assignment shows nothing
    assert outputs == []


def test_errors_become_error_outputs_and_ctrl_c_propagates() -> None:
    outputs, failed = run_cell("raise ValueError('bad value')", {}, 3)
    assert failed and outputs[-1].ename == "ValueError" and outputs[-1].evalue == "bad value"
    outputs, failed = run_cell("import sys\nsys.exit(3)", {}, 1)  # never ends the CLI
    assert failed and outputs[-1].ename == "SystemExit"
    outputs, failed = run_cell("def broken(:\n  pass", {}, 1)
    assert failed and outputs[-1].ename == "SyntaxError"
    with pytest.raises(KeyboardInterrupt):
        run_cell("raise KeyboardInterrupt", {}, 1)


def test_warnings_stay_out_of_the_report() -> None:
    outputs, failed = run_cell("import warnings\nwarnings.warn('noise')\n1", {}, 1)
    assert not failed and [o.output_type for o in outputs] == ["execute_result"]


def test_papermill_runs_a_notebook_here_with_parameters(tmp_path: Path) -> None:
    source = notebook(
        tmp_path / "ours.ipynb",
        "import os\nprint(value)\npid = os.getpid()\npid",
    )
    out = tmp_path / "out.ipynb"
    execute(source, out, {"value": "given"}, in_process=True)
    executed = json.loads(out.read_text())
    cells = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in cells)
    last = cells[-1]["outputs"]
    assert "".join(last[0]["text"]) == "given\n"
    import os

    assert "".join(last[1]["data"]["text/plain"]) == str(os.getpid())  # this very process
    assert executed["metadata"]["papermill"]["exception"] is None


def test_each_notebook_starts_from_a_fresh_namespace(tmp_path: Path) -> None:
    first = notebook(tmp_path / "first.ipynb", "leftover = 'from the first notebook'")
    second = notebook(tmp_path / "second.ipynb", "leftover")
    execute(first, tmp_path / "first-out.ipynb", {}, in_process=True)
    with pytest.raises(RunFailed, match="NameError: name 'leftover' is not defined"):
        execute(second, tmp_path / "second-out.ipynb", {}, in_process=True)


def test_a_failing_cell_names_its_cell_and_bad_input_stays_bad_input(tmp_path: Path) -> None:
    failing = notebook(tmp_path / "fails.ipynb", "1", "raise RuntimeError('boom')", "'never'")
    with pytest.raises(RunFailed, match=r"cell 3: RuntimeError: boom"):
        execute(failing, tmp_path / "out.ipynb", {}, in_process=True)
    executed = json.loads((tmp_path / "out.ipynb").read_text())
    assert "never" not in json.dumps(executed["cells"][-1].get("outputs", []))  # stopped there
    bad_input = notebook(
        tmp_path / "input.ipynb",
        "from relevance.errors import DataError\n"
        "raise DataError('x.csv', 'row 3', 'not a number', 'fix the row')",
    )
    with pytest.raises(InputError, match="not a number"):
        execute(bad_input, tmp_path / "out2.ipynb", {}, in_process=True)
