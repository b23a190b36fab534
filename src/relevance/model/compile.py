"""Compile a PyMC model once into cached C callbacks that nutpie calls, whatever the data's size.

A model whose parameters take their sizes from its data (``shape=`` an expression of a
``pm.Data`` container, as :func:`relevance.model.build.build_model` writes every one) compiles
to a graph without a single size in it: the flat vector of parameters is split at offsets
computed from the data. One compilation then serves every campaign, however many metrics,
arms or segment levels it has; a campaign of a new shape loads it from the cache.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pytensor.compile.mode import Mode
from pytensor.graph.basic import Constant
from pytensor.graph.replace import graph_replace
from pytensor.graph.traversal import graph_inputs
from pytensor.tensor.random.op import RandomVariable
from pytensor.tensor.type_other import NoneTypeT

from relevance.model.build import build_model
from relevance.model.callbacks import CCallbacks, build_callbacks
from relevance.model.design import Design

_COMPILED: dict[str, CompiledModel] = {}

Shape = tuple[Any, ...]  # entries are ints or symbolic scalars of the data


@dataclass(frozen=True)
class CompiledModel:
    """Log-density with gradient and the constrained values of a model, as C callbacks.

    The callbacks take the model's data, and the sizes of its parameters, as arguments: one
    compilation serves any data of the same ranks and dtypes, and of any size where the model
    reads its sizes from its data. Both the Numba code (PyTensor's cache) and the C wrappers
    (:mod:`relevance.model.callbacks`) are cached on disk, so a new process loads them in
    about a second, and nutpie's threads call them without the GIL.
    """

    callbacks: CCallbacks
    names: tuple[str, ...]
    data_names: tuple[str, ...]
    shape_function: Callable[..., list[np.ndarray]]  # data -> value shapes, constrained shapes
    fixed_data_shapes: dict[str, tuple[int, ...]] | None = None  # a model with sizes in its graph

    def shapes(self, data: dict[str, np.ndarray]) -> tuple[list[tuple[int, ...]], ...]:
        """For this data: the shape of every parameter's unconstrained value, and of its
        constrained value (they differ only for a reshaping transform such as a simplex)."""
        values = self.shape_function(*[np.asarray(data[name]) for name in self.data_names])
        shapes = [tuple(int(n) for n in np.ravel(value)) for value in values]
        half = len(shapes) // 2
        return shapes[:half], shapes[half:]

    def ndim(self, data: dict[str, np.ndarray]) -> int:
        """Number of unconstrained parameters for this data."""
        return sum(int(np.prod(shape, dtype=int)) for shape in self.shapes(data)[0])

    def nutpie_model(self, data: dict[str, np.ndarray]) -> object:
        """A nutpie model that calls the compiled callbacks with this data."""
        for name, shape in (self.fixed_data_shapes or {}).items():
            given = np.shape(data[name])
            if given != shape:
                raise ValueError(
                    f"data {name!r} has shape {given}, the compiled model expects {shape} "
                    "(its parameters' sizes are fixed in its graph)"
                )
        value_shapes, shapes = self.shapes(data)
        n_dim = sum(int(np.prod(shape, dtype=int)) for shape in value_shapes)

        def initial_point(seed: int) -> np.ndarray:
            return np.random.default_rng(seed).uniform(-0.5, 0.5, n_dim)

        return self.callbacks.nutpie_model(data, self.names, shapes, n_dim, initial_point)


def compile_model(model: pm.Model) -> CompiledModel:
    """Compile a PyMC model's log-density with gradient, and its constrained values, for nutpie.

    Its ``pm.Data`` containers become arguments of the compiled functions, and so do the sizes
    of its parameters wherever the model derives them from its data. Numba compiles (or loads
    its disk cache) here rather than inside sampling.

    Compiled without fast-math: with it, LLVM may reassociate sums differently depending on
    whether an operation was compiled in this process or loaded from the cache, and the same
    seed would give different draws on a cold and a warm cache.
    """
    with pytensor.config.change_flags(numba__fastmath=False), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _compile_model(model)


def _compile_model(model: pm.Model) -> CompiledModel:
    free = list(model.free_RVs)
    values = [model.rvs_to_values[rv] for rv in free]
    start = model.initial_point()
    shapes = [value_shape(rv, start[v.name]) for rv, v in zip(free, values, strict=True)]
    # Constrained values keep symbolic shapes (only shape-keeping transforms stay symbolic);
    # a fixed shape may differ from its value's (a simplex has one entry more).
    constrained_shapes = [
        shape if _symbolic(shape) else tuple(int(n) for n in rv.shape.eval())
        for rv, shape in zip(free, shapes, strict=True)
    ]
    logp = model.logp()
    gradient = pt.concatenate([g.ravel() for g in pt.grad(logp, values)])
    constrained = [pt.as_tensor(v) for v in model.replace_rvs_by_values(free)]
    logp_outputs, flat = _join(values, shapes, [logp, gradient])
    (expanded,), flat_expand = _join(
        values, shapes, [pt.concatenate([v.ravel() for v in constrained])]
    )
    logp_fn = pytensor.function([flat], logp_outputs, mode="NUMBA")
    expand_fn = pytensor.function([flat_expand], expanded, mode="NUMBA")
    logp_shared, expand_shared = logp_fn.get_shared(), expand_fn.get_shared()
    data = {
        v.name: np.array(v.get_value(), order="C", copy=True)  # 0-d stays 0-d
        for v in [*logp_shared, *expand_shared]
    }
    callbacks = build_callbacks(
        logp_fn.vm.jit_fn,
        [v.name for v in logp_shared],
        expand_fn.vm.jit_fn,
        [v.name for v in expand_shared],
        data,
    )
    shape_of, data_names = _shape_function(model, [*shapes, *constrained_shapes])
    fixed = None
    if not all(_symbolic(shape) for shape in shapes if shape):
        fixed = {name: tuple(np.shape(value)) for name, value in data.items()}
    return CompiledModel(callbacks, tuple(rv.name for rv in free), data_names, shape_of, fixed)


def value_shape(rv: Any, start: np.ndarray) -> Shape:
    """A parameter's shape: symbolic when the model gives its size as an expression and the
    unconstrained value has the same shape (no reshaping transform), else fixed."""
    node = rv.owner
    fixed = tuple(int(n) for n in np.shape(start))
    if not isinstance(node.op, RandomVariable) or node.op.ndim_supp != 0:
        return fixed
    size = node.op.size_param(node)
    if isinstance(size.type, NoneTypeT) or all(
        isinstance(leaf, Constant) for leaf in graph_inputs([size])
    ):
        return fixed  # no size given, or a number written into the graph
    shape = tuple(size)
    evaluated = tuple(int(pt.as_tensor(n).eval()) for n in shape)
    return shape if evaluated == fixed else fixed


def _symbolic(shape: Shape) -> bool:
    return any(not isinstance(n, int) for n in shape)


def _as_vector(shape: Shape) -> Any:
    """A shape as one int64 vector expression (empty for a scalar)."""
    if not shape:
        return pt.zeros(0, dtype="int64")
    return pt.stack([pt.cast(pt.as_tensor(n), "int64") for n in shape])


def _join(values: list[Any], shapes: list[Shape], outputs: list[Any]) -> tuple[list[Any], Any]:
    """`outputs` with every value variable replaced by its slice of one flat vector; where the
    shapes are expressions of the data, so are the slices' bounds (no size in the graph)."""
    flat = pt.vector("flat", dtype="float64")
    replacements = {}
    offset: Any = 0
    for value, shape in zip(values, shapes, strict=True):
        size = pt.prod(_as_vector(shape)) if shape else 1
        piece = flat[offset : offset + size]
        replacements[value] = (piece.reshape(_as_vector(shape)) if shape else piece[0]).astype(
            value.dtype
        )
        offset = offset + size
    return graph_replace(outputs, replacements, strict=False), flat


def _shape_function(
    model: pm.Model, shapes: Sequence[Shape]
) -> tuple[Callable[..., list[np.ndarray]], tuple[str, ...]]:
    """A small Python-mode function from the model's data arrays to every parameter's shape."""
    shared = list(model.data_vars)
    inputs = [pt.tensor(dtype=v.dtype, shape=(None,) * v.ndim, name=v.name) for v in shared]
    outputs = graph_replace(
        [_as_vector(shape) for shape in shapes],
        dict(zip(shared, inputs, strict=True)),
        strict=False,
    )
    function = pytensor.function(
        inputs,
        outputs,
        mode=Mode(linker="py", optimizer="fast_compile"),
        on_unused_input="ignore",
        allow_input_downcast=True,  # pm.Data stores a 0-d integer as int32
    )
    return function, tuple(v.name for v in shared)


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
    """The nutpie model for this design and its data, compiling at most once per process
    (every campaign with the same priors shares one compiled model).

    Returns the model, the seconds spent compiling (or loading) and whether it was a hit.
    """
    started = time.perf_counter()
    compiled, hit = compiled_once(d.signature(), lambda: build_model(d))
    return compiled.nutpie_model(d.data()), time.perf_counter() - started, hit
