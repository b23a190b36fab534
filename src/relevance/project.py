"""A campaigns repository of one's own: ``relevance init DIR`` writes what it needs.

After ``pip install relevance`` a team keeps its experiments in its own repository. `init`
writes the demo and a commented example experiment, a copy of the default configs to edit
(they override the packaged ones), a ``.gitignore`` that keeps reports out of git, and the
scheduled CI workflow. It never overwrites a file that exists: it says which it kept.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from relevance import __version__
from relevance.io.outputs import prepare_folder, refuse_unless_regular_file
from relevance.resources import configs_folder, experiments_folder, scaffold_folder


@dataclass
class Scaffold:
    """What `init` did: files written, and files that existed and were kept as they were."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def scaffold_files() -> dict[str, Path | str]:
    """Each file of a new campaigns repository (relative path) and its content or source."""
    workflow = (scaffold_folder() / "scheduled-reports.yml").read_text(encoding="utf-8")
    files: dict[str, Path | str] = {
        "experiments/demo.yaml": experiments_folder() / "demo.yaml",
        "experiments/example.yaml": scaffold_folder() / "example.yaml",
        ".gitignore": scaffold_folder() / "gitignore",
        ".github/workflows/scheduled-reports.yml": workflow.replace("__VERSION__", __version__),
    }
    for config in sorted(configs_folder().glob("*.yaml")):
        files[f"configs/{config.name}"] = config
    return files


def init_project(folder: Path) -> Scaffold:
    """Write the files of a campaigns repository into `folder`, keeping every existing file."""
    prepare_folder(folder, option="DIR")
    done = Scaffold(folder)
    files = scaffold_files()
    for relative in files:  # every refusal before any file is written
        target = folder / relative
        if target.exists() or target.is_symlink():
            refuse_unless_regular_file(target)
    for relative, content in files.items():
        target = folder / relative
        if target.exists():
            done.kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_text(content, encoding="utf-8")
        done.written.append(target)
    return done


def ignores_reports(folder: Path) -> bool:
    """True when the folder's .gitignore keeps `reports/` out of git."""
    gitignore = folder / ".gitignore"
    if not gitignore.is_file():
        return False
    lines = {line.strip() for line in gitignore.read_text(encoding="utf-8").splitlines()}
    return bool(lines & {"reports", "reports/", "/reports", "/reports/"})
