"""Portfolio meta-analysis: recovers a known programme effect, shrinks, reads real results.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from minimal_results import results_dict
from relevance.portfolio.estimates import CampaignEstimate, estimates_from
from relevance.portfolio.figures import figure_forest, figure_trend, figure_verdicts
from relevance.portfolio.meta import MetaAnalysis, fit_meta
from relevance.portfolio.report import PortfolioReport
from relevance.results import Results, Verdict

TRUE_MU = 0.003  # 3 extra purchases per 1,000 recipients
TRUE_TAU = 0.001
CAMPAIGNS = 12


def write_results(folder: Path, data: dict[str, object]) -> Path:
    """Validate through `Results` and write `folder/NAME/results.json` as a run would."""
    results = Results.model_validate(data)
    target = folder / results.experiment / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(results.to_json() + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def simulated() -> tuple[list[CampaignEstimate], np.ndarray]:
    """12 campaigns drawn from mu=0.003, tau=0.001, seen through known sampling sds."""
    rng = np.random.default_rng(20261123)
    truth = rng.normal(TRUE_MU, TRUE_TAU, CAMPAIGNS)
    sds = rng.uniform(0.0003, 0.0012, CAMPAIGNS)
    observed = truth + rng.normal(0, sds)
    estimates = []
    for k in range(CAMPAIGNS):
        results = Results.model_validate(
            results_dict(
                f"campaign-{k:02d}",
                {"A": (float(observed[k]), float(sds[k]))},
                created_at=f"2026-{1 + k % 12:02d}-15T06:00:00+00:00",
            )
        )
        estimates.extend(estimates_from(results, every_version=True))
    return estimates, truth


@pytest.fixture(scope="module")
def fitted(
    simulated: tuple[list[CampaignEstimate], np.ndarray],
) -> MetaAnalysis:
    estimates, _ = simulated
    return fit_meta(estimates, seed=11)


def test_recovers_programme_mean_and_between_campaign_sd(fitted: MetaAnalysis) -> None:
    programme = fitted.programme()
    assert programme.low < TRUE_MU < programme.high
    assert 0.0015 < programme.mean < 0.0045
    tau = fitted.between().mean
    assert TRUE_TAU / 3 < tau < TRUE_TAU * 3, tau
    assert fitted.diagnostics.reliable, fitted.diagnostics.problems
    assert fitted.p_programme_beats() > 0.99


def test_shrinkage_moves_extreme_campaigns_toward_the_programme_mean(
    fitted: MetaAnalysis,
) -> None:
    mu = fitted.programme().mean
    shrunk = fitted.shrunken()
    distances = [abs(e.benefit_mean - mu) for e, _ in shrunk]
    for index in (int(np.argmax(distances)), int(np.argsort(distances)[-2])):
        estimate, summary = shrunk[index]
        assert abs(summary.mean - mu) < abs(estimate.benefit_mean - mu)
        # toward mu, not past it
        assert np.sign(summary.mean - mu) == np.sign(estimate.benefit_mean - mu)
    # the posterior of each campaign is narrower than its own interval
    assert all(s.high - s.low < 2 * 1.96 * e.benefit_sd for e, s in shrunk)


def test_shares_and_trend(fitted: MetaAnalysis) -> None:
    share = fitted.share_beyond_rope()
    assert 0.7 < share.mean <= 1  # truth 0.003 +- 0.001 against a ROPE of 0.001: ~98% beyond
    trend = fitted.trend()
    assert trend is not None and trend["span_days"] > 300
    assert trend["per_30_days_low"] < 0 < trend["per_30_days_high"]  # no trend was simulated


def test_figures_are_matplotlib_figures(fitted: MetaAnalysis) -> None:
    for make in (figure_forest, figure_trend, figure_verdicts):
        assert isinstance(make(fitted), Figure)


def test_report_reads_results_json_files(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    verdicts = {"A": Verdict.BEATS, "B": Verdict.HARMFUL}
    write_results(
        reports,
        results_dict("spring", {"A": (0.004, 0.001), "B": (-0.003, 0.001)}, verdicts),
    )
    write_results(
        reports,
        results_dict(
            "summer",
            {"A": (0.0005, 0.0008)},
            {"A": Verdict.IRRELEVANT},
            created_at="2026-11-20T06:00:00+00:00",
            description="<b>summer</b>",
        ),
    )
    revenue = results_dict("autumn", {"A": (0.1, 0.05)})
    revenue["primary_metric"] = "revenue"
    revenue["metrics"][0]["name"] = "revenue"  # type: ignore[index]
    revenue["metrics"][0]["kind"] = "revenue"  # type: ignore[index]
    for row in revenue["uplifts"]:  # type: ignore[attr-defined]
        row["metric"] = "revenue"
    write_results(reports, revenue)

    report = PortfolioReport.create(reports, tmp_path / "out", seed=3, draws=500)

    # one estimate per campaign: spring sends nothing here, so its best version (A) counts
    assert [e.label for e in report.estimates] == ["spring · Version A", "summer · Version A"]
    assert report.left_out == [("autumn", "primary metric 'revenue', not 'purchase'")]
    assert report.campaigns_beating() == 1
    saved = json.loads((tmp_path / "out" / "portfolio.json").read_text())
    assert saved["campaigns"] == 2 and len(saved["estimates"]) == 2
    assert saved["headline"] == report.headline()
    listed = str(report.not_worth_sending())
    assert "spring · Version B" in listed and "summer · Version A" in listed
    assert listed.index("harmful") < listed.index("irrelevant")
    page = "".join(
        str(section())
        for section in (
            report.title,
            report.programme,
            report.shares,
            report.forest,
            report.trend,
            report.method,
        )
    )
    assert "<script" not in page and "<svg" in page and "data:image/png" not in page

    only = PortfolioReport.create(reports, campaigns="summer")
    assert only.meta is None and "Too few" in only.headline()
