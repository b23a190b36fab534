"""Holdout planning: how big a no-send holdout to keep before a campaign is sent.

A larger holdout makes the verdict against sending nothing clearer, but every customer held
out misses the email and the purchases it would have earned.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from relevance.config import DEFAULT_SEED, MAX_SEED, Strict
from relevance.language import percent
from relevance.planning.assurance import assurance, assurance_normal
from relevance.results import PER

# Largest total recipients searched when no share reaches the target.
MAX_RECIPIENTS = 10**10


Share = Annotated[float, Field(gt=0, le=0.5)]


class PlanInputs(Strict):
    """What the planner needs: the campaign's size, its expected effect and the decision rule."""

    baseline_rate: float = Field(
        gt=0, lt=1, description="conversion rate per recipient without the email (0.03 = 3%)"
    )
    expected_uplift: float = Field(
        description="true uplift to plan for, absolute per recipient (0.004 = 4 per 1,000)"
    )
    rope: float = Field(
        ge=0, description="region of practical equivalence, absolute per recipient (0.001)"
    )
    recipients: int = Field(gt=1, description="recipients per send, holdout included")
    holdout_shares: list[Share] = Field(
        min_length=1, description="candidate holdout shares of recipients, each in (0, 0.5]"
    )
    value_per_conversion: float = Field(ge=0, description="currency earned per conversion")
    probability: float = Field(
        0.95, gt=0.5, lt=1, description="posterior probability a verdict needs (decision rule)"
    )
    target_assurance: float = Field(
        0.8, gt=0, lt=1, description="wanted chance that the test reaches a clear verdict"
    )
    simulations: int = Field(2000, ge=100, le=1_000_000, description="simulated experiments")
    posterior_draws: int = Field(
        1000, ge=100, le=100_000, description="exact Beta posterior draws per simulated experiment"
    )
    seed: int = Field(
        DEFAULT_SEED, ge=0, le=MAX_SEED, description="seed of the simulation (same seed, same plan)"
    )
    currency: str = Field("$", max_length=5, description="symbol shown before money")

    @field_validator("holdout_shares")
    @classmethod
    def _sorted_distinct(cls, shares: list[float]) -> list[float]:
        if len(set(shares)) != len(shares):
            raise ValueError(f"holdout shares must be distinct; got {shares}")
        return sorted(shares)

    @model_validator(mode="after")
    def _feasible(self) -> PlanInputs:
        treated = self.baseline_rate + self.expected_uplift
        if not 0 < treated < 1:
            raise ValueError(
                f"baseline_rate + expected_uplift must be a rate in (0, 1); got {treated:g}"
            )
        smallest = holdout_size(self.holdout_shares[0], self.recipients)
        if smallest < 1:
            raise ValueError(
                f"holdout share {self.holdout_shares[0]:g} of {self.recipients} recipients "
                "holds out nobody; use a larger share or more recipients"
            )
        return self


class PlanRow(BaseModel):
    """One candidate holdout share: its chances of a clear verdict and its cost."""

    model_config = ConfigDict(frozen=True)

    share: float = Field(description="share of recipients held out (0.05 = 5%)")
    holdout: int = Field(description="recipients held out (no email)")
    version: int = Field(description="recipients sent the email")
    assurance: float = Field(description="simulated P(conclusive verdict)")
    mc_error: float = Field(description="Monte Carlo standard error of the assurance")
    assurance_normal: float = Field(description="normal-approximation P(conclusive verdict)")
    p_beats: float
    p_irrelevant: float
    p_harmful: float
    p_inconclusive: float
    posterior_sd: float = Field(description="expected posterior sd of the uplift, per recipient")
    conversions_forgone: float = Field(description="holdout x expected_uplift, per send")
    revenue_forgone: float = Field(description="holdout x uplift x value, currency per send")
    refined: bool = Field(
        False, description="a share between the ones asked for, found by bisection"
    )


