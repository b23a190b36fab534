"""The index page: each campaign's verdict headline, its net value, dates people read, escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import WIDTHS, audit
from handmade_batch import CAMPAIGNS, LONG_NAME
from relevance.batch.index import INDEX_CSS, render_index, write_index
from relevance.batch.outcome import Batch, Outcome, Status, net_value_summary
from relevance.results import Results

SPRING, SUMMER, AUTUMN = CAMPAIGNS
PORTFOLIO_HEADLINE = "Across 3 campaigns, each counted once, sending gives +2.4 purchases."
POOLED = "Each campaign counts once: the version it sends."


def outcome(results: Results, status: Status = "ok") -> Outcome:
    """A campaign's outcome as the batch records it, filled from its results."""
    name = results.experiment
    found = Outcome(f"experiments/{name}.yaml", name, status, 0, 12.0, report=f"{name}/report.html")
    return found.with_results(results)


def batch(folder: Path) -> Batch:
    """Three hand-made campaigns, a failed one and the portfolio, as run-all would list them."""
    failed = Outcome(
        "experiments/broken.yaml", "broken", "failed", 2, 0.1, error="broken.yaml: <bad> key"
    )
    portfolio = Outcome(
        "(portfolio)",
        "portfolio",
        "ok",
        0,
        8.0,
        headline=PORTFOLIO_HEADLINE,
        description=POOLED,
        report="portfolio.html",
    )
    outcomes = [outcome(SPRING), outcome(SUMMER, "skipped"), outcome(AUTUMN), failed]
    return Batch(folder, folder, outcomes, 20.0, 1, None, portfolio=portfolio)


def test_net_value_of_the_version_sent() -> None:
    value, text = net_value_summary(SPRING)
    assert value == 20.0
    assert text == (
        "Net value of sending Version B: +$20.0 per 1,000 recipients (95%: $15.0 to $25.0)."
    )


def test_net_value_when_nothing_is_sent_or_none_is_configured() -> None:
    value, text = net_value_summary(SUMMER)
    assert value is None
    assert text.startswith("Net value: nothing is sent. The best version, Version A, would ")
    assert "−$3.50 per 1,000 recipients" in text
    value, text = net_value_summary(AUTUMN)
    assert value is None and text.startswith("No net value configured")


def test_outcome_and_index_json_carry_the_net_value_and_send_date(tmp_path: Path) -> None:
    found = outcome(SPRING)
    assert (found.net_value, found.currency, found.sent_on) == (20.0, "$", "2026-03-10")
    _, data_path = write_index(batch(tmp_path))
    data = json.loads(data_path.read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.1"
    listed = {c["name"]: c for c in data["campaigns"]}
    assert listed["spring-sale"]["net_value"] == 20.0
    assert listed["autumn-reminder"]["net_value"] is None
    assert listed["autumn-reminder"]["net_value_text"].startswith("No net value configured")


def test_cards_lead_with_the_verdict_and_keep_the_description_quiet(tmp_path: Path) -> None:
    page = render_index(batch(tmp_path))
    spring = page[page.index(">spring-sale</a>") :]
    headline = spring.index('class="card-headline">Send Version B: it beats sending nothing.')
    value = spring.index('class="net-value">Net value of sending Version B: +$20.0')
    description = spring.index('class="card-description">')
    assert headline < value < description
    rules = dict(re.findall(r"\.card \.(card-headline|card-description) \{([^}]*)\}", INDEX_CSS))
    size = {k: float(re.search(r"font-size: ([\d.]+)rem", v).group(1)) for k, v in rules.items()}  # type: ignore[union-attr]
    assert size["card-description"] < size["card-headline"]
    assert size["card-description"] * 16 >= 11  # never below 11 CSS pixels
    assert "font-weight: 650" in rules["card-headline"]


def test_dates_are_written_for_people_and_everything_is_escaped(tmp_path: Path) -> None:
    page = render_index(batch(tmp_path))
    assert "sent 10 March 2026 · analysed 2 November 2026, 06:00 UTC" in page
    assert "2026-11-02" not in page and "T06:00" not in page
    assert "Spring &lt;b&gt;sale&lt;/b&gt; &amp; &quot;more&quot;" in page
    assert "<b>sale" not in page and "&lt;bad&gt;" in page and "<bad>" not in page
    assert PORTFOLIO_HEADLINE in page and POOLED in page
    hostile = outcome(SPRING.model_copy(update={"currency": "<i>"}))
    assert "<i>" not in render_index(Batch(tmp_path, tmp_path, [hostile], 1.0, 1, None))


@pytest.mark.parametrize("width", list(WIDTHS))
def test_index_page_reads_well(tmp_path: Path, width: str) -> None:
    page, _ = write_index(batch(tmp_path))
    seen = audit(page, *WIDTHS[width])
    seen.assert_readable()
    text = seen.visible_text
    for results in CAMPAIGNS:
        assert results.campaign.headline in text
        assert net_value_summary(results)[1] in text
    assert LONG_NAME in text and "broken" in text
    assert PORTFOLIO_HEADLINE in text and POOLED in text
    assert "sent 10 March 2026" in text
