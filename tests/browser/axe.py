"""axe-core (from npm, frontend/node_modules) run inside the page under test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_FILE = (
    Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
)
# WCAG 2.2 A and AA, as axe tags them (2.2 added no new level A rules that axe checks).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations;
}"""


def inject(page: Page, source: str) -> None:
    """Load axe into the page. Evaluated through the DevTools protocol rather than added as a
    <script>, so the site's Content-Security-Policy (script-src 'self') stays on."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)


def violations(page: Page, source: str) -> list[dict[str, Any]]:
    """axe's violations of WCAG 2.2 A and AA on the page as it is now."""
    inject(page, source)
    return list(page.evaluate(_RUN, WCAG_TAGS))


def describe(found: list[dict[str, Any]]) -> str:
    """One readable line per failing element."""
    lines = []
    for v in found:
        for node in v["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(
                f"{v['id']} ({v['impact']}) at {' '.join(map(str, node['target']))}: {summary}"
            )
    return "\n".join(lines)
