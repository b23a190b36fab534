"""The report's "Why" section: what customers said in surveys, beside what they did.

Per question: what was asked and of whom, its one sentence, any warning (answers compared
among those who chose to answer, too few answers, a sampler that did not converge), stacked
answer bars per arm, the numbers behind them, and a line tying the answers to the outcomes.
"""

from __future__ import annotations

from relevance.language import number, percent, percent_share, version_label
from relevance.report import figures
from relevance.report.style import BADGE_CLASS, Html, chart, esc, table
from relevance.results import Results, SurveyResult


def _arm(results: Results, arm: str) -> str:
    return "holdout" if arm == results.holdout else version_label(arm)


def _answer_heading(survey: SurveyResult, index: int) -> str:
    code, label = survey.answers[index], survey.answer_labels[index]
    return label if label == code or survey.kind == "choice" else f"{code} {label}"


def _arms_table(results: Results, survey: SurveyResult) -> str:
    """Per asked arm: answers, response rate, mean answer (ratings) and each answer's share."""
    share = f"{results.interval:.0%}"
    rows = []
    for arm in survey.arms:
        row: dict[str, object] = {
            "arm": _arm(results, arm.arm),
            "answers": f"{arm.respondents:,}",
            "response rate": "n/a"
            if arm.response_rate is None
            else f"{percent_share(arm.response_rate)} of {arm.asked:,}",
        }
        if arm.mean is not None:
            row[f"mean answer ({share} range)"] = (
                f"{arm.mean.mean:.2f} ({arm.mean.low:.2f} to {arm.mean.high:.2f})"
            )
        for index, answer in enumerate(arm.shares):
            row[_answer_heading(survey, index)] = (
                f"{percent_share(answer.share)} ({answer.answers:,})" if arm.respondents else "–"
            )
        rows.append(row)
    return table(rows, caption="Answers per arm: estimated share (answers given)")


def _comparisons_table(results: Results, survey: SurveyResult) -> str:
    """Ratings: every compared pair's difference in mean answer, and the verdict vs holdout."""
    share = f"{results.interval:.0%}"
    verdicts = any(c.verdict is not None for c in survey.contrasts)
    rows = []
    for c in survey.contrasts:
        row = {
            "comparison": f"{_arm(results, c.arm)} vs {_arm(results, c.against)}",
            f"difference in mean answer ({share} range)": f"{number(c.difference.mean, signed=True)} "
            f"({number(c.difference.low)} to {number(c.difference.high)})",
            "chance the first is higher": percent(c.p_higher),
        }
        if verdicts:
            row["verdict"] = c.verdict.value if c.verdict is not None else "–"
        rows.append(row)
    return table(rows, caption="Comparisons")


def _reasons_table(results: Results, survey: SurveyResult) -> str:
    """Choices: each answer's share in every compared pair, and whether it differs."""
    share = f"{results.interval:.0%}"
    rows = [
        {
            "comparison": f"{_arm(results, r.arm)} vs {_arm(results, r.against)}",
            "answer": r.label,
            f"difference in share, points ({share} range)": f"{number(r.difference.mean * 100, signed=True)} "
            f"({number(r.difference.low * 100)} to {number(r.difference.high * 100)})",
            "chance it is more common in the first": percent(r.p_more),
            "differs": "yes" if r.differs else "no",
        }
        for r in survey.reasons
    ]
    return table(rows, caption="Answers compared")


def _asked(results: Results, survey: SurveyResult) -> str:
    """'Asked of recipients · 10,803 answers' with the question as asked."""
    whom = (
        "asked of a sample of everyone, the holdout included"
        if survey.asked == "everyone"
        else "asked of those sent a version"
    )
    answered = sum(a.respondents for a in survey.arms)
    question = f"“{esc(survey.question)}” " if survey.question else ""
    return f'<p class="meta">{question}{esc(whom)} · {answered:,} answers</p>'


def question_section(results: Results, survey: SurveyResult) -> str:
    """One question: heading, sentence, warnings, bars, numbers, tie to the outcomes."""
    badges = " ".join(
        f'<span class="badge {BADGE_CLASS[c.verdict]}">{esc(_arm(results, c.arm))}: '
        f"{esc(c.verdict.value)}</span>"
        for c in survey.contrasts
        if c.verdict is not None
    )
    parts = [
        f"<h3>{esc(survey.label[:1].upper() + survey.label[1:])}</h3>",
        _asked(results, survey),
        f'<p class="sentence">{esc(survey.sentence)}</p>',
        f'<p class="badges">{badges}</p>' if badges else "",
        *(f'<p class="warning">{esc(note)}</p>' for note in survey.notes),
        str(
            chart(
                lambda size: figures.figure_survey(results, survey.name, size),
                f"answers to the question on {survey.label}, per arm",
            )
        ),
        _arms_table(results, survey),
        _comparisons_table(results, survey) if survey.contrasts else "",
        _reasons_table(results, survey) if survey.reasons else "",
    ]
    if survey.outcomes:
        parts.append(f'<p class="sentence">{esc(survey.outcomes)}</p>')
    return "".join(parts)


def why_section(results: Results) -> Html:
    """Every survey question, in the experiment's order (or why there is nothing to show)."""
    if not results.surveys:
        return Html(
            "<p>No survey questions are configured (`surveys` in the experiment file), so the "
            "report says what each version did, not why.</p>"
        )
    return Html("".join(question_section(results, s) for s in results.surveys))
