"""Seeded synthetic campaigns with a no-send holdout and a known truth.

Every outcome is drawn from a logit-additive model (baseline + lifecycle stage + emails already
received this week + version effect), the same shape as the project's hierarchical logit
model, so the model is well specified on this data and `true_effects` is the exact target
a correct analysis must recover. Generation is vectorised numpy and the table is built
straight from numpy arrays with pyarrow, so 10 million recipients take seconds.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from relevance.io.outputs import refuse_unless_regular_file
from relevance.io.simulate_surveys import (
    SimulatedChoice,
    SimulatedQuestion,
    SimulatedRating,
    answer_columns,
)

LIFECYCLE_STAGES: Final[tuple[str, ...]] = (
    "acquisition",
    "activation",
    "retention",
    "reactivation",
)
"""Lifecycle stage levels, in reporting order."""

FATIGUE_BUCKETS: Final[tuple[str, ...]] = ("0", "1", "2", "3+")
"""Levels of `emails_prior_7d_bucket`; a level's index is its `bucket_index` (0..3)."""

METRICS: Final[tuple[str, ...]] = ("purchased", "revenue", "unsubscribed", "visited")
"""Outcomes with a known truth; all are defined for every recipient, holdout included."""

MAX_EMAILS_PRIOR_7D: Final[int] = 7
"""`emails_prior_7d` is a Poisson draw clipped at this value."""

SPEC_METADATA_KEY: Final[bytes] = b"relevance.simulate.spec"
"""Schema metadata key under which the generating `CampaignSpec` is stored as JSON."""

_N_STAGES: Final[int] = len(LIFECYCLE_STAGES)
_N_BUCKETS: Final[int] = len(FATIGUE_BUCKETS)
_N_CELLS: Final[int] = _N_STAGES * _N_BUCKETS
_ALLOCATION_TOLERANCE: Final[float] = 1e-9


def _logit(probability: float) -> float:
    """Log-odds of a probability in (0, 1)."""
    return math.log(probability / (1.0 - probability))


def _sigmoid(logit: np.ndarray) -> np.ndarray:
    """Inverse logit, elementwise."""
    return 1.0 / (1.0 + np.exp(-logit))


def _default_stage_shares() -> dict[str, float]:
    return {"acquisition": 0.2, "activation": 0.2, "retention": 0.45, "reactivation": 0.15}


def _default_stage_purchase_logit() -> dict[str, float]:
    return {"acquisition": -0.6, "activation": 0.0, "retention": 0.25, "reactivation": -0.3}


def _default_fatigue_purchase_logit() -> dict[str, float]:
    # Customers who already get many emails are the engaged ones: a higher baseline.
    return {"0": -0.1, "1": 0.0, "2": 0.1, "3+": 0.15}


def _default_fatigue_unsubscribe_logit() -> dict[str, float]:
    return {"0": 0.0, "1": 0.1, "2": 0.2, "3+": 0.35}


def _default_stage_visit_logit() -> dict[str, float]:
    return {"acquisition": -0.3, "activation": 0.1, "retention": 0.2, "reactivation": -0.4}


@dataclass(frozen=True)
class VersionEffect:
    """One email version: its planned allocation and its effects vs sending nothing.

    All effects are on the logit scale and added to the holdout's linear predictor, except
    `amount_log_effect`, which shifts the log of the amount a buyer spends. The purchase
    effect in a cell is `purchase_logit + purchase_stage_logit[stage]
    + purchase_fatigue_slope * bucket_index`.
    """

    name: str
    allocation: float
    purchase_logit: float = 0.0
    purchase_stage_logit: dict[str, float] = field(default_factory=dict)
    purchase_fatigue_slope: float = 0.0
    amount_log_effect: float = 0.0
    unsubscribe_logit: float = 0.0
    visit_logit: float = 0.0

    def purchase_effect(self, stage: str, bucket: str) -> float:
        """Purchase effect on the logit scale for one (stage, bucket) cell."""
        return (
            self.purchase_logit
            + self.purchase_stage_logit.get(stage, 0.0)
            + self.purchase_fatigue_slope * FATIGUE_BUCKETS.index(bucket)
        )


