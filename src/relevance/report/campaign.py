"""What the campaign report shows, section by section, as escaped HTML fragments and pictures.

The notebook calls one method per section; every number comes from `Results`, and every
sentence is one results.json already holds (never a number parsed back out of a sentence).
Verdicts come first, then what to do (who to send to, what it is worth), then the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from relevance.language import (
    amount,
    day,
    guardrail_sentence,
    money,
    percent,
    span,
    version_label,
)
from relevance.language import when as human_date
from relevance.report import figures, over_time
from relevance.report.style import BADGE_CLASS, Html, chart, esc, table
from relevance.report.why import why_section
from relevance.results import PER, Results, Severity, Summary

GLOSSARY = {
    "Holdout": "Customers picked at random who were sent nothing. Comparing with them shows "
    "what the email itself changed.",
    "Uplift": "The difference between customers who got a version and the holdout, counted per "
    "1,000 recipients.",
    "Range (credible interval)": "The range the true effect lies in with the stated "
    "probability (95%), given the data.",
    "Practically nothing (ROPE)": "Effects so small they do not matter for the business, set "
    "per metric in the experiment (e.g. ±1 purchase per 1,000 recipients). Inside it, sending "
    "is practically the same as not sending.",
    "Beats sending nothing": "At least 95% chance that the version is better than sending "
    "nothing by more than practically nothing, and no guardrail (such as unsubscribes) harmed.",
    "Irrelevant": "At least 95% chance that the effect is inside practically nothing: sending "
    "it changes nothing that matters.",
    "Harmful": "At least 95% chance that the version is worse than sending nothing by more than "
    "practically nothing, or that it harms a guardrail beyond its band.",
    "Inconclusive": "None of the above yet; the report says roughly how many more recipients "
    "would settle it.",
    "Chance it beats sending nothing": "The probability, given the data, that customers who got "
    "the version did better than if they had got nothing; the verdict uses the chance of doing "
    "better by more than practically nothing.",
    "Expected loss": "What choosing a version costs on average in the cases where it is the "
    "wrong choice, in the metric's unit per 1,000 recipients (e.g. purchases per 1,000): small "
    "means a wrong choice would cost little.",
    "Net value": "Extra value from sending (margin on extra revenue, value of extra purchases) "
    "minus the cost of sending and the value of customers who unsubscribed.",
    "Targeting": "Sending a version only to the segments where it pays, and nothing to the "
    "others; its value is estimated from the same data as everything else.",
    "Why (survey answers)": "What customers said when asked, beside what they did. Shares are "
    "estimated for the campaign's mix of customers (those who answer are rarely a mirror of "
    "everyone); a version with too few answers is shown but not compared. A question asked of "
    "everyone, the holdout included, gets the same four verdicts against sending nothing, with "
    "its own band of practically nothing in rating points.",
}


def capitalised(text: str) -> str:
    """A heading's first letter in capitals ('purchases' -> 'Purchases')."""
    return text[:1].upper() + text[1:]


def _summary(value: Summary, currency: str, signed: bool = True) -> str:
    return f"{money(value.mean, currency, signed=signed)} ({money(value.low, currency)} to {money(value.high, currency)})"


