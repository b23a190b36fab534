"""Batch reports for CI: run every experiment in a folder, keep going past failures, index them.

`relevance run-all experiments/ --out reports/` runs each `*.yaml` in its own process (the
report notebook itself runs in a kernel), skips experiments whose inputs did not change since
their last good report, and writes `reports/index.html` (for people) and `reports/index.json`
(for machines). With at least two campaigns analysed it also renders the portfolio
meta-analysis, `reports/portfolio.html`.

This module stays light (no PyMC import): the parent process only schedules, fingerprints and
writes the index; the statistics run in the notebooks' kernels.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import shutil
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from relevance import __version__
from relevance.config import Experiment
from relevance.errors import ConfigError, InputError, RelevanceError
from relevance.results import Results, Severity, Verdict

INDEX_SCHEMA_VERSION = "1.0"
FINGERPRINT_FILE = "fingerprint.txt"
PORTFOLIO_FOLDER = "_portfolio"  # experiment names start with a letter or digit: never clashes
PORTFOLIO_PAGE = "portfolio.html"
RESERVED_NAMES = {"index.html", "index.json", PORTFOLIO_PAGE}
PORTFOLIO_SEED = 20261123
PORTFOLIO_DRAWS = 2000

Status = Literal["ok", "skipped", "failed"]
Step = Callable[[str], None]

# Mirrors relevance.report.BADGE_CLASS without importing the modelling stack into the parent.
BADGE_CLASS = {
    Verdict.BEATS: "beats",
    Verdict.IRRELEVANT: "irrelevant",
    Verdict.HARMFUL: "harmful",
    Verdict.INCONCLUSIVE: "inconclusive",
}


def esc(value: object) -> str:
    """Escape any user or data string for HTML (same rule as `relevance.report.esc`)."""
    return html.escape(str(value), quote=True)


# --- what one experiment's run came to --------------------------------------------------------


@dataclass(frozen=True)
class VersionSummary:
    """One version's verdict, as the index shows it."""

    version: str
    verdict: str
    badge: str
    sentence: str


@dataclass
class Outcome:
    """One experiment in the batch: ran (ok), skipped (unchanged) or failed, and its verdict.

    `exit_code` follows the CLI: 0 ok or skipped, 2 bad input (config or data), 1 the run
    failed. Campaign facts come from the report's `results.json` (the new one, or the last
    good one for a skipped experiment).
    """

    file: str
    name: str
    status: Status
    exit_code: int
    seconds: float
    error: str | None = None
    debug: str | None = None
    description: str = ""
    created_at: str | None = None
    badge: str | None = None
    verdict: str | None = None
    headline: str | None = None
    send: str | None = None
    reliable: bool | None = None
    profile: str | None = None
    warnings: int = 0
    versions: list[VersionSummary] = field(default_factory=list)
    report: str | None = None
    fingerprint: str | None = None

    @property
    def failed(self) -> bool:
        """True when the experiment could not be analysed this time."""
        return self.status == "failed"

    @property
    def status_text(self) -> str:
        """'ok', 'skipped (unchanged)' or 'failed (bad input, exit 2): <first line>'."""
        if self.status == "skipped":
            return "skipped (unchanged)"
        if self.status == "ok":
            return "ok"
        kind = "bad input, exit 2" if self.exit_code == 2 else "run failed, exit 1"
        return f"failed ({kind}): {first_line(self.error or '')}"

    def with_results(self, results: Results) -> Outcome:
        """Fill in the campaign facts from its results."""
        self.description = results.description
        self.created_at = results.run.created_at
        verdict = campaign_badge(results)
        self.badge = BADGE_CLASS[verdict]
        self.verdict = verdict.value
        self.headline = results.campaign.headline
        self.send = results.campaign.send
        self.reliable = results.diagnostics.reliable
        self.profile = results.run.profile
        self.warnings = warning_count(results)
        self.versions = [
            VersionSummary(v.version, v.verdict.value, BADGE_CLASS[v.verdict], v.sentence)
            for v in results.verdicts
        ]
        return self


