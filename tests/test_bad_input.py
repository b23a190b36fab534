"""Bad input through the real CLI: every case exits 2 with one message naming the file, the
field or row, and the fix, and never a traceback.

Most cases run in-process (``typer.testing.CliRunner`` on ``relevance.cli.app``) to stay fast;
a few run ``relevance validate`` as a real subprocess, the way users and CI call it.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_experiment
from relevance.cli import app

RELEVANCE = Path(sys.executable).parent / "relevance"
N = 1_000  # rows of the good file; arms in exact 20/40/40 proportions
ALLOCATION = {"holdout": 0.2, "A": 0.4, "B": 0.4}
METRICS = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05},
]


def good_rows(n: int = N) -> pd.DataFrame:
    """A clean campaign: ids 1..n, arms holdout/A/A/B/B repeating, a stage, outcomes, sent."""
    rng = np.random.default_rng(3)
    arm = np.array(["holdout", "A", "A", "B", "B"])[np.arange(n) % 5]
    bought = rng.random(n) < 0.1
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "arm": arm,
            "stage": np.array(["new", "loyal", "lapsed"])[np.arange(n) % 3],
            "purchased": bought.astype(int),
            "revenue": np.where(bought, np.round(rng.lognormal(3, 1, n), 2), 0.0),
            "sent": (arm != "holdout").astype(int),
        }
    )


def experiment(folder: Path, data_file: str = "rows.csv", **sections: object) -> Path:
    """The experiment over `data_file` (id, arm, sent, one segment, binary + revenue)."""
    content: dict[str, object] = {
        "data": {"path": data_file, "arm": "arm", "unit_id": "customer_id", "sent": "sent"},
        "arms": {"holdout": "holdout", "versions": ["A", "B"], "allocation": ALLOCATION},
        "metrics": METRICS,
        "segments": ["stage"],
    }
    content.update(sections)
    return write_experiment(folder, **content)


def csv_case(change: Callable[[pd.DataFrame], pd.DataFrame], **sections: object):
    """A case whose rows.csv is the good file after `change`."""

    def build(folder: Path) -> Path:
        frame = change(good_rows().astype(object))
        frame.to_csv(folder / "rows.csv", index=False)
        return experiment(folder, **sections)

    return build


def set_value(row: int, column: str, value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Put `value` into data row `row` (1-based, as messages count) of `column`."""

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row - 1, column] = value
        return frame

    return change


def write_bytes(name: str, content: bytes, **sections: object):
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return experiment(folder, data_file=name, **sections)

    return build


def write_yaml(text: str | bytes):
    def build(folder: Path) -> Path:
        good_rows().to_csv(folder / "rows.csv", index=False)
        path = folder / "experiment.yaml"
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return path

    return build


def good_yaml(folder: Path, **sections: object) -> Path:
    good_rows().to_csv(folder / "rows.csv", index=False)
    return experiment(folder, **sections)


def with_sections(**sections: object):
    return lambda folder: good_yaml(folder, **sections)


def renamed(old: str, new: str, **sections: object):
    return csv_case(lambda f: f.rename(columns={old: new}), **sections)


def latin1(folder: Path) -> Path:
    text = good_rows().to_csv(index=False).replace("lapsed", "lapsed-Köln", 1)
    (folder / "rows.csv").write_bytes(text.encode("latin-1"))
    return experiment(folder)


def colon_separated(folder: Path) -> Path:
    good_rows().to_csv(folder / "rows.csv", index=False, sep=":")
    return experiment(folder)


