"""The why: what survey answers say per version, in numbers and one sentence per question.

From each question's posterior answer shares (population-weighted, per asked arm): the
distribution of answers, the mean rating with its interval, the chance one version is rated
higher than another, for a question asked of everyone the shift against the holdout with a
verdict in the campaign's four words, and for choices the answers whose shares differ. Arms
with fewer than `min_answers` answers are shown but never compared.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from relevance.checks.surveys import ResponseRates, response_rates
from relevance.config import Experiment, SurveyConfig
from relevance.decide.decision import Decision
from relevance.decide.uplift import OVERALL, rope_verdict
from relevance.io.cells import Cells
from relevance.io.surveys import SurveyCells
from relevance.language import money, number, percent, percent_share, version_label
from relevance.model.survey import SurveyFit
from relevance.results import (
    PER,
    AnswerShare,
    ReasonShift,
    Summary,
    SurveyArm,
    SurveyContrast,
    SurveyResult,
    Verdict,
)


def _summary(draws: np.ndarray, share: float) -> Summary:
    tail = (1 - share) / 2
    return Summary(
        mean=float(draws.mean()),
        low=float(np.quantile(draws, tail)),
        high=float(np.quantile(draws, 1 - tail)),
    )


def _arm_name(arm: str, experiment: Experiment) -> str:
    """'the holdout' or 'Version B'."""
    return "the holdout" if arm == experiment.arms.holdout else version_label(arm)


def _possessive(arm: str, experiment: Experiment) -> str:
    return "the holdout's" if arm == experiment.arms.holdout else f"{version_label(arm)}'s"


def _rating(value: float, decimals: int = 1) -> str:
    """A mean rating as people write it: '3.6', '−0.4', never '-0.0'."""
    text = f"{value:.{decimals}f}"
    return "0." + "0" * decimals if float(text) == 0 else text.replace("-", "−")


def _pair(a: float, b: float) -> tuple[str, str]:
    """Two mean ratings to one decimal, or two when one decimal would show them equal."""
    if _rating(a) != _rating(b):
        return _rating(a), _rating(b)
    return _rating(a, 2), _rating(b, 2)


def _scale(survey: SurveyConfig) -> str:
    """'of 5' for a rating from 1 to 5, 'on 0 to 10' for any other range."""
    levels = sorted(survey.levels or (1,))
    low, high = (str(level).replace("-", "−") for level in (levels[0], levels[-1]))
    return f"of {high}" if levels[0] == 1 else f"on {low} to {high}"


def _higher(survey: SurveyConfig) -> str:
    """How a higher rating reads: 'more relevant', else 'higher on relevance'."""
    return survey.comparative or f"higher on {survey.display}"


def _who(survey: SurveyConfig) -> str:
    return survey.who or "customers"


def _does(verdict: Verdict) -> str:
    """'beats sending nothing', 'is harmful': a verdict after a version's name."""
    return verdict.value if verdict is Verdict.BEATS else f"is {verdict.value}"


def _arm_records(
    survey: SurveyConfig,
    arms: tuple[str, ...],
    counts: np.ndarray,
    rates: ResponseRates,
    shares: np.ndarray | None,
    share: float,
) -> list[SurveyArm]:
    """Per asked arm: who answered, each answer's share and (ratings) the mean answer."""
    records = []
    levels = np.array(sorted(survey.levels or ()), dtype=float)
    for index, arm in enumerate(arms):
        answered = int(counts[index].sum())
        answer_shares = [
            AnswerShare(
                answer=code,
                label=label,
                answers=int(counts[index, k]),
                share=float(shares[:, index, k].mean()) if shares is not None else 0.0,
                share_low=_summary(shares[:, index, k], share).low if shares is not None else 0.0,
                share_high=_summary(shares[:, index, k], share).high if shares is not None else 0.0,
            )
            for k, (code, label) in enumerate(zip(survey.codes, survey.answer_labels, strict=True))
        ]
        mean = None
        if survey.kind == "rating" and shares is not None:
            mean = _summary(shares[:, index, :] @ levels, share)
        records.append(
            SurveyArm(
                arm=arm,
                asked=rates.asked[index],
                respondents=answered,
                response_rate=rates.rates[index],
                enough=answered >= survey.min_answers,
                shares=answer_shares,
                mean=mean,
            )
        )
    return records