@dataclass(frozen=True)
class CampaignReport:
    """The sections of one campaign's report, drawn from its results alone.

    Any results.json can be redrawn: ``CampaignReport(Results.read(path))``.
    """

    results: Results

    @property
    def money_symbol(self) -> str:
        """The currency when values are money (net value configured), else nothing."""
        return self.results.currency if self.results.net_value else ""

    # Sections, in report order -------------------------------------------------------

    def title(self) -> Html:
        """Title, description and the size of the campaign."""
        r = self.results
        arms = ", ".join(esc(version_label(v)) for v in r.versions)
        sent = f" · sent {esc(day(r.sent_on.isoformat()))}" if r.sent_on else ""
        return Html(
            f'<header class="report-head"><h1>{esc(r.heading)}</h1>'
            f'<p class="description">{esc(r.description)}</p>'
            f'<p class="meta">{r.run.recipients:,} recipients · versions {arms} · no-send '
            f"holdout “{esc(r.holdout)}”{sent} · analysed {esc(human_date(r.run.created_at))}</p>"
            "</header>"
        )

    def verdict(self) -> Html:
        """The plain-language verdict: campaign headline, then one card per version."""
        r = self.results
        notes = []
        if not r.diagnostics.reliable:
            notes.append(
                "The sampler did not converge: these numbers are not reliable yet. "
                + "; ".join(r.diagnostics.problems)
            )
        warnings = [f for f in r.findings if f.severity is not Severity.INFO]
        if warnings:
            notes.append(f"{len(warnings)} data-quality warning(s): see Data quality below.")
        notes += [n.reason for n in r.not_estimable]
        cards = []
        for v in r.verdicts:
            badge = BADGE_CLASS[v.verdict]
            cards.append(
                f'<div class="card {badge}"><div class="card-head">'
                f'<span class="version">{esc(version_label(v.version))}</span>'
                f'<span class="badge {badge}">{esc(v.verdict.value)}</span></div>'
                f'<p class="sentence">{esc(v.sentence)}</p>'
                + "".join(f'<p class="reason">{esc(x)}</p>' for x in v.reasons[1:])
                + "</div>"
            )
        return Html(
            f'<section class="verdict"><p class="headline">{esc(r.campaign.headline)}</p>'
            + "".join(f'<p class="warning">{esc(n)}</p>' for n in notes)
            + f'<div class="cards">{"".join(cards)}</div>{self.key_numbers()}</section>'
        )

    def key_numbers(self) -> str:
        """Per version and metric: extra per 1,000 recipients, range, the chance the verdict
        uses (better by more than practically nothing), and the metric's verdict."""
        r = self.results
        rows = []
        for version in r.versions:
            for metric in (m for m in r.metrics if r.estimable(m.name)):
                u = r.uplift(metric.name, version)
                currency = metric.symbol(r.currency)
                rows.append(
                    {
                        "version": version_label(version),
                        "per 1,000 recipients": amount(metric, u.uplift_mean, r.currency),
                        f"range ({r.interval:.0%})": span(u.uplift_low, u.uplift_high, currency),
                        "chance it is better by more than practically nothing": percent(
                            u.p_better_beyond_rope
                        ),
                        "verdict on this metric": u.verdict.value,
                    }
                )
        return table(rows)

    def probabilities(self) -> Html:
        """The chance the verdict needs, per version, against the threshold."""
        r = self.results
        if not r.estimable(r.primary_metric):
            return Html("")
        return chart(
            lambda size: figures.figure_probability(r, size),
            "chance each version beats sending nothing by more than practically nothing",
        )

    def why(self) -> Html:
        """The why: what customers said in surveys, question by question (see report.why)."""
        return why_section(self.results)

    def targeting(self) -> Html:
        """Who to send which version to, and what that is worth against the alternatives."""
        r = self.results
        t = r.targeting
        if t is None:
            reason = "no segments are configured" if not r.segments else "no verdict is possible"
            return Html(f"<p>No targeting: {reason}.</p>")
        currency = r.currency if t.measure == "net value" else ""
        label = r.segment_label(t.column)
        rows = [
            {
                label: choice.segment_level,
                "recipients": f"{choice.recipients:,}",
                "send": version_label(choice.send) if choice.send else "nothing",
                f"{t.measure} per 1,000 of them": money(
                    choice.value_per_1000, currency, signed=True
                ),
            }
            for choice in t.policy
        ]
        send_all = version_label(t.send_all) + " to everyone" if t.send_all else "nothing to anyone"
        options = [
            {
                "choice": "send as in the table above",
                f"{t.measure} per 1,000 recipients ({r.interval:.0%} range)": _summary(
                    t.value_per_1000, currency
                ),
            },
            {
                "choice": f"send {send_all}",
                f"{t.measure} per 1,000 recipients ({r.interval:.0%} range)": _summary(
                    t.send_all_value_per_1000, currency
                ),
            },
        ]
        others = [
            f"<li>{esc(o.sentence)}</li>" for o in r.targeting_by_column if o.column != t.column
        ]
        return Html(
            f'<p class="sentence">{esc(t.sentence)}</p>'
            + table(rows, caption=f"By {label}")
            + table(options)
            + (f"<p>Other ways to target:</p><ul>{''.join(others)}</ul>" if others else "")
        )

    def totals(self) -> Html:
        """What the campaign earned in total, what a roll-out would earn, what the holdout cost."""
        totals = self.results.totals
        if totals is None:
            return Html("<p>No totals: the primary metric could not be estimated.</p>")
        return Html("".join(f'<p class="sentence">{esc(s)}</p>' for s in totals.sentences))

    def fatigue(self) -> Html:
        """The third email of the week: where sending stops paying, per version."""
        r = self.results
        if not r.fatigue:
            return Html(
                "<p>No column of emails already received is configured (`fatigue` in the "
                "experiment file), so this question is not answered.</p>"
            )
        sentences = "".join(f'<p class="sentence">{esc(c.sentence)}</p>' for c in r.fatigue)
        currency = r.currency if r.fatigue[0].measure == "net value" else ""
        rows = [
            {
                "emails already received": p.bucket,
                "version": version_label(c.version),
                "recipients": f"{p.recipients:,}",
                f"{c.measure} per 1,000": money(p.pays_mean, currency, signed=True),
                f"{r.interval:.0%} range": f"{money(p.pays_low, currency)} to {money(p.pays_high, currency)}",
                "chance it pays": percent(p.p_pays),
            }
            for c in r.fatigue
            for p in c.points
        ]
        return Html(
            sentences
            + str(
                chart(
                    lambda size: figures.figure_fatigue(r, size),
                    "what sending earns by emails already received",
                )
            )
            + table(rows)
        )

    def timeline(self) -> Html:
        """Always-on campaigns (send dates): how the answer firmed up, look by look."""
        return over_time.timeline_section(self.results)

    def drift(self) -> Html:
        """Always-on campaigns: the effect week by week (or month by month); is it fading?"""
        return over_time.drift_section(self.results)

    def holdout(self) -> Html:
        """Always-on campaigns: can the standing holdout stop?"""
        return over_time.stop_section(self.results)

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
            label = r.segment_label(column)
            parts.append(f"<h3>By {esc(label)}</h3>")
            parts.append(
                str(
                    chart(
                        lambda size, column=column: figures.figure_segments(r, name, column, size),
                        f"uplift by {label}",
                    )
                )
            )
            currency = r.metric(name).symbol(r.currency)
            rows = [
                {
                    label: u.segment_level,
                    "version": version_label(u.version),
                    "recipients": f"{u.recipients:,}",
                    "uplift per 1,000": money(u.uplift_mean * PER, currency, signed=True),
                    f"{r.interval:.0%} range": span(u.uplift_low, u.uplift_high, currency),
                    "chance better by more than practically nothing": percent(
                        u.p_better_beyond_rope
                    ),
                    "verdict": u.verdict.value,
                }
                for u in r.uplifts
                if u.metric == name and u.segment_column == column
            ]
            parts.append(table(rows))
        return Html("".join(parts))

    def uplift(self, metric: str | None = None) -> Html:
        """Uplift against the holdout with the ROPE band, and its table, for one metric."""
        r = self.results
        name = metric or r.primary_metric
        if not r.estimable(name):
            return self._not_estimable(name)
        config = r.metric(name)
        currency = config.symbol(r.currency)
        rows = [
            {
                "version": version_label(u.version),
                "holdout → version, per 1,000": f"{money(u.holdout_mean * PER, currency)} → "
                f"{money(u.version_mean * PER, currency)}",
                "uplift per 1,000": money(u.uplift_mean * PER, currency, signed=True),
                f"{r.interval:.0%} range": span(u.uplift_low, u.uplift_high, currency),
                "relative lift": "–"
                if u.relative_mean is None
                else f"{u.relative_mean:+.1%}".replace("-", "−"),
                "chance better / same / worse (beyond practically nothing)": f"{percent(u.p_better_beyond_rope)} / {percent(u.p_inside_rope)} / {percent(u.p_worse_beyond_rope)}",
                f"expected loss ({config.display} per 1,000)": money(
                    u.expected_loss * PER, currency
                ),
                "verdict": u.verdict.value,
            }
            for u in (r.uplift(name, v) for v in r.versions)
        ]
        return Html(
            f"<h3>{esc(capitalised(config.display))}</h3>"
            + str(
                chart(
                    lambda size: figures.figure_uplift(r, name, size),
                    f"uplift of {config.display} per version",
                )
            )
            + table(rows)
        )

    def _not_estimable(self, name: str) -> Html:
        """The heading of a metric the data cannot measure, and why (no number)."""
        reason = next(n.reason for n in self.results.not_estimable if n.metric == name)
        return Html(
            f"<h3>{esc(capitalised(self.results.metric(name).display))}</h3><p>{esc(reason)}</p>"
        )

    def uplifts(self) -> Html:
        """Every metric's uplift section, primary first."""
        r = self.results
        names = [r.primary_metric] + [m.name for m in r.metrics if m.name != r.primary_metric]
        return Html("".join(str(self.uplift(n)) for n in names))

    def before_and_after_the_send(self) -> Html:
        """What adjust_for did to the primary interval, and the effect on delivered recipients
        (secondary: the verdict is on everyone assigned). Nothing when neither is configured."""
        r = self.results
        parts = []
        if r.adjustment is not None:
            a = r.adjustment
            config = r.metric(a.metric)
            currency = config.symbol(r.currency)
            rows = [
                {
                    "version": version_label(v),
                    f"{r.interval:.0%} range, adjusted": span(
                        r.uplift(a.metric, v).uplift_low,
                        r.uplift(a.metric, v).uplift_high,
                        currency,
                    ),
                    f"{r.interval:.0%} range, not adjusted": span(
                        a.unadjusted[v].low, a.unadjusted[v].high, currency
                    ),
                    "narrower by": f"{a.narrowing[v]:.1%}".replace("-", "−"),
                }
                for v in r.versions
            ]
            parts.append(
                f'<h3>Adjusted for the pre-period</h3><p class="sentence">{esc(a.sentence)}</p>'
                + table(rows)
            )
        if r.effect_on_delivered:
            sentences = "".join(
                f'<p class="sentence">{esc(e.sentence)}</p>'
                for e in r.effect_on_delivered
                if e.metric == r.primary_metric
            )
            rows = []
            for e in r.effect_on_delivered:
                config = r.metric(e.metric)
                currency = config.symbol(r.currency)
                rows.append(
                    {
                        "metric": config.display,
                        "version": version_label(e.version),
                        "delivered": f"{e.delivery_rate:.1%}",
                        "everyone assigned, per 1,000": money(
                            e.itt_mean * PER, currency, signed=True
                        ),
                        "delivered recipients, per 1,000": money(
                            e.mean * PER, currency, signed=True
                        ),
                        f"{r.interval:.0%} range (delivered)": span(e.low, e.high, currency),
                    }
                )
            parts.append(
                "<h3>Effect on delivered recipients</h3><p>Secondary: the verdict above is "
                "judged on everyone assigned (including bounces and suppressions). This is what "
                "the email did for the recipients it reached: the effect on everyone assigned "
                "divided by the share delivered.</p>" + sentences + table(rows)
            )
        if not parts:
            return Html("")
        return Html("<h2>Before and after the send</h2>" + "".join(parts))

    def guardrails(self) -> Html:
        """Guardrail metrics (unsubscribes, complaints): does any version harm them? Each
        sentence states the band the experiment set as practically nothing."""
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
                sentence = guardrail_sentence(metric, u, r.interval, r.probability, r.currency)
                items.append(f'<li class="{"harmful" if harmed else "ok"}">{esc(sentence)}</li>')
        return Html(f'<ul class="guardrails">{"".join(items)}</ul>')

    def net_value(self) -> Html:
        """Value per 1,000 recipients after sending costs and lost subscribers."""
        r = self.results
        if not r.net_value:
            return Html("<p>No values or costs are configured, so net value is not computed.</p>")
        sentences = "".join(f'<p class="sentence">{esc(n.sentence)}</p>' for n in r.net_value)
        return Html(
            sentences
            + str(chart(lambda size: figures.figure_net_value(r, size), "net value per version"))
        )

    def comparisons(self) -> Html:
        """Version against version (secondary: it says which wins, not whether to send)."""
        r = self.results
        if not r.comparisons:
            return Html("<p>Only one version: nothing to compare.</p>")
        rows = []
        for c in r.comparisons:
            config = r.metric(c.metric)
            currency = config.symbol(r.currency)
            rows.append(
                {
                    "metric": config.display,
                    "comparison": f"{version_label(c.version_a)} vs {version_label(c.version_b)}",
                    "difference per 1,000": money(c.difference_mean * PER, currency, signed=True),
                    f"{r.interval:.0%} range": span(c.difference_low, c.difference_high, currency),
                    "chance the first is better": percent(c.p_a_better),
                    "expected loss choosing the first, per 1,000": amount(
                        config, c.expected_loss_choosing_a, r.currency, signed=False
                    ),
                }
            )
        return Html(table(rows))

    def findings(self) -> Html:
        """Data-quality findings, worst first."""
        items = "".join(
            f'<li class="finding {f.severity.value}"><span class="severity">'
            f"{esc(f.severity.value)}</span> {esc(f.message)}</li>"
            for f in self.results.findings
        )
        return Html(f'<ul class="findings">{items or "<li>No data-quality findings.</li>"}</ul>')

    def diagnostics(self) -> Html:
        """Priors, sampler settings, convergence and the model check, last."""
        r = self.results
        d = r.diagnostics
        state = "reliable" if d.reliable else "NOT reliable: " + "; ".join(d.problems)
        priors = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in r.priors.items())
        checks = [
            {
                "metric": r.metric(c.metric).display,
                "arm": c.arm,
                "observed per recipient": f"{c.observed_mean:.5g}",
                "model per recipient": f"{c.predicted_mean:.5g}",
                f"model {r.interval:.0%} range": f"{c.predicted_low:.5g} to {c.predicted_high:.5g}",
                "consistent": "yes" if c.consistent else "NO",
            }
            for c in r.model_checks
        ]
        r_hat = "n/a (one chain)" if d.max_r_hat is None else f"{d.max_r_hat:.3f}"
        longer = (
            f" (the configured {r.run.draws} were too few for the thresholds, so the chains "
            "were run longer)"
            if d.draws > r.run.draws
            else ""
        )
        configs = " → ".join(r.run.config_files) or "not recorded"
        return Html(
            f'<p class="diagnostics">Sampler: {d.chains} chains × {d.draws} draws{longer} '
            f"(NUTS, nutpie, target acceptance {d.target_accept}), seed {r.run.seed}. "
            f"Largest r̂ {esc(r_hat)}, smallest effective sample size {d.min_ess_bulk:.0f} "
            f"(bulk) / {d.min_ess_tail:.0f} (tail), {d.divergences} divergences: "
            f"{esc(state)}.</p>"
            f"<p>Configuration, merged in this order: {esc(configs)}.</p>"
            f"<p>Priors (link scale: logit for rates, log for amounts):</p><ul>{priors}</ul>"
            "<p>Model check: expected outcome per recipient in each arm, model against data.</p>"
            + table(checks)
            + f'<p class="meta">relevance {esc(r.run.package_version)} · commit '
            f"{esc(r.run.git_commit or 'unknown')} · data fingerprint "
            f"{esc(r.run.data_fingerprint)} · cells {esc(r.run.cells_fingerprint)}</p>"
        )

    def glossary(self) -> Html:
        """Short definitions for readers who never heard of a posterior, with this experiment's
        interval and verdict probability."""
        r = self.results
        words = {
            "95%": f"{r.interval:.0%}".replace(".0%", "%"),
            "At least 95% chance": f"At least {r.probability:.0%} chance",
        }

        def adapted(text: str) -> str:
            text = text.replace("At least 95% chance", words["At least 95% chance"])
            return text.replace("(95%)", f"({words['95%']})")

        terms = {k: adapted(v) for k, v in GLOSSARY.items()} | over_time.glossary(r)
        items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in terms.items())
        return Html(f'<dl class="glossary">{items}</dl>')
