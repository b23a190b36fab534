"""The portfolio's inputs: one estimate per campaign (the version it sends, else its best),
read from its results.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from relevance.errors import DataError
from relevance.language import version_label
from relevance.results import Results, Verdict


@dataclass(frozen=True)
class CampaignEstimate:
    """A campaign version's primary-metric uplift against its holdout, better is positive.

    `benefit_mean` and `benefit_sd` are per recipient (0.003 = 3 per 1,000 recipients).
    """

    campaign: str
    version: str
    metric: str
    metric_label: str
    kind: str
    direction: str
    benefit_mean: float
    benefit_sd: float
    rope: float
    verdict: Verdict
    sentence: str
    created_at: str  # when it was sent (`sent_on`), else when it was analysed
    recipients: int
    sent: bool = True  # the campaign sends this version (False: its best, though it sends none)
    dated_by: Literal["sent", "analysed"] = "analysed"  # what `created_at` is the date of

    @property
    def label(self) -> str:
        """'weekly-promo · Version B'."""
        return f"{self.campaign} · {version_label(self.version)}"

    @property
    def date(self) -> datetime:
        """When the campaign was sent (`sent_on`), else when it was analysed; in UTC."""
        return _parse_date(self.created_at)


def _parse_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def pooled_version(results: Results) -> str:
    """The version a campaign contributes to the portfolio: the one it sends, else (when it
    sends none) its best version by the primary metric's posterior mean benefit."""
    if results.campaign.send:
        return results.campaign.send
    sign = -1.0 if results.primary.direction == "decrease" else 1.0
    return max(
        results.versions, key=lambda v: sign * results.uplift(results.primary_metric, v).uplift_mean
    )


def estimates_from(results: Results, every_version: bool = False) -> list[CampaignEstimate]:
    """A campaign's estimate on its primary metric, overall: the version it sends (or its best),
    or, with `every_version`, one per version."""
    metric = results.primary
    sign = -1.0 if metric.direction == "decrease" else 1.0
    rows = []
    versions = results.versions if every_version else [pooled_version(results)]
    for version in versions:
        uplift = results.uplift(results.primary_metric, version)
        verdict = results.verdict(version)
        rows.append(
            CampaignEstimate(
                campaign=results.experiment,
                version=version,
                metric=results.primary_metric,
                metric_label=metric.display,
                kind=metric.kind,
                direction=metric.direction,
                benefit_mean=sign * uplift.uplift_mean,
                benefit_sd=uplift.uplift_sd,
                rope=metric.rope,
                verdict=verdict.verdict,
                sentence=verdict.sentence,
                created_at=results.sent_on.isoformat()
                if results.sent_on
                else results.run.created_at,
                recipients=uplift.recipients,
                sent=version == results.campaign.send,
                dated_by="sent" if results.sent_on else "analysed",
            )
        )
    return rows


def read_campaigns(
    reports_dir: Path | str, campaigns: Iterable[str] | None = None
) -> list[Results]:
    """The `results.json` of the named campaign folders (or of every folder that has one)."""
    root = Path(reports_dir)
    if campaigns:
        folders = [root / name for name in campaigns]
    else:
        found = root.glob("*/results.json")  # not hidden folders: runs still in progress
        folders = sorted(p.parent for p in found if not p.parent.name.startswith("."))
    campaigns_read = []
    for folder in folders:
        path = folder / "results.json"
        if not path.is_file():
            raise DataError(path, None, "no results.json", "run the campaign first (relevance run)")
        campaigns_read.append(Results.read(path))
    return campaigns_read


def comparable(
    results: list[Results],
) -> tuple[list[CampaignEstimate], list[tuple[str, str]]]:
    """Estimates of the campaigns sharing the most common primary metric, and who is left out.

    Returns the pooled estimates and (campaign, reason) for campaigns measured on another
    metric: purchases and revenue per recipient cannot be pooled.
    """
    keys = Counter((r.primary_metric, _kind(r)) for r in results)
    if not keys:
        return [], []
    chosen = sorted(keys.items(), key=lambda item: (-item[1], item[0]))[0][0]
    pooled, left_out = [], []
    for r in results:
        if not r.estimable(r.primary_metric):
            left_out.append((r.experiment, "its primary metric could not be estimated"))
        elif (r.primary_metric, _kind(r)) == chosen:
            pooled.extend(estimates_from(r))
        else:
            left_out.append(
                (r.experiment, f"primary metric {r.primary_metric!r}, not {chosen[0]!r}")
            )
    return pooled, left_out


def _kind(results: Results) -> str:
    return results.primary.kind
