"""Typed results that serialise to `results.json` (a versioned schema).

Every verdict and finding carries its own plain-language sentence, so the report, the index
page and a CI log all say the same thing.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from relevance.config import MetricConfig

SCHEMA_VERSION = "1.2"  # 1.2: optional surveys, timeline, adjustment, effect_on_delivered
PER = 1000
"""Effects are shown per 1,000 recipients; results store them per recipient."""


class Verdict(StrEnum):
    """What sending a version does compared with sending nothing."""

    BEATS = "beats sending nothing"
    IRRELEVANT = "irrelevant"
    HARMFUL = "harmful"
    INCONCLUSIVE = "inconclusive"


class Severity(StrEnum):
    """How much a data-quality finding matters: errors stop the run before any model."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Record(BaseModel):
    """Base of result records: plain, immutable, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(Record):
    """One data-quality check's outcome."""

    check: str
    severity: Severity
    message: str
    details: dict[str, object] = Field(default_factory=dict)


class DiagnosticsSummary(Record):
    """Sampler convergence, and whether the numbers can be relied on."""

    reliable: bool
    max_r_hat: float | None
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    draws: int
    chains: int
    target_accept: float = 0.95
    problems: list[str]
    thresholds: dict[str, float]


class Uplift(Record):
    """A version against the holdout on one metric in one segment (or overall).

    Means and intervals are per recipient, absolute (e.g. 0.004 = 0.4 percentage points);
    relative lift is uplift / holdout mean. Probabilities are in the better-is-positive
    direction of the metric.
    """

    metric: str
    version: str
    segment_column: str
    segment_level: str
    recipients: int
    holdout_mean: float
    version_mean: float
    uplift_mean: float
    uplift_low: float
    uplift_high: float
    uplift_sd: float
    relative_mean: float | None
    relative_low: float | None
    relative_high: float | None
    p_beats_holdout: float
    p_better_beyond_rope: float
    p_inside_rope: float
    p_worse_beyond_rope: float
    expected_loss: float
    verdict: Verdict


class VersionVerdict(Record):
    """The verdict on one version: primary metric and guardrails together."""

    version: str
    verdict: Verdict
    sentence: str
    reasons: list[str]
    p_beats_holdout: float | None  # None when the data cannot measure the primary metric
    extra_recipients_needed: int | None = None


class NetValue(Record):
    """Value of sending a version rather than nothing, per 1,000 recipients, after costs."""

    version: str
    mean: float
    low: float
    high: float
    p_positive: float
    sentence: str


class Comparison(Record):
    """Version against version on one metric (secondary to the holdout comparison)."""

    metric: str
    version_a: str
    version_b: str
    difference_mean: float
    difference_low: float
    difference_high: float
    p_a_better: float
    expected_loss_choosing_a: float


class ModelCheck(Record):
    """Predicted against observed mean per arm: does the model describe the data?"""

    metric: str
    arm: str
    observed_mean: float
    predicted_mean: float
    predicted_low: float
    predicted_high: float
    consistent: bool


class FatiguePoint(Record):
    """One bucket of emails already received this week: uplift and what sending earns there.

    `pays_*` is net value per 1,000 recipients when values or costs are configured, else the
    primary metric's gain per 1,000 recipients.
    """

    bucket: str
    recipients: int
    uplift_mean: float
    uplift_low: float
    uplift_high: float
    p_beats_holdout: float
    pays_mean: float
    pays_low: float
    pays_high: float
    p_pays: float


class FatigueCurve(Record):
    """A version's effect across buckets of emails already received, and where it stops paying."""

    version: str
    column: str
    measure: str
    points: list[FatiguePoint]
    stops_paying_from: str | None
    sentence: str


class Summary(Record):
    """A posterior summary: mean and the report's credible interval."""

    mean: float
    low: float
    high: float


class Adjustment(Record):
    """What `adjust_for` bought: the primary metric's overall interval with and without it.

    ``narrowing`` per version is ``1 - sd(adjusted) / sd(unadjusted)`` of the primary uplift's
    posterior (the interval's width shrinks in the same proportion); the effects reported are
    the adjusted ones, still population-average intention-to-treat.
    """

    columns: list[str]
    levels: dict[str, int]  # levels each column entered with (quantile buckets or its own)
    bucketed: list[str]  # numeric columns cut at their deciles
    metric: str
    narrowing: dict[str, float]
    unadjusted: dict[str, Summary]  # per version: the primary uplift without adjustment
    sentence: str


class EffectOnDelivered(Record):
    """A version's effect on the recipients it reached: intention-to-treat uplift divided by
    the share of its arm marked delivered (one-sided non-compliance: the holdout got nothing).
    Secondary to the verdict, which is judged on everyone assigned. Per recipient."""

    metric: str
    version: str
    delivery_rate: float
    itt_mean: float
    mean: float
    low: float
    high: float
    sentence: str


