"""Speed and scale benchmarks for relevance: prints a Markdown report and writes it to a file.

    .venv/bin/python benchmarks/run.py [--out benchmarks/results/latest.md] [--small]
                                       [--skip NAME ...] [--keep]
    .venv/bin/python benchmarks/run.py --only engines [--rows 1000000]

Sections (names for --skip): demo, hillstrom, 10m (end-to-end `relevance run` campaigns),
fit (warm fit time against rows), naive (per-row PyMC model against the cells model),
backends (sampler back-ends on the demo's design). Every measurement runs in its own
subprocess (this file re-invoked with --helper), so caches and peak memory never leak from
one measurement into the next, and a failure only fills its own cells with `error: ...`.
See benchmarks/README.md for what each number means and how to read the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
HILLSTROM = ROOT.parent / "shared" / "data" / "hillstrom.csv"
DEMO = ROOT / "experiments" / "demo.yaml"
NOTEBOOK = ROOT / "notebooks" / "campaign_report.ipynb"
MARK = "@@benchmark-result@@ "
SECTIONS = ("demo", "hillstrom", "10m", "fit", "naive", "backends")
FIGURE_SECTIONS = ("probabilities", "uplifts", "segments", "fatigue", "net_value")
ARMS = ("holdout", "A", "B", "C")
HOUR = 3600


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is: the full run, or --small to check the script quickly."""

    label: str
    big_rows: int  # the "10 million rows" Parquet campaign
    fit_rows: tuple[int, ...]  # warm fit time against rows
    naive_rows: int  # per-row model against cells
    sampler: dict[str, int] = field(default_factory=dict)  # {} keeps configs/defaults.yaml
    naive_draws: int = 1000
    naive_tune: int = 1000


FULL = Sizes("full", 10_000_000, (64_000, 1_000_000, 10_000_000), 1_000_000)
SMALL = Sizes(
    "small",
    200_000,
    (16_000, 100_000, 200_000),
    100_000,
    {"draws": 200, "tune": 200},
    naive_draws=200,
    naive_tune=200,
)


# --- helpers: one fresh process per measurement ---------------------------------------------


def relevance_command() -> list[str]:
    """The `relevance` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "relevance"
    return [str(script)] if script.exists() else [sys.executable, "-m", "relevance.cli"]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(BENCH_ENV)
    env.update(extra or {})
    return env


BENCH_ENV: dict[str, str] = {"PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg"}


def call_helper(
    name: str, payload: dict[str, Any], env: dict[str, str] | None = None, timeout: float = HOUR
) -> dict[str, Any]:
    """Run one measurement in a fresh process (this file with --helper) and return its result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--helper", name]
    command += ["--payload", json.dumps(payload)]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=child_env(env),
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout:.0f}s") from None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
            if "error" in result:
                raise RuntimeError(result["error"])
            return result
    tail = " / ".join(proc.stderr.strip().splitlines()[-3:])
    raise RuntimeError(f"helper {name} exited {proc.returncode} without a result: {tail}")


def run_helper(name: str, payload: dict[str, Any]) -> int:
    """Inside the helper process: run one measurement, print its result as one JSON line."""
    try:
        result = HELPERS[name](payload)
    except Exception as error:
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.flush()
    print(MARK + json.dumps(result), flush=True)
    return 0


def _stage_seconds(stderr: str) -> dict[str, float]:
    """Elapsed seconds of the CLI's progress lines ("  12.3s notebook executed; ...")."""
    stages: dict[str, float] = {}
    for line in stderr.splitlines():
        found = re.match(r"^\s*([0-9.]+)s (.*)$", line)
        if not found:
            continue
        seconds, message = float(found.group(1)), found.group(2)
        if "running the report notebook" in message:
            stages["valid"] = seconds
        elif message.startswith("notebook executed"):
            stages["executed"] = seconds
        elif message.startswith("report written"):
            stages["written"] = seconds
    return stages


def notebook_figure_sections() -> list[str]:
    """The report sections that draw figures and that the campaign notebook calls."""
    try:
        notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
        source = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
        called = set(re.findall(r"report\.(\w+)\(", source))
    except (OSError, ValueError, KeyError):
        return list(FIGURE_SECTIONS)
    return [s for s in FIGURE_SECTIONS if s in called]


def helper_campaign(payload: dict[str, Any]) -> dict[str, Any]:
    """`relevance run` as a child; then max RSS of that process tree and the report's sections.

    ru_maxrss of RUSAGE_CHILDREN is the largest resident set of any waited-for descendant
    (the CLI, the notebook kernel), in KiB on Linux; this helper starts nothing else before it.
    """
    out = Path(payload["out"])
    command = [*relevance_command(), "run", payload["experiment"], "--out", str(out)]
    started = time.perf_counter()
    proc = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=HOUR, check=False
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = " / ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"relevance run exited {proc.returncode}: {tail}")
    stages = _stage_seconds(proc.stderr)
    report_dir = next(p.parent for p in out.glob("*/results.json"))

    started = time.perf_counter()
    from relevance.report.campaign import CampaignReport

    import_seconds = time.perf_counter() - started
    from relevance.results import Results

    results = Results.read(report_dir / "results.json")
    report = CampaignReport(results)
    sections = notebook_figure_sections()
    started = time.perf_counter()
    for section in sections:
        str(getattr(report, section)())
    plotting = time.perf_counter() - started
    diagnostics = results.diagnostics
    return {
        "wall": wall,
        "papermill": stages["executed"] - stages["valid"],
        "nbconvert": stages["written"] - stages["executed"],
        "before_notebook": stages["valid"],
        "seconds": dict(results.run.seconds),
        "plotting": plotting,
        "import": import_seconds,
        "plot_sections": sections,
        "peak_mb": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
        "html_kb": (report_dir / "report.html").stat().st_size / 1024,
        "recipients": results.run.recipients,
        "draws": f"{diagnostics.chains} x {results.run.draws} (tune {results.run.tune})",
        "retried": diagnostics.target_accept > 0.95,
        "reliable": diagnostics.reliable,
        "divergences": diagnostics.divergences,
        "headline": results.campaign.headline,
    }


