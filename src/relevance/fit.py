"""Sampling (nutpie's NUTS) and convergence diagnostics.

A design's model is compiled once per process and shape and reused with new data; the Numba
code is cached on disk by PyTensor, so even a fresh process compiles in about a second.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import arviz as az
import numpy as np
import nutpie
import pymc as pm
import pytensor
import pytensor.tensor as pt
import xarray as xr
from pymc.pytensorf import join_nonshared_inputs

from relevance.callbacks import CCallbacks, build_callbacks
from relevance.config import DiagnosticsConfig, SamplerConfig
from relevance.models import Design, build_model, cell_means

_COMPILED: dict[str, CompiledDesign] = {}


@dataclass(frozen=True)
class Diagnostics:
    """Convergence of the sampled parameters, against the thresholds in configs/."""

    max_r_hat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    draws: int
    chains: int
    thresholds: DiagnosticsConfig
    worst_parameter: str
    target_accept: float = 0.95

    @property
    def reliable(self) -> bool:
        """True when r_hat, ESS and divergences are all within their thresholds."""
        return not self.problems

    @property
    def problems(self) -> list[str]:
        """One plain sentence per threshold that is not met."""
        found = []
        if self.chains > 1 and not self.max_r_hat <= self.thresholds.max_r_hat:
            found.append(
                f"chains disagree (r_hat {self.max_r_hat:.3f} > {self.thresholds.max_r_hat} "
                f"for {self.worst_parameter})"
            )
        if not min(self.min_ess_bulk, self.min_ess_tail) >= self.thresholds.min_ess:
            found.append(
                f"too few effective draws (ESS {min(self.min_ess_bulk, self.min_ess_tail):.0f} "
                f"< {self.thresholds.min_ess:g})"
            )
        if self.divergences > self.thresholds.max_divergences:
            found.append(f"{self.divergences} divergent transitions")
        return found


@dataclass
class Fit:
    """A fitted model: the ArviZ posterior, its diagnostics and where the time went."""

    design: Design
    posterior: xr.DataTree
    diagnostics: Diagnostics
    seconds: dict[str, float] = field(default_factory=dict)

    def parameter_draws(self) -> dict[str, np.ndarray]:
        """Every sampled vector as (sample, dim), chains concatenated."""
        result = {}
        for name, values in self.posterior.posterior.data_vars.items():
            array = np.asarray(values.values)
            result[str(name)] = array.reshape(array.shape[0] * array.shape[1], -1)
        return result

    def mean_draws(self) -> dict[str, np.ndarray]:
        """Expected outcome per recipient per metric: (sample, arm, combination)."""
        return cell_means(self.design, self.parameter_draws())


@dataclass(frozen=True)
class CompiledDesign:
    """Log-density with gradient and the constrained values of a model, as C callbacks.

    The callbacks take the model's data as arguments, so one compilation serves any data of
    the same dimensions; both the Numba code (PyTensor's cache) and the C wrappers
    (:mod:`relevance.callbacks`) are cached on disk, so a new process loads them in about a
    second, and nutpie's threads call them without the GIL.
    """

    callbacks: CCallbacks

    @property
    def ndim(self) -> int:
        """Number of unconstrained parameters."""
        return self.callbacks.n_dim

    @property
    def data_names(self) -> tuple[str, ...]:
        """The data the model reads (its ``pm.Data`` containers)."""
        return tuple(a.name for a in self.callbacks.arguments)

    def nutpie_model(self, data: dict[str, np.ndarray]) -> object:
        """A nutpie model that calls the compiled callbacks with this data."""

        def initial_point(seed: int) -> np.ndarray:
            return np.random.default_rng(seed).uniform(-0.5, 0.5, self.ndim)

        return self.callbacks.nutpie_model(data, initial_point)


def compile_model(model: pm.Model) -> CompiledDesign:
    """Compile a PyMC model's log-density with gradient, and its constrained values, for nutpie.

    Its ``pm.Data`` containers become arguments of the compiled functions, so one compilation
    serves any data of the same shapes. Numba compiles (or loads its disk cache) here rather
    than inside sampling.

    Compiled without fast-math: with it, LLVM may reassociate sums differently depending on
    whether an operation was compiled in this process or loaded from the cache, and the same
    seed would give different draws on a cold and a warm cache.
    """
    with pytensor.config.change_flags(numba__fastmath=False):
        return _compile_model(model)


def _compile_model(model: pm.Model) -> CompiledDesign:
    start = model.initial_point()
    value_vars = model.value_vars
    logp = model.logp()
    gradient = pt.concatenate([g.ravel() for g in pt.grad(logp, value_vars)])
    outputs, flat = join_nonshared_inputs(start, [logp, gradient], value_vars)
    constrained = model.replace_rvs_by_values(model.free_RVs)
    joined, flat_expand = join_nonshared_inputs(
        start, [pt.concatenate([pt.as_tensor(v).ravel() for v in constrained])], value_vars
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logp_fn = pytensor.function([flat], outputs, mode="NUMBA")
        expand_fn = pytensor.function([flat_expand], joined, mode="NUMBA")
    shared = [*logp_fn.get_shared(), *expand_fn.get_shared()]
    data = {v.name: np.array(v.get_value(), order="C", copy=True) for v in shared}  # 0-d stays 0-d
    free = model.free_RVs
    callbacks = build_callbacks(
        logp_fn.vm.jit_fn,
        [v.name for v in logp_fn.get_shared()],
        expand_fn.vm.jit_fn,
        [v.name for v in expand_fn.get_shared()],
        data,
        n_dim=int(sum(np.prod(start[v.name].shape) for v in value_vars)),
        names=[rv.name for rv in free],
        shapes=constrained_shapes(free),
    )
    return CompiledDesign(callbacks)


def constrained_shapes(free: list[Any]) -> list[tuple[int, ...]]:
    """Shapes of the free variables' constrained values (a transform may change the shape,
    e.g. a simplex), which is what the expansion returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shapes = pytensor.function([], [rv.shape for rv in free], mode="FAST_COMPILE")()
    return [tuple(int(n) for n in shape) for shape in shapes]