class Plan(BaseModel):
    """The planner's answer: every candidate share, the recommendation and its sentence."""

    model_config = ConfigDict(frozen=True)

    inputs: PlanInputs
    rows: list[PlanRow]
    recommended_share: float | None = Field(description="smallest share meeting the target")
    recipients_needed: int | None = Field(
        None,
        description="if no share meets the target: total recipients at the largest share that "
        "would (normal approximation); None if none would",
    )
    sentence: str = Field(description="the recommendation in plain language")

    @property
    def recommended(self) -> PlanRow | None:
        """The row of the recommended share, if any."""
        return next((r for r in self.rows if r.share == self.recommended_share), None)

    def to_json(self) -> str:
        """The plan as indented JSON (inputs, rows, recommendation, sentence)."""
        return self.model_dump_json(indent=2)

    def table_rows(self) -> list[dict[str, str]]:
        """The rows for people: percentages, whole people and money, formatted."""
        currency = self.inputs.currency
        valued = self.inputs.value_per_conversion > 0
        rows = []
        for r in self.rows:
            row = {
                "holdout share": f"{r.share * 100:g}%" + (" (found between)" if r.refined else ""),
                "held out": f"{r.holdout:,} people",
                "chance of a clear verdict": f"{percent(r.assurance)} (±{r.mc_error:.1%})",
                "beats / irrelevant / harmful": f"{percent(r.p_beats)} / "
                f"{percent(r.p_irrelevant)} / {percent(r.p_harmful)}",
                "precision (sd per 1,000)": f"{r.posterior_sd * PER:.2f}",
                "conversions forgone": f"{r.conversions_forgone:,.0f}",
            }
            if valued:
                row["revenue forgone"] = rough_money(r.revenue_forgone, currency)
            rows.append(row)
        return rows


def holdout_size(share: float, recipients: int) -> int:
    """Recipients held out for a share (rounded to whole people)."""
    return round(share * recipients)


