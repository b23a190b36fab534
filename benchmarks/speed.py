"""Where users wait: the fixed cost of a report, batch throughput, a new campaign shape.

Prints a Markdown table (and writes it with --out). Every figure is a split or a ratio
measured in one run of this script, from the seconds each report records in its
results.json (aggregation, checks, compile, sampling, survey answers and their models) and
the wall time of the command:

- fixed cost of one report = wall time of `relevance run` minus aggregation, checks,
  compile and sampling (demo and Hillstrom, repeated runs in a warm cache);
- batch: `relevance run-all --jobs 2 --force` over 20 campaigns of 5 shapes, after a run
  that compiled them, against the sum of their aggregation + checks + compile + sampling;
- compile of a campaign whose shape was never compiled (warm cache: only the demo ran),
  and of the first model in an empty cache;
- the ratio of end-to-end time to fit time (compile + sampling) for each.

`--src DIR` measures another checkout's `src` with this environment (e.g. the code before a
change): `python benchmarks/speed.py --src /tmp/before/src --out before.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from run import HILLSTROM, hillstrom_experiment  # the main benchmark's Hillstrom campaign

ROOT = Path(__file__).resolve().parents[1]
STATS = ("aggregate", "checks", "compile", "sample", "survey answers", "surveys")
"""Statistics steps a report records; the survey steps only where `surveys:` is configured
(the demo's three questions: reading, and their models' compile and sampling)."""
SHAPES = 5
PER_SHAPE = 4


def command(src: Path | None) -> tuple[list[str], dict[str, str]]:
    """How to call the CLI of the measured code, and its environment."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return [sys.executable, "-m", "relevance.cli"], env