def _pairs(experiment: Experiment, survey: SurveyConfig) -> list[tuple[str, str]]:
    """What a question compares: versions with each other, and with everyone asked also each
    version against the holdout (version first)."""
    versions = list(experiment.arms.versions)
    pairs = list(itertools.combinations(versions, 2))
    if survey.asked == "everyone":
        pairs = [(v, experiment.arms.holdout) for v in versions] + pairs
    return pairs


def _contrasts(
    experiment: Experiment,
    survey: SurveyConfig,
    arms: tuple[str, ...],
    shares: np.ndarray,
    enough: dict[str, bool],
) -> list[SurveyContrast]:
    """Mean rating differences of every compared pair with enough answers on both sides."""
    levels = np.array(sorted(survey.levels or ()), dtype=float)
    means = shares @ levels  # (sample, arm)
    position = {arm: i for i, arm in enumerate(arms)}
    sign = 1.0 if survey.direction == "increase" else -1.0
    rope = survey.practically_nothing
    threshold = experiment.decision.probability
    found = []
    for arm, against in _pairs(experiment, survey):
        if not (enough[arm] and enough[against]):
            continue
        difference = means[:, position[arm]] - means[:, position[against]]
        record = {
            "arm": arm,
            "against": against,
            "difference": _summary(difference, experiment.decision.interval),
            "p_higher": float(np.mean(difference > 0)),
        }
        if against == experiment.arms.holdout:
            better = float(np.mean(sign * difference > rope))
            worse = float(np.mean(sign * difference < -rope))
            record |= {
                "p_better_beyond_rope": better,
                "p_inside_rope": 1.0 - better - worse,
                "p_worse_beyond_rope": worse,
                "verdict": rope_verdict(better, 1.0 - better - worse, worse, threshold),
            }
        found.append(SurveyContrast(**record))
    return found


def _reasons(
    experiment: Experiment,
    survey: SurveyConfig,
    arms: tuple[str, ...],
    shares: np.ndarray,
    enough: dict[str, bool],
) -> list[ReasonShift]:
    """Each answer's share in every compared pair: the difference and whether it matters."""
    position = {arm: i for i, arm in enumerate(arms)}
    rope, threshold = survey.practically_nothing, experiment.decision.probability
    found = []
    for arm, against in _pairs(experiment, survey):
        if not (enough[arm] and enough[against]):
            continue
        for k, (code, label) in enumerate(zip(survey.codes, survey.answer_labels, strict=True)):
            difference = shares[:, position[arm], k] - shares[:, position[against], k]
            found.append(
                ReasonShift(
                    answer=code,
                    label=label,
                    arm=arm,
                    against=against,
                    difference=_summary(difference, experiment.decision.interval),
                    p_more=float(np.mean(difference > 0)),
                    differs=max(np.mean(difference > rope), np.mean(difference < -rope))
                    >= threshold,
                )
            )
    return found


def _too_few(experiment: Experiment, survey: SurveyConfig, records: list[SurveyArm]) -> str:
    listed = ", ".join(f"{_arm_name(r.arm, experiment)} {r.respondents:,}" for r in records)
    return (
        f"Too few answers to compare {survey.display}: {listed} (at least "
        f"{survey.min_answers:,} from each needed)."
    )


