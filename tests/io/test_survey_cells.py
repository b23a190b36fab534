"""Survey answers as cells: the same counts from a column, a file, a DuckDB database and
PostgreSQL, answers read as the config says, problems counted with their first row."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from engines import load_into_postgres, postgres_reason
from relevance.config import SurveyConfig, load_experiment
from relevance.io import simulate
from relevance.io.surveys import BLANK, SurveyCells, answers_frame, read_answer, read_survey

RATING = {
    "name": "relevance",
    "kind": "rating",
    "levels": [1, 2, 3, 4, 5],
    "asked": "recipients",
}
REASON = {
    "name": "reason",
    "kind": "choice",
    "choices": {
        "too_many": "too many emails",
        "not_relevant": "not relevant to me",
        "not_interested": "no longer interested",
        "other": "another reason",
    },
    "among": "unsubscribe",
}


def experiment_file(folder: Path, data: dict[str, Any], surveys: list[dict[str, Any]]) -> Path:
    content = {
        "name": "surveys",
        "data": {"arm": "arm", "unit_id": "customer_id", **data},
        "arms": {"holdout": "holdout", "versions": ["A", "B"]},
        "metrics": [
            {
                "name": "purchase",
                "kind": "binary",
                "column": "purchased",
                "primary": True,
                "rope": 0.001,
            },
            {"name": "unsubscribe", "kind": "binary", "column": "unsubscribed", "rope": 0.002},
        ],
        "segments": ["lifecycle_stage", "emails_prior_7d_bucket"],
    }
    content["surveys"] = surveys
    path = folder / "surveys.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The demo campaign (with its survey columns) as Parquet, 30,000 recipients."""
    folder = tmp_path_factory.mktemp("survey-campaign")
    path = simulate.write_parquet(simulate.preset("demo", 30_000, 4), folder / "rows.parquet")
    return path, pq.read_table(path).to_pandas()


