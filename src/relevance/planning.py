"""Holdout planning: how big a no-send holdout to keep before a campaign is sent.

A larger holdout makes the verdict against sending nothing clearer, but every customer held out
misses the email and the purchases it would have earned. For each candidate holdout share this
module estimates the *assurance* -- the probability that the experiment ends with a conclusive
verdict (beats sending nothing, irrelevant or harmful, by the same ROPE rule as
:mod:`relevance.decision`) when the true uplift is the expected one -- and the revenue forgone.

Assurance is simulated: binomial conversions per arm, the exact conjugate posterior
Beta(1 + s, 1 + n - s) per arm (flat prior), posterior draws of the uplift and the verdict.
:func:`assurance_normal` gives the same quantity analytically under a normal approximation;
the tests use it as an independent check. All rates and uplifts are absolute per recipient
(0.004 = 0.4 percentage points = 4 conversions per 1,000 recipients).
"""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from relevance.config import Strict
from relevance.language import percent

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

NORMAL = NormalDist()  # standard normal (stdlib: keeps the import light, no scipy.stats)

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
GREY = "#999999"

# Posterior draws held in memory at once per arm (float64: 16 MB), bounding memory for any size.
CHUNK_DRAWS = 2_000_000
# Two-stage posterior sampling: experiments within SCREEN_Z Monte Carlo standard errors of the
# threshold after the first quarter of the draws get the rest (needs >= 4 x SCREEN_MIN_DRAWS).
SCREEN_Z = 5.0
SCREEN_MIN_DRAWS = 100
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
    seed: int = Field(20261123, description="seed of the simulation (same seed, same plan)")
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


class Assurance(BaseModel):
    """Chances of each verdict for one holdout size, when the true uplift is the expected one."""

    model_config = ConfigDict(frozen=True)

    assurance: float = Field(description="P(conclusive verdict) = P(beats + irrelevant + harmful)")
    p_beats: float
    p_irrelevant: float
    p_harmful: float
    p_inconclusive: float
    posterior_sd: float = Field(description="expected posterior sd of the uplift, per recipient")
    mc_error: float = Field(0.0, description="Monte Carlo standard error of the assurance")


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

    def table(self) -> pd.DataFrame:
        """A readable table for the notebook: percentages, people and money."""
        import pandas as pd

        money = f"revenue forgone ({self.inputs.currency or 'currency'})"
        return pd.DataFrame(
            {
                "holdout share (%)": [r.share * 100 for r in self.rows],
                "held out (people)": [r.holdout for r in self.rows],
                "clear verdict (%)": [round(r.assurance * 100, 1) for r in self.rows],
                "± (Monte Carlo, %)": [round(r.mc_error * 100, 1) for r in self.rows],
                "beats (%)": [round(r.p_beats * 100, 1) for r in self.rows],
                "irrelevant (%)": [round(r.p_irrelevant * 100, 1) for r in self.rows],
                "harmful (%)": [round(r.p_harmful * 100, 1) for r in self.rows],
                "posterior sd (per 1,000)": [round(r.posterior_sd * 1000, 2) for r in self.rows],
                "conversions forgone": [round(r.conversions_forgone, 1) for r in self.rows],
                money: [round(r.revenue_forgone, 2) for r in self.rows],
            }
        )


def holdout_size(share: float, recipients: int) -> int:
    """Recipients held out for a share (rounded to whole people)."""
    return round(share * recipients)


