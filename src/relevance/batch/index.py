"""The batch's index: a page for people (index.html) and a file for machines (index.json)."""

from __future__ import annotations

import json
from pathlib import Path

from relevance import __version__
from relevance.batch.outcome import Batch, Outcome, first_line
from relevance.batch.schedule import PORTFOLIO_PAGE
from relevance.io.outputs import write_text_atomic
from relevance.language import day, when
from relevance.report.html import TEMPLATES
from relevance.report.style import esc

INDEX_CSS = """
.index-head { margin-bottom: 12px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; padding: 0; list-style: none; }
.summary li { border: 1px solid var(--line); border-radius: 8px; padding: 4px 10px; font-size: 0.9rem; }
.cards.campaigns { margin-top: 16px; }
.card h2 { font-size: 1.1rem; margin: 0; padding: 0; border: 0; overflow-wrap: anywhere; }
.card h2 a { color: inherit; }
.card .card-headline { font-size: 1.05rem; font-weight: 650; line-height: 1.35; margin: 8px 0 4px; }
.card .net-value { margin: 4px 0; }
.card .net-value.none { font-weight: 400; color: var(--muted); font-size: 0.875rem; }
.card .card-description { margin: 4px 0; font-size: 0.875rem; color: var(--muted); }
.card.failed { border-left-color: var(--harmful); background: #fff8f3; }
.card .versions { list-style: none; padding: 0; margin: 8px 0 0; font-size: 0.9rem; }
.card .versions li { margin: 4px 0; }
.badge.small { font-size: 0.75rem; padding: 1px 8px; margin-right: 6px; }
.badge.failed { background: var(--harmful); } .badge.stale { background: var(--muted); }
pre.error-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.82rem; margin: 8px 0 0;
  background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.portfolio { margin: 16px 0; }
.portfolio-link { font-size: 1.05rem; font-weight: 600; margin-bottom: 4px; }
.changes { margin: 16px 0; } .changes h2 { margin-top: 16px; } .changes li { margin: 6px 0; }
"""


def _failed_card(outcome: Outcome, out: Path) -> str:
    last_good = out / outcome.name / "report.html"
    previous = (
        f'<p class="meta"><a href="{esc(outcome.name)}/report.html">last good report</a> '
        "(from before this failure)</p>"
        if last_good.is_file()
        else ""
    )
    kind = "bad input" if outcome.exit_code == 2 else "run failed"
    return (
        f'<article class="card failed"><div class="card-head"><h2>{esc(outcome.name)}</h2>'
        f'<span class="badge failed">failed: {esc(kind)}</span></div>'
        f'<p class="meta">{esc(Path(outcome.file).name)} · exit code {outcome.exit_code}</p>'
        f'<pre class="error-text">{esc(outcome.error or "")}</pre>{previous}</article>'
    )


def _dates(outcome: Outcome) -> str:
    """'sent 10 March 2026 · analysed 2 November 2026, 06:00 UTC'."""
    sent = f"sent {day(outcome.sent_on)} · " if outcome.sent_on else ""
    return f"{sent}analysed {when(outcome.created_at)}"


def _campaign_card(outcome: Outcome, out: Path) -> str:
    if outcome.failed:
        return _failed_card(outcome, out)
    versions = "".join(
        f'<li><span class="badge small {esc(v.badge)}">{esc(v.verdict)}</span>{esc(v.sentence)}</li>'
        for v in outcome.versions
    )
    notes = []
    if outcome.reliable is False:
        notes.append('<p class="warning">The sampler did not converge: not reliable yet.</p>')
    if outcome.profile == "quick":
        notes.append('<p class="meta">Quick run (fewer draws): a fast look, not a decision.</p>')
    status = "unchanged since the last report" if outcome.status == "skipped" else "new report"
    warnings = f"{outcome.warnings} warning{'s' if outcome.warnings != 1 else ''}"
    value_class = "net-value" if outcome.net_value is not None else "net-value none"
    description = (
        f'<p class="card-description">{esc(outcome.description)}</p>' if outcome.description else ""
    )
    return (
        f'<article class="card {esc(outcome.badge)}"><div class="card-head">'
        f'<h2><a href="{esc(outcome.report)}">{esc(outcome.name)}</a></h2>'
        f'<span class="badge {esc(outcome.badge)}">{esc(outcome.verdict)}</span></div>'
        f'<p class="card-headline">{esc(outcome.headline)}</p>'
        f'<p class="{value_class}">{esc(outcome.net_value_text)}</p>{description}'
        f'<p class="meta">{esc(_dates(outcome))} · {esc(warnings)} · {esc(status)}</p>'
        + "".join(notes)
        + f'<ul class="versions">{versions}</ul>'
        f'<p class="meta"><a href="{esc(outcome.report)}">open the report</a></p></article>'
    )


