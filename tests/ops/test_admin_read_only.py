"""The admin can't bypass the product: teams, memberships, projects, decisions, approvals, comments and history are
view-only there, and a user is deactivated rather than deleted so their history stays attributable."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.models import Approval, Comment, Decision, HistoryEntry, Membership, Project, Team
from portal.services.decisions import decision_approve, decision_save
from portal.services.integrations import comment_add
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(alice: User, bob: User) -> dict[str, Any]:
    project = make_team_project(alice, bob="reviewer")
    integration = make_integration(project)
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    return {
        "team": project.team,
        "membership": Membership.objects.filter(team=project.team).first(),
        "project": project,
        "decision": decision,
        "approval": decision_approve(decision=decision, reviewer=bob, expected_version=decision.version),
        "comment": comment_add(integration=integration, author=alice, body="Looks right."),
        "historyentry": HistoryEntry.objects.filter(project=project).first(),
    }


@pytest.fixture
def superuser(client: Client, alice: User) -> Client:
    client.force_login(alice)  # a superuser and curator
    return client


def admin_url(name: str, action: str, *args: Any) -> str:
    return reverse(f"admin:portal_{name}_{action}", args=args)


@pytest.mark.parametrize("name", ["team", "membership", "project", "decision", "approval", "comment", "historyentry"])
def test_records_can_be_read_but_not_added_changed_or_deleted(
    superuser: Client, records: dict[str, Any], name: str
) -> None:
    record = records[name]
    model = type(record)
    before = model.objects.count()
    assert superuser.get(admin_url(name, "changelist")).status_code == 200
    page = superuser.get(admin_url(name, "change", record.pk))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert superuser.get(admin_url(name, "add")).status_code == 403
    assert superuser.post(admin_url(name, "change", record.pk), {}).status_code == 403
    assert superuser.post(admin_url(name, "delete", record.pk), {"post": "yes"}).status_code == 403
    bulk = superuser.post(admin_url(name, "changelist"), {"action": "delete_selected", "_selected_action": [record.pk],
                                                           "post": "yes"})  # fmt: skip
    assert bulk.status_code in {200, 302}
    assert model.objects.count() == before


def test_every_record_the_workflow_owns_is_registered_read_only() -> None:
    from django.contrib import admin

    for model in (Team, Membership, Project, Decision, Approval, Comment, HistoryEntry):
        model_admin = admin.site.get_model_admin(model)
        assert not model_admin.has_change_permission(None), model.__name__  # type: ignore[arg-type]


def test_a_user_cannot_be_deleted_in_the_admin(superuser: Client, bob: User, records: dict[str, Any]) -> None:
    assert superuser.post(reverse("admin:auth_user_delete", args=[bob.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=bob.pk).exists()


def test_deactivating_a_user_keeps_their_history_attributable(
    superuser: Client, alice: User, bob: User, records: dict[str, Any]
) -> None:
    response = superuser.post(
        reverse("admin:auth_user_changelist"), {"action": "deactivate", "_selected_action": [bob.pk, alice.pk]}
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert not bob.is_active and alice.is_active  # nobody deactivates themselves by accident
    approval = records["approval"]
    assert isinstance(approval, Approval) and Approval.objects.get(pk=approval.pk).reviewer == bob
    signing_in = Client().post(reverse("login"), {"username": "bob", "password": "bob-password-123"})
    assert signing_in.status_code == 200  # the form again: an inactive account can't sign in
