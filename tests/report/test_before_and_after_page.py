"""The rendered report of a campaign with `adjust_for` and `data.delivered`, read in Chromium:
what the adjustment bought and the effect on delivered recipients are on the page (computed is
shown), readable at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from browser import WIDTHS, audit
from conftest import write_experiment
from relevance.language import span
from relevance.pipeline.notebooks import run_experiment
from relevance.results import Results

N = 12_000


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    """Holdout and two versions; a pre-period score predicts buying; 70% of sends delivered."""
    folder = tmp_path_factory.mktemp("before-and-after")
    rng = np.random.default_rng(21)
    arm = rng.choice(["holdout", "A", "B"], size=N, p=[0.3, 0.35, 0.35])
    score = rng.random(N)
    delivered = (arm != "holdout") & (rng.random(N) < 0.7)
    bought = rng.random(N) < 0.6 * score + 0.03 * delivered * (arm == "B")
    spend = np.where(bought, rng.gamma(2.0, 30.0, N).round(2), 0.0)
    pd.DataFrame(
        {
            "arm": arm,
            "score": score,
            "delivered": delivered.astype(int),
            "purchased": bought.astype(int),
            "spend": spend,
        }
    ).to_parquet(folder / "rows.parquet")
    path = write_experiment(
        folder,
        name="before-and-after",
        data={"path": "rows.parquet", "arm": "arm", "unit_id": None, "delivered": "delivered"},
        metrics=[
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "rope": 0.001,
            },
            {"name": "spend", "kind": "revenue", "column": "spend", "rope": 0.05},
        ],
        adjust_for=["score"],
        sampler={"draws": 300, "tune": 300, "chains": 2, "seed": 3},
    )
    target, _ = run_experiment(path, folder / "reports", None, None)
    return target / "report.html", Results.read(target / "results.json")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_adjustment_and_delivery_are_on_the_page(page: tuple[Path, Results], width: str) -> None:
    report, results = page
    seen = audit(report, *WIDTHS[width])
    seen.assert_readable()
    text = seen.visible_text
    adjustment = results.adjustment
    assert adjustment is not None and adjustment.columns == ["score"]
    assert " ".join(adjustment.sentence.split()) in text
    for version in results.versions:
        assert f"{adjustment.narrowing[version]:.1%}".replace("-", "−") in text
        unadjusted = adjustment.unadjusted[version]
        assert span(unadjusted.low, unadjusted.high, "") in text
    effects = results.effect_on_delivered
    assert {(e.metric, e.version) for e in effects} == {
        (m, v) for m in ("purchase", "spend") for v in results.versions
    }
    for effect in effects:
        assert f"{effect.delivery_rate:.1%}" in text
        if effect.metric == results.primary_metric:
            assert " ".join(effect.sentence.split()) in text
    assert "Effect on delivered recipients" in text
    assert "Secondary: the verdict above is judged on everyone assigned" in text
