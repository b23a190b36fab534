"""run-all's warm workers: reused across campaigns, a dead worker fails only its campaign,
and a failing report never leaks into the next one run by the same process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_batch import experiment

from batch_runners import run_or_die
from relevance.batch.run import _run_tasks
from relevance.batch.schedule import Task, run_task
from relevance.report.campaign import CampaignReport


def tasks(tmp_path: Path, names: list[str]) -> list[Task]:
    return [Task(tmp_path / f"{n}.yaml", n, tmp_path / "out", None, False, n) for n in names]


def test_workers_are_reused_across_campaigns(tmp_path: Path) -> None:
    names = [f"campaign-{i}" for i in range(6)]
    outcomes = list(_run_tasks(tasks(tmp_path, names), 2, run_or_die))
    assert sorted(o.name for o in outcomes) == names
    assert all(o.status == "ok" for o in outcomes)
    workers = {o.headline for o in outcomes}
    assert 1 <= len(workers) <= 2  # six campaigns, two warm processes
    assert str(os.getpid()) not in workers  # never in the parent


def test_a_dead_worker_fails_only_its_own_campaign(tmp_path: Path) -> None:
    names = ["first", "second", "dies", "fourth", "fifth"]
    outcomes = {o.name: o for o in _run_tasks(tasks(tmp_path, names), 2, run_or_die)}
    assert set(outcomes) == set(names)
    assert outcomes["dies"].status == "failed"
    assert "worker process failed" in (outcomes["dies"].error or "")
    assert "out of memory, or killed" in (outcomes["dies"].error or "")
    assert all(outcomes[n].status == "ok" for n in names if n != "dies"), outcomes


def test_a_failed_report_leaves_nothing_behind_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two campaigns in one process: the first fails inside its notebook, the second's
    results are exactly those of the same campaign run alone in a fresh folder."""
    folder = tmp_path / "experiments"
    first = experiment(folder, "first.yaml", "first", sampler={"draws": 200, "tune": 200})
    second = experiment(
        folder, "second.yaml", "second", seed=2, sampler={"draws": 200, "tune": 200}
    )

    def task(path: Path, out: Path) -> Task:
        return Task(path, path.stem, out, None, False, path.stem)

    calls = {"n": 0}
    original = CampaignReport.fatigue

    def failing_once(self: CampaignReport) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a section failed")
        return original(self)

    monkeypatch.setattr(CampaignReport, "fatigue", failing_once)
    failed = run_task(task(first, tmp_path / "batch"))
    assert failed.status == "failed" and "a section failed" in (failed.error or "")
    assert not (tmp_path / "batch" / "first").exists()  # nothing half-written was swapped in
    after = run_task(task(second, tmp_path / "batch"))
    monkeypatch.setattr(CampaignReport, "fatigue", original)
    alone = run_task(task(second, tmp_path / "alone"))
    assert after.status == alone.status == "ok"

    def numbers(out: Path) -> dict[str, object]:
        results = json.loads((out / "second" / "results.json").read_text())
        return {key: results[key] for key in ("uplifts", "verdicts", "campaign", "net_value")}

    assert numbers(tmp_path / "batch") == numbers(tmp_path / "alone")
