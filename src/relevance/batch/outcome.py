"""What a batch came to: per experiment ok, skipped or failed, with its verdict; and in all."""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from relevance import __version__
from relevance.errors import InputError, RelevanceError
from relevance.language import money, version_label
from relevance.report.style import BADGE_CLASS
from relevance.results import Results, Severity, Verdict

Status = Literal["ok", "skipped", "failed"]
INDEX_SCHEMA_VERSION = "1.1"  # 1.1: sent_on, currency, net_value, net_value_text


@dataclass(frozen=True)
class VersionSummary:
    """One version's verdict, as the index shows it."""

    version: str
    verdict: str
    badge: str
    sentence: str


@dataclass
class Outcome:
    """One experiment in the batch: ran (ok), skipped (unchanged) or failed, and its verdict.

    `exit_code` follows the CLI: 0 ok or skipped, 2 bad input (config or data), 1 the run
    failed. Campaign facts come from the report's `results.json` (the new one, or the last
    good one for a skipped experiment).
    """

    file: str
    name: str
    status: Status
    exit_code: int
    seconds: float
    error: str | None = None
    debug: str | None = None
    description: str = ""
    created_at: str | None = None
    sent_on: str | None = None
    badge: str | None = None
    verdict: str | None = None
    headline: str | None = None
    send: str | None = None
    currency: str = ""
    net_value: float | None = None  # per 1,000 recipients of the version sent
    net_value_text: str = ""
    reliable: bool | None = None
    profile: str | None = None
    warnings: int = 0
    versions: list[VersionSummary] = field(default_factory=list)
    report: str | None = None
    fingerprint: str | None = None

    @property
    def failed(self) -> bool:
        """True when the experiment could not be analysed this time."""
        return self.status == "failed"

    @property
    def status_text(self) -> str:
        """'ok', 'skipped (unchanged)' or 'failed (bad input, exit 2): <first line>'."""
        if self.status == "skipped":
            return "skipped (unchanged)"
        if self.status == "ok":
            return "ok"
        kind = "bad input, exit 2" if self.exit_code == 2 else "run failed, exit 1"
        return f"failed ({kind}): {first_line(self.error or '')}"

    def record_failure(self, error: BaseException) -> None:
        """Mark the experiment failed with `error`: exit 2 for bad input, else 1."""
        self.status, self.exit_code = "failed", 1
        if isinstance(error, InputError):
            self.exit_code, self.error = 2, error.render()
        elif isinstance(error, RelevanceError):
            self.error = str(error)
        else:  # one we did not foresee: keep the traceback for --debug
            self.error = f"unexpected error: {type(error).__name__}: {error}"
            self.debug = traceback.format_exc()

    def with_results(self, results: Results) -> Outcome:
        """Fill in the campaign facts from its results."""
        self.description = results.description
        self.created_at = results.run.created_at
        self.sent_on = results.sent_on.isoformat() if results.sent_on else None
        verdict = campaign_badge(results)
        self.badge = BADGE_CLASS[verdict]
        self.verdict = verdict.value
        self.headline = results.campaign.headline
        self.send = results.campaign.send
        self.currency = results.currency
        self.net_value, self.net_value_text = net_value_summary(results)
        self.reliable = results.diagnostics.reliable
        self.profile = results.run.profile
        self.warnings = warning_count(results)
        self.versions = [
            VersionSummary(v.version, v.verdict.value, BADGE_CLASS[v.verdict], v.sentence)
            for v in results.verdicts
        ]
        return self


def net_value_summary(results: Results) -> tuple[float | None, str]:
    """The net value per 1,000 recipients of the version the campaign sends, and in words.

    None (with words saying why) when no values or costs are configured, or when the campaign
    sends nothing (then the words give its best version's net value).
    """
    if not results.net_value:
        return None, "No net value configured (no values or costs in the experiment)."
    currency, share = results.currency, f"{results.interval:.0%}"
    values = {v.version: v for v in results.net_value}
    send = results.campaign.send
    if send is not None and send in values:
        v = values[send]
        return v.mean, (
            f"Net value of sending {version_label(send)}: {money(v.mean, currency, signed=True)} "
            f"per 1,000 recipients ({share}: {money(v.low, currency)} to "
            f"{money(v.high, currency)})."
        )
    best = max(results.net_value, key=lambda v: v.mean)
    return None, (
        f"Net value: nothing is sent. The best version, {version_label(best.version)}, would "
        f"bring {money(best.mean, currency, signed=True)} per 1,000 recipients ({share}: "
        f"{money(best.low, currency)} to {money(best.high, currency)})."
    )


def first_line(text: str) -> str:
    """The first line of an error message that says something (not just 'file.yaml:')."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    if lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1].removeprefix('- ')}"
    return lines[0]


def campaign_badge(results: Results) -> Verdict:
    """The campaign's best option: a version beats nothing, else inconclusive, irrelevant, harmful."""
    verdicts = {v.verdict for v in results.verdicts}
    for verdict in (Verdict.BEATS, Verdict.INCONCLUSIVE, Verdict.IRRELEVANT):
        if verdict in verdicts:
            return verdict
    return Verdict.HARMFUL


def warning_count(results: Results) -> int:
    """Data-quality warnings and errors, plus sampler problems (numbers not reliable)."""
    findings = sum(1 for f in results.findings if f.severity is not Severity.INFO)
    return findings + len(results.diagnostics.problems)


@dataclass
class Batch:
    """Every experiment's outcome, the portfolio page (if any) and where the index is."""

    folder: Path
    out: Path
    outcomes: list[Outcome]
    seconds: float
    jobs: int
    profile: str | None
    portfolio: Outcome | None = None
    changes_html: str = ""  # what changed since the last run (batch.changes), for the index
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    @property
    def failed(self) -> list[Outcome]:
        """Experiments (and the portfolio page) that failed this time."""
        rows = [*self.outcomes, *([self.portfolio] if self.portfolio else [])]
        return [o for o in rows if o.failed]

    def to_dict(self) -> dict[str, object]:
        """The machine-readable index (index.json)."""
        counts = {s: sum(1 for o in self.outcomes if o.status == s) for s in ("ok", "skipped")}
        counts["failed"] = sum(1 for o in self.outcomes if o.failed)
        counts["worth_sending"] = sum(1 for o in self.outcomes if o.send and not o.failed)
        return {
            "schema_version": INDEX_SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "package_version": __version__,
            "experiments_folder": str(self.folder),
            "profile": self.profile,
            "jobs": self.jobs,
            "seconds": round(self.seconds, 1),
            "counts": counts,
            "portfolio": outcome_dict(self.portfolio) if self.portfolio else None,
            "campaigns": [outcome_dict(o) for o in self.outcomes],
        }


def outcome_dict(outcome: Outcome) -> dict[str, object]:
    """One outcome as index.json lists it (no traceback)."""
    data = asdict(outcome)
    data.pop("debug")
    data["status_text"] = outcome.status_text
    return data
