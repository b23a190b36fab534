"""A real Chromium (Debian's, driven by Playwright) reading a page as a person would.

`audit` opens a page at a viewport width and reports what a reader would trip over:
elements wider than the screen, tables that scroll sideways, visible text smaller than
11 CSS pixels (SVG chart text included, at its rendered scale), and the visible text itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MIN_TEXT_PX = 11.0
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

AUDIT_JS = """
() => {
  const width = window.innerWidth;
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const describe = (el) => (el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).split(' ').join('.') : '') + ': ' + (el.textContent || '').trim().slice(0, 60));
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 || box.left < -1) wide.push(describe(el) + ` (${Math.round(box.left)}..${Math.round(box.right)})`);
  }
  const scrolling = [];
  for (const el of document.querySelectorAll('.table-wrap, table, .output, pre')) {
    if (visible(el) && el.scrollWidth > el.clientWidth + 1) scrolling.push(describe(el) + ` (${el.scrollWidth} > ${el.clientWidth})`);
  }
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !visible(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svgText = el.closest('text');
    if (svgText) {
      const matrix = svgText.getScreenCTM();
      size = parseFloat(getComputedStyle(svgText).fontSize) * Math.hypot(matrix.a, matrix.b);
    }
    if (size < %MIN%) small.push(`${size.toFixed(1)}px: ${node.textContent.trim().slice(0, 50)}`);
  }
  const clipped = [];
  for (const text of document.querySelectorAll('figure.chart svg text')) {
    const svg = text.closest('svg');
    if (!visible(svg) || !text.textContent.trim()) continue;
    const outer = svg.getBoundingClientRect(), box = text.getBoundingClientRect();
    if (box.left < outer.left - 1 || box.right > outer.right + 1 || box.top < outer.top - 1 || box.bottom > outer.bottom + 1)
      clipped.push(text.textContent.trim().slice(0, 50));
  }
  return {wide, scrolling, small, clipped, overflow: document.documentElement.scrollWidth - width,
          text: document.body.innerText, charts: document.querySelectorAll('figure.chart svg').length};
}
""".replace("%MIN%", str(MIN_TEXT_PX))


@dataclass
class Audit:
    """What a reader at one width meets on a page."""

    text: str
    wide: list[str] = field(default_factory=list)
    scrolling: list[str] = field(default_factory=list)
    small: list[str] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)
    overflow: int = 0
    charts: int = 0
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def visible_text(self) -> str:
        """The page's visible text with white space folded (as one line)."""
        return " ".join(self.text.split())

    def assert_readable(self) -> None:
        """Nothing wider than the screen, no sideways table, no text under 11px, offline."""
        assert self.overflow <= 0, f"the page scrolls sideways by {self.overflow}px"
        assert not self.wide, f"elements wider than the screen: {self.wide[:8]}"
        assert not self.scrolling, f"containers that scroll sideways: {self.scrolling[:8]}"
        assert not self.small, f"text smaller than {MIN_TEXT_PX}px: {self.small[:8]}"
        assert not self.clipped, f"chart text cut off at the chart's edge: {self.clipped[:8]}"
        assert not self.errors, self.errors
        assert [u for u in self.requests if not u.startswith(("file://", "data:"))] == []


def browser_or_skip() -> None:
    """Skip where no browser is installed, unless CI demands one (RELEVANCE_REQUIRE_BROWSER=1)."""
    missing = not CHROMIUM.exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("RELEVANCE_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and playwright are required here (RELEVANCE_REQUIRE_BROWSER=1)")
        pytest.skip("needs Debian's chromium and the playwright package")


def audit(page_file: Path, width: int, height: int, screenshot: Path | None = None) -> Audit:
    """Open `page_file` in Chromium at `width` x `height` and audit what a reader sees."""
    browser_or_skip()
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        found = page.evaluate(AUDIT_JS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return Audit(requests=requests, errors=errors, **found)
