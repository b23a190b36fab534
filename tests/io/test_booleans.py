"""Yes/no outcomes written as booleans (True/False, t/f, TRUE/FALSE, Parquet and SQL booleans)
count exactly as 0/1; other words and booleans in amounts are still bad values.

The PostgreSQL tests need a server: they read the libpq variables (PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGDATABASE) and are skipped with a reason when PGHOST is unset or the server cannot
be reached (they fail instead when RELEVANCE_REQUIRE_POSTGRES is set). Start one with

    bash .ci/postgres.sh /tmp/pg.env && . /tmp/pg.env
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_experiment
from relevance.cli import app
from relevance.config import load_experiment
from relevance.io.cells import Cells
from relevance.io.sources import load_cells

ROWS = 900
ARMS = ("holdout", "A", "B")
PURCHASE_RATES = {"holdout": 0.10, "A": 0.12, "B": 0.16}
REVENUE_METRICS: list[dict[str, Any]] = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {"name": "revenue", "kind": "revenue", "column": "revenue", "rope": 0.05},
]


@pytest.fixture
def rows(rng: np.random.Generator) -> pd.DataFrame:
    """900 recipients, 300 per arm, with a 0/1 `purchased` column (seeded)."""
    arm = np.repeat(ARMS, ROWS // len(ARMS))
    rate = np.array([PURCHASE_RATES[a] for a in arm])
    purchased = (rng.random(ROWS) < rate).astype(np.int64)
    return pd.DataFrame({"customer_id": np.arange(ROWS), "arm": arm, "purchased": purchased})


def cells_of(folder: Path, data: dict[str, Any], name: str, **sections: Any) -> Cells:
    """The cells of an experiment in `folder` reading `data`."""
    return load_cells(
        load_experiment(write_experiment(folder, f"{name}.yaml", data=data, **sections))
    )


def counts(cells: Cells, metric: str = "purchase") -> dict[str, tuple[int, int]]:
    """(ones, n) of a binary metric per arm."""
    stats = cells.stats[metric]
    arms = cells.keys["arm"].tolist()
    return {arm: (int(stats.ones[i]), int(stats.n[i])) for i, arm in enumerate(arms)}


def reference(folder: Path, rows: pd.DataFrame) -> Cells:
    """The cells of the 0/1 CSV: what every boolean spelling must give."""
    rows.to_csv(folder / "reference.csv", index=False)
    return cells_of(folder, {"path": "reference.csv"}, "reference")


def words(rows: pd.DataFrame, true: str, false: str) -> pd.DataFrame:
    return rows.assign(purchased=np.where(rows["purchased"] == 1, true, false))


def bools(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(purchased=rows["purchased"].astype(bool))


def csv_source(frame: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[..., dict[str, Any]]:
    def write(folder: Path, rows: pd.DataFrame) -> dict[str, Any]:
        frame(rows).to_csv(folder / "rows.csv", index=False)
        return {"path": "rows.csv"}

    return write


def parquet_source(folder: Path, rows: pd.DataFrame) -> dict[str, Any]:
    table = bools(rows)
    assert table["purchased"].dtype == bool
    table.to_parquet(folder / "rows.parquet")
    return {"path": "rows.parquet"}


def duckdb_source(folder: Path, rows: pd.DataFrame) -> dict[str, Any]:
    with duckdb.connect(str(folder / "file.duckdb")) as con:
        con.register("frame", bools(rows))
        con.execute(
            "CREATE TABLE sends (customer_id BIGINT, arm VARCHAR, purchased BOOLEAN); "
            "INSERT INTO sends SELECT customer_id, arm, purchased FROM frame"
        )
        assert con.execute("SELECT typeof(purchased) FROM sends LIMIT 1").fetchone() == ("BOOLEAN",)
    return {"sql": {"url": "duckdb:///file.duckdb", "query": "SELECT * FROM sends"}}


def duckdb_text_source(folder: Path, rows: pd.DataFrame) -> dict[str, Any]:
    with duckdb.connect(str(folder / "text.duckdb")) as con:
        con.register("frame", words(rows, "t", "f"))
        con.execute("CREATE TABLE sends AS SELECT customer_id, arm, purchased FROM frame")
        assert con.execute("SELECT typeof(purchased) FROM sends LIMIT 1").fetchone() == ("VARCHAR",)
    return {"sql": {"url": "duckdb:///text.duckdb", "query": "SELECT * FROM sends"}}


SOURCES: dict[str, Callable[[Path, pd.DataFrame], dict[str, Any]]] = {
    "csv-pandas-True-False": csv_source(bools),
    "csv-t-f": csv_source(lambda r: words(r, "t", "f")),
    "csv-TRUE-FALSE": csv_source(lambda r: words(r, "TRUE", "FALSE")),
    "csv-padded-mixed-case": csv_source(lambda r: words(r, " True ", "fAlSe")),
    "parquet-bool": parquet_source,
    "duckdb-BOOLEAN": duckdb_source,
    "duckdb-text-t-f": duckdb_text_source,
}


def test_pandas_writes_booleans_as_true_false(tmp_path: Path, rows: pd.DataFrame) -> None:
    """The premise: a bool column in pandas' CSV export is the words True and False."""
    bools(rows).to_csv(tmp_path / "rows.csv", index=False)
    values = set(pd.read_csv(tmp_path / "rows.csv", dtype=str)["purchased"])
    assert values == {"True", "False"}


