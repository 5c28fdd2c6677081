"""Local time in the browser: after the first sign-in the page offers the zone the browser reports (read by a static
script, under the CSP), and one click makes it the account's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from portal.models import AccountPreference
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_time_zone_the_browsers_zone_is_offered_after_the_first_sign_in_and_kept_in_one_click(
    browser: Browser, live_server: LiveServer, catalog: None
) -> None:
    get_user_model().objects.create_user("ada", email="ada@example.com", password="ada-long-password")
    page = browser.new_context(timezone_id="Australia/Sydney").new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)  # fmt: skip
    sign_in(page, live_server.url, "ada", "/projects/")
    offer = page.get_by_role("button", name="Use Australia/Sydney (your browser's)")
    expect(offer).to_be_visible()
    offer.click()
    expect(page.get_by_text("Dates and times show in Australia/Sydney now")).to_be_visible()
    assert page.url == f"{live_server.url}/projects/"  # back where the offer was made
    expect(page.get_by_role("button", name="Keep UTC")).to_have_count(0)
    assert AccountPreference.objects.get().time_zone == "Australia/Sydney" and refused == []
