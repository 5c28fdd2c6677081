"""The permission matrix: every project URL and API endpoint for anonymous, outsider, and each role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.models import Membership, Role
from portal.services.decisions import decision_save
from portal.services.team_templates import team_template_create
from portal.services.tokens import api_token_create
from tests.conftest import make_user
from tests.factories import WEB_SHOP, make_integration, make_team_project

pytestmark = pytest.mark.django_db
ROLES = [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER, Role.OWNER]


@pytest.fixture
def world(alice: User) -> dict[str, Any]:
    project = make_team_project(alice)
    integration = make_integration(project)
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    entry = project.checklist_entries.first()
    template = team_template_create(team=project.team, name="Our standard", answers=WEB_SHOP, actor=alice)
    return {"project": project, "integration": integration, "entry": entry, "team": project.team, "template": template}


def client_for(world: dict[str, Any], who: str) -> Client:
    client = Client()
    if who == "anonymous":
        return client
    user = make_user(f"user-{who}")
    if who != "outsider":
        Membership.objects.create(team=world["team"], user=user, role=who)
    client.force_login(user)
    return client


def urls(world: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str]]]:
    p, i, e, t = world["project"].pk, world["integration"].pk, world["entry"], world["template"]
    return {
        "project": ("get", reverse("projects:detail", args=[p]), {}),
        "integration": ("get", reverse("projects:integration", args=[p, i]), {}),
        "history": ("get", reverse("projects:history", args=[p]), {}),
        "milestones": ("get", reverse("projects:milestones", args=[p]), {}),
        "compare": ("get", reverse("projects:milestone_compare", args=[p]) + "?a=current&b=current", {}),
        "export-md": ("get", reverse("projects:export", args=[p, "md"]), {}),
        "export-csv": ("get", reverse("projects:export", args=[p, "csv"]), {}),
        "export-json": ("get", reverse("projects:export", args=[p, "json"]), {}),
        "team": ("get", reverse("teams:detail", args=[world["team"].pk]), {}),
        "comment": ("post", reverse("projects:comment_add", args=[p, i]), {"body": "Looks right."}),
        "decision": (
            "post",
            reverse("projects:decision_save", args=[p, i]),
            {"chosen_pattern_slug": "odata", "rationale": "Still fits.", "version": "1"},
        ),
        "checklist": (
            "post",
            reverse("projects:checklist_entry", args=[p, e.pk]),
            {f"entry-{e.pk}-version": "1", f"entry-{e.pk}-status": "in_progress"},
        ),
        "milestone-new": ("post", reverse("projects:milestones", args=[p]), {"name": "Design review"}),
        "approve": ("post", reverse("projects:decision_approve", args=[p, i]), {"version": "1"}),
        "settings": ("post", reverse("projects:settings", args=[p]), {"required_approvals": "2"}),
        "template-start": ("post", reverse("wizard:new"), {"template": str(t.pk)}),
        "template-remove": ("post", reverse("teams:template_remove", args=[t.team_id, t.pk]), {}),
        "invite": (
            "post",
            reverse("teams:invitation_create", args=[world["team"].pk]),
            {"email": "nobody@example.com", "role": "viewer"},
        ),
    }


READS = {"project", "integration", "history", "milestones", "compare", "export-md", "export-csv", "export-json", "team",
         "template-start"}  # fmt: skip
WRITES = {"comment", "decision", "checklist", "milestone-new", "template-remove"}
REVIEWS = {"approve"}
MANAGES = {"settings", "invite"}
ALLOWED: dict[str, set[str]] = {
    Role.VIEWER: READS,
    Role.CONTRIBUTOR: READS | WRITES,
    Role.REVIEWER: READS | WRITES | REVIEWS,
    Role.OWNER: READS | WRITES | REVIEWS | MANAGES,
}


@pytest.mark.parametrize("who", ["anonymous", "outsider", *ROLES])
def test_the_permission_matrix(world: dict[str, Any], who: str) -> None:
    client = client_for(world, who)
    for name, (method, url, data) in urls(world).items():
        response = getattr(client, method)(url, data)
        if who == "anonymous":
            expected = {302}
            assert reverse("login") in response.get("Location", ""), name
        elif who == "outsider":
            expected = {404}
        elif name in ALLOWED[who]:
            expected = {200, 302}
        else:
            expected = {403}
        assert response.status_code in expected, f"{who} {name}: {response.status_code}"


@pytest.mark.parametrize("who", ["outsider", *ROLES])
def test_the_api_project_for_token_holders(world: dict[str, Any], who: str) -> None:
    client = client_for(world, who)
    user = get_user(client)
    assert isinstance(user, User)
    _, secret = api_token_create(user=user, name="t")
    response = Client().get(reverse("api:project", args=[world["project"].pk]), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == (404 if who == "outsider" else 200)
    if who != "outsider":
        assert response.json()["schema"] == "d365-integration-portal/project/v1"


def test_anonymous_api_project_is_401(world: dict[str, Any]) -> None:
    assert Client().get(reverse("api:project", args=[world["project"].pk])).status_code == 401


def test_an_unknown_export_format_is_404(world: dict[str, Any], alice: User) -> None:
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("projects:export", args=[world["project"].pk, "docx"])).status_code == 404


def test_a_refusal_is_a_styled_page_that_says_why(client: Client, alice: User, bob: User) -> None:
    project = make_team_project(alice, bob=Role.VIEWER)
    client.force_login(bob)
    response = client.post(reverse("projects:settings", args=[project.pk]), {"name": "Renamed"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>Not allowed</h1>" in body and "Your role (viewer) can&#x27;t do this." in body
    assert "<nav" in body and "/static/" in body  # the portal's own page, styled
