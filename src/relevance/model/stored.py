"""A compiled model, kept for the process and on disk, so that a report loads it without PyMC.

:func:`relevance.model.compile.compile_model` turns a PyMC model into C callbacks for nutpie.
Even when Numba's disk cache holds their machine code that costs a second or more per model:
importing PyMC, building the graph, differentiating and rewriting it. What comes out depends
only on the graph, and the graph only on the key its caller gives (a design's signature: its
data's names, ranks and dtypes) and on the code that builds it. So what a later process
needs (the callbacks' recipes in Numba's cache, the parameters' names, the data layout, the
small function from data to shapes) is stored under that key, a hash of the code that builds
models and the libraries' versions; a hit rebuilds the callbacks from Numba's cache without
PyMC. Anything missing or unreadable is compiled again, never guessed.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relevance.model.callbacks import Argument, Recipe, cached_callbacks
from relevance.model.compiled import CompiledModel

if TYPE_CHECKING:
    import pymc as pm

    from relevance.model.design import Design

STORE_VERSION = "1"
"""Bump when what is stored changes shape."""
LIBRARIES = ("pymc", "pytensor", "numba", "nutpie", "numpy", "llvmlite")
_COMPILED: dict[str, CompiledModel] = {}


@dataclass(frozen=True)
class Stored:
    """What a later process needs to rebuild a compiled model from Numba's disk cache."""

    recipes: tuple[Recipe, Recipe]
    arguments: tuple[Argument, ...]
    names: tuple[str, ...]
    data_names: tuple[str, ...]
    shape_function: bytes  # the pickled PyTensor function from data to shapes
    fixed_data_shapes: dict[str, tuple[int, ...]] | None


def store_folder() -> Path:
    """Beside PyTensor's Numba cache (``PYTENSOR_FLAGS=base_compiledir=...`` moves both)."""
    from pytensor.link.numba.cache import NUMBA_CACHE_PATH

    return Path(NUMBA_CACHE_PATH) / "relevance-models"


def store_key(key: str, build: Callable[[], Any]) -> str | None:
    """`key` with everything else the compiled code depends on: relevance's version and the
    source of the modules that build models (this package, and the one `build` comes from),
    PyTensor's settings, the libraries' versions, the Python and the machine. None when that
    cannot be known (no source files, as in a zipped or frozen install): nothing is stored."""
    import pytensor

    import relevance

    digest = hashlib.sha256(f"{STORE_VERSION}\n{key}\n{relevance.__version__}\n".encode())
    here = Path(__file__).resolve().parent
    sources = sorted(here.glob("*.py"))
    if not sources:
        return None
    origin = Path(build.__code__.co_filename) if hasattr(build, "__code__") else None
    if origin is not None and origin.is_file() and origin.parent != here:
        sources.append(origin)
    try:
        for source in sources:
            digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
        for library in LIBRARIES:
            digest.update(f"{library} {version(library)}\n".encode())
    except (OSError, PackageNotFoundError):
        return None
    settings = (pytensor.config.floatX, pytensor.config.optimizer, pytensor.config.mode)
    digest.update(f"{settings} {platform.python_version()} {platform.machine()}".encode())
    return digest.hexdigest()[:32]


def store_path(key: str, build: Callable[[], Any]) -> Path | None:
    """Where the model under `key` is stored, or None when it cannot be (see :func:`store_key`)."""
    stored = store_key(key, build)
    return None if stored is None else store_folder() / f"{stored}.pickle"


def _load(path: Path) -> CompiledModel | None:
    try:
        stored = pickle.loads(path.read_bytes())
    except Exception:  # absent, unreadable or foreign: a miss, not an error
        return None
    if not isinstance(stored, Stored):
        return None
    try:
        shape_function = pickle.loads(stored.shape_function)
    except Exception:  # written by another PyTensor, or damaged: a miss
        return None
    callbacks = cached_callbacks(stored.arguments, stored.recipes)
    if callbacks is None:
        return None
    return CompiledModel(
        callbacks, stored.names, stored.data_names, shape_function, stored.fixed_data_shapes
    )


