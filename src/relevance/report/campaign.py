"""What the campaign report shows, section by section, as escaped HTML fragments and pictures.

The notebook calls one method per section; every number comes from `Results`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from relevance.language import amount, interval, number, percent, span, version_label
from relevance.report import figures
from relevance.report.style import BADGE_CLASS, Html, esc, image, table
from relevance.results import PER, Results, Severity

GLOSSARY = {
    "Holdout": "Customers picked at random who were sent nothing. Comparing with them shows what the email itself changed.",
    "Uplift": "The difference between customers who got a version and the holdout, here counted per 1,000 recipients.",
    "Credible interval (range)": "The range the true effect lies in with the stated probability (95%), given the data.",
    "Region of practical equivalence (ROPE)": "Effects so small they do not matter for the business. Inside it, sending is practically the same as not sending.",
    "Chance it beats sending nothing": "The probability, given the data, that customers who got the version did better than if they had got nothing.",
    "Net value": "Extra value from sending (margin on extra revenue, value of extra purchases) minus the cost of sending and the value of customers who unsubscribed.",
}


@dataclass(frozen=True)
class CampaignReport:
    """The sections of one campaign's report, drawn from its results alone.

    Any results.json can be redrawn: ``CampaignReport(Results.read(path))``.
    """

    results: Results

    # Sections, in report order -------------------------------------------------------

    def title(self) -> Html:
        """Experiment name, description and the size of the campaign."""
        r = self.results
        arms = ", ".join(esc(version_label(v)) for v in r.versions)
        return Html(
            f'<header class="report-head"><h1>{esc(r.experiment)}</h1>'
            f'<p class="description">{esc(r.description)}</p>'
            f'<p class="meta">{r.run.recipients:,} recipients · versions {arms} · '
            f"no-send holdout arm “{esc(r.holdout)}” · analysed {esc(r.run.created_at)}</p></header>"
        )

    def verdict(self) -> Html:
        """The plain-language verdict: campaign headline, then one card per version."""
        r = self.results
        reliable = (
            ""
            if r.diagnostics.reliable
            else (
                '<p class="warning">The sampler did not converge: these numbers are not reliable yet. '
                + esc("; ".join(r.diagnostics.problems))
                + "</p>"
            )
        )
        errors = [f for f in r.findings if f.severity is not Severity.INFO]
        data_note = (
            f'<p class="warning">{len(errors)} data-quality warning(s): see below.</p>'
            if errors
            else ""
        )
        cards = []
        for v in r.verdicts:
            badge = BADGE_CLASS[v.verdict]
            cards.append(
                f'<div class="card {badge}"><div class="card-head"><span class="version">{esc(version_label(v.version))}</span>'
                f'<span class="badge {badge}">{esc(v.verdict.value)}</span></div>'
                f'<p class="sentence">{esc(v.sentence)}</p>'
                + "".join(f'<p class="reason">{esc(x)}</p>' for x in v.reasons[1:])
                + "</div>"
            )
        unmeasured = "".join(f'<p class="warning">{esc(n.reason)}</p>' for n in r.not_estimable)
        return Html(
            f'<section class="verdict"><p class="headline">{esc(r.campaign.headline)}</p>{reliable}{data_note}'
            f'{unmeasured}<div class="cards">{"".join(cards)}</div>{self.key_numbers()}</section>'
        )

    def key_numbers(self) -> str:
        """Per version and metric: extra per 1,000 recipients, range, chance it beats nothing."""
        r = self.results
        rows = []
        for version in r.versions:
            for metric in (m for m in r.metrics if r.estimable(m.name)):
                u = r.uplift(metric.name, version)
                currency = r.currency if metric.kind == "revenue" else ""
                rows.append(
                    {
                        "version": version_label(version),
                        "per 1,000 recipients": amount(metric, u.uplift_mean, r.currency),
                        f"range ({r.interval:.0%})": span(u.uplift_low, u.uplift_high, currency),
                        "chance sending is better": percent(u.p_beats_holdout),
                        "verdict on this metric": u.verdict.value,
                    }
                )
        if not rows:
            return ""
        return f'<div class="key-numbers">{table(pd.DataFrame(rows))}</div>'

    def findings(self) -> Html:
        """Data-quality findings, worst first."""
        items = "".join(
            f'<li class="finding {f.severity.value}"><span class="severity">{esc(f.severity.value)}</span> {esc(f.message)}</li>'
            for f in self.results.findings
        )
        return Html(f'<ul class="findings">{items or "<li>No data-quality findings.</li>"}</ul>')

    def uplift(self, metric: str | None = None) -> Html:
        """Uplift against the holdout with the ROPE band, and its table, for one metric."""
        r = self.results
        name = metric or r.primary_metric
        if not r.estimable(name):
            return self._not_estimable(name)
        rows = []
        for version in r.versions:
            u = r.uplift(name, version)
            rows.append(
                {
                    "version": version_label(version),
                    "holdout per 1,000": number(u.holdout_mean * PER),
                    "version per 1,000": number(u.version_mean * PER),
                    "uplift per 1,000": number(u.uplift_mean * PER, signed=True),
                    f"{r.interval:.0%} range": span(u.uplift_low, u.uplift_high),
                    "relative lift": "–" if u.relative_mean is None else f"{u.relative_mean:+.1%}",
                    "chance it beats nothing": percent(u.p_beats_holdout),
                    "better / same / worse (ROPE)": f"{percent(u.p_better_beyond_rope)} / {percent(u.p_inside_rope)} / {percent(u.p_worse_beyond_rope)}",
                    "expected loss per 1,000": number(u.expected_loss * PER),
                    "verdict": u.verdict.value,
                }
            )
        label = figures.metric_label(r, name)
        return Html(
            f"<h3>{esc(label)}</h3>"
            + str(image(figures.figure_uplift(r, name), f"uplift of {label} per version"))
            + table(pd.DataFrame(rows))
        )

    def _not_estimable(self, name: str) -> Html:
        """The heading of a metric the data cannot measure, and why (no number)."""
        reason = next(n.reason for n in self.results.not_estimable if n.metric == name)
        return Html(f"<h3>{esc(self.results.metric(name).display)}</h3><p>{esc(reason)}</p>")

    def uplifts(self) -> Html:
        """Every metric's uplift section, primary first."""
        r = self.results
        names = [r.primary_metric] + [m.name for m in r.metrics if m.name != r.primary_metric]
        return Html("".join(str(self.uplift(n)) for n in names))

    def probabilities(self) -> Html:
        """The chance that each version beats sending nothing."""
        if not self.results.estimable(self.results.primary_metric):
            return Html("")
        return image(
            figures.figure_probability(self.results), "chance each version beats sending nothing"
        )

    def segments(self, metric: str | None = None) -> Html:
        """Version x segment: where the email works and where it does not."""
        r = self.results
        name = metric or r.primary_metric
        if not r.segments:
            return Html("<p>No segments were configured for this experiment.</p>")
        if not r.estimable(name):
            return self._not_estimable(name)
        parts = []
        for column in r.segments:
            parts.append(f"<h3>by {esc(column.replace('_', ' '))}</h3>")
            parts.append(
                str(image(figures.figure_segments(r, name, column), f"uplift by {column}"))
            )
            rows = []
            for u in r.uplifts:
                if u.metric == name and u.segment_column == column:
                    rows.append(
                        {
                            column: u.segment_level,
                            "version": version_label(u.version),
                            "recipients": f"{u.recipients:,}",
                            "uplift per 1,000": number(u.uplift_mean * PER, signed=True),
                            f"{r.interval:.0%} range": span(u.uplift_low, u.uplift_high),
                            "chance it beats nothing": percent(u.p_beats_holdout),
                            "verdict": u.verdict.value,
                        }
                    )
            parts.append(table(pd.DataFrame(rows)))
        return Html("".join(parts))

    def fatigue(self) -> Html:
        """The third email of the week: where sending stops paying, per version."""
        r = self.results
        if not r.fatigue:
            return Html(
                "<p>No fatigue column is configured (see `fatigue` in the experiment file).</p>"
            )
        sentences = "".join(f'<p class="sentence">{esc(c.sentence)}</p>' for c in r.fatigue)
        rows = [
            {
                "version": version_label(c.version),
                "emails already received": p.bucket,
                "recipients": f"{p.recipients:,}",
                f"extra {figures.metric_label(r, r.primary_metric)} per 1,000": number(
                    p.uplift_mean * PER, signed=True
                ),
                f"{c.measure} per 1,000": number(p.pays_mean, signed=True),
                f"{r.interval:.0%} range": f"{number(p.pays_low)} to {number(p.pays_high)}",
                "chance it pays": percent(p.p_pays),
            }
            for c in r.fatigue
            for p in c.points
        ]
        return Html(
            sentences
            + str(image(figures.figure_fatigue(r), "what sending earns by emails already received"))
            + table(pd.DataFrame(rows))
        )

    def guardrails(self) -> Html:
        """Guardrail metrics (unsubscribes, complaints): does any version harm them?"""
        r = self.results
        guards = [m for m in r.metrics if m.guardrail and m.name != r.primary_metric]
        if not guards:
            return Html("<p>No guardrail metrics were configured.</p>")
        items = []
        for metric in guards:
            if not r.estimable(metric.name):
                reason = next(n.reason for n in r.not_estimable if n.metric == metric.name)
                items.append(f"<li>{esc(reason)}</li>")
                continue
            for version in r.versions:
                u = r.uplift(metric.name, version)
                harmed = u.p_worse_beyond_rope >= r.probability
                state = "harmed" if harmed else "not harmed"
                items.append(
                    f'<li class="{"harmful" if harmed else "ok"}">{esc(version_label(version))}: '
                    f"{esc(metric.display)} {state} — "
                    f"{esc(number(u.uplift_mean * PER, signed=True))} per 1,000 recipients "
                    f"({esc(interval(u.uplift_low, u.uplift_high, r.interval))}), "
                    f"chance of harm beyond the ROPE {esc(percent(u.p_worse_beyond_rope))}.</li>"
                )
        return Html(f'<ul class="guardrails">{"".join(items)}</ul>')

    def net_value(self) -> Html:
        """Value per 1,000 recipients after sending costs and lost subscribers."""
        r = self.results
        if not r.net_value:
            return Html("<p>No values or costs are configured, so net value is not computed.</p>")
        sentences = "".join(f"<p>{esc(n.sentence)}</p>" for n in r.net_value)
        return Html(sentences + str(image(figures.figure_net_value(r), "net value per version")))

    def comparisons(self) -> Html:
        """Version against version (secondary: it says which wins, not whether to send)."""
        r = self.results
        if not r.comparisons:
            return Html("<p>Only one version: nothing to compare.</p>")
        rows = [
            {
                "metric": figures.metric_label(r, c.metric),
                "comparison": f"{version_label(c.version_a)} vs {version_label(c.version_b)}",
                "difference per 1,000": number(c.difference_mean * PER, signed=True),
                f"{r.interval:.0%} range": span(c.difference_low, c.difference_high),
                "chance the first is better": percent(c.p_a_better),
                "expected loss choosing the first, per 1,000": number(
                    c.expected_loss_choosing_a * PER
                ),
            }
            for c in r.comparisons
        ]
        return Html(table(pd.DataFrame(rows)))

    def diagnostics(self) -> Html:
        """Priors, sampler settings, convergence and the model check, last."""
        r = self.results
        d = r.diagnostics
        state = "reliable" if d.reliable else "NOT reliable: " + "; ".join(d.problems)
        priors = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in r.priors.items())
        checks = pd.DataFrame(
            [
                {
                    "metric": figures.metric_label(r, c.metric),
                    "arm": c.arm,
                    "observed per recipient": f"{c.observed_mean:.5g}",
                    "model per recipient": f"{c.predicted_mean:.5g}",
                    f"model {r.interval:.0%} range": f"{c.predicted_low:.5g} to {c.predicted_high:.5g}",
                    "consistent": "yes" if c.consistent else "NO",
                }
                for c in r.model_checks
            ]
        )
        r_hat = "n/a (one chain)" if d.max_r_hat is None else f"{d.max_r_hat:.3f}"
        longer = (
            f" (the configured {r.run.draws} were too few for the thresholds, so the chains were run longer)"
            if d.draws > r.run.draws
            else ""
        )
        return Html(
            f'<p class="diagnostics">Sampler: {d.chains} chains × {d.draws} draws{longer} (NUTS, nutpie, target acceptance {d.target_accept}), seed {r.run.seed}. '
            f"Largest r̂ {esc(r_hat)}, smallest effective sample size {d.min_ess_bulk:.0f} (bulk) / {d.min_ess_tail:.0f} (tail), "
            f"{d.divergences} divergences: {esc(state)}.</p>"
            f"<p>Configuration, merged in this order: {esc(' → '.join(r.run.config_files) or 'not recorded')}.</p>"
            f"<p>Priors (link scale: logit for rates, log for amounts):</p><ul>{priors}</ul>"
            f"<p>Model check: expected outcome per recipient in each arm, model against data.</p>{table(checks)}"
            f'<p class="meta">relevance {esc(r.run.package_version)} · commit {esc(r.run.git_commit or "unknown")} · '
            f"data fingerprint {esc(r.run.data_fingerprint)} · cells {esc(r.run.cells_fingerprint)}</p>"
        )

    def glossary(self) -> Html:
        """Short definitions for readers who never heard of a posterior."""
        items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in GLOSSARY.items())
        return Html(f'<dl class="glossary">{items}</dl>')