@dataclass(frozen=True)
class CampaignSpec:
    """Everything that determines a synthetic campaign; same spec, same table.

    Baselines are logits for a recipient who was sent nothing; stage and fatigue entries
    are additive logit shifts (missing keys mean 0). `contamination` is the share of holdout
    members who were sent a version anyway (drawn by the versions' relative allocation);
    they get that version's effects, which dilutes the intention-to-treat contrast.
    Amounts are LogNormal(amount_log_mean, amount_log_sd) in currency units per buyer.
    """

    recipients: int
    seed: int
    versions: tuple[VersionEffect, ...]
    holdout_name: str = "holdout"
    holdout_allocation: float = 0.2
    stage_shares: dict[str, float] = field(default_factory=_default_stage_shares)
    emails_prior_7d_mean: float = 1.3
    base_purchase_logit: float = -3.5
    stage_purchase_logit: dict[str, float] = field(default_factory=_default_stage_purchase_logit)
    fatigue_purchase_logit: dict[str, float] = field(
        default_factory=_default_fatigue_purchase_logit
    )
    base_unsubscribe_logit: float = _logit(0.002)
    fatigue_unsubscribe_logit: dict[str, float] = field(
        default_factory=_default_fatigue_unsubscribe_logit
    )
    base_visit_logit: float = _logit(0.10)
    stage_visit_logit: dict[str, float] = field(default_factory=_default_stage_visit_logit)
    contamination: float = 0.0
    amount_log_mean: float = math.log(60.0)
    amount_log_sd: float = 0.8
    start_date: str | None = None  # always-on: ISO day of the first send; adds `send_date`
    days: int = 1  # always-on: days the flow runs, recipients spread evenly (daily volume)
    effect_half_life_days: float | None = None  # purchase and visit effects halve this often
    surveys: tuple[SimulatedQuestion, ...] = ()  # survey answers beside the outcomes

    def __post_init__(self) -> None:
        if self.recipients < 1:
            raise ValueError(f"recipients must be at least 1, got {self.recipients}")
        if not self.versions:
            raise ValueError("a campaign needs at least one version besides the holdout")
        names = [self.holdout_name, *(version.name for version in self.versions)]
        if len(set(names)) != len(names):
            raise ValueError(f"arm names must be unique, got {names}")
        allocations = self.arm_allocations
        if any(share < 0 for share in allocations):
            raise ValueError(f"allocations must be non-negative, got {allocations}")
        if abs(sum(allocations) - 1.0) > _ALLOCATION_TOLERANCE:
            raise ValueError(f"holdout and version allocations must sum to 1, got {allocations}")
        if sum(version.allocation for version in self.versions) <= 0:
            raise ValueError("at least one version needs a positive allocation")
        shares = [self.stage_shares.get(stage, 0.0) for stage in LIFECYCLE_STAGES]
        if any(share < 0 for share in shares) or abs(sum(shares) - 1.0) > 1e-9:
            raise ValueError(
                f"stage_shares must be non-negative and sum to 1 over {LIFECYCLE_STAGES}, "
                f"got {self.stage_shares}"
            )
        if not 0.0 <= self.contamination <= 1.0:
            raise ValueError(f"contamination must be in [0, 1], got {self.contamination}")
        if self.emails_prior_7d_mean < 0 or self.amount_log_sd < 0:
            raise ValueError("emails_prior_7d_mean and amount_log_sd must be non-negative")
        if self.days < 1 or (self.effect_half_life_days or 1.0) <= 0:
            raise ValueError("days must be at least 1 and effect_half_life_days positive")
        if self.start_date is not None:
            date.fromisoformat(self.start_date)  # ValueError when not an ISO day
        stage_maps = {
            "stage_shares": self.stage_shares,
            "stage_purchase_logit": self.stage_purchase_logit,
            "stage_visit_logit": self.stage_visit_logit,
        }
        stage_maps |= {
            f"versions[{version.name}].purchase_stage_logit": version.purchase_stage_logit
            for version in self.versions
        }
        for label, mapping in stage_maps.items():
            unknown = set(mapping) - set(LIFECYCLE_STAGES)
            if unknown:
                raise ValueError(f"{label} has unknown stages {sorted(unknown)}")
        for label, mapping in {
            "fatigue_purchase_logit": self.fatigue_purchase_logit,
            "fatigue_unsubscribe_logit": self.fatigue_unsubscribe_logit,
        }.items():
            unknown = set(mapping) - set(FATIGUE_BUCKETS)
            if unknown:
                raise ValueError(f"{label} has unknown buckets {sorted(unknown)}")

    @property
    def arm_names(self) -> tuple[str, ...]:
        """Arm labels in draw order: the holdout first, then the versions."""
        return (self.holdout_name, *(version.name for version in self.versions))

    @property
    def arm_allocations(self) -> tuple[float, ...]:
        """Planned share of recipients per arm, in `arm_names` order."""
        return (self.holdout_allocation, *(version.allocation for version in self.versions))

    def version(self, name: str) -> VersionEffect:
        """The version called `name`; ValueError if there is none."""
        for version in self.versions:
            if version.name == name:
                return version
        raise ValueError(f"unknown version {name!r}; versions are {self.arm_names[1:]}")

    def effect_scale(self, day: np.ndarray) -> np.ndarray:
        """How much of the purchase and visit effects is left on each day (1 on day 0)."""
        if self.effect_half_life_days is None:
            return np.ones(np.shape(day))
        return 0.5 ** (np.asarray(day, dtype=float) / self.effect_half_life_days)

    def to_json(self) -> str:
        """The spec as JSON, stored in the Parquet schema metadata for provenance."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


# --- presets -------------------------------------------------------------------------------

_PRESET_NAMES: Final[tuple[str, ...]] = (
    "demo",
    "null",
    "a_beats_b_neither_beats",
    "fatigue",
    "always_on",
    "always_on_constant",
    "survey_nonresponse",
)


def demo_surveys(nonresponse: bool = False) -> tuple[SimulatedQuestion, ...]:
    """The demo's survey questions, with a known truth.

    - `relevance_rating` (1-5, asked of recipients, 6% answer; retention and reactivation
      answer more often): B is rated more relevant than A, most of all in retention and
      reactivation, less in acquisition.
    - `emails_feeling` (1-5, asked of a random sample of everyone, holdout included, 6%
      answer): A changes nothing, B makes customers feel worse about the emails they get.
    - `unsubscribe_reason` (one of four, asked of unsubscribers among recipients, 60% answer):
      B's unsubscribers more often say "too many emails", less often "not relevant".

    With `nonresponse`, Version B's recipients answer the rating half as often as A's.
    """
    return (
        SimulatedRating(
            column="relevance_rating",
            asked="recipients",
            cutpoints=(-2.2, -1.0, 0.3, 1.6),
            arm_shift={"B": 0.45},
            stage_shift={
                "acquisition": -0.3,
                "activation": -0.1,
                "retention": 0.2,
                "reactivation": 0.1,
            },
            version_stage_shift={
                "B": {"acquisition": -0.2, "retention": 0.15, "reactivation": 0.2}
            },
            response=0.06,
            response_by_stage={"acquisition": 0.7, "retention": 1.3, "reactivation": 1.3},
            response_by_arm={"B": 0.5} if nonresponse else {},
        ),
        SimulatedRating(
            column="emails_feeling",
            asked="everyone",
            cutpoints=(-2.5, -1.2, 0.2, 1.5),
            arm_shift={"B": -0.35},
            stage_shift={"acquisition": -0.2, "retention": 0.2},
            response=0.06,
        ),
        SimulatedChoice(
            column="unsubscribe_reason",
            codes=("too_many", "not_relevant", "not_interested", "other"),
            shares={"A": (0.22, 0.38, 0.25, 0.15), "B": (0.42, 0.25, 0.20, 0.13)},
            among="unsubscribed",
            response=0.6,
        ),
    )


def preset(name: str, recipients: int, seed: int) -> CampaignSpec:
    """A named scenario with a known answer, for demos and statistical tests.

    - "demo": holdout 20%, A and B 40% each; A is practically the same as sending nothing,
      B lifts purchases by about 0.4 percentage points on a ~3% rate, less so for customers
      who already got many emails this week and most in retention/reactivation, and costs a
      few extra unsubscribes.
    - "null": A and B have no effect on anything.
    - "a_beats_b_neither_beats": A has no effect, B lowers purchases (logit -0.35).
    - "fatigue": one version, "A", whose purchase uplift is positive for buckets 0 and 1
      and negative from bucket 2.
    - "always_on": a welcome flow sent every day for 13 weeks from Monday 2 March 2026
      (column `send_date`, recipients spread evenly over the days), 20% standing holdout, one
      version "A" whose purchase effect (about +6 per 1,000 at first) halves every 8 weeks
      (about +2 per 1,000 by the end).
    - "always_on_constant": the same flow with an effect that never fades.
    - "survey_nonresponse": the demo, whose Version B recipients answer the relevance rating
      half as often as Version A's.

    The demo presets carry survey answers (:func:`demo_surveys`).
    """
    surveys: tuple[SimulatedQuestion, ...] = ()
    if name in ("demo", "survey_nonresponse"):
        surveys = demo_surveys(nonresponse=name == "survey_nonresponse")
        name = "demo"
    if name == "demo":
        versions = (
            VersionEffect(
                name="A",
                allocation=0.4,
                purchase_logit=0.01,
                amount_log_effect=0.0,
                unsubscribe_logit=0.05,
                visit_logit=0.05,
            ),
            VersionEffect(
                name="B",
                allocation=0.4,
                purchase_logit=0.18,
                purchase_stage_logit={
                    "acquisition": -0.08,
                    "activation": -0.04,
                    "retention": 0.05,
                    "reactivation": 0.08,
                },
                purchase_fatigue_slope=-0.05,
                amount_log_effect=0.03,
                unsubscribe_logit=0.4,
                visit_logit=0.25,
            ),
        )
    elif name == "null":
        versions = (
            VersionEffect(name="A", allocation=0.4),
            VersionEffect(name="B", allocation=0.4),
        )
    elif name == "a_beats_b_neither_beats":
        versions = (
            VersionEffect(name="A", allocation=0.4),
            VersionEffect(name="B", allocation=0.4, purchase_logit=-0.35, visit_logit=-0.1),
        )
    elif name == "fatigue":
        # Logit effect by bucket 0, 1, 2, 3+: +0.30, +0.10, -0.10, -0.30.
        versions = (
            VersionEffect(
                name="A",
                allocation=0.8,
                purchase_logit=0.3,
                purchase_fatigue_slope=-0.2,
                unsubscribe_logit=0.3,
                visit_logit=0.15,
            ),
        )
    elif name in ("always_on", "always_on_constant"):
        return always_on(recipients, seed, fading=name == "always_on")
    else:
        raise ValueError(f"unknown preset {name!r}; valid presets are {', '.join(_PRESET_NAMES)}")
    return CampaignSpec(recipients=recipients, seed=seed, versions=versions, surveys=surveys)


def always_on(recipients: int, seed: int, fading: bool) -> CampaignSpec:
    """The always-on presets: a welcome flow over 13 weeks whose effect halves every 8 weeks
    (`fading`) or never fades."""
    version = VersionEffect(
        name="A", allocation=0.8, purchase_logit=0.2, unsubscribe_logit=0.1, visit_logit=0.1
    )
    return CampaignSpec(
        recipients=recipients,
        seed=seed,
        versions=(version,),
        start_date="2026-03-02",
        days=91,
        effect_half_life_days=56.0 if fading else None,
    )


# --- probabilities per cell ----------------------------------------------------------------


def _cell_index(stage_index: int, bucket_index: int) -> int:
    return stage_index * _N_BUCKETS + bucket_index


def _treatment_tables(spec: CampaignSpec, effect_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Mean outcome per recipient by treatment actually received and cell.

    Shape (1 + n_versions, 16): row 0 is "sent nothing", row k is version k; column is
    `stage_index * 4 + bucket_index`. Purchases, unsubscribes and visits are probabilities,
    revenue is the expected spend per recipient. `effect_scale` multiplies the versions'
    purchase and visit effects (what is left of a fading effect on some day).
    """
    n_treatments = 1 + len(spec.versions)
    purchase_logit = np.empty((n_treatments, _N_CELLS))
    unsubscribe_logit = np.empty((n_treatments, _N_CELLS))
    visit_logit = np.empty((n_treatments, _N_CELLS))
    for stage_index, stage in enumerate(LIFECYCLE_STAGES):
        for bucket_index, bucket in enumerate(FATIGUE_BUCKETS):
            cell = _cell_index(stage_index, bucket_index)
            purchase_base = (
                spec.base_purchase_logit
                + spec.stage_purchase_logit.get(stage, 0.0)
                + spec.fatigue_purchase_logit.get(bucket, 0.0)
            )
            unsubscribe_base = spec.base_unsubscribe_logit + spec.fatigue_unsubscribe_logit.get(
                bucket, 0.0
            )
            visit_base = spec.base_visit_logit + spec.stage_visit_logit.get(stage, 0.0)
            purchase_logit[0, cell] = purchase_base
            unsubscribe_logit[0, cell] = unsubscribe_base
            visit_logit[0, cell] = visit_base
            for row, version in enumerate(spec.versions, start=1):
                purchase_logit[row, cell] = (
                    purchase_base + version.purchase_effect(stage, bucket) * effect_scale
                )
                unsubscribe_logit[row, cell] = unsubscribe_base + version.unsubscribe_logit
                visit_logit[row, cell] = visit_base + version.visit_logit * effect_scale
    purchase = _sigmoid(purchase_logit)
    amount_mean = np.exp(
        spec.amount_log_mean
        + np.array([0.0, *(version.amount_log_effect for version in spec.versions)])
        + spec.amount_log_sd**2 / 2.0
    )
    return {
        "purchased": purchase,
        "revenue": purchase * amount_mean[:, None],
        "unsubscribed": _sigmoid(unsubscribe_logit),
        "visited": _sigmoid(visit_logit),
    }


