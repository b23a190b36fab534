"""Safe outputs: nothing a user owns is ever overwritten, and a failed run replaces nothing.

A report is written into a staging folder beside its target and swapped into place only when
everything succeeded. Only a folder that relevance wrote (it carries :data:`MARKER`, or holds
nothing but report files) is ever replaced; files are replaced only when they are regular
files. On Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``, so a run killed at
any moment leaves either the last good report or the new one in place, never neither.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas only to type a signature: rendering a page does not import it
    import pandas as pd

from relevance import __version__
from relevance.errors import ConfigError, InputError

MARKER = ".relevance-output"
"""The file every folder relevance swaps into place carries: only such folders are replaced."""

REPORT_FILES = frozenset(
    {
        "report.html",
        "report.ipynb",
        "results.json",
        "posterior.nc",
        "cells.csv",
        "fingerprint.txt",
        "plan.html",
        "plan.ipynb",
        "plan.json",
        "assurance.png",
        "cost.png",
        "portfolio.html",
        "portfolio.ipynb",
        "portfolio.json",
    }
)
"""What report folders hold: a folder of nothing else (written before markers existed) is ours."""

RENAME_EXCHANGE = 2  # linux/fs.h


class OutputError(InputError):
    """An output place that cannot be used: it belongs to the user, or cannot be written."""


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def refuse_unless_regular_file(path: Path) -> None:
    """Refuse to write over something that exists and is not a regular file (a device, a
    folder, a pipe): an atomic replace would swap it out for our file."""
    if (path.exists() or path.is_symlink()) and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file (a device, pipe or link)"
        raise OutputError(
            _shown(path),
            None,
            f"this is {kind}; relevance only writes over regular files",
            "give the path of a file to write",
        )


def prepare_folder(folder: Path, option: str = "--out") -> Path:
    """Create the output folder if needed, or say in one sentence why it cannot be used."""
    problem = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = _why_unusable(error)
    if problem is None and not os.access(folder, os.W_OK | os.X_OK):
        problem = "it is not writable"
    if problem is not None:
        raise _unusable(folder, option, problem)
    return folder


def _why_unusable(error: OSError) -> str:
    """Why a path cannot hold a report, in a few words a user can act on."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        return "a file is in the way (the path, or a folder above it, is a file)"
    if isinstance(error, PermissionError):
        return "it cannot be created here (permission denied)"
    if error.errno == errno.ENAMETOOLONG:
        return "the path is too long"
    return f"it cannot be created ({error.strerror or error})"


def _unusable(folder: Path, option: str, problem: str) -> OutputError:
    """The one message for an output folder that cannot be used."""
    return OutputError(
        None,
        f"{option} {_shown(folder)[:200]}",
        f"the output folder cannot be used: {problem}",
        f"choose a folder you can write to with {option}",
    )


def owned_by_relevance(folder: Path) -> bool:
    """True when `folder` is empty, carries :data:`MARKER`, or holds only report files."""
    names = {entry.name for entry in folder.iterdir()}
    return not names or MARKER in names or names <= REPORT_FILES


def check_replaceable(target: Path) -> None:
    """Refuse to replace `target` unless relevance wrote it (or it does not exist)."""
    try:
        present = target.exists() or target.is_symlink()
    except OSError as error:
        raise _unusable(target.parent, "--out", _why_unusable(error)) from None
    if not present:
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputError(
            _shown(target),
            None,
            "a file (or link) is where the report folder would go; relevance will not replace it",
            "move it away, or choose another --out or experiment `name`",
        )
    if owned_by_relevance(target):
        return
    held = sorted(entry.name for entry in target.iterdir())
    listing = ", ".join(name[:60] for name in held[:5]) + (" ..." if len(held) > 5 else "")
    raise OutputError(
        _shown(target),
        None,
        f"this folder exists and relevance did not write it (it holds {listing}); "
        "writing the report here would delete those files",
        "choose another --out (reports usually go to reports/), or rename the experiment "
        "(`name`), or move the folder away",
    )


_deferred: list[Future[None]] | None = None
_writer: ThreadPoolExecutor | None = None


@contextmanager
def deferred_writes() -> Iterator[None]:
    """Inside this block :func:`write_file` may finish in a background thread (a report's
    posterior is written while its pictures are drawn); when the block ends every such write
    has finished, and the first that failed raises."""
    global _deferred
    outer, _deferred = _deferred, []
    try:
        yield
    finally:
        pending, _deferred = _deferred, outer
        failures = [error for error in (f.exception() for f in pending) if error is not None]
    if failures:
        raise failures[0]


def write_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write `path` by `write(temporary)` and an atomic rename, in the background inside
    :func:`deferred_writes`, else now."""
    global _writer
    refuse_unless_regular_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def work() -> None:
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            write(temporary)
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)

    if _deferred is None:
        work()
        return
    if _writer is None:
        _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relevance-write")
    _deferred.append(_writer.submit(work))


def write_text_atomic(path: Path, text: str) -> Path:
    """Write text to `path` via a temporary file in the same folder and an atomic rename."""
    refuse_unless_regular_file(path)
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
            f"{name[:100]!r} would write outside the output folder {root}",
            "use a plain experiment name (letters, digits, '_', '.', '-')",
        )
    return target


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name, use_errno=True) if name else None
    if libc is None or not hasattr(libc, "renameat2"):
        return False
    at_cwd = -100
    done = libc.renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), RENAME_EXCHANGE)
    if done != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            return False  # e.g. a filesystem without RENAME_EXCHANGE
        raise OSError(code, os.strerror(code), str(first))
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(target: Path) -> None:
    """Tidy what killed runs left beside `target`: restore a last good report that a run
    killed mid-swap had moved aside, and remove staging folders of processes now gone."""
    for leftover in sorted(target.parent.glob(f".{target.name}.*-*")):
        kind, _, rest = leftover.name[len(target.name) + 2 :].partition("-")
        pid_text = rest.split("-", 1)[0]
        if kind not in ("tmp", "old") or not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        if kind == "old" and not target.exists() and not target.is_symlink():
            os.replace(leftover, target)  # the last good report, moved aside by a killed swap
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _mark(folder: Path) -> None:
    (folder / MARKER).write_text(
        json.dumps({"written_by": "relevance", "version": __version__}) + "\n", encoding="utf-8"
    )


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A staging folder that replaces `target` only if the block finishes without error.

    Refuses (before any work) a target that relevance did not write; the staging folder
    carries :data:`MARKER`, so the next run may replace what this one leaves.
    """
    prepare_folder(target.parent)
    check_replaceable(target)
    recover(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        staging.chmod(0o755)
        _mark(staging)
        yield staging
        check_replaceable(target)  # again: something may have appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous report
        return
    retired = target.parent / f".{target.name}.old-{os.getpid()}-0"
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is read as a formula by spreadsheet programs."""


def spreadsheet_safe(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """`frame` with text in `columns` that a spreadsheet would run as a formula (``=HYPERLINK(...``)
    prefixed by an apostrophe, the usual defence: the text shows, nothing runs."""
    safe = frame.copy()
    for column in columns:
        text = safe[column].astype(str)
        risky = text.str.startswith(SPREADSHEET_TRIGGERS)
        safe[column] = text.where(~risky, "'" + text)
    return safe
