"""The campaign report's sections, drawn from a hand-made `Results`: content and escaping."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from handmade import TARGETING_SENTENCE, TOTALS_SENTENCES, handmade_results, results_data
from relevance.report.campaign import GLOSSARY, CampaignReport
from relevance.results import Results

HOSTILE = "<script>alert('x')</script>"
SECTIONS = (
    "title",
    "verdict",
    "targeting",
    "totals",
    "fatigue",
    "segments",
    "uplifts",
    "probabilities",
    "guardrails",
    "net_value",
    "comparisons",
    "findings",
    "diagnostics",
    "glossary",
)
UNMEASURABLE = "No sales at all in the holdout: the data cannot measure sales."


@pytest.fixture(scope="module")
def report() -> CampaignReport:
    return CampaignReport(handmade_results())


@pytest.fixture
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's clock in UTC, whatever it is set to."""
    monkeypatch.setenv("TZ", "UTC0")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def tables(markup: str) -> list[str]:
    """Every HTML table in `markup`."""
    return re.findall(r"<table\b.*?</table>", markup, re.S)


def rows(markup: str) -> list[list[str]]:
    """The body rows of the first HTML table in `markup`, cells (row name first) unescaped."""
    body = markup.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [html.unescape(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def headers(markup: str) -> list[str]:
    """The column names of the first HTML table in `markup`, unescaped."""
    head = markup.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [html.unescape(cell) for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", head, re.S)]


def cell_texts(markup: str) -> list[str]:
    """Every body cell of every table, unescaped."""
    return [cell for table in tables(markup) for row in rows(table) for cell in row]


def without_charts(markup: str) -> str:
    return re.sub(r"<figure\b.*?</figure>", "", markup, flags=re.S)


def charts(markup: str) -> list[tuple[str, str]]:
    """(canvas, accessible name) of every chart copy in `markup`."""
    return re.findall(r'<figure class="chart (\w+)" role="img" aria-label="([^"]*)"><svg', markup)


def whole_page(report: CampaignReport) -> str:
    return "".join(str(getattr(report, name)()) for name in SECTIONS)


# --- title and verdict -----------------------------------------------------------------------


def test_title_names_the_campaign_in_words(report: CampaignReport) -> None:
    title = str(report.title())
    assert "<h1>spring sale</h1>" in title  # the name 'spring-sale', in words
    assert '<p class="description">A hand-made campaign.</p>' in title
    assert "100,000 recipients · versions Version A, Version B" in title
    assert "no-send holdout “holdout”" in title
    assert "analysed 2 November 2026, 06:00 UTC" in title
    assert " sent " not in title  # no send date recorded


@pytest.mark.usefixtures("utc_clock")
def test_title_uses_the_configured_title_and_the_send_date() -> None:
    title = str(
        CampaignReport(handmade_results(title="Spring sale 2026", sent_on="2026-03-05")).title()
    )
    assert "<h1>Spring sale 2026</h1>" in title
    assert "“holdout” · sent 5 March 2026 · analysed 2 November 2026, 06:00 UTC</p>" in title


def test_verdict_has_the_headline_and_one_card_per_version(report: CampaignReport) -> None:
    verdict = str(report.verdict())
    assert verdict.startswith('<section class="verdict">')
    assert '<p class="headline">Send Version B: it beats sending nothing.</p>' in verdict
    cards = re.findall(r'<div class="card (\w+)">', verdict)
    assert cards == ["irrelevant", "beats"]
    assert '<span class="badge beats">beats sending nothing</span>' in verdict
    assert "Sending Version B is very likely better than sending nothing." in verdict
    # the first reason is the sentence's own; the others are listed
    assert '<p class="reason">A second reason for A.</p>' in verdict
    assert "primary: irrelevant" not in verdict
    # the info note is not counted
    assert '<p class="warning">1 data-quality warning(s): see Data quality below.</p>' in verdict
    assert "did not converge" not in verdict
    assert verdict.endswith(report.key_numbers() + "</section>")


def test_verdict_warns_when_the_numbers_are_not_reliable() -> None:
    data = results_data()
    data["diagnostics"].update(reliable=False, problems=["r_hat 1.2 > 1.01", "3 divergences"])
    data["findings"] = []
    verdict = str(CampaignReport(Results.model_validate(data)).verdict())
    assert (
        '<p class="warning">The sampler did not converge: these numbers are not reliable yet. '
        "r_hat 1.2 &gt; 1.01; 3 divergences</p>"
    ) in verdict
    assert "data-quality warning" not in verdict


def test_key_numbers_show_the_chance_beyond_the_rope_and_the_range_as_a_to_b(
    report: CampaignReport,
) -> None:
    markup = report.key_numbers()
    assert headers(markup) == [
        "version",
        "per 1,000 recipients",
        "range (95%)",
        "chance it is better by more than practically nothing",
        "verdict on this metric",
    ]
    # chances are P(better beyond the ROPE) = 0.8 x P(beats the holdout) in the hand-made data
    assert rows(markup) == [
        ["Version A", "+0.20 purchases", "−1.10 to 1.50", "50%", "irrelevant"],
        ["Version A", "+$10.0 sales", "−$85.6 to $120", "46%", "inconclusive"],
        ["Version A", "+0.10 unsubscribes", "−0.40 to 0.60", "32%", "inconclusive"],
        ["Version B", "+4.20 purchases", "2.10 to 6.30", "80%", "beats sending nothing"],
        ["Version B", "+$350 sales", "$120 to $580", "80%", "inconclusive"],
        ["Version B", "+3.10 unsubscribes", "2.40 to 3.80", "<1%", "harmful"],
    ]
    assert "95%:" not in markup


# --- what to do: targeting and totals --------------------------------------------------------


def test_targeting_shows_the_sentence_the_policy_and_the_alternative(
    report: CampaignReport,
) -> None:
    section = str(report.targeting())
    assert section.startswith(f'<p class="sentence">{html.escape(TARGETING_SENTENCE)}</p>')
    policy, options = tables(section)
    assert '<p class="caption">By lifecycle stage</p>' in section
    assert headers(policy) == [
        "lifecycle stage",
        "recipients",
        "send",
        "net value per 1,000 of them",
    ]
    assert rows(policy) == [
        ["new", "20,000", "Version B", "+$31.0"],
        ["loyal", "20,000", "nothing", "$0.00"],
    ]
    assert headers(options) == ["choice", "net value per 1,000 recipients (95% range)"]
    assert rows(options) == [
        ["send as in the table above", "+$15.5 ($4.00 to $27.0)"],
        ["send Version B to everyone", "+$10.0 (−$1.50 to $21.5)"],
    ]
    # the other columns' policies are offered; the chosen one is not repeated
    assert section.endswith(
        "<p>Other ways to target:</p><ul><li>By emails prior 7d, the best choice is the same "
        "for every group: send Version B to everyone.</li></ul>"
    )
    assert section.count(html.escape(TARGETING_SENTENCE)) == 1


def test_targeting_in_outcomes_has_no_currency_and_may_send_nothing_to_all() -> None:
    data = results_data()
    targeting = data["targeting"]
    targeting.update(measure="extra purchases", send_all=None)
    data["targeting_by_column"] = [targeting]
    data["segment_labels"] = {"lifecycle_stage": "customer stage"}
    section = str(CampaignReport(Results.model_validate(data)).targeting())
    policy, options = tables(section)
    assert headers(policy)[0] == "customer stage"
    assert '<p class="caption">By customer stage</p>' in section
    assert rows(policy)[0] == ["new", "20,000", "Version B", "+31.0"]
    assert [row[0] for row in rows(options)] == [
        "send as in the table above",
        "send nothing to anyone",
    ]
    assert "$" not in section.replace(html.escape(TARGETING_SENTENCE), "")
    assert "Other ways to target" not in section


def test_no_targeting_says_why() -> None:
    no_segments = CampaignReport(handmade_results(targeting=None, segments=[]))
    assert str(no_segments.targeting()) == "<p>No targeting: no segments are configured.</p>"
    no_verdict = CampaignReport(handmade_results(targeting=None))
    assert str(no_verdict.targeting()) == "<p>No targeting: no verdict is possible.</p>"


def test_totals_are_the_sentences_results_hold(report: CampaignReport) -> None:
    section = str(report.totals())
    assert section == "".join(f'<p class="sentence">{html.escape(s)}</p>' for s in TOTALS_SENTENCES)
    assert "This campaign&#x27;s Version B brought about 168 extra purchases" in section
    empty = CampaignReport(handmade_results(totals=None)).totals()
    assert str(empty) == "<p>No totals: the primary metric could not be estimated.</p>"


# --- evidence --------------------------------------------------------------------------------


def test_uplift_section_has_a_chart_for_each_canvas_and_a_table(report: CampaignReport) -> None:
    section = str(report.uplift("purchase"))
    assert section.startswith('<h3>Purchases</h3><figure class="chart wide"')
    assert charts(section) == [
        ("wide", "uplift of purchases per version"),
        ("narrow", "uplift of purchases per version"),
    ]
    table = without_charts(section)
    assert headers(table) == [
        "version",
        "holdout → version, per 1,000",
        "uplift per 1,000",
        "95% range",
        "relative lift",
        "chance better / same / worse (beyond practically nothing)",
        "expected loss (purchases per 1,000)",
        "verdict",
    ]
    assert rows(table)[1] == [
        "Version B",
        "30.0 → 34.2",
        "+4.20",
        "2.10 to 6.30",
        "+14.0%",
        "80% / 10% / <1%",
        "0.10",
        "beats sending nothing",
    ]
    uplifts = str(report.uplifts())
    assert re.findall(r"<h3>(.*?)</h3>", uplifts) == ["Purchases", "Sales", "Unsubscribes"]


def test_uplift_of_money_shows_the_currency_and_the_loss_in_its_unit(
    report: CampaignReport,
) -> None:
    table = without_charts(str(report.uplift("revenue")))
    assert headers(table)[6] == "expected loss (sales per 1,000)"
    assert rows(table)[0][:4] == ["Version A", "$30.0 → $40.0", "+$10.0", "−$85.6 to $120"]
    assert rows(table)[0][6] == "$0.10"


def test_probabilities_chart_is_the_chance_beyond_the_rope(report: CampaignReport) -> None:
    section = str(report.probabilities())
    name = "chance each version beats sending nothing by more than practically nothing"
    assert charts(section) == [("wide", name), ("narrow", name)]
    assert "what the verdict needs" in section


def test_guardrail_sentences_state_the_band(report: CampaignReport) -> None:
    guardrails = str(report.guardrails())
    items = re.findall(r'<li class="(\w+)">(.*?)</li>', guardrails)
    assert [cls for cls, _ in items] == ["ok", "harmful"]
    assert html.unescape(items[0][1]) == (
        "Version A: +0.10 unsubscribes per 1,000 recipients (95%: −0.40 to 0.60, +0%): not "
        "beyond ±2 unsubscribes per 1,000 recipients that you set as practically nothing "
        "(chance of harm beyond it <1%), so not counted as harm."
    )
    assert html.unescape(items[1][1]) == (
        "Version B: +3.10 unsubscribes per 1,000 recipients (95%: 2.40 to 3.80, +10%): worse "
        "than sending nothing beyond ±2 unsubscribes per 1,000 recipients (chance 97%), so "
        "Version B counts as harmful."
    )


def test_no_guardrails_says_so() -> None:
    data = results_data()
    data["metrics"][2]["guardrail"] = False
    report = CampaignReport(Results.model_validate(data))
    assert str(report.guardrails()) == "<p>No guardrail metrics were configured.</p>"


def test_net_value_section(report: CampaignReport) -> None:
    section = str(report.net_value())
    assert section.startswith(
        '<p class="sentence">Version A gains about $1.5 per 1,000 recipients.</p>'
        '<p class="sentence">Version B gains about $20.0 per 1,000 recipients.</p>'
    )
    assert charts(section) == [
        ("wide", "net value per version"),
        ("narrow", "net value per version"),
    ]


def test_absent_sections_say_why() -> None:
    report = CampaignReport(handmade_results(net_value=[], fatigue=[], comparisons=[], segments=[]))
    assert str(report.net_value()) == (
        "<p>No values or costs are configured, so net value is not computed.</p>"
    )
    assert str(report.fatigue()).startswith(
        "<p>No column of emails already received is configured (`fatigue` in the experiment "
    )
    assert str(report.comparisons()) == "<p>Only one version: nothing to compare.</p>"
    assert str(report.segments()) == "<p>No segments were configured for this experiment.</p>"


def test_segments_section(report: CampaignReport) -> None:
    segments = str(report.segments())
    assert segments.startswith('<h3>By lifecycle stage</h3><figure class="chart wide"')
    assert [c for c, _ in charts(segments)] == ["wide", "narrow"]
    table = without_charts(segments)
    assert [row[:2] for row in rows(table)] == [
        ["new", "Version A"],
        ["loyal", "Version A"],
        ["new", "Version B"],
        ["loyal", "Version B"],
    ]
    assert rows(table)[2] == [
        "new",
        "Version B",
        "20,000",
        "+4.70",
        "2.60 to 6.80",
        "80%",
        "beats sending nothing",
    ]


def test_segments_use_the_configured_segment_label() -> None:
    report = CampaignReport(handmade_results(segment_labels={"lifecycle_stage": "customer stage"}))
    segments = str(report.segments())
    assert segments.startswith("<h3>By customer stage</h3>")
    assert headers(without_charts(segments))[0] == "customer stage"


def test_segments_of_money_show_the_currency(report: CampaignReport) -> None:
    table = without_charts(str(report.segments("revenue")))
    assert rows(table)[2][3:5] == ["+$350", "$120 to $580"]


def test_fatigue_section(report: CampaignReport) -> None:
    fatigue = str(report.fatigue())
    assert fatigue.startswith(
        '<p class="sentence">Version A stops paying from the third email.</p>'
        '<p class="sentence">Version B stops paying from the third email.</p>'
    )
    assert [c for c, _ in charts(fatigue)] == ["wide", "narrow"]
    table = without_charts(fatigue)
    assert len(rows(table)) == 8
    assert rows(table)[4] == ["0", "Version B", "10,000", "+$12.0", "$8.00 to $16.0", "60%"]


def test_comparisons_section(report: CampaignReport) -> None:
    assert rows(str(report.comparisons())) == [
        ["purchases", "Version B vs Version A", "+4.00", "2.00 to 6.00", ">99%", "0.00 purchases"]
    ]


def test_findings_are_listed_with_their_severity(report: CampaignReport) -> None:
    findings = str(report.findings())
    assert re.findall(r'<li class="finding (\w+)">', findings) == ["warning", "info"]
    assert "The arms are not in the planned ratio." in findings
    empty = CampaignReport(handmade_results(findings=[])).findings()
    assert str(empty) == '<ul class="findings"><li>No data-quality findings.</li></ul>'


def test_diagnostics_section(report: CampaignReport) -> None:
    section = str(report.diagnostics())
    assert "Sampler: 2 chains × 300 draws (NUTS, nutpie, target acceptance 0.95), seed 7." in (
        section
    )
    assert "Largest r̂ 1.003" in section and "512 (bulk) / 480 (tail)" in section
    assert "0 divergences: reliable." in section
    assert "<li>intercept_sd: 3.0</li>" in section
    assert "commit abc1234" in section and "data fingerprint dddddddddddddddd" in section
    assert "Configuration, merged in this order: not recorded." in section
    assert len(rows(section)) == 3 and all(row[-1] == "yes" for row in rows(section))


def test_diagnostics_after_longer_chains_and_one_chain() -> None:
    data = results_data()
    data["diagnostics"].update(draws=600, chains=1, max_r_hat=None)
    data["run"]["config_files"] = ["configs/defaults.yaml", "experiments/spring.yaml"]
    section = str(CampaignReport(Results.model_validate(data)).diagnostics())
    assert "1 chains × 600 draws (the configured 300 were too few" in section
    assert "Largest r̂ n/a (one chain)" in section
    assert "merged in this order: configs/defaults.yaml → experiments/spring.yaml." in section


# --- metrics the data cannot measure ---------------------------------------------------------


def unmeasurable_sales() -> CampaignReport:
    data = results_data()
    data["uplifts"] = [row for row in data["uplifts"] if row["metric"] != "revenue"]
    data["not_estimable"] = [{"metric": "revenue", "reason": UNMEASURABLE}]
    return CampaignReport(Results.model_validate(data))


def test_an_unmeasurable_metric_shows_why_and_no_number() -> None:
    report = unmeasurable_sales()
    verdict = str(report.verdict())
    assert f'<p class="warning">{UNMEASURABLE}</p>' in verdict
    assert [row[1] for row in rows(report.key_numbers())] == [
        "+0.20 purchases",
        "+0.10 unsubscribes",
        "+4.20 purchases",
        "+3.10 unsubscribes",
    ]
    section = str(report.uplift("revenue"))
    assert section.endswith(f"<p>{UNMEASURABLE}</p>") and "<table" not in section
    assert str(report.segments("revenue")).endswith(f"<p>{UNMEASURABLE}</p>")
    assert "<svg" not in section


def test_an_unmeasurable_metric_has_the_same_heading_as_the_others() -> None:
    uplifts = str(unmeasurable_sales().uplifts())
    assert re.findall(r"<h3>(.*?)</h3>", uplifts) == ["Purchases", "Sales", "Unsubscribes"]


def test_an_unmeasurable_primary_or_guardrail() -> None:
    data = results_data()
    data["uplifts"] = [r for r in data["uplifts"] if r["metric"] not in ("purchase", "unsubscribe")]
    data["not_estimable"] = [
        {"metric": "purchase", "reason": "No purchases in the holdout."},
        {"metric": "unsubscribe", "reason": "No unsubscribes <anywhere>."},
    ]
    report = CampaignReport(Results.model_validate(data))
    assert str(report.probabilities()) == ""
    assert str(report.guardrails()) == (
        '<ul class="guardrails"><li>No unsubscribes &lt;anywhere&gt;.</li></ul>'
    )


# --- the glossary ----------------------------------------------------------------------------


def test_glossary_defines_every_term(report: CampaignReport) -> None:
    glossary = str(report.glossary())
    terms = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", glossary)
    assert [term for term, _ in terms] == [html.escape(k) for k in GLOSSARY]
    assert glossary.count("<dd>") == len(GLOSSARY) == 13
    defined = {html.unescape(term): html.unescape(text) for term, text in terms}
    for verdict in ("Beats sending nothing", "Irrelevant", "Harmful", "Inconclusive"):
        assert defined[verdict]
    assert (
        "better than sending nothing by more than practically nothing"
        in defined["Beats sending nothing"]
    )
    assert "inside practically nothing" in defined["Irrelevant"]
    assert "worse than sending nothing" in defined["Harmful"]
    assert "guardrail" in defined["Harmful"] and "guardrail" in defined["Beats sending nothing"]
    assert "how many more recipients" in defined["Inconclusive"]
    assert "per 1,000 recipients" in defined["Expected loss"]  # its unit
    assert "in the metric's unit" in defined["Expected loss"]


def test_glossary_states_the_experiments_probabilities() -> None:
    glossary = str(CampaignReport(handmade_results(interval=0.9, probability=0.9)).glossary())
    assert "95%" not in glossary
    assert "At least 90% chance" in glossary


# --- the whole page --------------------------------------------------------------------------


def test_every_section_renders(report: CampaignReport) -> None:
    for name in SECTIONS:
        assert str(getattr(report, name)()).strip(), name


def test_no_script_anywhere(report: CampaignReport) -> None:
    page = whole_page(report)
    assert "<script" not in page.lower()
    tags = re.findall(r"<[a-zA-Z][^>]*>", page)
    assert tags and not [tag for tag in tags if re.search(r"\son\w+\s*=", tag)]


def test_every_table_cell_carries_its_column_name(report: CampaignReport) -> None:
    page = without_charts(whole_page(report))
    found = tables(page)
    assert len(found) >= 10
    for table in found:
        columns = headers(table)
        body = table.split("<tbody>", 1)[1]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            labels = re.findall(r'data-label="([^"]*)"', row)
            assert [html.unescape(label) for label in labels] == columns


def test_no_range_cell_repeats_the_interval_share(report: CampaignReport) -> None:
    cells = cell_texts(without_charts(whole_page(report)))
    assert len(cells) > 100
    assert not [cell for cell in cells if "%:" in cell]


def test_every_chart_comes_in_both_canvases(report: CampaignReport) -> None:
    found = [canvas for canvas, _ in charts(whole_page(report))]
    assert found == ["wide", "narrow"] * 7  # fatigue, segments, 3 uplifts, chance, net value


def renamed(value: Any, old: str, new: str) -> Any:
    """`value` with every string exactly equal to `old` replaced by `new`, recursively."""
    if isinstance(value, dict):
        return {k: renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, old, new) for v in value]
    return new if value == old else value


def test_user_strings_are_escaped_everywhere() -> None:
    version = '<img src=x onerror="alert(1)">'
    data = renamed(results_data(), "B", version)
    data = renamed(data, "loyal", "<b>loyal</b>")
    data["title"] = f"Spring & summer {HOSTILE}"
    data["description"] = f"Spring & summer {HOSTILE}"
    data["holdout"] = '"nobody" <i>'
    data["segment_labels"] = {"lifecycle_stage": "<u>stage</u>"}
    data["campaign"]["headline"] = f"Send it {HOSTILE}"
    data["verdicts"][0]["sentence"] = HOSTILE
    data["verdicts"][0]["reasons"] = ["first", HOSTILE]
    data["findings"][0]["message"] = HOSTILE
    data["net_value"][0]["sentence"] = HOSTILE
    data["fatigue"][0]["sentence"] = HOSTILE
    data["fatigue"][0]["points"][0]["bucket"] = "<s>0</s>"
    data["targeting"]["sentence"] = HOSTILE
    data["targeting_by_column"][1]["sentence"] = f"{HOSTILE} by emails"
    data["totals"]["sentences"] = [HOSTILE]
    data["diagnostics"].update(reliable=False, problems=[HOSTILE])
    data["model_checks"][0]["arm"] = "<u>holdout</u>"
    data["priors"] = {"<em>sd</em>": 1.0}
    data["run"]["config_files"] = ["<q>experiment.yaml</q>"]
    data["not_estimable"] = [{"metric": "revenue", "reason": f"{HOSTILE} reason"}]
    data["metrics"][1]["label"] = "<small>sales</small>"
    data["currency"] = "<$>"
    page = whole_page(CampaignReport(Results.model_validate(data)))

    for raw in (HOSTILE, version, "<b>", "<i>", "<u>", "<em>", "<s>", "<q>", "<small>", "<$>"):
        assert raw not in page
    assert "<script" not in page.lower()
    assert html.escape(HOSTILE) in page
    assert html.escape(version) in page
    assert "Spring &amp; summer" in page
    assert "&lt;b&gt;loyal&lt;/b&gt;" in page
    assert "&lt;$&gt;" in page


def test_sentences_are_shown_as_written_never_parsed_back() -> None:
    """Every sentence results.json holds is copied verbatim: replace each by a token without
    numbers, and the page is the same page with the tokens where the sentences were."""
    data = results_data()
    originals: dict[str, str] = {}

    def token(sentence: str) -> str:
        return originals.setdefault(sentence, f"SENTENCE{len(originals):02d}TOKEN")

    tokened = results_data()
    for item in tokened["verdicts"]:
        item["sentence"] = token(item["sentence"])
        item["reasons"] = [token(reason) for reason in item["reasons"]]
    for item in (*tokened["net_value"], *tokened["fatigue"], *tokened["targeting_by_column"]):
        item["sentence"] = token(item["sentence"])
    tokened["targeting"]["sentence"] = token(tokened["targeting"]["sentence"])
    tokened["totals"]["sentences"] = [token(s) for s in tokened["totals"]["sentences"]]
    tokened["campaign"]["headline"] = token(tokened["campaign"]["headline"])
    for item in tokened["findings"]:
        item["message"] = token(item["message"])
    assert len(originals) >= 12

    def text(results: dict[str, Any]) -> str:
        return without_charts(whole_page(CampaignReport(Results.model_validate(results))))

    page = text(tokened)
    for sentence, mark in originals.items():
        page = page.replace(mark, html.escape(sentence))
    assert page == text(data)
