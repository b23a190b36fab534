"""Compile a PyMC model once into cached C callbacks that nutpie calls, whatever the data's size.

A model whose parameters take their sizes from its data (``shape=`` an expression of a
``pm.Data`` container, as :func:`relevance.model.build.build_model` writes every one) compiles
to a graph without a single size in it: the flat vector of parameters is split at offsets
computed from the data. One compilation then serves every campaign, however many metrics,
arms or segment levels it has; a campaign of a new shape loads it from the cache.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
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
from relevance.model.callbacks import build_callbacks
from relevance.model.compiled import CompiledModel
from relevance.model.design import Design

Shape = tuple[Any, ...]  # entries are ints or symbolic scalars of the data


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
