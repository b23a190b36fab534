"""The `relevance` command: help, literal printing of user strings, input errors and exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from conftest import write_experiment
from relevance.batch.outcome import Batch, Outcome
from relevance.cli import app, plan_inputs, say, summary_table
from relevance.errors import InputError

COMMANDS = ("run", "plan", "validate", "simulate", "run-all")
PLAN = {
    "baseline_rate": 0.03,
    "expected_uplift": 0.004,
    "rope": 0.001,
    "recipients": 200_000,
    "value_per_conversion": 0.0,
    "target_assurance": 0.8,
    "seed": 1,
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands", 1)[1]
    for command in COMMANDS:
        assert f" {command} " in listed, command
    assert "no-send holdout" in result.output


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert "Commands" in result.output and "Usage" in result.output


def rendered(batch: Batch) -> str:
    """The summary table as a wide terminal shows it, as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(summary_table(batch))
    return console.export_text()


def test_summary_table_prints_markup_in_names_literally(tmp_path: Path) -> None:
    ok = Outcome(
        file="b.yaml",
        name="B[/]",
        status="ok",
        exit_code=0,
        seconds=12.4,
        verdict="[bold]beats[/bold] sending nothing",
        send="[red]B[/red]",
    )
    failed = Outcome(
        file="c.yaml",
        name="[link=x]c[/link]",
        status="failed",
        exit_code=2,
        seconds=0.6,
        error="c.yaml: `arms.holdout`: label [/] is unknown",
    )
    portfolio = Outcome(file="", name="portfolio [x]", status="skipped", exit_code=0, seconds=1)
    batch = Batch(
        folder=tmp_path,
        out=tmp_path / "out[/]",
        outcomes=[ok, failed],
        seconds=14.0,
        jobs=2,
        profile=None,
        portfolio=portfolio,
    )

    text = rendered(batch)

    assert "relevance run-all: 2 experiments" in text
    assert "B[/]" in text
    assert "[bold]beats[/bold] sending nothing: send [red]B[/red]" in text
    assert "[link=x]c[/link]" in text
    assert "failed (bad input, exit 2): c.yaml: `arms.holdout`: label [/] is unknown" in text
    assert "portfolio [x]" in text and "skipped (unchanged)" in text
    assert "12s" in text
    assert f"1 failed · 14s with 2 job(s) · index: {tmp_path / 'out[/]' / 'index.html'}" in text


def test_say_prints_markup_literally(capsys: pytest.CaptureFixture[str]) -> None:
    say("[bold]Version B[/] beats sending nothing [/]")
    assert capsys.readouterr().out == "[bold]Version B[/] beats sending nothing [/]\n"


def test_plan_inputs_maps_bad_shares_to_an_input_error() -> None:
    with pytest.raises(InputError) as error:
        plan_inputs(shares="0.05,ten", **PLAN)  # type: ignore[arg-type]
    assert error.value.where == "--shares"
    assert "'0.05,ten'" in error.value.problem
    with pytest.raises(InputError) as error:
        plan_inputs(shares="0.05,0.7", **PLAN)  # type: ignore[arg-type]
    assert error.value.where == "--shares"
    assert "0.5" in error.value.problem


def test_plan_inputs_names_the_option_at_fault() -> None:
    with pytest.raises(InputError) as error:
        plan_inputs(shares="0.1", **{**PLAN, "baseline_rate": 1.5})  # type: ignore[arg-type]
    assert error.value.where == "--baseline-rate"
    inputs = plan_inputs(shares="0.2, 0.05,", **PLAN)  # type: ignore[arg-type]
    assert inputs.holdout_shares == [0.05, 0.2]


def test_plan_with_bad_shares_exits_2_naming_the_option(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["plan", "--baseline-rate", "0.03", "--expected-uplift", "0.004", "--shares", "x"],
    )
    assert result.exit_code == 2
    assert "error:" in result.stderr and "--shares" in result.stderr
    assert "Traceback" not in result.output


def test_simulate_with_an_unknown_preset_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(tmp_path / "x.parquet"), "--preset", "dmo"])
    assert result.exit_code == 2
    assert "--preset" in result.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_validate_checks_config_and_data(
    runner: CliRunner, tmp_path: Path, rng: np.random.Generator
) -> None:
    arms = ["holdout"] * 300 + ["A"] * 300 + ["B"] * 300
    pd.DataFrame(
        {"customer_id": range(900), "arm": arms, "purchased": rng.integers(0, 2, 900)}
    ).to_csv(tmp_path / "rows.csv", index=False)
    good = write_experiment(tmp_path, data={"path": "rows.csv"})
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(
        "test-experiment: config and data are valid (900 recipients, 3 cells)."
    )

    bad = write_experiment(tmp_path, "bad.yaml", data={"path": "rows.csv", "arm": "[b]arm[/b]"})
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "[b]arm[/b]" in result.stderr