def compile_design(d: Design) -> CompiledDesign:
    """Compile the joint model of a design (see :func:`compile_model`)."""
    return compile_model(build_model(d))


def compiled_model(d: Design) -> tuple[object, float, bool]:
    """The nutpie model for this design, compiling at most once per process and shape."""
    key = d.signature()
    started = time.perf_counter()
    hit = key in _COMPILED
    if not hit:
        _COMPILED[key] = compile_design(d)
    model = _COMPILED[key].nutpie_model(d.data())
    return model, time.perf_counter() - started, hit


RETRY_TARGET_ACCEPT = 0.99


def _sample(compiled: object, sampler: SamplerConfig, target_accept: float) -> xr.DataTree:
    logging.getLogger("nutpie").setLevel(logging.WARNING)
    return nutpie.sample(
        compiled,
        draws=sampler.draws,
        tune=sampler.tune,
        chains=sampler.chains,
        seed=sampler.seed,
        progress_bar=False,
        cores=min(sampler.chains, 2),
        target_accept=target_accept,
    )


MAX_DRAWS_FACTOR = 4


def fit(d: Design, sampler: SamplerConfig, thresholds: DiagnosticsConfig) -> Fit:
    """Sample the joint model of all metrics and check convergence.

    Divergent transitions (the sampler's step was too coarse for the posterior's curvature,
    typically where a segment scale meets strong data) trigger one refit with smaller steps
    (target_accept 0.99) before the numbers are judged. Chains that merely are too short for
    the thresholds (too few effective draws, or r_hat just above its limit, without
    divergences) are sampled once more with enough draws for the ESS seen (at most four times
    the configured draws, same seed). The diagnostics say what was done.
    """
    compiled, compile_seconds, _ = compiled_model(d)
    started = time.perf_counter()

    def attempt(settings: SamplerConfig, target_accept: float) -> tuple[xr.DataTree, Diagnostics]:
        """Sample and judge; divergences get one refit with smaller steps."""
        posterior = _sample(compiled, settings, target_accept)
        diagnostics = diagnose(posterior, d, settings, thresholds)
        if (
            diagnostics.divergences > thresholds.max_divergences
            and target_accept < RETRY_TARGET_ACCEPT
        ):
            return attempt(settings, RETRY_TARGET_ACCEPT)
        return posterior, replace(diagnostics, target_accept=target_accept)

    posterior, diagnostics = attempt(sampler, sampler.target_accept)
    longer = longer_sampler(diagnostics, sampler, thresholds)
    if longer is not None:
        posterior, diagnostics = attempt(longer, diagnostics.target_accept)
    sample_seconds = time.perf_counter() - started
    return Fit(d, posterior, diagnostics, {"compile": compile_seconds, "sample": sample_seconds})


