"""Portfolio meta-analysis: across campaigns, does the email programme beat sending nothing?

Each campaign's report gives, for every version, the posterior mean and sd of the primary
metric's overall uplift against its own no-send holdout. Those become one "study" each in a
normal-normal random-effects model:

    observed_k ~ Normal(theta_k, sd_k)         sd_k: the campaign's own posterior sd
    theta_k     = mu + tau * z_k,  z_k ~ Normal(0, 1)      (non-centred)
    mu          ~ Normal(0, 10 units),  tau ~ HalfNormal(5 units)

where a unit is the median ROPE of the pooled campaigns (the size of effect the business
calls "practically nothing"), so the priors are weak on the scale that matters. `mu` is the
programme's average uplift against sending nothing, `tau` how much campaigns truly differ, and
`theta_k` each campaign version's shrunken estimate. Everything is in the metric's
better-is-positive direction, per recipient; reports show it per 1,000 recipients.

Versions of one campaign share its holdout, so their estimates are positively correlated; the
model treats them as independent, which slightly overstates how precisely `mu` is known when
campaigns have several versions. Only campaigns whose primary metric is the same (name and
kind) are pooled: purchases and revenue are not on one scale.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from relevance.errors import DataError
from relevance.figures import OKABE_ITO, VERDICT_COLOURS, rope_band
from relevance.language import number, percent, version_label
from relevance.outputs import write_text_atomic
from relevance.report import Html, esc, image, table
from relevance.results import Results, Verdict

PER = 1000
PRIOR_MU_UNITS = 10.0
PRIOR_TAU_UNITS = 5.0
SCHEMA_VERSION = "1.0"
RAW_COLOUR = OKABE_ITO[4]  # sky blue: each campaign on its own
SHRUNK_COLOUR = OKABE_ITO[0]  # blue: after borrowing strength from the others
PROGRAMME_COLOUR = OKABE_ITO[7]  # black: the programme as a whole
TREND_COLOUR = OKABE_ITO[5]  # vermillion


# --- the inputs: one estimate per campaign version --------------------------------------------


@dataclass(frozen=True)
class CampaignEstimate:
    """A campaign version's primary-metric uplift against its holdout, better is positive.

    `benefit_mean` and `benefit_sd` are per recipient (0.003 = 3 per 1,000 recipients).
    """

    campaign: str
    version: str
    metric: str
    metric_label: str
    kind: str
    direction: str
    benefit_mean: float
    benefit_sd: float
    rope: float
    verdict: Verdict
    sentence: str
    created_at: str
    recipients: int

    @property
    def label(self) -> str:
        """'weekly-promo · Version B'."""
        return f"{self.campaign} · {version_label(self.version)}"

    @property
    def date(self) -> datetime:
        """When the campaign was analysed (`run.created_at`), in UTC."""
        return _parse_date(self.created_at)


def _parse_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def estimates_from(results: Results) -> list[CampaignEstimate]:
    """One estimate per version of a campaign, on its primary metric, overall."""
    metric = next(m for m in results.metrics if m["name"] == results.primary_metric)
    sign = -1.0 if metric.get("direction") == "decrease" else 1.0
    rows = []
    for version in results.versions:
        uplift = results.uplift(results.primary_metric, version)
        verdict = results.verdict(version)
        rows.append(
            CampaignEstimate(
                campaign=results.experiment,
                version=version,
                metric=results.primary_metric,
                metric_label=str(metric.get("label") or results.primary_metric.replace("_", " ")),
                kind=str(metric["kind"]),
                direction=str(metric.get("direction", "increase")),
                benefit_mean=sign * uplift.uplift_mean,
                benefit_sd=uplift.uplift_sd,
                rope=float(metric["rope"]),  # type: ignore[arg-type]
                verdict=verdict.verdict,
                sentence=verdict.sentence,
                created_at=results.run.created_at,
                recipients=uplift.recipients,
            )
        )
    return rows


def read_campaigns(
    reports_dir: Path | str, campaigns: Iterable[str] | None = None
) -> list[Results]:
    """The `results.json` of the named campaign folders (or of every folder that has one)."""
    root = Path(reports_dir)
    if campaigns:
        folders = [root / name for name in campaigns]
    else:
        found = root.glob("*/results.json")  # not hidden folders: runs still in progress
        folders = sorted(p.parent for p in found if not p.parent.name.startswith("."))
    campaigns_read = []
    for folder in folders:
        path = folder / "results.json"
        if not path.is_file():
            raise DataError(path, None, "no results.json", "run the campaign first (relevance run)")
        campaigns_read.append(Results.read(path))
    return campaigns_read


def comparable(
    results: list[Results],
) -> tuple[list[CampaignEstimate], list[tuple[str, str]]]:
    """Estimates of the campaigns sharing the most common primary metric, and who is left out.

    Returns the pooled estimates and (campaign, reason) for campaigns measured on another
    metric: purchases and revenue per recipient cannot be pooled.
    """
    keys = Counter((r.primary_metric, _kind(r)) for r in results)
    if not keys:
        return [], []
    chosen = sorted(keys.items(), key=lambda item: (-item[1], item[0]))[0][0]
    pooled, left_out = [], []
    for r in results:
        if (r.primary_metric, _kind(r)) == chosen:
            pooled.extend(estimates_from(r))
        else:
            left_out.append(
                (r.experiment, f"primary metric {r.primary_metric!r}, not {chosen[0]!r}")
            )
    return pooled, left_out


def _kind(results: Results) -> str:
    return str(next(m for m in results.metrics if m["name"] == results.primary_metric)["kind"])


# --- the model ---------------------------------------------------------------------------------

_COMPILED: dict[int, object] = {}


def random_effects_model(observed: np.ndarray, sd: np.ndarray) -> object:
    """The non-centred normal-normal model in PyMC (data in units, see the module docstring)."""
    import pymc as pm

    with pm.Model() as model:
        y = pm.Data("observed", observed)
        s = pm.Data("sd", sd)
        mu = pm.Normal("mu", 0.0, PRIOR_MU_UNITS)
        tau = pm.HalfNormal("tau", PRIOR_TAU_UNITS)
        z = pm.Normal("z", 0.0, 1.0, shape=len(observed))
        pm.Normal("estimate", mu + tau * z, s, observed=y)
    return model


def _compiled(size: int) -> object:
    """Log-density and gradient compiled once per number of studies (Numba, cached on disk).

    The same approach as :mod:`relevance.fit`: the data are arguments of the compiled
    function, so one compilation serves any estimates of the same length, and a new process
    pays about a second instead of nutpie's C-callback compilation.
    """
    if size in _COMPILED:
        return _COMPILED[size]
    from relevance.fit import compile_model

    compiled = compile_model(random_effects_model(np.zeros(size), np.ones(size)))
    _COMPILED[size] = compiled
    return compiled


@dataclass(frozen=True)
class MetaDiagnostics:
    """Convergence of mu, tau and z: r_hat, effective sample size, divergences."""

    max_r_hat: float
    min_ess: float
    divergences: int
    draws: int
    chains: int

    @property
    def problems(self) -> list[str]:
        """One sentence per threshold not met (r_hat <= 1.01, ESS >= 400, no divergences)."""
        found = []
        if self.chains > 1 and not self.max_r_hat <= 1.01:
            found.append(f"chains disagree (r_hat {self.max_r_hat:.3f} > 1.01)")
        if not self.min_ess >= 400:
            found.append(f"too few effective draws (ESS {self.min_ess:.0f} < 400)")
        if self.divergences:
            found.append(f"{self.divergences} divergent transitions")
        return found

    @property
    def reliable(self) -> bool:
        """True when every threshold is met."""
        return not self.problems


@dataclass(frozen=True)
class Interval:
    """A posterior summary: mean and central interval."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, draws: np.ndarray, share: float = 0.95, axis: int | None = None) -> Interval:
        """Mean and equal-tailed interval of posterior draws."""
        tail = (1 - share) / 2 * 100
        return cls(
            float(np.mean(draws, axis=axis)),
            float(np.percentile(draws, tail, axis=axis)),
            float(np.percentile(draws, 100 - tail, axis=axis)),
        )


