"""What changed since the last batch: verdicts first, then numbers that moved beyond their range.

Before a batch replaces any report, the previous `results.json` of every campaign it is about to
run is read; afterwards each is compared with its new one. A verdict change (a version's
verdict, or what the campaign sends) comes first; then campaigns whose net value (or, without
values, the primary metric's uplift) of some version now lies outside the range the previous
report gave. The result is `reports/changes.md` (the CI job summary) and a section of the index.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from relevance.batch.outcome import Batch, Outcome, first_line
from relevance.language import money, version_label, when
from relevance.report.style import esc
from relevance.results import PER, Results

CHANGES_FILE = "changes.md"
Kind = Literal["verdict", "moved", "new", "failed", "unchanged"]
ORDER: dict[Kind, int] = {"verdict": 0, "moved": 1, "new": 2, "failed": 3, "unchanged": 4}


@dataclass(frozen=True)
class KeyNumber:
    """One version's verdict and the number a change is judged on, per 1,000 recipients."""

    version: str
    verdict: str
    label: str  # 'net value' or 'extra purchases'
    mean: float
    low: float
    high: float
    currency: str

    def text(self) -> str:
        """'+$12.3 (range $1.0 to $23.5)', per 1,000 recipients (:meth:`named` says so)."""
        return (
            f"{money(self.mean, self.currency, signed=True)} (range "
            f"{money(self.low, self.currency)} to {money(self.high, self.currency)})"
        )

    def named(self) -> str:
        """'net value per 1,000 recipients +$12.3 (range $1.0 to $23.5)'."""
        return f"{self.label} per 1,000 recipients {self.text()}"


def key_numbers(results: Results) -> dict[str, KeyNumber]:
    """Per version: its verdict and its net value per 1,000 recipients (else the primary
    metric's uplift per 1,000)."""
    verdicts = {v.version: v.verdict.value for v in results.verdicts}
    values = {v.version: v for v in results.net_value}
    found = {}
    for version in results.versions:
        if version in values:
            value = values[version]
            number = KeyNumber(
                version,
                verdicts.get(version, "–"),
                "net value",
                value.mean,
                value.low,
                value.high,
                results.currency,
            )
        elif results.estimable(results.primary_metric):
            u = results.uplift(results.primary_metric, version)
            currency = results.primary.symbol(results.currency)
            number = KeyNumber(
                version,
                verdicts.get(version, "–"),
                f"uplift of {results.primary.display}",
                u.uplift_mean * PER,
                u.uplift_low * PER,
                u.uplift_high * PER,
                currency,
            )
        else:
            continue
        found[version] = number
    return found


@dataclass
class CampaignChange:
    """One campaign against its previous report."""

    name: str
    kind: Kind
    headline: str = ""
    previous_headline: str = ""
    verdicts: list[str] = field(default_factory=list)  # 'Version A: inconclusive → beats ...'
    moved: list[str] = field(default_factory=list)  # numbers now beyond their previous range
    numbers: list[str] = field(default_factory=list)  # key numbers now, with the previous
    error: str = ""


def compare(name: str, previous: Results | None, current: Results) -> CampaignChange:
    """The change of one campaign that ran again (or for the first time)."""
    change = CampaignChange(name, "new", headline=current.campaign.headline)
    now = key_numbers(current)
    if previous is None:
        change.numbers = [f"{version_label(v)}: {k.verdict}; {k.named()}" for v, k in now.items()]
        return change
    before = key_numbers(previous)
    change.previous_headline = previous.campaign.headline
    for version, number in now.items():
        old = before.get(version)
        if old is None:
            change.numbers.append(
                f"{version_label(version)} (new): {number.verdict}; {number.named()}"
            )
            continue
        if old.verdict != number.verdict:
            change.verdicts.append(f"{version_label(version)}: {old.verdict} → {number.verdict}")
        if old.label == number.label and not old.low <= number.mean <= old.high:
            way = "up" if number.mean > old.high else "down"
            change.moved.append(
                f"{version_label(version)}: {number.label} {way} to "
                f"{money(number.mean, number.currency, signed=True)} per 1,000 recipients, beyond "
                f"the previous range {money(old.low, old.currency)} to "
                f"{money(old.high, old.currency)} (was {money(old.mean, old.currency, signed=True)})"
            )
        change.numbers.append(f"{version_label(version)}: {number.named()}, was {old.text()}")
    if previous.campaign.send != current.campaign.send and not change.verdicts:
        change.verdicts.append(
            f"sends {_send(previous.campaign.send)} → {_send(current.campaign.send)}"
        )
    change.kind = "verdict" if change.verdicts else "moved" if change.moved else "unchanged"
    return change