class PolicyChoice(Record):
    """What a targeting policy sends to one segment level (`send` None: nothing)."""

    segment_column: str
    segment_level: str
    send: str | None
    recipients: int
    value_per_1000: float  # expected value of that choice per 1,000 recipients of the level


class Targeting(Record):
    """Who to send which version to, by one segment column, and what that is worth.

    Values are per 1,000 recipients of the whole campaign, in `measure` (net value in the
    experiment's currency when values or costs are configured, else extra outcomes of the
    primary metric), against sending nothing; all from the same posterior draws.
    """

    column: str
    measure: str
    policy: list[PolicyChoice]
    value_per_1000: Summary
    send_all: str | None  # the best single choice for everyone (None: nothing)
    send_all_value_per_1000: Summary
    gain_over_send_all: Summary
    p_beats_send_all: float
    p_beats_nothing: float
    recommended: bool  # it differs from sending one version to all and beats it convincingly
    sentence: str


class VersionTotal(Record):
    """What one version earned in this campaign, in total (not per 1,000)."""

    version: str
    recipients: int
    extra_primary: Summary  # extra events (or amount) of the primary metric, in total
    net_value: Summary | None  # in the experiment's currency, when values or costs are set


class Totals(Record):
    """The campaign in totals: what it earned, what rolling the recommendation out would earn,
    and what keeping the holdout cost."""

    measure: str
    realised: list[VersionTotal]
    list_size: int  # recipients a roll-out would reach (decision.list_size, else all analysed)
    rollout: Summary | None  # value of the recommendation over `list_size` recipients
    holdout_recipients: int
    holdout_cost: Summary | None  # what the held-out customers would have brought
    sentences: list[str]


class Look(Record):
    """One look of an always-on campaign: every recipient sent up to `day`, and what the
    verdict rule said then. Uplift of the primary metric per recipient; the last look is the
    report itself (`full_model`), earlier ones a normal approximation (decide/looks.py)."""

    day: date
    version: str
    recipients: int  # all arms, every recipient sent so far
    uplift_mean: float | None  # None where the data could not measure it yet
    uplift_low: float | None
    uplift_high: float | None
    p_better_beyond_rope: float | None
    evidence: float | None  # likelihood ratio "it helps" vs "it does nothing" (look-safe rule)
    verdict: Verdict
    full_model: bool = False


class DriftPeriod(Record):
    """A version's uplift of the primary metric in one week or month (per recipient),
    partially pooled with its neighbours (a random walk over periods)."""

    start: date
    recipients: int
    uplift_mean: float
    uplift_low: float
    uplift_high: float


class DriftCurve(Record):
    """A version's effect period by period, and whether the latest is credibly below the first."""

    version: str
    periods: list[DriftPeriod]
    p_latest_below_first: float
    sentence: str


class HoldoutStop(Record):
    """Can the standing holdout stop? The expected loss of deciding now, per 1,000 recipients."""

    choice: str | None  # the version deciding now would send (None: nothing)
    expected_loss: float  # primary metric per 1,000 recipients
    expected_loss_money: float | None  # currency per 1,000 recipients, with values or costs
    threshold: float  # per 1,000 recipients, in money when `in_money` (monitoring.stop_loss)
    in_money: bool  # the choice and the threshold are in money (values or costs configured)
    can_stop: bool
    recipients_per_day: float  # the current daily volume (the last 7 days with sends)
    days_to_verdict: dict[str, int | None]  # per undecided version; None: not within a year
    sentence: str


class Timeline(Record):
    """An always-on campaign over time (`data.date`): the looks, drift, when to stop."""

    every: str  # looks every "day" or "week"
    period: str  # drift by "week" or "month"
    looks: list[Look]
    sentences: list[str]
    evidence_needed: float  # the likelihood ratio "beats sending nothing" needs
    undated: int  # recipients without a readable send day (only in the last look)
    drift: list[DriftCurve] = Field(default_factory=list)
    drift_reliable: bool = True
    stop: HoldoutStop | None = None


class NotEstimable(Record):
    """A metric the data cannot measure (e.g. no events in the holdout): no number is shown."""

    metric: str
    reason: str


class AnswerShare(Record):
    """One answer's share of an arm's respondents: counted, and estimated for the population
    the question describes (segments weighted as in the campaign)."""

    answer: str  # as the data writes it ('4', 'too_many')
    label: str  # what it says ('very relevant', 'too many emails')
    answers: int
    share: float
    share_low: float
    share_high: float


class SurveyArm(Record):
    """One asked arm's answers to a survey question."""

    arm: str
    asked: int  # recipients asked: the arm, or those of it with the `among` outcome
    respondents: int
    response_rate: float | None
    enough: bool  # at least `min_answers`: only then is the arm compared
    shares: list[AnswerShare]
    mean: Summary | None = None  # ratings: the mean answer


