"""What survey answers say, from posterior answer shares with known values (no sampling: the
shares stand in for a fitted model, whose numbers tests/model and tests/test_survey_statistics
check). Each sentence, note and tie to the outcomes, as a marketer reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from handmade import UNSUBSCRIBE, handmade_results
from minimal_results import PURCHASE
from relevance.config import Experiment, load_experiment
from relevance.decide.decision import Decision
from relevance.decide.surveys import survey_result
from relevance.io.cells import Cells
from relevance.io.surveys import SurveyCells
from relevance.results import Verdict

DRAWS = 4_000
RATING = {
    "name": "relevance",
    "label": "relevance",
    "kind": "rating",
    "column": "rating",
    "levels": [1, 2, 3, 4, 5],
    "comparative": "more relevant",
}
FEELING = {
    "name": "feeling",
    "label": "how customers feel about our emails",
    "kind": "rating",
    "column": "feeling",
    "levels": [1, 2, 3, 4, 5],
    "asked": "everyone",
}
REASON = {
    "name": "reason",
    "label": "why they unsubscribed",
    "kind": "choice",
    "column": "reason",
    "choices": {
        "too_many": "too many emails",
        "not_relevant": "not relevant to me",
        "other": "other",
    },
    "among": "unsubscribe",
    "who": "unsubscribers",
}


@dataclass
class Diagnostics:
    reliable: bool = True
    problems: list[str] = field(default_factory=list)


@dataclass
class KnownShares:
    """Stands in for a fitted survey model: posterior draws of each arm's answer shares."""

    draws: np.ndarray
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    def shares(self) -> np.ndarray:
        return self.draws


def known_shares(shares: list[list[float]], precision: float, seed: int = 1) -> KnownShares:
    """Dirichlet draws around `shares` per arm; larger `precision`, narrower intervals."""
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.dirichlet(np.array(s) * precision, size=DRAWS) for s in shares], axis=1)
    return KnownShares(draws)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Experiment:
    folder = tmp_path_factory.mktemp("surveys")
    metrics = [PURCHASE, {**UNSUBSCRIBE, "value": None}]
    return load_experiment(
        write_experiment(folder, metrics=metrics, surveys=[RATING, FEELING, REASON])
    )


def campaign_cells(
    experiment: Experiment, sizes: dict[str, int], unsubscribed: dict[str, int]
) -> Cells:
    frame = pd.DataFrame(
        {
            "arm": list(sizes),
            "n": list(sizes.values()),
            "purchase__n": list(sizes.values()),
            "purchase__ones": [0] * len(sizes),
            "unsubscribe__n": list(sizes.values()),
            "unsubscribe__ones": [unsubscribed[a] for a in sizes],
        }
    )
    return Cells.for_experiment(experiment, frame)


def answers(experiment: Experiment, name: str, table: dict[str, list[int]]) -> SurveyCells:
    survey = next(s for s in experiment.surveys if s.name == name)
    keys = pd.DataFrame({"arm": list(table)})
    return SurveyCells(survey, keys, np.array(list(table.values())), (), "test", "")


def decision() -> Decision:
    """The hand-made campaign's decisions: B beats sending nothing on purchases (and beats A
    with chance 99.9%), A is irrelevant; B adds unsubscribes."""
    r = handmade_results()
    return Decision(
        uplifts=r.uplifts,
        verdicts=r.verdicts,
        net_value=r.net_value,
        comparisons=r.comparisons,
        model_checks=r.model_checks,
        campaign=r.campaign,
        fatigue=[],
        not_estimable=[],
    )


SIZES = {"holdout": 20_000, "A": 40_000, "B": 40_000}
UNSUBSCRIBED = {"holdout": 50, "A": 100, "B": 200}


def result(
    experiment: Experiment, name: str, table: dict[str, list[int]], fitted: Any, **cells: Any
):
    base = campaign_cells(experiment, cells.get("sizes", SIZES), UNSUBSCRIBED)
    return survey_result(experiment, base, answers(experiment, name, table), fitted, decision())


