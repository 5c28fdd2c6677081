"""Each picture renders with its accessible name and its text alternative, at desktop width and on a phone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from portal.models import Integration, Role
from portal.services.decisions import decision_save
from tests.browser.signing_in import sign_in
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.browser


def test_the_pictures_have_names_and_tables(page: Page, live_server: LiveServer, catalog: None) -> None:
    users = get_user_model().objects
    ada = users.create_superuser("ada", "ada@example.com", "ada-long-password")
    users.create_user("rex", password="rex-long-password")
    project = make_team_project(ada, rex=Role.REVIEWER)
    orders = make_integration(project, "Web shop orders")
    Integration.objects.filter(pk=orders.pk).update(source_system="Web shop")
    decision_save(integration=orders, actor=ada, chosen_pattern_slug=orders.top_pattern_slug, rationale="x")
    make_integration(project, "Case alerts", {"scope": "ce_external", "goal": "event_notification",
                                              "direction": "outbound", "timing": "near_real_time"})  # fmt: skip
    sign_in(page, live_server.url, "ada", f"/projects/{project.pk}/")

    landscape = page.get_by_role("img", name=f"Integration landscape of {project.name}", exact=True)
    expect(landscape).to_be_visible()
    expect(page.locator(".landscape-wide desc")).to_contain_text("Web shop orders: Web shop → Finance and operations")
    page.locator(".landscape summary", has_text="The same as a table").click()
    expect(page.locator(".landscape table tbody tr")).to_have_count(2)
    expect(page.get_by_role("img", name="Closed tasks and all tasks over time")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Define business goals: 0 of \d+ closed"))).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    expect(landscape).to_be_hidden()
    expect(page.get_by_role("img", name=re.compile("one integration per row"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(f"{live_server.url}/projects/{project.pk}/integrations/{orders.pk}/")
    why = page.get_by_role("figure", name="Why this order")
    expect(why.get_by_role("img", name=re.compile(r"^OData: 100 of 100\."))).to_be_visible()
    why.locator("summary", has_text="The same as a table").click()
    expect(why.locator("table")).to_contain_text(re.compile(r"Systems involved \d+, What the integration is for \d+"))

    page.goto(f"{live_server.url}/teams/{project.team_id}/")
    expect(page.get_by_role("img", name="No decision yet: 1")).to_be_visible()
    expect(page.get_by_role("img", name=f"{project.name}: 0 of", exact=False)).to_be_visible()

    page.goto(f"{live_server.url}/curation/heatmap/?question=volume")
    heat = page.get_by_role("region", name="Fit levels by pattern and answer")
    expect(heat).to_be_visible()
    odata = heat.get_by_role("row").filter(has=page.get_by_role("rowheader", name="OData", exact=True))
    expect(odata.get_by_role("link", name="S", exact=True).first).to_be_visible()