@dataclass
class MetaAnalysis:
    """The fitted random-effects model: posterior draws per recipient, better is positive."""

    estimates: list[CampaignEstimate]
    mu: np.ndarray  # (draws,) programme mean
    tau: np.ndarray  # (draws,) between-campaign sd
    theta: np.ndarray  # (draws, K) each campaign version's true uplift
    unit: float  # per recipient: the scale of the priors (median ROPE)
    diagnostics: MetaDiagnostics
    seed: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rope(self) -> float:
        """The programme's region of practical equivalence: the median campaign ROPE."""
        return float(np.median([e.rope for e in self.estimates]))

    def programme(self) -> Interval:
        """The programme's average uplift against sending nothing, per recipient."""
        return Interval.of(self.mu)

    def between(self) -> Interval:
        """How much campaigns truly differ (tau), per recipient."""
        return Interval.of(self.tau)

    def prediction(self) -> np.ndarray:
        """Draws of a new campaign's true uplift: mu + tau * Normal(0, 1)."""
        rng = np.random.default_rng(self.seed)
        return self.mu + self.tau * rng.standard_normal(self.mu.shape)

    def p_programme_beats(self) -> float:
        """Probability that the programme on average beats sending nothing (mu > 0)."""
        return float(np.mean(self.mu > 0))

    def p_programme_beyond_rope(self) -> float:
        """Probability that the programme on average beats sending nothing by more than the ROPE."""
        return float(np.mean(self.mu > self.rope))

    def share_beyond_rope(self) -> Interval:
        """Posterior share of campaign versions whose true uplift is beyond their own ROPE."""
        ropes = np.array([e.rope for e in self.estimates])
        return Interval.of(np.mean(self.theta > ropes, axis=1))

    def shrunken(self) -> list[tuple[CampaignEstimate, Interval]]:
        """Each campaign version with its shrunken (partially pooled) estimate."""
        return [(e, Interval.of(self.theta[:, k])) for k, e in enumerate(self.estimates)]

    def trend(self) -> dict[str, float] | None:
        """Linear trend of the true uplift over analysis dates: change per 30 days.

        Fitted per posterior draw (least squares of theta on date), so its interval carries
        the uncertainty of every campaign's estimate. None when the dates span under a day
        or fewer than three campaign versions exist.
        """
        days = self.days()
        if len(days) < 3 or np.ptp(days) < 1:
            return None
        centred = days - days.mean()
        slope = (self.theta * centred).sum(axis=1) / (centred**2).sum() * 30
        summary = Interval.of(slope)
        return {
            "per_30_days_mean": summary.mean,
            "per_30_days_low": summary.low,
            "per_30_days_high": summary.high,
            "p_increasing": float(np.mean(slope > 0)),
            "span_days": float(np.ptp(days)),
        }

    def days(self) -> np.ndarray:
        """Days from the earliest analysis date, per campaign version."""
        dates = [e.date for e in self.estimates]
        first = min(dates)
        return np.array([(d - first).total_seconds() / 86400 for d in dates])


