"""Three hand-made campaigns on disk, as `relevance run-all` leaves them, for page tests.

Not a test module: ``from handmade_batch import CAMPAIGNS, skipped_batch``. Each campaign's
results.json is made by hand (from :mod:`handmade`) with its fingerprint beside it, so that
`relevance run-all` skips every campaign (no model is fitted) and only the portfolio
meta-analysis and the index are computed for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from handmade import results_data
from minimal_results import PURCHASE
from relevance.batch.schedule import FINGERPRINT_FILE, experiment_fingerprint
from relevance.language import version_label
from relevance.results import Results, Verdict

LONG_NAME = "summer-newsletter-with-a-rather-long-campaign-name"

SENTENCES = {
    Verdict.BEATS: "Sending {who} is very likely better than sending nothing.",
    Verdict.IRRELEVANT: "{who} is practically the same as sending nothing.",
    Verdict.HARMFUL: "Sending {who} is very likely worse than sending nothing.",
    Verdict.INCONCLUSIVE: "We cannot tell yet whether {who} beats sending nothing.",
}


def campaign(
    name: str,
    *,
    send: str | None,
    headline: str,
    purchase: dict[str, tuple[float, float]],
    verdicts: dict[str, Verdict],
    net: dict[str, float] | None = None,
    sent_on: str | None = None,
    description: str = "",
) -> Results:
    """A hand-made campaign: purchase uplift (mean, sd) and verdict per version, net values."""
    data: dict[str, Any] = results_data()
    data.update(experiment=name, description=description, sent_on=sent_on)
    for row in data["uplifts"]:
        if row["metric"] == "purchase" and row["segment_column"] == "overall":
            mean, sd = purchase[row["version"]]
            row.update(
                uplift_mean=mean,
                uplift_low=mean - 1.96 * sd,
                uplift_high=mean + 1.96 * sd,
                uplift_sd=sd,
                version_mean=0.03 + mean,
                relative_mean=mean / 0.03,
                verdict=verdicts[row["version"]].value,
            )
    for card in data["verdicts"]:
        verdict = verdicts[card["version"]]
        card["verdict"] = verdict.value
        card["sentence"] = SENTENCES[verdict].format(who=version_label(card["version"]))
    data["campaign"] = {"send": send, "headline": headline, "reliable": True}
    data["net_value"] = [
        {
            "version": version,
            "mean": mean,
            "low": mean - 5,
            "high": mean + 5,
            "p_positive": 0.9 if mean > 0 else 0.2,
            "sentence": f"{version_label(version)} is worth about ${mean:.2f} per 1,000.",
        }
        for version, mean in (net or {}).items()
    ]
    if net is None:
        data["currency"] = ""
    return Results.model_validate(data)


CAMPAIGNS = [
    campaign(
        "spring-sale",
        send="B",
        headline="Send Version B: it beats sending nothing.",
        purchase={"A": (0.0002, 0.0007), "B": (0.0042, 0.0011)},
        verdicts={"A": Verdict.IRRELEVANT, "B": Verdict.BEATS},
        net={"A": 1.5, "B": 20.0},
        sent_on="2026-03-10",
        description='Spring <b>sale</b> & "more": 20% off everything',
    ),
    campaign(
        LONG_NAME,
        send=None,
        headline="No version beats sending nothing (Version A: inconclusive; Version B: "
        "irrelevant).",
        purchase={"A": (0.0009, 0.0009), "B": (0.0001, 0.0008)},
        verdicts={"A": Verdict.INCONCLUSIVE, "B": Verdict.IRRELEVANT},
        net={"A": -3.5, "B": -6.0},
        sent_on="2026-06-20",
        description="The monthly newsletter, with the summer offers.",
    ),
    campaign(
        "autumn-reminder",
        send="A",
        headline="Send Version A: it beats sending nothing.",
        purchase={"A": (0.003, 0.001), "B": (0.001, 0.001)},
        verdicts={"A": Verdict.BEATS, "B": Verdict.INCONCLUSIVE},
        net=None,
    ),
]


def experiment_file(folder: Path, name: str) -> Path:
    """A small experiment YAML named `name` (simulated data: fingerprinting reads no rows)."""
    content = {
        "name": name,
        "data": {"simulate": {"preset": "demo", "recipients": 20_000, "seed": 1}},
        "arms": {"holdout": "holdout", "versions": ["A", "B"]},
        "metrics": [PURCHASE],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def skipped_batch(root: Path, campaigns: list[Results] = CAMPAIGNS) -> tuple[Path, Path]:
    """Experiments in ROOT/experiments and their reports in ROOT/reports, all up to date:
    `relevance run-all ROOT/experiments --out ROOT/reports` skips every one of them."""
    folder, out = root / "experiments", root / "reports"
    for results in campaigns:
        path = experiment_file(folder, results.experiment)
        _, fingerprint = experiment_fingerprint(path, None)
        report = out / results.experiment
        report.mkdir(parents=True, exist_ok=True)
        (report / "results.json").write_text(results.to_json() + "\n", encoding="utf-8")
        (report / "report.html").write_text("<html></html>\n", encoding="utf-8")
        (report / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    return folder, out
