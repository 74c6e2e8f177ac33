"""Checks run on every page the browser journeys visit: axe-core (WCAG 2.1 AA) and 320 px."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE_JS = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
NARROWEST = 320  # CSS px: WCAG 1.4.10 Reflow

RUN_AXE = """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                  resultTypes: ["violations"]})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))"""

# The innermost elements reaching past the viewport's right edge, to say what is too wide.
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1
               && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
                        + " " + Math.round(e.getBoundingClientRect().right) + "px")"""

# Ids and one-time tokens in paths, so a page is reported once whoever visits it.
PATTERNS = [
    (re.compile(r"/(invite|reset)/[\w-]+"), r"/\1/<token>"),
    (re.compile(r"/\d+(?=/|$)"), "/<id>"),
    (re.compile(r"/(certificates|verify)/[0-9A-Z-]{16,}"), r"/\1/<code>"),
]


def page_name(url: str, state: str = "") -> str:
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0].split("#")[0]
    for pattern, replacement in PATTERNS:
        path = pattern.sub(replacement, path)
    return f"{path} ({state})" if state else path


class Checker:
    """A Playwright page and `check()`, which asserts the page is accessible and fits 320 px."""

    def __init__(self, page, results: dict[str, dict]) -> None:
        self.page = page
        self.results = results

    def check(self, state: str = "") -> None:
        page = self.page
        page.wait_for_load_state()
        name = page_name(page.url, state)
        if page.evaluate("typeof window.axe") == "undefined":
            page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(RUN_AXE, WCAG_21_AA)
        size = page.viewport_size
        page.set_viewport_size({"width": NARROWEST, "height": 640})
        try:
            width = page.evaluate("document.documentElement.scrollWidth")
            wide = page.evaluate(WIDEST) if width > NARROWEST else []
        finally:
            page.set_viewport_size(size)
        if state != "self-test":
            self.results[name] = {"violations": violations, "scroll_width_at_320": width}
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"{name}: axe found {blocking}"
        assert width <= NARROWEST, (
            f"{name} scrolls sideways at {NARROWEST} px: {width} px wide: {wide}"
        )