def _portfolio(batch: Batch) -> str:
    """The link to the portfolio page with its headline and what it pools, or its failure."""
    outcome = batch.portfolio
    if outcome is None:
        return ""
    if outcome.status == "failed":
        return (
            '<p class="warning">The portfolio meta-analysis failed: '
            f"{esc(first_line(outcome.error or ''))}</p>"
        )
    parts = [
        f'<p class="portfolio-link"><a href="{PORTFOLIO_PAGE}">Across all campaigns: '
        "the portfolio meta-analysis</a></p>"
    ]
    parts += [f"<p>{esc(text)}</p>" for text in (outcome.headline, outcome.description) if text]
    return f'<section class="portfolio">{"".join(parts)}</section>'


def render_index(batch: Batch) -> str:
    """The index page: one card per campaign, verdict first; self-contained, no scripts."""
    css = (TEMPLATES / "relevance" / "report.css").read_text(encoding="utf-8")
    rows = batch.outcomes
    worth = [o for o in rows if o.send and not o.failed]
    failed = [o for o in rows if o.failed]
    order = {"beats": 0, "inconclusive": 1, "irrelevant": 2, "harmful": 3}
    cards = sorted(
        (o for o in rows if not o.failed), key=lambda o: (order.get(o.badge or "", 9), o.name)
    )
    summary = [
        f"{len(rows)} campaign{'s' if len(rows) != 1 else ''}",
        f"{len(worth)} worth sending",
        f"{sum(1 for o in rows if o.status == 'skipped')} unchanged",
        f"{len(failed)} failed",
    ]
    failed_section = (
        "<h2>Failed</h2><p>These experiments could not be analysed this time; fix them and "
        'run again. Any report from an earlier good run is kept.</p><div class="cards campaigns">'
        + "".join(_campaign_card(o, batch.out) for o in failed)
        + "</div>"
        if failed
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Campaign reports</title>"
        f"<style>\n{css}\n{INDEX_CSS}</style></head>"
        '<body class="relevance-report"><main>'
        '<header class="index-head"><h1>Campaign reports</h1>'
        '<p class="description">Does each campaign\'s email beat sending nothing? '
        "Verdicts first; open a campaign for its full report.</p>"
        f'<ul class="summary">{"".join(f"<li>{esc(s)}</li>" for s in summary)}</ul>'
        f'<p class="meta">generated {esc(when(batch.generated_at))} · relevance {esc(__version__)}'
        f"{' · profile ' + esc(batch.profile) if batch.profile else ''}</p></header>"
        f"{_portfolio(batch)}{batch.changes_html}"
        f'<div class="cards campaigns">{"".join(_campaign_card(o, batch.out) for o in cards)}</div>'
        f"{failed_section}</main></body></html>\n"
    )


def write_index(batch: Batch) -> tuple[Path, Path]:
    """Write `index.html` and `index.json` into the output folder, each atomically."""
    page = write_text_atomic(batch.out / "index.html", render_index(batch))
    data = write_text_atomic(
        batch.out / "index.json", json.dumps(batch.to_dict(), indent=2, ensure_ascii=False) + "\n"
    )
    return page, data
