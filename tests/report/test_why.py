"""The report's Why section, drawn from hand-made survey results: content, pictures, escaping."""

from __future__ import annotations

import html

from handmade import handmade_results
from relevance.report.campaign import CampaignReport
from relevance.report.figures import answer_colours, figure_survey
from relevance.report.style import NARROW, WIDE
from relevance.results import (
    AnswerShare,
    ReasonShift,
    Summary,
    SurveyArm,
    SurveyContrast,
    SurveyResult,
    Verdict,
)

HOSTILE = "<script>alert('x')</script>"


def arm(name: str, shares: list[float], answers: list[int], mean: float | None = None) -> SurveyArm:
    labels = [str(k + 1) for k in range(len(shares))]
    return SurveyArm(
        arm=name,
        asked=40_000,
        respondents=sum(answers),
        response_rate=sum(answers) / 40_000,
        enough=sum(answers) >= 30,
        shares=[
            AnswerShare(
                answer=c, label=c, answers=n, share=s, share_low=s - 0.01, share_high=s + 0.01
            )
            for c, n, s in zip(labels, answers, shares, strict=True)
        ],
        mean=None if mean is None else Summary(mean=mean, low=mean - 0.05, high=mean + 0.05),
    )


def feeling(label: str = "how customers feel about our emails") -> SurveyResult:
    return SurveyResult(
        name="feeling",
        label=label,
        question="How do you feel about the emails you get from us?",
        kind="rating",
        asked="everyone",
        who="customers",
        answers=["1", "2", "3", "4", "5"],
        answer_labels=["very negative", "2", "3", "4", "very positive"],
        rope=0.1,
        min_answers=30,
        arms=[
            arm("holdout", [0.1, 0.2, 0.3, 0.2, 0.2], [100, 200, 300, 200, 200], 3.2),
            arm("A", [0.1, 0.2, 0.3, 0.2, 0.2], [200, 400, 600, 400, 400], 3.2),
            arm("B", [0.2, 0.2, 0.3, 0.2, 0.1], [400, 400, 600, 400, 200], 2.9),
        ],
        contrasts=[
            SurveyContrast(
                arm="A",
                against="holdout",
                difference=Summary(mean=0.0, low=-0.05, high=0.05),
                p_higher=0.5,
                p_better_beyond_rope=0.0,
                p_inside_rope=1.0,
                p_worse_beyond_rope=0.0,
                verdict=Verdict.IRRELEVANT,
            ),
            SurveyContrast(
                arm="B",
                against="holdout",
                difference=Summary(mean=-0.3, low=-0.35, high=-0.25),
                p_higher=0.0,
                p_better_beyond_rope=0.0,
                p_inside_rope=0.0,
                p_worse_beyond_rope=1.0,
                verdict=Verdict.HARMFUL,
            ),
        ],
        sentence="Feeling sentence: Version B harmful.",
        notes=["Response rates differ between arms beyond chance."],
        outcomes="Tied to the outcomes: a cost the outcomes do not count.",
    )


def reasons(label: str = "too many emails") -> SurveyResult:
    shares = {"A": [0.2, 0.8], "B": [0.4, 0.6]}
    return SurveyResult(
        name="reason",
        label="why they unsubscribed",
        kind="choice",
        asked="recipients",
        who="unsubscribers",
        answers=["too_many", "other"],
        answer_labels=[label, "another reason"],
        rope=0.02,
        min_answers=30,
        arms=[arm(a, s, [int(100 * x) for x in s]) for a, s in shares.items()],
        reasons=[
            ReasonShift(
                answer="too_many",
                label=label,
                arm="A",
                against="B",
                difference=Summary(mean=-0.2, low=-0.3, high=-0.1),
                p_more=0.001,
                differs=True,
            )
        ],
        sentence="Version B's unsubscribers more often say 'too many emails'.",
    )


def test_why_shows_every_sentence_note_badge_table_and_chart() -> None:
    page = str(CampaignReport(handmade_results(surveys=[feeling(), reasons()])).why())
    text = html.unescape(page)
    for expected in (
        "<h3>How customers feel about our emails</h3>",
        "“How do you feel about the emails you get from us?” asked of a sample of everyone, the holdout included · 5,000 answers",
        "Feeling sentence: Version B harmful.",
        '<p class="warning">Response rates differ between arms beyond chance.</p>',
        '<span class="badge harmful">Version B: harmful</span>',
        '<span class="badge irrelevant">Version A: irrelevant</span>',
        "Tied to the outcomes: a cost the outcomes do not count.",
        "3.20 (3.15 to 3.25)",  # the mean answer with its interval
        "5.0% of 40,000",  # response rate
        "20% (400)",  # an answer's share (answers given)
        "−0.30 (−0.35 to −0.25)",  # a shift against the holdout
        "Version B's unsubscribers more often say 'too many emails'.",
        "−20.0 (−30.0 to −10.0)",  # a reason's difference in share points
    ):
        assert expected in text, expected
    assert page.count('<figure class="chart wide"') == 2
    assert page.count('<figure class="chart narrow"') == 2


def test_no_surveys_says_what_the_report_cannot_say() -> None:
    page = str(CampaignReport(handmade_results()).why())
    assert "No survey questions are configured" in page


def test_survey_text_is_escaped() -> None:
    page = str(CampaignReport(handmade_results(surveys=[feeling(HOSTILE), reasons(HOSTILE)])).why())
    assert HOSTILE not in page
    assert html.escape(HOSTILE) in page


def test_stacked_bars_for_both_screens_and_none_without_answers() -> None:
    results = handmade_results(surveys=[feeling(), reasons()])
    for size in (WIDE, NARROW):
        figure = figure_survey(results, "feeling", size)
        assert figure is not None
        (axes,) = figure.axes
        assert [t.get_text() for t in axes.get_yticklabels()] == [
            "holdout",
            "Version A",
            "Version B",
        ]
        assert len(axes.patches) == 15  # three arms x five answers
    silent = feeling().model_copy(update={"arms": [arm("A", [0, 0, 0, 0, 0], [0] * 5)]})
    assert figure_survey(handmade_results(surveys=[silent]), "feeling", WIDE) is None
    colours = answer_colours("rating", 5)
    assert colours[2] == "#CFCFCF" and len(set(colours)) == 5  # no white bar on a white page
