"""The bad-input matrix's row-level cases from a PostgreSQL and a Spark source: the same
checks fire with the same messages as from the file, word for word.

Only where an example is located differs: a file's rows are numbered ("row 700 (customer_id
700)"), a query's rows have no order, so the example is the recipient with the smallest id
("customer_id 700"; here the ids are the row numbers). The file is loaded as text columns,
as DuckDB reads a CSV.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from engines import load_csv_into_postgres, load_into_spark
from test_bad_input import CASES, Case, run_in_process

ROW_LEVEL = [
    "underscore-number",
    "text-in-revenue",
    "yes-no-in-binary",
    "two-in-binary",
    "missing-outcome",
    "nan-revenue",
    "infinite-revenue",
    "negative-revenue",
    "arm-typo",
    "arm-with-spaces",
    "arm-lower-case",
    "arm-missing",
    "duplicated-unit",
    "unit-in-two-arms",
    "unit-id-missing",
    "holdout-sent",
    "sent-unreadable",
    "sample-ratio-mismatch",
    "empty-arm",
]
ROW_CASES = [c for c in CASES if c.id in ROW_LEVEL]


def located_by_recipient(message: str, data: str) -> str:
    """A file's message as a query's rows say it: examples by recipient, not by row."""
    text = " ".join(message.split()).replace(data, "DATA")
    text = re.sub(r"row [\d,]+ \((customer_id [^)]+)\)", r"\1", text)
    text = re.sub(r"row [\d,]+, (customer_id)", r"\1", text)
    text = re.sub(r", e\.g\. row [\d,]+: they", ": they", text)
    return re.sub(r"row ([\d,]+): ", r"customer_id \1: ", text)


def sql_experiment(file_experiment: Path, url: str, query: str) -> Path:
    """The case's experiment with `data.path` replaced by a SQL source."""
    content: dict[str, Any] = yaml.safe_load(file_experiment.read_text(encoding="utf-8"))
    data = content["data"]
    data.pop("path")
    data["sql"] = {"url": url, "query": query}
    path = file_experiment.with_name("from-sql.yaml")
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def test_every_row_level_case_is_covered() -> None:
    assert [c.id for c in ROW_CASES] == [c for c in ROW_LEVEL if c in {c.id for c in CASES}]
    assert len(ROW_CASES) == len(ROW_LEVEL)


@pytest.mark.parametrize("engine", ["postgresql", "spark"])
@pytest.mark.parametrize("case", ROW_CASES, ids=[c.id for c in ROW_CASES])
def test_sql_sources_say_what_the_file_says(
    case: Case, engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    file_experiment = case.build(tmp_path)
    code, _, from_file = run_in_process(file_experiment)
    assert code == 2, from_file
    table = "case_" + re.sub(r"\W", "_", case.id)
    if engine == "postgresql":
        connection, schema = request.getfixturevalue("pg_schema")
        table = f"{schema}.{table}"
        load_csv_into_postgres(connection, table, tmp_path / "rows.csv")
        url = "postgresql://"
    else:
        load_into_spark(request.getfixturevalue("spark"), table, tmp_path / "rows.csv")
        url = "spark://"
    path = sql_experiment(file_experiment, url, f"SELECT * FROM {table}")
    code, out, from_sql = run_in_process(path)
    assert code == 2, (out, from_sql)
    assert "Traceback" not in from_sql + out
    expected = located_by_recipient(from_file, str(tmp_path / "rows.csv"))
    assert " ".join(from_sql.split()).replace(str(path), "DATA") == expected
