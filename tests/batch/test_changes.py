"""What changed since the last run: verdict changes first, then numbers beyond their range."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from handmade_batch import CAMPAIGNS, campaign, experiment_file
from relevance.batch import run as batch_run
from relevance.batch.changes import CHANGES_FILE, compare, md
from relevance.batch.outcome import Outcome
from relevance.batch.schedule import FINGERPRINT_FILE, Task
from relevance.results import Results, Verdict

SPRING = CAMPAIGNS[0]  # sends B: A irrelevant, B beats; net value A 1.5 (-3.5 to 6.5), B 20.0


def spring(verdict_b: Verdict, net_b: float, send: str | None = "B", headline: str = "") -> Results:
    return campaign(
        "spring-sale",
        send=send,
        headline=headline or "Send Version B: it beats sending nothing.",
        purchase={"A": (0.0002, 0.0007), "B": (0.0042, 0.0011)},
        verdicts={"A": Verdict.IRRELEVANT, "B": verdict_b},
        net={"A": 1.5, "B": net_b},
    )


def test_a_verdict_change_comes_with_its_numbers() -> None:
    before = spring(
        Verdict.INCONCLUSIVE, 18.0, send=None, headline="No version beats sending nothing."
    )
    change = compare("spring-sale", before, spring(Verdict.BEATS, 20.0))
    assert change.kind == "verdict"
    assert change.verdicts == ["Version B: inconclusive → beats sending nothing"]
    assert change.previous_headline == "No version beats sending nothing."
    assert (
        "Version B: net value per 1,000 recipients +$20.0 (range $15.0 to $25.0), was +$18.0 (range $13.0 to $23.0)"
        in change.numbers
    )


def test_net_value_beyond_its_previous_range_is_a_change() -> None:
    change = compare("spring-sale", spring(Verdict.BEATS, 20.0), spring(Verdict.BEATS, 26.0))
    assert change.kind == "moved" and not change.verdicts
    assert change.moved == [
        "Version B: net value up to +$26.0 per 1,000 recipients, beyond the previous range "
        "$15.0 to $25.0 (was +$20.0)"
    ]
    within = compare("spring-sale", spring(Verdict.BEATS, 20.0), spring(Verdict.BEATS, 24.0))
    assert within.kind == "unchanged"


def test_what_is_sent_can_change_without_a_version_verdict() -> None:
    change = compare(
        "spring-sale", spring(Verdict.BEATS, 20.0), spring(Verdict.BEATS, 20.0, send=None)
    )
    assert change.kind == "verdict" and change.verdicts == ["sends Version B → nothing"]


def test_without_net_values_the_primary_uplift_is_compared() -> None:
    autumn = CAMPAIGNS[2]  # no net value: A +3 (1.04 to 4.96) purchases per 1,000
    moved = campaign(
        "autumn-reminder",
        send="A",
        headline=autumn.campaign.headline,
        purchase={"A": (0.0055, 0.001), "B": (0.001, 0.001)},
        verdicts={"A": Verdict.BEATS, "B": Verdict.INCONCLUSIVE},
        net=None,
    )
    change = compare("autumn-reminder", autumn, moved)
    assert change.kind == "moved"
    assert change.moved[0].startswith("Version A: uplift of purchases up to +5.50 per 1,000")


def test_markdown_is_escaped() -> None:
    assert md("<b>*sale*</b> | [x](y)") == r"&lt;b&gt;\*sale\*&lt;/b&gt; \| \[x\](y)"


# --- two runs of run-all where one verdict flips --------------------------------------------


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """`run_batch` as the CLI calls it, with the workers' notebook runs replaced by writing
    each campaign's results (in this process)."""
    folder, out = tmp_path / "experiments", tmp_path / "reports"
    for name in ("spring-sale", "autumn-reminder"):
        experiment_file(folder, name)
    current: dict[str, Results] = {}

    def run_task(task: Task) -> Outcome:
        results = current[task.name]
        target = out / task.name
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(results.to_json(), encoding="utf-8")
        (target / "report.html").write_text("<html></html>", encoding="utf-8")
        (target / FINGERPRINT_FILE).write_text(task.fingerprint, encoding="utf-8")
        outcome = Outcome(
            str(task.path), task.name, "ok", 0, 0.1, report=f"{task.name}/report.html"
        )
        return outcome.with_results(results)

    monkeypatch.setattr(batch_run, "_run_tasks", lambda tasks, workers: map(run_task, tasks))
    current.update(
        {
            "spring-sale": spring(
                Verdict.INCONCLUSIVE, 18.0, send=None, headline="No version beats sending nothing."
            ),
            "autumn-reminder": CAMPAIGNS[2],
        }
    )
    batch_run.run_batch(folder, out, jobs=1, force=True, portfolio=False)
    first = (out / CHANGES_FILE).read_text(encoding="utf-8")
    time.sleep(0.01)
    current["spring-sale"] = spring(Verdict.BEATS, 20.0)  # the verdict flips
    batch_run.run_batch(folder, out, jobs=1, force=True, portfolio=False)
    return {"first": first, "second": (out / CHANGES_FILE).read_text(encoding="utf-8"), "out": out}  # type: ignore[dict-item]


def test_changes_md_after_two_runs_where_one_verdict_flips(runs: dict) -> None:
    first, second = runs["first"], runs["second"]
    assert first.startswith("# What changed since the last reports\n")
    assert "2 campaigns: 2 new." in first
    assert "## New campaigns" in first and "**spring-sale**" in first
    assert "2 campaigns: 1 with a new verdict, 1 unchanged." in second
    verdicts = second.index("## Verdict changes")
    assert verdicts < second.index("## Unchanged")
    assert (
        "- **spring-sale**: Version B: inconclusive → beats sending nothing. Now: Send Version B: "
        "it beats sending nothing." in second
    )
    assert "  - was: No version beats sending nothing." in second
    assert (
        "  - Version B: net value per 1,000 recipients +$20.0 (range $15.0 to $25.0), was +$18.0"
        in second
    )
    assert "## Unchanged\n\n**autumn-reminder**" in second
    page = (runs["out"] / "index.html").read_text(encoding="utf-8")
    section = page[page.index('<section class="changes">') :]
    assert "<h2>What changed since the last run</h2><h3>Verdict changes</h3>" in section
    assert "Version B: inconclusive → beats sending nothing" in section
    assert "Unchanged: autumn-reminder." in section


def test_a_failure_is_listed_and_the_last_good_report_kept(runs: dict, tmp_path: Path) -> None:
    out = runs["out"]
    folder = tmp_path / "experiments"
    (folder / "broken.yaml").write_text(
        "name: broken\ndata: {path: nowhere.csv}\n", encoding="utf-8"
    )
    batch_run.run_batch(folder, out, jobs=1, portfolio=False)
    text = (out / CHANGES_FILE).read_text(encoding="utf-8")
    assert "## Failed this time (the last good report is kept)\n\n- **broken**:" in text
    assert "## Unchanged\n\n**autumn-reminder**, **spring-sale**" in text  # skipped: unchanged
