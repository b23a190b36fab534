"""Model size: refuse, before any model, segments with more levels than a model can pool.

A segment column with thousands of levels (a customer id, a zip code) makes the joint model's
design matrices grow with the square of the levels: 5,000 levels took 24 GB and a dead kernel
after minutes. The size is known from the cells, so it is checked here, in seconds, and the
message says which column, how many levels, and how to group them.
"""

from __future__ import annotations

from relevance.checks.base import finding
from relevance.config import Experiment
from relevance.errors import brief
from relevance.io.cells import Cells
from relevance.results import Finding, Severity

MAX_LEVELS = 200
"""Levels of one segment column the model pools (partial pooling needs a few per level)."""
MAX_COMBINATIONS = 2_000
"""Segment combinations (the product of the columns' levels that occur in the data)."""
MAX_DESIGN_VALUES = 50_000_000
"""Entries of the model's design matrices (8 bytes each: 400 MB)."""
SUGGESTED_LEVELS = 20


def design_values(experiment: Experiment, levels: dict[str, int], combinations: int) -> int:
    """Entries of the design matrices (see :mod:`relevance.model.design`) for these levels."""
    arms = len(experiment.arms.all)
    contrasts = sum(count - 1 for count in levels.values())
    rate_blocks = len(experiment.metrics)
    amount_blocks = sum(1 for m in experiment.metrics if m.kind == "revenue")
    rows = arms * combinations
    rate = (rate_blocks * rows) * (rate_blocks * contrasts * arms)
    amount = (amount_blocks * rows) * (amount_blocks * contrasts)
    return rate + amount


def model_size(experiment: Experiment, cells: Cells) -> list[Finding]:
    """An error when a segment column, the combinations or the design would be too large."""
    if not cells.segments or not cells.count:
        return []
    levels = {s: int(cells.keys[s].nunique()) for s in cells.segments}
    combinations = len(cells.segment_grid())
    values = design_values(experiment, levels, combinations)
    large = [s for s, count in levels.items() if count > MAX_LEVELS]
    if not large and combinations <= MAX_COMBINATIONS and values <= MAX_DESIGN_VALUES:
        return []
    worst = max(levels, key=lambda s: levels[s])
    columns = large or [worst]
    described = ", ".join(
        f"`{brief(s, 40, quote=False)}` has {levels[s]:,} levels" for s in columns
    )
    return [
        finding(
            "model_size",
            Severity.ERROR,
            f"The segments are too fine to model: {described} ({combinations:,} segment "
            f"combinations; a model pools at most {MAX_LEVELS} levels per column and "
            f"{MAX_COMBINATIONS:,} combinations).",
            f"group the levels of {', '.join(f'`{brief(s, 40, quote=False)}`' for s in columns)}: "
            f"keep the {SUGGESTED_LEVELS} largest and put the rest in 'other' (in SQL: CASE "
            f"WHEN {brief(columns[0], 40, quote=False)} IN (...) THEN "
            f"{brief(columns[0], 40, quote=False)} ELSE 'other' END), or leave the column out "
            "of `segments`",
            where=f"column `{brief(columns[0], 40, quote=False)}`",
            levels=levels,
            combinations=combinations,
            design_values=values,
        )
    ]
