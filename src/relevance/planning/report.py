"""The holdout plan's page, section by section, as escaped HTML fragments and charts.

The planning notebook calls one method per section; every number comes from the `Plan`
(and its inputs), so plan.json and the page always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from relevance.language import percent
from relevance.planning import figures
from relevance.planning.plan import Plan, PlanRow
from relevance.report.style import Html, chart, esc, table
from relevance.results import PER

GLOSSARY = {
    "Holdout": "Customers picked at random who get no email. Comparing with them is the only "
    "way to see what the email itself changed.",
    "Clear verdict": "The test ends with one of three answers: the email beats sending nothing, "
    "is irrelevant (practically the same as sending nothing) or is harmful. Otherwise it is "
    "inconclusive.",
    "Chance of a clear verdict": "How often a test of this size ends with a clear verdict when "
    "the email really has the effect you plan for, out of many simulated tests (the ± is the "
    "simulation's own uncertainty).",
    "Practically nothing": "Effects so small they do not matter for the business (the region "
    "of practical equivalence): within it, sending is practically the same as not sending.",
    "Beats / irrelevant / harmful": "The chance of each verdict. A verdict needs the stated "
    "certainty (95% by default), exactly as in the campaign report.",
    "Precision (sd per 1,000)": "How precisely the test will measure the email's effect, in "
    "conversions per 1,000 recipients (a standard deviation): smaller is more precise.",
    "Conversions forgone": "The conversions the held-out customers would have made had they "
    "received the email, per send; revenue forgone is the same in money.",
    "Normal approximation": "A quick formula for the chance of a clear verdict, drawn as a check "
    "on the simulation; the two should roughly agree.",
    "Found between": "A share between the ones asked for, tried by the planner to find the "
    "smallest share that reaches the target (to half a percentage point).",
}


def _per_thousand(value: float) -> str:
    """'4' or '1.5' conversions per 1,000 recipients from a per-recipient value."""
    return f"{abs(value) * PER:,.3g}"


def _share(value: float) -> str:
    return f"{value * 100:g}%"


@dataclass(frozen=True)
class PlanReport:
    """The sections of the plan page: inputs in words, recommendation, table, charts, glossary."""

    plan: Plan

    @property
    def valued(self) -> bool:
        """True when a conversion has a value (costs in money), False: costs in conversions."""
        return self.plan.inputs.value_per_conversion > 0

    def inputs_sentence(self) -> str:
        """What the plan assumes, in words."""
        i = self.plan.inputs
        if i.expected_uplift > 0:
            effect = f"adds {_per_thousand(i.expected_uplift)} conversions per 1,000 recipients"
        elif i.expected_uplift < 0:
            effect = f"loses {_per_thousand(i.expected_uplift)} conversions per 1,000 recipients"
        else:
            effect = "changes nothing"
        value = (
            f" Each conversion is worth {i.currency}{i.value_per_conversion:,.2f}."
            if self.valued
            else " No value per conversion was given, so costs are counted in conversions."
        )
        return (
            f"A send to {i.recipients:,} recipients, who convert at "
            f"{i.baseline_rate * 100:.3g}% without the email, planned for an email that {effect}. "
            f"Effects within ±{_per_thousand(i.rope)} per 1,000 recipients count as practically "
            f"nothing.{value}"
        )

    # Sections, in page order ----------------------------------------------------------

    def title(self) -> Html:
        """Title, the inputs in words, and the decision rule."""
        i = self.plan.inputs
        asked = ", ".join(_share(s) for s in i.holdout_shares)
        return Html(
            '<header class="report-head"><h1>How big a no-send holdout to keep</h1>'
            f'<p class="description">{esc(self.inputs_sentence())}</p>'
            f'<p class="meta">target: at least {esc(percent(i.target_assurance))} chance of a '
            f"clear verdict · a verdict needs {esc(f'{i.probability:.0%}')} certainty · "
            f"holdout shares compared: {esc(asked)} · {i.simulations:,} simulated tests per "
            f"share · seed {i.seed}</p></header>"
        )

    def recommendation(self) -> Html:
        """The recommendation, prominent, and what the test at that share would likely say."""
        plan = self.plan
        best = plan.recommended
        parts = [f'<p class="headline">{esc(plan.sentence)}</p>']
        if best is not None:
            parts.append(f"<p>{esc(self.chances(best))}</p>")
            if best.refined:
                parts.append(f"<p>{esc(self.refined_note(best))}</p>")
        else:
            parts.append(f"<p>{esc(self.chances(plan.rows[-1]))}</p>")
        return Html(f'<section class="recommendation">{"".join(parts)}</section>')

    def chances(self, row: PlanRow) -> str:
        """The chance of each verdict for one share, in words."""
        i = self.plan.inputs
        effect = (
            f"really changes conversions by {i.expected_uplift * PER:+,.3g} per 1,000 recipients"
        ).replace("-", "−")
        return (
            f"With {_share(row.share)} held out ({row.holdout:,} people), if the email {effect}, "
            f"the test says: beats sending nothing {percent(row.p_beats)}, practically the same "
            f"as sending nothing (irrelevant) {percent(row.p_irrelevant)}, harmful "
            f"{percent(row.p_harmful)}, still inconclusive {percent(row.p_inconclusive)}."
        )

    def refined_note(self, row: PlanRow) -> str:
        """Why the recommended share is not one of those asked for."""
        asked = [r.share for r in self.plan.rows if not r.refined]
        below = max((s for s in asked if s < row.share), default=None)
        above = min((s for s in asked if s > row.share), default=None)
        between = (
            f"between {_share(below)} and {_share(above)}, the shares you asked for"
            if below is not None and above is not None
            else "between the shares you asked for"
        )
        return (
            f"{_share(row.share)} lies {between}: it is the smallest share that reaches the "
            "target, found to half a percentage point."
        )

    def table(self) -> Html:
        """Every share: its chance of a clear verdict, each verdict's chance, and its cost."""
        rows = self.plan.table_rows()
        for row, plan_row in zip(rows, self.plan.rows, strict=True):
            if plan_row.share == self.plan.recommended_share:
                first = next(iter(row))
                row[first] = f"{row[first]} · recommended"
        return Html(table(rows))

    def assurance(self) -> Html:
        """The chance of a clear verdict per share, with the target and the recommendation."""
        return chart(
            lambda size: figures.figure_assurance(self.plan, size),
            "chance of a clear verdict for each holdout share, with the target",
        )

    def cost(self) -> Html:
        """What each share costs per send (money, or conversions without a value)."""
        return chart(
            lambda size: figures.figure_cost(self.plan, size),
            f"{figures.cost_label(self.plan)} for each holdout share",
        )

    def glossary(self) -> Html:
        """The words this page uses."""
        items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in GLOSSARY.items())
        return Html(f'<dl class="glossary">{items}</dl>')
