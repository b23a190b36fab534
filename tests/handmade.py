"""A small `Results` made by hand, for tests of what reads results (language, figures, pages).

Not a test module: imported as ``from handmade import results_data, handmade_results``. The
numbers are chosen so that every printed value is known exactly.
"""

from __future__ import annotations

import copy
from typing import Any

from relevance.results import Results, Verdict

PURCHASE = {
    "name": "purchase",
    "kind": "binary",
    "column": "purchased",
    "primary": True,
    "direction": "increase",
    "guardrail": False,
    "rope": 0.001,
    "value": None,
    "label": "purchases",
}
REVENUE = {
    "name": "revenue",
    "kind": "revenue",
    "column": "revenue",
    "primary": False,
    "direction": "increase",
    "guardrail": False,
    "rope": 0.05,
    "value": 0.3,
    "label": "sales",
}
UNSUBSCRIBE = {
    "name": "unsubscribe",
    "kind": "binary",
    "column": "unsubscribed",
    "primary": False,
    "direction": "decrease",
    "guardrail": True,
    "rope": 0.002,
    "value": -8.0,
    "label": "unsubscribes",
}
LEVELS = ("new", "loyal")

# Overall uplift per (metric, version): mean, low, high, P(beats holdout), P(worse beyond ROPE).
OVERALL: dict[tuple[str, str], tuple[float, float, float, float, float]] = {
    ("purchase", "A"): (0.0002, -0.0011, 0.0015, 0.62, 0.02),
    ("purchase", "B"): (0.0042, 0.0021, 0.0063, 0.998, 0.0),
    ("revenue", "A"): (0.01, -0.0856, 0.12, 0.58, 0.1),
    ("revenue", "B"): (0.35, 0.12, 0.58, 0.999, 0.0),
    ("unsubscribe", "A"): (0.0001, -0.0004, 0.0006, 0.4, 0.0),
    ("unsubscribe", "B"): (0.0031, 0.0024, 0.0038, 0.001, 0.97),
}
VERDICTS = {"A": Verdict.IRRELEVANT, "B": Verdict.BEATS}


def uplift_row(
    metric: str, version: str, column: str = "overall", level: str = "all", shift: float = 0.0
) -> dict[str, Any]:
    """One uplift record; segment rows shift the overall numbers by `shift`."""
    mean, low, high, p_beats, p_worse = OVERALL[(metric, version)]
    verdict = VERDICTS[version] if metric == "purchase" else Verdict.INCONCLUSIVE
    if metric == "unsubscribe" and version == "B":
        verdict = Verdict.HARMFUL
    return {
        "metric": metric,
        "version": version,
        "segment_column": column,
        "segment_level": level,
        "recipients": 40_000 if column == "overall" else 20_000,
        "holdout_mean": 0.03,
        "version_mean": 0.03 + mean + shift,
        "uplift_mean": mean + shift,
        "uplift_low": low + shift,
        "uplift_high": high + shift,
        "uplift_sd": (high - low) / 3.92,
        "relative_mean": (mean + shift) / 0.03,
        "relative_low": low / 0.03,
        "relative_high": high / 0.03,
        "p_beats_holdout": p_beats,
        "p_better_beyond_rope": p_beats * 0.8,
        "p_inside_rope": 0.1,
        "p_worse_beyond_rope": p_worse,
        "expected_loss": 0.0001,
        "verdict": verdict.value,
    }


def fatigue_curve(version: str) -> dict[str, Any]:
    """A fatigue curve over buckets 0, 1, 2, 3+ that stops paying from 3+ (for B)."""
    pays = [12.0, 8.0, 3.0, -2.0] if version == "B" else [1.0, 0.5, -0.5, -1.0]
    return {
        "version": version,
        "column": "emails_prior_7d",
        "measure": "net value",
        "points": [
            {
                "bucket": bucket,
                "recipients": 10_000,
                "uplift_mean": value / 2000,
                "uplift_low": value / 2000 - 0.002,
                "uplift_high": value / 2000 + 0.002,
                "p_beats_holdout": 0.7,
                "pays_mean": value,
                "pays_low": value - 4,
                "pays_high": value + 4,
                "p_pays": 0.6,
            }
            for bucket, value in zip(("0", "1", "2", "3+"), pays, strict=True)
        ],
        "stops_paying_from": "3+" if version == "B" else "2",
        "sentence": f"Version {version} stops paying from the third email.",
    }


