"""End to end: the CLI and papermill run the real notebook and render real HTML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import browser
from relevance.language import guardrail_sentence
from relevance.results import Results, Verdict

ROOT = Path(__file__).resolve().parents[1]
RELEVANCE = Path(sys.executable).parent / "relevance"
PAPERMILL = Path(sys.executable).parent / "papermill"


class VisibleText(HTMLParser):
    """Text a reader sees: everything outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def run_cli(*args: str, env_cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RELEVANCE_CACHE": str(env_cache)}
    return subprocess.run(
        [str(RELEVANCE), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("reports")
    cache = tmp_path_factory.mktemp("cache")
    result = run_cli("run", "experiments/demo.yaml", "--out", str(out), "--quick", env_cache=cache)
    return out, result, cache


def test_run_produces_html_with_every_verdict_and_no_code(
    demo_report: tuple[Path, subprocess.CompletedProcess[str], Path],
) -> None:
    out, result, _ = demo_report
    assert result.returncode == 0, result.stderr
    folder = out / "demo"
    results = Results.read(folder / "results.json")
    html = (folder / "report.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert results.campaign.headline in text
    for verdict in results.verdicts:
        assert verdict.sentence in text
        assert verdict.verdict.value in text
    for code in ("CampaignReport", "import ", "report.verdict()", "In [", "experiment_path ="):
        assert code not in text
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html
    assert (folder / "posterior.nc").stat().st_size > 0
    answers = (folder / "survey_answers.csv").read_text().splitlines()
    assert answers[0] == "survey,arm,lifecycle_stage,emails_prior_7d,answer,count"
    assert (folder / "report.ipynb").exists()
    assert results.verdict("B").verdict is Verdict.BEATS
    assert results.campaign.send == "B"
    assert "demo:" in result.stdout


def test_failing_cell_exits_1_and_keeps_previous_report(
    demo_report: tuple[Path, subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    out, first, cache = demo_report
    assert first.returncode == 0
    before = (out / "demo" / "report.html").read_bytes()
    broken = nbformat.read(ROOT / "notebooks" / "campaign_report.ipynb", as_version=4)
    broken.cells.insert(
        2, nbformat.v4.new_code_cell('raise RuntimeError("the warehouse exploded")')
    )
    notebook = tmp_path / "broken.ipynb"
    nbformat.write(broken, notebook)
    result = run_cli(
        "run",
        "experiments/demo.yaml",
        "--out",
        str(out),
        "--quick",
        "--notebook",
        str(notebook),
        env_cache=cache,
    )
    assert result.returncode == 1
    assert "RuntimeError: the warehouse exploded" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "demo" / "report.html").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".demo")]


def test_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    experiment = tmp_path / "bad.yaml"
    experiment.write_text(
        (ROOT / "experiments" / "demo.yaml").read_text().replace("rope: 0.001", "rop: 0.001")
    )
    result = run_cli("run", str(experiment), "--out", str(tmp_path / "reports"), env_cache=tmp_path)
    assert result.returncode == 2
    assert (
        "bad.yaml" in result.stderr
        and "metrics[0].rop" in result.stderr
        and "rope" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reports" / "demo").exists()


def test_notebook_runs_directly_with_papermill(tmp_path: Path) -> None:
    executed = tmp_path / "out.ipynb"
    env = {**os.environ, "RELEVANCE_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [
            str(PAPERMILL),
            "notebooks/campaign_report.ipynb",
            str(executed),
            "-p",
            "experiment_path",
            "experiments/demo.yaml",
            "-p",
            "output_dir",
            str(tmp_path / "results"),
            "-p",
            "profile",
            "quick",
            "-p",
            "seed",
            "7",
            "-k",
            "relevance",
            "--no-progress-bar",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["run"]["seed"] == 7
    assert results["run"]["profile"] == "quick"
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("text/html" in o.get("data", {}) for o in outputs)
    assert not any(o.output_type == "error" for o in outputs)


SCREENSHOTS = ROOT / "reports" / "screenshots"


def report_sentences(results: Results) -> list[str]:
    """Every sentence results.json holds that the marketer's page must show."""
    sentences = [results.campaign.headline]
    sentences += [v.sentence for v in results.verdicts]
    sentences += [c.sentence for c in results.fatigue]
    sentences += [n.sentence for n in results.net_value]
    if results.targeting is not None:
        sentences.append(results.targeting.sentence)
        sentences += [t.sentence for t in results.targeting_by_column]
    if results.totals is not None:
        sentences += results.totals.sentences
    for survey in results.surveys:  # the why: one sentence per question, its notes, the tie
        sentences += [survey.sentence, *survey.notes]
        sentences += [survey.outcomes] if survey.outcomes else []
    return sentences


@pytest.mark.parametrize(
    ("device", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)]
)
def test_report_in_a_real_browser(
    demo_report: tuple[Path, subprocess.CompletedProcess[str], Path],
    device: str,
    width: int,
    height: int,
) -> None:
    """What a marketer sees, in Chromium: every verdict, the third-email answer, who to send
    to and the totals, readable (nothing clipped, no sideways scroll, no text under 11px)."""
    out, result, _ = demo_report
    assert result.returncode == 0, result.stderr
    page_file = out / "demo" / "report.html"
    results = Results.read(out / "demo" / "results.json")
    audit = browser.audit(page_file, width, height, SCREENSHOTS / f"report-{device}.png")
    audit.assert_readable()
    text = audit.visible_text
    for sentence in report_sentences(results):
        assert " ".join(sentence.split()) in text, sentence
    for guard in (m for m in results.metrics if m.guardrail):
        for version in results.versions:
            uplift = results.uplift(guard.name, version)
            expected = guardrail_sentence(
                guard, uplift, results.interval, results.probability, results.currency
            )
            assert expected in text  # states the band it is judged against
    for words in (
        "Data quality",
        "Glossary",
        "practically nothing",
        "per 1,000 recipients",
        "Who to send it to",
        "The third email of the week",
        "What it is worth in total",
    ):
        assert words.lower() in text.lower(), words
    for code in ("CampaignReport", "report.verdict()", "import "):
        assert code not in text
    # the 95% line is drawn on the quantity the verdict uses: the chance beyond the ROPE
    assert "needed" in text and "by more than ±1 purchases per 1,000" in text
    assert audit.charts >= 18  # every chart in both sizes (one of each is shown)
    assert results.heading in text and "Weekly promotion" in text
    # The why, right after the verdict cards: the demo's three survey questions.
    assert text.index("Why") < text.index("Who to send it to")
    relevance, feeling, reasons = results.surveys
    assert relevance.sentence.startswith(
        "Customers rate Version B as more relevant than Version A ("
    )
    assert "Version A irrelevant" in feeling.sentence
    assert "Version B harmful" in feeling.sentence
    assert reasons.sentence.startswith("Version B's unsubscribers more often say 'too many emails'")
    assert "Version B: harmful" in text  # the verdict badge of the shift against the holdout
    why = [s for q in results.surveys for s in (q.sentence, *q.notes, q.outcomes) if s]
    print(f"\nWhy section at {width}px:", *why, sep="\n  ")
