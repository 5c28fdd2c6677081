"""axe-core (from npm, pinned in tests/browser/package-lock.json) run inside a page by the browser tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@cache
def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (it installs axe-core with npm ci --prefix tests/browser).")
    return AXE.read_text()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The serious or critical WCAG 2.x A/AA violations axe finds on the page as it is now."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) doesn't stop it.
    page.evaluate(_axe_source())
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