def fit_meta(
    estimates: list[CampaignEstimate],
    seed: int = 20261123,
    draws: int = 2000,
    tune: int | None = None,
    chains: int = 4,
) -> MetaAnalysis:
    """Sample the random-effects model over the estimates with nutpie."""
    import arviz as az
    import nutpie

    if len(estimates) < 2:
        raise ValueError("a meta-analysis needs at least two estimates")
    observed = np.array([e.benefit_mean for e in estimates])
    sd = np.array([e.benefit_sd for e in estimates])
    if not np.all(sd > 0):
        raise ValueError("every estimate needs a positive standard deviation")
    ropes = [e.rope for e in estimates if e.rope > 0]
    unit = float(np.median(ropes)) if ropes else float(np.median(sd))
    started = time.perf_counter()
    compiled = _compiled(len(estimates))
    model = compiled.nutpie_model({"observed": observed / unit, "sd": sd / unit})  # type: ignore[attr-defined]
    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    logging.getLogger("nutpie").setLevel(logging.WARNING)
    posterior = nutpie.sample(
        model,
        draws=draws,
        tune=tune or draws,
        chains=chains,
        seed=seed,
        progress_bar=False,
        cores=min(chains, 2),
        target_accept=0.95,
    )
    sample_seconds = time.perf_counter() - started
    data = posterior.posterior.to_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_hat = az.rhat(data)
        ess = az.ess(data, method="bulk")
        ess_tail = az.ess(data, method="tail")
    names = list(data.data_vars)
    diagnostics = MetaDiagnostics(
        max_r_hat=max(float(np.nanmax(np.asarray(r_hat[n]))) for n in names)
        if chains > 1
        else float("nan"),
        min_ess=min(
            float(min(np.nanmin(np.asarray(ess[n])), np.nanmin(np.asarray(ess_tail[n]))))
            for n in names
        ),
        divergences=int(np.asarray(posterior.sample_stats["diverging"]).sum()),
        draws=draws,
        chains=chains,
    )

    def flat(name: str) -> np.ndarray:
        values = np.asarray(data[name].values, dtype=float)
        return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])

    mu, tau, z = flat("mu") * unit, flat("tau") * unit, flat("z")
    theta = mu[:, None] + tau[:, None] * z
    return MetaAnalysis(
        estimates=list(estimates),
        mu=mu,
        tau=tau,
        theta=theta,
        unit=unit,
        diagnostics=diagnostics,
        seed=seed,
        seconds={"compile": round(compile_seconds, 3), "sample": round(sample_seconds, 3)},
    )


