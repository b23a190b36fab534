"""The campaign report's sections, drawn from a hand-made `Results`: content and escaping."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from handmade import handmade_results, results_data
from relevance.report.campaign import GLOSSARY, CampaignReport
from relevance.results import Results

HOSTILE = "<script>alert('x')</script>"
SECTIONS = (
    "title",
    "verdict",
    "findings",
    "uplifts",
    "probabilities",
    "segments",
    "fatigue",
    "guardrails",
    "net_value",
    "comparisons",
    "diagnostics",
    "glossary",
)


@pytest.fixture(scope="module")
def report() -> CampaignReport:
    return CampaignReport(handmade_results())


def rows(markup: str) -> list[list[str]]:
    """The body rows of the first HTML table in `markup`, cells unescaped."""
    body = markup.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def headers(markup: str) -> list[str]:
    head = markup.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [html.unescape(cell) for cell in re.findall(r"<th>(.*?)</th>", head, re.S)]


def whole_page(report: CampaignReport) -> str:
    return "".join(str(getattr(report, name)()) for name in SECTIONS)


def test_title_names_the_campaign(report: CampaignReport) -> None:
    title = str(report.title())
    assert "<h1>spring-sale</h1>" in title
    assert '<p class="description">A hand-made campaign.</p>' in title
    assert "100,000 recipients · versions Version A, Version B" in title
    assert "no-send holdout arm “holdout”" in title


def test_verdict_has_the_headline_and_one_card_per_version(report: CampaignReport) -> None:
    verdict = str(report.verdict())
    assert '<p class="headline">Send Version B: it beats sending nothing.</p>' in verdict
    cards = re.findall(r'<div class="card (\w+)">', verdict)
    assert cards == ["irrelevant", "beats"]
    assert '<span class="badge beats">beats sending nothing</span>' in verdict
    assert "Sending Version B is very likely better than sending nothing." in verdict
    # the first reason is the sentence's own; the others are listed
    assert '<p class="reason">A second reason for A.</p>' in verdict
    assert "primary: irrelevant" not in verdict
    assert "1 data-quality warning(s): see below." in verdict  # the info note is not counted
    assert "did not converge" not in verdict
    assert '<div class="key-numbers">' in verdict


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


def test_key_numbers_show_the_range_as_a_to_b(report: CampaignReport) -> None:
    markup = report.key_numbers()
    assert headers(markup) == [
        "version",
        "per 1,000 recipients",
        "range (95%)",
        "chance sending is better",
        "verdict on this metric",
    ]
    assert rows(markup) == [
        ["Version A", "+0.20 purchases", "−1.10 to 1.50", "62%", "irrelevant"],
        ["Version A", "+$10.0 sales", "−$85.6 to $120", "58%", "inconclusive"],
        ["Version A", "+0.10 unsubscribes", "−0.40 to 0.60", "40%", "inconclusive"],
        ["Version B", "+4.20 purchases", "2.10 to 6.30", ">99%", "beats sending nothing"],
        ["Version B", "+$350 sales", "$120 to $580", ">99%", "inconclusive"],
        ["Version B", "+3.10 unsubscribes", "2.40 to 3.80", "<1%", "harmful"],
    ]
    assert "95%:" not in markup


def test_findings_are_listed_with_their_severity(report: CampaignReport) -> None:
    findings = str(report.findings())
    assert re.findall(r'<li class="finding (\w+)">', findings) == ["warning", "info"]
    assert "The arms are not in the planned ratio." in findings
    empty = CampaignReport(handmade_results(findings=[])).findings()
    assert str(empty) == '<ul class="findings"><li>No data-quality findings.</li></ul>'


def test_uplift_section_table(report: CampaignReport) -> None:
    section = str(report.uplift("purchase"))
    assert section.startswith("<h3>purchases</h3><img ")
    b = rows(section)[1]
    assert b[:5] == ["Version B", "30.0", "34.2", "+4.20", "2.10 to 6.30"]
    assert b[-1] == "beats sending nothing"
    uplifts = str(report.uplifts())
    assert [h for h in re.findall(r"<h3>(.*?)</h3>", uplifts)] == [
        "purchases",
        "sales",
        "unsubscribes",
    ]


def test_guardrails_say_which_version_harms(report: CampaignReport) -> None:
    guardrails = str(report.guardrails())
    items = re.findall(r'<li class="(\w+)">(.*?)</li>', guardrails)
    assert [cls for cls, _ in items] == ["ok", "harmful"]
    assert items[1][1] == html.escape(
        "Version B: unsubscribes harmed — +3.10 per 1,000 recipients (95%: 2.40 to 3.80), "
        "chance of harm beyond the ROPE 97%."
    )
    assert items[0][1].startswith("Version A: unsubscribes not harmed — +0.10 per 1,000")


def test_no_guardrails_says_so() -> None:
    data = results_data()
    data["metrics"][2]["guardrail"] = False
    report = CampaignReport(Results.model_validate(data))
    assert str(report.guardrails()) == "<p>No guardrail metrics were configured.</p>"


def test_net_value_section(report: CampaignReport) -> None:
    section = str(report.net_value())
    assert section.startswith(
        "<p>Version A gains about $1.5 per 1,000 recipients.</p>"
        "<p>Version B gains about $20.0 per 1,000 recipients.</p>"
    )
    assert "data:image/png;base64," in section


def test_absent_sections_say_why() -> None:
    report = CampaignReport(handmade_results(net_value=[], fatigue=[], comparisons=[], segments=[]))
    assert str(report.net_value()) == (
        "<p>No values or costs are configured, so net value is not computed.</p>"
    )
    assert "No fatigue column is configured" in str(report.fatigue())
    assert str(report.comparisons()) == "<p>Only one version: nothing to compare.</p>"
    assert str(report.segments()) == "<p>No segments were configured for this experiment.</p>"


def test_segments_and_fatigue_sections(report: CampaignReport) -> None:
    segments = str(report.segments())
    assert segments.startswith("<h3>by lifecycle stage</h3><img ")
    assert [row[:2] for row in rows(segments)] == [
        ["new", "Version A"],
        ["loyal", "Version A"],
        ["new", "Version B"],
        ["loyal", "Version B"],
    ]
    fatigue = str(report.fatigue())
    assert '<p class="sentence">Version B stops paying from the third email.</p>' in fatigue
    assert len(rows(fatigue)) == 8
    assert rows(fatigue)[4][:2] == ["Version B", "0"]


def test_diagnostics_section(report: CampaignReport) -> None:
    section = str(report.diagnostics())
    assert "Sampler: 2 chains × 300 draws (NUTS, nutpie, target acceptance 0.95), seed 7." in (
        section
    )
    assert "Largest r̂ 1.003" in section and "512 (bulk) / 480 (tail)" in section
    assert "0 divergences: reliable." in section
    assert "<li>intercept_sd: 3.0</li>" in section
    assert "commit abc1234" in section and "data fingerprint dddddddddddddddd" in section
    assert len(rows(section)) == 3 and all(row[-1] == "yes" for row in rows(section))


def test_diagnostics_after_longer_chains_and_one_chain() -> None:
    data = results_data()
    data["diagnostics"].update(draws=600, chains=1, max_r_hat=None)
    section = str(CampaignReport(Results.model_validate(data)).diagnostics())
    assert "1 chains × 600 draws (the configured 300 were too few" in section
    assert "Largest r̂ n/a (one chain)" in section


def test_glossary_defines_every_term(report: CampaignReport) -> None:
    glossary = str(report.glossary())
    assert re.findall(r"<dt>(.*?)</dt>", glossary) == [html.escape(k) for k in GLOSSARY]
    assert glossary.count("<dd>") == len(GLOSSARY) == 6


def test_no_script_anywhere(report: CampaignReport) -> None:
    page = whole_page(report)
    assert "<script" not in page.lower()


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
    data["description"] = f"Spring & summer {HOSTILE}"
    data["holdout"] = '"nobody" <i>'
    data["campaign"]["headline"] = f"Send it {HOSTILE}"
    data["verdicts"][0]["sentence"] = HOSTILE
    data["verdicts"][0]["reasons"] = ["first", HOSTILE]
    data["findings"][0]["message"] = HOSTILE
    data["net_value"][0]["sentence"] = HOSTILE
    data["fatigue"][0]["sentence"] = HOSTILE
    data["diagnostics"].update(reliable=False, problems=[HOSTILE])
    data["model_checks"][0]["arm"] = "<u>holdout</u>"
    data["priors"] = {"<em>sd</em>": 1.0}
    page = whole_page(CampaignReport(Results.model_validate(data)))

    for raw in (HOSTILE, version, "<b>loyal</b>", "<i>", "<u>", "<em>"):
        assert raw not in page
    assert "<script" not in page.lower()
    assert html.escape(HOSTILE) in page
    assert html.escape(version) in page
    assert "Spring &amp; summer" in page
    assert "&lt;b&gt;loyal&lt;/b&gt;" in page
