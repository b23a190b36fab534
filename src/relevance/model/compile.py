"""Compile a PyMC model once per shape into cached C callbacks that nutpie calls."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pymc.pytensorf import join_nonshared_inputs

from relevance.model.build import build_model
from relevance.model.callbacks import CCallbacks, build_callbacks
from relevance.model.design import Design

_COMPILED: dict[str, CompiledModel] = {}


@dataclass(frozen=True)
class CompiledModel:
    """Log-density with gradient and the constrained values of a model, as C callbacks.

    The callbacks take the model's data as arguments, so one compilation serves any data of
    the same dimensions; both the Numba code (PyTensor's cache) and the C wrappers
    (:mod:`relevance.model.callbacks`) are cached on disk, so a new process loads them in about a
    second, and nutpie's threads call them without the GIL.
    """

    callbacks: CCallbacks

    @property
    def ndim(self) -> int:
        """Number of unconstrained parameters."""
        return self.callbacks.n_dim

    def nutpie_model(self, data: dict[str, np.ndarray]) -> object:
        """A nutpie model that calls the compiled callbacks with this data."""

        def initial_point(seed: int) -> np.ndarray:
            return np.random.default_rng(seed).uniform(-0.5, 0.5, self.ndim)

        return self.callbacks.nutpie_model(data, initial_point)


def compile_model(model: pm.Model) -> CompiledModel:
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


def _compile_model(model: pm.Model) -> CompiledModel:
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
    return CompiledModel(callbacks)


def constrained_shapes(free: list[Any]) -> list[tuple[int, ...]]:
    """Shapes of the free variables' constrained values (a transform may change the shape,
    e.g. a simplex), which is what the expansion returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shapes = pytensor.function([], [rv.shape for rv in free], mode="FAST_COMPILE")()
    return [tuple(int(n) for n in shape) for shape in shapes]


def compile_design(d: Design) -> CompiledModel:
    """Compile the joint model of a design (see :func:`compile_model`)."""
    return compile_model(build_model(d))


def compiled_once(key: str, build: Callable[[], pm.Model]) -> tuple[CompiledModel, bool]:
    """The compiled model under `key`, built and compiled at most once per process.

    Returns the model and whether it was already compiled (a cache hit).
    """
    hit = key in _COMPILED
    if not hit:
        _COMPILED[key] = compile_model(build())
    return _COMPILED[key], hit


def compiled_model(d: Design) -> tuple[object, float, bool]:
    """The nutpie model for this design and its data, compiling at most once per shape.

    Returns the model, the seconds spent compiling (or loading) and whether it was a hit.
    """
    started = time.perf_counter()
    compiled, hit = compiled_once(d.signature(), lambda: build_model(d))
    return compiled.nutpie_model(d.data()), time.perf_counter() - started, hit