def bench_spec(rows: int) -> Any:
    """The benchmark campaign: holdout + 3 versions, 4 lifecycle stages, known effects."""
    from relevance.io.simulate import CampaignSpec, VersionEffect

    return CampaignSpec(
        recipients=rows,
        seed=11,
        holdout_allocation=0.25,
        versions=(
            VersionEffect("A", 0.25, purchase_logit=0.0, unsubscribe_logit=0.05),
            VersionEffect(
                "B",
                0.25,
                purchase_logit=0.15,
                purchase_stage_logit={"acquisition": -0.08, "reactivation": 0.08},
                amount_log_effect=0.03,
                unsubscribe_logit=0.3,
            ),
            VersionEffect("C", 0.25, purchase_logit=-0.1, unsubscribe_logit=0.5),
        ),
    )


def helper_write_parquet(payload: dict[str, Any]) -> dict[str, Any]:
    from relevance.io.simulate import write_parquet

    spec = bench_spec(int(payload["rows"]))
    started = time.perf_counter()
    write_parquet(spec, Path(payload["path"]))
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "file_mb": Path(payload["path"]).stat().st_size / 2**20,
    }


def helper_fit(payload: dict[str, Any]) -> dict[str, Any]:
    """Aggregation, then fit twice per size in this process; the second fit is the warm one."""
    from relevance.config import load_experiment
    from relevance.io.sources import load_cells
    from relevance.model.design import design
    from relevance.model.fit import fit
    from relevance.model.layout import layout

    rows = []
    for size, experiment_path in payload["experiments"]:
        experiment = load_experiment(experiment_path, overrides=payload["overrides"])
        started = time.perf_counter()
        cells = load_cells(experiment)
        aggregate = time.perf_counter() - started
        lay = layout(cells)
        row: dict[str, Any] = {"rows": size, "aggregate": aggregate, "cells": cells.count}
        for key, metrics in (("one", (experiment.primary,)), ("all", tuple(experiment.metrics))):
            d = design(lay, metrics, experiment.priors)
            started = time.perf_counter()
            first = fit(d, experiment.sampler, experiment.diagnostics)
            row[f"{key}_first"] = time.perf_counter() - started
            row[f"{key}_compile"] = first.seconds["compile"]
            started = time.perf_counter()
            warm = fit(d, experiment.sampler, experiment.diagnostics)
            row[f"{key}_warm"] = time.perf_counter() - started
            row[f"{key}_sample"] = warm.seconds["sample"]
            row[f"{key}_retried"] = (
                warm.diagnostics.target_accept > experiment.sampler.target_accept
            )
            row[f"{key}_divergences"] = warm.diagnostics.divergences
            row[f"{key}_ess"] = warm.diagnostics.min_ess_bulk
            row[f"{key}_steps"] = _steps_per_draw(warm.posterior)
        rows.append(row)
    return {"rows": rows}


def _steps_per_draw(trace: Any) -> float | None:
    """Mean leapfrog steps (gradient evaluations) per draw after tuning."""
    import numpy as np

    stats = trace.sample_stats
    name = next((n for n in ("n_steps", "num_steps") if n in stats), None)
    return None if name is None else float(np.asarray(stats[name]).mean())


def _rate_summary(rates: Any, chains: int) -> dict[str, list[float]]:
    """Posterior mean, sd and bulk ESS per arm of (sample, arm) rate draws, chains first."""
    import arviz as az
    import numpy as np
    import xarray as xr

    grouped = rates.reshape(chains, -1, rates.shape[1])
    ess = az.ess(xr.Dataset({"rate": (("chain", "draw", "arm"), grouped)}), method="bulk")
    return {
        "mean": rates.mean(axis=0).tolist(),
        "sd": rates.std(axis=0, ddof=1).tolist(),
        "ess": np.asarray(ess["rate"]).tolist(),
    }


def nutpie_sample(compiled: Any, settings: Any, seed: int) -> Any:
    """nutpie's NUTS with a SamplerConfig's draws, tuning, chains and target acceptance."""
    import nutpie

    return nutpie.sample(
        compiled,
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=min(settings.chains, 2),
        seed=seed,
        progress_bar=False,
        target_accept=settings.target_accept,
    )


def helper_naive(payload: dict[str, Any]) -> dict[str, Any]:
    """One pm.Bernoulli per recipient, logit per arm, same priors as the cells model; nutpie."""
    import logging

    import numpy as np
    import nutpie
    import pyarrow.parquet as pq
    import pymc as pm
    import pytensor.tensor as pt

    from relevance.config import load_experiment

    experiment = load_experiment(payload["experiment"])  # priors and target_accept
    priors = experiment.priors
    table = pq.read_table(payload["path"], columns=["arm", "purchased"])
    labels = np.asarray(table["arm"].to_numpy(zero_copy_only=False))
    arm_index = np.full(len(labels), -1, dtype=np.int64)
    for i, arm in enumerate(ARMS):
        arm_index[labels == arm] = i
    y = np.asarray(table["purchased"].to_numpy(), dtype=np.int64)
    with pm.Model() as model:
        arm_data = pm.Data("arm_index", arm_index)
        y_data = pm.Data("y", y)
        holdout = pm.Normal("rate_holdout", 0.0, priors.intercept_sd)
        versions = pm.Normal("rate_versions", holdout, priors.effect_sd, shape=len(ARMS) - 1)
        logit = pt.concatenate([holdout[None], versions])
        pm.Bernoulli("purchased", logit_p=logit[arm_data], observed=y_data)
    logging.getLogger("nutpie").setLevel(logging.WARNING)
    started = time.perf_counter()
    compiled = nutpie.compile_pymc_model(model)
    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    settings = experiment.sampler.model_copy(
        update={"draws": payload["draws"], "tune": payload["tune"], "chains": 2}
    )
    trace = nutpie_sample(compiled, settings, settings.seed)
    sample_seconds = time.perf_counter() - started
    post = trace.posterior
    h = np.asarray(post["rate_holdout"].values).reshape(-1, 1)
    v = np.asarray(post["rate_versions"].values).reshape(h.shape[0], -1)
    rates = 1.0 / (1.0 + np.exp(-np.concatenate([h, v], axis=1)))
    return {
        "rows": len(y),
        "compile": compile_seconds,
        "sample": sample_seconds,
        "divergences": int(np.asarray(trace.sample_stats["diverging"]).sum()),
        "steps": _steps_per_draw(trace),
        **_rate_summary(rates, 2),
    }


