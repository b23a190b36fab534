"""Run parameterised notebooks with papermill and render them to self-contained HTML.

Notebooks run on the project's own kernel (this Python), so the report uses exactly the
package and versions the CLI runs with. HTML is rendered without code, prompts or any
external asset: images are embedded and the template loads no script.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

from relevance.errors import ConfigError, InputError, RunFailed

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "templates"
KERNEL_NAME = "relevance"
INPUT_ERRORS = {"InputError", "ConfigError", "DataError", "ChecksFailed"}


def notebook_path(name: str) -> Path:
    """A notebook shipped with the project, e.g. ``campaign_report``."""
    path = NOTEBOOKS / f"{name}.ipynb"
    if not path.exists():
        raise ConfigError(
            path, None, "notebook not found", "reinstall relevance from its repository"
        )
    return path


def ensure_kernel() -> str:
    """Register a kernel running this interpreter (idempotent) and return its name."""
    folder = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=ERROR",
        ],
        "display_name": "relevance",
        "language": "python",
        "env": {"PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg"},
    }
    target = folder / "kernel.json"
    if not target.exists() or json.loads(target.read_text()) != spec:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(spec, indent=1))
    return KERNEL_NAME


def execute(
    notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path | None = None
) -> None:
    """Execute a notebook with papermill; a failing cell raises with that cell's error.

    Bad input detected inside the notebook (config or data) raises :class:`InputError`
    (exit code 2); any other failing cell raises :class:`RunFailed` (exit code 1).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=ensure_kernel(),
            cwd=str(cwd) if cwd else None,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as error:
        message = _strip_ansi(str(error.evalue))
        if error.ename in INPUT_ERRORS:
            raise _NotebookInputError(message) from None
        raise RunFailed(
            f"notebook {notebook.name}, cell {error.exec_count}: {error.ename}: {message}"
        ) from None


class _NotebookInputError(InputError):
    """Bad input reported from inside a notebook: its message is already complete."""

    def __init__(self, message: str) -> None:
        self.file, self.where, self.problem, self.fix = None, None, message, ""
        Exception.__init__(self, message)

    def render(self) -> str:
        return self.problem


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def render_html(executed: Path, html_path: Path, title: str) -> int:
    """Render an executed notebook as a self-contained HTML page without code; return its size."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr")
            ]
    exporter = HTMLExporter(
        template_name="relevance",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")
    return len(body.encode("utf-8"))
