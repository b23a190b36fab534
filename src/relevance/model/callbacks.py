"""C callbacks for nutpie's sampler, built from PyTensor's Numba functions and cached on disk.

nutpie samples fastest when the log-density is a C function: its Rust threads call it without
Python's GIL, so two chains use two cores. nutpie's own ``compile_pymc_model`` builds that C
function anew in every process (5-25 s of LLVM work that Numba cannot cache, because the
function closes over the model). Here the C wrapper is generated source that reads the data
through a pointer table instead of closing over it, registered under a key derived from
PyTensor's own cache key of the compiled graph; Numba then stores it next to PyTensor's cache,
and a later process loads it in milliseconds. A graph PyTensor cannot cache gets an uncached
wrapper: correct, only slower to start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

import numba
import numpy as np
import pytensor
from numba.core import cgutils, types
from numba.extending import intrinsic
from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

from relevance.model.quick_import import without_stack_walks

with without_stack_walks():  # ArviZ's import walks the call stack: a second per report
    from nutpie.compile_pymc import CompiledPyMCModel

# Bump when the generated source changes, so old cached wrappers are never loaded.
WRAPPER_VERSION = "5"

LOGP_SIGNATURE = types.int64(
    types.uint64,
    types.CPointer(types.double),
    types.CPointer(types.double),
    types.CPointer(types.double),
    types.voidptr,
)
EXPAND_SIGNATURE = types.int64(
    types.uint64,
    types.uint64,
    types.CPointer(types.double),
    types.CPointer(types.double),
    types.voidptr,
)

# nutpie's codes for a log-density that is not finite (the draw is rejected, not an error).
NONFINITE_GRADIENT, NONFINITE_LOGP, FAILED = 3, 4, 1


@intrinsic
def _as_pointer(typingctx: Any, address: Any) -> Any:
    """A void pointer from an integer address (the data table holds addresses)."""

    def codegen(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.inttoptr(arguments[0], cgutils.voidptr_t)

    return types.voidptr(address), codegen


@dataclass(frozen=True)
class Argument:
    """One data argument of a compiled function: its name, dtype and rank (sizes vary)."""

    name: str
    dtype: np.dtype
    ndim: int


HEADER = 2  # the table starts with the number of parameters and of constrained values


def table_length(arguments: Sequence[Argument]) -> int:
    """Entries of the data table: the two counts, one address per argument, every size."""
    return HEADER + len(arguments) + sum(a.ndim for a in arguments)


def _prelude(
    header: str, sizes_ok: str, arguments: Sequence[Argument], order: Sequence[int]
) -> tuple[list[str], str]:
    """The callback's first lines (size check, data arrays from the table's addresses and
    sizes) and the argument list of the inner call. Sizes are read at run time, so one
    callback serves data of any size."""
    lines = [
        header,
        f"    table = numba.carray(data_, ({table_length(arguments)},), np.uint64)",
        "    n_dim = np.int64(table[0])",
        "    n_expanded = np.int64(table[1])",
        f"    if not ({sizes_ok}):",
        "        return -1",
    ]
    offset = HEADER + len(arguments)
    for position, argument in enumerate(arguments):
        address = f"_as_pointer(table[{HEADER + position}])"
        if argument.ndim == 0:
            lines.append(
                f"    d{position} = numba.carray({address}, (1,), "
                f"np.{argument.dtype.name}).reshape(())"
            )
            continue
        sizes = "".join(f"np.int64(table[{offset + j}]), " for j in range(argument.ndim))
        lines.append(
            f"    d{position} = numba.carray({address}, ({sizes}), np.{argument.dtype.name})"
        )
        offset += argument.ndim
    return lines, ", ".join(["x", *[f"d{i}" for i in order]])


def _logp_source(arguments: Sequence[Argument], order: Sequence[int]) -> str:
    lines, call = _prelude(
        "def logp_callback(dim, x_, gradient_, logp_, data_):", "dim == n_dim", arguments, order
    )
    return "\n".join(
        [
            *lines,
            "    x = numba.carray(x_, (n_dim,))",
            "    gradient = numba.carray(gradient_, (n_dim,))",
            "    logp = numba.carray(logp_, ())",
            "    try:",
            f"        value, grad = inner({call})",
            "        logp[()] = value",
            "        gradient[...] = grad",
            "    except Exception:",
            f"        return {FAILED}",
            "    if not np.isfinite(logp[()]):",
            f"        return {NONFINITE_LOGP}",
            "    if not np.all(np.isfinite(gradient)):",
            f"        return {NONFINITE_GRADIENT}",
            "    return 0",
        ]
    )


def _expand_source(arguments: Sequence[Argument], order: Sequence[int]) -> str:
    lines, call = _prelude(
        "def expand_callback(dim, expanded, x_, out_, data_):",
        "dim == n_dim and expanded == n_expanded",
        arguments,
        order,
    )
    return "\n".join(
        [
            *lines,
            "    x = numba.carray(x_, (n_dim,))",
            "    out = numba.carray(out_, (n_expanded,))",
            "    try:",
            f"        (values,) = inner({call})",
            "        out[...] = values",
            "    except Exception:",
            "        return -2",
            "    return 0",
        ]
    )


@dataclass(frozen=True)
class Recipe:
    """What finds a C callback again in Numba's disk cache: the wrapper's generated source, its
    function's name and the key it was cached under."""

    source: str
    name: str
    key: str


