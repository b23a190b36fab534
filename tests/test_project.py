"""`relevance init DIR`: a campaigns repository of one's own, and its configs over the packaged ones."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from relevance import __version__
from relevance.cli import app
from relevance.config import load_experiment
from relevance.errors import ConfigError
from relevance.resources import configs_folder, experiments_folder, scaffold_folder

SCAFFOLD = (
    "experiments/demo.yaml",
    "experiments/example.yaml",
    ".gitignore",
    ".github/workflows/scheduled-reports.yml",
    "configs/defaults.yaml",
    "configs/quick.yaml",
)
KEPT = "(it exists; nothing was changed)"
NOTE = "note: add `reports/` to .gitignore: reports are built, not committed"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def init(runner: CliRunner, folder: Path) -> tuple[int, str, str]:
    """Run `relevance init folder`; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["init", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def files_in(folder: Path) -> dict[str, bytes]:
    """Every regular file under `folder` (relative POSIX path) and its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def project(runner: CliRunner, tmp_path: Path) -> Path:
    """A freshly initialised campaigns repository."""
    folder = tmp_path / "campaigns"
    code, _, stderr = init(runner, folder)
    assert code == 0, stderr
    return folder


# --- what init writes ------------------------------------------------------------------------


def test_init_writes_exactly_the_scaffold(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    code, stdout, stderr = init(runner, folder)
    assert code == 0, stderr
    assert sorted(files_in(folder)) == sorted(SCAFFOLD)
    lines = stdout.splitlines()
    assert [line for line in lines if line.startswith("wrote ")] == [
        f"wrote {folder / relative}" for relative in SCAFFOLD
    ]
    assert not any(line.startswith("kept") for line in lines)
    assert NOTE not in stdout  # the scaffold's .gitignore already ignores reports/
    assert lines[-1] == (
        f"next: relevance run {folder / 'experiments' / 'demo.yaml'} --quick "
        "(then open reports/demo/report.html)"
    )


def test_init_copies_the_packaged_files_byte_for_byte(project: Path) -> None:
    written = files_in(project)
    assert written["experiments/demo.yaml"] == (experiments_folder() / "demo.yaml").read_bytes()
    assert written["experiments/example.yaml"] == (scaffold_folder() / "example.yaml").read_bytes()
    assert written[".gitignore"] == (scaffold_folder() / "gitignore").read_bytes()
    packaged = sorted(p.name for p in configs_folder().glob("*.yaml"))
    assert packaged == ["defaults.yaml", "quick.yaml"]
    for name in packaged:
        assert written[f"configs/{name}"] == (configs_folder() / name).read_bytes(), name


def test_gitignore_keeps_reports_out_of_git(project: Path) -> None:
    lines = [line.strip() for line in (project / ".gitignore").read_text().splitlines()]
    assert "reports/" in lines


def test_workflow_is_valid_yaml_pinned_to_this_version(project: Path) -> None:
    text = (project / ".github/workflows/scheduled-reports.yml").read_text(encoding="utf-8")
    assert "__VERSION__" not in text
    assert f'"relevance=={__version__}"' in text
    assert f"key: relevance-{__version__}-" in text
    template = (scaffold_folder() / "scheduled-reports.yml").read_text(encoding="utf-8")
    assert text == template.replace("__VERSION__", __version__)
    workflow = yaml.safe_load(text)
    assert workflow["name"] == "Scheduled campaign reports"
    steps = workflow["jobs"]["reports"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any(f"relevance=={__version__}" in run for run in runs)
    assert ".venv/bin/relevance run-all experiments/ --out reports/ --quiet" in runs


def test_init_without_a_folder_uses_the_working_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.stderr
    assert sorted(files_in(tmp_path)) == sorted(SCAFFOLD)


# --- never overwrites ------------------------------------------------------------------------


def test_second_init_keeps_every_file(runner: CliRunner, project: Path) -> None:
    defaults = project / "configs/defaults.yaml"
    defaults.write_text("sampler:\n  draws: 1234\n", encoding="utf-8")  # the team's own edit
    before = files_in(project)
    code, stdout, stderr = init(runner, project)
    assert code == 0, stderr
    assert files_in(project) == before
    lines = stdout.splitlines()
    assert [line for line in lines if line.startswith("kept")] == [
        f"kept  {project / relative} {KEPT}" for relative in SCAFFOLD
    ]
    assert not any(line.startswith("wrote") for line in lines)


def test_a_users_gitignore_is_left_alone_with_a_note(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    own = "# our own\n.venv/\nnode_modules/\n"
    (folder / ".gitignore").write_text(own, encoding="utf-8")
    code, stdout, stderr = init(runner, folder)
    assert code == 0, stderr
    assert (folder / ".gitignore").read_text(encoding="utf-8") == own
    assert f"kept  {folder / '.gitignore'} {KEPT}" in stdout.splitlines()
    assert NOTE in stdout.splitlines()
    assert sorted(files_in(folder)) == sorted(SCAFFOLD)  # everything else was written


@pytest.mark.parametrize("line", ["reports", "/reports/", "  reports/  "])
def test_a_users_gitignore_that_ignores_reports_needs_no_note(
    runner: CliRunner, tmp_path: Path, line: str
) -> None:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / ".gitignore").write_text(f".venv/\n{line}\n", encoding="utf-8")
    code, stdout, stderr = init(runner, folder)
    assert code == 0, stderr
    assert NOTE not in stdout


def test_a_folder_where_a_scaffold_file_goes_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    (folder / ".gitignore").mkdir(parents=True)
    (folder / ".gitignore" / "inside.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert ".gitignore" in result.stderr
    assert "this is a folder; relevance only writes over regular files" in result.stderr
    assert (folder / ".gitignore" / "inside.txt").read_text(encoding="utf-8") == "mine"


def test_a_folder_under_a_regular_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "campaigns"
    code, stdout, stderr = init(runner, target)
    assert code == 2
    assert "Traceback" not in stdout + stderr
    assert f"DIR {target}" in stderr
    assert "a file is in the way" in stderr
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# --- the scaffold works ----------------------------------------------------------------------


def test_example_experiment_validates(
    runner: CliRunner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("RELEVANCE_CACHE", str(cache))
    result = runner.invoke(app, ["validate", str(project / "experiments/example.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith(
        "example: config and data are valid (100,000 recipients, "
    )
    # It is a simulated campaign, generated into RELEVANCE_CACHE.
    assert [p.name[:-17] for p in cache.iterdir()] == ["simulated-fatigue-100000-2"]  # + hash
    example = load_experiment(project / "experiments/example.yaml")
    assert example.data.simulate is not None and example.data.path is None


# --- the project's configs over the packaged ones --------------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) by `new` in a text file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def resolved(*paths: Path) -> list[str]:
    return [str(p.resolve()) for p in paths]


def test_unedited_project_configs_give_the_packaged_values(project: Path) -> None:
    demo = project / "experiments/demo.yaml"
    loaded = load_experiment(demo)
    assert loaded.sampler.draws == 1000
    assert loaded.config_files == resolved(
        configs_folder() / "defaults.yaml", project / "configs/defaults.yaml", demo
    )


def test_project_defaults_override_the_packaged_ones(project: Path) -> None:
    edit(project / "configs/defaults.yaml", "draws: 1000", "draws: 1234")
    demo = project / "experiments/demo.yaml"
    loaded = load_experiment(demo)
    assert loaded.sampler.draws == 1234
    assert loaded.sampler.tune == 1000  # untouched values still come from the defaults
    assert loaded.config_files == resolved(
        configs_folder() / "defaults.yaml", project / "configs/defaults.yaml", demo
    )


def test_project_defaults_reach_experiments_in_subfolders(project: Path) -> None:
    """A partial project defaults file: packaged values fill in what it leaves out."""
    (project / "configs/defaults.yaml").write_text("sampler:\n  draws: 777\n", encoding="utf-8")
    nested = project / "experiments/team/demo.yaml"
    nested.parent.mkdir()
    nested.write_bytes((project / "experiments/demo.yaml").read_bytes())
    loaded = load_experiment(nested)
    assert (loaded.sampler.draws, loaded.sampler.tune, loaded.decision.interval) == (
        777,
        1000,
        0.95,
    )
    assert loaded.config_files == resolved(
        configs_folder() / "defaults.yaml", project / "configs/defaults.yaml", nested
    )


def test_experiment_outside_a_project_uses_the_packaged_defaults(tmp_path: Path) -> None:
    lone = tmp_path / "lone" / "demo.yaml"
    lone.parent.mkdir()
    lone.write_bytes((experiments_folder() / "demo.yaml").read_bytes())
    loaded = load_experiment(lone)
    assert loaded.sampler.draws == 1000
    assert loaded.config_files == resolved(configs_folder() / "defaults.yaml", lone)


def test_project_profile_overrides_the_packaged_profile(project: Path) -> None:
    demo = project / "experiments/demo.yaml"
    packaged = load_experiment(demo, profile="quick")
    assert packaged.sampler.draws == 500  # the copy init wrote equals the packaged profile
    edit(project / "configs/quick.yaml", "draws: 500", "draws: 321")
    loaded = load_experiment(demo, profile="quick")
    assert loaded.sampler.draws == 321
    assert loaded.diagnostics.min_ess == 100  # the rest of the profile still applies
    assert loaded.config_files == resolved(
        configs_folder() / "defaults.yaml",
        project / "configs/defaults.yaml",
        demo,
        project / "configs/quick.yaml",
    )


def test_packaged_profile_applies_when_the_project_has_none(project: Path) -> None:
    (project / "configs/quick.yaml").unlink()
    demo = project / "experiments/demo.yaml"
    loaded = load_experiment(demo, profile="quick")
    assert loaded.sampler.draws == 500
    assert loaded.config_files[-1] == str((configs_folder() / "quick.yaml").resolve())


def test_project_only_profile(project: Path) -> None:
    (project / "configs/overnight.yaml").write_text(
        "sampler:\n  draws: 4000\n  chains: 4\n", encoding="utf-8"
    )
    loaded = load_experiment(project / "experiments/demo.yaml", profile="overnight")
    assert (loaded.sampler.draws, loaded.sampler.chains) == (4000, 4)


def test_unknown_profile_lists_project_and_packaged_profiles(project: Path) -> None:
    (project / "configs/quick.yaml").unlink()  # only the packaged quick remains
    (project / "configs/overnight.yaml").write_text("sampler:\n  draws: 4000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_experiment(project / "experiments/demo.yaml", profile="qiuck")
    assert "unknown profile" in error.value.problem and "qiuck" in error.value.problem
    assert error.value.fix == "use one of ['overnight', 'quick']"