def _rating_sentence(
    experiment: Experiment,
    survey: SurveyConfig,
    records: list[SurveyArm],
    contrasts: list[SurveyContrast],
) -> str:
    """One sentence: which version customers rate higher, or each version against the holdout."""
    mean = {r.arm: r.mean.mean for r in records if r.mean is not None}
    versions = [r.arm for r in records if r.enough and r.arm in experiment.arms.versions]
    scale, who = _scale(survey), _who(survey)
    if survey.asked == "everyone":
        parts = []
        for c in contrasts:
            if c.against != experiment.arms.holdout or c.verdict is None:
                continue
            shown = f"{_rating(mean[c.arm], 2)} vs {_rating(mean[c.against], 2)}"
            band = f"{number(survey.practically_nothing)} points"
            if c.verdict is Verdict.IRRELEVANT:
                detail = f"{shown} {scale}, within ±{band}"
            elif c.verdict is Verdict.INCONCLUSIVE:
                detail = f"{shown} {scale}; not clear yet"
            else:
                chance = max(c.p_better_beyond_rope or 0.0, c.p_worse_beyond_rope or 0.0)
                way = "higher" if c.difference.mean > 0 else "lower"
                detail = (
                    f"{shown} {scale}; chance it is {way} by more than {band}: {percent(chance)}"
                )
            parts.append(f"{version_label(c.arm)} {c.verdict.value} ({detail})")
        if not parts:
            return _too_few(experiment, survey, records)
        return f"{survey.display[:1].upper()}{survey.display[1:]} against sending nothing: {'; '.join(parts)}."
    if len(versions) < 2:
        if len(experiment.arms.versions) == 1 and versions:
            only = versions[0]
            return (
                f"Mean answer of {who} on {survey.display} for {version_label(only)}: "
                f"{_rating(mean[only])} {scale}."
            )
        return _too_few(experiment, survey, records)
    top = max(versions, key=lambda v: mean[v])
    clear, unclear = [], []
    for other in (v for v in versions if v != top):
        c = next(
            c
            for c in contrasts
            if {c.arm, c.against} == {top, other} and c.against != experiment.arms.holdout
        )
        chance = c.p_higher if c.arm == top else 1 - c.p_higher
        first, second = _pair(mean[top], mean[other])
        text = f"{version_label(other)} ({first} vs {second} {scale}; chance {percent(chance)})"
        (clear if chance >= experiment.decision.probability else unclear).append(text)
    who = f"{who[:1].upper()}{who[1:]}"
    if clear and not unclear:
        return f"{who} rate {version_label(top)} as {_higher(survey)} than {' and '.join(clear)}."
    if clear:
        return (
            f"{who} rate {version_label(top)} as {_higher(survey)} than {' and '.join(clear)}; "
            f"against {' and '.join(unclear)} it is not clear yet."
        )
    return (
        f"{who} may rate {version_label(top)} as {_higher(survey)} than "
        f"{' and '.join(unclear)}, but it is not clear yet."
    )


def _choice_sentence(
    experiment: Experiment,
    survey: SurveyConfig,
    records: list[SurveyArm],
    reasons: list[ReasonShift],
) -> str:
    """One sentence: which answers one arm's respondents give more or less often than another's."""
    pairs = list(dict.fromkeys((r.arm, r.against) for r in reasons))
    only = [r for r in records if r.enough]
    if not pairs and len(experiment.arms.versions) == 1 and len(only) == 1:
        top = max(only[0].shares, key=lambda s: s.share)
        return (
            f"{_possessive(only[0].arm, experiment)[:1].upper()}"
            f"{_possessive(only[0].arm, experiment)[1:]} {_who(survey)} most often say "
            f"'{top.label}' ({percent_share(top.share)})."
        )
    if not pairs:
        return _too_few(experiment, survey, records)
    who = _who(survey)
    parts = []
    for arm, against in pairs:
        found = [r for r in reasons if (r.arm, r.against) == (arm, against) and r.differs]
        if not found:
            continue
        share = {(rec.arm, s.answer): s.share for rec in records for s in rec.shares}
        clauses = []
        for r in sorted(found, key=lambda r: -abs(r.difference.mean)):
            # Name the arm where the answer is more common first.
            more, less = (arm, against) if r.difference.mean > 0 else (against, arm)
            chance = r.p_more if more == arm else 1 - r.p_more
            clauses.append(
                f"{_possessive(more, experiment)} {who} more often say '{r.label}' "
                f"({percent_share(share[(more, r.answer)])} vs "
                f"{percent_share(share[(less, r.answer)])} for {_arm_name(less, experiment)}; "
                f"chance {percent(chance)})"
            )
        parts.append("; ".join(clauses))
    if not parts:
        compared = " and ".join(
            f"{_possessive(a, experiment)} and {_possessive(b, experiment)}" for a, b in pairs
        )
        return (
            f"{compared[:1].upper()}{compared[1:]} {who} give much the same answers: no answer's "
            f"share differs by more than {percent_share(survey.practically_nothing)} with "
            f"{percent(experiment.decision.probability)} chance."
        )
    sentence = "; ".join(parts)
    return f"{sentence[:1].upper()}{sentence[1:]}."


