"""Run parameterised notebooks with papermill: the one staging path every report takes.

Campaign reports, the portfolio page, holdout plans and batch runs all go through
:func:`run_notebook`: execute into a staging folder beside the target, render the HTML page,
check what was written, then swap the folder into place. A failed run never replaces the last
good report. relevance's own notebooks run inside this process (:mod:`relevance.pipeline.engine`:
no kernel start, no second import); a notebook people bring runs on a Jupyter kernel of this
Python, so a report uses exactly the package and versions the CLI runs with.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from relevance.checks.suite import stop_on_errors
from relevance.config import load_experiment
from relevance.errors import ConfigError, InputError, RunFailed
from relevance.io.outputs import (
    check_replaceable,
    deferred_writes,
    inside,
    staged_folder,
    write_text_atomic,
)
from relevance.pipeline.checking import Timer, check_everything, discard_handed, hand_over
from relevance.report.html import render_html
from relevance.resources import notebooks_folder
from relevance.results import Results

KERNEL_NAME = "relevance"
INPUT_ERRORS = {"InputError", "ConfigError", "DataError", "ChecksFailed"}

Step = Callable[[str], None]
"""Reports progress in a sentence (the CLI prints it; a batch worker stays quiet)."""


def quiet(message: str) -> None:
    """A :data:`Step` that says nothing."""


def notebook_path(name: str) -> Path:
    """A notebook shipped inside the package, e.g. ``campaign_report``."""
    path = notebooks_folder() / f"{name}.ipynb"
    if not path.is_file():
        raise ConfigError(path, None, "notebook not found", "reinstall relevance (pip install)")
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


def packaged(notebook: Path) -> bool:
    """True for a notebook shipped with relevance (it runs in-process), False for one's own."""
    return notebook.resolve().parent == notebooks_folder().resolve()


def execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    cwd: Path | None = None,
    in_process: bool | None = None,
) -> None:
    """Execute a notebook with papermill; a failing cell raises with that cell's error.

    relevance's own notebooks run in this process unless `in_process` is False; others run on
    a Jupyter kernel. Bad input detected inside the notebook (config or data) raises
    :class:`InputError` (exit code 2); any other failing cell raises :class:`RunFailed`
    (exit code 1).
    """
    # papermill and its Jupyter stack take a second to import: only when a notebook runs.
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    if in_process is None:
        in_process = packaged(notebook)
    if in_process:
        from relevance.pipeline.engine import ENGINE_NAME

        engine: dict[str, Any] = {"engine_name": ENGINE_NAME, "kernel_name": "python3"}
    else:
        engine = {
            "kernel_name": ensure_kernel(),
            "request_save_on_cell_execute": False,
            "kernel_manager_class": quiet_kernel_manager(),
        }
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            cwd=str(cwd) if cwd else None,
            progress_bar=False,
            log_output=False,
            **engine,
        )
    except PapermillExecutionError as error:
        message = _strip_ansi(str(error.evalue))
        if error.ename in INPUT_ERRORS:
            raise _NotebookInputError(message) from None
        raise RunFailed(
            f"notebook {notebook.name}, cell {error.exec_count}: {error.ename}: {message}"
        ) from None


def quiet_kernel_manager() -> type:
    """A kernel manager whose kernel process writes nothing to the user's terminal.

    Cell output reaches papermill through Jupyter's messages; the kernel process's own
    stdout and stderr would only add noise, such as the ZMQ traceback a kernel prints when
    Ctrl-C stops the run that started it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):  # type: ignore[misc]
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


class _NotebookInputError(InputError):
    """Bad input reported from inside a notebook: its message is already complete."""

    def __init__(self, message: str) -> None:
        self.file, self.where, self.problem, self.fix = None, None, message, ""
        Exception.__init__(self, message)

    def render(self) -> str:
        return self.problem


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def run_notebook(
    notebook: Path,
    target: Path,
    parameters: Mapping[str, Any],
    page: str,
    title: str,
    *,
    step: Step = quiet,
    check: Callable[[Path], object] | None = None,
    extra_files: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Execute `notebook` and render `page` in a staging folder that then replaces `target`.

    The notebook gets the staging folder as its ``output_dir`` parameter and is saved beside
    the page (``report.html`` -> ``report.ipynb``). `check` reads what the notebook wrote
    (raising if it is unusable) and `extra_files` are written into the folder, both before
    the swap: a folder is only ever replaced by a complete, readable report. Returns the
    seconds spent executing and rendering, and the page's size in bytes.
    """
    seconds: dict[str, float] = {}
    with staged_folder(target) as staging:
        executed = staging / f"{Path(page).stem}.ipynb"
        with deferred_writes():  # the posterior is written while the page is made
            started = time.perf_counter()
            execute(notebook, executed, {**parameters, "output_dir": str(staging)}, cwd=Path.cwd())
            seconds["notebook"] = time.perf_counter() - started
            step("notebook executed; rendering HTML")
            started = time.perf_counter()
            seconds["html_bytes"] = render_html(executed, staging / page, title)
            seconds["html"] = time.perf_counter() - started
        if check is not None:
            check(staging)
        for name, text in (extra_files or {}).items():
            write_text_atomic(staging / name, text)
    return seconds


def first_compile() -> bool:
    """True when no model was ever compiled on this machine (PyTensor's cache is empty)."""
    flags = dict(
        item.split("=", 1)
        for item in os.environ.get("PYTENSOR_FLAGS", "").split(",")
        if "=" in item
    )
    base = Path(flags.get("base_compiledir") or Path.home() / ".pytensor")
    return not any((base / "numba").glob("*")) if (base / "numba").is_dir() else True


def run_experiment(
    experiment: Path,
    out_dir: Path,
    profile: str | None,
    seed: int | None,
    step: Step = quiet,
    notebook: Path | None = None,
    extra_files: Mapping[str, str] | None = None,
    compile_beside: bool = True,
) -> tuple[Path, dict[str, float]]:
    """Run the campaign notebook for `experiment` and swap the report into `out_dir/NAME`.

    Everything `relevance validate` checks (config, data, data quality) is checked first,
    in this process: bad input fails in seconds, before a kernel starts. Survey models not yet
    compiled on this machine compile in a helper process beside the campaign's model, unless
    `compile_beside` is off (run-all's workers already keep the cores busy).
    """
    loaded = load_experiment(experiment, profile=profile)
    target = inside(out_dir, loaded.name)
    check_replaceable(target)
    timer = Timer()
    cells, surveys, findings = check_everything(loaded, timer)
    stop_on_errors(loaded, findings)
    if first_compile():
        beside = " (the survey models compile beside it)" if loaded.surveys else ""
        step(
            f"first run on this machine: compiling the model takes about a minute{beside}, "
            "once per machine (later runs load it in under a second)"
        )
    if loaded.surveys and notebook is None and compile_beside:  # notebook in this process
        from relevance.model.survey import prepare_survey_models  # the statistics stack: here

        prepare_survey_models({survey.kind for survey in loaded.surveys})
    step(f"experiment {loaded.name} is valid; running the report notebook")
    hand_over(loaded, cells, findings, timer.seconds, surveys)
    try:
        seconds = run_notebook(
            notebook or notebook_path("campaign_report"),
            target,
            {
                "experiment_path": str(experiment.resolve()),
                "profile": profile or "",
                "seed": seed,
            },
            "report.html",
            loaded.name,
            step=step,
            check=lambda folder: Results.read(folder / "results.json"),
            extra_files=extra_files,
        )
    finally:
        discard_handed()
    return target, seconds
