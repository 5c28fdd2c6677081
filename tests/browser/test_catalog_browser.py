"""A person browses the catalog with a mouse and keyboard: filter, search, open a pattern, compare two."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser


def test_browse_filter_and_open_a_pattern(page: Page, live_server: LiveServer, catalog: None) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/patterns/")
    expect(page.get_by_role("heading", name="Pattern catalog")).to_be_visible()
    expect(page.locator(".result-count")).to_have_text("30 patterns.")

    # Choosing a filter updates the list in place (htmx) and the address, so the view can be shared.
    page.get_by_label("App family").select_option("cross_app")
    expect(page.locator(".result-count")).to_have_text("7 patterns match your filters.")
    expect(page).to_have_url(re.compile(r"family=cross_app"))
    expect(page.get_by_role("link", name="Dual-write")).to_be_visible()
    expect(page.get_by_role("link", name="OData", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Clear").click()
    expect(page.locator(".result-count")).to_have_text("30 patterns.")  # the cleared page has loaded
    page.get_by_label("Search").fill("telephony")
    expect(page).to_have_url(re.compile(r"q=telephony"))
    expect(page.locator(".result-count")).to_contain_text("match your filters")  # the search's list is in place
    expect(page.get_by_role("link", name=re.compile("Channel Integration Framework"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Channel Integration Framework")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Channel Integration Framework")
    expect(page.get_by_role("heading", name="Cautions")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Microsoft Learn|Channel Integration", re.I)).first).to_be_visible()
    assert errors == [], errors  # no CSP violations or script errors


def test_a_shared_filter_link_opens_the_same_view(page: Page, live_server: LiveServer, catalog: None) -> None:
    page.goto(f"{live_server.url}/patterns/?family=ce&category=ui")
    expect(page.get_by_label("App family")).to_have_value("ce")
    expect(page.get_by_role("link", name="Power Apps component framework", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="OData", exact=True)).to_have_count(0)


def test_compare_two_patterns(page: Page, live_server: LiveServer, catalog: None) -> None:
    page.goto(f"{live_server.url}/patterns/")
    page.locator("input[name=p][value=odata]").check()
    page.locator("input[name=p][value=custom-services]").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page).to_have_url(re.compile(r"/patterns/compare/\?p=odata&p=custom-services"))
    table = page.locator("table.compare")
    expect(table.get_by_role("columnheader", name="OData")).to_be_visible()
    expect(table.get_by_role("columnheader", name=re.compile("Custom services", re.I))).to_be_visible()
    expect(table.get_by_role("rowheader", name="Drawbacks")).to_be_visible()
