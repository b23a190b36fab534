"""Safe outputs: atomic writes, paths kept inside the output folder, safe YAML, every user
string escaped in the HTML, quoted identifiers, and the same results for the same inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from relevance.config import load_experiment
from relevance.errors import ConfigError
from relevance.io.outputs import inside, staged_folder, write_text_atomic
from relevance.pipeline.analysis import Analysis, analyze
from relevance.report.campaign import CampaignReport

RELEVANCE = Path(sys.executable).parent / "relevance"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SECTIONS = (
    "title",
    "verdict",
    "findings",
    "uplifts",
    "probabilities",
    "segments",
    "guardrails",
    "net_value",
    "comparisons",
    "diagnostics",
    "glossary",
)
# Column names with spaces, double quotes and SQL-looking text: DuckDB must quote them.
COLUMNS = {
    "unit": "customer id",
    "arm": 'arm "assigned"',
    "segment": "life stage",
    "purchased": "bought it?",
    "revenue": 'spend "total"; DROP TABLE x',
    "sent": 'was "sent"',
}


# --- atomic writes and staged folders -------------------------------------------------------


def test_write_text_atomic_replaces_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "results.json"
    write_text_atomic(target, "first")
    write_text_atomic(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.json"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_failed_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_text_atomic(target, "good")
    with pytest.raises(TypeError):
        write_text_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_staged_folder_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "demo"
    with staged_folder(target) as staging:
        (staging / "report.html").write_text("v1", encoding="utf-8")
    assert (target / "report.html").read_text(encoding="utf-8") == "v1"
    with pytest.raises(RuntimeError), staged_folder(target) as staging:
        (staging / "report.html").write_text("half", encoding="utf-8")
        raise RuntimeError("the run failed")
    assert (target / "report.html").read_text(encoding="utf-8") == "v1"
    with staged_folder(target) as staging:
        (staging / "report.html").write_text("v2", encoding="utf-8")
    assert (target / "report.html").read_text(encoding="utf-8") == "v2"
    assert [p.name for p in target.parent.iterdir()] == ["demo"]  # no staging or old folders


# --- output paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["..", "../escaped", "a/../../b", "/etc/passwd", "", ".", "demo/../.."]
)
def test_inside_refuses_names_that_escape_the_output_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        inside(tmp_path / "reports", name)
    assert "outside the output folder" in caught.value.problem


def test_inside_refuses_a_symlink_that_points_outside(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "reports" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError):
        inside(tmp_path / "reports", "link")


def test_inside_accepts_plain_names(tmp_path: Path) -> None:
    assert inside(tmp_path, "weekly-promo_w47.v2") == (tmp_path / "weekly-promo_w47.v2").resolve()


# --- YAML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch pwned"]',
        "!!python/name:os.system",
        "!!python/object:relevance.config.Experiment {name: x}",
    ],
)
def test_python_yaml_tags_are_a_clear_config_error(tmp_path: Path, tag: str) -> None:
    path = tmp_path / "experiment.yaml"
    path.write_text(f"name: demo\ndescription: {tag}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    error = caught.value
    assert error.file == str(path) and error.where == "line 2, column 14"
    assert "is not allowed" in error.problem and "!!python/" in error.problem
    assert "plain YAML" in error.fix
    assert not (Path.cwd() / "pwned").exists() and not (tmp_path / "pwned").exists()


# --- an analysis full of hostile strings ------------------------------------------------------


def hostile_campaign(folder: Path, n: int = 3_000) -> Path:
    """Rows whose arm label, segment level, metric label and description are script tags,
    in columns whose names need quoting."""
    rng = np.random.default_rng(5)
    arm = np.array(["holdout", "A", XSS])[np.arange(n) % 3]
    stage = np.array(["new", "loyal", XSS])[rng.integers(0, 3, n)]
    bought = (rng.random(n) < np.where(arm == "holdout", 0.05, 0.08)).astype(int)
    pd.DataFrame(
        {
            COLUMNS["unit"]: np.arange(1, n + 1),
            COLUMNS["arm"]: arm,
            COLUMNS["segment"]: stage,
            COLUMNS["purchased"]: bought,
            COLUMNS["revenue"]: np.where(bought == 1, rng.lognormal(3, 1, n), 0.0),
            COLUMNS["sent"]: arm != "holdout",
        }
    ).to_parquet(folder / "rows.parquet", index=False)
    experiment = {
        "name": "hostile",
        "description": XSS,
        "data": {
            "path": "rows.parquet",
            "arm": COLUMNS["arm"],
            "unit_id": COLUMNS["unit"],
            "sent": COLUMNS["sent"],
        },
        "arms": {"holdout": "holdout", "versions": ["A", XSS]},
        "metrics": [
            {
                "name": "purchase",
                "label": XSS,
                "kind": "binary",
                "column": COLUMNS["purchased"],
                "primary": True,
                "rope": 0.001,
            },
            {"name": "spend", "kind": "revenue", "column": COLUMNS["revenue"], "rope": 0.05},
        ],
        "segments": [COLUMNS["segment"]],
        "sampler": {"draws": 200, "tune": 200, "chains": 2, "seed": 11},
    }
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(experiment, sort_keys=False), encoding="utf-8")
    return path


def report_of(path: Path, folder: Path) -> tuple[Analysis, CampaignReport]:
    """Analyse `path`, save into `folder` as a report run would, and the report's sections."""
    analysis = analyze(path)
    analysis.save(folder)
    return analysis, CampaignReport(analysis.results)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Analysis, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    path = hostile_campaign(folder)
    analysis, _ = report_of(path, folder / "first")
    return path, analysis, folder


