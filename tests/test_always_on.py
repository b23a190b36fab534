"""An always-on email end to end: `relevance run` on the fading preset, read in a real browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import browser
from minimal_results import PURCHASE, UNSUBSCRIBE
from relevance.results import Results

ROOT = Path(__file__).resolve().parents[1]
RELEVANCE = Path(sys.executable).parent / "relevance"
EXPERIMENT = {
    "name": "welcome-flow",
    "title": "Welcome flow (simulated, always on)",
    "description": "Sent every day to new customers, with a standing 20% no-send holdout.",
    "data": {
        "simulate": {"preset": "always_on", "recipients": 1_000_000, "seed": 3},
        "date": "send_date",
    },
    "arms": {"holdout": "holdout", "versions": ["A"]},
    "metrics": [{**PURCHASE, "value": 30.0}, {**UNSUBSCRIBE, "value": -5.0}],
    "segments": [{"column": "lifecycle_stage", "label": "lifecycle stage"}],
    "monitoring": {"every": "day", "drift": "week"},
    "decision": {"cost_per_send": 0.002, "currency": "$"},
}


@pytest.fixture(scope="module")
def welcome(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("welcome")
    path = folder / "welcome-flow.yaml"
    path.write_text(yaml.safe_dump(EXPERIMENT, sort_keys=False), encoding="utf-8")
    env = {**os.environ, "RELEVANCE_CACHE": str(folder / "cache")}
    result = subprocess.run(
        [str(RELEVANCE), "run", str(path), "--out", str(folder / "reports"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return folder / "reports" / "welcome-flow"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("device", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)]
)
def test_an_always_on_report_reads_over_time(
    welcome: Path, device: str, width: int, height: int
) -> None:
    results = Results.read(welcome / "results.json")
    timeline = results.timeline
    assert timeline is not None and timeline.stop is not None
    audit = browser.audit(welcome / "report.html", width, height)
    audit.assert_readable()
    text = audit.visible_text
    for sentence in [
        *timeline.sentences,
        *(c.sentence for c in timeline.drift),
        timeline.stop.sentence,
    ]:
        assert " ".join(sentence.split()) in text, sentence
    (curve,) = timeline.drift
    assert curve.sentence.startswith("Version A’s extra purchases fell from +")
    for words in (
        "Over time",
        "How the answer firmed up",
        "Is the effect fading?",
        "Can the holdout stop?",
        "Read every day (the guarantee)",
        "at most 5% are ever called “beats sending nothing”",
    ):
        assert words in text, words
    page = (welcome / "report.html").read_text(encoding="utf-8")
    for chart in ("how the answer firmed up, look by look", "effect per week"):
        assert page.count(f'aria-label="{chart}"') == 2, chart  # a wide and a narrow drawing