def helper_cells_unsegmented(payload: dict[str, Any]) -> dict[str, Any]:
    """The cells model of the same data and metric: compile in this fresh process, then sample."""
    import logging

    import numpy as np

    from relevance.config import load_experiment
    from relevance.io.sources import load_cells
    from relevance.model.design import design
    from relevance.model.layout import layout
    from relevance.model.means import cell_means
    from relevance.model.stored import compiled_model

    experiment = load_experiment(payload["experiment"])
    started = time.perf_counter()
    cells = load_cells(experiment)
    aggregate = time.perf_counter() - started
    d = design(layout(cells), tuple(experiment.metrics), experiment.priors)
    model, compile_seconds, _ = compiled_model(d)
    logging.getLogger("nutpie").setLevel(logging.WARNING)
    started = time.perf_counter()
    settings = experiment.sampler.model_copy(
        update={"draws": payload["draws"], "tune": payload["tune"], "chains": 2}
    )
    trace = nutpie_sample(model, settings, settings.seed)
    sample_seconds = time.perf_counter() - started
    posterior = trace.posterior.to_dataset()
    flat = {
        str(k): np.asarray(v.values).reshape(posterior.sizes["chain"] * posterior.sizes["draw"], -1)
        for k, v in posterior.data_vars.items()
    }
    rates = cell_means(d, flat)[experiment.primary.name][:, :, 0]
    return {
        "aggregate": aggregate,
        "compile": compile_seconds,
        "sample": sample_seconds,
        "arms": list(d.layout.arms),
        "divergences": int(np.asarray(trace.sample_stats["diverging"]).sum()),
        "steps": _steps_per_draw(trace),
        **_rate_summary(rates, 2),
    }


def _demo_design(payload: dict[str, Any]) -> tuple[Any, Any]:
    """The demo experiment's joint design (all metrics, lifecycle x fatigue segments)."""
    from relevance.config import load_experiment
    from relevance.decide.fatigue import bucket_cells
    from relevance.io.sources import load_cells
    from relevance.model.design import design
    from relevance.model.layout import layout

    experiment = load_experiment(payload["experiment"], overrides=payload["overrides"])
    cells = bucket_cells(experiment, load_cells(experiment))
    ordered = (experiment.fatigue.column,) if experiment.fatigue else ()
    lay = layout(cells, ordered=ordered)
    return experiment, design(lay, tuple(experiment.metrics), experiment.priors)


def _trace_quality(trace: Any, d: Any) -> tuple[float, int]:
    """Smallest bulk ESS over the reported quantities, and the divergent transitions."""
    import arviz as az
    import numpy as np

    from relevance.model.diagnostics import reported_quantities

    quantities = reported_quantities(trace, d)
    ess = az.ess(quantities, method="bulk")
    smallest = min(float(np.nanmin(np.asarray(ess[name]))) for name in quantities.data_vars)
    return smallest, int(np.asarray(trace.sample_stats["diverging"]).sum())


def _pyfunc_model(model: Any) -> Any:
    """The model through nutpie's ``from_pyfunc``: the same PyTensor-Numba functions as our
    C callbacks, called from Python for every gradient (so holding the GIL): the comparison
    shows what the cached C callbacks of relevance.callbacks buy."""
    import numpy as np
    import pytensor
    import pytensor.tensor as pt
    from nutpie.compiled_pyfunc import from_pyfunc
    from pymc.pytensorf import join_nonshared_inputs

    start = model.initial_point()
    logp = model.logp()
    gradient = pt.concatenate([g.ravel() for g in pt.grad(logp, model.value_vars)])
    outputs, flat = join_nonshared_inputs(start, [logp, gradient], model.value_vars)
    constrained, flat_expand = join_nonshared_inputs(
        start, model.replace_rvs_by_values(model.free_RVs), model.value_vars
    )
    logp_fn = pytensor.function([flat], outputs, mode="NUMBA")
    expand_fn = pytensor.function([flat_expand], constrained, mode="NUMBA")
    logp_jit, expand_jit = logp_fn.vm.jit_fn, expand_fn.vm.jit_fn
    logp_data = [np.ascontiguousarray(v.get_value()) for v in logp_fn.get_shared()]
    expand_data = [np.ascontiguousarray(v.get_value()) for v in expand_fn.get_shared()]
    names = [rv.name for rv in model.free_RVs]
    shapes = [tuple(start[model.rvs_to_values[rv].name].shape) for rv in model.free_RVs]
    ndim = int(sum(np.size(v) for v in start.values()))

    def make_logp() -> Callable[..., Any]:
        def logp_call(x: Any, **_: Any) -> Any:
            value, grad = logp_jit(x, *logp_data)
            return float(value), grad

        return logp_call

    def make_expand(_a: int, _b: int, _c: int) -> Callable[..., Any]:
        def expand_call(x: Any, **_: Any) -> Any:
            values = expand_jit(x, *expand_data)
            return {
                n: np.asarray(v).reshape(sh) for n, v, sh in zip(names, values, shapes, strict=True)
            }

        return expand_call

    model_ = from_pyfunc(
        ndim,
        make_logp,
        make_expand,
        [np.dtype("float64")] * len(names),
        shapes,
        names,
        make_initial_point_fn=lambda seed: np.random.default_rng(seed).uniform(-0.5, 0.5, ndim),
    )
    make_logp()(np.zeros(ndim))  # Numba compiles (or loads its cache) here, not in sampling
    make_expand(0, 0, 0)(np.zeros(ndim))
    return model_