def _choice_outcomes(
    experiment: Experiment, survey: SurveyConfig, reasons: list[ReasonShift], decision: Decision
) -> str | None:
    """When answers differ: how each version moved the outcome the question was asked among."""
    among = next((m for m in experiment.metrics if m.name == survey.among), None)
    if among is None or not any(r.differs for r in reasons):
        return None
    if any(n.metric == among.name for n in decision.not_estimable):
        return None
    uplift = {
        u.version: u
        for u in decision.uplifts
        if u.metric == among.name and (u.segment_column, u.segment_level) == OVERALL
    }
    symbol = among.symbol(experiment.decision.currency)
    changes = [
        f"{money(uplift[v].uplift_mean * PER, symbol, signed=True)}"
        f"{' per 1,000 recipients' if i == 0 else ''} with {version_label(v)}"
        for i, v in enumerate(experiment.arms.versions)
    ]
    listed = ", ".join(changes[:-1]) + (" and by " if len(changes) > 1 else "") + changes[-1]
    return f"Tied to the outcomes: against sending nothing, {among.display} change by {listed}."


def _shift_outcomes(
    experiment: Experiment,
    survey: SurveyConfig,
    contrasts: list[SurveyContrast],
    verdict: dict[str, Verdict],
) -> list[str]:
    """Asked of everyone: a clear shift against the holdout beside the version's verdict."""
    primary, parts = experiment.primary, []
    for c in contrasts:
        clear = c.verdict in (Verdict.BEATS, Verdict.HARMFUL)
        outcome = verdict.get(c.arm)
        if c.against != experiment.arms.holdout or not clear or outcome is None:
            continue
        feels = "better" if c.verdict is Verdict.BEATS else "worse"
        if outcome is c.verdict:
            parts.append(
                f"{version_label(c.arm)} {_does(outcome)} on {primary.display} too: the "
                "answers agree with the outcomes"
            )
        else:
            parts.append(
                f"{version_label(c.arm)} {_does(outcome)} on {primary.display}, yet its "
                f"recipients answer {feels} than the holdout on {survey.display}: a "
                f"{'gain' if feels == 'better' else 'cost'} the outcomes do not count"
            )
    return parts


def _rating_outcomes(
    experiment: Experiment,
    survey: SurveyConfig,
    contrasts: list[SurveyContrast],
    decision: Decision,
    verdict: dict[str, Verdict],
) -> list[str]:
    """Versions rated clearly apart: does the higher-rated one also do better on the primary?"""
    primary, threshold, parts = experiment.primary, experiment.decision.probability, []
    for c in contrasts:
        if c.against == experiment.arms.holdout or max(c.p_higher, 1 - c.p_higher) < threshold:
            continue
        rated, other = (c.arm, c.against) if c.p_higher >= 0.5 else (c.against, c.arm)
        comparison = next(
            (
                x
                for x in decision.comparisons
                if x.metric == primary.name and {x.version_a, x.version_b} == {rated, other}
            ),
            None,
        )
        if comparison is None:
            continue
        chance = comparison.p_a_better
        chance = chance if comparison.version_a == rated else 1 - chance
        if chance >= threshold:
            agree = "the answers agree with the outcomes"
        elif chance <= 1 - threshold:
            agree = "what customers say and what they do disagree"
        else:
            agree = "the outcomes do not yet separate the two"
        parts.append(
            f"{version_label(rated)}, rated {_higher(survey)}, {_does(verdict[rated])} on "
            f"{primary.display} (chance it does better than {version_label(other)} on "
            f"{primary.display}: {percent(chance)}): {agree}"
        )
    return parts


