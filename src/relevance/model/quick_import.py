"""Import ArviZ (nutpie's dependency) without the call-stack walks it does at import.

ArviZ's optional NumPyro support asks `lazy_loader` for `jax` and `numpyro`; when they are not
installed (the usual case), lazy_loader records who asked with ``inspect.stack()``, which
reads the source of every frame on the stack: more than a second of every report's start, to
name a caller in an error message nobody sees (the placeholder module only raises if jax is
used). While ArviZ and nutpie import, the walk returns a placeholder caller instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _unnamed_caller(context: int = 1) -> list[Any]:
    """What lazy_loader reads of ``inspect.stack()[1]``, without walking the stack."""
    placeholder = inspect.FrameInfo(None, "<import>", 0, "<module>", None, None)
    return [placeholder, placeholder]


@contextmanager
def without_stack_walks() -> Iterator[None]:
    """Within this block ``inspect.stack()`` answers at once (imports only)."""
    walk = inspect.stack
    inspect.stack = _unnamed_caller
    try:
        yield
    finally:
        inspect.stack = walk