def helper_backend(payload: dict[str, Any]) -> dict[str, Any]:
    """Compile the demo's model with one back-end in this fresh process, then sample twice."""
    import importlib.util
    import logging
    import warnings

    kind = payload["kind"]
    experiment, d = _demo_design(payload)
    s = experiment.sampler
    logging.getLogger("nutpie").setLevel(logging.WARNING)
    logging.getLogger("pymc").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    import nutpie
    import pymc as pm

    from relevance.model.build import build_model
    from relevance.model.compile import compile_design

    if kind in ("numpyro", "blackjax") and importlib.util.find_spec(kind) is None:
        return {"skipped": f"{kind} is not installed (jax is)"}

    def nutpie_sampler(compiled: Any) -> Callable[[int], Any]:
        def draw(seed: int) -> Any:
            return nutpie_sample(compiled, s, seed)

        return draw

    started = time.perf_counter()
    if kind == "nutpie-numba":
        sampler = nutpie_sampler(nutpie.compile_pymc_model(build_model(d), backend="numba"))
    elif kind == "nutpie-jax":
        sampler = nutpie_sampler(
            nutpie.compile_pymc_model(build_model(d), backend="jax", gradient_backend="jax")
        )
    elif kind == "callbacks":
        sampler = nutpie_sampler(compile_design(d).nutpie_model(d.data()))
    elif kind == "pyfunc":
        sampler = nutpie_sampler(_pyfunc_model(build_model(d)))
    else:  # pm.sample with PyMC's own NUTS, or numpyro / blackjax through PyMC
        model = build_model(d)
        step = None
        if kind == "pymc":
            with model:
                step = pm.NUTS(target_accept=s.target_accept)

        def sampler(seed: int) -> Any:
            with model:
                return pm.sample(
                    draws=s.draws,
                    tune=s.tune,
                    chains=s.chains,
                    cores=min(s.chains, 2),
                    random_seed=seed,
                    step=step,
                    nuts_sampler=kind,
                    progressbar=False,
                    compute_convergence_checks=False,
                    **({} if kind == "pymc" else {"target_accept": s.target_accept}),
                )

    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sampler(s.seed)
    first = time.perf_counter() - started
    started = time.perf_counter()
    trace = sampler(s.seed + 1)
    repeat = time.perf_counter() - started
    ess, divergences = _trace_quality(trace, d)
    return {
        "compile": compile_seconds,
        "steps": _steps_per_draw(trace),
        "first": first,
        "repeat": repeat,
        "ess": ess,
        "ess_per_s": ess / repeat,
        "divergences": divergences,
        "ndim": int(sum(v.size for v in build_model(d).initial_point().values())),
    }


HELPERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "campaign": helper_campaign,
    "write-parquet": helper_write_parquet,
    "fit": helper_fit,
    "naive": helper_naive,
    "cells-unsegmented": helper_cells_unsegmented,
    "backend": helper_backend,
}


# --- the orchestrating process: experiments, measurements, tables ---------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_yaml(path: Path, content: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def bench_experiment(
    name: str, parquet: Path, sampler: dict[str, int], metrics: str = "all", segmented: bool = True
) -> dict[str, Any]:
    """Experiment file content for the simulated benchmark campaign (see bench_spec)."""
    every = [
        {
            "name": "purchase",
            "kind": "binary",
            "column": "purchased",
            "primary": True,
            "rope": 0.001,
        },
        {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05, "value": 0.3},
        {
            "name": "unsubscribe",
            "kind": "binary",
            "column": "unsubscribed",
            "direction": "decrease",
            "guardrail": True,
            "rope": 0.002,
            "value": -8.0,
        },
    ]
    content: dict[str, Any] = {
        "name": name,
        "data": {"path": str(parquet), "unit_id": "customer_id", "arm": "arm", "sent": "sent"},
        "arms": {
            "holdout": ARMS[0],
            "versions": list(ARMS[1:]),
            "allocation": dict.fromkeys(ARMS, 0.25),
        },
        "metrics": every if metrics == "all" else every[:1],
        "segments": ["lifecycle_stage"] if segmented else [],
        "decision": {"cost_per_send": 0.002, "currency": "$"},
    }
    if sampler:
        content["sampler"] = dict(sampler)
    return content


def hillstrom_experiment(sampler: dict[str, int]) -> dict[str, Any]:
    content: dict[str, Any] = {
        "name": "hillstrom",
        "description": "MineThatData e-mail challenge (Hillstrom 2008), 64,000 customers",
        "data": {"path": str(HILLSTROM), "unit_id": None, "arm": "segment"},
        "arms": {"holdout": "No E-Mail", "versions": ["Mens E-Mail", "Womens E-Mail"]},
        "metrics": [
            {
                "name": "conversion",
                "kind": "binary",
                "column": "conversion",
                "primary": True,
                "rope": 0.001,
            },
            {"name": "visit", "kind": "binary", "column": "visit", "rope": 0.002},
            {"name": "spend", "kind": "revenue", "column": "spend", "rope": 0.05},
        ],
        "segments": ["zip_code"],
    }
    if sampler:
        content["sampler"] = dict(sampler)
    return content


@dataclass
class Outcome:
    """A measurement's result, or why it has none (an error, or skipped)."""

    value: Any = None
    error: str | None = None
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.skipped is None and self.value is not None


def measure(label: str, action: Callable[[], Any]) -> Outcome:
    log(f"{label} ...")
    started = time.perf_counter()
    try:
        value = action()
    except Exception as error:
        log(f"{label}: error: {error}")
        return Outcome(error=str(error))
    log(f"{label}: done in {time.perf_counter() - started:.1f}s")
    return Outcome(value=value)


