"""`relevance run-all`: every experiment in a folder, failures kept apart, index, skipping."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from minimal_results import PURCHASE, results_dict
from relevance.batch.index import write_index
from relevance.batch.outcome import Batch, Outcome
from relevance.batch.schedule import FINGERPRINT_FILE, experiment_fingerprint
from relevance.cli import app
from relevance.results import Results, Verdict

RELEVANCE = Path(sys.executable).parent / "relevance"
ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 20_000


def experiment(
    folder: Path,
    filename: str,
    name: str,
    preset: str = "demo",
    seed: int = 1,
    description: str = "",
    **extra: object,
) -> Path:
    """A small simulated experiment: holdout and versions A, B; purchases decide."""
    content: dict[str, object] = {
        "name": name,
        "description": description,
        "data": {"simulate": {"preset": preset, "recipients": RECIPIENTS, "seed": seed}},
        "arms": {
            "holdout": "holdout",
            "versions": ["A", "B"],
            "allocation": {"holdout": 0.2, "A": 0.4, "B": 0.4},
        },
        "metrics": [PURCHASE],
        **extra,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    # yaml.safe_dump quotes "null", so the preset stays a string (unquoted, YAML reads None)
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def minimal_results(name: str, description: str = "") -> Results:
    """A valid `Results` for a campaign that was (notionally) analysed before."""
    return Results.model_validate(
        results_dict(
            name,
            {"A": (0.004, 0.001), "B": (0.0, 0.001)},
            {"A": Verdict.BEATS, "B": Verdict.IRRELEVANT},
            description=description,
        )
    )


def index(out: Path) -> dict[str, dict[str, object]]:
    """index.json's campaigns by name."""
    data = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return {c["name"]: c for c in data["campaigns"]}


