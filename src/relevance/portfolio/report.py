"""The portfolio page, section by section, and portfolio.json."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from relevance.config import DEFAULT_SEED, configured_diagnostics
from relevance.io.outputs import write_text_atomic
from relevance.language import number, percent, span
from relevance.portfolio.estimates import CampaignEstimate, comparable, read_campaigns
from relevance.portfolio.figures import figure_forest, figure_trend, figure_verdicts
from relevance.portfolio.meta import (
    PRIOR_MU_UNITS,
    PRIOR_TAU_UNITS,
    Interval,
    MetaAnalysis,
    fit_meta,
)
from relevance.report.style import Html, esc, image, table
from relevance.results import PER, Results, Verdict

SCHEMA_VERSION = "1.0"


def _per_thousand(value: float, signed: bool = True) -> str:
    return number(value * PER, signed=signed)


def _range(summary: Interval) -> str:
    return span(summary.low, summary.high)


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
        seed: int = DEFAULT_SEED,
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
        meta = None
        if len(estimates) >= 2:
            thresholds = configured_diagnostics(Path(reports_dir))
            meta = fit_meta(estimates, seed=seed, draws=draws, thresholds=thresholds)
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
                    "max_r_hat": meta.diagnostics.max_r_hat,
                    "min_ess_bulk": meta.diagnostics.min_ess_bulk,
                    "min_ess_tail": meta.diagnostics.min_ess_tail,
                    "divergences": meta.diagnostics.divergences,
                    "draws": meta.diagnostics.draws,
                    "chains": meta.diagnostics.chains,
                    "thresholds": meta.diagnostics.thresholds.model_dump(),
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
            f"Largest r̂ {esc(r_hat)}, smallest effective sample size {min(d.min_ess_bulk, d.min_ess_tail):.0f}, {d.divergences} divergences: {esc(state)}.</p>"
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