def _contamination_weights(spec: CampaignSpec) -> np.ndarray:
    """Which version a contaminated holdout member receives: relative version allocation."""
    allocations = np.array([version.allocation for version in spec.versions], dtype=float)
    return allocations / allocations.sum()


def _assigned_arm_tables(spec: CampaignSpec, effect_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Mean outcome per recipient by assigned arm and cell (intention to treat).

    Shape (n_arms, 16) in `spec.arm_names` order. The holdout row mixes "sent nothing" with
    the versions by `contamination`; without contamination it is exactly "sent nothing".
    """
    tables = _treatment_tables(spec, effect_scale)
    if spec.contamination == 0.0:
        return tables
    weights = _contamination_weights(spec)
    assigned: dict[str, np.ndarray] = {}
    for metric, table in tables.items():
        mixed = table.copy()
        mixed[0] = (1.0 - spec.contamination) * table[0] + spec.contamination * (
            weights @ table[1:]
        )
        assigned[metric] = mixed
    return assigned


def expected_rate(spec: CampaignSpec, arm: str, stage: str, bucket: str, metric: str) -> float:
    """Exact mean outcome per recipient assigned to `arm` in one (stage, bucket) cell.

    A probability for "purchased", "unsubscribed" and "visited"; expected spend per
    recipient (buyers and non-buyers) for "revenue". The holdout includes contamination.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; metrics are {METRICS}")
    if arm not in spec.arm_names:
        raise ValueError(f"unknown arm {arm!r}; arms are {spec.arm_names}")
    if stage not in LIFECYCLE_STAGES:
        raise ValueError(f"unknown stage {stage!r}; stages are {LIFECYCLE_STAGES}")
    if bucket not in FATIGUE_BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r}; buckets are {FATIGUE_BUCKETS}")
    table = _assigned_arm_tables(spec)[metric]
    cell = _cell_index(LIFECYCLE_STAGES.index(stage), FATIGUE_BUCKETS.index(bucket))
    return float(table[spec.arm_names.index(arm), cell])