def _outcomes(
    experiment: Experiment,
    survey: SurveyConfig,
    contrasts: list[SurveyContrast],
    reasons: list[ReasonShift],
    decision: Decision,
) -> str | None:
    """A line tying the answers to what the campaign measured: the primary metric between the
    same versions, each version's verdict, or the outcome the question was asked among."""
    if any(n.metric == experiment.primary.name for n in decision.not_estimable):
        return None
    if survey.kind == "choice":
        return _choice_outcomes(experiment, survey, reasons, decision)
    verdict = {v.version: v.verdict for v in decision.verdicts}
    if survey.asked == "everyone":
        parts = _shift_outcomes(experiment, survey, contrasts, verdict)
    else:
        parts = _rating_outcomes(experiment, survey, contrasts, decision, verdict)
    return f"Tied to the outcomes: {'; '.join(parts)}." if parts else None


def survey_result(
    experiment: Experiment,
    cells: Cells,
    answers: SurveyCells,
    fitted: SurveyFit | None,
    decision: Decision,
) -> SurveyResult:
    """Everything one question says, with its sentence and notes."""
    survey = answers.survey
    arms = experiment.asked_arms(survey)
    rates = response_rates(experiment, cells, answers)
    counts = answers.by_arm(arms)
    shares = fitted.shares() if fitted is not None else None
    records = _arm_records(survey, arms, counts, rates, shares, experiment.decision.interval)
    enough = {r.arm: r.enough for r in records}
    contrasts: list[SurveyContrast] = []
    reasons: list[ReasonShift] = []
    notes = []
    reliable = fitted is None or fitted.diagnostics.reliable
    if shares is not None and survey.kind == "rating":
        contrasts = _contrasts(experiment, survey, arms, shares, enough)
    if shares is not None and survey.kind == "choice":
        reasons = _reasons(experiment, survey, arms, shares, enough)
    if fitted is None:
        sentence = f"Nobody answered the question on {survey.display}."
    elif survey.kind == "rating":
        sentence = _rating_sentence(experiment, survey, records, contrasts)
    else:
        sentence = _choice_sentence(experiment, survey, records, reasons)
    few = [r for r in records if not r.enough and r.respondents]
    if few and fitted is not None:
        notes.append(
            "Not compared: "
            + ", ".join(f"{_arm_name(r.arm, experiment)} ({r.respondents:,} answers)" for r in few)
            + f", fewer than the {survey.min_answers:,} needed."
        )
    if rates.differ:
        notes.append(
            f"Response rates differ between arms beyond chance ({rates.described()}): the "
            "comparison is among those who answered, who may differ between arms."
        )
    if not reliable and fitted is not None:
        notes.append(
            "The sampler did not converge for this question, so its numbers are not reliable "
            "yet: " + "; ".join(fitted.diagnostics.problems) + "."
        )
    outcomes = None
    if fitted is not None and reliable:
        outcomes = _outcomes(experiment, survey, contrasts, reasons, decision)
    return SurveyResult(
        name=survey.name,
        label=survey.display,
        question=survey.question,
        kind=survey.kind,
        asked=survey.asked,
        who=_who(survey),
        answers=list(survey.codes),
        answer_labels=list(survey.answer_labels),
        rope=survey.practically_nothing,
        min_answers=survey.min_answers,
        arms=records,
        contrasts=contrasts,
        reasons=reasons,
        response_p_value=rates.p_value,
        response_differs=rates.differ,
        reliable=reliable,
        problems=list(fitted.diagnostics.problems) if fitted is not None else [],
        sentence=sentence,
        notes=notes,
        outcomes=outcomes,
    )


def survey_results(
    experiment: Experiment,
    cells: Cells,
    answers: Sequence[SurveyCells],
    fits: Sequence[SurveyFit | None],
    decision: Decision,
) -> list[SurveyResult]:
    """Every question's result, in the experiment's order."""
    return [
        survey_result(experiment, cells, a, f, decision) for a, f in zip(answers, fits, strict=True)
    ]
