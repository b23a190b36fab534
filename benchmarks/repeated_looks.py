"""Repeated looks: how often the verdict rule crowns an email that does nothing, read every day.

Simulates always-on campaigns with a randomised holdout, day by day for 28 days, and applies
the report's own verdict rule (`relevance.decide.looks.rule_verdicts`, on the same normal
approximation the timeline uses) at every daily look: once as it was before (95% chance of
beating sending nothing by more than the ROPE) and once look-safe (plus the evidence of
`relevance.decide.evidence`). For exact-null campaigns it counts the share ever called
"beats sending nothing" at any of the 28 looks; for campaigns with a real effect, the share
called a winner by day 28 and the median day it happened. Then what a timeline costs on top of
a report (`analyze` with and without `data.date`, each step's seconds).

    .venv/bin/python benchmarks/repeated_looks.py            # 4,000 campaigns per row
    .venv/bin/python benchmarks/repeated_looks.py --small    # 400, to check the script
    .venv/bin/python benchmarks/repeated_looks.py --skip timings --out /tmp/looks.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from relevance.config import Experiment
from relevance.decide.looks import estimate, rule_verdicts
from relevance.io.cells import Proportion
from relevance.results import Verdict

ROOT = Path(__file__).resolve().parents[1]
LOOKS = 28
BASE_RATE = 0.03
HOLDOUT_SHARE = 0.2
SEED = 20261130


@dataclass(frozen=True)
class Scenario:
    """One row of the table: daily volume, versions, ROPE and the true effect per recipient."""

    daily: int
    versions: int
    rope: float
    effect: float = 0.0


NULL_SCENARIOS = [
    Scenario(daily, versions, rope)
    for daily in (1_000, 5_000, 20_000)
    for versions in (1, 2)
    for rope in (0.0, 0.001)
]
EFFECT_SCENARIOS = [
    Scenario(daily, 1, 0.001, effect)
    for daily in (1_000, 5_000, 20_000)
    for effect in (0.004, 0.008)
]


def experiment(scenario: Scenario) -> Experiment:
    """A campaign with a holdout, `versions` versions and purchases (the ROPE of the row)."""
    versions = [chr(ord("A") + i) for i in range(scenario.versions)]
    return Experiment.model_validate(
        {
            "name": "looks",
            "data": {"path": "rows.csv", "date": "send_date"},
            "arms": {"holdout": "holdout", "versions": versions},
            "metrics": [
                {
                    "name": "purchase",
                    "kind": "binary",
                    "column": "purchased",
                    "primary": True,
                    "rope": scenario.rope,
                }
            ],
        }
    )


def simulate(scenario: Scenario, campaigns: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Verdicts at every look, before and after the change: (campaign, look, version) arrays."""
    arms = 1 + scenario.versions
    shares = np.array(
        [HOLDOUT_SHARE] + [(1 - HOLDOUT_SHARE) / scenario.versions] * scenario.versions
    )
    daily = rng.multinomial(scenario.daily, shares, size=(campaigns, LOOKS))  # (c, look, arm)
    rates = np.array([BASE_RATE] + [BASE_RATE + scenario.effect] * scenario.versions)
    ones = rng.binomial(daily, rates)
    n, events = daily.cumsum(axis=1), ones.cumsum(axis=1)
    estimates = {"purchase": estimate(Proportion(n=n, ones=events))}
    config = experiment(scenario)
    found = {}
    for rule, safe in (("before", False), ("after", True)):
        found[rule] = np.stack(
            [
                rule_verdicts(config, estimates, index, scenario.versions, look_safe=safe)
                == Verdict.BEATS
                for index in range(1, arms)
            ],
            axis=2,
        )
    return found


def percent(share: float) -> str:
    return f"{share:.1%}"


