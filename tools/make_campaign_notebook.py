"""Regenerate notebooks/campaign_report.ipynb (kept in git without outputs)."""

import nbformat as nbf

nb = nbf.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
cells = []
params = """experiment_path: str = "experiments/demo.yaml"  # experiment YAML to analyse (relative to the working folder)
output_dir: str = ""  # folder for results.json, posterior.nc and cells.csv; "" writes nothing
profile: str = ""  # a profile from configs/ applied over the experiment, e.g. "quick"; "" for none
seed: "Optional[int]" = None  # sampler seed; None keeps the experiment's
draws: "Optional[int]" = None  # posterior draws per chain; None keeps the experiment's
tune: "Optional[int]" = None  # warm-up draws per chain; None keeps the experiment's
chains: "Optional[int]" = None  # number of chains; None keeps the experiment's"""
c = nbf.v4.new_code_cell(params)
c.metadata["tags"] = ["parameters"]
cells.append(c)
cells.append(
    nbf.v4.new_code_cell("""from relevance import analyze
from relevance.config import sampler_overrides
from relevance.report.campaign import CampaignReport

analysis = analyze(
    experiment_path,
    profile=profile or None,
    overrides=sampler_overrides(seed=seed, draws=draws, tune=tune, chains=chains),
)
analysis.save(output_dir)
report = CampaignReport(analysis.results)
report.title()""")
)
cells.append(
    nbf.v4.new_markdown_cell(
        "## Verdict\n\nDoes sending each version beat sending nothing at all? The holdout got no email, so the difference is what the email itself did."
    )
)
cells.append(nbf.v4.new_code_cell("report.verdict()"))
cells.append(nbf.v4.new_code_cell("report.probabilities()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Why\n\nWhat customers said when asked (how relevant the email was, why they unsubscribed), beside what they did. Answers come from those who chose to answer, weighted to the campaign's mix of customers."
    )
)
cells.append(nbf.v4.new_code_cell("report.why()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Who to send it to\n\nThe same data, segment by segment: send each segment the version that pays most there, or nothing where nothing pays."
    )
)
cells.append(nbf.v4.new_code_cell("report.targeting()"))
cells.append(nbf.v4.new_markdown_cell("## What it is worth in total"))
cells.append(nbf.v4.new_code_cell("report.totals()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Over time\n\nFor emails sent every day with a standing holdout: how the answer firmed up as recipients were added, whether the effect is fading, and whether the holdout can stop."
    )
)
cells.append(nbf.v4.new_code_cell("report.timeline()"))
cells.append(nbf.v4.new_code_cell("report.drift()"))
cells.append(nbf.v4.new_code_cell("report.holdout()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## The third email of the week\n\nDoes sending still pay for customers who already got several emails this week?"
    )
)
cells.append(nbf.v4.new_code_cell("report.fatigue()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## For whom does it work?\n\nThe comparison with sending nothing within each segment. Segments borrow strength from each other, so small segments are not over-read."
    )
)
cells.append(nbf.v4.new_code_cell("report.segments()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Uplift against sending nothing\n\nExtra outcomes per 1,000 recipients for each version compared with the holdout. The grey band is practically nothing: effects inside it are too small to matter."
    )
)
cells.append(nbf.v4.new_code_cell("report.uplifts()"))
cells.append(nbf.v4.new_code_cell("report.before_and_after_the_send()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Guardrails\n\nA version that worsens a guardrail (for example unsubscribes) beyond the band set as practically nothing is harmful, whatever it does for purchases."
    )
)
cells.append(nbf.v4.new_code_cell("report.guardrails()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Is it worth it?\n\nNet value per 1,000 recipients: value of the extra outcomes minus the cost of sending and the value of customers lost to unsubscribes."
    )
)
cells.append(nbf.v4.new_code_cell("report.net_value()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Version against version\n\nWhich version wins between themselves. Secondary: a winner can still lose to sending nothing."
    )
)
cells.append(nbf.v4.new_code_cell("report.comparisons()"))
cells.append(
    nbf.v4.new_markdown_cell(
        "## Data quality\n\nChecks run before any model: arm sizes against the plan, unknown labels, missing, impossible or extreme values."
    )
)
cells.append(nbf.v4.new_code_cell("report.findings()"))
cells.append(nbf.v4.new_markdown_cell("## Priors and sampler diagnostics"))
cells.append(nbf.v4.new_code_cell("report.diagnostics()"))
cells.append(nbf.v4.new_markdown_cell("## Glossary"))
cells.append(nbf.v4.new_code_cell("report.glossary()"))
nb.cells = cells
for i, cell in enumerate(nb.cells):
    cell["id"] = f"cell-{i:02d}"
nbf.write(nb, "notebooks/campaign_report.ipynb")
