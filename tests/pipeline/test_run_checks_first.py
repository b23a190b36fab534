"""`relevance run` checks what `relevance validate` checks before a kernel starts, and says
when the first model compile on a machine is coming (:func:`first_compile`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_experiment
from relevance.cli import app
from relevance.errors import RunFailed
from relevance.io.outputs import staged_folder
from relevance.pipeline import notebooks
from relevance.pipeline.notebooks import first_compile

FIRST_RUN = "first run on this machine: compiling the model takes about a minute"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """`execute` (papermill) replaced by a failure: any notebook run fails the test."""
    calls: list[Path] = []

    def execute(notebook: Path, *args: Any, **kwargs: Any) -> None:
        calls.append(notebook)
        raise AssertionError(f"a notebook was executed: {notebook}")

    monkeypatch.setattr(notebooks, "execute", execute)
    return calls


def rows(rng: np.random.Generator, n: int = 900) -> pd.DataFrame:
    """Good rows: 300 per arm, 0/1 purchases."""
    arm = np.repeat(["holdout", "A", "B"], n // 3)
    return pd.DataFrame(
        {"customer_id": np.arange(n), "arm": arm, "purchased": rng.integers(0, 2, n)}
    )


def unknown_arm(folder: Path, rng: np.random.Generator) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame = rows(rng)
    frame.loc[frame.index[-40:], "arm"] = "C"  # an arm the experiment does not name
    frame.to_csv(folder / "rows.csv", index=False)
    return write_experiment(folder, data={"path": "rows.csv"})


def yes_no_outcome(folder: Path, rng: np.random.Generator) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame = rows(rng)
    frame["purchased"] = np.where(frame["purchased"] == 1, "yes", "no")
    frame.to_csv(folder / "rows.csv", index=False)
    return write_experiment(folder, data={"path": "rows.csv"})


def missing_column(folder: Path, rng: np.random.Generator) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows(rng).drop(columns="purchased").to_csv(folder / "rows.csv", index=False)
    return write_experiment(folder, data={"path": "rows.csv"})


def config_typo(folder: Path, rng: np.random.Generator) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows(rng).to_csv(folder / "rows.csv", index=False)
    return write_experiment(folder, data={"path": "rows.csv"}, sampler={"drafts": 100})


BAD_INPUTS = {
    "unknown-arm": (unknown_arm, "'C'"),
    "yes-no-outcome": (yes_no_outcome, "'yes'"),
    "missing-column": (missing_column, "purchased"),
    "config-typo": (config_typo, "drafts"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_run_stops_on_what_validate_refuses(
    runner: CliRunner,
    tmp_path: Path,
    rng: np.random.Generator,
    no_kernel: list[Path],
    case: str,
) -> None:
    make, shown = BAD_INPUTS[case]
    experiment = make(tmp_path / "campaign", rng)
    validated = runner.invoke(app, ["validate", str(experiment)])
    assert validated.exit_code == 2, validated.output
    assert validated.stderr.startswith("error: ") and shown in validated.stderr

    out = tmp_path / "reports"
    ran = runner.invoke(app, ["run", str(experiment), "--out", str(out)])
    assert ran.exit_code == 2, ran.output
    assert ran.stderr == validated.stderr  # the same message, and no step was announced
    assert "Traceback" not in ran.output
    assert no_kernel == []
    assert not out.exists() or not any(out.iterdir())


def test_unknown_arm_message_names_the_label(
    runner: CliRunner, tmp_path: Path, rng: np.random.Generator, no_kernel: list[Path]
) -> None:
    experiment = unknown_arm(tmp_path, rng)
    ran = runner.invoke(app, ["run", str(experiment), "--out", str(tmp_path / "reports")])
    assert ran.exit_code == 2
    assert "The data has 40 rows in arm 'C' (column `arm`)" in ran.stderr
    assert no_kernel == []


def test_a_failed_check_keeps_the_last_good_report(
    runner: CliRunner, tmp_path: Path, rng: np.random.Generator, no_kernel: list[Path]
) -> None:
    out = tmp_path / "reports"
    with staged_folder(out / "test-experiment") as staging:
        (staging / "report.html").write_text("the last good page", encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    experiment = unknown_arm(tmp_path / "campaign", rng)
    ran = runner.invoke(app, ["run", str(experiment), "--out", str(out)])
    assert ran.exit_code == 2, ran.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir()) == ["test-experiment"]  # no staging left
    assert no_kernel == []


# --- the first compile -----------------------------------------------------------------------


def test_first_compile_with_an_empty_compile_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTENSOR_FLAGS", f"base_compiledir={tmp_path}")
    assert first_compile() is True
    (tmp_path / "numba").mkdir()
    assert first_compile() is True  # the folder alone says nothing was compiled
    (tmp_path / "numba" / "cache-entry").write_bytes(b"compiled")
    assert first_compile() is False


def test_first_compile_reads_base_compiledir_among_other_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "numba").mkdir()
    (tmp_path / "numba" / "cache-entry").write_bytes(b"compiled")
    monkeypatch.setenv("PYTENSOR_FLAGS", f"floatX=float64,base_compiledir={tmp_path},mode=FAST_RUN")
    assert first_compile() is False
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.setenv("PYTENSOR_FLAGS", f"floatX=float64,base_compiledir={empty}")
    assert first_compile() is True


def test_first_compile_defaults_to_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTENSOR_FLAGS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert first_compile() is True
    (tmp_path / ".pytensor" / "numba").mkdir(parents=True)
    (tmp_path / ".pytensor" / "numba" / "cache-entry").write_bytes(b"compiled")
    assert first_compile() is False


@pytest.mark.parametrize("compiled", [False, True])
def test_run_says_when_the_first_compile_comes(
    runner: CliRunner,
    tmp_path: Path,
    rng: np.random.Generator,
    monkeypatch: pytest.MonkeyPatch,
    compiled: bool,
) -> None:
    """Good data passes the checks; the notebook (stubbed) is reached after the message."""
    compiledir = tmp_path / "pytensor"
    (compiledir / "numba").mkdir(parents=True)
    if compiled:
        (compiledir / "numba" / "cache-entry").write_bytes(b"compiled")
    monkeypatch.setenv("PYTENSOR_FLAGS", f"base_compiledir={compiledir}")
    reached: list[dict[str, Any]] = []

    def execute(notebook: Path, output: Path, parameters: dict[str, Any], **kw: Any) -> None:
        reached.append(parameters)
        raise RunFailed("stopped by the test")

    monkeypatch.setattr(notebooks, "execute", execute)
    folder = tmp_path / "campaign"
    folder.mkdir()
    rows(rng).to_csv(folder / "rows.csv", index=False)
    experiment = write_experiment(folder, data={"path": "rows.csv"})
    out = tmp_path / "reports"
    ran = runner.invoke(app, ["run", str(experiment), "--out", str(out)])
    assert ran.exit_code == 1, ran.output
    assert "run failed: stopped by the test" in ran.stderr
    assert (FIRST_RUN in ran.stderr) is not compiled
    assert "experiment test-experiment is valid; running the report notebook" in ran.stderr
    assert len(reached) == 1
    assert reached[0]["experiment_path"] == str(experiment.resolve())
    assert list(out.iterdir()) == []  # the staging folder was removed


def test_the_first_run_on_a_machine_still_hands_survey_answers_to_the_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first-compile message once reused the name of the survey answers, so the first
    report on a machine (a campaign with surveys) failed in its analysis cell."""
    from relevance.resources import experiments_folder

    monkeypatch.setattr(notebooks, "first_compile", lambda: True)
    said: list[str] = []
    target, _ = notebooks.run_experiment(
        experiments_folder() / "demo.yaml", tmp_path / "reports", "quick", None, step=said.append
    )
    assert any(FIRST_RUN in line and "survey models compile beside it" in line for line in said), (
        said
    )
    page = (target / "report.html").read_text(encoding="utf-8")
    assert "more relevant than" in page  # the Why section, from the handed-over answers
