"""The results.json contract: round trip with typed metrics, look-ups, and older files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from handmade import handmade_results, results_data
from relevance.config import MetricConfig
from relevance.results import SCHEMA_VERSION, Results, Verdict


def test_json_round_trip_keeps_everything_and_types_the_metrics(tmp_path: Path) -> None:
    results = handmade_results()
    path = tmp_path / "results.json"
    path.write_text(results.to_json() + "\n", encoding="utf-8")

    again = Results.read(path)

    assert again == results
    assert again.to_json() == results.to_json()
    assert all(isinstance(m, MetricConfig) for m in again.metrics)
    assert [m.name for m in again.metrics] == ["purchase", "revenue", "unsubscribe"]
    assert again.metric("unsubscribe").direction == "decrease"
    assert again.uplifts[0].verdict is Verdict.IRRELEVANT
    assert again.schema_version == SCHEMA_VERSION


def test_json_text_is_stable_and_in_schema_order() -> None:
    text = handmade_results().to_json()
    assert text == handmade_results().to_json()
    keys = list(json.loads(text))
    assert keys[:5] == ["schema_version", "experiment", "title", "sent_on", "description"]
    assert keys.index("metrics") < keys.index("run") < keys.index("priors")
    assert text.startswith('{\n  "schema_version": "1.2",\n')
    saved = json.loads(text)["metrics"][2]
    assert saved == {
        "name": "unsubscribe",
        "kind": "binary",
        "column": "unsubscribed",
        "primary": False,
        "direction": "decrease",
        "guardrail": True,
        "rope": 0.002,
        "value": -8.0,
        "label": "unsubscribes",
    }


def test_uplift_looks_up_by_metric_version_and_segment() -> None:
    results = handmade_results()
    overall = results.uplift("purchase", "B")
    assert (overall.segment_column, overall.segment_level) == ("overall", "all")
    assert overall.uplift_mean == pytest.approx(0.0042)
    assert overall.verdict is Verdict.BEATS
    loyal = results.uplift("revenue", "A", "lifecycle_stage", "loyal")
    assert (loyal.metric, loyal.version, loyal.segment_level) == ("revenue", "A", "loyal")
    assert loyal.uplift_mean == pytest.approx(0.01 - 0.0005)


@pytest.mark.parametrize(
    "key",
    [
        ("purchase", "C", "overall", "all"),
        ("clicks", "A", "overall", "all"),
        ("purchase", "A", "lifecycle_stage", "all"),
        ("purchase", "A", "overall", "new"),
    ],
)
def test_uplift_unknown_is_a_key_error_naming_the_key(key: tuple[str, str, str, str]) -> None:
    with pytest.raises(KeyError) as error:
        handmade_results().uplift(*key)
    assert error.value.args == (key,)


def test_metric_primary_and_verdict() -> None:
    results = handmade_results()
    assert results.metric("revenue").kind == "revenue"
    assert results.metric("revenue").display == "sales"
    assert results.primary is results.metric("purchase")
    assert results.primary.primary
    assert results.verdict("B").verdict is Verdict.BEATS
    assert results.verdict("A").verdict is Verdict.IRRELEVANT
    assert results.verdict("A").reasons == ["primary: irrelevant", "A second reason for A."]


def test_primary_follows_primary_metric_not_list_order() -> None:
    data = results_data()
    data["metrics"] = list(reversed(data["metrics"]))
    assert Results.model_validate(data).primary.name == "purchase"


def test_unknown_metric_or_version_is_a_key_error() -> None:
    results = handmade_results()
    with pytest.raises(KeyError):
        results.metric("clicks")
    with pytest.raises(KeyError):
        results.verdict("C")


def test_results_written_by_an_older_run_still_read(tmp_path: Path) -> None:
    """Before typed metrics: metrics as plain dicts, no currency, fatigue or target_accept;
    schema 1.0: no title, send date, segment labels, targeting, totals or unmeasurable metrics."""
    old = results_data()
    del old["currency"], old["fatigue"], old["diagnostics"]["target_accept"]
    del old["targeting"], old["targeting_by_column"], old["totals"]
    old["schema_version"] = "1.0"
    old["metrics"] = [
        {
            "name": "purchase",
            "kind": "binary",
            "column": "purchased",
            "primary": True,
            "rope": 0.001,
        },
        dict(old["metrics"][1]),
        dict(old["metrics"][2]),
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(old, indent=2), encoding="utf-8")

    results = Results.read(path)

    assert all(isinstance(m, MetricConfig) for m in results.metrics)
    assert results.primary.name == "purchase"
    assert results.primary.direction == "increase" and results.primary.label is None
    assert results.primary.display == "purchase"
    assert results.metric("revenue").value == 0.3
    assert results.currency == "" and results.fatigue == []
    assert results.diagnostics.target_accept == 0.95
    assert (results.title, results.sent_on, results.segment_labels) == ("", None, {})
    assert results.heading == "spring sale"
    assert results.targeting is None and results.targeting_by_column == []
    assert results.totals is None and results.not_estimable == []
    assert Results.model_validate_json(results.to_json()) == results


def test_unknown_fields_are_refused() -> None:
    data = results_data()
    data["metrics"][0]["colour"] = "green"
    with pytest.raises(ValidationError, match="colour"):
        Results.model_validate(data)
    data = results_data()
    data["verdict_of_the_day"] = "send"
    with pytest.raises(ValidationError, match="verdict_of_the_day"):
        Results.model_validate(data)


def test_results_are_frozen() -> None:
    results = handmade_results()
    with pytest.raises(ValidationError):
        results.experiment = "other"  # type: ignore[misc]
