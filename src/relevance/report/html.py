"""Executed notebooks to self-contained HTML: no code, no prompts, no scripts, no network."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from relevance.errors import InputError, brief
from relevance.io.outputs import refuse_unless_regular_file, write_text_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"


GENERATOR = '<meta name="generator" content="relevance">'
"""Every page relevance renders carries this tag: only such pages are ever written over."""


def render_html(executed: Path, html_path: Path, title: str) -> int:
    """Render an executed notebook as a self-contained HTML page without code; return its size."""
    body = html_page(nbformat.read(executed, as_version=4), title)
    write_text_atomic(html_path, body)
    return len(body.encode("utf-8"))


def render_executed(notebook: Path, out: Path | None = None) -> Path:
    """The page of a notebook executed outside relevance (e.g. with papermill), beside it or at
    `out`. Refuses a notebook that was not run, and will not write over a file that is not a
    page relevance rendered."""
    if not notebook.is_file():
        raise InputError(notebook, None, "no such notebook file", "give the executed .ipynb")
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as error:  # nbformat raises many kinds for a file that is not a notebook
        raise InputError(
            notebook, None, f"not a notebook ({brief(error, 120, quote=False)})", "give an .ipynb"
        ) from None
    if not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"):
        raise InputError(
            notebook,
            None,
            "the notebook has no outputs: it has not been run",
            "run it first: papermill notebooks/campaign_report.ipynb out.ipynb -p "
            "experiment_path experiments/NAME.yaml (or use `relevance run`)",
        )
    page = out or notebook.with_suffix(".html")
    refuse_unless_regular_file(page)
    if page.is_file() and not rendered_by_relevance(
        page.read_text(encoding="utf-8", errors="replace")
    ):
        raise InputError(
            page,
            None,
            "this file exists and relevance did not render it; it would be replaced",
            "choose another --out, or move the file away",
        )
    render_html(notebook, page, notebook.stem)
    return page


def rendered_by_relevance(text: str) -> bool:
    """True when an HTML page carries relevance's generator tag (attributes in any order)."""
    head = text[:20_000]
    return any(
        re.search(r'\bname="generator"', tag) and re.search(r'\bcontent="relevance"', tag)
        for tag in re.findall(r"<meta\b[^>]*>", head)
    )


def html_page(nb: nbformat.NotebookNode, title: str) -> str:
    """An executed notebook as one self-contained HTML page: outputs only, no code, no stderr."""
    nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr")
            ]
    exporter = _page_exporter()(
        template_name="relevance",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def _page_exporter() -> type:
    """nbconvert's HTML exporter without its last pass.

    That pass parses the finished page again with BeautifulSoup to give ``<img>`` tags
    without alt text a placeholder and notebook cells a tabindex, then prints it anew: a third
    of a second of every report, for nothing on relevance's pages (charts are inline SVG with
    their own label, no cell is shown, the template's one ``<img>`` has its alt text).
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(
            self, nb: nbformat.NotebookNode, resources: dict | None = None, **kw: object
        ) -> tuple[str, dict]:
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PageExporter