def summary(mean: float, low: float, high: float) -> dict[str, float]:
    """A posterior summary record."""
    return {"mean": mean, "low": low, "high": high}


TARGETING_SENTENCE = (
    "Send Version B to new; send nothing to loyal (by lifecycle stage): +$5.50 per 1,000 "
    "recipients more than sending Version B to everyone (95%: $0.80 to $10.2; chance it is "
    "better 97%)."
)
FATIGUE_TARGETING_SENTENCE = (
    "By emails prior 7d, the best choice is the same for every group: send Version B to everyone."
)
TOTALS_SENTENCES = [
    "This campaign's Version A brought about 8.00 extra purchases (95%: −44.0 to +60.0) and "
    "$60.0 net value.",
    "This campaign's Version B brought about 168 extra purchases (95%: 84.0 to 252) and $800 "
    "net value.",
    "Rolling the recommendation out to all 200,000 customers would earn about $3,100 "
    "(95%: $800 to $5,400).",
    "Keeping 20,000 customers out of the email cost about $310 (95%: $80.0 to $540).",
]


def targeting_data() -> dict[str, Any]:
    """The best policy by lifecycle stage: B to new customers, nothing to loyal ones."""
    return {
        "column": "lifecycle_stage",
        "measure": "net value",
        "policy": [
            {
                "segment_column": "lifecycle_stage",
                "segment_level": level,
                "send": send,
                "recipients": 20_000,
                "value_per_1000": value,
            }
            for level, send, value in (("new", "B", 31.0), ("loyal", None, 0.0))
        ],
        "value_per_1000": summary(15.5, 4.0, 27.0),
        "send_all": "B",
        "send_all_value_per_1000": summary(10.0, -1.5, 21.5),
        "gain_over_send_all": summary(5.5, 0.8, 10.2),
        "p_beats_send_all": 0.97,
        "p_beats_nothing": 0.99,
        "recommended": True,
        "sentence": TARGETING_SENTENCE,
    }


def fatigue_targeting_data() -> dict[str, Any]:
    """The policy by emails already received: the same for every bucket (not recommended)."""
    return {
        "column": "emails_prior_7d",
        "measure": "net value",
        "policy": [
            {
                "segment_column": "emails_prior_7d",
                "segment_level": bucket,
                "send": "B",
                "recipients": 10_000,
                "value_per_1000": value,
            }
            for bucket, value in zip(("0", "1", "2", "3+"), (12.0, 8.0, 3.0, -2.0), strict=True)
        ],
        "value_per_1000": summary(10.0, -1.5, 21.5),
        "send_all": "B",
        "send_all_value_per_1000": summary(10.0, -1.5, 21.5),
        "gain_over_send_all": summary(0.0, 0.0, 0.0),
        "p_beats_send_all": 0.0,
        "p_beats_nothing": 0.93,
        "recommended": False,
        "sentence": FATIGUE_TARGETING_SENTENCE,
    }


def totals_data() -> dict[str, Any]:
    """Totals over 40,000 recipients per version, a 200,000 list and a 20,000 holdout."""
    return {
        "measure": "net value",
        "realised": [
            {
                "version": "A",
                "recipients": 40_000,
                "extra_primary": summary(8.0, -44.0, 60.0),
                "net_value": summary(60.0, -140.0, 260.0),
            },
            {
                "version": "B",
                "recipients": 40_000,
                "extra_primary": summary(168.0, 84.0, 252.0),
                "net_value": summary(800.0, 400.0, 1200.0),
            },
        ],
        "list_size": 200_000,
        "rollout": summary(3100.0, 800.0, 5400.0),
        "holdout_recipients": 20_000,
        "holdout_cost": summary(310.0, 80.0, 540.0),
        "sentences": list(TOTALS_SENTENCES),
    }


