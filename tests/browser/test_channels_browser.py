"""The cards posted to Microsoft Teams, parsed and validated by Microsoft's own Adaptive Cards library (the npm
package ``adaptivecards``, in Chromium): a card it reports a problem with would not render in Teams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from portal.services.channels import message, teams_card

pytestmark = pytest.mark.browser
LIBRARY = Path(__file__).parent / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"

PARSE_AND_VALIDATE = """(card) => {
  const context = new AdaptiveCards.SerializationContext();
  const adaptive = new AdaptiveCards.AdaptiveCard();
  adaptive.parse(card, context);
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) { problems.push(context.getEventAt(i).message); }
  for (const event of adaptive.validateProperties().validationEvents) { problems.push(event.message); }
  const rendered = adaptive.render();
  return {problems, text: rendered ? rendered.innerText : "", actions: adaptive.getActionCount()};
}"""


def _validated(page: Page, card: dict[str, Any]) -> dict[str, Any]:
    if not LIBRARY.exists():
        pytest.fail(f"{LIBRARY} is missing: run `make test` (it installs it with npm ci --prefix tests/browser).")
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(LIBRARY))
    result: dict[str, Any] = page.evaluate(PARSE_AND_VALIDATE, card)
    return result


def test_adaptive_card_of_a_decision_parses_and_validates_with_microsofts_library(page: Page) -> None:
    post = message("Decision accepted: OData for Web shop orders <script>",
                   [("Project", "Order to cash"), ("Pattern", "OData"), ("By", "bob")],
                   "/projects/1/integrations/2/#decision")  # fmt: skip
    card = teams_card(post)["attachments"][0]["content"]
    result = _validated(page, card)
    assert result["problems"] == []
    assert (
        "Decision accepted: OData for Web shop orders <script>" in result["text"] and "Order to cash" in result["text"]
    )
    assert result["actions"] == 1


def test_adaptive_card_check_reports_a_broken_card(page: Page) -> None:
    """The check itself: a card with an unknown element type and an action without its URL is reported."""
    broken = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "NoSuchBlock"}],
              "actions": [{"type": "Action.OpenUrl", "title": "Open"}]}  # fmt: skip
    assert _validated(page, broken)["problems"] != []
