"""The plan page: its sections, its charts' fonts and labels, and how a reader sees it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from typer.testing import CliRunner

from browser import WIDTHS, audit
from relevance.cli import app
from relevance.planning.figures import figure_assurance, figure_cost
from relevance.planning.plan import Plan, PlanInputs, plan_holdout
from relevance.planning.report import PlanReport
from relevance.report.style import NARROW, VERDICT_COLOURS, WIDE, Size, chart_rc, esc


def inputs(**changes: object) -> PlanInputs:
    """The worked example with few simulations (fast), with changes."""
    values: dict[str, object] = {
        "baseline_rate": 0.03,
        "expected_uplift": 0.004,
        "rope": 0.001,
        "recipients": 200_000,
        "holdout_shares": [0.02, 0.05, 0.1, 0.2],
        "value_per_conversion": 40.0,
        "simulations": 300,
        "seed": 7,
    }
    values.update(changes)
    return PlanInputs.model_validate(values)


@pytest.fixture(scope="module")
def valued() -> Plan:
    return plan_holdout(inputs(currency="€"))


@pytest.fixture(scope="module")
def unvalued() -> Plan:
    return plan_holdout(inputs(value_per_conversion=0.0))


def drawn(make: Callable[[Size], Figure], size: Size) -> Figure:
    """A figure drawn as the page draws it: inside the canvas's matplotlib settings."""
    with matplotlib.rc_context(chart_rc(size)):
        figure = make(size)
        figure.canvas.draw()
    return figure


def texts(figure: Figure) -> list[Text]:
    """Every visible, non-empty text of a figure."""
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_title_gives_the_inputs_in_words(valued: Plan, unvalued: Plan) -> None:
    title = str(PlanReport(valued).title())
    assert "How big a no-send holdout to keep" in title
    for words in (
        "A send to 200,000 recipients, who convert at 3% without the email",
        "an email that adds 4 conversions per 1,000 recipients",
        "within ±1 per 1,000 recipients count as practically nothing",
        "Each conversion is worth €40.00.",
        "at least 80% chance of a clear verdict",
        "a verdict needs 95% certainty",
        "holdout shares compared: 2%, 5%, 10%, 20%",
    ):
        assert words in title, words
    assert "costs are counted in conversions" in str(PlanReport(unvalued).title())


def test_recommendation_is_the_plans_sentence_and_prominent(valued: Plan) -> None:
    page = str(PlanReport(valued).recommendation())
    assert f'<p class="headline">{esc(valued.sentence)}</p>' in page
    assert valued.sentence.startswith("Keep ") and "€" in valued.sentence
    best = valued.recommended
    assert best is not None
    assert f"With {best.share * 100:g}% held out ({best.holdout:,} people)" in page
    if best.refined:
        assert "it is the smallest share that reaches the target" in page


def test_no_recommendation_still_says_what_would_settle_it() -> None:
    plan = plan_holdout(inputs(recipients=20_000, holdout_shares=[0.05, 0.1]))
    page = str(PlanReport(plan).recommendation())
    assert plan.recommended is None
    assert esc(plan.sentence) in page and "repeat the campaign" in page
    assert "With 10% held out" in page  # the chances at the largest share


def test_table_marks_the_recommended_row_and_stacks_on_phones(valued: Plan) -> None:
    page = str(PlanReport(valued).table())
    assert page.count("<tr>") == len(valued.rows) + 1
    assert page.count("recommended") == 1
    assert 'data-label="chance of a clear verdict"' in page
    assert 'data-label="revenue forgone"' in page and "€" in page


def test_charts_come_wide_and_narrow(valued: Plan) -> None:
    report = PlanReport(valued)
    for section in (report.assurance(), report.cost()):
        page = str(section)
        assert page.count("<svg") == 2
        assert 'class="chart wide"' in page and 'class="chart narrow"' in page
        assert "<image" not in page  # real text, no bitmap


@pytest.mark.parametrize("size", [WIDE, NARROW])
def test_chart_text_is_never_below_the_canvas_font(valued: Plan, size: Size) -> None:
    for make in (figure_assurance, figure_cost):
        figure = drawn(lambda s, make=make: make(valued, s), size)
        found = texts(figure)
        assert found
        small = [(t.get_text(), t.get_fontsize()) for t in found if t.get_fontsize() < size.font]
        assert small == []


def test_cost_axis_says_money_with_its_currency_or_conversions(
    valued: Plan, unvalued: Plan
) -> None:
    for size in (WIDE, NARROW):
        money = drawn(lambda s: figure_cost(valued, s), size).axes[0]
        assert "revenue forgone per send (€)" in money.get_ylabel().replace("\n", " ")
        labels = [t.get_text() for t in money.texts]
        assert any(label.startswith("€") for label in labels)
        counted = drawn(lambda s: figure_cost(unvalued, s), size).axes[0]
        assert "conversions forgone per send" in counted.get_ylabel().replace("\n", " ")
        assert not any("$" in t.get_text() or "€" in t.get_text() for t in texts(counted.figure))


def test_plan_charts_use_no_verdict_colour(valued: Plan) -> None:
    from matplotlib.colors import to_hex

    verdict = {c.lower() for c in VERDICT_COLOURS.values()}
    for make in (figure_assurance, figure_cost):
        figure = drawn(lambda s, make=make: make(valued, s), WIDE)
        axes = figure.axes[0]
        colours = {to_hex(line.get_color()) for line in axes.lines}
        colours |= {to_hex(patch.get_facecolor()) for patch in axes.patches}
        assert not colours & verdict, colours


def test_glossary_and_escaping() -> None:
    plan = plan_holdout(inputs(currency="<b>", simulations=200, holdout_shares=[0.1, 0.2]))
    report = PlanReport(plan)
    page = "".join(str(s()) for s in (report.title, report.recommendation, report.table))
    assert "<b>" not in page and "&lt;b&gt;" in page
    glossary = str(report.glossary())
    assert glossary.startswith('<dl class="glossary">') and "<dt>Clear verdict</dt>" in glossary


# --- the page, as `relevance plan` writes it and a reader sees it ------------------------------


@pytest.fixture(scope="module")
def plan_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`relevance plan` for the worked example, with a value per conversion in euros."""
    out = tmp_path_factory.mktemp("plan")
    result = CliRunner().invoke(
        app,
        [
            "plan",
            "--baseline-rate",
            "0.03",
            "--expected-uplift",
            "0.004",
            "--value-per-conversion",
            "40",
            "--currency",
            "€",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return out / "plan"


def test_plan_command_passes_the_currency_to_the_notebook(plan_page: Path) -> None:
    saved = json.loads((plan_page / "plan.json").read_text(encoding="utf-8"))
    assert saved["inputs"]["currency"] == "€"
    assert "€" in saved["sentence"]
    assert (plan_page / "assurance.png").is_file() and (plan_page / "cost.png").is_file()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_plan_page_reads_well(plan_page: Path, width: str) -> None:
    seen = audit(plan_page / "plan.html", *WIDTHS[width])
    seen.assert_readable()
    plan = Plan.model_validate_json((plan_page / "plan.json").read_text(encoding="utf-8"))
    text = seen.visible_text
    assert plan.sentence in text  # the recommendation is on the page (it was empty before)
    assert "A send to 200,000 recipients, who convert at 3% without the email" in text
    assert "revenue forgone per send (€)" in text
    assert "Words used on this page" in text
    assert seen.charts == 4  # two charts, each drawn wide and narrow (one shown)