def test_recipients_rating_says_which_version_is_rated_higher_and_ties_it_to_purchases(
    experiment: Experiment,
) -> None:
    a = [0.10, 0.15, 0.30, 0.25, 0.20]  # mean 3.30
    b = [0.05, 0.10, 0.20, 0.35, 0.30]  # mean 3.75
    table = {"A": [200, 300, 600, 500, 400], "B": [100, 200, 400, 700, 600]}
    found = result(experiment, "relevance", table, known_shares([a, b], 2_000))
    assert found.sentence == (
        "Customers rate Version B as more relevant than Version A (3.8 vs 3.3 of 5; chance >99%)."
    )
    assert found.outcomes == (
        "Tied to the outcomes: Version B, rated more relevant, beats sending nothing on purchases "
        "(chance it does better than Version A on purchases: >99%): the answers agree with the "
        "outcomes."
    )
    (contrast,) = found.contrasts
    assert (contrast.arm, contrast.against) == ("A", "B") and contrast.p_higher < 0.01
    assert contrast.verdict is None  # versions compared with each other: no verdict
    assert [arm.respondents for arm in found.arms] == [2_000, 2_000]
    assert found.arms[0].response_rate == pytest.approx(2_000 / 40_000)
    assert found.arms[1].mean.mean == pytest.approx(3.75, abs=0.01)
    assert not found.notes


def test_close_ratings_are_not_called(experiment: Experiment) -> None:
    a = [0.10, 0.15, 0.30, 0.25, 0.20]
    b = [0.09, 0.15, 0.30, 0.26, 0.20]
    table = {"A": [20, 30, 60, 50, 40], "B": [18, 30, 60, 52, 40]}
    found = result(experiment, "relevance", table, known_shares([a, b], 200))
    assert found.sentence.startswith("Customers may rate Version B as more relevant than Version A")
    assert found.sentence.endswith("but it is not clear yet.")
    assert found.outcomes is None


def test_too_few_answers_get_no_comparison(experiment: Experiment) -> None:
    table = {"A": [2, 2, 4, 2, 2], "B": [100, 200, 400, 700, 600]}
    shares = known_shares([[0.2, 0.2, 0.3, 0.2, 0.1], [0.05, 0.1, 0.2, 0.35, 0.3]], 500)
    found = result(experiment, "relevance", table, shares)
    assert found.sentence == (
        "Too few answers to compare relevance: Version A 12, Version B 2,000 (at least 30 from "
        "each needed)."
    )
    assert found.notes[0] == "Not compared: Version A (12 answers), fewer than the 30 needed."
    assert "Version A 0.03% (12 of 40,000)" in found.notes[1]  # and they hardly answer at all
    assert not found.contrasts and found.outcomes is None
    assert [arm.enough for arm in found.arms] == [False, True]


def test_everyone_rating_gives_each_version_a_verdict_against_the_holdout(
    experiment: Experiment,
) -> None:
    same = [0.08, 0.15, 0.31, 0.27, 0.19]  # mean 3.34
    lower = [0.12, 0.20, 0.33, 0.22, 0.13]  # mean 3.04
    table = {
        "holdout": [80, 150, 310, 270, 190],
        "A": [160, 300, 620, 540, 380],
        "B": [240, 400, 660, 440, 260],
    }
    found = result(experiment, "feeling", table, known_shares([same, same, lower], 20_000))
    assert found.sentence.startswith(
        "How customers feel about our emails against sending nothing: "
    )
    assert "Version A irrelevant (3.34 vs 3.34 of 5, within ±0.10 points)" in found.sentence
    assert (
        "Version B harmful (3.04 vs 3.34 of 5; chance it is lower by more than 0.10 points: >99%)"
        in found.sentence
    )
    verdicts = {(c.arm, c.against): c.verdict for c in found.contrasts}
    assert verdicts[("A", "holdout")] is Verdict.IRRELEVANT
    assert verdicts[("B", "holdout")] is Verdict.HARMFUL
    assert verdicts[("A", "B")] is None
    assert found.outcomes == (
        "Tied to the outcomes: Version B beats sending nothing on purchases, yet its recipients "
        "answer worse than the holdout on how customers feel about our emails: a cost the "
        "outcomes do not count."
    )


