"""Targeting: the best policy per segment column, against hand computations and a simulation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import simulated_campaign, write_experiment
from minimal_results import PURCHASE
from relevance.config import Experiment, load_experiment
from relevance.decide.targeting import best_targeting, emails_group, targeting_by_column
from relevance.decide.verdicts import targeted_verdict
from relevance.io import simulate
from relevance.io.cells import Cells
from relevance.model.layout import Layout, layout
from relevance.pipeline.analysis import analyze
from relevance.results import CampaignVerdict, Targeting, Verdict, VersionVerdict


def experiment(folder: Path, probability: float = 0.95, **decision: Any) -> Experiment:
    path = write_experiment(
        folder,
        metrics=[PURCHASE],
        segments=["tier"],
        decision={"probability": probability, **decision},
    )
    return load_experiment(path)


def tier_layout(exp: Experiment) -> Layout:
    """Every arm with 10 gold and 30 silver recipients: population shares 0.25 and 0.75."""
    frame = pd.DataFrame(
        [
            {"arm": arm, "tier": tier, "n": n, "purchase__n": n}
            for arm in exp.arms.all
            for tier, n in (("gold", 10), ("silver", 30))
        ]
    )
    return layout(Cells.for_experiment(exp, frame))


# Uplift per recipient per sample (4 samples) of versions A and B in gold and silver.
A_GOLD = [0.02, 0.03, 0.01, 0.02]  # mean +20 per 1,000
A_SILVER = [-0.01, -0.01, -0.02, 0.0]  # mean -10 per 1,000
B_GOLD = [0.005] * 4  # +5 per 1,000
B_SILVER = [0.004] * 4  # +4 per 1,000


def purchase_draws(a_gold: list[float] = A_GOLD) -> dict[str, np.ndarray]:
    """Holdout at 10% everywhere; versions add the uplifts above: (sample, arm, cell)."""
    draws = np.full((4, 3, 2), 0.1)
    draws[:, 1, 0] += a_gold
    draws[:, 1, 1] += A_SILVER
    draws[:, 2, 0] += B_GOLD
    draws[:, 2, 1] += B_SILVER
    return {"purchase": draws}


def verdict(version: str, kind: Verdict) -> VersionVerdict:
    return VersionVerdict(
        version=version, verdict=kind, sentence="", reasons=[], p_beats_holdout=0.5
    )


def test_best_policy_values_gain_and_chance_by_hand(tmp_path: Path) -> None:
    """Gold gets A (+20 beats B's +5), silver gets B (+4 beats nothing and A's -10).

    Per 1,000 campaign recipients, sample by sample: A to all 0.25 * gold + 0.75 * silver =
    -2.5, 0, -12.5, 5 (mean -2.5); B to all 4.25; so send-all is B. The policy is
    0.25 * A_gold + 0.75 * 4 = 8, 10.5, 5.5, 8 (mean 8); the gain 3.75, 6.25, 1.25, 3.75.
    """
    exp = experiment(tmp_path, currency="$")
    lay = tier_layout(exp)
    (by_tier,) = targeting_by_column(exp, lay, purchase_draws())
    assert by_tier.column == "tier"
    assert by_tier.measure == "extra purchases"
    assert [(c.segment_level, c.send, c.recipients) for c in by_tier.policy] == [
        ("gold", "A", 30),
        ("silver", "B", 90),
    ]
    assert [c.value_per_1000 for c in by_tier.policy] == pytest.approx([20.0, 4.0])
    assert by_tier.send_all == "B"
    assert by_tier.send_all_value_per_1000.mean == pytest.approx(4.25)
    assert by_tier.value_per_1000.mean == pytest.approx(8.0)
    gain = by_tier.gain_over_send_all
    # 95%: quantiles 0.025 and 0.975 of the sorted gains 1.25, 3.75, 3.75, 6.25 sit at
    # positions 0.075 and 2.925: 1.25 + 0.075 * 2.5 and 3.75 + 0.925 * 2.5.
    assert (gain.mean, gain.low, gain.high) == pytest.approx((3.75, 1.4375, 6.0625))
    assert by_tier.p_beats_send_all == 1.0
    assert by_tier.p_beats_nothing == 1.0
    assert by_tier.recommended
    assert by_tier.sentence == (
        "Send Version A to gold; send Version B to silver (by tier): +3.75 purchases per 1,000 "
        "recipients more than sending Version B to everyone (95%: 1.44 to 6.06; chance it is "
        "better >99%)."
    )
    assert best_targeting([by_tier]) == by_tier


@pytest.mark.parametrize(("probability", "recommended"), [(0.7, True), (0.95, False)])
def test_recommended_only_when_the_gain_is_likely_enough(
    tmp_path: Path, probability: float, recommended: bool
) -> None:
    """One sample of A in gold turns to -20 per 1,000: A still leads there on average
    (mean +12.5), but that sample's gain is 0.25 * -20 + 3 - 4.25 = -6.25: chance 3 in 4."""
    exp = experiment(tmp_path, probability=probability)
    (by_tier,) = targeting_by_column(
        exp, tier_layout(exp), purchase_draws(a_gold=[0.02, 0.03, -0.02, 0.02])
    )
    assert [c.send for c in by_tier.policy] == ["A", "B"]
    assert by_tier.p_beats_send_all == pytest.approx(0.75)
    assert by_tier.recommended is recommended
    assert "chance it is better 75%" in by_tier.sentence


