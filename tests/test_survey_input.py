"""Bad survey input through the real CLI (`relevance validate`, no model is fitted).

Answers that cannot be read and respondents who answered twice exit 2 with one message naming
the question, the file, an example row and the fix; answers that cannot be placed are visible
warnings; a config that cannot work is refused before any data is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from test_bad_input import experiment, good_rows, run_in_process, set_value

RATING = {"name": "relevance", "kind": "rating", "levels": [1, 2, 3, 4, 5]}
REASON = {
    "name": "reason",
    "kind": "choice",
    "path": "answers.csv",
    "choices": {"too_many": "too many emails", "not_relevant": "not relevant"},
}


def answers(n: int = 300) -> pd.DataFrame:
    """Good answers: ids of A and B recipients (ids 2-5 mod 5), one answer each."""
    frame = good_rows()
    asked = frame[frame.arm != "holdout"].head(n)
    return pd.DataFrame(
        {
            "customer_id": asked.customer_id.to_numpy(),
            "answer": ["too_many", "not_relevant", "Too many emails"] * (n // 3),
        }
    )


def ratings(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a rating column: recipients rated 1-5, the holdout blank."""
    values = [str(1 + i % 5) if arm != "holdout" else "" for i, arm in enumerate(frame.arm)]
    return frame.assign(rating=values)


def with_rating(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], Path]:
    """A rating in a column of the rows, after `change` to the rows."""

    def build(folder: Path) -> Path:
        change(ratings(good_rows().astype(object))).to_csv(folder / "rows.csv", index=False)
        return experiment(folder, surveys=[{**RATING, "column": "rating"}])

    return build


def with_reasons(
    change: Callable[[pd.DataFrame], pd.DataFrame], **survey: object
) -> Callable[[Path], Path]:
    """Reasons in a file of their own (`answers.csv`), after `change` to it."""

    def build(folder: Path) -> Path:
        good_rows().to_csv(folder / "rows.csv", index=False)
        change(answers().astype(object)).to_csv(folder / "answers.csv", index=False)
        return experiment(folder, surveys=[{**REASON, **survey}])

    return build


def rating_file(values: list[object]) -> Callable[[Path], Path]:
    """A rating in a file of its own with the given answers (ids of A and B recipients)."""

    def build(folder: Path) -> Path:
        good_rows().to_csv(folder / "rows.csv", index=False)
        ids = answers(len(values) - len(values) % 3 + 3).customer_id.to_numpy()[: len(values)]
        pd.DataFrame({"customer_id": ids, "answer": values}).to_csv(
            folder / "ratings.csv", index=False
        )
        return experiment(folder, surveys=[{**RATING, "path": "ratings.csv"}])

    return build


def append(rows: list[dict[str, object]]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]
    expect: tuple[str, ...]


ERRORS = [
    Case(
        "rating-out-of-range",
        with_rating(set_value(4, "rating", "6")),
        ("'relevance'", "1 answer is not one of the levels 1 to 5", "row 4", "'6'", "Fix:"),
    ),
    Case(
        "rating-not-whole",
        rating_file([4, 3.5, 2, 5, 3.5, 1]),
        ("ratings.csv", "2 answers are not a whole number", "row 2", "'3.5'", "whole number"),
    ),
    Case(
        "rating-not-a-number",
        rating_file([4, "n/a", 2, "nan", "inf", "1_0"]),
        ("4 answers are not a number", "row 2 (customer_id 3): 'n/a'", "values seen:", "'1_0'"),
    ),
    Case(
        "unknown-reason",
        with_reasons(set_value(7, "answer", "price")),
        ("answers.csv", "not one of the choices (too_many, not_relevant)", "row 7", "'price'"),
    ),
    Case(
        "answered-twice",
        with_reasons(append([{"customer_id": 2, "answer": "not_relevant"}])),
        ("answers.csv", "1 respondent answered more than once", "row 1", "customer_id 2"),
    ),
    Case(
        "nobody-in-the-experiment",
        with_reasons(lambda f: f.assign(customer_id=f.customer_id + 100_000)),
        ("300 answers come from respondents who are not in the experiment", "leading zeros"),
    ),
    Case(
        "answer-column-missing",
        with_reasons(lambda f: f.rename(columns={"answer": "reason"})),
        ("answers.csv", "column `answer`", "surveys[0].answer", "`reason`"),
    ),
    Case(
        "survey-file-missing",
        lambda folder: experiment(
            (good_rows().to_csv(folder / "rows.csv", index=False), folder)[1],
            surveys=[{**REASON, "path": "nowhere.csv"}],
        ),
        ("nowhere.csv", "does not exist"),
    ),
    Case(
        "survey-column-missing",
        lambda folder: experiment(
            (good_rows().to_csv(folder / "rows.csv", index=False), folder)[1],
            surveys=[{**RATING, "column": "ratng"}],
        ),
        ("rows.csv", "`surveys[0].column`", "ratng"),
    ),
]