def null_table(campaigns: int, rng: np.random.Generator) -> str:
    """False 'beats sending nothing' within 28 daily looks, before and after the change."""
    rows = [
        "| recipients a day | versions | ROPE per 1,000 | ever called “beats” before | after | "
        "at the last look only, before | Monte Carlo ± (after) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for scenario in NULL_SCENARIOS:
        found = simulate(scenario, campaigns, rng)
        ever_before = found["before"].any(axis=(1, 2)).mean()
        ever_after = found["after"].any(axis=(1, 2)).mean()
        last_before = found["before"][:, -1, :].any(axis=1).mean()
        worst = max(worst, ever_after)
        error = 1.96 * np.sqrt(max(ever_after, 0.01) * (1 - ever_after) / campaigns)
        rows.append(
            f"| {scenario.daily:,} | {scenario.versions} | {scenario.rope * 1000:g} | "
            f"{percent(ever_before)} | **{percent(ever_after)}** | {percent(last_before)} | "
            f"{percent(error)} |"
        )
    rows.append("")
    rows.append(
        f"Worst share after the change: {percent(worst)} (the guarantee: at most 5%, at any "
        "number of looks)."
    )
    return "\n".join(rows)


def effect_table(campaigns: int, rng: np.random.Generator) -> str:
    """What the safety costs: winners found by day 28, and how soon."""
    rows = [
        "| recipients a day | true effect per 1,000 | called “beats” by day 28, before | after | "
        "median day, before | after |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in EFFECT_SCENARIOS:
        found = simulate(scenario, campaigns, rng)
        cells = [f"{scenario.daily:,}", f"+{scenario.effect * 1000:g}"]
        days = []
        for rule in ("before", "after"):
            hit = found[rule][:, :, 0]
            cells.append(percent(hit.any(axis=1).mean()))
            first = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, np.nan)
            days.append("–" if np.all(np.isnan(first)) else f"{np.nanmedian(first):.0f}")
        rows.append("| " + " | ".join(cells + days) + " |")
    return "\n".join(rows)


TIMING_SCRIPT = """
import json, sys, time
from relevance import analyze
from relevance.config import load_experiment
path, dated = sys.argv[1], sys.argv[2] == "1"
overrides = {} if dated else {"data": {"date": None}}
runs = []
for attempt in range(2):
    started = time.perf_counter()
    analysis = analyze(load_experiment(path, profile=None, overrides=overrides))
    runs.append({"total": time.perf_counter() - started, **analysis.seconds})
print(json.dumps(runs))
"""


def timings(recipients: int, draws: int) -> str:
    """Seconds per step of `analyze` on the always-on preset, without and with `data.date`."""
    folder = Path(tempfile.mkdtemp(prefix="relevance-looks-"))
    path = folder / "always-on.yaml"
    path.write_text(
        json.dumps(
            {
                "name": "always-on",
                "data": {
                    "simulate": {"preset": "always_on", "recipients": recipients, "seed": 3},
                    "date": "send_date",
                },
                "arms": {"holdout": "holdout", "versions": ["A"]},
                "metrics": [
                    {
                        "name": "purchase",
                        "label": "purchases",
                        "kind": "binary",
                        "column": "purchased",
                        "primary": True,
                        "rope": 0.001,
                    }
                ],
                "segments": ["lifecycle_stage"],
                "sampler": {"draws": draws, "tune": draws},
            }
        )
    )
    env = {**os.environ, "RELEVANCE_CACHE": str(folder / "cache")}
    found = {}
    for label, dated in (("snapshot only", "0"), ("with data.date", "1")):
        out = subprocess.run(
            [sys.executable, "-c", TIMING_SCRIPT, str(path), dated],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=ROOT,
        )
        found[label] = json.loads(out.stdout.strip().splitlines()[-1])
    steps = ["aggregate", "checks", "compile", "sample", "decide", "timeline", "drift", "total"]
    rows = [
        "| run | " + " | ".join(steps) + " |",
        "|---|" + "---:|" * len(steps),
    ]
    for label, runs in found.items():
        for attempt, run in zip(("first", "repeated"), runs, strict=True):
            cells = [f"{run[s]:.2f}" if s in run else "–" for s in steps]
            rows.append(f"| {label}, {attempt} | " + " | ".join(cells) + " |")
    return (
        f"`analyze()` on the always-on preset ({recipients:,} recipients over 91 days, one version, "
        f"lifecycle-stage segments, {draws} draws x 2 chains), seconds per step, each in a fresh "
        "process: first (compiled code loaded from the disk cache, or compiled when this machine "
        "has not seen it) and repeated in the same process. `drift` samples the report's own "
        "compiled model (periods are data); `timeline` the looks.\n\n" + "\n".join(rows)
    )


def header(campaigns: int) -> str:
    return (
        f"# Repeated looks\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python "
        f"{platform.python_version()} · {os.cpu_count()} cores · load "
        f"{os.getloadavg()[0]:.1f} · {campaigns:,} simulated campaigns per row, {LOOKS} daily "
        f"looks, base purchase rate {BASE_RATE:.0%}, {HOLDOUT_SHARE:.0%} holdout, seed {SEED}.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="400 campaigns per row")
    parser.add_argument("--skip", nargs="*", default=[], choices=("null", "effect", "timings"))
    parser.add_argument("--out", type=Path, help="Markdown file to write")
    args = parser.parse_args(argv)
    campaigns = 400 if args.small else 4_000
    rng = np.random.default_rng(SEED)
    parts = [header(campaigns)]
    started = time.perf_counter()
    if "null" not in args.skip:
        parts += [
            "## No effect at all: ever called “beats sending nothing”",
            null_table(campaigns, rng),
        ]
    if "effect" not in args.skip:
        parts += ["## A real effect: what the safety costs", effect_table(campaigns, rng)]
    if "timings" not in args.skip:
        recipients = 100_000 if args.small else 1_000_000
        parts += [
            "## What a timeline costs on top of a report",
            timings(recipients, 200 if args.small else 1000),
        ]
    parts.append(f"\n({time.perf_counter() - started:.0f} s)")
    text = "\n\n".join(parts) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