def test_harmful_versions_are_never_chosen(tmp_path: Path) -> None:
    """Without B, silver gets nothing and send-all is nothing (A to all averages -2.5)."""
    exp = experiment(tmp_path)
    verdicts = [verdict("A", Verdict.INCONCLUSIVE), verdict("B", Verdict.HARMFUL)]
    (by_tier,) = targeting_by_column(exp, tier_layout(exp), purchase_draws(), verdicts)
    assert [c.send for c in by_tier.policy] == ["A", None]
    assert by_tier.send_all is None
    assert by_tier.send_all_value_per_1000.mean == 0.0
    assert by_tier.value_per_1000.mean == pytest.approx(5.0)  # 0.25 * 20
    assert by_tier.gain_over_send_all.mean == pytest.approx(5.0)
    assert by_tier.recommended
    assert by_tier.sentence.startswith(
        "Send Version A to gold; send nothing to silver (by tier): +5.00 purchases per 1,000 "
        "recipients more than sending nothing (95%: "
    )
    everything_harmful = [verdict("A", Verdict.HARMFUL), verdict("B", Verdict.HARMFUL)]
    (nothing,) = targeting_by_column(exp, tier_layout(exp), purchase_draws(), everything_harmful)
    assert [c.send for c in nothing.policy] == [None, None]
    assert not nothing.recommended
    assert nothing.p_beats_send_all == 0.0
    assert nothing.sentence == "By tier, the best choice is the same for every group: send nothing."


def test_net_value_is_the_measure_when_money_is_configured(tmp_path: Path) -> None:
    """A value of $2 per purchase and $0.001 per send: every value is 2x minus 1 per 1,000."""
    path = write_experiment(
        tmp_path,
        metrics=[{**PURCHASE, "value": 2.0}],
        segments=["tier"],
        decision={"cost_per_send": 0.001, "currency": "$"},
    )
    exp = load_experiment(path)
    (by_tier,) = targeting_by_column(exp, tier_layout(exp), purchase_draws())
    assert by_tier.measure == "net value"
    assert [c.value_per_1000 for c in by_tier.policy] == pytest.approx([39.0, 7.0])
    gain = by_tier.gain_over_send_all  # twice the gain in purchases: the costs cancel
    assert (gain.mean, gain.low, gain.high) == pytest.approx((7.5, 2.875, 12.125))
    assert by_tier.sentence.startswith(
        "Send Version A to gold; send Version B to silver (by tier): +$7.50 per 1,000 "
        "recipients more than sending Version B to everyone (95%: $2."
    )


def test_no_segments_no_targeting(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, metrics=[PURCHASE])
    exp = load_experiment(path)
    frame = pd.DataFrame([{"arm": a, "n": 10, "purchase__n": 10} for a in exp.arms.all])
    lay = layout(Cells.for_experiment(exp, frame))
    assert targeting_by_column(exp, lay, {"purchase": np.full((4, 3, 1), 0.1)}) == []
    assert best_targeting([]) is None