def first_line(text: str) -> str:
    """The first line of an error message that says something (not just 'file.yaml:')."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    if lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1].removeprefix('- ')}"
    return lines[0]


def campaign_badge(results: Results) -> Verdict:
    """The campaign's best option: a version beats nothing, else inconclusive, irrelevant, harmful."""
    verdicts = {v.verdict for v in results.verdicts}
    for verdict in (Verdict.BEATS, Verdict.INCONCLUSIVE, Verdict.IRRELEVANT):
        if verdict in verdicts:
            return verdict
    return Verdict.HARMFUL


def warning_count(results: Results) -> int:
    """Data-quality warnings and errors, plus sampler problems (numbers not reliable)."""
    findings = sum(1 for f in results.findings if f.severity is not Severity.INFO)
    return findings + len(results.diagnostics.problems)


# --- fingerprints: skip what did not change ---------------------------------------------------


def experiment_fingerprint(path: Path, profile: str | None) -> tuple[Experiment, str]:
    """The validated experiment and the fingerprint of its inputs.

    The hash covers the experiment file's bytes, the merged configuration (defaults, file and
    profile, as validated), the data's identity (`sources.data_fingerprint`), the package
    version and the report notebook: if none changed, the last good report still holds.
    """
    from relevance.config import load_experiment
    from relevance.notebook import notebook_path
    from relevance.sources import data_fingerprint

    experiment = load_experiment(path, profile=profile)
    parts = [
        path.read_bytes(),
        experiment.model_dump_json(exclude={"source"}).encode(),
        data_fingerprint(experiment).encode(),
        __version__.encode(),
        notebook_path("campaign_report").read_bytes(),
    ]
    return experiment, _digest(parts)


def _digest(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:32]