def test_choice_names_the_reasons_that_differ_and_the_outcome_asked_among(
    experiment: Experiment,
) -> None:
    a = [0.2, 0.5, 0.3]
    b = [0.4, 0.3, 0.3]
    table = {"A": [20, 50, 30], "B": [80, 60, 60]}
    found = result(experiment, "reason", table, known_shares([a, b], 2_000))
    assert found.sentence == (
        "Version B's unsubscribers more often say 'too many emails' (40% vs 20% for Version A; "
        "chance >99%); Version A's unsubscribers more often say 'not relevant to me' (50% vs 30% "
        "for Version B; chance >99%)."
    )
    assert [r.differs for r in found.reasons] == [True, True, False]
    assert found.outcomes == (
        "Tied to the outcomes: against sending nothing, unsubscribes change by +0.10 per 1,000 "
        "recipients with Version A and by +3.10 with Version B."
    )
    assert [arm.asked for arm in found.arms] == [100, 200]  # the unsubscribers were asked


def test_choice_without_differences_says_so(experiment: Experiment) -> None:
    same = [0.3, 0.4, 0.3]
    found = result(
        experiment,
        "reason",
        {"A": [30, 40, 30], "B": [30, 40, 30]},
        known_shares([same, same], 2_000),
    )
    assert found.sentence == (
        "Version A's and Version B's unsubscribers give much the same answers: no answer's share "
        "differs by more than 2.0% with 95% chance."
    )
    assert found.outcomes is None


def test_response_that_differs_between_arms_is_a_note(experiment: Experiment) -> None:
    table = {"A": [200, 300, 600, 500, 400], "B": [50, 75, 150, 125, 100]}
    shares = known_shares([[0.1, 0.15, 0.3, 0.25, 0.2]] * 2, 2_000)
    found = result(experiment, "relevance", table, shares)
    assert found.response_differs and found.response_p_value < 1e-6
    assert found.notes == [
        "Response rates differ between arms beyond chance (Version A 5.0% (2,000 of 40,000), "
        "Version B 1.2% (500 of 40,000)): the comparison is among those who answered, who may "
        "differ between arms."
    ]


def test_a_sampler_that_did_not_converge_is_said_and_not_tied_to_outcomes(
    experiment: Experiment,
) -> None:
    fitted = known_shares([[0.1, 0.1, 0.2, 0.3, 0.3], [0.3, 0.3, 0.2, 0.1, 0.1]], 2_000)
    fitted.diagnostics = Diagnostics(False, ["too few effective draws (ESS 80 < 400)"])
    found = result(experiment, "relevance", {"A": [100] * 5, "B": [100] * 5}, fitted)
    assert not found.reliable and found.outcomes is None
    assert found.notes[-1].startswith("The sampler did not converge for this question")


def test_nobody_answered(experiment: Experiment) -> None:
    found = result(experiment, "relevance", {"A": [0] * 5, "B": [0] * 5}, None)
    assert found.sentence == "Nobody answered the question on relevance."
    assert all(arm.shares[0].share == 0 for arm in found.arms)


def test_one_version_reports_its_own_answers(tmp_path: Path) -> None:
    metrics = [PURCHASE]
    score = {**RATING, "levels": [-2, -1, 0, 1, 2], "label": "the offer"}
    reason = {**REASON, "among": None}
    experiment = load_experiment(
        write_experiment(
            tmp_path,
            arms={"holdout": "holdout", "versions": ["A"]},
            metrics=metrics,
            surveys=[score, reason],
        )
    )
    cells = campaign_cells(experiment, {"holdout": 1_000, "A": 4_000}, {"holdout": 0, "A": 0})
    rated = survey_result(
        experiment,
        cells,
        answers(experiment, "relevance", {"A": [10, 20, 40, 20, 10]}),
        known_shares([[0.1, 0.2, 0.4, 0.2, 0.1]], 2_000),
        decision(),
    )
    assert rated.sentence == "Mean answer of customers on the offer for Version A: 0.0 on −2 to 2."
    chosen = survey_result(
        experiment,
        cells,
        answers(experiment, "reason", {"A": [20, 50, 30]}),
        known_shares([[0.2, 0.5, 0.3]], 2_000),
        decision(),
    )
    assert chosen.sentence == "Version A's unsubscribers most often say 'not relevant to me' (50%)."
