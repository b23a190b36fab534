"""The package's shape: layered imports (import-linter), no cycles, short functions."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "relevance"
MAX_FUNCTION_LINES = 80


def modules() -> dict[str, ast.Module]:
    """Every module of the package, parsed, by dotted name."""
    parsed = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        parsed[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return parsed


def test_layers_follow_the_data_flow() -> None:
    """import-linter's layered contract (pyproject.toml): no lower layer imports a higher one."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_no_import_cycles_even_inside_functions() -> None:
    """Module-level graph including imports inside functions: it must have no cycle."""
    parsed = modules()
    graph: dict[str, set[str]] = {}
    for name, tree in parsed.items():
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {
            d for d in found if d in parsed and d != name and not name.startswith(d + ".")
        } - {"relevance"}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            assert state.get(target) != 1, " -> ".join([*path, node, target])
            if target not in state:
                visit(target, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_no_function_is_longer_than_80_lines() -> None:
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, long


def test_every_module_says_what_it_is_for() -> None:
    undocumented = [name for name, tree in modules().items() if not ast.get_docstring(tree)]
    assert not undocumented, undocumented


HEAVY = ("pymc", "pytensor", "nutpie", "arviz", "numba", "sqlglot", "scipy.stats")


@pytest.mark.parametrize(
    "module",
    [
        "relevance.cli",
        "relevance.results",
        "relevance.report.campaign",
        "relevance.report.html",
        "relevance.pipeline.checking",
    ],
)
def test_reading_rendering_and_checking_import_no_statistics_stack(module: str) -> None:
    """Reading results, drawing and rendering a page, and checking data (file sources) never
    load PyMC, PyTensor, Numba, nutpie, ArviZ, scipy.stats or the SQL parser: seconds users do
    not wait."""
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
