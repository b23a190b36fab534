"""Safe outputs: atomic file writes, report folders swapped into place, paths kept inside.

A run writes into a temporary folder beside the target and moves it into place only when
everything succeeded, so a failed run never replaces the last good report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from relevance.errors import ConfigError


def write_text_atomic(path: Path, text: str) -> Path:
    """Write text to `path` via a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def inside(root: Path, name: str) -> Path:
    """`root / name`, refusing names that would escape `root` (``..``, absolute paths)."""
    root = root.resolve()
    target = (root / name).resolve()
    if target == root or root not in target.parents:
        raise ConfigError(
            None,
            "name",
            f"{name!r} would write outside the output folder {root}",
            "use a plain experiment name (letters, digits, '_', '.', '-')",
        )
    return target


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A temporary folder that replaces `target` only if the block finishes without error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    staging.chmod(0o755)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)
