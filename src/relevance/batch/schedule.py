"""Which experiments a batch runs: validated, named uniquely, skipped when nothing changed.

Bad config and clashing names fail while scheduling, and an experiment whose inputs match the
fingerprint of its last good report is skipped, so an unchanged batch starts no process.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from relevance import __version__
from relevance.batch.outcome import Outcome
from relevance.config import Experiment, load_experiment
from relevance.errors import ConfigError
from relevance.io.outputs import inside
from relevance.io.sources import data_fingerprint, rows_path
from relevance.pipeline.notebooks import notebook_path, run_experiment
from relevance.results import Results

FINGERPRINT_FILE = "fingerprint.txt"
PORTFOLIO_PAGE = "portfolio.html"
RESERVED_NAMES = {"index.html", "index.json", "changes.md", PORTFOLIO_PAGE}


def digest(parts: list[bytes]) -> str:
    """A hash of several byte strings, each length-prefixed so that no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()[:32]


def experiment_fingerprint(path: Path, profile: str | None) -> tuple[Experiment, str]:
    """The validated experiment and the fingerprint of its inputs.

    The hash covers the experiment file's bytes, the merged configuration (defaults, file and
    profile, as validated), the data's identity (:func:`data_fingerprint`), the package
    version and the report notebook: if none changed, the last good report still holds.
    """
    experiment = load_experiment(path, profile=profile)
    parts = [
        path.read_bytes(),
        experiment.model_dump_json(exclude={"source", "config_files"}).encode(),
        data_fingerprint(experiment).encode(),
        __version__.encode(),
        notebook_path("campaign_report").read_bytes(),
    ]
    return experiment, digest(parts)


def stored_fingerprint(folder: Path) -> str | None:
    """The fingerprint of the last good report in `folder`, if it is complete."""
    try:
        if not (folder / "results.json").is_file() or not (folder / "report.html").is_file():
            return None
        return (folder / FINGERPRINT_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


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
    """Run one experiment, its fingerprint saved with the report; never raises."""
    started = time.perf_counter()
    outcome = Outcome(file=str(task.path), name=task.name, status="failed", exit_code=1, seconds=0)
    try:
        experiment = load_experiment(task.path, profile=task.profile)
        if experiment.data.path is not None or experiment.data.simulate is not None:
            rows_path(experiment)  # a missing file is bad input before any kernel starts
        # The fingerprint of the inputs as they were scheduled: if they changed meanwhile,
        # the next batch sees a difference and runs again.
        target, _ = run_experiment(
            task.path,
            task.out,
            task.profile,
            None,
            extra_files={FINGERPRINT_FILE: task.fingerprint + "\n"},
            compile_beside=False,  # the batch's workers already run side by side
        )
        outcome.status, outcome.exit_code, outcome.fingerprint = "ok", 0, task.fingerprint
        outcome.with_results(Results.read(target / "results.json"))
        outcome.report = f"{experiment.name}/report.html"
    except Exception as error:  # keep going: one broken experiment never stops the batch
        outcome.record_failure(error)
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome


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


def schedule(
    paths: list[Path], out: Path, profile: str | None, force: bool
) -> list[Task | Outcome]:
    """A task per experiment to run; an outcome straight away for the others (failed, skipped)."""
    scheduled: list[Task | Outcome] = []
    seen: dict[str, Path] = {}
    for path in paths:
        started = time.perf_counter()
        outcome = Outcome(str(path), path.stem, "failed", 1, 0.0)
        try:
            scheduled.append(_schedule_one(path, out, profile, force, seen, outcome))
            continue
        except Exception as error:  # e.g. an unreadable file: this one fails, the batch goes on
            outcome.record_failure(error)
        outcome.seconds = round(time.perf_counter() - started, 2)
        scheduled.append(outcome)
    return scheduled


def _schedule_one(
    path: Path,
    out: Path,
    profile: str | None,
    force: bool,
    seen: dict[str, Path],
    outcome: Outcome,
) -> Task | Outcome:
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
