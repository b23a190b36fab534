"""The scheduled CI workflow: triggers, commands that exist, and the uploaded reports folder."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from relevance.cli import app

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "scheduled-reports.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def commands(workflow: dict[Any, Any]) -> list[list[str]]:
    """Every command of every `run:` step, split into words (lines and `&&` separated)."""
    found = []
    for step in steps(workflow):
        for line in str(step.get("run", "")).splitlines():
            for command in re.split(r"&&|\|\||;", line.split(" #")[0]):
                words = shlex.split(command)
                while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
                    words.pop(0)  # VAR=value prefixes
                if words:
                    found.append(words)
    return found


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", text, flags=re.MULTILINE))


def test_runs_on_weekday_mornings_and_by_hand(workflow: dict[Any, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "workflow_dispatch" in triggers
    crons = [item["cron"] for item in triggers["schedule"]]
    assert crons, "no cron schedule"
    for cron in crons:
        minute, hour, day, month, weekday = cron.split()
        assert minute.isdigit() and hour.isdigit(), cron
        assert (day, month) == ("*", "*") and weekday in ("1-5", "MON-FRI"), cron


def test_sets_up_python_312_and_installs_with_make(workflow: dict[Any, Any]) -> None:
    uses = [str(step.get("uses", "")) for step in steps(workflow)]
    assert any(u.startswith("actions/checkout@") for u in uses)
    python = next(
        s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/setup-python@")
    )
    assert str(python["with"]["python-version"]) == "3.12"
    assert ["make", "install"] in commands(workflow)


def test_every_command_exists(workflow: dict[Any, Any]) -> None:
    targets = make_targets()
    runner = CliRunner()
    assert commands(workflow)
    for words in commands(workflow):
        program = words[0]
        if program == "make":
            missing = [t for t in words[1:] if not t.startswith("-") and t not in targets]
            assert not missing, f"make targets {missing} are not in the Makefile"
        elif program.endswith("bin/relevance"):
            assert program == ".venv/bin/relevance"  # the venv `make install` creates
            result = runner.invoke(app, [words[1], "--help"])
            assert result.exit_code == 0, f"`relevance {words[1]}` does not exist: {result.output}"
            # every option given exists too
            for option in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
                assert option in result.output, f"`relevance {words[1]}` has no {option}"
        else:
            assert shutil.which(program), f"{program} is not a program on this machine"


def test_uploads_the_reports_folder_even_after_a_failure(workflow: dict[Any, Any]) -> None:
    run_all = next(w for w in commands(workflow) if len(w) > 1 and w[1] == "run-all")
    out = run_all[run_all.index("--out") + 1]
    uploads = [
        s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/upload-artifact@")
    ]
    assert len(uploads) == 1
    upload = uploads[0]
    assert upload.get("if") == "always()"
    assert Path(str(upload["with"]["path"])) == Path(out)
    assert "--quiet" in run_all
