"""Batch reports for CI: every experiment in a folder, in parallel, past failures.

`relevance run-all experiments/ --out reports/` runs the `*.yaml` experiments in warm worker
processes (each imports the statistics once and keeps its compiled model; every report runs
in a fresh namespace), skips experiments whose inputs did not change since their last good
report, and writes `reports/index.html` (for people) and `reports/index.json` (for
machines). With at least two campaigns analysed it also renders the portfolio
meta-analysis, `reports/portfolio.html`. The parent process schedules, fingerprints and
writes the index; the campaigns' statistics run in the workers.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from relevance import __version__
from relevance.batch.changes import (
    CHANGES_FILE,
    batch_changes,
    changes_html,
    changes_markdown,
    previous_results,
)
from relevance.batch.index import write_index
from relevance.batch.outcome import Batch, Outcome
from relevance.batch.schedule import (
    FINGERPRINT_FILE,
    PORTFOLIO_PAGE,
    Task,
    default_jobs,
    digest,
    find_experiments,
    run_task,
    schedule,
)
from relevance.config import DEFAULT_SEED
from relevance.io.outputs import write_text_atomic
from relevance.pipeline.notebooks import Step, notebook_path, quiet, run_notebook

PORTFOLIO_FOLDER = "_portfolio"  # experiment names start with a letter or digit: never clashes
PORTFOLIO_DRAWS = 2000


def run_batch(
    folder: Path,
    out: Path,
    profile: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    step: Step = quiet,
    portfolio: bool = True,
) -> Batch:
    """Run every experiment in `folder` into `out`, then write the portfolio and the index."""
    started = time.perf_counter()
    paths = find_experiments(folder)
    out.mkdir(parents=True, exist_ok=True)
    scheduled = schedule(paths, out, profile, force)
    tasks = [t for t in scheduled if isinstance(t, Task)]
    workers = max(1, min(jobs or default_jobs(len(tasks)), max(1, len(tasks))))
    done: dict[Path, Outcome] = {Path(o.file): o for o in scheduled if isinstance(o, Outcome)}
    for outcome in done.values():
        step(f"{outcome.name}: {outcome.status_text}")
    previous = previous_results(out, [task.name for task in tasks])  # before any is replaced
    step(f"{len(tasks)} experiment(s) to run, {workers} at a time")

    def finished(outcome: Outcome) -> None:
        done[Path(outcome.file)] = outcome
        step(f"{outcome.name}: {outcome.status_text} ({outcome.seconds:.0f}s)")

    for outcome in _run_tasks(tasks, workers):
        finished(outcome)
    outcomes = [done[path] for path in paths]
    batch = Batch(folder, out, outcomes, 0.0, workers, profile)
    if portfolio:
        batch.portfolio = render_portfolio(out, outcomes, force, step)
    if batch.portfolio is None:
        remove_stale_portfolio(out)
    changes = batch_changes(batch, previous)
    batch.changes_html = changes_html(changes)
    write_text_atomic(out / CHANGES_FILE, changes_markdown(batch, changes))
    batch.seconds = time.perf_counter() - started
    write_index(batch)
    return batch


def _run_tasks(
    tasks: list[Task], workers: int, runner: Callable[[Task], Outcome] = run_task
) -> Iterator[Outcome]:
    """Each task's outcome as it finishes, from warm worker processes.

    A worker imports the statistics stack once and keeps its compiled model, so every
    campaign after its first starts at once; each report still runs in a fresh namespace
    (:mod:`relevance.pipeline.engine`). A worker that dies (out of memory, a crash) breaks the
    pool: the campaigns it may have been running are then run again one at a time, each in
    its own pool, so that only the campaign that kills its worker fails.
    """
    if not tasks:
        return
    # spawn: workers start clean (no inherited threads) and import only what they use.
    context = multiprocessing.get_context("spawn")
    unfinished: list[Task] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[Outcome], Task] = {pool.submit(runner, t): t for t in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                unfinished.append(futures[future])
            except Exception as error:  # the task could not even be sent or returned
                yield _worker_failed(futures[future], error)
    for task in sorted(unfinished, key=lambda t: tasks.index(t)):
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as alone:
            try:
                yield alone.submit(runner, task).result()
            except Exception as error:  # this campaign's own worker died
                yield _worker_failed(task, error)


def _worker_failed(task: Task, error: BaseException) -> Outcome:
    """The outcome of a campaign whose worker process died under it."""
    why = "it stopped unexpectedly (out of memory, or killed)"
    if not isinstance(error, BrokenProcessPool):
        why = f"{type(error).__name__}: {error}"
    return Outcome(
        str(task.path), task.name, "failed", 1, 0.0, error=f"worker process failed: {why}"
    )


def portfolio_campaigns(outcomes: list[Outcome]) -> list[str]:
    """Campaigns whose current report has results (ran now or unchanged)."""
    return [o.name for o in outcomes if o.status in ("ok", "skipped")]


def render_portfolio(
    out: Path, outcomes: list[Outcome], force: bool, step: Step = quiet
) -> Outcome | None:
    """Render `out/portfolio.html` from at least two campaigns' results; None when too few.

    Skipped when the campaigns' results, the notebook and the package are unchanged. A
    failure is reported like a failed experiment and keeps the last good page.
    """
    names = portfolio_campaigns(outcomes)
    if len(names) < 2:
        return None
    started = time.perf_counter()
    outcome = Outcome("(portfolio)", "portfolio", "failed", 1, 0.0, report=PORTFOLIO_PAGE)
    try:
        _render_portfolio(out, names, force, outcome, step)
    except Exception as error:
        outcome.record_failure(error)
    outcome.seconds = round(time.perf_counter() - started, 2)
    step(f"portfolio: {outcome.status_text} ({outcome.seconds:.0f}s)")
    return outcome


def _render_portfolio(
    out: Path, names: list[str], force: bool, outcome: Outcome, step: Step
) -> None:
    page, folder = out / PORTFOLIO_PAGE, out / PORTFOLIO_FOLDER
    notebook = notebook_path("portfolio_report")
    parts = [
        notebook.read_bytes(),
        __version__.encode(),
        f"{DEFAULT_SEED}:{PORTFOLIO_DRAWS}".encode(),
    ]
    parts += [n.encode() + b"\0" + (out / n / "results.json").read_bytes() for n in names]
    outcome.fingerprint = fingerprint = digest(parts)
    stored = folder / FINGERPRINT_FILE
    unchanged = (
        page.is_file()
        and stored.is_file()
        and stored.read_text(encoding="utf-8").strip() == fingerprint
    )
    if unchanged and not force:
        outcome.status, outcome.exit_code = "skipped", 0
    else:
        step(f"portfolio meta-analysis over {len(names)} campaigns")
        parameters = {
            "reports_dir": str(out.resolve()),
            "campaigns": ",".join(names),
            "seed": DEFAULT_SEED,
            "draws": PORTFOLIO_DRAWS,
        }
        run_notebook(
            notebook,
            folder,
            parameters,
            PORTFOLIO_PAGE,
            "portfolio",
            extra_files={FINGERPRINT_FILE: fingerprint + "\n"},
        )
        write_text_atomic(page, (folder / PORTFOLIO_PAGE).read_text(encoding="utf-8"))
        outcome.status, outcome.exit_code = "ok", 0
    summary = folder / "portfolio.json"
    if summary.is_file():
        facts = json.loads(summary.read_text(encoding="utf-8"))
        outcome.headline = facts.get("headline")
        outcome.description = facts.get("pooled") or ""
        outcome.created_at = facts.get("created_at")


def remove_stale_portfolio(out: Path) -> None:
    """Drop a portfolio page left from an earlier batch (fewer than two campaigns now)."""
    (out / PORTFOLIO_PAGE).unlink(missing_ok=True)
    shutil.rmtree(out / PORTFOLIO_FOLDER, ignore_errors=True)
