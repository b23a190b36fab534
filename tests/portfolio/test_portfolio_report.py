"""The portfolio page: what it pools, its headline, charts ordered by date sent, and a reader."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text
from typer.testing import CliRunner

from browser import WIDTHS, audit
from handmade_batch import CAMPAIGNS, LONG_NAME, campaign, skipped_batch
from relevance.cli import app
from relevance.config import DiagnosticsConfig
from relevance.model.diagnostics import Diagnostics
from relevance.portfolio import figures
from relevance.portfolio.estimates import CampaignEstimate, comparable
from relevance.portfolio.meta import MetaAnalysis
from relevance.portfolio.report import PortfolioReport
from relevance.report.style import NARROW, VERDICT_COLOURS, WIDE, Size, chart_rc
from relevance.results import Results, Verdict


def fake_meta(estimates: list[CampaignEstimate], seed: int = 1) -> MetaAnalysis:
    """Posterior draws made up around each estimate (no sampling): for the page's wording."""
    rng = np.random.default_rng(seed)
    draws = 4000
    theta = np.column_stack(
        [rng.normal(e.benefit_mean, e.benefit_sd / 2, draws) for e in estimates]
    )
    diagnostics = Diagnostics(1.0, 2000.0, 2000.0, 0, 1000, 4, DiagnosticsConfig(), "mu")
    return MetaAnalysis(
        estimates=list(estimates),
        mu=theta.mean(axis=1),
        tau=np.abs(rng.normal(0.001, 0.0002, draws)),
        theta=theta,
        unit=0.001,
        diagnostics=diagnostics,
        seed=seed,
    )


def report_of(results: list[Results]) -> PortfolioReport:
    """The portfolio of these campaigns with made-up draws (no sampling)."""
    estimates, left_out = comparable(results)
    return PortfolioReport(results, estimates, left_out, fake_meta(estimates))


@pytest.fixture(scope="module")
def handmade() -> PortfolioReport:
    return report_of(CAMPAIGNS)


def drawn(make: Callable[[Size], Figure], size: Size) -> Figure:
    """A figure drawn as the page draws it: inside the canvas's matplotlib settings."""
    with matplotlib.rc_context(chart_rc(size)):
        figure = make(size)
        figure.canvas.draw()
    return figure


def test_each_campaign_counts_once_with_the_version_it_sends(handmade: PortfolioReport) -> None:
    counted = {e.campaign: (e.version, e.sent, e.dated_by) for e in handmade.estimates}
    assert counted == {
        "spring-sale": ("B", True, "sent"),
        LONG_NAME: ("A", False, "sent"),  # sends nothing: its best version
        "autumn-reminder": ("A", True, "analysed"),  # no send date given
    }
    assert handmade.pooled_sentence() == (
        "Each campaign counts once: the version it sends; Version A of campaign "
        f"{LONG_NAME}, which sends nothing, is its best version (the highest estimate of "
        "purchases)."
    )


def test_pooled_sentence_when_all_or_none_send() -> None:
    sending = [r for r in CAMPAIGNS if r.campaign.send]
    assert report_of(sending).pooled_sentence() == (
        "Each campaign counts once: the version it sends."
    )
    silent = [r.model_copy(update={"campaign": CAMPAIGNS[1].campaign}) for r in CAMPAIGNS[:2]]
    sentence = report_of(silent).pooled_sentence()
    assert sentence.startswith("Each campaign counts once. None of them sends a version")
    assert "Version B of campaign spring-sale and Version A of campaign" in sentence


def test_headline_counts_what_it_pools(handmade: PortfolioReport) -> None:
    headline = handmade.headline()
    assert handmade.campaign_count == 3 and handmade.campaigns_beating() == 2
    assert headline.startswith("Across 3 campaigns, each counted once, sending gives ")
    assert headline.endswith("in 2 of 3 campaigns the version counted beats sending nothing.")
    assert "have a version" not in headline  # no count of any version beside a pooled average
    mean = handmade.meta.programme().mean * 1000  # type: ignore[union-attr]
    assert f"+{mean:.2f} purchases per 1,000 recipients" in headline
    title = str(handmade.title())
    assert 'class="headline"' in title and 'class="pooled"' in title
    assert "Version A of campaign" in title and "analysed " in title and "UTC" in title


def test_sections_use_escaped_tables_and_human_dates(handmade: PortfolioReport) -> None:
    forest = str(handmade.forest())
    assert 'data-label="version counted"' in forest and "dataframe" not in forest
    assert "Version B (sent)" in forest and "Version A (its best; sends nothing)" in forest
    assert "sent 10 March 2026" in forest and "sent 20 June 2026" in forest
    assert "analysed 2 November 2026" in forest
    programme = str(handmade.programme())
    assert 'data-label="95% range"' in programme and "programme average" in programme
    shares = str(handmade.shares())
    assert "in <strong>2 of 3</strong> campaigns the version counted beats" in shares
    assert shares.count("<svg") == 2
    # every version of the pooled campaigns, counted or not, if it is not worth sending
    listed = str(handmade.not_worth_sending())
    assert "spring-sale · Version A" in listed and f"{LONG_NAME} · Version B" in listed


