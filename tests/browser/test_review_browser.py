"""Two people in one team take a decision from proposal to acceptance in the browser; history shows it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from portal.models import Role
from tests.browser.signing_in import sign_in
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.browser


def test_an_architect_proposes_and_a_reviewer_hears_of_it_approves_and_the_adr_tells_it(
    browser: Browser, live_server: LiveServer, catalog: None, mailoutbox: list[Any]
) -> None:
    users = get_user_model().objects
    ada = users.create_user("ada", email="ada@example.com", password="ada-long-password")
    users.create_user("rex", email="rex@example.com", password="rex-long-password")
    project = make_team_project(ada, rex=Role.REVIEWER)
    integration = make_integration(project)
    url = f"/projects/{project.pk}/integrations/{integration.pk}/"

    architect = browser.new_context().new_page()
    sign_in(architect, live_server.url, "ada", url)
    architect.get_by_label("Rationale").fill("Few hundred orders a day, caller waits: OData is enough.")
    architect.get_by_role("button", name="Propose").click()
    expect(architect.locator(".decision-card .status")).to_have_text("Proposed")
    assert [message.to for message in mailoutbox] == [["rex@example.com"]]

    # The reviewer hears of it: the unread count on every page, the inbox, one click to the decision.
    reviewer = browser.new_context().new_page()
    sign_in(reviewer, live_server.url, "rex", "/")
    expect(reviewer.get_by_role("heading", name="Waiting for my review")).to_be_visible()
    reviewer.get_by_role("link", name=re.compile(r"^Inbox 1")).click()
    reviewer.get_by_role("button", name=re.compile("ada asks for a review: Web shop orders")).click()
    expect(reviewer).to_have_url(re.compile(f"{url}#decision$"))
    expect(reviewer.get_by_role("link", name=re.compile(r"^Inbox$"))).to_be_visible()
    reviewer.get_by_label("Comment (Markdown)").fill("Agreed, **watch throttling**. @ada please add the batch size.")
    reviewer.get_by_role("button", name="Add comment").click()
    expect(reviewer.locator(".comment strong", has_text="watch throttling")).to_be_visible()
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_text("Approvals: 1 of 1 needed")).to_be_visible()
    reviewer.get_by_role("button", name="Accept").click()
    expect(reviewer.locator(".decision-card .status")).to_have_text("Accepted")
    expect(reviewer.locator(".option-chosen .tag-chosen")).to_have_text("Chosen")

    # The architect hears of the mention and the acceptance; the decision reads as an ADR with who did what.
    architect.goto(f"{live_server.url}/inbox/")
    expect(architect.locator(".inbox-item.unread")).to_have_count(2)
    expect(architect.get_by_text(re.compile("rex accepted Web shop orders"))).to_be_visible()
    architect.goto(f"{live_server.url}{url}")
    architect.get_by_role("link", name="Read it as a decision record").click()
    expect(architect.get_by_role("heading", level=1)).to_have_text("Web shop orders: OData")
    history = architect.locator(".timeline li")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Proposed by ada")
    expect(history.nth(1)).to_contain_text("Approved by rex")
    expect(history.nth(2)).to_contain_text("Accepted by rex")

    # The decision log finds it by a word of its rationale, as you type.
    architect.get_by_role("link", name="Decision log").first.click()
    search = architect.get_by_role("searchbox", name="Search")
    search.fill("hundred orders")
    expect(architect.locator("#decision-results")).to_contain_text("1 decision matching")
    expect(architect).to_have_url(re.compile(r"q=hundred(\+|%20)orders"))
    search.fill("nothing like this")
    expect(architect.locator("#decision-results")).to_contain_text("No decision matches")

    architect.goto(f"{live_server.url}/projects/{project.pk}/history/")
    expect(architect.get_by_text(re.compile("Decision accepted"))).to_be_visible()
    expect(architect.get_by_text(re.compile("Decision approved"))).to_be_visible()
    expect(architect.get_by_text(re.compile("Comment added"))).to_be_visible()


def test_a_checklist_task_is_edited_in_place(page: Page, live_server: LiveServer, catalog: None) -> None:
    ada = get_user_model().objects.create_user("ada", password="ada-long-password")
    project = make_team_project(ada)
    sign_in(page, live_server.url, "ada", f"/projects/{project.pk}/")
    first = page.locator(".task").first
    first.get_by_role("link", name="Edit").click()
    form = page.locator(".task-editing")
    form.get_by_label("Status").select_option("done")
    form.get_by_label("Owner").select_option(label="ada")
    form.get_by_role("button", name="Save task").click()
    expect(page.locator(".task").first.locator(".status")).to_have_text("Done")
    expect(page.locator(".task").first).to_contain_text("Owner ada")
    expect(page.get_by_text("1 of 19 closed")).to_be_visible()  # the bars follow without a reload
    page.reload()
    expect(page.get_by_text("1 of 19 closed")).to_be_visible()  # no integration yet: the 19 curated tasks

    # A refused save shows why, in place: "Not applicable" needs a reason.
    second = page.locator(".task").nth(1)
    second.get_by_role("link", name="Edit").click()
    editing = page.locator(".task-editing")
    editing.get_by_label("Status").select_option("not_applicable")
    editing.get_by_role("button", name="Save task").click()
    expect(page.locator(".task-editing .field-error").first).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)  # still the project page, not a bare fragment


def test_the_main_pages_fit_a_phone_without_sideways_scrolling(page: Page, live_server: LiveServer,
                                                              catalog: None) -> None:  # fmt: skip
    from patterns.requirements import Requirements
    from portal.services.decisions import decision_save
    from portal.services.drafts import draft_create
    from portal.services.environments import environment_create, integration_place
    from portal.services.integrations import integration_create

    ada = get_user_model().objects.create_user("ada", password="ada-long-password")
    project = make_team_project(ada)
    numbers = {"scope": "ce_external", "goal": "data_sync", "direction": "inbound", "timing": "near_real_time",
               "capacity": {"records_per_day": 300_000, "peak_records_per_hour": 120_000}}  # fmt: skip
    requirements = Requirements.from_mapping(numbers)
    integration = integration_create(project=project, name="Price load", requirements=requirements, created_by=ada)
    environment = environment_create(project=project, actor=ada, name="CE production", kind="dataverse",
                                     production=True)  # fmt: skip
    integration_place(integration=integration, actor=ada, environment=environment, identity="svc-prices")
    draft = draft_create(owner=ada, answers=numbers)
    decision_save(
        integration=integration,
        actor=ada,
        chosen_pattern_slug=integration.top_pattern_slug,
        rationale="Bulk loads at night keep the API quiet.",
        consequences="A nightly window is needed.",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "ada", "/")
    for path in ("/", "/patterns/", "/patterns/dataverse-web-api/", "/patterns/compare/?p=odata&p=dual-write",
                 "/checklist/", f"/wizard/{draft.pk}/volumes/", f"/wizard/{draft.pk}/results/", "/projects/",
                 f"/projects/{project.pk}/", f"/projects/{project.pk}/integrations/{integration.pk}/",
                 f"/projects/{project.pk}/history/", "/decisions/", "/inbox/", "/inbox/settings/",
                 f"/projects/{project.pk}/integrations/{integration.pk}/decision/record/",
                 f"/projects/{project.pk}/environments/", f"/projects/{project.pk}/environments/{environment.pk}/",
                 f"/projects/{project.pk}/inventory/", "/portfolio/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
