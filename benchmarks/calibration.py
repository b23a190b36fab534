"""Calibration: do the 95% intervals hold 95%, and are the verdicts right, on campaigns with
known truth? (Not part of the default tests; `tests/test_calibration.py` runs a reduced one.)

Every family of simulated campaigns (:mod:`relevance.io.scenarios`) is analysed with the same
`analyze()` a user runs, from a cells file, with small sampler settings. Per family it reports
the coverage of the 95% intervals (the primary uplift overall, and per segment level), the share
of exact-null versions called "beats sending nothing" or "harmful", verdicts of the wrong sign,
and the power at the family's stated effect. Writes ``benchmarks/results/calibration.md`` and
``calibration.json``.

    .venv/bin/python benchmarks/calibration.py            # >= 400 campaigns
    .venv/bin/python benchmarks/calibration.py --per-family 8 --out /tmp/quick
    .venv/bin/python benchmarks/calibration.py --workers 2   # only when two cores are free
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from relevance.config import Experiment
from relevance.io.scenarios import Scenario, simulate
from relevance.pipeline.analysis import analyze
from relevance.results import Verdict

SAMPLER = {"draws": 500, "tune": 500, "chains": 2}
EFFECT = 0.12  # logit effect of the version with an effect: about +5 purchases per 1,000 at 4%
REVENUE_EFFECT = {"effects": (0.0, EFFECT), "amount_effects": (1.0, 1.1)}
REVENUE_ROPE = 0.05

FAMILIES: tuple[Scenario, ...] = (
    Scenario("binary null", effects=(0.0, 0.0)),
    Scenario("binary effect", effects=(0.0, EFFECT)),
    Scenario(
        "revenue log-normal",
        kind="revenue",
        amounts="lognormal",
        rope=REVENUE_ROPE,
        **REVENUE_EFFECT,
    ),
    Scenario("revenue gamma", kind="revenue", amounts="gamma", rope=REVENUE_ROPE, **REVENUE_EFFECT),
    Scenario(
        "revenue capped", kind="revenue", amounts="capped", rope=REVENUE_ROPE, **REVENUE_EFFECT
    ),
    Scenario(
        "revenue Pareto 2.5", kind="revenue", amounts="pareto", rope=REVENUE_ROPE, **REVENUE_EFFECT
    ),
    Scenario("2 segment levels", effects=(0.0, EFFECT), segment_levels=2),
    Scenario("8 segment levels", effects=(0.0, EFFECT), segment_levels=8),
    Scenario("fatigue (ordered)", effects=(0.0, EFFECT), segment_levels=3, fatigue_levels=4),
    Scenario("adjust_for", effects=(0.0, EFFECT), segment_levels=3, adjust_levels=10),
    Scenario(
        "revenue Pareto 2.5, adjust_for",
        kind="revenue",
        amounts="pareto",
        rope=REVENUE_ROPE,
        segment_levels=3,
        adjust_levels=10,
        adjust_amount_strength=0.4,
        **REVENUE_EFFECT,
    ),
)


def experiment_for(scenario: Scenario, cells_file: Path, seed: int) -> Experiment:
    """The experiment a user would write for a campaign of this scenario."""
    metric = {
        "name": scenario.metric,
        "kind": scenario.kind,
        "column": scenario.metric,
        "primary": True,
        "rope": scenario.rope,
    }
    sections: dict[str, object] = {
        "name": "calibration",
        "data": {"cells": str(cells_file), "unit_id": None},
        "arms": {"holdout": "holdout", "versions": list(scenario.arms[1:])},
        "metrics": [metric],
        "segments": ["segment"],
        "sampler": {**SAMPLER, "seed": seed},
    }
    if scenario.fatigue_levels:
        sections["fatigue"] = {"column": "fatigue", "cap": scenario.fatigue_levels - 1}
    if scenario.adjust_levels:
        sections["adjust_for"] = ["history"]
    return Experiment.model_validate(sections)


@dataclass
class Outcome:
    """One version of one campaign: truth, interval, verdict, segment coverage."""

    family: str
    seed: int
    version: str
    truth: float
    low: float
    high: float
    mean: float
    sd: float
    verdict: str
    segments_covered: int
    segments: int
    reliable: bool
    narrowing: float | None


def run_campaign(scenario: Scenario, seed: int, folder: Path) -> list[Outcome]:
    """Simulate, analyse and score one campaign."""
    campaign = simulate(scenario, np.random.default_rng(seed))
    path = folder / f"cells-{seed}.csv"
    campaign.cells.to_csv(path, index=False)
    analysis = analyze(experiment_for(scenario, path, seed))
    results = analysis.results
    outcomes = []
    for version, truth in campaign.truth.items():
        u = results.uplift(scenario.metric, version)
        covered = total = 0
        for (v, level), value in campaign.segment_truth.items():
            if v != version:
                continue
            s = results.uplift(scenario.metric, version, "segment", level)
            total += 1
            covered += s.uplift_low <= value <= s.uplift_high
        narrowing = results.adjustment.narrowing[version] if results.adjustment else None
        outcomes.append(
            Outcome(
                scenario.name,
                seed,
                version,
                truth,
                u.uplift_low,
                u.uplift_high,
                u.uplift_mean,
                u.uplift_sd,
                u.verdict.value,
                covered,
                total,
                results.diagnostics.reliable,
                narrowing,
            )
        )
    return outcomes


def binomial_band(share: float, n: int, z: float = 3.0) -> tuple[float, float]:
    """The range a share estimated from n trials stays in `z` binomial sds of `share`."""
    half = z * math.sqrt(share * (1 - share) / max(n, 1))
    return share - half, share + half


def summarise(outcomes: list[Outcome], rope: dict[str, float]) -> list[dict[str, object]]:
    """Per family: coverage, null calls, wrong signs, power, ESS-reliable share."""
    rows = []
    for family in dict.fromkeys(o.family for o in outcomes):
        mine = [o for o in outcomes if o.family == family]
        nulls = [o for o in mine if o.truth == 0.0]
        effects = [o for o in mine if o.truth != 0.0]
        called = {Verdict.BEATS.value, Verdict.HARMFUL.value}
        wrong = [
            o
            for o in mine
            if (o.verdict == Verdict.BEATS.value and o.truth < 0)
            or (o.verdict == Verdict.HARMFUL.value and o.truth > 0)
        ]
        z = [(o.mean - o.truth) / o.sd for o in mine if o.sd > 0]
        narrowing = [o.narrowing for o in mine if o.narrowing is not None]
        rows.append(
            {
                "family": family,
                "campaigns": len({o.seed for o in mine}),
                "intervals": len(mine),
                "coverage": float(np.mean([o.low <= o.truth <= o.high for o in mine])),
                "segment intervals": sum(o.segments for o in mine),
                "segment coverage": sum(o.segments_covered for o in mine)
                / max(1, sum(o.segments for o in mine)),
                "z sd": float(np.std(z, ddof=1)) if len(z) > 1 else float("nan"),
                "null versions": len(nulls),
                "nulls called beats/harmful": float(np.mean([o.verdict in called for o in nulls]))
                if nulls
                else float("nan"),
                "wrong sign": len(wrong),
                "effect versions": len(effects),
                "mean true effect": float(np.mean([o.truth for o in effects]))
                if effects
                else float("nan"),
                "power (beats)": float(np.mean([o.verdict == Verdict.BEATS.value for o in effects]))
                if effects
                else float("nan"),
                "reliable": float(np.mean([o.reliable for o in mine])),
                "mean narrowing": float(np.mean(narrowing)) if narrowing else float("nan"),
                "rope": rope[family],
            }
        )
    return rows


def markdown(
    rows: list[dict[str, object]], seconds: float, per_family: int, workers: int = 1
) -> str:
    """The table the README quotes."""
    head = (
        "| family | campaigns | 95% coverage overall | segment coverage | z sd | exact nulls "
        "called beats/harmful | wrong-sign verdicts | power (beats) at the stated effect |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        power = (
            f"{r['power (beats)']:.0%} at +{float(r['mean true effect']) * 1000:.2f} per 1,000"
            if r["effect versions"]
            else "–"
        )
        nulls = (
            f"{r['nulls called beats/harmful']:.1%} of {r['null versions']}"
            if r["null versions"]
            else "–"
        )
        lines.append(
            f"| {r['family']} | {r['campaigns']} | {r['coverage']:.1%} of {r['intervals']} | "
            f"{r['segment coverage']:.1%} of {r['segment intervals']} | {r['z sd']:.2f} | "
            f"{nulls} | {r['wrong sign']} | {power} |"
        )
    total = sum(int(r["campaigns"]) for r in rows)
    return (
        head
        + "\n".join(lines)
        + f"\n\n{total} campaigns ({per_family} per family), 2 versions each, 60,000 recipients "
        f"(20% holdout), {SAMPLER['draws']} draws x {SAMPLER['chains']} chains; "
        f"{seconds / 60:.1f} minutes on this machine ({workers} process"
        f"{'es' if workers > 1 else ''}, 2 cores shared with other work).\n"
    )


def _campaign_in_scratch(task: tuple[Scenario, int]) -> list[Outcome]:
    """:func:`run_campaign` in its own scratch folder (a worker process's unit of work)."""
    scenario, seed = task
    with tempfile.TemporaryDirectory() as scratch:
        return run_campaign(scenario, seed, Path(scratch))


def run(
    per_family: int,
    folder: Path,
    families: tuple[Scenario, ...] = FAMILIES,
    workers: int = 1,
) -> tuple[list[Outcome], float]:
    """Every family's campaigns, seeds 1..per_family; returns outcomes and seconds taken.

    With ``workers > 1`` campaigns run in that many spawned processes (use it only when that
    many cores are free: each fit already runs two chains); every process loads the one
    compiled model from the cache.
    """
    started = time.perf_counter()
    tasks = [(scenario, seed) for scenario in families for seed in range(1, per_family + 1)]
    outcomes: list[Outcome] = []
    with contextlib.ExitStack() as stack:
        if workers > 1:
            pool = stack.enter_context(
                ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            )
            results = pool.map(_campaign_in_scratch, tasks)
        else:
            results = map(_campaign_in_scratch, tasks)
        for done, ((scenario, seed), found) in enumerate(zip(tasks, results, strict=True), 1):
            outcomes += found
            if seed == per_family:
                print(
                    f"{scenario.name}: {per_family} campaigns ({done} of {len(tasks)}), "
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
    folder.mkdir(parents=True, exist_ok=True)
    return outcomes, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--workers", type=int, default=1, help="processes (only as many as there are free cores)"
    )
    args = parser.parse_args()
    outcomes, seconds = run(args.per_family, args.out, workers=args.workers)
    rows = summarise(outcomes, {s.name: s.rope for s in FAMILIES})
    table = markdown(rows, seconds, args.per_family, args.workers)
    (args.out / "calibration.md").write_text(table, encoding="utf-8")
    (args.out / "calibration.json").write_text(
        json.dumps(
            {"families": rows, "seconds": seconds, "outcomes": [asdict(o) for o in outcomes]},
            indent=1,
        ),
        encoding="utf-8",
    )
    print(table)


if __name__ == "__main__":
    main()
