"""Data-quality checks: cell-level checks on hand-made cells, row-level checks on real files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import aggregate_frame, write_experiment
from relevance.checks.arms import empty_or_tiny_arms, unknown_arms
from relevance.checks.outcomes import bad_outcomes
from relevance.checks.ratio import SRM_P_VALUE, sample_ratio_mismatch
from relevance.checks.rows import HOLDOUT_SENT_ERROR_SHARE, row_checks
from relevance.checks.suite import run_checks, stop_on_errors
from relevance.config import Experiment, load_experiment
from relevance.errors import ChecksFailed
from relevance.io.cells import Cells
from relevance.results import Finding, Severity

ALLOCATION = {"holdout": 0.2, "A": 0.4, "B": 0.4}
METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "spend", "kind": "revenue", "column": "revenue", "rope": 0.05},
]


def experiment_at(folder: Path, data_file: str = "rows.parquet", **data: object) -> Experiment:
    sections = {
        "data": {"path": data_file, "arm": "arm", **data},
        "arms": {"holdout": "holdout", "versions": ["A", "B"], "allocation": ALLOCATION},
        "metrics": METRICS,
    }
    return load_experiment(write_experiment(folder, **sections))


def cells_of(experiment: Experiment, arms: dict[str, int], **stats_: int) -> Cells:
    """Cells with one row per arm: n recipients, 10% purchases and buyers, optional bad counts."""
    rows = []
    for arm, n in arms.items():
        row = {"arm": arm, "n": n}
        for metric in ("purchase", "spend"):
            row[f"{metric}__n"] = n
            row[f"{metric}__missing"] = row[f"{metric}__invalid"] = 0
            row[f"{metric}__negative"] = 0
        row["purchase__ones"] = row["spend__buyers"] = n // 10
        row["purchase__nonbinary"] = 0
        row["spend__sum"] = row["spend__sum_log"] = row["spend__sum_log_sq"] = float(n)
        row["spend__sum_sq"] = float(n)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for key, value in stats_.items():
        frame.loc[0, key] = value
    return Cells.for_experiment(experiment, frame)


def rows(n: int = 1_000) -> pd.DataFrame:
    """A clean campaign of `n` rows in exact 20/40/40 proportions."""
    arm = np.array(["holdout", "A", "A", "B", "B"])[np.arange(n) % 5]
    bought = (np.arange(n) % 7 == 0).astype(np.int64)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "arm": arm,
            "purchased": bought,
            "revenue": bought * 25.5,
            "sent": arm != "holdout",
        }
    )


@pytest.fixture
def experiment(tmp_path: Path) -> Experiment:
    return experiment_at(tmp_path)


def by_check(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


# --- sample ratio mismatch ------------------------------------------------------------------


def test_sample_ratio_mismatch_flags_a_broken_split_with_counts_and_p_value(
    experiment: Experiment,
) -> None:
    cells = cells_of(experiment, {"holdout": 1_800, "A": 4_100, "B": 4_100})
    (srm,) = sample_ratio_mismatch(experiment, cells)
    reference = stats.chisquare([1_800, 4_100, 4_100], [2_000, 4_000, 4_000])
    assert srm.severity is Severity.ERROR
    assert srm.details["chi2"] == pytest.approx(reference.statistic)
    assert srm.details["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert srm.details["arms"]["holdout"] == {"observed": 1_800, "expected": 2_000.0}
    assert "holdout 1,800 (expected 2,000)" in srm.message
    assert "arms.allocation" in srm.details["fix"]


def test_sample_ratio_within_chance_is_a_note(experiment: Experiment) -> None:
    cells = cells_of(experiment, {"holdout": 2_010, "A": 3_990, "B": 4_000})
    (srm,) = sample_ratio_mismatch(experiment, cells)
    assert srm.severity is Severity.INFO
    assert srm.details["p_value"] > SRM_P_VALUE
    assert srm.message.startswith("Arm sizes match the planned allocation")


def test_sample_ratio_threshold_is_p_below_one_in_a_thousand(experiment: Experiment) -> None:
    """Just above and just below p = 0.001 with the same total."""
    severities = {}
    for holdout in range(1_800, 2_000, 2):
        rest = (10_000 - holdout) // 2
        cells = cells_of(experiment, {"holdout": holdout, "A": rest, "B": 10_000 - holdout - rest})
        (srm,) = sample_ratio_mismatch(experiment, cells)
        severities[srm.details["p_value"] < SRM_P_VALUE] = srm.severity
    assert severities == {True: Severity.ERROR, False: Severity.INFO}


def test_no_allocation_means_no_ratio_check(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, data={"path": "rows.parquet"})
    experiment = load_experiment(path)
    assert sample_ratio_mismatch(experiment, cells_of(experiment, {"holdout": 1, "A": 9})) == []


# --- arms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "suggestion", "same"),
    [
        (" A", "A", True),
        ("A ", "A", True),
        ("b", "B", True),
        ("HOLDOUT", "holdout", True),
        ("Bb", "B", False),
        ("treatment", None, False),
    ],
)
def test_unknown_arm_labels_are_errors_with_did_you_mean(
    experiment: Experiment, label: str, suggestion: str | None, same: bool
) -> None:
    cells = cells_of(experiment, {"holdout": 200, "A": 400, "B": 400, label: 7})
    (finding,) = unknown_arms(experiment, cells)
    assert finding.severity is Severity.ERROR
    assert finding.details["label"] == label and finding.details["rows"] == 7
    assert finding.details["suggestion"] == suggestion
    assert repr(label) in finding.message
    assert ("only in spaces or capital letters" in finding.message) is same
    if suggestion:
        assert f"Did you mean {suggestion!r}?" in finding.message


def test_aggregation_keeps_whitespace_variants_of_arm_labels_apart(tmp_path: Path) -> None:
    """ " A" must not be merged into "A" by the aggregation: the check must see it."""
    frame = rows(100)
    frame.loc[[1, 2], "arm"] = [" A", "A "]
    frame.to_csv(tmp_path / "rows.csv", index=False)
    experiment = experiment_at(tmp_path, "rows.csv")
    cells = Cells.for_experiment(experiment, aggregate_frame(experiment, tmp_path / "rows.csv"))
    assert set(cells.keys.arm) == {"holdout", "A", "B", " A", "A "}
    labels = {f.details["label"] for f in unknown_arms(experiment, cells)}
    assert labels == {" A", "A "}


def test_rows_without_an_arm_label_are_an_error(tmp_path: Path) -> None:
    frame = rows(100)
    frame.loc[3, "arm"] = None
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_at(tmp_path)
    cells = Cells.for_experiment(experiment, aggregate_frame(experiment, tmp_path / "rows.parquet"))
    (finding,) = unknown_arms(experiment, cells)
    assert finding.message.startswith("1 row has no arm label")


def test_empty_arm_is_an_error_and_tiny_arm_a_warning(experiment: Experiment) -> None:
    cells = cells_of(experiment, {"holdout": 50, "A": 5_000})
    findings = {f.details["arm"]: f for f in empty_or_tiny_arms(experiment, cells)}
    assert findings["B"].severity is Severity.ERROR and findings["B"].check == "empty_arm"
    assert findings["holdout"].severity is Severity.WARNING
    assert findings["holdout"].details["recipients"] == 50
    assert "A" not in findings


# --- outcomes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stat", "metric", "words"),
    [
        ("missing", "purchase", "missing (empty or NULL)"),
        ("invalid", "purchase", "not numbers"),
        ("nonbinary", "purchase", "numbers other than 0 and 1"),
        ("missing", "spend", "missing"),
        ("invalid", "spend", "not numbers"),
        ("negative", "spend", "negative"),
    ],
)
def test_bad_outcome_counts_are_errors(
    experiment: Experiment, stat: str, metric: str, words: str
) -> None:
    cells = cells_of(experiment, {"holdout": 200, "A": 400, "B": 400}, **{f"{metric}__{stat}": 3})
    (finding,) = [f for f in bad_outcomes(experiment, cells) if f.check == f"outcome_{stat}"]
    assert finding.severity is Severity.ERROR
    assert finding.details["rows"] == 3 and finding.details["metric"] == metric
    assert words in finding.message and "3 values" in finding.message
    assert finding.details["example_row"] is None  # cells know no rows


def test_negative_binary_values_are_reported_once_as_non_binary(experiment: Experiment) -> None:
    cells = cells_of(experiment, {"holdout": 200, "A": 400, "B": 400}, purchase__negative=2)
    assert bad_outcomes(experiment, cells) == []  # the nonbinary count carries them


def test_zero_events_is_a_warning_unless_values_are_bad(experiment: Experiment) -> None:
    cells = cells_of(experiment, {"holdout": 200, "A": 400, "B": 400})
    purchases = cells.stats["purchase"]
    cells = replace(
        cells, stats={**cells.stats, "purchase": replace(purchases, ones=0 * purchases.ones)}
    )
    (warning,) = bad_outcomes(experiment, cells)
    assert warning.check == "zero_events" and warning.severity is Severity.WARNING
    quality = cells.quality["purchase"]
    invalid = replace(quality, invalid=quality.invalid + np.array([5, 0, 0]))
    cells = replace(cells, quality={**cells.quality, "purchase": invalid})
    assert [f.check for f in bad_outcomes(experiment, cells)] == ["outcome_invalid"]


# --- row-level checks (DuckDB over the file) ------------------------------------------------


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_row_checks_on_clean_rows_are_notes(tmp_path: Path, suffix: str) -> None:
    frame = rows()
    path = tmp_path / f"rows.{suffix}"
    frame.to_parquet(path, index=False) if suffix == "parquet" else frame.to_csv(path, index=False)
    experiment = experiment_at(tmp_path, path.name, unit_id="customer_id", sent="sent")
    findings = row_checks(experiment, path)
    assert {f.severity for f in findings} == {Severity.INFO}
    assert {f.check for f in findings} == {"unique_units", "holdout_sent"}


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_row_checks_find_the_first_offending_row_and_value(tmp_path: Path, suffix: str) -> None:
    frame = rows()
    frame["purchased"] = frame["purchased"].astype(object)
    frame["revenue"] = frame["revenue"].astype(object)
    frame.loc[[411, 99], "purchased"] = ["yes", "no"]  # rows 412 and 100: first is row 100
    frame.loc[[501, 502], "purchased"] = [2, -1]  # non-binary numbers
    frame.loc[[11], "purchased"] = [None]
    frame.loc[[7, 8], "revenue"] = [-3.5, "12,50"]
    path = tmp_path / f"rows.{suffix}"
    if suffix == "parquet":
        frame = frame.astype({"purchased": str, "revenue": str}).replace({"None": None})
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    experiment = experiment_at(tmp_path, path.name, unit_id="customer_id")
    findings = {(f.details.get("metric"), f.check): f for f in row_checks(experiment, path)}

    invalid = findings[("purchase", "outcome_invalid")]
    assert invalid.details["rows"] == 2
    assert (invalid.details["example_row"], invalid.details["example_value"]) == (100, "no")
    assert "e.g. row 100 (customer_id 100): 'no'" in invalid.message
    nonbinary = findings[("purchase", "outcome_nonbinary")]
    assert nonbinary.details["rows"] == 2 and nonbinary.details["example_row"] == 502
    missing = findings[("purchase", "outcome_missing")]
    assert missing.details["example_row"] == 12 and missing.details["example_value"] is None
    negative = findings[("spend", "outcome_negative")]
    assert negative.details["example_row"] == 8 and "-3.5" in negative.details["example_value"]
    comma = findings[("spend", "outcome_invalid")]
    assert comma.details["example_row"] == 9 and "decimal comma" in comma.details["fix"]


def test_row_findings_replace_cell_findings_with_the_same_count(tmp_path: Path) -> None:
    frame = rows()
    frame.loc[[5, 6, 7], "revenue"] = -1.0
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_at(tmp_path, unit_id="customer_id")
    cells = Cells.for_experiment(experiment, aggregate_frame(experiment, tmp_path / "rows.parquet"))
    alone = by_check(run_checks(experiment, cells), "outcome_negative")
    both = by_check(
        run_checks(experiment, cells, row_checks(experiment, tmp_path / "rows.parquet")),
        "outcome_negative",
    )
    assert len(alone) == len(both) == 1
    assert alone[0].details["rows"] == both[0].details["rows"] == 3
    assert both[0].details["example_row"] == 6


def test_duplicated_units_and_units_in_two_arms(tmp_path: Path) -> None:
    frame = rows()
    frame = pd.concat([frame, frame.iloc[[9, 9, 19]]], ignore_index=True)  # ids 10 (x3), 20 (x2)
    frame.loc[1, "customer_id"] = 1  # id 1: holdout (row 1) and A (row 2)
    frame.loc[3, "customer_id"] = 3  # id 3: A and B
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_at(tmp_path, unit_id="customer_id")
    findings = {f.check: f for f in row_checks(experiment, tmp_path / "rows.parquet")}
    duplicated = findings["duplicated_units"]
    assert duplicated.severity is Severity.ERROR
    assert (duplicated.details["units"], duplicated.details["extra_rows"]) == (2, 3)
    assert duplicated.details["example"] == "10"
    assert "e.g. customer_id 10 appears 3 times" in duplicated.message
    split = findings["units_in_several_arms"]
    assert (split.details["units"], split.details["rows"]) == (2, 4)
    assert split.details["example"] == "1" and split.details["example_arms"] == ["A", "holdout"]
    assert "unique_units" not in findings


def test_text_unit_ids_with_leading_zeros_stay_distinct(tmp_path: Path) -> None:
    frame = rows(10)
    frame["customer_id"] = [f"{i:05d}" for i in range(10)]
    frame.loc[1, "customer_id"] = "0"  # "0" and "00000" are different ids in a text column
    frame.to_csv(tmp_path / "rows.csv", index=False)
    experiment = experiment_at(tmp_path, "rows.csv", unit_id="customer_id")
    (finding,) = row_checks(experiment, tmp_path / "rows.csv")
    assert finding.check == "unique_units"


def test_missing_unit_ids_are_an_error(tmp_path: Path) -> None:
    frame = rows()
    frame["customer_id"] = frame["customer_id"].astype("Int64")
    frame.loc[[40, 41], "customer_id"] = pd.NA
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_at(tmp_path, unit_id="customer_id")
    (missing,) = by_check(row_checks(experiment, tmp_path / "rows.parquet"), "unit_id_missing")
    assert missing.details == {
        "rows": 2,
        "example_row": 41,
        "where": "column `customer_id`",
        "fix": missing.details["fix"],
    }


def test_default_unit_id_absent_is_a_warning_and_null_skips_it(tmp_path: Path) -> None:
    rows().drop(columns="customer_id").to_parquet(tmp_path / "rows.parquet", index=False)
    (warning,) = row_checks(experiment_at(tmp_path), tmp_path / "rows.parquet")
    assert warning.check == "unit_id_absent" and warning.severity is Severity.WARNING
    assert row_checks(experiment_at(tmp_path, unit_id=None), tmp_path / "rows.parquet") == []


@pytest.mark.parametrize(
    ("sent_in_holdout", "severity"),
    [(0, Severity.INFO), (1, Severity.WARNING), (4, Severity.ERROR)],
)
def test_holdout_members_who_were_sent(
    tmp_path: Path, sent_in_holdout: int, severity: Severity
) -> None:
    frame = rows()  # 200 holdout recipients: 1 is 0.5%, 4 is 2%
    holdout = frame.index[frame.arm == "holdout"][-sent_in_holdout:] if sent_in_holdout else []
    frame.loc[holdout, "sent"] = True
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    experiment = experiment_at(tmp_path, unit_id="customer_id", sent="sent")
    (finding,) = by_check(row_checks(experiment, tmp_path / "rows.parquet"), "holdout_sent")
    assert finding.severity is severity
    assert finding.details["holdout"] == 200 and finding.details["sent"] == sent_in_holdout
    assert finding.details["share"] == pytest.approx(sent_in_holdout / 200)
    if sent_in_holdout:
        first = int(holdout[0]) + 1
        assert finding.details["example_row"] == first
        assert f"e.g. row {first:,}, customer_id {first}" in finding.message
        assert (sent_in_holdout / 200 >= HOLDOUT_SENT_ERROR_SHARE) is (severity is Severity.ERROR)


@pytest.mark.parametrize(
    ("values", "sent", "invalid"),
    [
        (["1", "0"], 1, 0),
        (["true", "false"], 1, 0),
        (["yes", "no"], 1, 0),
        (["1.0", "0.0"], 1, 0),
        (["maybe", "0"], 0, 1),
        (["2", "0"], 0, 1),
    ],
)
def test_sent_column_spellings(tmp_path: Path, values: list[str], sent: int, invalid: int) -> None:
    frame = rows(10)
    frame["sent"] = np.where(frame.arm == "holdout", values[1], values[1]).astype(object)
    frame.loc[0, "sent"] = values[0]  # row 1 is in the holdout
    frame.to_csv(tmp_path / "rows.csv", index=False)
    experiment = experiment_at(tmp_path, "rows.csv", unit_id=None, sent="sent")
    findings = {f.check: f for f in row_checks(experiment, tmp_path / "rows.csv")}
    assert findings["holdout_sent"].details["sent"] == sent
    assert ("sent_invalid" in findings) is bool(invalid)


def test_row_checks_quote_column_names_and_bind_labels(tmp_path: Path) -> None:
    frame = rows().rename(
        columns={"customer_id": 'the "id"', "arm": "arm; DROP TABLE x", "sent": "was sent?"}
    )
    frame["arm; DROP TABLE x"] = frame["arm; DROP TABLE x"].replace("holdout", "hold'out")
    frame.loc[0, "was sent?"] = True
    frame.to_parquet(tmp_path / "rows.parquet", index=False)
    path = write_experiment(
        tmp_path,
        data={
            "path": "rows.parquet",
            "arm": "arm; DROP TABLE x",
            "unit_id": 'the "id"',
            "sent": "was sent?",
        },
        arms={"holdout": "hold'out", "versions": ["A", "B"]},
        metrics=METRICS,
    )
    findings = {f.check: f for f in row_checks(load_experiment(path), tmp_path / "rows.parquet")}
    assert findings["holdout_sent"].details["sent"] == 1
    assert findings["unique_units"].details["units"] == 1_000


# --- stopping -----------------------------------------------------------------------------------


def test_stop_on_errors_single_error_is_its_own_message(experiment: Experiment) -> None:
    cells = cells_of(experiment, {"holdout": 200, "A": 400, "B": 400, " A": 3})
    with pytest.raises(ChecksFailed) as caught:
        stop_on_errors(experiment, run_checks(experiment, cells))
    error = caught.value
    assert error.file is not None and error.file.endswith("rows.parquet")
    assert error.problem.startswith("The data has 3 rows in arm ' A'")
    assert "Fix:" not in error.problem
    assert error.fix == "correct the label in the data, or add it to `arms` in the experiment file"


def test_stop_on_errors_lists_every_error_and_ignores_warnings(experiment: Experiment) -> None:
    cells = cells_of(experiment, {"holdout": 50, "A": 400, "Bee": 400}, purchase__missing=1)
    findings = run_checks(experiment, cells)
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=[Severity.ERROR, Severity.WARNING, Severity.INFO].index
    )
    with pytest.raises(ChecksFailed) as caught:
        stop_on_errors(experiment, findings)
    problem = caught.value.problem
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert problem.startswith(f"{len(errors)} data-quality errors stop the run")
    assert all(f.message in problem for f in errors)
    assert "only 50 recipients" not in problem
    stop_on_errors(experiment, [f for f in findings if f.severity is not Severity.ERROR])