class Bench:
    """All measurements of one run, in order, with their shared temporary data."""

    def __init__(self, sizes: Sizes, skip: set[str], work: Path) -> None:
        self.sizes = sizes
        self.skip = skip
        self.work = work
        self.parquets: dict[int, Path] = {}
        self.writes: dict[int, Outcome] = {}
        self.notes: list[str] = []
        BENCH_ENV["RELEVANCE_CACHE"] = str(work / "cache")

    def fresh_cache_env(self, label: str) -> dict[str, str]:
        """An empty PyTensor cache: base_compiledir holds both the C and the Numba caches."""
        folder = self.work / f"pytensor-{re.sub(r'\W+', '-', label)}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return self.cache_env(folder)

    @staticmethod
    def cache_env(folder: Path) -> dict[str, str]:
        """Environment that points PyTensor (and so Numba's cache) at `folder`."""
        flags = os.environ.get("PYTENSOR_FLAGS", "")
        return {"PYTENSOR_FLAGS": ",".join(f for f in (flags, f"base_compiledir={folder}") if f)}

    def parquet(self, rows: int) -> Path:
        """The benchmark campaign with `rows` recipients, written once (timed separately)."""
        if rows not in self.parquets:
            path = self.work / "data" / f"campaign-{rows}.parquet"
            outcome = measure(
                f"write {rows:,}-row Parquet",
                lambda: call_helper("write-parquet", {"rows": rows, "path": str(path)}),
            )
            self.writes[rows] = outcome
            if not outcome.ok:
                raise RuntimeError(f"writing the {rows:,}-row Parquet failed: {outcome.error}")
            self.parquets[rows] = path
        return self.parquets[rows]

    def demo_experiment(self) -> Path:
        """experiments/demo.yaml, or for --small a copy with fewer draws."""
        if not self.sizes.sampler:
            return DEMO
        content = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
        content["sampler"] = {**(content.get("sampler") or {}), **self.sizes.sampler}
        return write_yaml(self.work / "experiments" / "demo.yaml", content)

    def prepare_demo_data(self) -> None:
        """Simulate the demo's rows into the cache now, so runs time aggregation, not simulation."""
        started = time.perf_counter()
        proc = subprocess.run(
            [*relevance_command(), "validate", str(self.demo_experiment())],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_env(),
            timeout=HOUR,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"relevance validate demo failed: {proc.stderr.strip()[-300:]}")
        self.notes.append(
            f"Demo rows simulated into the cache and validated beforehand "
            f"({time.perf_counter() - started:.1f}s), not part of the demo's timings."
        )

    def campaign(self, label: str, experiment: Path, env: dict[str, str] | None = None) -> Any:
        out = self.work / "reports" / re.sub(r"\W+", "-", label)
        return call_helper(
            "campaign", {"experiment": str(experiment), "out": str(out)}, env=env, timeout=HOUR
        )

    # -- 1. end to end ----------------------------------------------------------------------

    def campaigns(self) -> dict[str, Outcome]:
        runs: dict[str, Outcome] = {}
        if "demo" in self.skip:
            runs["demo"] = Outcome(skipped="skipped (--skip demo)")
        else:
            runs["demo"] = measure(
                "demo",
                lambda: (self.prepare_demo_data(), self.campaign("demo", self.demo_experiment()))[
                    1
                ],
            )
            if self.sizes.sampler and runs["demo"].ok:
                runs["demo"].value["note"] = "copy of experiments/demo.yaml with fewer draws"
        hill = ("hillstrom cold", "hillstrom first", "hillstrom repeated")
        if "hillstrom" in self.skip:
            runs.update({k: Outcome(skipped="skipped (--skip hillstrom)") for k in hill})
        elif not HILLSTROM.exists():
            runs.update({k: Outcome(skipped=f"skipped: {HILLSTROM} is absent") for k in hill})
        else:
            path = write_yaml(
                self.work / "experiments" / "hillstrom.yaml",
                hillstrom_experiment(self.sizes.sampler),
            )
            runs.update(self.first_and_repeated("hillstrom", path, cold=True))
        big = f"{self.sizes.big_rows / 1e6:g}M rows"
        if "10m" in self.skip:
            runs.update(
                {
                    f"{big} {k}": Outcome(skipped="skipped (--skip 10m)")
                    for k in ("first", "repeated")
                }
            )
        else:
            try:
                rows = self.sizes.big_rows
                content = bench_experiment(
                    f"campaign-{rows}", self.parquet(rows), self.sizes.sampler
                )
                path = write_yaml(self.work / "experiments" / "big.yaml", content)
                runs.update(self.first_and_repeated(big, path, cold=False))
            except Exception as error:
                runs[f"{big} first"] = Outcome(error=str(error))
        return runs

    def set_up_cache(self, label: str) -> dict[str, str]:
        """A PyTensor cache as the README's set-up leaves it: empty, then the demo run once.

        Numba caches each operation's code separately from the model that uses it, so after
        the demo most operations of any campaign are compiled; what a new campaign still
        compiles is its own model shape. Built once, copied for every use.
        """
        template = self.work / "pytensor-set-up"
        if not template.exists():
            env = self.fresh_cache_env("set-up-building")
            outcome = measure(
                "README set-up: the demo in an empty cache",
                lambda: self.campaign("set-up", self.demo_experiment(), env),
            )
            if not outcome.ok:
                raise RuntimeError(f"the set-up run of the demo failed: {outcome.error}")
            (self.work / "pytensor-set-up-building").rename(template)
            self.notes.append(
                f"'first' runs start from a PyTensor cache in which only the README's set-up "
                f"(the demo report, {outcome.value['wall']:.1f}s from an empty cache) has run."
            )
        target = self.work / f"pytensor-{label}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(template, target)
        return self.cache_env(target)

    def first_and_repeated(self, name: str, path: Path, cold: bool) -> dict[str, Outcome]:
        """The campaign from an empty cache (``cold``), its first run after the README's
        set-up, and a repeated run (after an untimed warm-up in the same cache)."""
        runs: dict[str, Outcome] = {}
        if cold:
            label = f"{name} cold"
            runs[label] = measure(
                label, lambda: self.campaign(label, path, self.fresh_cache_env(label))
            )
        label = f"{name} first"
        try:
            env = self.set_up_cache(label)
        except Exception as error:
            runs[label] = runs[f"{name} repeated"] = Outcome(error=str(error))
            return runs
        runs[label] = measure(label, lambda: self.campaign(label, path, env))
        warm = measure(f"{name} warm-up", lambda: self.campaign(f"{name} warm-up", path, env))
        if warm.ok:
            self.notes.append(
                f"{name} 'repeated' follows the 'first' run and an untimed warm-up run in the "
                f"same cache (its wall time: {warm.value['wall']:.1f}s)."
            )
        label = f"{name} repeated"
        runs[label] = measure(label, lambda: self.campaign(label, path, env))
        return runs

    # -- 2. fit time against rows -------------------------------------------------------------

    def fit_scaling(self) -> Outcome:
        if "fit" in self.skip:
            return Outcome(skipped="skipped (--skip fit)")

        def action() -> Any:
            experiments = []
            for rows in self.sizes.fit_rows:
                content = bench_experiment(f"fit-{rows}", self.parquet(rows), {})
                path = write_yaml(self.work / "experiments" / f"fit-{rows}.yaml", content)
                experiments.append((rows, str(path)))
            overrides = {"sampler": self.sizes.sampler} if self.sizes.sampler else {}
            payload = {"experiments": experiments, "overrides": overrides}
            return call_helper("fit", payload, timeout=2 * HOUR)["rows"]

        return measure("fit time against rows", action)

    # -- 3. naive per-row model against cells ---------------------------------------------------

    def naive(self) -> Outcome:
        if "naive" in self.skip:
            return Outcome(skipped="skipped (--skip naive)")

        def action() -> Any:
            rows = self.sizes.naive_rows
            content = bench_experiment(
                f"naive-{rows}", self.parquet(rows), {}, metrics="one", segmented=False
            )
            path = write_yaml(self.work / "experiments" / f"naive-{rows}.yaml", content)
            draws = {"draws": self.sizes.naive_draws, "tune": self.sizes.naive_tune}
            cells = call_helper("cells-unsegmented", {"experiment": str(path), **draws})
            naive = call_helper(
                "naive",
                {"experiment": str(path), "path": str(self.parquet(rows)), **draws},
                timeout=3 * HOUR,
            )
            return {"cells": cells, "naive": naive, **draws, "rows": rows}

        return measure("naive per-row model against cells", action)

    # -- 4. sampler back-ends -------------------------------------------------------------------

    def backends(self) -> dict[str, Outcome]:
        kinds = {
            "nutpie + compile_pymc_model(backend='numba') (C callbacks)": ("nutpie-numba", None),
            "nutpie + fit.compile_design (cached C callbacks; relevance's default)": (
                "callbacks",
                None,
            ),
            "nutpie + fit.compile_design, empty caches (first run on a machine)": (
                "callbacks",
                "backend-callbacks",
            ),
            "nutpie + from_pyfunc, same PyTensor-Numba functions called from Python": (
                "pyfunc",
                None,
            ),
            "pm.sample(nuts_sampler='pymc')": ("pymc", None),
        }
        jax = _importable("jax")
        if jax:
            kinds["nutpie + compile_pymc_model(backend='jax')"] = ("nutpie-jax", None)
            kinds["pm.sample(nuts_sampler='numpyro')"] = ("numpyro", None)
            kinds["pm.sample(nuts_sampler='blackjax')"] = ("blackjax", None)
        if "backends" in self.skip:
            return {k: Outcome(skipped="skipped (--skip backends)") for k in kinds}
        experiment = str(self.demo_experiment())
        overrides = {"sampler": self.sizes.sampler} if self.sizes.sampler else {}
        outcomes: dict[str, Outcome] = {}
        try:
            if "demo" in self.skip:
                self.prepare_demo_data()
        except Exception as error:
            return {k: Outcome(error=str(error)) for k in kinds}
        for label, (kind, fresh) in kinds.items():
            env = self.fresh_cache_env(fresh) if fresh else None
            payload = {"kind": kind, "experiment": experiment, "overrides": overrides}
            outcome = measure(label, lambda p=payload, e=env: call_helper("backend", p, env=e))
            if outcome.ok and "skipped" in outcome.value:
                outcome = Outcome(skipped=outcome.value["skipped"])
            outcomes[label] = outcome
        if not jax:
            outcomes["numpyro / blackjax"] = Outcome(skipped="skipped: jax is not importable")
        return outcomes