# --- figures (matplotlib Figure objects, no pyplot) --------------------------------------------


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.8)
    ax.set_axisbelow(True)


def _effect_label(meta: MetaAnalysis) -> str:
    first = meta.estimates[0]
    word = "fewer" if first.direction == "decrease" else "extra"
    return f"{word} {first.metric_label} per 1,000 recipients vs sending nothing"


def figure_forest(meta: MetaAnalysis) -> Figure:
    """Each campaign version on its own (raw) and after partial pooling (shrunken).

    The bottom rows are the programme's average and the range a new campaign would likely
    fall in. Per 1,000 recipients, with the ROPE band.
    """
    rows = sorted(meta.shrunken(), key=lambda item: item[1].mean)
    count = len(rows)
    fig = Figure(figsize=(7.5, 0.42 * (count + 2) + 1.6), layout="constrained")
    ax = fig.subplots()
    rope = meta.rope
    rope_band(ax, rope)
    programme = meta.programme()
    ax.axvline(programme.mean * PER, color=PROGRAMME_COLOUR, linestyle=":", linewidth=1)
    offset = 0.16
    for position, (estimate, shrunk) in enumerate(rows, start=2):
        raw_low = estimate.benefit_mean - 1.96 * estimate.benefit_sd
        raw_high = estimate.benefit_mean + 1.96 * estimate.benefit_sd
        ax.plot(
            [raw_low * PER, raw_high * PER],
            [position + offset] * 2,
            color=RAW_COLOUR,
            linewidth=1.5,
        )
        ax.plot(
            estimate.benefit_mean * PER,
            position + offset,
            "o",
            markerfacecolor="white",
            markeredgecolor=RAW_COLOUR,
            markersize=6,
        )
        ax.plot(
            [shrunk.low * PER, shrunk.high * PER],
            [position - offset] * 2,
            color=SHRUNK_COLOUR,
            linewidth=3,
        )
        ax.plot(shrunk.mean * PER, position - offset, "o", color=SHRUNK_COLOUR, markersize=7)
    prediction = Interval.of(meta.prediction())
    for position, summary, marker in ((1, programme, "D"), (0, prediction, "s")):
        ax.plot(
            [summary.low * PER, summary.high * PER],
            [position] * 2,
            color=PROGRAMME_COLOUR,
            linewidth=3,
        )
        ax.plot(summary.mean * PER, position, marker, color=PROGRAMME_COLOUR, markersize=8)
    labels = ["a new campaign (likely range)", "programme average"] + [e.label for e, _ in rows]
    ax.set_yticks(np.arange(count + 2), labels)
    ax.set_ylim(-0.7, count + 1.7)
    ax.plot([], [], "o-", color=RAW_COLOUR, markerfacecolor="white", label="campaign on its own")
    ax.plot([], [], "o-", color=SHRUNK_COLOUR, label="after borrowing from the others")
    ax.set_xlabel(f"{_effect_label(meta)}\n(dot: best estimate, bar: 95% range)")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18 - 0.6 / (count + 2)),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    _style(ax)
    return fig