class SurveyContrast(Record):
    """A rating in one arm against another: mean answer difference (rating points, arm minus
    `against`); against the holdout also the ROPE probabilities and a verdict."""

    arm: str
    against: str
    difference: Summary
    p_higher: float  # chance the arm's mean answer is the higher
    p_better_beyond_rope: float | None = None
    p_inside_rope: float | None = None
    p_worse_beyond_rope: float | None = None
    verdict: Verdict | None = None


class ReasonShift(Record):
    """One answer of a choice question: its share in one arm against another (share points)."""

    answer: str
    label: str
    arm: str
    against: str
    difference: Summary
    p_more: float  # chance the answer is more common in `arm`
    differs: bool  # beyond practically nothing with the decision's probability


class SurveyResult(Record):
    """One survey question: answers per arm, the comparisons, and what they say."""

    name: str
    label: str
    question: str | None = None
    kind: str  # rating or choice
    asked: str  # recipients or everyone
    who: str  # what respondents are called
    answers: list[str]
    answer_labels: list[str]
    rope: float
    min_answers: int
    arms: list[SurveyArm]
    contrasts: list[SurveyContrast] = Field(default_factory=list)
    reasons: list[ReasonShift] = Field(default_factory=list)
    response_p_value: float | None = None
    response_differs: bool = False
    reliable: bool = True
    problems: list[str] = Field(default_factory=list)  # sampler diagnostics not met
    sentence: str
    notes: list[str] = Field(default_factory=list)
    outcomes: str | None = None  # how the answers sit with the outcomes


class CampaignVerdict(Record):
    """What to do with the campaign."""

    send: str | None
    headline: str
    reliable: bool


class RunInfo(Record):
    """Where the numbers came from (everything but `created_at` is reproducible)."""

    created_at: str
    package_version: str
    git_commit: str | None
    seed: int
    draws: int
    tune: int
    chains: int
    profile: str | None
    data_fingerprint: str
    cells_fingerprint: str
    recipients: int
    seconds: dict[str, float] = Field(default_factory=dict)
    config_files: list[str] = Field(default_factory=list)  # merged, lowest first


class Results(Record):
    """Everything one analysis concluded; written as `results.json`."""

    schema_version: str = SCHEMA_VERSION
    experiment: str
    title: str = ""  # the report's title (default: the name in words)
    sent_on: date | None = None
    description: str
    holdout: str
    versions: list[str]
    primary_metric: str
    metrics: list[MetricConfig]
    segments: list[str]
    segment_labels: dict[str, str] = Field(default_factory=dict)
    interval: float
    probability: float
    currency: str = ""
    run: RunInfo
    findings: list[Finding]
    diagnostics: DiagnosticsSummary
    campaign: CampaignVerdict
    verdicts: list[VersionVerdict]
    uplifts: list[Uplift]
    net_value: list[NetValue]
    comparisons: list[Comparison]
    model_checks: list[ModelCheck]
    fatigue: list[FatigueCurve] = Field(default_factory=list)
    not_estimable: list[NotEstimable] = Field(default_factory=list)
    targeting: Targeting | None = None  # the best targeting policy, if there are segments
    targeting_by_column: list[Targeting] = Field(default_factory=list)
    totals: Totals | None = None
    timeline: Timeline | None = None  # always-on campaigns (`data.date`)
    surveys: list[SurveyResult] = Field(default_factory=list)
    priors: dict[str, float]
    adjustment: Adjustment | None = None  # with adjust_for
    effect_on_delivered: list[EffectOnDelivered] = Field(default_factory=list)  # data.delivered

    def uplift(
        self, metric: str, version: str, column: str = "overall", level: str = "all"
    ) -> Uplift:
        """Look one uplift up by metric, version and segment."""
        for item in self.uplifts:
            if (item.metric, item.version, item.segment_column, item.segment_level) == (
                metric,
                version,
                column,
                level,
            ):
                return item
        raise KeyError((metric, version, column, level))

    @property
    def heading(self) -> str:
        """The report's title: the configured one, else the name in words ('weekly promo w47')."""
        return self.title or self.experiment.replace("_", " ").replace("-", " ")

    def segment_label(self, column: str) -> str:
        """What a marketer calls a segment column."""
        return self.segment_labels.get(column) or column.replace("_", " ")

    def estimable(self, metric: str) -> bool:
        """False when the data cannot measure the metric (see `not_estimable` for why)."""
        return all(item.metric != metric for item in self.not_estimable)

    def metric(self, name: str) -> MetricConfig:
        """The configuration of one metric, by name (KeyError when there is none)."""
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)

    @property
    def primary(self) -> MetricConfig:
        """The metric the verdict is decided on."""
        return self.metric(self.primary_metric)

    def verdict(self, version: str) -> VersionVerdict:
        """The verdict on one version (KeyError when there is none)."""
        for verdict in self.verdicts:
            if verdict.version == version:
                return verdict
        raise KeyError(version)

    def to_json(self) -> str:
        """Stable JSON text (keys in schema order, 2-space indent)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def read(cls, path: Path) -> Results:
        """Load a `results.json` written by :meth:`to_json`."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))