def _save(path: Path, compiled: CompiledModel) -> None:
    """Store `compiled` (atomically; a folder that cannot be written only costs speed)."""
    recipes = compiled.callbacks.recipes
    if recipes is None:
        return
    stored = Stored(
        recipes,
        compiled.callbacks.arguments,
        compiled.names,
        compiled.data_names,
        pickle.dumps(compiled.shape_function),
        compiled.fixed_data_shapes,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(stored, stream)
        os.replace(temporary, path)
    except OSError:
        return


def is_stored(key: str, build: Callable[..., Any]) -> bool:
    """Whether the model under `key`, built by `build`'s code, is in the store."""
    path = store_path(key, build)
    return key in _COMPILED or (path is not None and path.is_file())


def can_store(key: str, build: Callable[..., Any]) -> bool:
    """Whether a model under `key` can be stored here (known code, a writable folder)."""
    if store_path(key, build) is None:
        return False
    folder = store_folder()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


_PENDING: dict[str, subprocess.Popen[bytes]] = {}


HELPER_TIMEOUT_SECONDS = 900
"""A helper that has not finished by then is stopped, and its models compiled here."""


def compile_elsewhere(keys: list[str], job: Callable[[str], None], argument: str) -> None:
    """Run ``job(argument)``, which compiles and stores the models under `keys`, in a helper
    process while this one goes on; :func:`compiled_once` then waits for it instead of
    compiling one of them a second time. Numba compiles on one core: on a machine's first run
    two models compile side by side.

    The helper is quiet and in a session of its own (Ctrl-C reaches this process, which stops
    it on the way out); if it cannot start, fails or hangs, this process compiles the models
    itself. No helper where this Python cannot be started again (a frozen or embedded one).
    """
    keys = [key for key in keys if key not in _PENDING and key not in _COMPILED]
    if not keys or getattr(sys, "frozen", False) or not sys.executable:
        return
    code = f"import sys; from {job.__module__} import {job.__name__} as job; job(sys.argv[1])"
    try:
        helper = subprocess.Popen(
            [sys.executable, "-c", code, argument],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except (OSError, ValueError):  # no process to spare: compiled here, one after the other
        return
    if not _PENDING:
        atexit.register(_stop_helpers)
    for key in keys:
        _PENDING[key] = helper


def _wait_for_helper(key: str) -> None:
    """Wait for the helper compiling `key` (stopped if it hangs); it stays known to
    :func:`_stop_helpers` while this process waits, so Ctrl-C here stops it too."""
    helper = _PENDING.get(key)
    if helper is None:
        return
    try:
        helper.wait(timeout=HELPER_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        helper.kill()
        helper.wait()
    del _PENDING[key]


def _stop_helpers() -> None:
    """Helpers still running when the process ends (it failed or was interrupted) stop."""
    for helper in _PENDING.values():
        if helper.poll() is None:
            helper.terminate()
    _PENDING.clear()


def compiled_once(key: str, build: Callable[[], pm.Model]) -> tuple[CompiledModel, bool]:
    """The compiled model under `key`: from this process, else from the disk store (after
    the helper compiling it, if any, is done), else built and compiled (and stored).

    Returns the model and whether it was compiled before (in this process or an earlier one).
    """
    if key in _COMPILED:
        return _COMPILED[key], True
    _wait_for_helper(key)  # if it failed, nothing is stored: compiled here
    path = store_path(key, build)
    compiled = _load(path) if path is not None else None
    hit = compiled is not None
    if compiled is None:
        from relevance.model.compile import compile_model  # PyMC loads only to compile

        compiled = compile_model(build())
        if path is not None:
            _save(path, compiled)
    _COMPILED[key] = compiled
    return compiled, hit


def compiled_model(d: Design) -> tuple[object, float, bool]:
    """The nutpie model for this design and its data, compiling at most once (every campaign
    shares one compiled model, whatever its metrics, arms, segments and priors).

    Returns the model, the seconds spent compiling (or loading) and whether it was a hit.
    """
    started = time.perf_counter()
    compiled, hit = compiled_once(d.signature(), lambda: _build(d))
    return compiled.nutpie_model(d.data()), time.perf_counter() - started, hit


def _build(d: Design) -> pm.Model:
    from relevance.model.build import build_model  # PyMC loads only to compile

    return build_model(d)