def figure_trend(meta: MetaAnalysis) -> Figure:
    """Shrunken uplift per campaign version against its analysis date, with a linear trend."""
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.subplots()
    rope = meta.rope
    rope_band(ax, rope, vertical=False)
    trend = meta.trend()
    if trend is None:  # no spread in dates: the campaigns in date order instead
        order = sorted(range(len(meta.estimates)), key=lambda k: meta.estimates[k].date)
        dates = [0] * len(order)
        for position, k in enumerate(order):
            dates[k] = position
        ax.set_xticks(
            range(len(order)),
            [meta.estimates[k].label for k in order],
            rotation=30,
            ha="right",
            fontsize=8,
        )
    else:
        dates = [e.date for e in meta.estimates]
    for date, (estimate, shrunk) in zip(dates, meta.shrunken(), strict=True):
        ax.plot(
            [date, date], [shrunk.low * PER, shrunk.high * PER], color=SHRUNK_COLOUR, linewidth=2
        )
        ax.plot(date, shrunk.mean * PER, "o", color=SHRUNK_COLOUR, markersize=6)
        ax.plot(
            date,
            estimate.benefit_mean * PER,
            "o",
            markerfacecolor="white",
            markeredgecolor=RAW_COLOUR,
            markersize=5,
        )
    if trend is not None:
        days = meta.days()
        grid = np.linspace(days.min(), days.max(), 50)
        centred = days - days.mean()
        slope = (meta.theta * centred).sum(axis=1) / (centred**2).sum()
        intercept = meta.theta.mean(axis=1)
        lines = intercept[:, None] + slope[:, None] * (grid - days.mean())[None, :]
        first = min(e.date for e in meta.estimates)
        moments = [first + pd.Timedelta(days=float(d)) for d in grid]
        ax.fill_between(
            moments,
            *np.percentile(lines * PER, [2.5, 97.5], axis=0),
            color=TREND_COLOUR,
            alpha=0.15,
            linewidth=0,
        )
        ax.plot(
            moments,
            lines.mean(axis=0) * PER,
            color=TREND_COLOUR,
            linewidth=2,
            label="linear trend (95% band)",
        )
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel(_effect_label(meta).replace(" vs sending nothing", ""), fontsize=9)
    ax.set_xlabel(
        "date the campaign was analysed" if trend else "campaigns, in the order they were analysed"
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#EEEEEE", linewidth=0.8)
    ax.legend(loc="best", frameon=False, fontsize=8)
    return fig


def figure_verdicts(meta: MetaAnalysis) -> Figure:
    """How many campaign versions got each verdict, as one labelled stacked bar."""
    counts = Counter(e.verdict for e in meta.estimates)
    fig = Figure(figsize=(7.5, 1.1), layout="constrained")
    ax = fig.subplots()
    left = 0
    for verdict in (Verdict.BEATS, Verdict.INCONCLUSIVE, Verdict.IRRELEVANT, Verdict.HARMFUL):
        count = counts.get(verdict, 0)
        if not count:
            continue
        ax.barh(0, count, left=left, color=VERDICT_COLOURS[verdict], height=0.8)
        ax.text(
            left + count / 2,
            0,
            f"{count} {verdict.value}",
            ha="center",
            va="center",
            color="white",
            fontsize=9,
            fontweight="bold",
            clip_on=True,
        )
        left += count
    ax.set_xlim(0, max(left, 1))
    ax.set_yticks([])
    ax.set_xlabel("campaign versions, by verdict")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    return fig


# --- the report ------------------------------------------------------------------------------


def _per_thousand(value: float, signed: bool = True) -> str:
    return number(value * PER, signed=signed)


def _range(summary: Interval) -> str:
    return f"{_per_thousand(summary.low, False)} to {_per_thousand(summary.high, False)}"


@dataclass
class PortfolioReport:
    """The portfolio page: the programme's uplift, who beats nothing, shrinkage, trend."""

    results: list[Results]
    estimates: list[CampaignEstimate]
    left_out: list[tuple[str, str]]
    meta: MetaAnalysis | None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @classmethod
    def create(
        cls,
        reports_dir: str | Path,
        output_dir: str | Path = "",
        campaigns: str | Iterable[str] = "",
        seed: int = 20261123,
        draws: int = 2000,
    ) -> PortfolioReport:
        """Read the campaigns' results, fit the meta-analysis, and save `portfolio.json`."""
        names = (
            [n.strip() for n in campaigns.split(",")]
            if isinstance(campaigns, str)
            else list(campaigns)
        )
        results = read_campaigns(reports_dir, [n for n in names if n])
        estimates, left_out = comparable(results)
        meta = fit_meta(estimates, seed=seed, draws=draws) if len(estimates) >= 2 else None
        report = cls(results, estimates, left_out, meta)
        if output_dir:
            report.save(Path(output_dir))
        return report

    @property
    def campaign_count(self) -> int:
        """Campaigns in the meta-analysis."""
        return len({e.campaign for e in self.estimates})

    def campaigns_beating(self) -> int:
        """Campaigns with at least one version that beats sending nothing (their verdicts)."""
        return len({e.campaign for e in self.estimates if e.verdict is Verdict.BEATS})

    def headline(self) -> str:
        """One sentence on the programme as a whole."""
        if self.meta is None:
            return "Too few comparable campaigns for a portfolio meta-analysis (at least two estimates are needed)."
        programme = self.meta.programme()
        first = self.estimates[0]
        word = "fewer " if first.direction == "decrease" else ""
        return (
            f"Across {self.campaign_count} campaigns, sending rather than sending nothing gives "
            f"{_per_thousand(programme.mean)} {word}{first.metric_label} per 1,000 recipients on average "
            f"(95%: {_range(programme)}; chance the programme beats sending nothing "
            f"{percent(self.meta.p_programme_beats())}); {self.campaigns_beating()} of "
            f"{self.campaign_count} campaigns have a version that beats sending nothing."
        )

    def to_dict(self) -> dict[str, object]:
        """Everything the page shows, per recipient (machine-readable `portfolio.json`)."""
        data: dict[str, object] = {
            "schema_version": SCHEMA_VERSION,
            "created_at": self.created_at,
            "headline": self.headline(),
            "campaigns": self.campaign_count,
            "campaigns_beating_from_verdicts": self.campaigns_beating(),
            "left_out": [{"campaign": c, "reason": r} for c, r in self.left_out],
        }
        meta = self.meta
        if meta is None:
            return data
        prediction = Interval.of(meta.prediction())
        data.update(
            {
                "metric": self.estimates[0].metric,
                "rope": meta.rope,
                "programme": {
                    **vars(meta.programme()),
                    "p_beats_nothing": meta.p_programme_beats(),
                    "p_beyond_rope": meta.p_programme_beyond_rope(),
                },
                "between_campaign_sd": vars(meta.between()),
                "new_campaign": {
                    **vars(prediction),
                    "p_beyond_rope": float(np.mean(meta.prediction() > meta.rope)),
                },
                "share_beyond_rope": vars(meta.share_beyond_rope()),
                "trend": meta.trend(),
                "estimates": [
                    {
                        "campaign": e.campaign,
                        "version": e.version,
                        "created_at": e.created_at,
                        "verdict": e.verdict.value,
                        "raw_mean": e.benefit_mean,
                        "raw_sd": e.benefit_sd,
                        "shrunken": vars(s),
                    }
                    for e, s in meta.shrunken()
                ],
                "priors": {
                    "mu_sd": PRIOR_MU_UNITS * meta.unit,
                    "tau_sd": PRIOR_TAU_UNITS * meta.unit,
                },
                "diagnostics": {
                    **vars(meta.diagnostics),
                    "reliable": meta.diagnostics.reliable,
                    "problems": meta.diagnostics.problems,
                },
            }
        )
        return data

    def save(self, folder: Path) -> Path:
        """Write `portfolio.json` into `folder` (atomically)."""
        text = json.dumps(_json_safe(self.to_dict()), indent=2, allow_nan=False)
        return write_text_atomic(folder / "portfolio.json", text + "\n")

    # Sections, in page order ----------------------------------------------------------

    def title(self) -> Html:
        """Title, headline and which campaigns are in."""
        names = ", ".join(esc(r.experiment) for r in self.results)
        return Html(
            '<header class="report-head"><h1>Portfolio: does the programme beat sending nothing?</h1>'
            f'<p class="headline">{esc(self.headline())}</p>'
            f'<p class="meta">{len(self.results)} campaigns with reports: {names} · analysed {esc(self.created_at.replace("T", " ").replace("+00:00", " UTC"))}</p></header>'
        )

    def programme(self) -> Html:
        """The programme's average uplift, a new campaign's likely range, how much campaigns differ."""
        meta = self.meta
        if meta is None:
            return Html(f"<p>{esc(self.headline())}</p>")
        programme, between = meta.programme(), meta.between()
        prediction = meta.prediction()
        summary = Interval.of(prediction)
        rows = [
            {
                "": "programme average",
                "per 1,000 recipients": _per_thousand(programme.mean),
                "95% range": _range(programme),
                "chance it beats nothing": percent(meta.p_programme_beats()),
                "chance it beats nothing by more than the ROPE": percent(
                    meta.p_programme_beyond_rope()
                ),
            },
            {
                "": "a new campaign",
                "per 1,000 recipients": _per_thousand(summary.mean),
                "95% range": _range(summary),
                "chance it beats nothing": percent(float(np.mean(prediction > 0))),
                "chance it beats nothing by more than the ROPE": percent(
                    float(np.mean(prediction > meta.rope))
                ),
            },
        ]
        return Html(
            table(pd.DataFrame(rows))
            + f"<p>Campaigns truly differ by about {esc(_per_thousand(between.mean, False))} per 1,000 recipients "
            f"(between-campaign standard deviation, 95%: {esc(_range(between))}). "
            f"The ROPE, {esc(_per_thousand(meta.rope, False))} per 1,000 recipients, is the median of the campaigns' own.</p>"
        )

    def shares(self) -> Html:
        """Share of campaigns that beat sending nothing: from verdicts, and from the model."""
        meta = self.meta
        if meta is None:
            return Html("")
        share = meta.share_beyond_rope()
        versions_beating = sum(1 for e in self.estimates if e.verdict is Verdict.BEATS)
        return Html(
            f"<p>From the verdicts: <strong>{self.campaigns_beating()} of {self.campaign_count}</strong> campaigns have a version "
            f"that beats sending nothing ({versions_beating} of {len(self.estimates)} versions).</p>"
            f"<p>From the model: an expected <strong>{share.mean:.0%}</strong> of versions truly beat sending nothing by more "
            f"than their ROPE (95%: {share.low:.0%} to {share.high:.0%}). Verdicts demand 95% certainty per campaign, "
            "so they count fewer winners than the model expects.</p>"
            + str(image(figure_verdicts(meta), "verdicts of all campaign versions"))
        )

    def forest(self) -> Html:
        """Raw against shrunken estimate per campaign version, and the programme rows."""
        meta = self.meta
        if meta is None:
            return Html("")
        rows = [
            {
                "campaign": e.label,
                "own estimate per 1,000": _per_thousand(e.benefit_mean),
                "after pooling per 1,000": _per_thousand(s.mean),
                "95% range after pooling": _range(s),
                "verdict": e.verdict.value,
            }
            for e, s in sorted(meta.shrunken(), key=lambda item: -item[1].mean)
        ]
        return Html(
            str(image(figure_forest(meta), "each campaign's estimate on its own and after pooling"))
            + table(pd.DataFrame(rows))
        )

    def trend(self) -> Html:
        """Uplift against the date each campaign was analysed."""
        meta = self.meta
        if meta is None:
            return Html("")
        trend = meta.trend()
        if trend is None:
            note = "The campaigns were analysed within one day of each other (or are too few): no trend to estimate."
        else:
            note = (
                f"Linear trend: {esc(number(trend['per_30_days_mean'] * PER, signed=True))} per 1,000 recipients every 30 days "
                f"(95%: {esc(number(trend['per_30_days_low'] * PER))} to {esc(number(trend['per_30_days_high'] * PER))}); "
                f"chance the uplift is growing {esc(percent(trend['p_increasing']))}."
            )
        return Html(f"<p>{note}</p>" + str(image(figure_trend(meta), "uplift over time")))

    def not_worth_sending(self) -> Html:
        """Campaign versions that are irrelevant or harmful."""
        bad = [e for e in self.estimates if e.verdict in (Verdict.HARMFUL, Verdict.IRRELEVANT)]
        bad.sort(key=lambda e: (e.verdict is not Verdict.HARMFUL, e.campaign, e.version))
        if not bad:
            return Html("<p>No campaign version is irrelevant or harmful.</p>")
        items = "".join(
            f'<li><span class="badge {"harmful" if e.verdict is Verdict.HARMFUL else "irrelevant"}">{esc(e.verdict.value)}</span> '
            f"<strong>{esc(e.label)}</strong>: {esc(e.sentence)}</li>"
            for e in bad
        )
        return Html(f'<ul class="findings">{items}</ul>')

    def method(self) -> Html:
        """Model, priors, diagnostics and campaigns left out."""
        left = "".join(f"<li>{esc(c)}: {esc(r)}</li>" for c, r in self.left_out)
        left_html = (
            f"<p>Not pooled (measured on another primary metric):</p><ul>{left}</ul>"
            if left
            else ""
        )
        meta = self.meta
        if meta is None:
            return Html(left_html)
        d = meta.diagnostics
        state = "reliable" if d.reliable else "NOT reliable: " + "; ".join(d.problems)
        r_hat = "n/a" if np.isnan(d.max_r_hat) else f"{d.max_r_hat:.3f}"
        return Html(
            "<p>Random-effects meta-analysis: each campaign version's uplift on the primary metric "
            "(its posterior mean and standard deviation from its own report) is a noisy look at its true uplift; "
            "true uplifts scatter around a programme average with a between-campaign standard deviation. "
            "Versions of one campaign share a holdout; the model treats them as independent, so the programme's "
            "range is slightly too narrow when campaigns have several versions.</p>"
            f"<p>Priors, per 1,000 recipients: programme average Normal(0, {esc(number(PRIOR_MU_UNITS * meta.unit * PER))}), "
            f"between-campaign sd HalfNormal({esc(number(PRIOR_TAU_UNITS * meta.unit * PER))}), non-centred.</p>"
            f'<p class="diagnostics">Sampler: {d.chains} chains × {d.draws} draws (NUTS, nutpie), seed {meta.seed}. '
            f"Largest r̂ {esc(r_hat)}, smallest effective sample size {d.min_ess:.0f}, {d.divergences} divergences: {esc(state)}.</p>"
            + left_html
        )


def _json_safe(value: object) -> object:
    """Plain JSON values: numpy numbers as Python numbers, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