def _verdict_shares(
    p_better: np.ndarray, p_worse: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean (harmful, beats, irrelevant) per experiment: decision.rope_verdict, vectorised."""
    p_inside = 1.0 - p_better - p_worse  # exactly as relevance.decision.summarise_uplift
    harmful = p_worse >= threshold
    beats = ~harmful & (p_better >= threshold)
    irrelevant = ~harmful & ~beats & (p_inside >= threshold)
    return harmful, beats, irrelevant


def _rope_counts(
    rng: np.random.Generator, alpha: np.ndarray, beta: np.ndarray, rope: float, draws: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per experiment, how many of `draws` exact Beta posterior draws of the uplift fall above
    +rope and below -rope; alpha and beta are (experiment, arm) with the holdout first."""
    better = np.empty(len(alpha), dtype=np.int64)
    worse = np.empty(len(alpha), dtype=np.int64)
    chunk = max(1, CHUNK_DRAWS // draws)
    for start in range(0, len(alpha), chunk):
        part = slice(start, min(start + chunk, len(alpha)))
        shape = (part.stop - part.start, draws)
        control = rng.beta(alpha[part, :1], beta[part, :1], size=shape)
        treated = rng.beta(alpha[part, 1:], beta[part, 1:], size=shape)
        delta = treated - control
        better[part] = np.count_nonzero(delta > rope, axis=1)
        worse[part] = np.count_nonzero(delta < -rope, axis=1)
    return better, worse


def _undecided(
    p_better: np.ndarray, p_worse: np.ndarray, threshold: float, draws: int
) -> np.ndarray:
    """Experiments whose ROPE probabilities, estimated from `draws` draws, are within
    SCREEN_Z Monte Carlo standard errors of the threshold: only these need more draws."""
    near = np.zeros(len(p_better), dtype=bool)
    for p in (p_better, p_worse, 1.0 - p_better - p_worse):
        se = np.sqrt((p * (1 - p) + 1 / draws) / draws)
        near |= np.abs(p - threshold) <= SCREEN_Z * se
    return near


def assurance(
    *,
    baseline_rate: float,
    expected_uplift: float,
    rope: float,
    holdout: int,
    version: int,
    probability: float = 0.95,
    simulations: int = 2000,
    posterior_draws: int = 1000,
    seed: int = 20261123,
) -> Assurance:
    """Simulated chances of each verdict for a holdout of `holdout` and a version of `version`.

    Each simulated experiment draws binomial conversions per arm at the true rates (baseline and
    baseline + expected_uplift), then `posterior_draws` exact Beta(1 + s, 1 + n - s) draws per
    arm; the verdict follows the ROPE rule of :func:`relevance.decision.rope_verdict`.
    For speed the draws come in two stages: a quarter first, and the rest only for experiments
    whose ROPE probabilities are then within 5 Monte Carlo standard errors of the threshold
    (the others' verdicts cannot realistically change).
    """
    rng = np.random.default_rng(seed)
    rates = np.array([baseline_rate, baseline_rate + expected_uplift])
    sizes = np.array([holdout, version])
    successes = rng.binomial(sizes, rates, size=(simulations, 2))
    alpha = 1.0 + successes
    beta = 1.0 + sizes - successes
    first = posterior_draws // 4 if posterior_draws >= 4 * SCREEN_MIN_DRAWS else posterior_draws
    better, worse = _rope_counts(rng, alpha, beta, rope, first)
    p_better, p_worse = better / first, worse / first
    more = _undecided(p_better, p_worse, probability, first)
    if first < posterior_draws and more.any():
        extra_better, extra_worse = _rope_counts(
            rng, alpha[more], beta[more], rope, posterior_draws - first
        )
        p_better[more] = (better[more] + extra_better) / posterior_draws
        p_worse[more] = (worse[more] + extra_worse) / posterior_draws
    harmful, beats, irrelevant = _verdict_shares(p_better, p_worse, probability)
    total = alpha + beta
    variance = alpha * beta / (total**2 * (total + 1))  # exact Beta posterior variance per arm
    conclusive = float(np.mean(harmful | beats | irrelevant))
    return Assurance(
        assurance=conclusive,
        p_beats=float(beats.mean()),
        p_irrelevant=float(irrelevant.mean()),
        p_harmful=float(harmful.mean()),
        p_inconclusive=1.0 - conclusive,
        posterior_sd=float(np.sqrt(variance.sum(axis=1)).mean()),
        mc_error=math.sqrt(conclusive * (1 - conclusive) / simulations),
    )


def _irrelevant_half_width(rope: float, sd: float, probability: float) -> float | None:
    """Largest |estimate| whose normal posterior N(estimate, sd²) puts `probability` in the ROPE."""
    if rope <= 0 or sd <= 0:
        return None

    def inside(estimate: float) -> float:
        return NORMAL.cdf((rope - estimate) / sd) - NORMAL.cdf((-rope - estimate) / sd)

    if inside(0.0) < probability:
        return None
    low, high = 0.0, rope  # inside() falls from >= probability at 0 to < 0.5 at rope: bisect
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if inside(middle) >= probability else (low, middle)
    return low


def assurance_normal(
    *,
    baseline_rate: float,
    expected_uplift: float,
    rope: float,
    holdout: int,
    version: int,
    probability: float = 0.95,
) -> Assurance:
    """Analytic assurance under the normal approximation (independent check of :func:`assurance`).

    The estimate of the uplift is N(expected_uplift, sd²) with
    sd = sqrt(p0(1-p0)/n0 + p1(1-p1)/n1), and the posterior is N(estimate, sd²) (flat prior).
    Beats when estimate >= rope + z sd, harmful when estimate <= -rope - z sd
    (z = Phi^-1(probability)), irrelevant when |estimate| <= c with P(|delta| <= rope) = probability.
    """
    p0, p1 = baseline_rate, baseline_rate + expected_uplift
    sd = math.sqrt(p0 * (1 - p0) / holdout + p1 * (1 - p1) / version)
    z = NORMAL.inv_cdf(probability)
    p_beats = float(NORMAL.cdf((expected_uplift - rope) / sd - z))
    p_harmful = float(NORMAL.cdf((-rope - expected_uplift) / sd - z))
    half = _irrelevant_half_width(rope, sd, probability)
    p_irrelevant = (
        0.0
        if half is None
        else float(
            NORMAL.cdf((half - expected_uplift) / sd) - NORMAL.cdf((-half - expected_uplift) / sd)
        )
    )
    conclusive = p_beats + p_harmful + p_irrelevant
    return Assurance(
        assurance=conclusive,
        p_beats=p_beats,
        p_irrelevant=p_irrelevant,
        p_harmful=p_harmful,
        p_inconclusive=1.0 - conclusive,
        posterior_sd=sd,
    )


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


def _money(value: float, currency: str) -> str:
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
        cost = (
            f"at a cost of about {_money(best.revenue_forgone, inputs.currency)} in forgone "
            f"purchases ({_round2(best.conversions_forgone):,g} conversions) per send"
            if best.revenue_forgone > 0
            else "at no expected cost in purchases, since the email is not expected to earn any"
        )
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
            f"({inputs.expected_uplift * 1000:g} per 1,000) is too close to the edge of the "
            f"region that would matter (±{inputs.rope * 1000:g} per 1,000)."
        )
    sends = math.ceil(needed / inputs.recipients)
    return (
        f"{start} Keeping {top.share * 100:g}% out would need about "
        f"{_round2(needed):,.0f} recipients in total: repeat the campaign about {sends} times "
        f"with the same holdout and analyse the sends together."
    )


def plan(inputs: PlanInputs) -> Plan:
    """Assurance, verdict chances and cost for every holdout share, and the recommendation.

    Each share is simulated with the same seed (common random numbers), so a share's row does
    not depend on which other shares are listed and rows differ only by the holdout size.
    """
    rows = []
    for share in inputs.holdout_shares:
        held = holdout_size(share, inputs.recipients)
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
        rows.append(
            PlanRow(
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
            )
        )
    best = next((r for r in rows if r.assurance >= inputs.target_assurance), None)
    needed = None if best is not None else recipients_needed(inputs, rows[-1].share)
    return Plan(
        inputs=inputs,
        rows=rows,
        recommended_share=None if best is None else best.share,
        recipients_needed=needed,
        sentence=_sentence(inputs, rows, best, needed),
    )


def _axes(figure: Figure, ylabel: str):
    axes = figure.add_subplot()
    axes.set_xlabel("Holdout: share of recipients kept out of the email (%)")
    axes.set_ylabel(ylabel)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    axes.set_axisbelow(True)
    return axes


def figure_assurance(plan: Plan) -> Figure:
    """Chance of a clear verdict against the holdout share, with the target and recommendation."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = _axes(figure, "Chance of a clear verdict (%)")
    shares = np.array([r.share * 100 for r in plan.rows])
    values = np.array([r.assurance * 100 for r in plan.rows])
    errors = np.array([2 * r.mc_error * 100 for r in plan.rows])
    axes.errorbar(
        shares, values, yerr=errors, color=BLUE, marker="o", capsize=3,
        label="simulated (±2 Monte Carlo s.e.)",
    )  # fmt: skip
    axes.plot(
        shares, [r.assurance_normal * 100 for r in plan.rows], color=GREEN, linestyle=":",
        marker="s", markersize=4, label="normal approximation",
    )  # fmt: skip
    target = plan.inputs.target_assurance * 100
    axes.axhline(target, color=VERMILLION, linestyle="--", linewidth=1.2)
    axes.annotate(
        f"target {target:g}%", (shares[0], target), xytext=(0, 4), textcoords="offset points",
        color=VERMILLION, fontsize=9,
    )  # fmt: skip
    best = plan.recommended
    if best is not None:
        axes.plot(
            best.share * 100, best.assurance * 100, marker="o", markersize=13, fillstyle="none",
            color=VERMILLION, linestyle="none", label=f"recommended: {best.share * 100:g}%",
        )  # fmt: skip
    axes.set_ylim(0, 102)
    axes.set_xlim(0, shares.max() * 1.08)
    axes.set_xticks(shares, [f"{s:g}" for s in shares])
    axes.legend(frameon=False, loc="lower right", fontsize=9)
    return figure


def figure_cost(plan: Plan) -> Figure:
    """Revenue forgone per send (the holdout's missed purchases) against the holdout share."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    currency = plan.inputs.currency
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = _axes(figure, f"Revenue forgone per send ({currency or 'currency'})")
    shares = np.array([r.share * 100 for r in plan.rows])
    costs = np.array([r.revenue_forgone for r in plan.rows])
    colours = [VERMILLION if r.share == plan.recommended_share else BLUE for r in plan.rows]
    width = 0.6 * (np.min(np.diff(shares)) if len(shares) > 1 else shares[0])
    axes.bar(shares, costs, width=width, color=colours)
    for share, cost, row in zip(shares, costs, plan.rows, strict=True):
        axes.annotate(
            f"{_money(cost, currency)}\n{row.holdout:,} people", (share, cost), xytext=(0, 3),
            textcoords="offset points", ha="center", va="bottom", fontsize=8,
        )  # fmt: skip
    axes.set_xticks(shares, [f"{s:g}" for s in shares])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    top = costs.max() if costs.max() > 0 else 1.0
    axes.set_ylim(min(0.0, costs.min() * 1.2), top * 1.25)
    if plan.recommended_share is not None:
        axes.legend(
            handles=[Patch(color=VERMILLION, label="recommended"), Patch(color=BLUE, label="other")],
            frameon=False, loc="upper left", fontsize=9,
        )  # fmt: skip
    return figure


def write_plan(plan: Plan, output_dir: Path | str) -> list[Path]:
    """Write plan.json and both figures (PNG) into `output_dir`; returns the files written."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "plan.json", folder / "assurance.png", folder / "cost.png"]
    files[0].write_text(plan.to_json() + "\n", encoding="utf-8")
    figure_assurance(plan).savefig(files[1], dpi=150)
    figure_cost(plan).savefig(files[2], dpi=150)
    return files


__all__ = [
    "Assurance",
    "Plan",
    "PlanInputs",
    "PlanRow",
    "assurance",
    "assurance_normal",
    "figure_assurance",
    "figure_cost",
    "plan",
    "recipients_needed",
    "write_plan",
]
