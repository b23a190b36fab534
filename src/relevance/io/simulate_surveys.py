"""Simulated survey answers with a known truth, beside a simulated campaign's outcomes.

Ratings are drawn from a cumulative-logit model (cut-points shared by everyone, a latent
shift per arm, per lifecycle stage and per version x stage), the shape the survey model fits;
choices from fixed answer shares per arm. Who answers is random: a response rate that may
depend on the stage (so respondents are not a mirror of the campaign) and, in a non-response
scenario, on the arm. Answers are drawn from their own random stream, so adding a question
never changes the campaign's outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class SimulatedRating:
    """A rating question (levels 1..K, K = len(cutpoints) + 1) and how customers answer it."""

    column: str
    asked: Literal["recipients", "everyone"]
    cutpoints: tuple[float, ...]  # logit cut-points: P(answer <= k) = sigmoid(c_k - shift)
    arm_shift: dict[str, float] = field(default_factory=dict)
    stage_shift: dict[str, float] = field(default_factory=dict)
    version_stage_shift: dict[str, dict[str, float]] = field(default_factory=dict)
    response: float = 0.05  # chance an asked customer answers
    response_by_stage: dict[str, float] = field(default_factory=dict)  # multipliers
    response_by_arm: dict[str, float] = field(default_factory=dict)  # multipliers

    def shift(self, arm: str, stage: str) -> float:
        """The latent shift of one arm in one lifecycle stage (higher: higher answers)."""
        return (
            self.arm_shift.get(arm, 0.0)
            + self.stage_shift.get(stage, 0.0)
            + self.version_stage_shift.get(arm, {}).get(stage, 0.0)
        )

    def distribution(self, arm: str, stage: str) -> np.ndarray:
        """P(each level) for one arm in one stage."""
        below = 1.0 / (1.0 + np.exp(-(np.array(self.cutpoints) - self.shift(arm, stage))))
        return np.diff(np.concatenate([[0.0], below, [1.0]]))


@dataclass(frozen=True)
class SimulatedChoice:
    """A choice question (one of `codes`) asked among those with an outcome, e.g. unsubscribed."""

    column: str
    codes: tuple[str, ...]
    shares: dict[str, tuple[float, ...]]  # per arm asked: the share of each code
    among: str = ""  # an outcome column: only its 1s are asked ("" asks everyone asked)
    asked: Literal["recipients", "everyone"] = "recipients"
    response: float = 0.5
    response_by_arm: dict[str, float] = field(default_factory=dict)


SimulatedQuestion = SimulatedRating | SimulatedChoice


def _asked_arms(question: SimulatedQuestion, arms: tuple[str, ...]) -> list[int]:
    return list(range(len(arms))) if question.asked == "everyone" else list(range(1, len(arms)))


def answer_columns(
    questions: tuple[SimulatedQuestion, ...],
    seed: int,
    arms: tuple[str, ...],
    stages: tuple[str, ...],
    arm: np.ndarray,
    stage: np.ndarray,
    outcomes: dict[str, np.ndarray],
) -> dict[str, pa.Array]:
    """One column per question: the answer of each customer who answered, else null.

    `arm` and `stage` are index arrays into `arms` (holdout first) and `stages`; `outcomes`
    holds the 0/1 outcome columns a choice may be asked among.
    """
    rng = np.random.default_rng([seed, 17])  # its own stream: outcomes stay as they were
    columns: dict[str, pa.Array] = {}
    for question in questions:
        asked = np.isin(arm, _asked_arms(question, arms))
        if isinstance(question, SimulatedChoice) and question.among:
            asked &= outcomes[question.among].astype(bool)
        chance = np.full(arm.shape, question.response)
        chance *= np.array([question.response_by_arm.get(a, 1.0) for a in arms])[arm]
        if isinstance(question, SimulatedRating):
            by_stage = [question.response_by_stage.get(s, 1.0) for s in stages]
            chance *= np.array(by_stage)[stage]
        answered = asked & (rng.random(arm.shape) < np.minimum(chance, 1.0))
        cell = arm.astype(np.int64) * len(stages) + stage
        if isinstance(question, SimulatedRating):
            table = np.array([question.distribution(a, s) for a in arms for s in stages])
            values = _draw(rng, np.cumsum(table, axis=1)[cell]) + 1
            columns[question.column] = pa.array(values.astype(np.int8), mask=~answered)
        else:
            table = np.array([question.shares.get(a, question.shares[arms[-1]]) for a in arms])
            table = table / table.sum(axis=1, keepdims=True)
            index = _draw(rng, np.cumsum(table, axis=1)[arm])
            labels = pa.array(list(question.codes), type=pa.string()).take(pa.array(index))
            columns[question.column] = pc.if_else(
                pa.array(answered), labels, pa.scalar(None, pa.string())
            )
    return columns


def _draw(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """A category index per row from each row's cumulative probabilities."""
    index = (rng.random(cumulative.shape[0])[:, None] > cumulative[:, :-1]).sum(axis=1)
    return index.astype(np.int64)


def true_answers(
    question: SimulatedQuestion, arms: tuple[str, ...], stage_weights: dict[str, float]
) -> pd.DataFrame:
    """The exact share of each answer per asked arm over the population (and the mean rating).

    Ratings average the stages with `stage_weights` (the campaign's customers); choice shares
    do not depend on the stage. Columns: arm, answer (code), share, mean (ratings, else NaN).
    """
    rows = []
    for index in _asked_arms(question, arms):
        arm = arms[index]
        if isinstance(question, SimulatedRating):
            total = sum(stage_weights.values())
            shares = sum(
                weight / total * question.distribution(arm, stage)
                for stage, weight in stage_weights.items()
            )
            codes = [str(level) for level in range(1, len(shares) + 1)]
            mean = float(np.arange(1, len(shares) + 1) @ shares)
        else:
            given = np.array(question.shares.get(arm, question.shares[arms[-1]]))
            shares, codes, mean = given / given.sum(), list(question.codes), float("nan")
        rows += [
            {"arm": arm, "answer": code, "share": float(share), "mean": mean}
            for code, share in zip(codes, shares, strict=True)
        ]
    return pd.DataFrame(rows, columns=["arm", "answer", "share", "mean"])