def ragged(folder: Path) -> Path:
    lines = good_rows().to_csv(index=False).splitlines()
    lines[3] += ",extra"
    (folder / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return experiment(folder)


def decimal_comma(folder: Path) -> Path:
    frame = good_rows()
    frame["revenue"] = frame["revenue"].map(lambda v: f"{v:.2f}".replace(".", ","))
    frame.to_csv(folder / "rows.csv", index=False, sep=";")
    return experiment(folder)


def header_only(folder: Path) -> Path:
    (folder / "rows.csv").write_text(",".join(good_rows().columns) + "\n", encoding="utf-8")
    return experiment(folder)


def corrupt_parquet(folder: Path) -> Path:
    good_rows().to_parquet(folder / "rows.parquet", index=False)
    content = (folder / "rows.parquet").read_bytes()
    (folder / "rows.parquet").write_bytes(content[: len(content) // 2])
    return experiment(folder, data_file="rows.parquet")


def csv_named_parquet(folder: Path) -> Path:
    good_rows().to_csv(folder / "rows.parquet", index=False)
    return experiment(folder, data_file="rows.parquet")


def gzip_without_suffix(folder: Path) -> Path:
    (folder / "rows.csv").write_bytes(gzip.compress(good_rows().to_csv(index=False).encode()))
    return experiment(folder)


def folder_as_data(folder: Path) -> Path:
    (folder / "rows.csv").mkdir()
    return experiment(folder)


def misspelt_data_path(folder: Path) -> Path:
    good_rows().to_csv(folder / "rows.csv", index=False)
    return experiment(folder, data_file="row.csv")


def folder_as_experiment(folder: Path) -> Path:
    (folder / "experiments").mkdir()
    return folder / "experiments"


def cells_missing_columns(folder: Path) -> Path:
    pd.DataFrame({"arm": ["holdout", "A", "B"], "n": [200, 400, 400]}).to_csv(
        folder / "cells.csv", index=False
    )
    return experiment(folder, data={"cells": "cells.csv"}, segments=[])


def duplicated_units(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[6]]], ignore_index=True)


def unit_in_two_arms(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[1, "customer_id"] = 1  # row 2 (arm A) reuses row 1's id (holdout)
    return frame


def empty_arm_b(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame.arm != "B"]


def ratio_mismatch(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(index=frame.index[frame.arm == "holdout"][:80])


def holdout_sent(frame: pd.DataFrame) -> pd.DataFrame:
    holdout = frame.index[frame.arm == "holdout"][:10]  # 10 of 200: 5%
    frame.loc[holdout, "sent"] = 1
    return frame


def yaml_bomb(folder: Path) -> Path:
    """Billion laughs: nine aliases per level, nine levels (a few hundred bytes of YAML)."""
    good_rows().to_csv(folder / "rows.csv", index=False)
    lines = [
        "name: bomb",
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    lines.append("description: *a9")
    path = folder / "experiment.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def many_levels(folder: Path) -> Path:
    frame = good_rows(20_000)
    frame["stage"] = [f"zip-{i % 5_000:05d}" for i in range(len(frame))]
    frame.to_csv(folder / "rows.csv", index=False)
    return experiment(folder)


def hostile_query(query: str):
    """A DuckDB database with a `sends` table, queried by `query`."""

    def build(folder: Path) -> Path:
        import duckdb

        frame = good_rows()
        with duckdb.connect(str(folder / "camp.duckdb")) as con:
            con.register("frame", frame)
            con.execute("CREATE TABLE sends AS SELECT * FROM frame")
        return experiment(
            folder,
            data={"sql": {"url": "duckdb:///camp.duckdb", "query": query}, "arm": "arm"},
        )

    return build


@dataclass(frozen=True)
class Case:
    """One bad input: how to build it and what the message must say."""

    id: str
    build: Callable[[Path], Path]
    expect: tuple[str, ...]
    subprocess: bool = False


CASES = [
    # --- the experiment file --------------------------------------------------------------
    Case("experiment-missing", lambda f: f / "nope.yaml", ("nope.yaml", "file not found")),
    Case("experiment-is-folder", folder_as_experiment, ("experiments", "folder", "Fix:")),
    Case("yaml-syntax", write_yaml("name: [unclosed\n"), ("experiment.yaml", "line 2", "YAML")),
    Case(
        "yaml-python-tag",
        write_yaml('name: !!python/object/apply:os.system ["echo pwned"]\n'),
        ("experiment.yaml", "line 1", "!!python/object/apply:os.system", "not allowed"),
        subprocess=True,
    ),
    Case(
        "yaml-not-utf8",
        write_yaml("name: caf\xe9\n".encode("latin-1")),
        ("experiment.yaml", "not UTF-8", "save the file as UTF-8"),
    ),
    Case(
        "unknown-key",
        with_sections(segmentz=["stage"]),
        ("experiment.yaml", "segmentz", "did you mean `segments`", "rename"),
    ),
    Case("missing-arms", with_sections(arms=None), ("experiment.yaml", "`arms`", "add the field")),
    Case(
        "wrong-metric-kind",
        with_sections(metrics=[{**METRICS[0], "kind": "binomial"}]),
        ("experiment.yaml", "metrics[0].kind", "binomial", "allowed values"),
    ),
    Case(
        "two-primary-metrics",
        with_sections(metrics=[METRICS[0], {**METRICS[1], "primary": True}]),
        ("experiment.yaml", "exactly one metric", "primary"),
    ),
    Case(
        "allocation-not-summing-to-1",
        with_sections(
            arms={
                "holdout": "holdout",
                "versions": ["A", "B"],
                "allocation": {"holdout": 0.2, "A": 0.4, "B": 0.5},
            }
        ),
        ("experiment.yaml", "arms", "sum to 1"),
    ),
    Case(
        "two-data-sources",
        with_sections(data={"path": "rows.csv", "cells": "cells.csv"}),
        ("experiment.yaml", "`data`", "exactly one data source"),
    ),
    Case(
        "yaml-duplicate-key",
        write_yaml("name: x\nmetrics: []\nmetrics: []\n"),
        ("experiment.yaml", "line 3", "the key 'metrics' is written twice", "keep one"),
    ),
    Case(
        "yaml-alias-bomb",
        yaml_bomb,
        ("experiment.yaml", "expands to more than 100,000 values", "write the values out"),
        subprocess=True,
    ),
    Case(
        "numeric-arm-label",
        with_sections(arms={"holdout": 0, "versions": ["A", "B"]}),
        ("experiment.yaml", "arms.holdout", "arm labels are text", 'holdout: "0"'),
    ),
    Case(
        "infinite-cost",
        with_sections(decision={"cost_per_send": float("inf")}),
        ("experiment.yaml", "decision.cost_per_send", "finite number"),
    ),
    Case(
        "nan-value",
        with_sections(metrics=[METRICS[0], {**METRICS[1], "value": float("nan")}]),
        ("experiment.yaml", "metrics[1].value", "finite number"),
    ),
    Case(
        "seed-too-large",
        with_sections(sampler={"seed": 2**32}),
        ("experiment.yaml", "sampler.seed", "4294967295"),
    ),
    Case(
        "negative-seed",
        with_sections(sampler={"seed": -1}),
        ("experiment.yaml", "sampler.seed", "greater than or equal to 0"),
    ),
    Case(
        "fatigue-on-text",
        with_sections(fatigue={"column": "stage"}),
        ("fatigue needs a whole number of emails", "found 'lapsed'", "remove `fatigue`"),
    ),
    Case(
        "fatigue-negative",
        csv_case(
            lambda f: f.assign(emails=[-1] + [1] * (len(f) - 1)), fatigue={"column": "emails"}
        ),
        ("fatigue needs a whole number of emails", "'-1'"),
    ),
    Case(
        "too-many-segment-levels",
        many_levels,
        ("`stage` has 5,000 levels", "at most 200 levels", "keep the 20 largest", "'other'"),
    ),
    Case(
        "underscore-number",
        csv_case(set_value(60, "revenue", "1_000")),
        ("rows.csv", "`revenue`", "is not a number", "row 60", "'1_000'"),
    ),
    # --- a SQL query that tries to write or read files: refused before it runs -----------
    Case(
        "sql-breaks-out-of-the-subquery",
        hostile_query(
            "SELECT * FROM sends) AS x; COPY (SELECT 42) TO 'pwn.csv'; SELECT * FROM (SELECT * "
            "FROM sends"
        ),
        ("data.sql.query", "refused", "syntax error", "one SELECT"),
    ),
    Case(
        "sql-attach",
        hostile_query("ATTACH 'other.duckdb' AS o (READ_ONLY false)"),
        ("data.sql.query", "refused", "ATTACH statement, not a SELECT"),
    ),
    Case(
        "sql-reads-a-file",
        hostile_query("SELECT * FROM read_csv('/etc/passwd')"),
        ("data.sql.query", "table function read_csv"),
    ),
    Case(
        "sql-file-as-table",
        hostile_query("SELECT * FROM '/etc/passwd'"),
        ("data.sql.query", "looks like a file"),
    ),
    Case(
        "sql-two-statements",
        hostile_query("SELECT * FROM sends; DROP TABLE sends"),
        ("data.sql.query", "2 statements"),
    ),
    # --- the data file: can it be read at all? --------------------------------------------
    Case(
        "data-file-missing",
        misspelt_data_path,
        ("experiment.yaml", "data.path", "row.csv", "does not exist", "did you mean rows.csv"),
        subprocess=True,
    ),
    Case("data-is-folder", folder_as_data, ("rows.csv", "folder, not a data file", "data.path")),
    Case("empty-file", write_bytes("rows.csv", b""), ("rows.csv", "empty (0 bytes)", "export")),
    Case("header-only", header_only, ("rows.csv", "no data rows", "one row per recipient")),
    Case(
        "colon-delimiter",
        colon_separated,
        ("rows.csv", "one column", "':'", "comma-separated"),
        subprocess=True,
    ),
    Case(
        "ragged-row",
        ragged,
        ("rows.csv", "line 4", "it has 7 fields but the header has 6", "quote"),
    ),
    Case(
        "latin-1-encoding",
        latin1,
        ("rows.csv", "line 4", "not UTF-8", "Köln", "save it as UTF-8"),
        subprocess=True,
    ),
    Case("gzip-without-gz", gzip_without_suffix, ("rows.csv", "gzip", ".csv.gz")),
    Case(
        "corrupt-parquet",
        corrupt_parquet,
        ("rows.parquet", "not a readable Parquet file", "write the Parquet file again"),
    ),
    Case(
        "csv-named-parquet",
        csv_named_parquet,
        ("rows.parquet", "not a readable Parquet file", "data.format: csv"),
    ),
    # --- the data file: columns -----------------------------------------------------------
    Case(
        "metric-column-missing",
        renamed("purchased", "purchased_flag"),
        ("rows.csv", "`purchased`", "metrics[0].column", "did you mean `purchased_flag`"),
    ),
    Case(
        "arm-column-missing",
        renamed("arm", "Arm"),
        ("rows.csv", "`arm`", "data.arm", "did you mean `Arm`", "rename the column"),
    ),
    Case(
        "segment-column-missing",
        renamed("stage", "lifecycle"),
        ("rows.csv", "`stage`", "segments[0]", "experiment.yaml"),
    ),
    Case(
        "unit-id-column-missing",
        renamed("customer_id", "user_id"),
        ("rows.csv", "`customer_id`", "data.unit_id", "data.unit_id: null"),
    ),
    Case("sent-column-missing", renamed("sent", "was_sent"), ("rows.csv", "`sent`", "data.sent")),
    Case(
        "cells-file-missing-columns",
        cells_missing_columns,
        ("cells.csv", "purchase__n", "missing from the cells file"),
    ),
    # --- the data file: values (data-quality checks) --------------------------------------
    Case(
        "text-in-revenue",
        csv_case(set_value(700, "revenue", "abc")),
        ("rows.csv", "`revenue`", "row 700", "customer_id 700", "'abc'", "is not a number", "'.'"),
        subprocess=True,
    ),
    Case(
        "decimal-comma-revenue",
        decimal_comma,
        ("rows.csv", "`revenue`", "row 1", "decimal comma"),
    ),
    Case(
        "yes-no-in-binary",
        csv_case(lambda f: f.assign(purchased=f.purchased.map({0: "no", 1: "yes"}))),
        ("rows.csv", "`purchased`", "e.g. row 1 (customer_id 1): '", "not numbers", "yes → 1"),
    ),
    Case(
        "two-in-binary",
        csv_case(set_value(12, "purchased", 2)),
        ("rows.csv", "`purchased`", "is a number other than 0 and 1", "row 12", "'2'"),
    ),
    Case(
        "missing-outcome",
        csv_case(set_value(33, "purchased", None)),
        ("rows.csv", "`purchased`", "missing", "row 33", "customer_id 33"),
    ),
    Case(
        "nan-revenue",
        csv_case(set_value(40, "revenue", "NaN")),
        ("rows.csv", "`revenue`", "is not a number", "row 40", "'NaN'"),
    ),
    Case(
        "infinite-revenue",
        csv_case(set_value(41, "revenue", "inf")),
        ("rows.csv", "`revenue`", "is not a number", "row 41", "'inf'"),
    ),
    Case(
        "negative-revenue",
        csv_case(set_value(50, "revenue", -12.5)),
        ("rows.csv", "`revenue`", "1 value that is negative", "row 50", "'-12.5'", "refunds"),
    ),
    Case(
        "arm-typo",
        csv_case(set_value(5, "arm", "Bb")),
        ("rows.csv", "'Bb'", "Did you mean 'B'", "`arms`"),
    ),
    Case(
        "arm-with-spaces",
        csv_case(set_value(2, "arm", " A")),
        ("rows.csv", "' A'", "only in spaces or capital letters", "Did you mean 'A'"),
    ),
    Case(
        "arm-lower-case",
        csv_case(set_value(4, "arm", "b")),
        ("rows.csv", "'b'", "only in spaces or capital letters", "Did you mean 'B'"),
    ),
    Case(
        "arm-missing",
        csv_case(set_value(3, "arm", None)),
        ("rows.csv", "no arm label", "`arm`"),
    ),
    Case(
        "duplicated-unit",
        csv_case(duplicated_units),
        ("rows.csv", "more than one row", "customer_id 7", "one row per recipient"),
    ),
    Case(
        "unit-in-two-arms",
        csv_case(unit_in_two_arms),
        ("rows.csv", "more than one arm", "customer_id 1", "'A' and 'holdout'"),
    ),
    Case(
        "unit-id-missing",
        csv_case(set_value(9, "customer_id", None)),
        ("rows.csv", "no recipient id", "row 9", "data.unit_id: null"),
    ),
    Case(
        "holdout-sent",
        csv_case(holdout_sent),
        ("rows.csv", "10 of the 200 holdout recipients (5.0%)", "`sent`", "row 1", "customer_id 1"),
    ),
    Case(
        "sent-unreadable",
        csv_case(set_value(8, "sent", "maybe")),
        ("rows.csv", "`sent`", "1 value that is not 0/1 or true/false", "row 8", "'maybe'"),
    ),
    Case(
        "sample-ratio-mismatch",
        csv_case(ratio_mismatch),
        ("rows.csv", "Sample ratio mismatch", "holdout 120 (expected", "arms.allocation"),
    ),
    Case(
        "empty-arm",
        csv_case(empty_arm_b),
        ("rows.csv", "'B' has no recipients", "data-quality errors", "`arms`"),
    ),
]


def run_in_process(path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["validate", str(path)])
    return result.exit_code, result.stdout, result.stderr


def run_subprocess(path: Path, cache: Path, *extra: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [str(RELEVANCE), "validate", str(path), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, "RELEVANCE_CACHE": str(cache)},
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_exits_2_with_file_field_and_fix(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    if case.subprocess:
        code, out, err = run_subprocess(path, tmp_path / "cache")
    else:
        code, out, err = run_in_process(path)
    assert code == 2, (out, err)
    assert err.startswith("error: "), err
    assert "Fix:" in err, err
    assert "Traceback" not in err + out
    message = " ".join(err.split())  # one line, whatever the terminal wrapped
    for part in case.expect:
        assert " ".join(part.split()) in message, (part, err)


def test_matrix_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert 3 <= sum(c.subprocess for c in CASES) <= 6


def test_good_file_validates(tmp_path: Path) -> None:
    code, out, err = run_in_process(good_yaml(tmp_path))
    assert code == 0, err
    assert "config and data are valid (1,000 recipients" in out
    assert "[info] All 1,000 recipient ids" in out
    assert "None of the 200 holdout recipients was sent the email" in out


def test_semicolon_file_is_read_like_a_comma_file(tmp_path: Path) -> None:
    good_rows().to_csv(tmp_path / "rows.csv", index=False, sep=";")
    code, out, err = run_in_process(experiment(tmp_path))
    assert code == 0, err
    assert "1,000 recipients" in out


def test_several_errors_are_listed_together_and_warnings_follow(tmp_path: Path) -> None:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame = set_value(5, "arm", "Bb")(frame)
        return set_value(12, "purchased", 2)(frame)

    code, out, err = run_in_process(csv_case(change)(tmp_path))
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith("error: ") and "2 data-quality errors stop the run" in first
    assert "Did you mean 'B'" in err and "row 12" in err
    assert "[info]" in out  # the notes are still shown, after the errors


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = csv_case(set_value(700, "revenue", "abc"))(tmp_path)
    code, _, err = run_subprocess(path, tmp_path / "cache", "--debug")
    assert code == 2
    assert "Traceback" in err and "ChecksFailed" in err
    assert err.rstrip().splitlines()[-2].startswith("error: ") or "error: " in err


def test_default_unit_id_absent_is_a_warning_not_an_error(tmp_path: Path) -> None:
    good_rows().drop(columns="customer_id").to_csv(tmp_path / "rows.csv", index=False)
    path = experiment(tmp_path, data={"path": "rows.csv", "arm": "arm", "sent": "sent"})
    code, out, err = run_in_process(path)
    assert code == 0, err
    assert "[warning] The file has no column `customer_id`" in out