def test_trend_orders_campaigns_by_date_sent() -> None:
    # analysed in the opposite order to the one they were sent in
    late = campaign(
        "late",
        send="A",
        headline="Send Version A.",
        purchase={"A": (0.003, 0.001), "B": (0.001, 0.001)},
        verdicts={"A": Verdict.BEATS, "B": Verdict.INCONCLUSIVE},
        sent_on="2026-05-01",
    ).model_copy(update={"run": CAMPAIGNS[0].run.model_copy(update={"created_at": "2026-01-01"})})
    early = campaign(
        "early",
        send="A",
        headline="Send Version A.",
        purchase={"A": (0.002, 0.001), "B": (0.001, 0.001)},
        verdicts={"A": Verdict.BEATS, "B": Verdict.INCONCLUSIVE},
        sent_on="2026-02-01",
    ).model_copy(update={"run": CAMPAIGNS[0].run.model_copy(update={"created_at": "2026-06-01"})})
    report = report_of([late, early])
    assert report.meta is not None and report.meta.trend() is None  # two: no trend, an order
    for size in (WIDE, NARROW):
        axes = drawn(lambda s: figures.figure_trend(report.meta, s), size).axes[0]
        assert [t.get_text() for t in axes.get_xticklabels()] == ["early", "late"]
        assert "in the order they were sent" in axes.get_xlabel().replace("\n", " ")
    assert "Campaigns in order of the date each campaign was sent." in str(report.trend())


def test_trend_axis_says_which_dates_it_uses(handmade: PortfolioReport) -> None:
    assert handmade.meta is not None and handmade.meta.trend() is not None
    axes = drawn(lambda s: figures.figure_trend(handmade.meta, s), WIDE).axes[0]
    label = axes.get_xlabel().replace("\n", " ")
    assert label == "date sent (date analysed where no send date is given)"
    sent = [r for r in CAMPAIGNS if r.sent_on]
    assert figures.date_axis_label(comparable(sent)[0], True) == "date the campaign was sent"


@pytest.mark.parametrize("size", [WIDE, NARROW])
def test_chart_text_is_never_below_the_canvas_font(handmade: PortfolioReport, size: Size) -> None:
    meta = handmade.meta
    for make in (figures.figure_forest, figures.figure_trend, figures.figure_verdicts):
        figure = drawn(lambda s, make=make: make(meta, s), size)
        texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert texts
        assert [t.get_text() for t in texts if t.get_fontsize() < size.font] == []
        longest = max(len(line) for t in texts for line in t.get_text().split("\n"))
        assert longest <= (70 if size is WIDE else 36)  # long names are wrapped


def test_only_the_verdict_chart_uses_verdict_colours(handmade: PortfolioReport) -> None:
    verdict = {c.lower() for c in VERDICT_COLOURS.values()}
    own = {figures.RAW_COLOUR, figures.SHRUNK_COLOUR, figures.PROGRAMME_COLOUR}
    assert not {c.lower() for c in (*own, figures.TREND_COLOUR)} & verdict
    for make in (figures.figure_forest, figures.figure_trend):
        axes = drawn(lambda s, make=make: make(handmade.meta, s), WIDE).axes[0]
        colours = {to_hex(line.get_color()) for line in axes.lines}
        colours |= {
            to_hex(c.get_facecolor()[0]) for c in axes.collections if len(c.get_facecolor())
        }
        assert not colours & verdict, colours


# --- the page, as `relevance run-all` writes it and a reader sees it ---------------------------


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`relevance run-all` over three hand-made campaigns that are all up to date: only the
    portfolio meta-analysis runs (for real) and the index is written."""
    folder, out = skipped_batch(tmp_path_factory.mktemp("portfolio"))
    result = CliRunner().invoke(app, ["run-all", str(folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return out


def test_run_all_portfolio_pools_one_version_per_campaign(batch_out: Path) -> None:
    facts = json.loads((batch_out / "_portfolio" / "portfolio.json").read_text())
    assert facts["campaigns"] == 3 and len(facts["estimates"]) == 3
    assert {(e["campaign"], e["version"], e["sent"]) for e in facts["estimates"]} == {
        ("spring-sale", "B", True),
        (LONG_NAME, "A", False),
        ("autumn-reminder", "A", True),
    }
    assert facts["headline"].endswith(
        "in 2 of 3 campaigns the version counted beats sending nothing."
    )
    index = json.loads((batch_out / "index.json").read_text())
    assert index["portfolio"]["headline"] == facts["headline"]
    assert index["portfolio"]["description"] == facts["pooled"]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_portfolio_page_reads_well(batch_out: Path, width: str) -> None:
    seen = audit(batch_out / "portfolio.html", *WIDTHS[width])
    seen.assert_readable()
    facts = json.loads((batch_out / "_portfolio" / "portfolio.json").read_text())
    text = seen.visible_text
    assert facts["headline"] in text
    assert facts["pooled"] in text and "which sends nothing, is its best version" in text
    assert "sent 10 March 2026" in text and "analysed 2 November 2026" in text
    assert "date sent (date analysed where no send date is given)" in text
    assert seen.charts == 6  # three charts, each drawn wide and narrow (one shown)
