"""Run relevance's own notebooks inside this process: no kernel to start, nothing imported twice.

A Jupyter kernel costs every report a process start and a second import of the whole stack
(pandas, PyMC, ArviZ, matplotlib): several seconds before any statistics, and a batch pays it
once per campaign. relevance's notebooks are plain Python that calls the package, so papermill
runs them here through this engine: the same parameters cell, metadata and executed notebook
as with a kernel, each notebook in a fresh namespace. Modules and compiled models stay loaded
between notebooks, which is the point; nothing a notebook defines outlives it.

Notebooks people bring (``relevance run --notebook``) may use magics or a kernel's display
machinery, so they run in a real Jupyter kernel (:mod:`relevance.pipeline.notebooks`).
"""

from __future__ import annotations

import ast
import builtins
import io
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import nbformat
from papermill.engines import Engine, NotebookExecutionManager, papermill_engines

ENGINE_NAME = "relevance-inprocess"

RICH_OUTPUTS = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
)


class InProcessEngine(Engine):  # type: ignore[misc]
    """A papermill engine that executes code cells in this interpreter."""

    @classmethod
    def execute_notebook(
        cls,
        nb: nbformat.NotebookNode,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = False,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> nbformat.NotebookNode:
        """Execute `nb`; papermill writes the executed notebook once, at the end.

        (Papermill's own engines rewrite the whole notebook before and after every cell, a
        second or more for a report full of pictures; here nothing reads it meanwhile.)
        """
        manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False)
        manager.notebook_start()
        try:
            cls.execute_managed_notebook(manager, kernel_name, **kwargs)
        finally:
            manager.notebook_complete()
        return manager.nb

    @classmethod
    def execute_managed_notebook(
        cls, nb_man: NotebookExecutionManager, kernel_name: str, **kwargs: Any
    ) -> None:
        """Run the code cells in order in one fresh namespace; stop at the first error."""
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        count = 0
        for index, cell in enumerate(nb_man.nb.cells):
            nb_man.cell_start(cell, index)
            try:
                if cell.cell_type != "code":
                    continue
                count += 1
                cell.execution_count = count
                cell.outputs, failed = run_cell(cell.source, namespace, count)
                if failed:
                    nb_man.cell_exception(cell, cell_index=index)
                    break
            finally:
                nb_man.cell_complete(cell, cell_index=index)


def run_cell(
    source: str, namespace: dict[str, Any], count: int
) -> tuple[list[nbformat.NotebookNode], bool]:
    """Execute one cell as a kernel would: printed text, then the last expression's display.

    Returns the cell's outputs and whether it raised. Ctrl-C (KeyboardInterrupt) is not an
    output: it propagates, so the run stops as the user asked.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    outputs: list[nbformat.NotebookNode] = []
    error: BaseException | None = None
    value: object = None
    filename = f"<cell {count}>"
    try:
        tree = ast.parse(source, filename=filename)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with redirect_stdout(stdout), redirect_stderr(stderr), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # as the kernel did (PYTHONWARNINGS=ignore)
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
    except KeyboardInterrupt:
        raise
    except BaseException as raised:  # SystemExit too: a cell must not end the CLI
        error = raised
    for name, stream in (("stdout", stdout), ("stderr", stderr)):
        if stream.getvalue():
            outputs.append(nbformat.v4.new_output("stream", name=name, text=stream.getvalue()))
    if error is not None:
        outputs.append(
            nbformat.v4.new_output(
                "error",
                ename=type(error).__name__,
                evalue=str(error),
                traceback=traceback.format_exception(error),
            )
        )
        return outputs, True
    data = mime_bundle(value)
    if data:
        outputs.append(nbformat.v4.new_output("execute_result", data=data, execution_count=count))
    return outputs, False


def mime_bundle(value: object) -> dict[str, Any]:
    """What a kernel would display for a cell's last value: its rich forms and plain text."""
    if value is None:
        return {}
    data: dict[str, Any] = {"text/plain": repr(value)}
    for mime, method in RICH_OUTPUTS:
        render = getattr(value, method, None)
        if callable(render):
            shown = render()
            if shown is not None:
                data[mime] = shown
    return data


papermill_engines.register(ENGINE_NAME, InProcessEngine)