def _importable(module: str) -> bool:
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, check=False, timeout=300
    )
    return proc.returncode == 0


# --- formatting -----------------------------------------------------------------------------


def num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def sec(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def error_text(outcome: Outcome) -> str:
    if outcome.skipped:
        return cell_text(outcome.skipped)
    message = outcome.error or "no result"
    return cell_text("error: " + (message if len(message) < 160 else message[:157] + "..."))


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell_text(str(c)) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def campaign_table(runs: dict[str, Outcome], writes: dict[int, Outcome], big_rows: int) -> str:
    """Steps as rows, campaign runs as columns."""

    def step(v: dict[str, Any], key: str) -> float | None:
        value = v["seconds"].get(key)
        return None if value is None else float(value)

    def rest(v: dict[str, Any]) -> float:
        inside = sum(float(x) for x in v["seconds"].values()) + v["plotting"]
        return v["papermill"] - inside

    lines: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("recipients", lambda v: f"{v['recipients']:,}"),
        ("**wall time of `relevance run`**", lambda v: f"**{sec(v['wall'])}**"),
        ("CLI start-up + config check (before the notebook)", lambda v: sec(v["before_notebook"])),
        ("papermill (notebook execution, whole)", lambda v: sec(v["papermill"])),
        ("- config (in the notebook)", lambda v: sec(step(v, "config"))),
        ("- aggregation (DuckDB)", lambda v: sec(step(v, "aggregate"))),
        ("- data checks", lambda v: sec(step(v, "checks"))),
        ("- model compile", lambda v: sec(step(v, "compile"))),
        ("- sampling (+ diagnostics)", lambda v: sec(step(v, "sample"))),
        ("- decisions", lambda v: sec(step(v, "decide"))),
        ("- plotting (figure sections, timed in-process)", lambda v: sec(v["plotting"])),
        ("- rest: kernel start, imports, saving outputs", lambda v: sec(rest(v))),
        (
            "- (of which `import relevance.report.campaign`, timed in a fresh process)",
            lambda v: sec(v["import"]),
        ),
        ("nbconvert (HTML render)", lambda v: sec(v["nbconvert"])),
        ("CPU time of the process tree (user + sys)", lambda v: sec(v["cpu"])),
        ("peak memory (max RSS, process tree)", lambda v: f"{v['peak_mb']:,.0f} MB"),
        ("HTML size", lambda v: f"{v['html_kb']:,.0f} KB"),
        ("sampler", lambda v: v["draws"]),
        (
            "divergences / refit at 0.99 / reliable",
            lambda v: (
                f"{v['divergences']} / {'yes' if v['retried'] else 'no'} / "
                f"{'yes' if v['reliable'] else 'NO'}"
            ),
        ),
    ]
    headers = ["step", *runs]
    rows = []
    for i, (name, render) in enumerate(lines):
        row = [name]
        for outcome in runs.values():
            if outcome.ok:
                try:
                    row.append(render(outcome.value))
                except (KeyError, TypeError, ValueError) as error:
                    row.append(f"error: {error}")
            else:
                row.append(error_text(outcome) if i == 0 else "–")
        rows.append(row)
    text = md_table(headers, rows)
    write = writes.get(big_rows)
    if write is not None:
        if write.ok:
            text += (
                f"\n\nWriting the {big_rows:,}-row Parquet (simulate.write_parquet, once, not part "
                f"of any run): {sec(write.value['seconds'])}, {write.value['file_mb']:.0f} MB on "
                f"disk, peak memory {write.value['peak_mb']:,.0f} MB."
            )
        else:
            text += f"\n\nWriting the {big_rows:,}-row Parquet: {error_text(write)}"
    return text