def stored_fingerprint(folder: Path) -> str | None:
    """The fingerprint of the last good report in `folder`, if it is complete."""
    try:
        if not (folder / "results.json").is_file() or not (folder / "report.html").is_file():
            return None
        return (folder / FINGERPRINT_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


# --- one experiment (runs in a worker process) -----------------------------------------------


@dataclass(frozen=True)
class Task:
    """What a worker needs to run one experiment (plain, picklable)."""

    path: Path
    name: str
    out: Path
    profile: str | None
    force: bool
    fingerprint: str


def run_task(task: Task) -> Outcome:
    """Run one experiment and record its fingerprint beside the report; never raises."""
    started = time.perf_counter()
    outcome = Outcome(file=str(task.path), name=task.name, status="failed", exit_code=1, seconds=0)
    try:
        _run_task(task, outcome)
    except InputError as error:
        outcome.status, outcome.exit_code, outcome.error = "failed", 2, error.render()
    except RelevanceError as error:
        outcome.status, outcome.exit_code, outcome.error = "failed", 1, str(error)
    except Exception as error:  # keep going: one broken experiment never stops the batch
        outcome.status, outcome.exit_code = "failed", 1
        outcome.error = f"unexpected error: {type(error).__name__}: {error}"
        outcome.debug = traceback.format_exc()
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome


def _run_task(task: Task, outcome: Outcome) -> None:
    from relevance.cli import Progress, run_experiment
    from relevance.config import load_experiment
    from relevance.outputs import write_text_atomic
    from relevance.sources import rows_path

    experiment = load_experiment(task.path, profile=task.profile)
    if experiment.data.path is not None or experiment.data.simulate is not None:
        rows_path(experiment)  # a missing file is bad input before any kernel starts
    target, _ = run_experiment(task.path, task.out, task.profile, None, Progress(quiet=True))
    # the fingerprint of the inputs as they were planned: if they changed meanwhile, the next
    # batch sees a difference and runs again
    write_text_atomic(target / FINGERPRINT_FILE, task.fingerprint + "\n")
    outcome.status, outcome.exit_code, outcome.fingerprint = "ok", 0, task.fingerprint
    outcome.with_results(Results.read(target / "results.json"))
    outcome.report = f"{experiment.name}/report.html"


# --- the batch --------------------------------------------------------------------------------


@dataclass
class Batch:
    """Every experiment's outcome, the portfolio page (if any) and where the index is."""

    folder: Path
    out: Path
    outcomes: list[Outcome]
    seconds: float
    jobs: int
    profile: str | None
    portfolio: Outcome | None = None
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    @property
    def failed(self) -> list[Outcome]:
        """Experiments (and the portfolio page) that failed this time."""
        rows = [*self.outcomes, *([self.portfolio] if self.portfolio else [])]
        return [o for o in rows if o.failed]

    def to_dict(self) -> dict[str, object]:
        """The machine-readable index (index.json)."""
        counts = {s: sum(1 for o in self.outcomes if o.status == s) for s in ("ok", "skipped")}
        counts["failed"] = sum(1 for o in self.outcomes if o.failed)
        counts["worth_sending"] = sum(1 for o in self.outcomes if o.send and not o.failed)
        return {
            "schema_version": INDEX_SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "package_version": __version__,
            "experiments_folder": str(self.folder),
            "profile": self.profile,
            "jobs": self.jobs,
            "seconds": round(self.seconds, 1),
            "counts": counts,
            "portfolio": _outcome_dict(self.portfolio) if self.portfolio else None,
            "campaigns": [_outcome_dict(o) for o in self.outcomes],
        }


def _outcome_dict(outcome: Outcome) -> dict[str, object]:
    data = asdict(outcome)
    data.pop("debug")
    data["status_text"] = outcome.status_text
    return data


def find_experiments(folder: Path) -> list[Path]:
    """Every `*.yaml` experiment in `folder`, by name."""
    if not folder.is_dir():
        raise ConfigError(
            folder, None, "not a folder", "give the folder that holds the experiment YAML files"
        )
    paths = sorted(p for p in folder.glob("*.yaml") if p.is_file())
    if not paths:
        raise ConfigError(
            folder, None, "no *.yaml experiment files", "add experiments or fix the path"
        )
    return paths


def default_jobs(experiments: int) -> int:
    """One process per core, never more than there are experiments."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, experiments))


def plan(paths: list[Path], out: Path, profile: str | None, force: bool) -> list[Task | Outcome]:
    """A task per experiment to run; an outcome straight away for the others.

    Bad config and clashing names fail here, and experiments whose fingerprint matches their
    last good report are skipped here, so an unchanged batch starts no process at all.
    """
    planned: list[Task | Outcome] = []
    seen: dict[str, Path] = {}
    for path in paths:
        started = time.perf_counter()
        outcome = Outcome(str(path), path.stem, "failed", 1, 0.0)
        try:
            planned.append(_plan_one(path, out, profile, force, seen, outcome))
            continue
        except InputError as error:
            outcome.exit_code, outcome.error = 2, error.render()
        except Exception as error:  # e.g. an unreadable file: this one fails, the batch goes on
            outcome.error = f"unexpected error: {type(error).__name__}: {error}"
            outcome.debug = traceback.format_exc()
        outcome.seconds = round(time.perf_counter() - started, 2)
        planned.append(outcome)
    return planned


def _plan_one(
    path: Path,
    out: Path,
    profile: str | None,
    force: bool,
    seen: dict[str, Path],
    outcome: Outcome,
) -> Task | Outcome:
    from relevance.outputs import inside
    from relevance.sources import rows_path

    started = time.perf_counter()
    experiment, fingerprint = experiment_fingerprint(path, profile)
    name = experiment.name
    if name.lower() in RESERVED_NAMES:
        raise ConfigError(
            path, "name", f"{name!r} is reserved for the batch index", "rename the experiment"
        )
    if name.casefold() in seen:
        raise ConfigError(
            path,
            "name",
            f"{name!r} is also the name of {seen[name.casefold()]}; both would write {out / name}",
            "give every experiment a distinct name",
        )
    seen[name.casefold()] = path
    target = inside(out, name)
    if experiment.data.path is not None:
        rows_path(experiment)  # a missing data file is bad input: no process for it
    if force or stored_fingerprint(target) != fingerprint:
        return Task(path, name, out, profile, force, fingerprint)
    try:
        results = Results.read(target / "results.json")
    except (OSError, ValueError):  # a damaged last report: run again
        return Task(path, name, out, profile, force, fingerprint)
    outcome.name, outcome.status, outcome.exit_code = name, "skipped", 0
    outcome.fingerprint, outcome.report = fingerprint, f"{name}/report.html"
    outcome.with_results(results)
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome


def run_batch(
    folder: Path,
    out: Path,
    profile: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    step: Step = lambda message: None,
    portfolio: bool = True,
) -> Batch:
    """Run every experiment in `folder` into `out`, then write the portfolio and the index."""
    started = time.perf_counter()
    paths = find_experiments(folder)
    out.mkdir(parents=True, exist_ok=True)
    planned = plan(paths, out, profile, force)
    tasks = [t for t in planned if isinstance(t, Task)]
    workers = max(1, min(jobs or default_jobs(len(tasks)), max(1, len(tasks))))
    done: dict[Path, Outcome] = {Path(o.file): o for o in planned if isinstance(o, Outcome)}
    for outcome in done.values():
        step(esc_markup(f"{outcome.name}: {outcome.status_text}"))
    step(f"{len(tasks)} experiment(s) to run, {workers} at a time")

    def finished(outcome: Outcome) -> None:
        done[Path(outcome.file)] = outcome
        step(esc_markup(f"{outcome.name}: {outcome.status_text} ({outcome.seconds:.0f}s)"))

    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            finished(run_task(task))
    else:
        # spawn: workers start clean (no inherited threads or kernels) and import lightly.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures: dict[Future[Outcome], Task] = {pool.submit(run_task, t): t for t in tasks}
            for future in as_completed(futures):
                try:
                    finished(future.result())
                except Exception as error:  # the worker itself died (e.g. out of memory)
                    task = futures[future]
                    finished(
                        Outcome(
                            str(task.path),
                            task.name,
                            "failed",
                            1,
                            0.0,
                            error=f"worker process failed: {type(error).__name__}: {error}",
                        )
                    )
    outcomes = [done[path] for path in paths]
    batch = Batch(folder, out, outcomes, 0.0, workers, profile)
    if portfolio:
        batch.portfolio = render_portfolio(out, outcomes, force, step)
    batch.seconds = time.perf_counter() - started
    write_index(batch)
    return batch


# --- the portfolio meta-analysis page ----------------------------------------------------------


def portfolio_campaigns(outcomes: list[Outcome]) -> list[str]:
    """Campaigns whose current report has results (ran now or unchanged)."""
    return [o.name for o in outcomes if o.status in ("ok", "skipped")]


def render_portfolio(
    out: Path, outcomes: list[Outcome], force: bool, step: Step = lambda message: None
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
    except InputError as error:
        outcome.status, outcome.exit_code, outcome.error = "failed", 2, error.render()
    except Exception as error:
        outcome.status, outcome.exit_code = "failed", 1
        outcome.error = f"{type(error).__name__}: {error}"
        outcome.debug = traceback.format_exc()
    outcome.seconds = round(time.perf_counter() - started, 2)
    step(esc_markup(f"portfolio: {outcome.status_text} ({outcome.seconds:.0f}s)"))
    return outcome


def _render_portfolio(
    out: Path, names: list[str], force: bool, outcome: Outcome, step: Step
) -> None:
    from relevance.notebook import execute, notebook_path, render_html
    from relevance.outputs import staged_folder, write_text_atomic

    page, folder = out / PORTFOLIO_PAGE, out / PORTFOLIO_FOLDER
    notebook = notebook_path("portfolio_report")
    parts = [
        notebook.read_bytes(),
        __version__.encode(),
        f"{PORTFOLIO_SEED}:{PORTFOLIO_DRAWS}".encode(),
    ]
    parts += [n.encode() + b"\0" + (out / n / "results.json").read_bytes() for n in names]
    outcome.fingerprint = fingerprint = _digest(parts)
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
        with staged_folder(folder) as staging:
            execute(
                notebook,
                staging / "portfolio.ipynb",
                {
                    "reports_dir": str(out.resolve()),
                    "output_dir": str(staging),
                    "campaigns": ",".join(names),
                    "seed": PORTFOLIO_SEED,
                    "draws": PORTFOLIO_DRAWS,
                },
                cwd=Path.cwd(),
            )
            render_html(staging / "portfolio.ipynb", staging / PORTFOLIO_PAGE, "portfolio")
            (staging / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
        write_text_atomic(page, (folder / PORTFOLIO_PAGE).read_text(encoding="utf-8"))
        outcome.status, outcome.exit_code = "ok", 0
    summary = folder / "portfolio.json"
    if summary.is_file():
        facts = json.loads(summary.read_text(encoding="utf-8"))
        outcome.headline = facts.get("headline")
        outcome.created_at = facts.get("created_at")


def remove_stale_portfolio(out: Path) -> None:
    """Drop a portfolio page left from an earlier batch (fewer than two campaigns now)."""
    (out / PORTFOLIO_PAGE).unlink(missing_ok=True)
    shutil.rmtree(out / PORTFOLIO_FOLDER, ignore_errors=True)


# --- the index page ------------------------------------------------------------------------------

INDEX_CSS = """
.index-head { margin-bottom: 12px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; padding: 0; list-style: none; }
.summary li { border: 1px solid var(--line); border-radius: 8px; padding: 4px 10px; font-size: 0.9rem; }
.cards.campaigns { margin-top: 16px; }
.card h2 { font-size: 1.1rem; margin: 0; padding: 0; border: 0; overflow-wrap: anywhere; }
.card h2 a { color: inherit; }
.card.failed { border-left-color: var(--harmful); background: #fff8f3; }
.card .versions { list-style: none; padding: 0; margin: 8px 0 0; font-size: 0.9rem; }
.card .versions li { margin: 4px 0; }
.badge.small { font-size: 0.75rem; padding: 1px 8px; margin-right: 6px; }
.badge.failed { background: var(--harmful); } .badge.stale { background: var(--muted); }
pre.error-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.82rem; margin: 8px 0 0;
  background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.portfolio-link { font-size: 1.05rem; font-weight: 600; }
"""


def _when(created_at: str | None) -> str:
    if not created_at:
        return "unknown date"
    try:
        moment = datetime.fromisoformat(created_at).astimezone(UTC)
    except ValueError:
        return created_at
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _campaign_card(outcome: Outcome, out: Path) -> str:
    if outcome.failed:
        last_good = out / outcome.name / "report.html"
        previous = (
            f'<p class="meta"><a href="{esc(outcome.name)}/report.html">last good report</a> '
            "(from before this failure)</p>"
            if last_good.is_file()
            else ""
        )
        kind = "bad input" if outcome.exit_code == 2 else "run failed"
        return (
            f'<article class="card failed"><div class="card-head"><h2>{esc(outcome.name)}</h2>'
            f'<span class="badge failed">failed: {esc(kind)}</span></div>'
            f'<p class="meta">{esc(Path(outcome.file).name)} · exit code {outcome.exit_code}</p>'
            f'<pre class="error-text">{esc(outcome.error or "")}</pre>{previous}</article>'
        )
    versions = "".join(
        f'<li><span class="badge small {esc(v.badge)}">{esc(v.verdict)}</span>{esc(v.sentence)}</li>'
        for v in outcome.versions
    )
    notes = []
    if outcome.reliable is False:
        notes.append('<p class="warning">The sampler did not converge: not reliable yet.</p>')
    if outcome.profile == "quick":
        notes.append('<p class="meta">Quick run (fewer draws): a fast look, not a decision.</p>')
    status = "unchanged since the last report" if outcome.status == "skipped" else "analysed now"
    warnings = f"{outcome.warnings} warning{'s' if outcome.warnings != 1 else ''}"
    return (
        f'<article class="card {esc(outcome.badge)}"><div class="card-head">'
        f'<h2><a href="{esc(outcome.report)}">{esc(outcome.name)}</a></h2>'
        f'<span class="badge {esc(outcome.badge)}">{esc(outcome.verdict)}</span></div>'
        f'<p class="sentence"><strong>{esc(outcome.headline)}</strong></p>'
        f'<p class="description">{esc(outcome.description)}</p>'
        f'<p class="meta">analysed {esc(_when(outcome.created_at))} · {esc(warnings)} · {esc(status)}</p>'
        + "".join(notes)
        + f'<ul class="versions">{versions}</ul>'
        f'<p class="meta"><a href="{esc(outcome.report)}">open the report</a></p></article>'
    )


def render_index(batch: Batch) -> str:
    """The index page: one card per campaign, verdict first; self-contained, no scripts."""
    from relevance.notebook import TEMPLATES

    css = (TEMPLATES / "relevance" / "report.css").read_text(encoding="utf-8")
    rows = batch.outcomes
    worth = [o for o in rows if o.send and not o.failed]
    failed = [o for o in rows if o.failed]
    order = {"beats": 0, "inconclusive": 1, "irrelevant": 2, "harmful": 3}
    cards = sorted(
        (o for o in rows if not o.failed), key=lambda o: (order.get(o.badge or "", 9), o.name)
    )
    summary = [
        f"{len(rows)} campaign{'s' if len(rows) != 1 else ''}",
        f"{len(worth)} worth sending",
        f"{sum(1 for o in rows if o.status == 'skipped')} unchanged",
        f"{len(failed)} failed",
    ]
    portfolio = ""
    if batch.portfolio is not None and batch.portfolio.status != "failed":
        headline = f" {esc(batch.portfolio.headline)}" if batch.portfolio.headline else ""
        portfolio = (
            f'<p class="portfolio-link"><a href="{PORTFOLIO_PAGE}">Across all campaigns: '
            f"the portfolio meta-analysis</a></p><p>{headline}</p>"
        )
    elif batch.portfolio is not None:
        portfolio = (
            '<p class="warning">The portfolio meta-analysis failed: '
            f"{esc(first_line(batch.portfolio.error or ''))}</p>"
        )
    failed_section = (
        "<h2>Failed</h2><p>These experiments could not be analysed this time; fix them and "
        'run again. Any report from an earlier good run is kept.</p><div class="cards campaigns">'
        + "".join(_campaign_card(o, batch.out) for o in failed)
        + "</div>"
        if failed
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Campaign reports</title>"
        f"<style>\n{css}\n{INDEX_CSS}</style></head>"
        '<body class="relevance-report"><main>'
        '<header class="index-head"><h1>Campaign reports</h1>'
        '<p class="description">Does each campaign\'s email beat sending nothing? '
        "Verdicts first; open a campaign for its full report.</p>"
        f'<ul class="summary">{"".join(f"<li>{esc(s)}</li>" for s in summary)}</ul>'
        f'<p class="meta">generated {esc(_when(batch.generated_at))} · relevance {esc(__version__)}'
        f"{' · profile ' + esc(batch.profile) if batch.profile else ''}</p></header>"
        f"{portfolio}"
        f'<div class="cards campaigns">{"".join(_campaign_card(o, batch.out) for o in cards)}</div>'
        f"{failed_section}</main></body></html>\n"
    )


def write_index(batch: Batch) -> tuple[Path, Path]:
    """Write `index.html` and `index.json` into the output folder, each atomically."""
    from relevance.outputs import write_text_atomic

    if batch.portfolio is None:
        remove_stale_portfolio(batch.out)
    page = write_text_atomic(batch.out / "index.html", render_index(batch))
    data = write_text_atomic(
        batch.out / "index.json", json.dumps(batch.to_dict(), indent=2, ensure_ascii=False) + "\n"
    )
    return page, data


# --- the summary table for the terminal -------------------------------------------------------


def summary_table(batch: Batch) -> object:
    """A rich table: experiment, verdict, time, status (with the first line of any error)."""
    from rich.table import Table

    count = len(batch.outcomes)
    table = Table(
        title=f"relevance run-all: {count} experiment{'s' if count != 1 else ''}",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("experiment", overflow="fold")
    table.add_column("verdict", overflow="fold")
    table.add_column("time", justify="right")
    table.add_column("status", overflow="fold")
    styles = {"ok": "green", "skipped": "cyan", "failed": "red"}
    rows = [*batch.outcomes, *([batch.portfolio] if batch.portfolio else [])]
    for o in rows:
        verdict = o.verdict or "–"
        if o.send:
            verdict = f"{verdict}: send {o.send}"
        table.add_row(
            esc_markup(o.name),
            esc_markup(verdict),
            f"{o.seconds:.0f}s",
            f"[{styles[o.status]}]{esc_markup(o.status_text)}[/{styles[o.status]}]",
        )
    table.caption = (
        f"{len(batch.failed)} failed · {batch.seconds:.0f}s with {batch.jobs} job(s) · "
        f"index: {batch.out / 'index.html'}"
    )
    return table


def esc_markup(text: str) -> str:
    """Text shown literally inside rich markup."""
    from rich.markup import escape

    return escape(text)
