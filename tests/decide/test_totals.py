"""Totals: what each version brought, what a roll-out would earn, what the holdout cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from minimal_results import PURCHASE
from relevance.config import Experiment, load_experiment
from relevance.decide.targeting import best_targeting, targeting_by_column
from relevance.decide.totals import rounded, totals
from relevance.io.cells import Cells
from relevance.model.layout import Layout, layout
from relevance.results import CampaignVerdict, Summary

# Recipients per arm in (gold, silver): the arms differ in their mix, the population is
# 4,000 gold and 8,000 silver (shares 1/3 and 2/3).
SIZES = {"holdout": (1000, 3000), "A": (2000, 2000), "B": (1000, 3000)}


def experiment(folder: Path, value: float | None = None, **decision: Any) -> Experiment:
    metric = PURCHASE if value is None else {**PURCHASE, "value": value}
    path = write_experiment(folder, metrics=[metric], segments=["tier"], decision=decision)
    return load_experiment(path)


def tier_layout(exp: Experiment) -> Layout:
    frame = pd.DataFrame(
        [
            {"arm": arm, "tier": tier, "n": n, "purchase__n": n}
            for arm, sizes in SIZES.items()
            for tier, n in zip(("gold", "silver"), sizes, strict=True)
        ]
    )
    return layout(Cells.for_experiment(exp, frame))


def purchase_draws() -> dict[str, np.ndarray]:
    """Two samples; holdout at 10%. Uplift of A: gold 0.02, 0.04 and silver -0.01, 0;
    of B: gold 0.01 and silver 0.004 in both samples."""
    draws = np.full((2, 3, 2), 0.1)
    draws[:, 1, 0] += [0.02, 0.04]
    draws[:, 1, 1] += [-0.01, 0.0]
    draws[:, 2, 0] += 0.01
    draws[:, 2, 1] += 0.004
    return {"purchase": draws}


def close(summary: Summary | None, expected: tuple[float, float, float]) -> bool:
    assert summary is not None
    return (summary.mean, summary.low, summary.high) == pytest.approx(expected)


def test_realised_totals_rollout_and_holdout_cost_of_sending_one_version(tmp_path: Path) -> None:
    """A's own mix is half gold, half silver: uplift 0.005, 0.02 x 4,000 = 20, 80 (95%: the
    quantiles 0.025 and 0.975 of two draws, 21.5 and 78.5). B's is a quarter gold: 0.0055 x
    4,000 = 22. Sending B to everyone is worth 0.01 / 3 + 0.004 x 2 / 3 = 0.006 per recipient:
    72 over the 12,000 recipients analysed, 24 over the 4,000 held out."""
    exp = experiment(tmp_path)
    campaign = CampaignVerdict(send="B", headline="Send Version B.", reliable=True)
    result = totals(exp, tier_layout(exp), purchase_draws(), None, campaign)
    a, b = result.realised
    assert (a.version, a.recipients, b.version, b.recipients) == ("A", 4000, "B", 4000)
    assert close(a.extra_primary, (50.0, 21.5, 78.5))
    assert close(b.extra_primary, (22.0, 22.0, 22.0))
    assert a.net_value is None and b.net_value is None
    assert result.measure == "extra purchases"
    assert result.list_size == 12_000
    assert close(result.rollout, (72.0, 72.0, 72.0))
    assert result.holdout_recipients == 4000
    assert close(result.holdout_cost, (24.0, 24.0, 24.0))
    assert result.sentences == [
        "This campaign's Version A brought about 50.0 extra purchases (95%: 21.5 to 78.5).",
        "This campaign's Version B brought about 22.0 extra purchases (95%: 22.0 to 22.0).",
        "Rolling the recommendation out to all 12,000 customers would bring about 72.0 extra "
        "purchases (95%: 72.0 to 72.0).",
        "Keeping 4,000 customers out of the email gave up about 24.0 extra purchases "
        "(95%: 24.0 to 24.0).",
    ]


def test_a_recommended_policy_is_rolled_out_to_the_configured_list(tmp_path: Path) -> None:
    """By tier: gold gets A (mean +30 per 1,000), silver B (+4 beats A's -5). The policy is
    worth 1/3 x (20, 40) + 2/3 x 4 = 9.33, 16 per 1,000; over a list of 50,000: 466.7, 800
    (95%: 475.0 to 791.7); over the 4,000 held out: 37.3, 64 (95%: 38.0 to 63.3)."""
    exp = experiment(tmp_path, list_size=50_000)
    lay, draws = tier_layout(exp), purchase_draws()
    best = best_targeting(targeting_by_column(exp, lay, draws))
    assert best is not None and best.recommended
    assert [c.send for c in best.policy] == ["A", "B"]
    campaign = CampaignVerdict(send="A", headline="Send Version A.", reliable=True)
    result = totals(exp, lay, draws, best, campaign)
    assert result.list_size == 50_000
    assert close(result.rollout, (1900 / 3, 475.0, 2375 / 3))
    assert close(result.holdout_cost, (152 / 3, 38.0, 190 / 3))
    assert result.sentences[2:] == [
        "Rolling the recommendation out to all 50,000 customers would bring about 633 extra "
        "purchases (95%: 475 to 792).",
        "Keeping 4,000 customers out of the email gave up about 50.7 extra purchases "
        "(95%: 38.0 to 63.3).",
    ]


def test_net_value_totals_in_money(tmp_path: Path) -> None:
    """$2 a purchase, $0.001 a send: A's net value is (2 x uplift - 0.001) x 4,000 = 36, 156."""
    exp = experiment(tmp_path, value=2.0, cost_per_send=0.001, currency="$")
    campaign = CampaignVerdict(send="B", headline="Send Version B.", reliable=True)
    result = totals(exp, tier_layout(exp), purchase_draws(), None, campaign)
    a, b = result.realised
    assert close(a.net_value, (96.0, 39.0, 153.0))
    assert close(b.net_value, (40.0, 40.0, 40.0))  # (2 x 0.0055 - 0.001) x 4,000
    assert result.measure == "net value"
    assert close(result.rollout, (132.0, 132.0, 132.0))  # (2 x 0.006 - 0.001) x 12,000
    assert close(result.holdout_cost, (44.0, 44.0, 44.0))
    assert result.sentences == [
        "This campaign's Version A brought about 50.0 extra purchases (95%: 21.5 to 78.5) "
        "and $96.0 net value.",
        "This campaign's Version B brought about 22.0 extra purchases (95%: 22.0 to 22.0) "
        "and $40.0 net value.",
        "Rolling the recommendation out to all 12,000 customers would earn about $132 "
        "(95%: $132 to $132).",
        "Keeping 4,000 customers out of the email cost about $44.0 (95%: $44.0 to $44.0).",
    ]


def test_sending_nothing_is_worth_nothing_and_costs_no_holdout(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    campaign = CampaignVerdict(send=None, headline="No version beats.", reliable=True)
    result = totals(exp, tier_layout(exp), purchase_draws(), None, campaign)
    assert close(result.rollout, (0.0, 0.0, 0.0))
    assert result.holdout_cost is None
    assert result.sentences[2:] == [
        "The recommendation is to send nothing, so rolling it out to all 12,000 customers "
        "would bring nothing extra."
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(22_403.0, 22_400.0), (4467.35, 4470.0), (331.97, 332.0), (6.804, 6.8), (-1308.7, -1310.0)],
)
def test_totals_are_shown_to_three_significant_figures(value: float, expected: float) -> None:
    assert rounded(value) == pytest.approx(expected)
    assert rounded(0.0) == 0.0
