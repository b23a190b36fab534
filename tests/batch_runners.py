"""Stand-in campaign runners for the worker-pool tests (imported by spawned workers).

Not a test module: ``from batch_runners import run_or_die``.
"""

from __future__ import annotations

import os
import time

from relevance.batch.outcome import Outcome
from relevance.batch.schedule import Task


def run_or_die(task: Task) -> Outcome:
    """'dies' kills its worker process as an out-of-memory kill would; the others report the
    worker that ran them."""
    time.sleep(0.2)
    if task.name == "dies":
        os._exit(137)
    return Outcome(str(task.path), task.name, "ok", 0, 0.0, headline=str(os.getpid()))