def run_all(*args: str, cache: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`relevance run-all ...` in a subprocess, with its own data cache; and its wall time."""
    env = {**os.environ, "RELEVANCE_CACHE": str(cache)}
    started = time.perf_counter()
    result = subprocess.run(
        [str(RELEVANCE), "run-all", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    return result, time.perf_counter() - started


# --- fast: no model is fitted ------------------------------------------------------------------


def test_bad_inputs_fail_but_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "experiments"
    experiment(folder, "typo.yaml", "typo", decison={"probability": 0.9})
    missing = experiment(folder, "missing.yaml", "missing")
    text = yaml.safe_load(missing.read_text())
    text["data"] = {"path": "nowhere.parquet"}
    missing.write_text(yaml.safe_dump(text))
    experiment(folder, "same-a.yaml", "twin", description="<b>first</b>")
    experiment(folder, "same-b.yaml", "twin")
    experiment(folder, "reserved.yaml", "index.html")
    (folder / "notes.txt").write_text("not an experiment")
    out = tmp_path / "reports"
    # make the one valid experiment skip, so nothing is fitted
    loaded, fingerprint = experiment_fingerprint(folder / "same-a.yaml", None)
    name = loaded.name
    report = out / name
    report.mkdir(parents=True)
    (report / "results.json").write_text(minimal_results(name, "<b>first</b>").to_json())
    (report / "report.html").write_text("<html></html>")
    (report / FINGERPRINT_FILE).write_text(fingerprint + "\n")

    result = CliRunner().invoke(app, ["run-all", str(folder), "--out", str(out), "--jobs", "1"])

    assert result.exit_code == 1, result.output
    campaigns = index(out)
    assert set(campaigns) == {"typo", "missing", "twin", "same-b", "reserved"}
    assert campaigns["twin"]["status"] == "skipped"
    for failed in ("typo", "missing", "same-b", "reserved"):
        assert campaigns[failed]["status"] == "failed"
        assert campaigns[failed]["exit_code"] == 2
    assert "decison" in str(campaigns["typo"]["error"]) and "decision" in str(
        campaigns["typo"]["error"]
    )
    assert "nowhere.parquet" in str(campaigns["missing"]["error"])
    assert "distinct name" in str(campaigns["same-b"]["error"])
    assert "failed (bad input, exit 2)" in result.output and "skipped (unchanged)" in result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;b&gt;first&lt;/b&gt;" in page and "<b>first" not in page
    assert "nowhere.parquet" in page
    assert not (out / "portfolio.html").exists()  # one campaign: nothing to pool


def test_fingerprint_follows_file_profile_and_data(tmp_path: Path) -> None:
    path = experiment(tmp_path, "a.yaml", "a", seed=1)
    loaded, base = experiment_fingerprint(path, None)
    assert loaded.name == "a" and experiment_fingerprint(path, None)[1] == base
    assert experiment_fingerprint(path, "quick")[1] != base
    experiment(tmp_path, "a.yaml", "a", seed=2)
    assert experiment_fingerprint(path, None)[1] != base
    experiment(tmp_path, "a.yaml", "a", seed=1, description="changed")
    assert experiment_fingerprint(path, None)[1] != base
    experiment(tmp_path, "a.yaml", "a", seed=1)
    assert experiment_fingerprint(path, None)[1] == base


def test_index_page_is_self_contained_and_escaped(tmp_path: Path) -> None:
    ok = Outcome("x/ok.yaml", "spring", "ok", 0, 41.0, report="spring/report.html")
    ok.with_results(minimal_results("spring", 'Spring <b>sale</b> & "more"'))
    failed = Outcome(
        "x/bad.yaml", "bad", "failed", 1, 3.0, error="cell 3: <script>alert(1)</script>\nmore"
    )
    run = Batch(tmp_path, tmp_path, [failed, ok], 44.0, 2, "quick")
    page_path, data_path = write_index(run)
    page = page_path.read_text(encoding="utf-8")

    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Spring &lt;b&gt;sale&lt;/b&gt; &amp; &quot;more&quot;" in page
    assert 'class="badge beats"' in page and 'href="spring/report.html"' in page
    assert 'name="viewport"' in page and "@media (max-width: 640px)" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page.index(">spring</a>") < page.index("<h2>bad</h2>")  # verdicts first, failures after
    data = json.loads(data_path.read_text(encoding="utf-8"))
    assert data["counts"] == {"ok": 1, "skipped": 0, "failed": 1, "worth_sending": 0}
    assert (
        data["campaigns"][0]["status_text"]
        == "failed (run failed, exit 1): cell 3: <script>alert(1)</script>"
    )
    assert data["campaigns"][1]["verdict"] == Verdict.BEATS.value


# --- end to end: real runs of the notebook -------------------------------------------------------


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three simulated campaigns and a broken one, run twice: the second run skips."""
    root = tmp_path_factory.mktemp("batch")
    folder, out, cache = root / "experiments", root / "reports", root / "cache"
    # a snapshot of configs/ beside the experiments (found before the project's own), so
    # an edit to the project's defaults during the test cannot change the fingerprints
    (root / "configs").mkdir()
    for config in (ROOT / "configs").glob("*.yaml"):
        shutil.copy(config, root / "configs" / config.name)
    experiment(folder, "demo.yaml", "demo-small", "demo", 1, "Weekly <b>promo</b>")
    experiment(folder, "null.yaml", "null-small", "null", 2, "Nothing works")
    experiment(folder, "abn.yaml", "abn-small", "a_beats_b_neither_beats", 3)
    experiment(folder, "broken.yaml", "broken", "demo", 4, sampler={"draws": 300, "chians": 2})
    first, first_seconds = run_all(
        str(folder), "--out", str(out), "--quick", "--jobs", "2", cache=cache
    )
    first_index = index(out)
    first_html = (out / "index.html").read_text(encoding="utf-8")
    second, second_seconds = run_all(str(folder), "--out", str(out), "--quick", cache=cache)
    return {
        "folder": folder,
        "out": out,
        "cache": cache,
        "first": (first, first_seconds, first_index, first_html),
        "second": (second, second_seconds, index(out)),
    }


GOOD = ("demo-small", "null-small", "abn-small")


def test_run_all_finishes_the_others_and_exits_1(campaigns: dict[str, object]) -> None:
    first, _, listed, _ = campaigns["first"]  # type: ignore[misc]
    out: Path = campaigns["out"]  # type: ignore[assignment]
    assert first.returncode == 1, first.stderr[-3000:]
    assert set(listed) == {*GOOD, "broken"}
    for name in GOOD:
        assert listed[name]["status"] == "ok", listed[name]
        assert (out / name / "report.html").is_file()
        assert (out / name / FINGERPRINT_FILE).is_file()
        assert Results.read(out / name / "results.json").run.profile == "quick"
    assert listed["broken"]["status"] == "failed" and listed["broken"]["exit_code"] == 2
    assert "chians" in str(listed["broken"]["error"])
    assert "failed (bad input, exit 2)" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    assert (out / "portfolio.html").is_file()
    portfolio = json.loads((out / "index.json").read_text())["portfolio"]
    assert portfolio["status"] in ("ok", "skipped")


def test_index_html_lists_everything_escaped_without_scripts(
    campaigns: dict[str, object],
) -> None:
    _, _, listed, page = campaigns["first"]  # type: ignore[misc]
    assert "<script" not in page.lower()
    assert "Weekly &lt;b&gt;promo&lt;/b&gt;" in page and "<b>promo" not in page
    for name in GOOD:
        assert f'href="{name}/report.html"' in page
        assert f'class="badge {listed[name]["badge"]}"' in page
    assert "broken" in page and "chians" in page
    assert 'href="portfolio.html"' in page


def test_second_run_skips_unchanged_experiments(campaigns: dict[str, object]) -> None:
    _, first_seconds, _, _ = campaigns["first"]  # type: ignore[misc]
    second, second_seconds, listed = campaigns["second"]  # type: ignore[misc]
    assert second.returncode == 1  # the broken one is still broken
    for name in GOOD:
        assert listed[name]["status"] == "skipped", listed[name]
    assert "skipped (unchanged)" in second.stdout
    assert second_seconds < first_seconds / 2, (second_seconds, first_seconds)


@pytest.mark.slow
def test_force_reruns_everything(campaigns: dict[str, object]) -> None:
    out: Path = campaigns["out"]  # type: ignore[assignment]
    before = {n: Results.read(out / n / "results.json").run.created_at for n in GOOD}
    time.sleep(1)  # created_at has one-second resolution
    result, _ = run_all(
        str(campaigns["folder"]),
        "--out",
        str(out),
        "--quick",
        "--force",
        cache=campaigns["cache"],  # type: ignore[arg-type]
    )
    assert result.returncode == 1
    listed = index(out)
    for name in GOOD:
        assert listed[name]["status"] == "ok"
        assert Results.read(out / name / "results.json").run.created_at != before[name]


def test_changes_md_says_what_changed(campaigns: dict[str, object]) -> None:
    out: Path = campaigns["out"]  # type: ignore[assignment]
    text = (out / "changes.md").read_text(encoding="utf-8")  # after the second run
    assert text.startswith("# What changed since the last reports")
    assert "## Failed this time (the last good report is kept)\n\n- **broken**:" in text
    unchanged = text.split("## Unchanged", 1)[1]
    assert all(f"**{name}**" in unchanged for name in GOOD)
