"""Small campaign designs with random cells, for tests of compiled models.

Not a test module: ``from designs import designed``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from relevance.config import MetricConfig, PriorConfig
from relevance.io.cells import Cells
from relevance.model.design import Design, design
from relevance.model.layout import layout


def designed(
    metrics: list[str],
    segments: list[str],
    arms: tuple[str, ...],
    priors: PriorConfig | None = None,
    adjust: tuple[str, ...] = (),
) -> Design:
    """A design of these metrics ('rev...' revenue, else binary), segment and adjust_for
    columns (levels x, y, z) and arms, with 1,000 recipients per cell (seeded by its shape)."""
    rng = np.random.default_rng(len(metrics) * 10 + len(segments) + len(arms))
    rows = []
    for arm in arms:
        keys = [*segments, *adjust]
        for combo in itertools.product(*[("x", "y", "z")] * len(keys)):
            row = {"arm": arm, **dict(zip(keys, combo, strict=True)), "n": 1000}
            for m in metrics:
                buyers = int(rng.integers(20, 80))
                row[f"{m}__n"], row[f"{m}__ones"] = 1000, buyers
                if m.startswith("rev"):
                    logs = rng.normal(3.0, 0.5, buyers)
                    row[f"{m}__buyers"] = buyers
                    row[f"{m}__sum"] = float(np.exp(logs).sum())
                    row[f"{m}__sum_log"] = float(logs.sum())
                    row[f"{m}__sum_log_sq"] = float((logs**2).sum())
                    row[f"{m}__sum_sq"] = float(np.exp(2 * logs).sum())
            rows.append(row)
    configs = tuple(
        MetricConfig(
            name=m, kind="revenue" if m.startswith("rev") else "binary", column=m, rope=0.01
        )
        for m in metrics
    )
    cells = Cells.from_frame(pd.DataFrame(rows), arms, segments, configs, adjust=adjust)
    return design(layout(cells), configs, priors or PriorConfig())


def sleep_for(seconds: str) -> None:
    """A helper process's job that only waits (tests stop it)."""
    import time

    time.sleep(float(seconds))