def timed(args: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall seconds of one CLI call (which must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode not in (0,):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(args[3:5])} exited {done.returncode}: {tail}")
    return time.perf_counter() - started


def seconds(report: Path) -> dict[str, float]:
    """The step seconds a report recorded."""
    return json.loads((report / "results.json").read_text())["run"]["seconds"]


def stats_of(recorded: dict[str, float]) -> float:
    return sum(float(recorded.get(step, 0.0)) for step in STATS)


def fit_of(recorded: dict[str, float]) -> float:
    return float(recorded.get("compile", 0.0)) + float(recorded.get("sample", 0.0))


def write(path: Path, content: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def metric(name: str) -> dict[str, Any]:
    return {
        "purchase": {
            "name": "purchase",
            "kind": "binary",
            "column": "purchased",
            "primary": True,
            "rope": 0.001,
        },
        "revenue": {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05},
        "unsubscribe": {
            "name": "unsubscribe",
            "kind": "binary",
            "column": "unsubscribed",
            "direction": "decrease",
            "guardrail": True,
            "rope": 0.002,
        },
    }[name]


def shape(index: int, seed: int) -> dict[str, Any]:
    """Campaign `seed` of shape `index`: arms, metrics and segments differ between shapes."""
    preset, versions, metrics, segments, fatigue = [
        ("demo", ["A", "B"], ["purchase", "revenue", "unsubscribe"], ["lifecycle_stage"], True),
        ("demo", ["A", "B"], ["purchase"], ["lifecycle_stage"], False),
        ("demo", ["A", "B"], ["purchase", "unsubscribe"], [], False),
        ("fatigue", ["A"], ["purchase", "unsubscribe"], [], True),
        ("null", ["A", "B"], ["purchase", "revenue"], ["lifecycle_stage"], False),
    ][index]
    content: dict[str, Any] = {
        "name": f"shape{index + 1}-{seed}",
        "data": {"simulate": {"preset": preset, "recipients": 50_000, "seed": seed}},
        "arms": {"holdout": "holdout", "versions": versions},
        "metrics": [metric(m) for m in metrics],
        "segments": segments,
    }
    if fatigue:
        content["fatigue"] = {"column": "emails_prior_7d", "cap": 3}
    return content


def single(experiment: Path, cli: list[str], env: dict[str, str], work: Path) -> dict[str, float]:
    """A report run twice in the same cache (warm-up, then timed): wall, stats and fixed cost."""
    out = work / "reports-single"
    timed([*cli, "run", str(experiment), "--out", str(out), "--quiet"], env, work)
    wall = timed([*cli, "run", str(experiment), "--out", str(out), "--quiet"], env, work)
    recorded = seconds(out / yaml.safe_load(experiment.read_text())["name"])
    return {
        "wall": wall,
        "stats": stats_of(recorded),
        "fit": fit_of(recorded),
        "fixed": wall - stats_of(recorded),
        **{step: float(recorded.get(step, 0.0)) for step in STATS},
    }


def batch(cli: list[str], env: dict[str, str], work: Path) -> dict[str, float]:
    """20 campaigns of 5 shapes at --jobs 2, after a run that compiled every shape."""
    folder = work / "batch"
    for index in range(SHAPES):
        for seed in range(1, PER_SHAPE + 1):
            write(folder / f"shape{index + 1}-{seed}.yaml", shape(index, seed))
    out = work / "reports-batch"
    args = [*cli, "run-all", str(folder), "--out", str(out), "--jobs", "2", "--force", "--quiet"]
    timed(args, env, work)  # compiles every shape and generates the data
    wall = timed(args, env, work)
    recorded = [seconds(out / p.stem) for p in sorted(folder.glob("*.yaml"))]
    return {
        "wall": wall,
        "campaigns": len(recorded),
        "stats": sum(stats_of(r) for r in recorded),
        "fit": sum(fit_of(r) for r in recorded),
    }


def new_shape(cli: list[str], env: dict[str, str], work: Path) -> dict[str, float]:
    """Compile seconds: the demo in an empty cache, then, in a new process, a campaign of a
    shape never compiled."""
    cache = Path(tempfile.mkdtemp(prefix="pytensor-", dir=work))
    fresh = {**env, "PYTENSOR_FLAGS": f"base_compiledir={cache}"}
    out = work / "reports-shape"
    demo = ROOT / "experiments" / "demo.yaml"
    demo_wall = timed([*cli, "run", str(demo), "--out", str(out), "--quiet"], fresh, work)
    first = seconds(out / "demo")
    other = {  # a structure none of the demo's: two segment columns, two binary metrics
        "name": "never-seen",
        "data": {"simulate": {"preset": "null", "recipients": 50_000, "seed": 9}},
        "arms": {"holdout": "holdout", "versions": ["A", "B"]},
        "metrics": [metric("purchase"), metric("unsubscribe")],
        "segments": ["lifecycle_stage", "emails_prior_7d"],
    }
    path = write(work / "shape" / "never-seen.yaml", other)
    wall = timed([*cli, "run", str(path), "--out", str(out), "--quiet"], fresh, work)
    shutil.rmtree(cache, ignore_errors=True)
    return {
        "empty_cache_compile": float(first["compile"]),
        "empty_cache_wall": demo_wall,
        "new_shape_compile": float(seconds(out / "never-seen")["compile"]),
        "new_shape_wall": wall,
    }


def table(results: dict[str, Any]) -> str:
    def s(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f} s"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}×" if b else "–"

    rows = [
        "| | wall | aggregation + checks + compile + sampling | fixed cost | end-to-end / fit |"
    ]
    rows.append("|---|---|---|---|---|")
    for name in ("demo", "hillstrom"):
        if name in results:
            r = results[name]
            rows.append(
                f"| {name} report (repeated) | {s(r['wall'])} | {s(r['stats'])} | "
                f"{s(r['fixed'])} | {ratio(r['wall'], r['fit'])} |"
            )
    if "batch" in results:
        b = results["batch"]
        rows.append(
            f"| run-all, {b['campaigns']} campaigns of {SHAPES} shapes, --jobs 2 | {s(b['wall'])} | "
            f"{s(b['stats'])} (sum) | wall / sum: {b['wall'] / b['stats']:.2f} | "
            f"{ratio(b['wall'], b['fit'])} |"
        )
    text = "\n".join(rows)
    if "shape" in results:
        c = results["shape"]
        text += (
            f"\n\nCompile of the first model in an empty cache (the demo): "
            f"{s(c['empty_cache_compile'])} (the whole demo run: {s(c['empty_cache_wall'])}). "
            f"Compile of a campaign whose shape was never compiled (warm cache, a new process): "
            f"{s(c['new_shape_compile'])}."
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, help="measure this src folder instead")
    parser.add_argument("--out", type=Path, help="write the table here")
    parser.add_argument("--skip", nargs="*", default=[], help="demo hillstrom batch shape")
    options = parser.parse_args()
    cli, env = command(options.src)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="relevance-speed-") as folder:
        work = Path(folder)
        env["RELEVANCE_CACHE"] = str(work / "cache")
        if "demo" not in options.skip:
            results["demo"] = single(ROOT / "experiments" / "demo.yaml", cli, env, work)
        if "hillstrom" not in options.skip and HILLSTROM.exists():
            path = write(work / "experiments" / "hillstrom.yaml", hillstrom_experiment({}))
            results["hillstrom"] = single(path, cli, env, work)
        if "batch" not in options.skip:
            results["batch"] = batch(cli, env, work)
        if "shape" not in options.skip:
            results["shape"] = new_shape(cli, env, work)
    text = table(results)
    print(text)
    print(json.dumps(results, indent=1))
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