def _send(version: str | None) -> str:
    return version_label(version) if version else "nothing"


def previous_results(out: Path, names: list[str]) -> dict[str, Results]:
    """The last good results of these campaigns, read before the batch replaces them (a report
    that cannot be read, e.g. from an older version, is left out: it counts as new)."""
    found = {}
    for name in names:
        try:
            found[name] = Results.read(out / name / "results.json")
        except (OSError, ValueError):
            continue
    return found


def batch_changes(batch: Batch, previous: dict[str, Results]) -> list[CampaignChange]:
    """Every campaign of the batch against its previous report, in report order."""
    changes = []
    for outcome in batch.outcomes:
        changes.append(_outcome_change(batch.out, outcome, previous))
    return sorted(changes, key=lambda c: (ORDER[c.kind], c.name))


def _outcome_change(out: Path, outcome: Outcome, previous: dict[str, Results]) -> CampaignChange:
    if outcome.failed:
        return CampaignChange(outcome.name, "failed", error=first_line(outcome.error or ""))
    if outcome.status == "skipped":
        return CampaignChange(outcome.name, "unchanged", headline=outcome.headline or "")
    try:
        current = Results.read(out / outcome.name / "results.json")
    except (OSError, ValueError) as error:
        return CampaignChange(outcome.name, "failed", error=f"results.json unreadable: {error}")
    return compare(outcome.name, previous.get(outcome.name), current)


HEADINGS: dict[Kind, str] = {
    "verdict": "Verdict changes",
    "moved": "Numbers beyond their previous range",
    "new": "New campaigns",
    "failed": "Failed this time (the last good report is kept)",
    "unchanged": "Unchanged",
}


COUNTED: dict[Kind, str] = {
    "verdict": "with a new verdict",
    "moved": "with numbers beyond their range",
    "new": "new",
    "failed": "failed",
    "unchanged": "unchanged",
}


def md(text: str) -> str:
    """Text safe in Markdown (and in the HTML GitHub renders from it)."""
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", html.escape(text, quote=False))


def changes_markdown(batch: Batch, changes: list[CampaignChange]) -> str:
    """reports/changes.md: verdict changes first, then moved numbers, new, failed, unchanged."""
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in HEADINGS}
    summary = ", ".join(f"{n} {COUNTED[k]}" for k, n in counts.items() if n)
    lines = [
        "# What changed since the last reports",
        "",
        f"{when(batch.generated_at)} · {len(changes)} campaign{'s' if len(changes) != 1 else ''}: "
        f"{summary or 'none'}.",
    ]
    for kind, heading in HEADINGS.items():
        chosen = [c for c in changes if c.kind == kind]
        if not chosen:
            continue
        lines += ["", f"## {heading}", ""]
        if kind == "unchanged":
            lines.append(", ".join(f"**{md(c.name)}**" for c in chosen))
            continue
        for c in chosen:
            lines.append(f"- **{md(c.name)}**: " + md(_summary_line(c)))
            lines += [f"  - {md(item)}" for item in _details(c)]
    return "\n".join(lines) + "\n"


def _summary_line(change: CampaignChange) -> str:
    if change.kind == "failed":
        return change.error or "failed"
    if change.kind == "verdict":
        return "; ".join(change.verdicts) + f". Now: {change.headline}"
    return change.headline


def _details(change: CampaignChange) -> list[str]:
    if change.kind == "failed":
        return []
    details = list(change.moved)
    if change.previous_headline and change.previous_headline != change.headline:
        details.append(f"was: {change.previous_headline}")
    if change.kind in ("verdict", "new"):
        details += change.numbers
    return details


def changes_html(changes: list[CampaignChange]) -> str:
    """The index page's section: verdict changes and moved numbers, then the rest in a line."""
    if not changes:
        return ""
    parts = ['<section class="changes"><h2>What changed since the last run</h2>']
    for kind, heading in HEADINGS.items():
        chosen = [c for c in changes if c.kind == kind]
        if not chosen:
            continue
        if kind == "unchanged":
            names = ", ".join(esc(c.name) for c in chosen)
            parts.append(f'<p class="meta">{esc(heading)}: {names}.</p>')
            continue
        items = "".join(
            f"<li><strong>{esc(c.name)}</strong>: {esc(_summary_line(c))}"
            + "".join(f'<br><span class="meta">{esc(d)}</span>' for d in _details(c))
            + "</li>"
            for c in chosen
        )
        parts.append(f"<h3>{esc(heading)}</h3><ul>{items}</ul>")
    return "".join(parts) + "</section>"