CONFIG = [
    ({**RATING, "column": "rating", "levels": None}, "a rating needs `levels`"),
    ({**RATING, "column": "rating", "levels": [1, 1, 2]}, "distinct whole numbers"),
    ({**RATING, "column": "rating", "labels": {7: "great"}}, "`labels` names levels"),
    ({**REASON, "choices": {"a": "same", "b": "Same"}}, "must be distinct"),
    ({**REASON, "choices": {"a": "b", "b": "c"}}, "must not be another choice's code"),
    ({**REASON, "column": "x"}, "exactly one source of answers"),
    ({**REASON, "among": "revenue"}, "`among` must name a binary metric"),
    ({**REASON, "kind": "opinion"}, "surveys[0].kind"),
    ({**REASON, "asked": "holdout"}, "surveys[0].asked"),
    ({**REASON, "rope": -1}, "surveys[0].rope"),
    ({**REASON, "levls": [1]}, "did you mean `levels`?"),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_bad_answers_exit_2_with_question_row_and_fix(case: Case, tmp_path: Path) -> None:
    code, out, err = run_in_process(case.build(tmp_path))
    assert code == 2, (out, err)
    assert err.startswith("error: ") and "Fix:" in err, err
    assert "Traceback" not in err + out
    message = " ".join(err.split())
    for part in case.expect:
        assert part in message, (part, err)


@pytest.mark.parametrize(("survey", "expected"), CONFIG, ids=[c[1][:30] for c in CONFIG])
def test_bad_survey_config_exits_2(
    survey: dict[str, object], expected: str, tmp_path: Path
) -> None:
    good_rows().to_csv(tmp_path / "rows.csv", index=False)
    code, out, err = run_in_process(experiment(tmp_path, surveys=[survey]))
    assert code == 2, (out, err)
    assert expected in " ".join(err.split()), err
    assert "Traceback" not in err


def test_answers_that_cannot_be_placed_are_warnings(tmp_path: Path) -> None:
    """Not in the experiment, no id, and a holdout member asked about an email never sent: each
    a warning with its example row; the rest of the answers are valid."""
    extra = [
        {"customer_id": 123_456, "answer": "too_many"},  # row 301: not in the experiment
        {"customer_id": None, "answer": "not_relevant"},  # row 302: no id
        {"customer_id": 1, "answer": "too_many"},  # row 303: id 1 is in the holdout
        {"customer_id": 996, "answer": " "},  # row 304: blank, no answer
    ]
    code, out, err = run_in_process(with_reasons(append(extra))(tmp_path))
    assert code == 0, err
    text = " ".join(out.split())
    assert "[warning]" in text
    assert (
        "1 answer comes from respondents who are not in the experiment's data, e.g. row 301 (customer_id 123456.0)"  # as written
        in text
    )
    assert "1 answer has no respondent id (empty `customer_id`), e.g. row 302" in text
    assert (
        "1 answer comes from holdout members, who were sent no email, e.g. row 303 (customer_id 1.0)"
        in text
    )
    assert "asked: everyone" in text
    assert "response rates Version A" in text


def test_everyone_question_takes_holdout_answers(tmp_path: Path) -> None:
    frame = answers()
    frame.loc[0, "customer_id"] = 1  # a holdout member
    good_rows().to_csv(tmp_path / "rows.csv", index=False)
    frame.to_csv(tmp_path / "answers.csv", index=False)
    path = experiment(tmp_path, surveys=[{**REASON, "asked": "everyone"}])
    code, out, err = run_in_process(path)
    assert code == 0, err
    assert "holdout members" not in out  # asked of everyone: the holdout's answer counts
    # ... and one answer from 200 holdout members against 150 from 400 is not chance:
    assert "response rates differ between arms beyond chance (holdout 0.5% (1 of 200)" in " ".join(
        out.split()
    )


def test_survey_from_a_sql_source_needs_a_query(tmp_path: Path) -> None:
    good_rows().to_csv(tmp_path / "rows.csv", index=False)
    path = experiment(
        tmp_path,
        data={"sql": {"url": "duckdb:///x.db", "query": "SELECT 1"}, "unit_id": "customer_id"},
        surveys=[REASON],
    )
    code, _, err = run_in_process(path)
    assert code == 2
    assert "give `sql` (a SELECT of respondent id and answer) instead of `path`" in " ".join(
        err.split()
    )


def test_checked_answers_are_handed_to_the_notebook_and_a_rewritten_file_is_read_again(
    tmp_path: Path,
) -> None:
    """`relevance run` hands its checked survey answers to the notebook's analysis; answers
    rewritten in between are read again, never the stale ones."""
    from relevance.config import load_experiment
    from relevance.pipeline.checking import check_everything, discard_handed, hand_over

    experiment_ = load_experiment(with_reasons(lambda f: f)(tmp_path))
    cells, surveys, findings = check_everything(experiment_)
    hand_over(experiment_, cells, findings, {"aggregate": 1.0}, surveys)
    assert check_everything(experiment_)[1][0] is surveys[0]  # taken, not read again
    hand_over(experiment_, cells, findings, {"aggregate": 1.0}, surveys)
    answers(150).to_csv(tmp_path / "answers.csv", index=False)  # rewritten: fewer answers
    again = check_everything(experiment_)[1]
    discard_handed()
    assert again[0].counts.sum() == 150 and surveys[0].counts.sum() == 300