def fit_table(outcome: Outcome, writes: dict[int, Outcome]) -> str:
    headers = [
        "rows",
        "Parquet write",
        "aggregation",
        "cells",
        "warm fit, 1 segmented metric",
        "of which sampling",
        "warm fit, 3 metrics (joint)",
        "of which sampling",
        "first fit in process (1 metric / 3)",
        "min ESS bulk (1 / 3)",
        "leapfrog steps per draw (1 / 3)",
        "divergences (1 / 3)",
    ]
    if not outcome.ok:
        return md_table(headers, [[error_text(outcome)] + ["–"] * (len(headers) - 1)])
    rows = []
    for r in outcome.value:
        write = writes.get(r["rows"])
        retried = " (refit at 0.99)"
        rows.append(
            [
                f"{r['rows']:,}",
                sec(write.value["seconds"]) if write and write.ok else "–",
                sec(r["aggregate"]),
                str(r["cells"]),
                sec(r["one_warm"]) + (retried if r["one_retried"] else ""),
                sec(r["one_sample"]),
                sec(r["all_warm"]) + (retried if r["all_retried"] else ""),
                sec(r["all_sample"]),
                f"{sec(r['one_first'])} / {sec(r['all_first'])}",
                f"{r['one_ess']:.0f} / {r['all_ess']:.0f}",
                f"{num(r['one_steps'])} / {num(r['all_steps'])}",
                f"{r['one_divergences']} / {r['all_divergences']}",
            ]
        )
    return md_table(headers, rows)


def naive_summary(value: dict[str, Any]) -> dict[str, float]:
    naive, cells = value["naive"], value["cells"]
    sd_diff = [
        abs(a - b) / s for a, b, s in zip(naive["mean"], cells["mean"], cells["sd"], strict=True)
    ]
    sd_ratio = [a / b for a, b in zip(naive["sd"], cells["sd"], strict=True)]
    return {
        "total_ratio": (naive["compile"] + naive["sample"]) / (cells["compile"] + cells["sample"]),
        "sample_ratio": naive["sample"] / cells["sample"],
        "max_diff_sd": max(sd_diff),
        "sd_ratio_min": min(sd_ratio),
        "sd_ratio_max": max(sd_ratio),
    }


def monte_carlo_error(naive: dict[str, Any], cells: dict[str, Any], i: int) -> float:
    """Standard error of the difference of two posterior means, in cells posterior sds."""
    variance = naive["sd"][i] ** 2 / naive["ess"][i] + cells["sd"][i] ** 2 / cells["ess"][i]
    return variance**0.5 / cells["sd"][i]


def naive_table(outcome: Outcome) -> str:
    if not outcome.ok:
        return md_table(["model", "result"], [["naive per-row vs cells", error_text(outcome)]])
    v = outcome.value
    naive, cells = v["naive"], v["cells"]
    s = naive_summary(v)
    head = (
        f"{v['rows']:,} rows, purchase only, unsegmented, 4 arms; both sampled with nutpie, "
        f"2 chains x {v['draws']} draws (tune {v['tune']}), same priors and target_accept. "
        "Naive: pm.Bernoulli per recipient, compiled with nutpie.compile_pymc_model (Numba); "
        "cells: fit.compiled_model (default PyTensor cache), in a fresh process each."
    )
    table = md_table(
        ["model", "compile", "sample", "compile + sample", "steps per draw", "divergences"],
        [
            [
                "naive per-row",
                sec(naive["compile"]),
                sec(naive["sample"]),
                sec(naive["compile"] + naive["sample"]),
                num(naive["steps"]),
                str(naive["divergences"]),
            ],
            [
                f"cells (+ aggregation {sec(cells['aggregate'])})",
                sec(cells["compile"]),
                sec(cells["sample"]),
                sec(cells["compile"] + cells["sample"]),
                num(cells["steps"]),
                str(cells["divergences"]),
            ],
            [
                "**ratio naive / cells**",
                "",
                f"**{s['sample_ratio']:.0f}x**",
                f"**{s['total_ratio']:.0f}x**",
                "",
                "",
            ],
        ],
    )
    agreement = md_table(
        [
            "arm",
            "rate mean naive",
            "rate mean cells",
            "|diff| / sd (cells)",
            "Monte Carlo error of the diff / sd",
            "sd naive / cells",
            "ESS naive / cells",
        ],
        [
            [
                arm,
                f"{naive['mean'][i]:.5f}",
                f"{cells['mean'][i]:.5f}",
                f"{abs(naive['mean'][i] - cells['mean'][i]) / cells['sd'][i]:.3f}",
                f"{monte_carlo_error(naive, cells, i):.3f}",
                f"{naive['sd'][i] / cells['sd'][i]:.3f}",
                f"{naive['ess'][i]:.0f} / {cells['ess'][i]:.0f}",
            ]
            for i, arm in enumerate(cells["arms"])
        ],
    )
    return (
        f"{head}\n\n{table}\n\nPosterior agreement per arm (purchase rate); the two models "
        "have the same posterior, so a |diff| within about 2 Monte Carlo errors is sampling "
        f"noise:\n\n{agreement}"
    )


def backend_table(outcomes: dict[str, Outcome]) -> str:
    headers = [
        "back-end",
        "compile (fresh process)",
        "first sampling",
        "repeated sampling",
        "steps per draw",
        "min ESS bulk (reported quantities)",
        "ESS/s (repeated)",
        "divergences",
    ]
    rows = []
    for label, outcome in outcomes.items():
        if not outcome.ok:
            rows.append([label, error_text(outcome)] + ["–"] * (len(headers) - 2))
            continue
        v = outcome.value
        rows.append(
            [
                label,
                sec(v["compile"]),
                sec(v["first"]),
                sec(v["repeat"]),
                num(v["steps"]),
                f"{v['ess']:.0f}",
                f"{v['ess_per_s']:.0f}",
                str(v["divergences"]),
            ]
        )
    dims = {v.value["ndim"] for v in outcomes.values() if v.ok}
    about = f"The demo's joint model has {dims.pop()} parameters. " if len(dims) == 1 else ""
    return (
        f"{about}First sampling includes whatever a back-end compiles lazily on first use; "
        "repeated sampling is a second call in the same process.\n\n" + md_table(headers, rows)
    )


