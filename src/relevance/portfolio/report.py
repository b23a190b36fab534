"""The portfolio page, section by section, and portfolio.json."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from relevance.config import DEFAULT_SEED, configured_diagnostics
from relevance.io.outputs import write_text_atomic
from relevance.language import day, number, percent, span, version_label, when
from relevance.portfolio import figures
from relevance.portfolio.estimates import (
    CampaignEstimate,
    comparable,
    estimates_from,
    read_campaigns,
)
from relevance.portfolio.meta import (
    PRIOR_MU_UNITS,
    PRIOR_TAU_UNITS,
    Interval,
    MetaAnalysis,
    fit_meta,
)
from relevance.report.style import Html, chart, esc, table
from relevance.results import PER, Results, Verdict

SCHEMA_VERSION = "1.1"  # 1.1: one estimate per campaign, `sent` and `dated_by` per estimate


def _per_thousand(value: float, signed: bool = True) -> str:
    return number(value * PER, signed=signed)


def _range(summary: Interval) -> str:
    return span(summary.low, summary.high)


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _counted(estimate: CampaignEstimate) -> str:
    """'Version B (sent)' or 'Version A (its best; sends nothing)'."""
    note = "sent" if estimate.sent else "its best; sends nothing"
    return f"{version_label(estimate.version)} ({note})"


@dataclass
class PortfolioReport:
    """The portfolio page: the programme's uplift, who beats nothing, shrinkage, trend.

    Each campaign counts once (`estimates`): the version it sends, else its best version.
    """

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
        """Campaigns in the meta-analysis (each counts once)."""
        return len({e.campaign for e in self.estimates})

    def campaigns_beating(self) -> int:
        """Campaigns whose version counted beats sending nothing (its verdict)."""
        return len({e.campaign for e in self.estimates if e.verdict is Verdict.BEATS})

    def headline(self) -> str:
        """One sentence on the programme as a whole, over the versions counted."""
        if self.meta is None:
            return (
                "Too few comparable campaigns for a portfolio meta-analysis (at least two "
                "campaigns measured on the same primary metric are needed)."
            )
        programme = self.meta.programme()
        first = self.estimates[0]
        word = "fewer " if first.direction == "decrease" else ""
        count = self.campaign_count
        return (
            f"Across {count} campaigns, each counted once, sending gives "
            f"{_per_thousand(programme.mean)} {word}{first.metric_label} per 1,000 recipients "
            f"on average against sending nothing (95%: {_range(programme)}; chance the "
            f"programme beats sending nothing {percent(self.meta.p_programme_beats())}); in "
            f"{self.campaigns_beating()} of {count} campaigns the version counted beats "
            "sending nothing."
        )

    def pooled_sentence(self) -> str:
        """What the portfolio pools: the version each campaign sends, else its best."""
        if not self.estimates:
            return ""
        best = [e for e in self.estimates if not e.sent]
        if not best:
            return "Each campaign counts once: the version it sends."
        metric = self.estimates[0].metric_label
        named = [f"{version_label(e.version)} of campaign {e.campaign}" for e in best]
        if len(best) == len(self.estimates):
            return (
                "Each campaign counts once. None of them sends a version, so each counts with "
                f"its best version (the highest estimate of {metric}): {_and(named)}."
            )
        if len(best) == 1:
            rest = f"{named[0]}, which sends nothing, is its best version"
        else:
            rest = f"{_and(named)}, whose campaigns send nothing, are their best versions"
        return (
            f"Each campaign counts once: the version it sends; {rest} (the highest estimate "
            f"of {metric})."
        )

    def to_dict(self) -> dict[str, object]:
        """Everything the page shows, per recipient (machine-readable `portfolio.json`)."""
        data: dict[str, object] = {
            "schema_version": SCHEMA_VERSION,
            "created_at": self.created_at,
            "headline": self.headline(),
            "pooled": self.pooled_sentence(),
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
                "estimates": [_estimate_dict(e, s) for e, s in meta.shrunken()],
                "priors": {
                    "mu_sd": PRIOR_MU_UNITS * meta.unit,
                    "tau_sd": PRIOR_TAU_UNITS * meta.unit,
                },
                "diagnostics": _diagnostics_dict(meta),
            }
        )
        return data

    def save(self, folder: Path) -> Path:
        """Write `portfolio.json` into `folder` (atomically)."""
        text = json.dumps(_json_safe(self.to_dict()), indent=2, allow_nan=False)
        return write_text_atomic(folder / "portfolio.json", text + "\n")

    # Sections, in page order ----------------------------------------------------------

    def title(self) -> Html:
        """Title, headline, what is pooled and which campaigns are in."""
        names = ", ".join(r.experiment for r in self.results)
        pooled = self.pooled_sentence()
        warning = ""
        if self.meta is not None and not self.meta.diagnostics.reliable:
            warning = (
                "The meta-analysis's sampler did not converge: these numbers are not reliable "
                "yet (see Method, priors and sampler diagnostics)."
            )
        return Html(
            '<header class="report-head"><h1>Portfolio: does the programme beat sending '
            f'nothing?</h1><p class="headline">{esc(self.headline())}</p>'
            + (f'<p class="pooled">{esc(pooled)}</p>' if pooled else "")
            + (f'<p class="warning">{esc(warning)}</p>' if warning else "")
            + f'<p class="meta">{len(self.results)} campaigns with reports: {esc(names)} · '
            f"analysed {esc(when(self.created_at))}</p></header>"
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
                "estimate": "programme average",
                "per 1,000 recipients": _per_thousand(programme.mean),
                "95% range": _range(programme),
                "chance it beats nothing": percent(meta.p_programme_beats()),
                "chance it beats nothing by more than practically nothing": percent(
                    meta.p_programme_beyond_rope()
                ),
            },
            {
                "estimate": "a new campaign",
                "per 1,000 recipients": _per_thousand(summary.mean),
                "95% range": _range(summary),
                "chance it beats nothing": percent(float(np.mean(prediction > 0))),
                "chance it beats nothing by more than practically nothing": percent(
                    float(np.mean(prediction > meta.rope))
                ),
            },
        ]
        return Html(
            table(rows) + "<p>Campaigns truly differ by about "
            f"{esc(_per_thousand(between.mean, False))} per 1,000 recipients (between-campaign "
            f"standard deviation, 95%: {esc(_range(between))}). Practically nothing (the ROPE) "
            f"is ±{esc(_per_thousand(meta.rope, False))} per 1,000 recipients here: the median "
            "of the campaigns' own.</p>"
        )

    def shares(self) -> Html:
        """Share of campaigns that beat sending nothing: from verdicts, and from the model."""
        meta = self.meta
        if meta is None:
            return Html("")
        share = meta.share_beyond_rope()
        return Html(
            f"<p>From the verdicts: in <strong>{self.campaigns_beating()} of "
            f"{self.campaign_count}</strong> campaigns the version counted beats sending "
            "nothing.</p>"
            f"<p>From the model: an expected <strong>{share.mean:.0%}</strong> of the campaigns "
            "truly beat sending nothing by more than practically nothing with the version "
            f"counted (95%: {share.low:.0%} to {share.high:.0%}). Verdicts demand 95% certainty "
            "per campaign, so they count fewer winners than the model expects.</p>"
            + str(
                chart(
                    lambda size: figures.figure_verdicts(meta, size),
                    "number of campaigns by the verdict on the version counted",
                )
            )
        )

    def forest(self) -> Html:
        """Raw against shrunken estimate per campaign, and the programme rows."""
        meta = self.meta
        if meta is None:
            return Html("")
        rows = [
            {
                "campaign": e.campaign,
                "version counted": _counted(e),
                "date": f"{e.dated_by} {day(e.created_at)}",
                "own estimate per 1,000": _per_thousand(e.benefit_mean),
                "after pooling per 1,000": _per_thousand(s.mean),
                "95% range after pooling": _range(s),
                "verdict": e.verdict.value,
            }
            for e, s in sorted(meta.shrunken(), key=lambda item: -item[1].mean)
        ]
        return Html(
            str(
                chart(
                    lambda size: figures.figure_forest(meta, size),
                    "each campaign's estimate on its own and after pooling",
                )
            )
            + table(rows)
        )

    def trend(self) -> Html:
        """Uplift against the date each campaign was sent (else analysed)."""
        meta = self.meta
        if meta is None:
            return Html("")
        trend = meta.trend()
        dates = {
            "sent": "the date each campaign was sent",
            "analysed": "the date each campaign was analysed (no send dates were given)",
        }.get(
            figures.dated_by(self.estimates),
            "the date each campaign was sent, or analysed where no send date was given",
        )
        if trend is None:
            note = (
                f"Campaigns in order of {dates}. Their dates lie within one day of each other "
                "(or there are fewer than three): no trend to estimate."
            )
        else:
            note = (
                f"Each campaign's uplift against {dates}. Linear trend: "
                f"{number(trend['per_30_days_mean'] * PER, signed=True)} per 1,000 recipients "
                f"every 30 days (95%: {number(trend['per_30_days_low'] * PER)} to "
                f"{number(trend['per_30_days_high'] * PER)}); chance the uplift is growing "
                f"{percent(trend['p_increasing'])}."
            )
        return Html(
            f"<p>{esc(note)}</p>"
            + str(chart(lambda size: figures.figure_trend(meta, size), "uplift over time"))
        )

    def not_worth_sending(self) -> Html:
        """Every version of the pooled campaigns that is irrelevant or harmful."""
        pooled = {e.campaign for e in self.estimates}
        every = [
            e
            for r in self.results
            if r.experiment in pooled
            for e in estimates_from(r, every_version=True)
        ]
        bad = [e for e in every if e.verdict in (Verdict.HARMFUL, Verdict.IRRELEVANT)]
        bad.sort(key=lambda e: (e.verdict is not Verdict.HARMFUL, e.campaign, e.version))
        if not bad:
            return Html("<p>No campaign version is irrelevant or harmful.</p>")
        items = "".join(
            f'<li><span class="badge {"harmful" if e.verdict is Verdict.HARMFUL else "irrelevant"}">'
            f"{esc(e.verdict.value)}</span> <strong>{esc(e.label)}</strong>: {esc(e.sentence)}</li>"
            for e in bad
        )
        return Html(f'<ul class="findings">{items}</ul>')

    def method(self) -> Html:
        """Model, priors, diagnostics and campaigns left out."""
        left = "".join(f"<li>{esc(c)}: {esc(r)}</li>" for c, r in self.left_out)
        left_html = f"<p>Not pooled:</p><ul>{left}</ul>" if left else ""
        meta = self.meta
        if meta is None:
            return Html(left_html)
        d = meta.diagnostics
        state = "reliable" if d.reliable else "NOT reliable: " + "; ".join(d.problems)
        r_hat = "n/a" if np.isnan(d.max_r_hat) else f"{d.max_r_hat:.3f}"
        mu_sd = number(PRIOR_MU_UNITS * meta.unit * PER)
        tau_sd = number(PRIOR_TAU_UNITS * meta.unit * PER)
        return Html(
            "<p>Random-effects meta-analysis: each campaign counts once, with the version it "
            "sends or, if it sends none, its best version. That version's uplift on the primary "
            "metric (its posterior mean and standard deviation from its own report) is a noisy "
            "look at its true uplift; true uplifts scatter around a programme average with a "
            "between-campaign standard deviation. One version per campaign keeps the campaigns "
            "independent (versions of one campaign share its holdout); counting a campaign "
            "that sends nothing by its best version flatters it a little.</p>"
            f"<p>Priors, per 1,000 recipients: programme average Normal(0, {esc(mu_sd)}), "
            f"between-campaign sd HalfNormal({esc(tau_sd)}), non-centred.</p>"
            f'<p class="diagnostics">Sampler: {d.chains} chains × {d.draws} draws (NUTS, '
            f"nutpie, target acceptance {d.target_accept:g}), seed {meta.seed}. Largest r̂ {esc(r_hat)}, smallest effective sample "
            f"size {min(d.min_ess_bulk, d.min_ess_tail):.0f}, {d.divergences} divergences: "
            f"{esc(state)}.</p>" + left_html
        )


def _estimate_dict(estimate: CampaignEstimate, shrunk: Interval) -> dict[str, object]:
    """One pooled estimate as portfolio.json lists it."""
    return {
        "campaign": estimate.campaign,
        "version": estimate.version,
        "sent": estimate.sent,
        "created_at": estimate.created_at,
        "dated_by": estimate.dated_by,
        "verdict": estimate.verdict.value,
        "raw_mean": estimate.benefit_mean,
        "raw_sd": estimate.benefit_sd,
        "shrunken": vars(shrunk),
    }


def _diagnostics_dict(meta: MetaAnalysis) -> dict[str, object]:
    """The sampler's diagnostics as portfolio.json lists them."""
    d = meta.diagnostics
    return {
        "max_r_hat": d.max_r_hat,
        "min_ess_bulk": d.min_ess_bulk,
        "min_ess_tail": d.min_ess_tail,
        "divergences": d.divergences,
        "draws": d.draws,
        "chains": d.chains,
        "target_accept": d.target_accept,
        "thresholds": d.thresholds.model_dump(),
        "reliable": d.reliable,
        "problems": d.problems,
    }


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
