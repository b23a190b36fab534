"""The README's Python API example runs as written and prints what it says it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from relevance.results import Results

ROOT = Path(__file__).resolve().parents[1]
SAVE_FOLDER = "reports/by-hand"


def section(markdown: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of the same level."""
    start = markdown.index(f"\n{heading}\n")
    following = re.search(r"^## ", markdown[start + len(heading) + 2 :], re.M)
    end = start + len(heading) + 2 + following.start() if following else len(markdown)
    return markdown[start:end]


def python_api_example() -> str:
    """The one ```python block under the README's "## Python API" heading."""
    text = section((ROOT / "README.md").read_text(encoding="utf-8"), "## Python API")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_the_example_is_found_and_saves_where_the_test_expects() -> None:
    code = python_api_example()
    assert "from relevance import analyze" in code
    assert code.count(f'"{SAVE_FOLDER}"') == 1


def test_python_api_example_runs(tmp_path: Path) -> None:
    """Run in a fresh interpreter from the project folder, saving into `tmp_path`."""
    existed = (ROOT / SAVE_FOLDER).exists()
    folder = tmp_path / "by-hand"
    code = python_api_example().replace(f'"{SAVE_FOLDER}"', repr(str(folder)))
    env = {**os.environ, "RELEVANCE_CACHE": str(tmp_path / "cache"), "PYTHONWARNINGS": "ignore"}

    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["cells.csv", "posterior.nc", "results.json", "survey_answers.csv"]
    results = Results.read(folder / "results.json")
    assert results.experiment == "demo"
    headline, uplift = done.stdout.splitlines()[-2:]
    assert headline == results.campaign.headline
    assert float(uplift) == results.uplift("purchase", "B").uplift_mean
    assert list((tmp_path / "cache").glob("simulated-demo-*.parquet"))
    assert (ROOT / SAVE_FOLDER).exists() == existed  # nothing written into the checkout
