"""A minimal but valid results.json as a dict, for tests that need finished campaigns.

Not a test module: ``from minimal_results import results_dict``.
"""

from __future__ import annotations

from relevance.results import Uplift, Verdict

# The primary metric most test campaigns use, as written in an experiment file.
PURCHASE = {
    "name": "purchase",
    "label": "purchases",
    "kind": "binary",
    "column": "purchased",
    "primary": True,
    "rope": 0.001,
}

# A guardrail most always-on tests use: unsubscribes, harm beyond 2 per 1,000.
UNSUBSCRIBE = {
    "name": "unsubscribe",
    "label": "unsubscribes",
    "kind": "binary",
    "column": "unsubscribed",
    "direction": "decrease",
    "guardrail": True,
    "rope": 0.002,
}


def overall_uplift(version: str, mean: float, sd: float, **changes: object) -> Uplift:
    """An overall purchase uplift (holdout rate 3%) with a 95% interval of mean ± 1.96 sd;
    probabilities and verdict as `changes` give them (only what a test reads matters)."""
    record: dict[str, object] = {
        "metric": "purchase",
        "version": version,
        "segment_column": "overall",
        "segment_level": "all",
        "recipients": 20_000,
        "holdout_mean": 0.03,
        "version_mean": 0.03 + mean,
        "uplift_mean": mean,
        "uplift_low": mean - 1.96 * sd,
        "uplift_high": mean + 1.96 * sd,
        "uplift_sd": sd,
        "relative_mean": None,
        "relative_low": None,
        "relative_high": None,
        "p_beats_holdout": 0.9,
        "p_better_beyond_rope": 0.5,
        "p_inside_rope": 0.4,
        "p_worse_beyond_rope": 0.1,
        "expected_loss": 0.0,
        "verdict": Verdict.INCONCLUSIVE,
    }
    return Uplift.model_validate({**record, **changes})


def results_dict(
    name: str,
    uplifts: dict[str, tuple[float, float]],
    verdicts: dict[str, Verdict] | None = None,
    created_at: str = "2026-11-02T06:00:00+00:00",
    rope: float = 0.001,
    description: str = "",
) -> dict[str, object]:
    """A minimal but valid results.json: a primary purchase metric, overall uplift per version."""
    verdicts = verdicts or {}
    versions = list(uplifts)
    rows, cards = [], []
    for version, (mean, sd) in uplifts.items():
        verdict = verdicts.get(version, Verdict.INCONCLUSIVE)
        rows.append(
            {
                "metric": "purchase",
                "version": version,
                "segment_column": "overall",
                "segment_level": "all",
                "recipients": 40_000,
                "holdout_mean": 0.03,
                "version_mean": 0.03 + mean,
                "uplift_mean": mean,
                "uplift_low": mean - 1.96 * sd,
                "uplift_high": mean + 1.96 * sd,
                "uplift_sd": sd,
                "relative_mean": mean / 0.03,
                "relative_low": None,
                "relative_high": None,
                "p_beats_holdout": 0.5,
                "p_better_beyond_rope": 0.3,
                "p_inside_rope": 0.4,
                "p_worse_beyond_rope": 0.3,
                "expected_loss": 0.001,
                "verdict": verdict.value,
            }
        )
        cards.append(
            {
                "version": version,
                "verdict": verdict.value,
                "sentence": f"{name} {version} is {verdict.value}.",
                "reasons": [],
                "p_beats_holdout": 0.5,
            }
        )
    return {
        "experiment": name,
        "description": description,
        "holdout": "holdout",
        "versions": versions,
        "primary_metric": "purchase",
        "metrics": [
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "direction": "increase",
                "guardrail": False,
                "rope": rope,
                "value": None,
                "label": "purchases",
            }
        ],
        "segments": [],
        "interval": 0.95,
        "probability": 0.95,
        "run": {
            "created_at": created_at,
            "package_version": "0.1.0",
            "git_commit": None,
            "seed": 1,
            "draws": 300,
            "tune": 300,
            "chains": 2,
            "profile": "quick",
            "data_fingerprint": "0" * 16,
            "cells_fingerprint": "0" * 16,
            "recipients": 100_000,
        },
        "findings": [],
        "diagnostics": {
            "reliable": True,
            "max_r_hat": 1.0,
            "min_ess_bulk": 500.0,
            "min_ess_tail": 500.0,
            "divergences": 0,
            "draws": 300,
            "chains": 2,
            "problems": [],
            "thresholds": {"max_r_hat": 1.01, "min_ess": 400, "max_divergences": 0},
        },
        "campaign": {
            "send": None,
            "headline": "No version beats sending nothing.",
            "reliable": True,
        },
        "verdicts": cards,
        "uplifts": rows,
        "net_value": [],
        "comparisons": [],
        "model_checks": [],
        "priors": {},
    }