def longer_sampler(
    diagnostics: Diagnostics, sampler: SamplerConfig, thresholds: DiagnosticsConfig
) -> SamplerConfig | None:
    """Settings with more draws when only the chains' length falls short, else None.

    ESS grows about linearly with draws, so the draws are scaled by the shortfall with a 30%
    margin (at least 1.5 times), rounded up to a hundred and capped at ``MAX_DRAWS_FACTOR`` times the configured
    number. Divergences are not cured by longer chains, so they never extend.
    """
    if diagnostics.reliable or diagnostics.divergences > thresholds.max_divergences:
        return None
    ess = min(diagnostics.min_ess_bulk, diagnostics.min_ess_tail)
    factor = 1.3 * thresholds.min_ess / ess if ess > 0 else MAX_DRAWS_FACTOR
    factor = min(max(factor, 1.5), MAX_DRAWS_FACTOR)  # at least half as many again
    draws = min(int(np.ceil(sampler.draws * factor / 100) * 100), MAX_DRAWS_FACTOR * sampler.draws)
    return sampler.model_copy(update={"draws": draws})


def reported_quantities(posterior: xr.DataTree, d: Design) -> xr.Dataset:
    """The quantities the report states, with their chains: every arm x cell expected outcome.

    Convergence is judged on these (every uplift, segment and overall, is a weighted sum of
    them) and on the arms' own levels, rather than on weakly identified hyper-parameters such
    as segment scales, whose slow mixing does not bias the reported numbers when these converge.
    """
    dataset = posterior.posterior.to_dataset()
    chains, draws = dataset.sizes["chain"], dataset.sizes["draw"]
    flat = {
        str(name): np.asarray(values.values).reshape(chains * draws, -1)
        for name, values in dataset.data_vars.items()
    }
    quantities = {
        metric: xr.DataArray(
            values.reshape(chains, draws, -1), dims=("chain", "draw", f"{metric}_cell")
        )
        for metric, values in cell_means(d, flat).items()
    }
    for name in ("rate_holdout", "rate_versions", "amount_holdout", "amount_versions"):
        if name in dataset:
            quantities[name] = dataset[name]
    return xr.Dataset(quantities)


def quantity_labels(d: Design) -> dict[str, tuple[str, ...]]:
    """Readable names for each element of the reported quantities."""
    lay = d.layout
    cells = [f"{arm} / {cell}" for arm in lay.arms for cell in lay.cell_labels()]
    rate_metrics = [b.metric for b in d.blocks if b.part == "rate"]
    amount_metrics = [b.metric for b in d.blocks if b.part == "amount"]
    labels: dict[str, tuple[str, ...]] = {
        m.name: tuple(f"{m.name}: {c}" for c in cells) for m in d.metrics
    }
    labels["rate_holdout"] = tuple(f"{m}: holdout level" for m in rate_metrics)
    labels["rate_versions"] = tuple(
        f"{m}: level of {v}" for m in rate_metrics for v in lay.versions
    )
    labels["amount_holdout"] = tuple(f"{m}: holdout amount" for m in amount_metrics)
    labels["amount_versions"] = tuple(
        f"{m}: amount of {v}" for m in amount_metrics for v in lay.versions
    )
    return labels


def diagnose(
    posterior: xr.DataTree, d: Design, sampler: SamplerConfig, thresholds: DiagnosticsConfig
) -> Diagnostics:
    """r_hat, bulk and tail ESS of the reported quantities; divergent transitions."""
    quantities = reported_quantities(posterior, d)
    labels = quantity_labels(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_hat = az.rhat(quantities)
        ess_bulk = az.ess(quantities, method="bulk")
        ess_tail = az.ess(quantities, method="tail")
    worst_name, worst = "", 1.0
    for name in quantities.data_vars:
        values = np.atleast_1d(np.asarray(r_hat[name])).ravel()
        if values.size and np.nanmax(values) > worst:
            worst = float(np.nanmax(values))
            position = int(np.nanargmax(values))
            names = labels.get(str(name), ())
            worst_name = names[position] if position < len(names) else f"{name}[{position}]"
    divergences = int(np.asarray(posterior.sample_stats["diverging"]).sum())
    return Diagnostics(
        max_r_hat=worst if sampler.chains > 1 else float("nan"),
        min_ess_bulk=min(float(np.nanmin(np.asarray(ess_bulk[n]))) for n in quantities.data_vars),
        min_ess_tail=min(float(np.nanmin(np.asarray(ess_tail[n]))) for n in quantities.data_vars),
        divergences=divergences,
        draws=sampler.draws,
        chains=sampler.chains,
        thresholds=thresholds,
        worst_parameter=worst_name,
    )