@pytest.fixture(scope="module")
def hostile(hostile_run: tuple[Path, Analysis, Path]) -> tuple[Path, CampaignReport, Path]:
    path, analysis, folder = hostile_run
    return path, CampaignReport(analysis.results), folder


def test_quoted_column_names_work_end_to_end(hostile_run: tuple[Path, Analysis, Path]) -> None:
    _, analysis, _ = hostile_run
    results = analysis.results
    assert results.run.recipients == 3_000
    assert set(analysis.cells.keys[COLUMNS["segment"]]) == {"new", "loyal", XSS}
    levels = {u.segment_level for u in results.uplifts if u.segment_column == COLUMNS["segment"]}
    assert levels == {"new", "loyal", XSS}
    assert {u.version for u in results.uplifts} == {"A", XSS}
    checks = {f.check: f for f in results.findings}
    assert checks["unique_units"].details["units"] == 3_000
    assert checks["holdout_sent"].details["sent"] == 0


def test_every_section_escapes_user_strings(hostile: tuple[Path, CampaignReport, Path]) -> None:
    _, report, _ = hostile
    sections = {name: str(getattr(report, name)()) for name in SECTIONS}
    everything = "".join(sections.values())
    assert "<script" not in everything.lower()
    assert ESCAPED in sections["title"]  # the description
    assert ESCAPED in sections["verdict"]  # the arm label, in its card
    assert ESCAPED in sections["segments"]  # the segment level, in its table
    assert ESCAPED in sections["uplifts"]  # the metric label, in its heading
    assert ESCAPED in sections["comparisons"]  # arm label and metric label


def test_same_inputs_and_seed_give_the_same_results_json(
    hostile: tuple[Path, CampaignReport, Path],
) -> None:
    path, first, folder = hostile
    report_of(path, folder / "second")

    def reproducible(name: str) -> dict[str, object]:
        content = json.loads((folder / name / "results.json").read_text(encoding="utf-8"))
        assert content["run"].pop("created_at")
        assert content["run"].pop("seconds")  # timings, not results
        return content

    assert reproducible("first") == reproducible("second")
    assert (folder / "first" / "cells.csv").read_bytes() == (
        folder / "second" / "cells.csv"
    ).read_bytes()
    assert first.results.run.seed == 11


def test_real_cli_report_escapes_user_strings(tmp_path: Path) -> None:
    path = hostile_campaign(tmp_path)
    done = subprocess.run(
        [str(RELEVANCE), "run", str(path), "--out", str(tmp_path / "reports"), "--quick"],
        capture_output=True,
        text=True,
        env={**os.environ, "RELEVANCE_CACHE": str(tmp_path / "cache")},
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "reports" / "hostile" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert html.count(ESCAPED) >= 5
    assert f'<p class="description">{ESCAPED}</p>' in html
