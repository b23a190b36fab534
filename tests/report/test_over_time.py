"""The report over time, drawn from a hand-made timeline: sentences, numbers shown, escaping."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest

from handmade import handmade_results
from relevance.report.campaign import GLOSSARY, CampaignReport
from relevance.results import Results, Verdict

START = date(2026, 3, 2)
DRIFT_SENTENCE = (
    "Version A’s extra purchases fell from +6.00 to +2.00 per 1,000 recipients since the week "
    "of 2 March 2026 (chance the latest week is lower than the first: >99%)."
)
STOP_SENTENCE = (
    "Keep the holdout for now: deciding now (sending Version B) would risk an expected loss "
    "of $3.10 (0.42 purchases) per 1,000 recipients, above the $1.00 per 1,000 set as small "
    "enough. Version A is likely to get a verdict in about 12 days at the current 9,800 "
    "recipients a day."
)


def look(
    day: int, version: str, verdict: Verdict, mean: float | None = 0.004, **extra: Any
) -> dict:
    return {
        "day": (START + timedelta(days=day)).isoformat(),
        "version": version,
        "recipients": 10_000 * (day + 1),
        "uplift_mean": mean,
        "uplift_low": None if mean is None else mean - 0.002,
        "uplift_high": None if mean is None else mean + 0.002,
        "p_better_beyond_rope": None if mean is None else 0.9,
        "evidence": None if mean is None else 12.5,
        "verdict": verdict.value,
        **extra,
    }


def timeline_data(**changes: Any) -> dict[str, Any]:
    unsure, beats = Verdict.INCONCLUSIVE, Verdict.BEATS
    verdicts_a = [unsure, unsure, beats, unsure, beats, beats]
    looks = [look(i, "A", v, None if i == 0 else 0.004) for i, v in enumerate(verdicts_a)]
    looks += [look(i, "B", unsure, 0.001) for i in range(6)]
    looks[5]["full_model"] = looks[11]["full_model"] = True
    data = {
        "every": "day",
        "period": "week",
        "looks": looks,
        "sentences": [
            "Version A has been “beats sending nothing” since 6 March 2026 (look 5 of 6).",
            "Version B has been “inconclusive” at every one of 6 daily looks since 2 March 2026.",
        ],
        "evidence_needed": 40.0,
        "undated": 1_234,
        "drift": [
            {
                "version": "A",
                "periods": [
                    {
                        "start": (START + timedelta(weeks=w)).isoformat(),
                        "recipients": 70_000,
                        "uplift_mean": m,
                        "uplift_low": m - 0.0015,
                        "uplift_high": m + 0.0015,
                    }
                    for w, m in enumerate([0.006, 0.004, 0.002])
                ],
                "p_latest_below_first": 0.999,
                "sentence": DRIFT_SENTENCE,
            }
        ],
        "drift_reliable": True,
        "stop": {
            "choice": "B",
            "expected_loss": 0.42,
            "expected_loss_money": 3.1,
            "threshold": 1.0,
            "in_money": True,
            "can_stop": False,
            "recipients_per_day": 9_800.0,
            "days_to_verdict": {"A": 12},
            "sentence": STOP_SENTENCE,
        },
    }
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def report() -> CampaignReport:
    return CampaignReport(handmade_results(timeline=timeline_data()))


def visible(markup: str) -> str:
    without_charts = re.sub(r"<figure\b.*?</figure>", "", markup, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", without_charts).split()))


def test_how_the_answer_firmed_up(report: CampaignReport) -> None:
    markup = str(report.timeline())
    text = visible(markup)
    assert markup.startswith("<h3>How the answer firmed up</h3>")
    for sentence in report.results.timeline.sentences:  # type: ignore[union-attr]
        assert sentence in text
    charts = re.findall(r'<figure class="chart (\w+)" role="img" aria-label="([^"]*)"><svg', markup)
    name = "how the answer firmed up, look by look"
    assert charts == [("wide", name), ("narrow", name)]
    rows = re.findall(r"<tr>(.*?)</tr>", markup.split("<tbody>")[1])
    # A: the first look, the changes on the 3rd, 4th and 5th, the last; B: the first and last
    assert len(rows) == 5 + 2
    assert "evidence (a winner needs 40)" in text and "12.5" in text
    assert "2 March 2026" in text and "+4.00" in text and "2.00 to 6.00" in text
    assert "beats sending nothing (this report)" in text
    assert "–" in text  # the first look could not measure anything yet
    assert "1,234 recipients have no send date: they count only in the last look" in text


def test_is_the_effect_fading(report: CampaignReport) -> None:
    markup = str(report.drift())
    text = visible(markup)
    assert DRIFT_SENTENCE in text
    assert "effect per week" in markup  # the chart's name
    for cells in (
        "2 March 2026 Version A 70,000 +6.00 4.50 to 7.50",
        "16 March 2026 Version A 70,000 +2.00 0.50 to 3.50",
    ):
        assert cells in text


def test_can_the_holdout_stop(report: CampaignReport) -> None:
    text = visible(str(report.holdout()))
    assert STOP_SENTENCE in text
    for shown in ("send Version B", "0.42", "$3.10", "$1.00", "9,800", "keep the holdout"):
        assert shown in text


def test_the_glossary_states_the_guarantee_only_when_monitored(report: CampaignReport) -> None:
    text = visible(str(report.glossary()))
    assert "Read every day (the guarantee)" in text
    assert "at most 5% are ever called “beats sending nothing”, at any look, however many" in text
    assert "A winner needs 40 (the versions share the 5%)" in text
    plain = str(CampaignReport(handmade_results()).glossary())
    assert re.findall(r"<dt>(.*?)</dt>", plain) == [html.escape(k) for k in GLOSSARY]


def test_without_dates_the_sections_say_so() -> None:
    plain = CampaignReport(handmade_results())
    assert "No send dates are configured (`data.date`" in str(plain.timeline())
    assert str(plain.drift()) == "" and str(plain.holdout()) == ""


def test_markup_in_sentences_is_escaped() -> None:
    hostile = "<script>alert('x')</script>"
    results = handmade_results(timeline=timeline_data(sentences=[hostile]))
    markup = str(CampaignReport(results).timeline())
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_unmeasured_primary_and_unreliable_drift() -> None:
    results = handmade_results(timeline=timeline_data(drift=[], stop=None))
    report = CampaignReport(results)
    assert "cannot be measured yet, so there is no trend" in str(report.drift())
    assert "cannot be measured yet: keep the holdout" in str(report.holdout())
    shaky = CampaignReport(handmade_results(timeline=timeline_data(drift_reliable=False)))
    assert "did not converge for the effects over time" in str(shaky.drift())


def test_results_round_trip_with_a_timeline() -> None:
    results = handmade_results(timeline=timeline_data())
    assert Results.model_validate_json(results.to_json()) == results