def recipients_needed(inputs: PlanInputs, share: float) -> int | None:
    """Total recipients at `share` whose normal-approximation assurance reaches the target.

    None when no number up to 10 billion would (e.g. the expected uplift sits on the ROPE edge).
    """

    def reaches(total: int) -> bool:
        held = max(1, holdout_size(share, total))
        return (
            assurance_normal(
                baseline_rate=inputs.baseline_rate,
                expected_uplift=inputs.expected_uplift,
                rope=inputs.rope,
                holdout=held,
                version=total - held,
                probability=inputs.probability,
            ).assurance
            >= inputs.target_assurance
        )

    low, high = inputs.recipients, inputs.recipients
    while not reaches(high):
        low, high = high, high * 2
        if high > MAX_RECIPIENTS:
            return None
    while high - low > max(1, low // 1000):
        middle = (low + high) // 2
        low, high = (low, middle) if reaches(middle) else (middle, high)
    return high


def _round2(value: float) -> float:
    """Two significant figures: plans are rough, their sentences should say so."""
    return float(f"{value:.2g}")


def rough_money(value: float, currency: str) -> str:
    """An amount of money to two significant figures (plans are rough), e.g. '$3,200'."""
    return f"{currency}{_round2(value):,.0f}" if value >= 10 else f"{currency}{value:,.2f}"


def _likely(probability: float) -> str:
    """Calibrated words for a chance (IPCC-style: very likely >= 90%, likely >= 66%)."""
    if probability >= 0.99:
        return "almost certainly"
    if probability >= 0.9:
        return "very likely"
    if probability >= 0.66:
        return "likely"
    return "only possibly"


def _sentence(
    inputs: PlanInputs, rows: list[PlanRow], best: PlanRow | None, needed: int | None
) -> str:
    """The recommendation for marketers: how many to hold out, the chance of a verdict, the cost."""
    if best is not None:
        conversions = f"{_round2(best.conversions_forgone):,g} conversions"
        if best.revenue_forgone > 0:
            cost = (
                f"at a cost of about {rough_money(best.revenue_forgone, inputs.currency)} in "
                f"forgone purchases ({conversions}) per send"
            )
        elif best.conversions_forgone > 0:
            cost = (
                f"at a cost of about {conversions} forgone per send (give a value per conversion "
                "to see it in money)"
            )
        else:
            cost = "at no expected cost, since the email is not expected to change conversions"
        return (
            f"Keep {best.share * 100:g}% of recipients ({best.holdout:,} people) out of the "
            f"email: the test will {_likely(best.assurance)} ({percent(best.assurance)}) reach a "
            f"clear verdict, {cost}."
        )
    top = rows[-1]
    start = (
        f"No holdout share up to {top.share * 100:g}% is enough: even keeping {top.holdout:,} "
        f"people out, the test reaches a clear verdict only {percent(top.assurance)} of the "
        f"time (target {percent(inputs.target_assurance)})."
    )
    if needed is None:
        return (
            f"{start} No realistic number of recipients would settle it: the expected uplift "
            f"({inputs.expected_uplift * PER:g} per 1,000) is too close to the edge of the "
            f"region that would matter (±{inputs.rope * PER:g} per 1,000)."
        )
    sends = math.ceil(needed / inputs.recipients)
    return (
        f"{start} Keeping {top.share * 100:g}% out would need about "
        f"{_round2(needed):,.0f} recipients in total: repeat the campaign about {sends} times "
        f"with the same holdout and analyse the sends together."
    )


def simulate_share(inputs: PlanInputs, share: float, refined: bool = False) -> PlanRow:
    """One holdout share: simulated chances of each verdict, and what holding out costs.

    Every share is simulated with the same seed (common random numbers), so rows differ only
    by the holdout size and the chance of a verdict grows smoothly with the share.
    """
    held = max(1, holdout_size(share, inputs.recipients))
    design = {
        "baseline_rate": inputs.baseline_rate,
        "expected_uplift": inputs.expected_uplift,
        "rope": inputs.rope,
        "holdout": held,
        "version": inputs.recipients - held,
        "probability": inputs.probability,
    }
    simulated = assurance(
        **design,
        simulations=inputs.simulations,
        posterior_draws=inputs.posterior_draws,
        seed=inputs.seed,
    )
    conversions = held * inputs.expected_uplift
    return PlanRow(
        share=share,
        holdout=held,
        version=inputs.recipients - held,
        assurance=simulated.assurance,
        mc_error=simulated.mc_error,
        assurance_normal=assurance_normal(**design).assurance,
        p_beats=simulated.p_beats,
        p_irrelevant=simulated.p_irrelevant,
        p_harmful=simulated.p_harmful,
        p_inconclusive=simulated.p_inconclusive,
        posterior_sd=simulated.posterior_sd,
        conversions_forgone=conversions,
        revenue_forgone=conversions * inputs.value_per_conversion,
        refined=refined,
    )


REFINE_STEP = 0.005
"""Bisection stops when the share is known to half a percentage point."""


def smallest_share(inputs: PlanInputs, below: PlanRow, above: PlanRow) -> PlanRow:
    """The smallest share between two simulated ones that still reaches the target, by
    bisection to half a percentage point (the grid asked for may be coarse: 10% and 20%)."""
    low, high = below, above
    while high.share - low.share > REFINE_STEP:
        middle = round((low.share + high.share) / 2 / REFINE_STEP) * REFINE_STEP
        if middle in (low.share, high.share):
            break
        row = simulate_share(inputs, middle, refined=True)
        low, high = (low, row) if row.assurance >= inputs.target_assurance else (row, high)
    return high


def plan_holdout(inputs: PlanInputs) -> Plan:
    """Assurance, verdict chances and cost for every holdout share, and the recommendation:
    the smallest share that reaches the target (refined between the shares asked for)."""
    rows = [simulate_share(inputs, share) for share in inputs.holdout_shares]
    first = next((i for i, r in enumerate(rows) if r.assurance >= inputs.target_assurance), None)
    best = None if first is None else rows[first]
    if first is not None and first > 0:
        best = smallest_share(inputs, rows[first - 1], rows[first])
        if best.refined:
            rows = sorted([*rows, best], key=lambda r: r.share)
    needed = None if best is not None else recipients_needed(inputs, rows[-1].share)
    return Plan(
        inputs=inputs,
        rows=rows,
        recommended_share=None if best is None else best.share,
        recipients_needed=needed,
        sentence=_sentence(inputs, rows, best, needed),
    )
