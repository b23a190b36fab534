"""Survey answers: bad answers, respondents twice or not in the experiment, and non-response.

Answers that cannot be read (a rating out of range or not whole, an unknown reason) and
respondents who answered twice stop the run: which answer counts would be a guess. Answers
that cannot be placed (no id, not in the experiment, a holdout member asked about an email
never sent) are left out with a warning. Response rates that differ between arms beyond
chance are a warning too: the comparison is then among those who answered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc

from relevance.checks.base import counted, finding
from relevance.config import Experiment
from relevance.io.cells import Cells
from relevance.io.surveys import Problem, SurveyCells
from relevance.language import percent_share, version_label
from relevance.results import Finding, Severity

RESPONSE_P_VALUE = 0.001
"""Response rates differ 'beyond chance' below this p-value (the sample-ratio check's)."""


@dataclass(frozen=True)
class ResponseRates:
    """Who was asked and who answered, per asked arm, and whether the rates differ."""

    arms: tuple[str, ...]
    asked: tuple[int, ...]  # recipients asked: the arm, or its recipients with `among`
    respondents: tuple[int, ...]
    p_value: float | None  # chi-square test of equal response rates (None: not testable)

    @property
    def rates(self) -> tuple[float | None, ...]:
        """Share of those asked who answered, per arm."""
        return tuple(
            r / a if a else None for r, a in zip(self.respondents, self.asked, strict=True)
        )

    @property
    def differ(self) -> bool:
        """True when the rates differ between arms beyond chance."""
        return self.p_value is not None and self.p_value < RESPONSE_P_VALUE

    def described(self) -> str:
        """'Version A 5.1% (2,040 of 40,000), Version B 3.2% (...)'."""
        return ", ".join(
            f"{version_label(arm)} {percent_share(rate) if rate is not None else 'n/a'} "
            f"({r:,} of {a:,})"
            for arm, rate, r, a in zip(
                self.arms, self.rates, self.respondents, self.asked, strict=True
            )
        )


def response_rates(experiment: Experiment, cells: Cells, answers: SurveyCells) -> ResponseRates:
    """Response rate per asked arm, and a chi-square test that they are equal.

    Those asked are the arm's recipients, or with ``among`` its recipients with that outcome
    (e.g. the unsubscribers asked why).
    """
    survey = answers.survey
    arms = experiment.asked_arms(survey)
    per_arm = cells.keys["arm"].to_numpy()
    size = cells.n if survey.among is None else cells.stats[survey.among].events
    asked = [int(np.asarray(size)[per_arm == arm].sum()) for arm in arms]
    respondents = [int(row.sum()) for row in answers.by_arm(arms)]
    table = np.array([respondents, [a - r for a, r in zip(asked, respondents, strict=True)]])
    p_value = None
    testable = len(arms) > 1 and table.min() >= 0 and table.sum(axis=1).min() > 0
    if testable and table.sum(axis=0).min() > 0:
        expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
        chi2 = float(((table - expected) ** 2 / expected).sum())
        p_value = float(chdtrc(len(arms) - 1, chi2))
    return ResponseRates(arms, tuple(asked), tuple(respondents), p_value)


def _question(answers: SurveyCells, experiment: Experiment) -> str:
    index = experiment.surveys.index(answers.survey)
    return f"Survey question {answers.survey.display!r} (`surveys[{index}]`, {answers.source})"


def _problem_finding(experiment: Experiment, answers: SurveyCells, problem: Problem) -> Finding:
    """One finding per kind of problem, naming the question, the first row and the fix."""
    survey = answers.survey
    index = experiment.surveys.index(survey)
    question = _question(answers, experiment)
    example = f", e.g. {problem.example.describe(answers.unit)}" if problem.example else ""
    n = problem.count
    details = {"survey": survey.name, "rows": n}
    if problem.example is not None:
        details |= {"example_row": problem.example.row, "example_unit": problem.example.unit}
    if problem.kind == "bad_answer":
        seen = f" (values seen: {', '.join(repr(v) for v in problem.values)})"
        if survey.kind == "rating":
            levels = sorted(survey.levels or ())
            fix = (
                f"correct them to a whole number from {levels[0]} to {levels[-1]} (an empty "
                f"answer counts as no answer), or change `surveys[{index}].levels`"
            )
        else:
            fix = (
                f"write one of the codes {', '.join(survey.codes)} (or their words), or add the "
                f"answer to `surveys[{index}].choices`"
            )
        return finding(
            "survey_bad_answer",
            Severity.ERROR,
            f"{question}: {counted(n, 'answer')} {'is' if n == 1 else 'are'} {problem.reason}"
            f"{example}{seen if len(problem.values) > 1 else ''}.",
            fix,
            **details,
        )
    if problem.kind == "duplicated":
        return finding(
            "survey_answered_twice",
            Severity.ERROR,
            f"{question}: {counted(n, 'respondent')} answered more than once "
            f"({counted(problem.extra, 'extra row')}){example}; which answer counts is unclear.",
            "keep one answer per respondent (e.g. their latest) in the survey data",
            **details,
        )
    if problem.kind == "unmatched":
        matched = answers.respondents
        severity = Severity.WARNING if matched else Severity.ERROR
        return finding(
            "survey_not_in_experiment",
            severity,
            f"{question}: {counted(n, 'answer')} {'comes' if n == 1 else 'come'} from "
            f"respondents who are not in the experiment's data{example}; "
            + ("they are left out." if matched else "no answer can be placed in an arm."),
            None
            if matched
            else f"check that `{answers.unit}` holds the same recipient ids as the data's "
            f"`{experiment.data.unit_id}`, written the same way (e.g. no leading zeros)",
            **details,
        )
    if problem.kind == "no_id":
        return finding(
            "survey_no_id",
            Severity.WARNING,
            f"{question}: {counted(n, 'answer')} {'has' if n == 1 else 'have'} no respondent id "
            f"(empty `{answers.unit}`){example}; they are left out.",
            **details,
        )
    return finding(
        "survey_holdout_answers",
        Severity.WARNING,
        f"{question}: {counted(n, 'answer')} {'comes' if n == 1 else 'come'} from holdout "
        f"members, who were sent no email{example}; they are left out of a question asked of "
        "recipients.",
        f"if the holdout was asked too, set `surveys[{index}].asked: everyone`",
        **details,
    )


def survey_findings(
    experiment: Experiment, cells: Cells, surveys: list[SurveyCells]
) -> list[Finding]:
    """Every survey question's problems and its response rates per arm."""
    findings = []
    for answers in surveys:
        findings += [_problem_finding(experiment, answers, p) for p in answers.problems]
        question = _question(answers, experiment)
        if not answers.respondents:
            findings.append(
                finding(
                    "survey_no_answers",
                    Severity.WARNING,
                    f"{question} has no answers from the arms it was asked in, so it is not "
                    "analysed.",
                    survey=answers.survey.name,
                )
            )
            continue
        rates = response_rates(experiment, cells, answers)
        details = {
            "survey": answers.survey.name,
            "p_value": rates.p_value,
            "arms": {
                arm: {"asked": a, "answered": r}
                for arm, a, r in zip(rates.arms, rates.asked, rates.respondents, strict=True)
            },
        }
        if rates.differ:
            findings.append(
                finding(
                    "survey_response_differs",
                    Severity.WARNING,
                    f"{question}: response rates differ between arms beyond chance "
                    f"({rates.described()}; p = {rates.p_value:.2g}), so its answers compare "
                    "those who chose to answer, who may differ between arms.",
                    **details,
                )
            )
        else:
            findings.append(
                finding(
                    "survey_response",
                    Severity.INFO,
                    f"{question}: response rates {rates.described()}"
                    + (f" (p = {rates.p_value:.2g})." if rates.p_value is not None else "."),
                    **details,
                )
            )
    return findings