def targets_table(
    sizes: Sizes,
    runs: dict[str, Outcome],
    fit_outcome: Outcome,
    naive_outcome: Outcome,
) -> str:
    rows: list[list[str]] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    def add(target: str, get: Callable[[], tuple[str, bool]], source: Outcome | None) -> None:
        if source is not None and not source.ok:
            rows.append([target, error_text(source), "–"])
            return
        try:
            measured, ok = get()
        except Exception as error:
            rows.append([target, f"error: {error}", "–"])
            return
        rows.append([target, measured, verdict(ok)])

    def fit_target() -> tuple[str, bool]:
        warm = {r["rows"]: r["one_warm"] for r in fit_outcome.value}
        worst = max(warm.values())
        shown = ", ".join(f"{sec(t)} at {rows_label(n)}" for n, t in warm.items())
        return shown, worst <= 1.0

    add("warm fit of a segmented metric ≤ 1 s (every size)", fit_target, fit_outcome)
    cold, first, repeated = (runs.get(f"hillstrom {k}") for k in ("cold", "first", "repeated"))
    add(
        "Hillstrom report ≤ 15 s, repeated",
        lambda: (sec(repeated.value["wall"]), repeated.value["wall"] <= 15),
        repeated,
    )
    add(
        "Hillstrom report ≤ 40 s, first (first run of this campaign after the README set-up)",
        lambda: (sec(first.value["wall"]), first.value["wall"] <= 40),
        first,
    )
    add(
        "Hillstrom report ≤ 40 s, first (strictest reading: empty compile caches)",
        lambda: (sec(cold.value["wall"]), cold.value["wall"] <= 40),
        cold,
    )
    big = rows_label(sizes.big_rows)
    big_first = runs.get(f"{sizes.big_rows / 1e6:g}M rows first")
    big_repeated = runs.get(f"{sizes.big_rows / 1e6:g}M rows repeated")
    add(
        f"{big}-row campaign ≤ 25 s end to end, first run after the set-up",
        lambda: (sec(big_first.value["wall"]), big_first.value["wall"] <= 25),
        big_first,
    )
    add(
        f"{big}-row campaign ≤ 25 s end to end, repeated",
        lambda: (sec(big_repeated.value["wall"]), big_repeated.value["wall"] <= 25),
        big_repeated,
    )
    add(
        f"{big}-row campaign peak memory ≤ 2 GB",
        lambda: (
            f"{big_first.value['peak_mb']:,.0f} MB",
            big_first.value["peak_mb"] <= 2048,
        ),
        big_first,
    )

    def naive_target() -> tuple[str, bool]:
        s = naive_summary(naive_outcome.value)
        shown = (
            f"{s['total_ratio']:.0f}x (compile + sample), {s['sample_ratio']:.0f}x (sample); "
            f"max |mean diff| {s['max_diff_sd']:.3f} sd; sd ratio "
            f"{s['sd_ratio_min']:.2f}–{s['sd_ratio_max']:.2f}"
        )
        return shown, s["total_ratio"] >= 50 and s["max_diff_sd"] <= 0.1

    add(
        f"≥ 50x faster than naive per-row at {rows_label(sizes.naive_rows)} rows, "
        "|mean diff| ≤ 0.1 sd",
        naive_target,
        naive_outcome,
    )
    return md_table(["target", "measured", "status"], rows)


def loadavg() -> str:
    """1, 5 and 15 minute load averages: above the core count, timings are inflated."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def rows_label(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:g}M"
    return f"{n / 1e3:g}k"


def machine_header(sizes: Sizes, started: datetime, load: str) -> str:
    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    packages = ", ".join(
        f"{p} {version(p)}"
        for p in ("relevance", "pymc", "pytensor", "nutpie", "numba", "duckdb", "arviz")
    )
    sampler = (
        "configs/defaults.yaml (full settings)"
        if not sizes.sampler
        else f"--small: draws {sizes.sampler['draws']}, tune {sizes.sampler['tune']}"
    )
    return (
        f"# relevance benchmarks ({sizes.label})\n\n"
        f"- date: {started.isoformat(timespec='seconds')}\n"
        f"- machine: {os.cpu_count()} cores ({cpu}){memory}, {platform.system()} "
        f"{platform.release()}; load average at start {load}\n"
        f"- python {platform.python_version()}; {packages}\n"
        f"- sampler: {sampler}\n"
    )


def render(
    sizes: Sizes,
    started: datetime,
    load: str,
    bench: Bench,
    runs: dict[str, Outcome],
    fit_outcome: Outcome,
    naive_outcome: Outcome,
    backend_outcomes: dict[str, Outcome],
    total: float,
) -> str:
    parts = [
        machine_header(sizes, started, load)
        + f"- whole benchmark: {sec(total)}; load average at the end {loadavg()}\n",
        "## 1. End to end: `relevance run`\n",
        campaign_table(runs, bench.writes, sizes.big_rows),
        "\nInside papermill the steps come from results.json (`run.seconds`); plotting is the "
        "figure sections the notebook calls, re-timed in the measuring process; peak memory is "
        "`ru_maxrss` of RUSAGE_CHILDREN (largest single process of the tree).\n",
        "## 2. Fit time against rows (compile excluded: second `fit()` in one process)\n",
        fit_table(fit_outcome, bench.writes),
        "\n## 3. Naive per-row PyMC model against the cells model\n",
        naive_table(naive_outcome),
        "\n## 4. Sampler back-ends on the demo's model (each in its own process)\n",
        backend_table(backend_outcomes),
        "\n## Targets\n",
        targets_table(sizes, runs, fit_outcome, naive_outcome),
    ]
    if sizes.sampler:
        parts.append(
            "\n(--small: tiny sizes and few draws, to check the script; the targets are stated "
            "for the full run.)"
        )
    if bench.notes:
        parts.append("\nNotes:\n\n" + "\n".join(f"- {n}" for n in bench.notes))
    return "\n".join(parts) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="Markdown file to write (folder is created)")
    parser.add_argument("--small", action="store_true", help="tiny sizes, to check the script")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, metavar="NAME")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--only",
        choices=["engines"],
        help="engines: aggregation time per engine (DuckDB, PostgreSQL, Spark), a table",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for --only engines")
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    parser.add_argument("--payload", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.helper:
        return run_helper(args.helper, json.loads(args.payload or "{}"))
    if args.only == "engines":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import engine_times  # benchmarks/engine_times.py

        print(engine_times.run(args.rows))
        return 0
    sizes = SMALL if args.small else FULL
    out = args.out or ROOT / "benchmarks" / "results" / (
        "latest-small.md" if args.small else "latest.md"
    )
    started_at = datetime.now().astimezone()
    load = loadavg()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="relevance-bench-"))
    log(f"{sizes.label} run; temporary folder {work}")
    try:
        bench = Bench(sizes, set(args.skip), work)
        runs = bench.campaigns()
        fit_outcome = bench.fit_scaling()
        naive_outcome = bench.naive()
        backend_outcomes = bench.backends()
        document = render(
            sizes,
            started_at,
            load,
            bench,
            runs,
            fit_outcome,
            naive_outcome,
            backend_outcomes,
            time.perf_counter() - started,
        )
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(document)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    log(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
