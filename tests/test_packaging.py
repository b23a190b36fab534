"""The wheel is the product: every package and every data file it must carry, built for real."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from relevance import __version__

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "relevance"
UV = REPO / ".venv" / "bin" / "uv"
MAPPED = {
    "relevance.notebooks": "notebooks",
    "relevance.configs": "configs",
    "relevance.experiments": "experiments",
}
DATA_FOLDERS = {"relevance.report.templates.relevance", "relevance.scaffold"}
NOTEBOOKS = ("campaign_report.ipynb", "holdout_planning.ipynb", "portfolio_report.ipynb")
REQUIRED = (
    *(f"relevance/notebooks/{name}" for name in NOTEBOOKS),
    "relevance/configs/defaults.yaml",
    "relevance/configs/quick.yaml",
    "relevance/experiments/demo.yaml",
    "relevance/report/templates/relevance/index.html.j2",
    "relevance/report/templates/relevance/report.css",
    "relevance/scaffold/example.yaml",
    "relevance/scaffold/gitignore",
    "relevance/scaffold/scheduled-reports.yml",
    "relevance/py.typed",
)


@pytest.fixture(scope="module")
def setuptools_config() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as stream:
        pyproject = tomllib.load(stream)
    assert pyproject["project"]["version"] == __version__
    return pyproject["tool"]["setuptools"]


def code_packages() -> set[str]:
    """Every folder under src/relevance holding .py files, as a dotted package name."""
    folders = {p.parent for p in SRC.rglob("*.py") if "__pycache__" not in p.parts}
    return {".".join(("relevance", *f.relative_to(SRC).parts)) for f in folders}


def source_folder(package: str) -> Path:
    """Where a package's files live in the repository (mapped folders at the top level)."""
    if package in MAPPED:
        return REPO / MAPPED[package]
    return SRC.joinpath(*package.split(".")[1:])


def test_packages_are_the_code_the_mapped_data_and_the_data_folders(
    setuptools_config: dict[str, Any],
) -> None:
    packages = setuptools_config["packages"]
    assert len(packages) == len(set(packages))
    assert set(packages) == code_packages() | set(MAPPED) | DATA_FOLDERS
    assert "relevance.model" in packages and "relevance.io" in packages  # the walk found code


def test_package_dir_maps_the_top_level_folders(setuptools_config: dict[str, Any]) -> None:
    assert setuptools_config["package-dir"] == {"": "src", **MAPPED}
    for folder in MAPPED.values():
        assert (REPO / folder / "__init__.py").is_file(), folder
    for package in DATA_FOLDERS:
        assert source_folder(package).is_dir(), package
        assert not list(source_folder(package).glob("*.py")), package


@pytest.mark.parametrize(
    "package",
    ["relevance.notebooks", "relevance.configs", *sorted(DATA_FOLDERS)],
)
def test_package_data_covers_every_data_file(
    setuptools_config: dict[str, Any], package: str
) -> None:
    """Nothing in a data folder is left out of the wheel by a too narrow pattern."""
    patterns = setuptools_config["package-data"][package]
    files = [
        p.name
        for p in source_folder(package).iterdir()
        if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    assert files, package
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), (package, name)


# --- the wheel, built ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from this checkout with uv (about 2 s), and the build's output."""
    if not UV.exists():
        pytest.skip(f"uv is not installed at {UV}: run `make` (it bootstraps uv into .venv)")
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(out), str(REPO)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    wheels = sorted(out.glob("*.whl"))
    assert [w.name for w in wheels] == [f"relevance-{__version__}-py3-none-any.whl"]
    return wheels[0], log


def test_build_prints_no_deprecation_warning(built: tuple[Path, str]) -> None:
    _, log = built
    assert "Deprecat" not in log, [line for line in log.splitlines() if "Deprecat" in line]


def test_wheel_carries_the_data_files(built: tuple[Path, str]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in REQUIRED if name not in names]
    assert missing == []
    assert {n for n in names if n.startswith("relevance/experiments/")} == {
        "relevance/experiments/__init__.py",
        "relevance/experiments/demo.yaml",
    }
    assert not [n for n in names if n.endswith(".pyc") or n.startswith("tests/")]
    modules = {f"relevance/{p.relative_to(SRC).as_posix()}" for p in SRC.rglob("*.py")}
    assert modules - names == set()  # every module of the checkout


def test_packaged_files_are_the_repository_files(built: tuple[Path, str]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        for name in REQUIRED:
            parts = name.split("/")
            package = ".".join(parts[:-1])
            source = source_folder(package) / parts[-1]
            assert archive.read(name) == source.read_bytes(), name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_packaged_notebooks_have_no_outputs(built: tuple[Path, str], name: str) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        packaged = archive.read(f"relevance/notebooks/{name}")
    assert packaged == (REPO / "notebooks" / name).read_bytes()
    code = [c for c in json.loads(packaged)["cells"] if c["cell_type"] == "code"]
    assert code, name
    for cell in code:
        assert cell["outputs"] == [], (name, cell["source"][:1])
        assert cell["execution_count"] is None, (name, cell["source"][:1])


def test_wheel_declares_the_console_script(built: tuple[Path, str]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"relevance-{__version__}.dist-info/entry_points.txt")
    lines = entry_points.decode().split()
    assert "[console_scripts]" in lines
    assert "relevance" in lines and "relevance.console:main" in lines