@pytest.mark.parametrize("source", SOURCES)
def test_booleans_count_exactly_as_zero_one(
    tmp_path: Path, rows: pd.DataFrame, source: str
) -> None:
    expected = reference(tmp_path, rows)
    truth = {a: (int(g.sum()), len(g)) for a, g in rows.groupby("arm")["purchased"]}
    assert counts(expected) == truth  # the reference itself is right
    assert all(ones > 0 for ones, _ in truth.values())
    cells = cells_of(tmp_path, SOURCES[source](tmp_path, rows), source)
    assert counts(cells) == counts(expected)
    quality = cells.quality["purchase"]
    assert quality.invalid.sum() == quality.nonbinary.sum() == quality.missing.sum() == 0
    assert cells.fingerprint() == expected.fingerprint()


def test_missing_booleans_are_missing_not_false(tmp_path: Path, rows: pd.DataFrame) -> None:
    """An empty flag is a missing value whatever the spelling of the others."""
    gaps = rows["customer_id"] % 7 == 0
    numbers = rows.assign(purchased=rows["purchased"].astype("Int64").mask(gaps))
    numbers.to_csv(tmp_path / "numbers.csv", index=False)
    flags = rows.assign(purchased=rows["purchased"].astype("boolean").mask(gaps))
    flags.to_csv(tmp_path / "flags.csv", index=False)
    flags.to_parquet(tmp_path / "flags.parquet")
    expected = cells_of(tmp_path, {"path": "numbers.csv"}, "numbers")
    assert int(expected.quality["purchase"].missing.sum()) == int(gaps.sum()) > 0
    for name in ("flags.csv", "flags.parquet"):
        cells = cells_of(tmp_path, {"path": name}, name.replace(".", "-"))
        assert counts(cells) == counts(expected), name
        np.testing.assert_array_equal(
            cells.quality["purchase"].missing, expected.quality["purchase"].missing
        )


@pytest.mark.parametrize(("true", "false"), [("yes", "no"), ("y", "n"), ("on", "off")])
def test_other_words_still_fail_validate(
    tmp_path: Path, rows: pd.DataFrame, true: str, false: str
) -> None:
    words(rows, true, false).to_csv(tmp_path / "rows.csv", index=False)
    experiment = write_experiment(tmp_path, data={"path": "rows.csv"})
    result = CliRunner().invoke(app, ["validate", str(experiment)])
    assert result.exit_code == 2, result.output
    assert f"Column `purchased` (metric 'purchase') has {ROWS} values that are not numbers" in (
        result.stderr
    )
    first = true if rows["purchased"].iloc[0] == 1 else false
    assert f"e.g. row 1 (customer_id 0): '{first}'" in result.stderr
    cells = cells_of(tmp_path, {"path": "rows.csv"}, "words")
    assert int(cells.quality["purchase"].invalid.sum()) == ROWS
    assert int(cells.stats["purchase"].n.sum()) == 0


def test_true_in_a_revenue_column_is_not_a_number(tmp_path: Path, rows: pd.DataFrame) -> None:
    revenue = np.where(rows["purchased"] == 1, "true", "0")
    rows.assign(revenue=revenue).to_csv(tmp_path / "rows.csv", index=False)
    cells = cells_of(tmp_path, {"path": "rows.csv"}, "revenue", metrics=REVENUE_METRICS)
    buyers = {a: int(g.sum()) for a, g in rows.groupby("arm")["purchased"]}
    arms = cells.keys["arm"].tolist()
    invalid = cells.quality["revenue"].invalid
    assert {arm: int(invalid[i]) for i, arm in enumerate(arms)} == buyers
    assert float(cells.stats["revenue"].sum.sum()) == 0.0
    experiment = write_experiment(
        tmp_path, "revenue-cli.yaml", data={"path": "rows.csv"}, metrics=REVENUE_METRICS
    )
    result = CliRunner().invoke(app, ["validate", str(experiment)])
    assert result.exit_code == 2, result.output
    assert (
        f"Column `revenue` (metric 'revenue') has {sum(buyers.values())} values that are not numbers"
        in result.stderr
    )
    assert "'true'" in result.stderr