def answers_of(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """A respondents file from a survey column: id and answer, shuffled, as text."""
    answered = rows.loc[rows[column].notna(), ["customer_id", column]]
    answered = answered.sample(frac=1.0, random_state=1).rename(columns={column: "answer"})
    return answered.astype({"answer": str})


def counts(cells: SurveyCells) -> pd.DataFrame:
    frame = answers_frame([cells]).drop(columns="survey")
    return frame.sort_values(list(frame.columns[:-1])).reset_index(drop=True)


def test_a_column_and_a_file_give_the_same_cells(
    campaign: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    path, rows = campaign
    answers_of(rows, "relevance_rating").to_csv(tmp_path / "ratings.csv", index=False)
    answers_of(rows, "unsubscribe_reason").to_parquet(tmp_path / "reasons.parquet")
    experiment = load_experiment(
        experiment_file(
            tmp_path,
            {"path": str(path)},
            [
                {**RATING, "column": "relevance_rating"},
                {**RATING, "name": "relevance_file", "path": "ratings.csv"},
                {**REASON, "column": "unsubscribe_reason"},
                {**REASON, "name": "reason_file", "path": "reasons.parquet"},
            ],
        )
    )
    column, file, reason_column, reason_file = (
        read_survey(experiment, s) for s in experiment.surveys
    )
    assert column.respondents == rows.loc[rows.arm != "holdout", "relevance_rating"].notna().sum()
    pd.testing.assert_frame_equal(counts(column), counts(file))
    pd.testing.assert_frame_equal(counts(reason_column), counts(reason_file))
    assert not column.problems and not file.problems and not reason_file.problems
    by_arm = reason_file.by_arm(("A", "B"))
    expected = rows[rows.arm != "holdout"].groupby("arm").unsubscribe_reason.value_counts()
    for i, arm in enumerate(("A", "B")):
        for k, code in enumerate(experiment.surveys[2].codes):
            assert by_arm[i, k] == expected.get((arm, code), 0)


def test_database_sources_give_the_same_cells(
    campaign: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    """A DuckDB database and (when a server runs) PostgreSQL: the answers query runs there."""
    path, rows = campaign
    file_experiment = load_experiment(
        experiment_file(tmp_path, {"path": str(path)}, [{**REASON, "column": "unsubscribe_reason"}])
    )
    expected = counts(read_survey(file_experiment, file_experiment.surveys[0]))
    answers = answers_of(rows, "unsubscribe_reason")
    database = tmp_path / "campaign.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(f"CREATE TABLE sends AS SELECT * FROM read_parquet('{path}')")
        con.register("answers_frame", answers)
        con.execute("CREATE TABLE answers AS SELECT * FROM answers_frame")
    sources = [("duckdb:///campaign.duckdb", "")]
    reason = postgres_reason()
    if reason is None:
        import psycopg
        import pyarrow as pa

        schema = f"relevance_test_{uuid.uuid4().hex[:10]}"
        connection = psycopg.connect()
        connection.execute(f"CREATE SCHEMA {schema}")
        load_into_postgres(connection, f"{schema}.sends", pq.read_table(path))
        load_into_postgres(
            connection, f"{schema}.answers", pa.Table.from_pandas(answers, preserve_index=False)
        )
        sources.append(("postgresql://", f"{schema}."))
    elif os.environ.get("RELEVANCE_REQUIRE_POSTGRES"):
        pytest.fail(reason)
    try:
        for url, prefix in sources:
            experiment = load_experiment(
                experiment_file(
                    tmp_path,
                    {"sql": {"url": url, "query": f"SELECT * FROM {prefix}sends"}},
                    [{**REASON, "sql": f"SELECT customer_id, answer FROM {prefix}answers"}],
                )
            )
            found = read_survey(experiment, experiment.surveys[0])
            pd.testing.assert_frame_equal(counts(found), expected, check_dtype=False)
            assert not found.problems, url
    finally:
        if reason is None:
            connection.rollback()
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
            connection.commit()
            connection.close()


def test_a_survey_query_that_writes_is_refused(tmp_path: Path) -> None:
    from relevance.errors import DataError

    database = tmp_path / "campaign.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE sends AS SELECT 1 AS customer_id, 'A' AS arm")
    experiment = load_experiment(
        experiment_file(
            tmp_path,
            {"sql": {"url": "duckdb:///campaign.duckdb", "query": "SELECT * FROM sends"}},
            [{**REASON, "sql": "DELETE FROM sends"}],
        )
    )
    with pytest.raises(DataError, match="the query is refused") as caught:
        read_survey(experiment, experiment.surveys[0])
    assert caught.value.where == "surveys[0].sql"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4", 3),
        (" 4.0 ", 3),
        ("1e0", 0),
        ("", BLANK),
        ("   ", BLANK),
        (None, BLANK),
        ("6", "not one of the levels 1 to 5"),
        ("0", "not one of the levels 1 to 5"),
        ("3.5", "not a whole number"),
        ("nan", "not a number"),
        ("-inf", "not a number"),
        ("1_0", "not a number"),
        ("four", "not a number"),
        ("1e400", "not a number"),
    ],
)
def test_ratings_are_read_as_whole_levels(raw: str | None, expected: int | str) -> None:
    survey = SurveyConfig(**{**RATING, "column": "x"})
    assert read_answer(survey, raw) == expected


def test_choices_are_a_code_or_its_words_in_any_case() -> None:
    survey = SurveyConfig(**{**REASON, "column": "x"})
    assert read_answer(survey, "too_many") == 0
    assert read_answer(survey, " Too Many Emails ") == 0
    assert read_answer(survey, "OTHER") == 3
    assert read_answer(survey, "price").startswith("not one of the choices")
    assert read_answer(survey, "") == BLANK


def test_relabel_sums_the_cells_that_meet() -> None:
    survey = SurveyConfig(**{**RATING, "column": "x"})
    keys = pd.DataFrame({"arm": ["A", "A", "A", "B"], "emails": ["3", "4", "1", "5"]})
    counts = np.arange(20).reshape(4, 5)
    cells = SurveyCells(survey, keys, counts, ("emails",), "x", "")
    bucketed = cells.relabel("emails", lambda level: "3+" if int(level) >= 3 else level)
    assert bucketed.keys.to_dict("list") == {"arm": ["A", "A", "B"], "emails": ["1", "3+", "3+"]}
    assert bucketed.counts.tolist() == [
        [10, 11, 12, 13, 14],
        [5, 7, 9, 11, 13],
        [15, 16, 17, 18, 19],
    ]
    assert bucketed.respondents == cells.respondents