def _wrapper(source: str, name: str, key: str | None, inner: Any) -> Any:
    return compile_numba_function_src(
        source,
        name,
        {
            "__name__": __name__,
            "numba": numba,
            "np": np,
            "inner": inner,
            "_as_pointer": _as_pointer,
        },
        cache_key=key,
    )


def c_callback(inner: Any, source: str, name: str, signature: Any) -> tuple[Any, Recipe | None]:
    """Compile the generated wrapper around a PyTensor Numba function into a C callback.

    Cached on disk under a key that combines PyTensor's key of ``inner``'s graph with the
    wrapper's own source, so a changed model or a changed wrapper never loads a stale one.
    Returns the callback and its recipe (None for a graph PyTensor cannot cache).
    """
    py_func = getattr(inner, "py_func", None)
    graph_key = CACHED_SRC_FUNCTIONS.get(py_func) if py_func is not None else None
    key = None
    if graph_key is not None:
        # The module's name is part of the key: a cached wrapper refers to this module by name.
        versions = (
            f"{WRAPPER_VERSION} {__name__} pytensor {pytensor.__version__} "
            f"numba {numba.__version__}"
        )
        key = sha256(f"{versions}\n{graph_key}\n{source}".encode()).hexdigest()
    callback = numba.cfunc(signature, cache=key is not None)(_wrapper(source, name, key, inner))
    return callback, (Recipe(source, name, key) if key is not None else None)


def cached_callback(recipe: Recipe, signature: Any) -> Any | None:
    """The C callback of `recipe` as Numba's disk cache holds it, or None when it is not there.

    Nothing is compiled here: the wrapper's inner function is not given (only a compile would
    need it), so a callback missing from the cache fails to compile instead of becoming a
    different one.
    """
    try:
        return numba.cfunc(signature, cache=True)(
            _wrapper(recipe.source, recipe.name, recipe.key, None)
        )
    except Exception:  # numba's typing errors: not cached (or cached by another version)
        return None


