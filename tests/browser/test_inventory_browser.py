"""An inventory import in the browser: while the file is checked, and while the rows are saved, the page says what
it is doing and counts the seconds; the button can't send it twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from portal.models import Integration
from tests.browser.signing_in import sign_in
from tests.factories import make_team_project

pytestmark = pytest.mark.browser
CSV = b"name,scope,goal\nOrders,fno_external,data_sync\nInvoices,fno_external,data_sync\n"
# Hold the form back (as a slow server would) so the page can be read while it would be sending.
HOLD = "() => document.querySelector('form[data-busy]').addEventListener('submit', (e) => e.preventDefault())"
SEND = "() => document.querySelector('form[data-busy]').submit()"  # submit() fires no submit event


def _busy(page: Page, button: str, says: str) -> None:
    page.evaluate(HOLD)
    page.get_by_role("button", name=button).click()
    note = page.get_by_role("status").filter(has_text=says)
    expect(note).to_be_visible()
    expect(page.get_by_role("button", name=button)).to_be_disabled()
    expect(note.locator("[data-busy-seconds]")).to_have_text("1", timeout=3000)  # the seconds count up
    page.evaluate(SEND)


def test_a_long_import_shows_its_progress_and_cant_be_sent_twice(
    page: Page, live_server: LiveServer, catalog: None, tmp_path: Any
) -> None:
    ada = get_user_model().objects.create_user("ada", password="ada-long-password")
    project = make_team_project(ada)
    sign_in(page, live_server.url, "ada", f"/projects/{project.pk}/inventory/")
    path = tmp_path / "inventory.csv"
    path.write_bytes(CSV)
    page.get_by_label("Inventory file").set_input_files(str(path))
    _busy(page, "Check and preview", "Checking and ranking every row (about a second for each 1,000)")
    expect(page.get_by_role("heading", name="Preview of inventory.csv: 2 rows")).to_be_visible()
    _busy(page, "Import 2 integrations", "Ranking and saving 2 rows: about 1 second in all")
    expect(page.get_by_text("Imported inventory.csv: 2 integrations added")).to_be_visible()
    assert Integration.objects.count() == 2
