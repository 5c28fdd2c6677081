"""axe-core finds no serious or critical accessibility violation on the portal's pages, signed out and signed in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from patterns.requirements import Requirements
from portal.models import Role
from portal.services.decisions import decision_save
from portal.services.drafts import draft_create
from portal.services.integrations import integration_create
from portal.services.invitations import invitation_create, invitation_token
from tests.browser.accessibility import serious_violations
from tests.browser.signing_in import sign_in
from tests.factories import make_team_project

pytestmark = pytest.mark.browser


def test_no_page_has_a_serious_accessibility_violation(page: Page, live_server: LiveServer, catalog: None) -> None:
    users = get_user_model().objects
    ada = users.create_superuser("ada", "ada@example.com", "ada-long-password")
    users.create_user("rex", password="rex-long-password")
    project = make_team_project(ada, rex=Role.REVIEWER)
    answers = {"scope": "ce_external", "goal": "data_sync", "direction": "inbound", "timing": "near_real_time",
               "capacity": {"records_per_day": 300_000, "peak_records_per_hour": 120_000}}  # fmt: skip
    requirements = Requirements.from_mapping(answers)
    integration = integration_create(project=project, name="Price load", requirements=requirements, created_by=ada)
    decision_save(integration=integration, actor=ada, chosen_pattern_slug=integration.top_pattern_slug,
                  rationale="Bulk loads at night.")  # fmt: skip
    draft = draft_create(owner=ada, answers=answers)
    from portal.models import TeamTracker
    from portal.secrets_box import seal

    TeamTracker.objects.create(team=project.team, kind="jira", site="https://contoso.atlassian.net", project_key="INT",
                               user="ada@example.com", token_encrypted=seal("t"), hook_secret="s" * 32)  # fmt: skip
    invitation = invitation_create(team=project.team, email="newcomer@example.com", role=Role.VIEWER, actor=ada)
    invitation_page = reverse("invitations:open", args=[invitation_token(invitation)])
    found: dict[str, list[dict[str, Any]]] = {}
    console: list[str] = []
    too_wide: dict[str, int] = {}
    page.on("console", lambda m: console.append(f"{page.url}: {m.text}") if m.type in {"error", "warning"} else None)

    def check(path: str) -> None:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}{path}")
        if violations := serious_violations(page):
            found[path] = violations
        page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing scrolls sideways
        if (width := page.evaluate("document.documentElement.scrollWidth")) > 390:
            too_wide[path] = width

    for path in ("/", "/patterns/", "/patterns/odata/", "/checklist/", "/accounts/login/", invitation_page):
        check(path)
    sign_in(page, live_server.url, "ada", "/")
    base = f"/projects/{project.pk}"
    for path in ("/", "/patterns/compare/?p=odata&p=dual-write", "/wizard/", f"/wizard/{draft.pk}/need/",
                 f"/wizard/{draft.pk}/volumes/", f"/wizard/{draft.pk}/results/", "/projects/", f"{base}/",
                 f"{base}/integrations/{integration.pk}/", f"{base}/integrations/{integration.pk}/decision/record/",
                 f"{base}/integrations/{integration.pk}/rerank/", f"{base}/history/", f"{base}/milestones/",
                 "/decisions/", "/inbox/", "/inbox/settings/", "/teams/",
                 f"/teams/{project.team_id}/", f"/teams/{project.team_id}/connections/", "/account/",
                 "/account/password/", invitation_page, f"{base}/rerank/",
                 f"{base}/move/", f"{base}/send/jira/", f"{base}/send/", f"{base}/inventory/", "/portfolio/",
                 "/portfolio/integrations/?fit=strong",
                 "/curation/", "/curation/heatmap/?question=timing", "/curation/publish/"):  # fmt: skip
        check(path)
    assert found == {}, found
    assert console == [], console  # no console errors or warnings (an unknown Permissions-Policy feature is one)
    assert too_wide == {}, too_wide
    # Member rows on a phone: the same shape each (name and role, then the role menu, Change and Remove on one line).
    page.goto(f"{live_server.url}/teams/{project.team_id}/")
    for row in page.locator("li.member-row").filter(has=page.locator("select")).all():
        menu, remove = row.locator("select").bounding_box(), row.locator("summary").bounding_box()
        assert menu and remove and abs((menu["y"] + menu["height"] / 2) - (remove["y"] + remove["height"] / 2)) < 8
    page.goto(f"{live_server.url}/api/v1/docs")  # Swagger UI: its own markup, but it fits a phone and leads back
    page.wait_for_selector(".swagger-ui .info")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name="← Integration decision portal")).to_be_visible()


def test_the_check_reports_a_planted_violation(page: Page, live_server: LiveServer, catalog: None) -> None:
    """The check above could pass by checking nothing: here a button without a name must be found."""
    page.goto(f"{live_server.url}/patterns/")
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    assert [v["id"] for v in serious_violations(page)] == ["button-name"]