def boolean_amounts(folder: Path, rows: pd.DataFrame, where: str) -> dict[str, Any]:
    """Rows whose `revenue` column is boolean-typed (True where purchased), in `where`."""
    frame = rows.assign(revenue=rows["purchased"].astype(bool))
    if where == "parquet":
        frame.to_parquet(folder / "rows.parquet")
        return {"path": "rows.parquet"}
    with duckdb.connect(str(folder / "file.duckdb")) as con:
        con.register("frame", frame)
        con.execute("CREATE TABLE sends AS SELECT * FROM frame")
        assert con.execute("SELECT typeof(revenue) FROM sends LIMIT 1").fetchone() == ("BOOLEAN",)
    return {"sql": {"url": "duckdb:///file.duckdb", "query": "SELECT * FROM sends"}}


@pytest.mark.parametrize("where", ["parquet", "duckdb"])
def test_a_boolean_revenue_column_is_not_an_amount(
    tmp_path: Path, rows: pd.DataFrame, where: str
) -> None:
    data = boolean_amounts(tmp_path, rows, where)
    cells = cells_of(tmp_path, data, "revenue", metrics=REVENUE_METRICS)
    assert int(cells.quality["revenue"].invalid.sum()) == ROWS
    assert float(cells.stats["revenue"].sum.sum()) == 0.0


# --- PostgreSQL (needs a server: bash .ci/postgres.sh) --------------------------------------


def load_into_postgres(connection: Any, name: str, frame: pd.DataFrame, flag_type: str) -> None:
    """CREATE TABLE (purchased as `flag_type`) + COPY FROM the frame's CSV."""
    buffer = io.StringIO()
    frame[["customer_id", "arm", "purchased"]].to_csv(buffer, index=False)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (customer_id bigint, arm text, purchased {flag_type})")
        with cursor.copy(
            f"COPY {name} (customer_id, arm, purchased) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute(f"ANALYZE {name}")
    connection.commit()


@pytest.mark.parametrize(
    ("table", "flag_type", "frame"),
    [
        ("text_t_f", "text", lambda r: words(r, "t", "f")),
        ("text_true_false", "text", lambda r: words(r, "True", "FALSE")),
        ("text_zero_one", "text", lambda r: r),
        ("boolean", "boolean", bools),
    ],
)
def test_postgres_booleans_count_as_zero_one(
    pg_schema: tuple[Any, str],
    tmp_path: Path,
    rows: pd.DataFrame,
    table: str,
    flag_type: str,
    frame: Callable[[pd.DataFrame], pd.DataFrame],
) -> None:
    connection, schema = pg_schema
    load_into_postgres(connection, f"{schema}.{table}", frame(rows), flag_type)
    kind = connection.execute(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s AND column_name = 'purchased'",
        (schema, table),
    ).fetchone()
    assert kind == (flag_type,)
    expected = reference(tmp_path, rows)
    query = f"SELECT * FROM {schema}.{table}"
    cells = cells_of(tmp_path, {"sql": {"url": "postgresql://", "query": query}}, table)
    assert counts(cells) == counts(expected)
    quality = cells.quality["purchase"]
    assert quality.invalid.sum() == quality.nonbinary.sum() == quality.missing.sum() == 0
    assert cells.fingerprint() == expected.fingerprint()


def test_postgres_other_words_are_invalid(
    pg_schema: tuple[Any, str], tmp_path: Path, rows: pd.DataFrame
) -> None:
    """yes/no in a text column stay bad values, as in files."""
    connection, schema = pg_schema
    load_into_postgres(connection, f"{schema}.text_yes_no", words(rows, "yes", "no"), "text")
    query = f"SELECT * FROM {schema}.text_yes_no"
    cells = cells_of(tmp_path, {"sql": {"url": "postgresql://", "query": query}}, "yes-no")
    assert int(cells.quality["purchase"].invalid.sum()) == ROWS
    assert int(cells.stats["purchase"].n.sum()) == 0


def test_postgres_boolean_revenue_column_is_not_an_amount(
    pg_schema: tuple[Any, str], tmp_path: Path, rows: pd.DataFrame
) -> None:
    connection, schema = pg_schema
    frame = rows.assign(revenue=rows["purchased"].astype(bool))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {schema}.bool_revenue "
            "(customer_id bigint, arm text, purchased bigint, revenue boolean)"
        )
        with cursor.copy(
            f"COPY {schema}.bool_revenue FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(buffer.getvalue())
    connection.commit()
    query = f"SELECT * FROM {schema}.bool_revenue"
    data = {"sql": {"url": "postgresql://", "query": query}}
    cells = cells_of(tmp_path, data, "pg-revenue", metrics=REVENUE_METRICS)
    assert int(cells.quality["revenue"].invalid.sum()) == ROWS
    assert float(cells.stats["revenue"].sum.sum()) == 0.0