# --- generation ----------------------------------------------------------------------------


def _draw_categories(
    rng: np.random.Generator, shares: list[float] | tuple[float, ...], n: int
) -> np.ndarray:
    """Category index per row, drawn independently with the given shares (int8)."""
    cumulative = np.cumsum(np.asarray(shares, dtype=float))
    cumulative /= cumulative[-1]
    index = np.searchsorted(cumulative, rng.random(n), side="right")
    np.minimum(index, len(shares) - 1, out=index)
    return index.astype(np.int8)


def _labels(levels: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """A plain string column from level indices, built in Arrow without Python objects."""
    return pa.array(list(levels), type=pa.string()).take(pa.array(index))


def generate(spec: CampaignSpec) -> pa.Table:
    """Draw one synthetic campaign: one row per recipient, deterministic given `spec.seed`.

    Columns: customer_id (int64), arm, lifecycle_stage, emails_prior_7d (int8, 0..7),
    emails_prior_7d_bucket (strings), sent (bool), purchased, unsubscribed, visited (int8
    0/1) and revenue (float64, currency per recipient, 0 for non-buyers). The spec is stored
    as JSON in the schema metadata.
    """
    rng = np.random.default_rng(spec.seed)
    n = spec.recipients

    arm = _draw_categories(rng, spec.arm_allocations, n)
    stage = _draw_categories(
        rng, [spec.stage_shares.get(level, 0.0) for level in LIFECYCLE_STAGES], n
    )
    emails = rng.poisson(spec.emails_prior_7d_mean, n)
    np.minimum(emails, MAX_EMAILS_PRIOR_7D, out=emails)
    emails = emails.astype(np.int8)
    bucket = np.minimum(emails, _N_BUCKETS - 1)

    # Treatment actually received: 0 = nothing, k = version k. Versions get themselves;
    # a contaminated holdout member gets a version drawn by relative allocation.
    treatment = arm.copy()
    sent = arm > 0
    if spec.contamination > 0.0:
        holdout_rows = np.flatnonzero(arm == 0)
        hit = rng.random(holdout_rows.size) < spec.contamination
        contaminated = holdout_rows[hit]
        sent[contaminated] = True
        treatment[contaminated] = 1 + _draw_categories(
            rng, _contamination_weights(spec).tolist(), contaminated.size
        )

    cell = treatment.astype(np.int32) * _N_CELLS + stage * _N_BUCKETS + bucket
    tables = _treatment_tables(spec)
    day = send_day(spec)
    if spec.effect_half_life_days is not None:  # a fading effect: one table per day
        size = tables["purchased"].size
        daily = [_treatment_tables(spec, float(f)) for f in spec.effect_scale(np.arange(spec.days))]
        tables = {m: np.stack([t[m] for t in daily]) for m in tables}
        cell = day.astype(np.int64) * size + cell
    purchased = rng.random(n) < tables["purchased"].ravel()[cell]
    unsubscribed = rng.random(n) < tables["unsubscribed"].ravel()[cell]
    visited = rng.random(n) < tables["visited"].ravel()[cell]

    revenue = np.zeros(n)
    buyers = np.flatnonzero(purchased)
    amount_log_effect = np.array([0.0, *(v.amount_log_effect for v in spec.versions)])
    revenue[buyers] = rng.lognormal(
        spec.amount_log_mean + amount_log_effect[treatment[buyers]], spec.amount_log_sd
    )

    columns = {
        "customer_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
        "arm": _labels(spec.arm_names, arm),
        "lifecycle_stage": _labels(LIFECYCLE_STAGES, stage),
        "emails_prior_7d": pa.array(emails),
        "emails_prior_7d_bucket": _labels(FATIGUE_BUCKETS, bucket),
        "sent": pa.array(sent),
        "purchased": pa.array(purchased.view(np.int8)),
        "revenue": pa.array(revenue),
        "unsubscribed": pa.array(unsubscribed.view(np.int8)),
        "visited": pa.array(visited.view(np.int8)),
    }
    if spec.start_date is not None:
        first = np.datetime64(spec.start_date, "D")
        columns["send_date"] = pa.array(first + day.astype("timedelta64[D]"))
    outcomes = {"purchased": purchased, "unsubscribed": unsubscribed, "visited": visited}
    columns |= answer_columns(
        spec.surveys, spec.seed, spec.arm_names, LIFECYCLE_STAGES, arm, stage, outcomes
    )
    table = pa.table(columns)
    return table.replace_schema_metadata({SPEC_METADATA_KEY: spec.to_json().encode()})


def send_day(spec: CampaignSpec) -> np.ndarray:
    """The day (0, 1, ...) each recipient is sent: customer ids in order, spread evenly."""
    return (np.arange(spec.recipients, dtype=np.int64) * spec.days // spec.recipients).astype(
        np.int32
    )


def write_parquet(spec: CampaignSpec, path: Path) -> Path:
    """Generate the campaign and write it to `path` as Parquet, atomically.

    The file is written to a temporary name in the same folder and moved into place with
    `os.replace`, so readers never see a half-written file and a failure leaves nothing.
    """
    path = Path(path)
    refuse_unless_regular_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = generate(spec)
    handle, temporary_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    os.close(handle)
    try:
        pq.write_table(table, temporary_name)
        os.replace(temporary_name, path)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
    return path


# --- truth ---------------------------------------------------------------------------------


def _cell_counts(table: pa.Table) -> np.ndarray:
    """Recipients per (stage, bucket) cell, all arms together; length 16."""
    stage = pc.index_in(table["lifecycle_stage"], value_set=pa.array(LIFECYCLE_STAGES))
    bucket = pc.index_in(table["emails_prior_7d_bucket"], value_set=pa.array(FATIGUE_BUCKETS))
    if stage.null_count or bucket.null_count:
        raise ValueError(
            "lifecycle_stage or emails_prior_7d_bucket has values outside "
            f"{LIFECYCLE_STAGES} / {FATIGUE_BUCKETS} (or nulls)"
        )
    stage_index = stage.to_numpy(zero_copy_only=False).astype(np.int64)
    bucket_index = bucket.to_numpy(zero_copy_only=False).astype(np.int64)
    return np.bincount(stage_index * _N_BUCKETS + bucket_index, minlength=_N_CELLS)


def true_effects(spec: CampaignSpec, table: pa.Table) -> pd.DataFrame:
    """Exact intention-to-treat uplift of each version vs the holdout on this sample.

    For each version, metric and segment level: the mean over all recipients in the
    segment (every arm) of E[Y | assigned version, cell] - E[Y | assigned holdout, cell],
    from the generating probabilities, never from sampled outcomes. Uplift and means are
    per recipient: absolute probabilities for binary metrics, currency for revenue.
    Segment levels with no recipients are left out.
    """
    counts = _cell_counts(table).astype(float).reshape(_N_STAGES, _N_BUCKETS)
    segments: list[tuple[str, str, np.ndarray]] = [("overall", "all", counts)]
    for stage_index, stage in enumerate(LIFECYCLE_STAGES):
        weights = np.zeros_like(counts)
        weights[stage_index] = counts[stage_index]
        segments.append(("lifecycle_stage", stage, weights))
    for bucket_index, bucket in enumerate(FATIGUE_BUCKETS):
        weights = np.zeros_like(counts)
        weights[:, bucket_index] = counts[:, bucket_index]
        segments.append(("emails_prior_7d_bucket", bucket, weights))

    tables = _assigned_arm_tables(spec)
    if spec.effect_half_life_days is not None:  # a fading effect: the days' average
        days = np.bincount(send_day(spec), minlength=spec.days) / spec.recipients
        daily = [
            _assigned_arm_tables(spec, float(f)) for f in spec.effect_scale(np.arange(spec.days))
        ]
        tables = {m: sum(w * t[m] for w, t in zip(days, daily, strict=True)) for m in tables}
    rows: list[dict[str, object]] = []
    for version_row, version in enumerate(spec.versions, start=1):
        for metric in METRICS:
            holdout_rates = tables[metric][0]
            version_rates = tables[metric][version_row]
            for segment_column, segment_level, weights in segments:
                total = weights.sum()
                if total == 0:
                    continue
                flat = weights.ravel() / total
                holdout_mean = float(flat @ holdout_rates)
                version_mean = float(flat @ version_rates)
                rows.append(
                    {
                        "version": version.name,
                        "metric": metric,
                        "segment_column": segment_column,
                        "segment_level": segment_level,
                        "uplift": float(flat @ (version_rates - holdout_rates)),
                        "holdout_mean": holdout_mean,
                        "version_mean": version_mean,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "version",
            "metric",
            "segment_column",
            "segment_level",
            "uplift",
            "holdout_mean",
            "version_mean",
        ],
    )


def true_uplift_by_day(
    spec: CampaignSpec, table: pa.Table, metric: str = "purchased"
) -> pd.DataFrame:
    """Exact overall uplift per version and send day (columns: version, day, uplift).

    Each day's uplift averages the cells with the whole campaign's segment mix; a fading
    effect shrinks from day to day, a constant one stays put.
    """
    counts = _cell_counts(table).astype(float)
    weights = counts / counts.sum()
    first = date.fromisoformat(spec.start_date) if spec.start_date else date(2026, 1, 1)
    rows = []
    for offset, scale in enumerate(spec.effect_scale(np.arange(spec.days))):
        rates = _assigned_arm_tables(spec, float(scale))[metric]
        for row, version in enumerate(spec.versions, start=1):
            rows.append(
                {
                    "version": version.name,
                    "day": first + timedelta(days=offset),
                    "uplift": float(weights @ (rates[row] - rates[0])),
                }
            )
    return pd.DataFrame(rows, columns=["version", "day", "uplift"])
