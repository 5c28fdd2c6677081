"""A curator edits a fit in the admin, sees the scenario regression it causes, and publishes with a reason."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from patterns.curators import curators_group
from patterns.models import Fit
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_a_curator_edits_a_fit_sees_the_regression_and_publishes(
    page: Page, live_server: LiveServer, catalog: None
) -> None:
    cora = get_user_model().objects.create_user("cora", password="cora-long-password", is_staff=True)
    cora.groups.add(curators_group())  # the migration's group is flushed by earlier live-server tests
    fit = Fit.objects.get(pattern__slug="webhooks", question="volume", value="low")

    sign_in(page, live_server.url, "cora", f"/admin/patterns/fit/{fit.pk}/change/")
    page.get_by_label("Level").select_option("poor")
    page.get_by_label("Rationale").fill("Webhooks are being retired in this tenant.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{live_server.url}/curation/publish/")
    expect(page.locator(".form-errors")).to_contain_text("Tell the billing system when a case closes")
    expect(page.locator("tr.row-broken").first).to_contain_text("expected not first")
    expect(page.get_by_text(re.compile("Webhooks are being retired"))).to_be_visible()  # the diff shows the change

    page.get_by_label("Change note").fill("Retire webhooks for low volume.")
    page.get_by_role("button", name="Publish as v2").click()
    expect(page.locator(".field-error")).to_contain_text("no longer rank their expected pattern first")
    page.get_by_label("Change note").fill("Retire webhooks for low volume.")
    page.get_by_label("Publish anyway because…").fill("Agreed with the architecture board.")
    page.get_by_role("button", name="Publish as v2").click()
    expect(page.get_by_text("Published v2.")).to_be_visible()
    expect(page.get_by_text("Agreed with the architecture board.")).to_be_visible()

    page.goto(f"{live_server.url}/curation/patterns/webhooks/")
    expect(page.get_by_text("Webhooks are being retired in this tenant.").first).to_be_visible()