def results_data() -> dict[str, Any]:
    """A valid results.json as a plain dict: versions A and B, three metrics, one segment.

    Version B beats sending nothing on purchases but harms unsubscribes; A is irrelevant.
    Net value, comparisons, model checks, findings, fatigue curves, targeting (B to new
    customers, nothing to loyal ones) and totals are all present; no title or send date.
    """
    versions = ["A", "B"]
    uplifts = []
    for metric in ("purchase", "revenue", "unsubscribe"):
        for version in versions:
            uplifts.append(uplift_row(metric, version))
            for shift, level in zip((0.0005, -0.0005), LEVELS, strict=True):
                uplifts.append(uplift_row(metric, version, "lifecycle_stage", level, shift))
    cards = [
        {
            "version": "A",
            "verdict": Verdict.IRRELEVANT.value,
            "sentence": "Version A is practically the same as sending nothing.",
            "reasons": ["primary: irrelevant", "A second reason for A."],
            "p_beats_holdout": 0.62,
            "extra_recipients_needed": None,
        },
        {
            "version": "B",
            "verdict": Verdict.BEATS.value,
            "sentence": "Sending Version B is very likely better than sending nothing.",
            "reasons": ["primary: beats"],
            "p_beats_holdout": 0.998,
            "extra_recipients_needed": None,
        },
    ]
    return {
        "schema_version": "1.2",
        "experiment": "spring-sale",
        "description": "A hand-made campaign.",
        "holdout": "holdout",
        "versions": versions,
        "primary_metric": "purchase",
        "metrics": [copy.deepcopy(PURCHASE), copy.deepcopy(REVENUE), copy.deepcopy(UNSUBSCRIBE)],
        "segments": ["lifecycle_stage"],
        "interval": 0.95,
        "probability": 0.95,
        "currency": "$",
        "run": {
            "created_at": "2026-11-02T06:00:00+00:00",
            "package_version": "0.1.0",
            "git_commit": "abc1234",
            "seed": 7,
            "draws": 300,
            "tune": 300,
            "chains": 2,
            "profile": "quick",
            "data_fingerprint": "d" * 16,
            "cells_fingerprint": "c" * 16,
            "recipients": 100_000,
            "seconds": {"config": 0.01, "sample": 1.5},
        },
        "findings": [
            {
                "check": "sample_ratio",
                "severity": "warning",
                "message": "The arms are not in the planned ratio.",
                "details": {"p": 0.0001},
            },
            {"check": "note", "severity": "info", "message": "All rows were read.", "details": {}},
        ],
        "diagnostics": {
            "reliable": True,
            "max_r_hat": 1.003,
            "min_ess_bulk": 512.0,
            "min_ess_tail": 480.0,
            "divergences": 0,
            "draws": 300,
            "chains": 2,
            "target_accept": 0.95,
            "problems": [],
            "thresholds": {"max_r_hat": 1.01, "min_ess": 400.0, "max_divergences": 0.0},
        },
        "campaign": {
            "send": "B",
            "headline": "Send Version B: it beats sending nothing.",
            "reliable": True,
        },
        "verdicts": cards,
        "uplifts": uplifts,
        "net_value": [
            {
                "version": v,
                "mean": mean,
                "low": mean - 5,
                "high": mean + 5,
                "p_positive": 0.9,
                "sentence": f"Version {v} gains about ${mean:.1f} per 1,000 recipients.",
            }
            for v, mean in (("A", 1.5), ("B", 20.0))
        ],
        "comparisons": [
            {
                "metric": "purchase",
                "version_a": "B",
                "version_b": "A",
                "difference_mean": 0.004,
                "difference_low": 0.002,
                "difference_high": 0.006,
                "p_a_better": 0.999,
                "expected_loss_choosing_a": 0.0,
            }
        ],
        "model_checks": [
            {
                "metric": "purchase",
                "arm": arm,
                "observed_mean": 0.03,
                "predicted_mean": 0.0301,
                "predicted_low": 0.029,
                "predicted_high": 0.031,
                "consistent": True,
            }
            for arm in ("holdout", *versions)
        ],
        "fatigue": [fatigue_curve(v) for v in versions],
        "targeting": targeting_data(),
        "targeting_by_column": [targeting_data(), fatigue_targeting_data()],
        "totals": totals_data(),
        "priors": {"intercept_sd": 3.0, "effect_sd": 2.5},
    }


def handmade_results(**changes: Any) -> Results:
    """:func:`results_data` validated as `Results`, with top-level keys replaced by `changes`."""
    data = results_data()
    data.update(changes)
    return Results.model_validate(data)
