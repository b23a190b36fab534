"""A model compiled for nutpie: C callbacks with the data layout they read (see
:func:`relevance.model.compile.compile_model`; kept by :mod:`relevance.model.stored`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from relevance.model.callbacks import CCallbacks


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