def test_best_targeting_prefers_a_recommended_policy(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    (base,) = targeting_by_column(exp, tier_layout(exp), purchase_draws())

    def option(column: str, gain: float, recommended: bool) -> Targeting:
        summary = base.gain_over_send_all.model_copy(update={"mean": gain})
        return base.model_copy(
            update={"column": column, "gain_over_send_all": summary, "recommended": recommended}
        )

    small, large = option("tier", 1.0, True), option("stage", 9.0, False)
    assert best_targeting([large, small]) == small
    larger = option("region", 2.0, True)
    assert best_targeting([small, larger, large]) == larger
    assert best_targeting([large, option("x", 3.0, False)]) == large  # none recommended


@pytest.mark.parametrize(
    ("chosen", "phrase"),
    [
        (["0", "1", "2"], "customers with fewer than 3 emails this week"),
        (["0"], "customers with no email this week"),
        (["3+"], "customers with 3 or more emails this week"),
        (["1", "2", "3+"], "customers with 1 or more emails this week"),
        (["1"], "customers with 1 email this week"),
        (["0", "2"], "customers with no email or 2 emails this week"),
        (["0", "1", "2", "3+"], "everyone"),
    ],
)
def test_fatigue_buckets_read_as_emails_already_received(chosen: list[str], phrase: str) -> None:
    assert emails_group(chosen, ["0", "1", "2", "3+"]) == phrase


def _targeting(send_all: str | None, p_beats_nothing: float) -> Targeting:
    return Targeting(
        column="lifecycle_stage",
        measure="net value",
        policy=[],
        value_per_1000={"mean": 5.0, "low": 1.0, "high": 9.0},
        send_all=send_all,
        send_all_value_per_1000={"mean": 1.0, "low": -1.0, "high": 3.0},
        gain_over_send_all={"mean": 4.0, "low": 1.0, "high": 7.0},
        p_beats_send_all=0.99,
        p_beats_nothing=p_beats_nothing,
        recommended=True,
        sentence="Send Version B to retention; send nothing to acquisition (by lifecycle stage).",
    )


def test_headline_follows_a_recommended_policy(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    campaign = CampaignVerdict(send="B", headline="Send Version B.", reliable=False)
    targeted = targeted_verdict(exp, campaign, _targeting("B", 0.99))
    assert targeted.send == "B"
    assert targeted.headline == (
        "Send Version B to retention; send nothing to acquisition (by lifecycle stage) "
        "(the sampler did not converge: do not rely on these numbers yet)."
    )
    nothing = CampaignVerdict(send=None, headline="No version beats.", reliable=True)
    assert targeted_verdict(exp, nothing, _targeting("B", 0.97)).headline == (
        "No version beats sending nothing for everyone, but targeting does (chance it beats "
        "sending nothing 97%). Send Version B to retention; send nothing to acquisition "
        "(by lifecycle stage)."
    )
    assert targeted_verdict(exp, nothing, _targeting("B", 0.9)) == nothing  # not likely enough
    unsure = _targeting("B", 0.99).model_copy(update={"recommended": False})
    assert targeted_verdict(exp, campaign, unsure) == campaign
    assert targeted_verdict(exp, campaign, None) == campaign


def test_simulated_campaign_sends_a_version_only_where_it_helps(tmp_path: Path) -> None:
    """Version A lifts purchases in retention (logit +0.4) and lowers them in every other
    stage (logit -0.4): on average it still beats sending nothing, but sending it only to
    retention is better by about 4 purchases per 1,000 recipients (some 7 posterior sd)."""
    spec = simulate.CampaignSpec(
        recipients=200_000,
        seed=3,
        holdout_allocation=0.2,
        versions=(
            simulate.VersionEffect(
                "A",
                0.8,
                purchase_logit=-0.4,
                purchase_stage_logit={"retention": 0.8},
            ),
        ),
    )
    campaign = simulated_campaign(spec, tmp_path / "rows.parquet")
    assert campaign.true_uplift("A", "purchased", "lifecycle_stage", "retention") > 0.01
    assert campaign.true_uplift("A", "purchased", "lifecycle_stage", "acquisition") < -0.004
    path = write_experiment(
        tmp_path,
        arms={"holdout": "holdout", "versions": ["A"]},
        metrics=[PURCHASE],
        segments=["lifecycle_stage"],
        sampler={"draws": 300, "tune": 300, "chains": 2, "seed": 4},
    )
    results = analyze(path).results
    best = results.targeting
    assert best is not None and best.column == "lifecycle_stage"
    assert {c.segment_level: c.send for c in best.policy} == {
        "acquisition": None,
        "activation": None,
        "retention": "A",
        "reactivation": None,
    }
    assert best.send_all == "A"
    assert best.recommended
    assert best.p_beats_send_all >= 0.95
    assert best.gain_over_send_all.low > 0
    assert best.sentence.startswith(
        "Send Version A to retention; send nothing to acquisition, activation and "
        "reactivation (by lifecycle stage): +"
    )
    assert results.campaign.send == "A"  # A beats sending nothing for everyone, too
    assert results.campaign.headline == best.sentence
    assert results.targeting_by_column == [best]


def test_third_email_case_headline_excludes_customers_where_sending_stops_paying(
    tmp_path: Path,
) -> None:
    """The case the report once got wrong: Version A pays for customers with 0 or 1 emails this
    week and costs purchases from 2 on (the `fatigue` preset: logit +0.30, +0.10, -0.10,
    -0.30 by bucket). The headline must not say 'send A to everyone': it targets by emails
    already received, and the fatigue sentence says where A stops paying."""
    spec = simulate.preset("fatigue", recipients=300_000, seed=5)
    simulated_campaign(spec, tmp_path / "rows.parquet")
    path = write_experiment(
        tmp_path,
        arms={"holdout": "holdout", "versions": ["A"]},
        metrics=[PURCHASE],
        fatigue={"column": "emails_prior_7d", "cap": 3},
        sampler={"draws": 300, "tune": 300, "chains": 2, "seed": 6},
    )
    results = analyze(path).results
    best = results.targeting
    assert best is not None and best.column == "emails_prior_7d"
    sends = {c.segment_level: c.send for c in best.policy}
    assert sends["0"] == "A" and sends["3+"] is None
    assert best.recommended and best.p_beats_send_all >= 0.95
    assert results.campaign.headline.startswith(
        "No version beats sending nothing for everyone, but targeting does"
    )
    assert "Send Version A to customers with fewer than" in results.campaign.headline
    assert "send nothing to customers with" in results.campaign.headline
    (curve,) = results.fatigue
    assert curve.stops_paying_from in ("1", "2")
    assert "stops paying once customers already got" in curve.sentence
