"""The portfolio's inputs: one estimate per campaign version, read from its results.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
    created_at: str
    recipients: int

    @property
    def label(self) -> str:
        """'weekly-promo · Version B'."""
        return f"{self.campaign} · {version_label(self.version)}"

    @property
    def date(self) -> datetime:
        """When the campaign was analysed (`run.created_at`), in UTC."""
        return _parse_date(self.created_at)


def _parse_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def estimates_from(results: Results) -> list[CampaignEstimate]:
    """One estimate per version of a campaign, on its primary metric, overall."""
    metric = results.primary
    sign = -1.0 if metric.direction == "decrease" else 1.0
    rows = []
    for version in results.versions:
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
                created_at=results.run.created_at,
                recipients=uplift.recipients,
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