@dataclass(frozen=True)
class CCallbacks:
    """A model's log-density and expansion as C callbacks, with the data layout they expect."""

    logp: Any
    expand: Any
    arguments: tuple[Argument, ...]
    recipes: tuple[Recipe, Recipe] | None = None  # None: not in Numba's disk cache

    def data_table(
        self, data: dict[str, np.ndarray], n_dim: int, n_expanded: int
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The table the callbacks read (counts, addresses, sizes) and the frozen copies of
        the data it points to (the caller keeps them alive)."""
        arrays = {}
        for argument in self.arguments:
            given = np.asarray(data[argument.name])
            if given.ndim != argument.ndim or not np.can_cast(
                given.dtype, argument.dtype, casting="same_kind"
            ):
                raise ValueError(
                    f"data {argument.name!r} is {given.dtype} with {given.ndim} dimension(s), "
                    f"the compiled model expects {argument.dtype} with {argument.ndim}"
                )
            array = np.array(given, dtype=argument.dtype, order="C", copy=True)  # ours to freeze
            if not np.array_equal(array, given):
                raise ValueError(
                    f"data {argument.name!r} does not fit the compiled model's {argument.dtype} "
                    "without changing its values"
                )
            array.flags.writeable = False
            arrays[argument.name] = array
        addresses = [arrays[a.name].ctypes.data for a in self.arguments]
        sizes = [n for a in self.arguments for n in arrays[a.name].shape]
        table = np.array([n_dim, n_expanded, *addresses, *sizes], dtype=np.uint64)
        return table, arrays

    def nutpie_model(
        self,
        data: dict[str, np.ndarray],
        names: Sequence[str],
        shapes: Sequence[tuple[int, ...]],
        n_dim: int,
        initial_point: Callable[[int], np.ndarray],
    ) -> CompiledPyMCModel:
        """A nutpie model whose callbacks read this data (kept alive by the model).

        `names` and `shapes` are the parameters' constrained values in the order the
        expansion joins them; empty ones (a campaign without segments has no segment
        coefficients) are left out of the draws.
        """
        sizes = [int(np.prod(shape, dtype=int)) for shape in shapes]
        n_expanded = sum(sizes)
        table, arrays = self.data_table(data, n_dim, n_expanded)
        kept, slices, kept_shapes, start = [], [], [], 0
        for name, shape, size in zip(names, shapes, sizes, strict=True):
            if size:
                kept.append(name)
                slices.append(slice(start, start + size))
                kept_shapes.append(tuple(shape))
            start += size
        return CompiledPyMCModel(
            dims={},
            _n_dim=n_dim,
            _coords={},
            _shapes=dict(zip(kept, kept_shapes, strict=True)),
            compiled_logp_func=self.logp,
            compiled_expand_func=self.expand,
            initial_point_func=initial_point,
            shared_data=arrays,  # keeps the arrays the table points to alive
            shared_var_keys={},
            user_data=table,
            n_expanded=n_expanded,
            shape_info=(kept, slices, [list(s) for s in kept_shapes]),
            logp_func=None,
            expand_func=None,
        )


def build_callbacks(
    logp_and_grad: Any,
    logp_names: Sequence[str],
    expand: Any,
    expand_names: Sequence[str],
    data: dict[str, np.ndarray],
) -> CCallbacks:
    """C callbacks for a log-density-with-gradient and a joined expansion function.

    ``logp_and_grad(x, *data[logp_names])`` returns (logp, gradient); ``expand(x,
    *data[expand_names])`` returns a one-element tuple with every constrained value joined.
    `data` gives each argument's dtype and rank; sizes are read from the table at run time.
    """
    named = [*logp_names, *expand_names]
    if (
        any(not name for name in named)
        or len(set(logp_names)) != len(logp_names)
        or len(set(expand_names)) != len(expand_names)
    ):
        raise ValueError(f"every data container needs its own name, got {named}")
    arguments = tuple(
        Argument(name, np.asarray(data[name]).dtype, np.ndim(data[name]))
        for name in dict.fromkeys(named)
    )
    position = {a.name: i for i, a in enumerate(arguments)}
    logp, logp_recipe = c_callback(
        logp_and_grad,
        _logp_source(arguments, [position[n] for n in logp_names]),
        "logp_callback",
        LOGP_SIGNATURE,
    )
    expanded, expand_recipe = c_callback(
        expand,
        _expand_source(arguments, [position[n] for n in expand_names]),
        "expand_callback",
        EXPAND_SIGNATURE,
    )
    recipes = (logp_recipe, expand_recipe) if logp_recipe and expand_recipe else None
    return CCallbacks(logp, expanded, arguments, recipes)


def cached_callbacks(
    arguments: tuple[Argument, ...], recipes: tuple[Recipe, Recipe]
) -> CCallbacks | None:
    """Callbacks built before, loaded from Numba's disk cache (None if either is missing)."""
    logp = cached_callback(recipes[0], LOGP_SIGNATURE)
    expand = cached_callback(recipes[1], EXPAND_SIGNATURE) if logp is not None else None
    if logp is None or expand is None:
        return None
    return CCallbacks(logp, expand, arguments, recipes)
