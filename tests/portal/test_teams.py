"""Teams: owners manage members and roles, a team keeps an owner, the dashboard, existing projects migrate."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from portal.models import HistoryEntry, Membership, Role, Team
from portal.services.decisions import decision_save
from portal.services.teams import membership_add, membership_change_role, membership_remove
from tests.factories import make_integration, make_project, make_team, make_team_project

pytestmark = pytest.mark.django_db


def test_an_owner_adds_changes_and_removes_members(alice: User, bob: User) -> None:
    project = make_team_project(alice)
    team = project.team
    membership = membership_add(team=team, user=bob, role=Role.VIEWER, actor=alice)
    membership_change_role(membership=membership, role=Role.REVIEWER, actor=alice)
    assert Membership.objects.get(pk=membership.pk).role == Role.REVIEWER
    membership_remove(membership=membership, actor=alice)
    assert not team.memberships.filter(user=bob).exists()
    actions = list(HistoryEntry.objects.filter(project=project).values_list("action", flat=True))
    assert {"member added", "role changed", "member removed"} <= set(actions)


def test_a_duplicate_member_is_refused(alice: User, bob: User) -> None:
    team = make_team(alice, bob=Role.VIEWER)
    with pytest.raises(ValidationError, match="already a member"):
        membership_add(team=team, user=bob, role=Role.VIEWER, actor=alice)


def test_a_team_always_keeps_an_owner(alice: User, bob: User) -> None:
    team = make_team(alice)
    only_owner = team.memberships.get(user=alice)
    with pytest.raises(ValidationError, match="at least one owner"):
        membership_change_role(membership=only_owner, role=Role.VIEWER, actor=alice)
    with pytest.raises(ValidationError, match="last owner"):
        membership_remove(membership=only_owner, actor=alice)
    membership_add(team=team, user=bob, role=Role.OWNER, actor=alice)
    membership_change_role(membership=only_owner, role=Role.VIEWER, actor=alice)


def test_member_management_pages(client: Client, alice: User, bob: User, charlie: User) -> None:
    team = make_team(alice)
    membership = Membership.objects.create(team=team, user=bob, role=Role.CONTRIBUTOR)
    client.force_login(alice)
    client.post(reverse("teams:member_role", args=[team.pk, membership.pk]), {"role": "reviewer"})
    assert Membership.objects.get(pk=membership.pk).role == "reviewer"
    response = client.post(reverse("teams:member_remove", args=[team.pk, team.memberships.get(user=alice).pk]),
                           {"confirm": "yes"}, follow=True)  # fmt: skip
    assert "last owner" in response.content.decode()
    client.force_login(bob)
    assert (
        client.post(reverse("teams:invitation_create", args=[team.pk]), {"email": "c@example.com", "role": "owner"})
    ).status_code == 403
    client.force_login(charlie)
    assert client.get(reverse("teams:detail", args=[team.pk])).status_code == 404


def test_creating_a_team_and_a_project_in_it(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.post(reverse("teams:list"), {"name": "Finance integrations"})
    team = Team.objects.get(name="Finance integrations")
    assert team.memberships.get(user=alice).role == Role.OWNER
    client.post(reverse("projects:new"), {"name": "Procure to pay", "description": "", "team": str(team.pk)})
    assert team.projects.get().name == "Procure to pay"


def test_the_dashboard_shows_status_counts_completion_and_my_reviews(
    client: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    project = make_team_project(alice, bob=Role.REVIEWER)
    for index in range(4):
        integration = make_integration(project, f"Integration {index}")
        if index < 2:
            decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
    client.force_login(bob)
    # Rendered afresh: the team with the role, its state and members' names (the keys), a page of projects (its
    # count, rows, grouped counts), statuses, reviews, members, the navigation
    with django_assert_max_num_queries(15):
        response = client.get(reverse("teams:detail", args=[project.team_id]))
    body = response.content.decode()
    statuses = dict(
        re.findall(r'<span class="bar-name">([^<]+)</span>.*?<span class="bar-score">(\d+)</span>', body, re.S)
    )
    assert statuses["Proposed"] == "2" and statuses["No decision yet"] == "2"
    assert len(response.context["awaiting"]) == 2
    assert "0/20" in body  # 19 curated tasks and the throttling task OData brings


def test_existing_projects_move_into_a_personal_team(transactional_db: None, django_user_model: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("portal", "0001_initial")])
    old_apps = executor.loader.project_state([("portal", "0001_initial")]).apps
    user = old_apps.get_model("auth", "User").objects.create(username="legacy")
    project = old_apps.get_model("portal", "Project").objects.create(owner_id=user.pk, name="Old project")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from portal.models import Project

    migrated = Project.objects.select_related("team").get(pk=project.pk)
    assert migrated.name == "Old project" and migrated.team.personal_for_id == user.pk
    assert migrated.team.memberships.get().role == "owner"


def test_the_personal_team_is_reused(alice: User) -> None:
    first, second = make_project(alice, "A"), make_project(alice, "B")
    assert first.team_id == second.team_id and first.team.personal_for == alice


def test_removing_a_member_needs_a_confirmation(client: Client, alice: User, bob: User) -> None:
    team = make_team(alice, bob="contributor")
    membership = team.memberships.get(user=bob)
    client.force_login(alice)
    page = client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "Yes, remove bob" in page
    refused = client.post(reverse("teams:member_remove", args=[team.pk, membership.pk]), follow=True)
    assert "confirm removing bob" in refused.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(reverse("teams:member_remove", args=[team.pk, membership.pk]), {"confirm": "yes"})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_dashboard_pages_its_projects_with_the_same_queries_for_any_team_size(
    client: Client, alice: User, django_assert_num_queries: Any
) -> None:
    from portal.models import Project
    from portal.selectors.teams import DASHBOARD_PAGE

    team = make_team(alice)
    Project.objects.bulk_create([Project(team=team, owner=alice, name=f"P{i:03}") for i in range(3)])
    client.force_login(alice)
    url = reverse("teams:detail", args=[team.pk])
    with django_assert_num_queries(99, exact=False) as small:
        client.get(url)
    Project.objects.bulk_create([Project(team=team, owner=alice, name=f"Q{i:03}") for i in range(DASHBOARD_PAGE * 3)])
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 4" in page and page.count('data-label="Project"') == DASHBOARD_PAGE


def test_the_team_history_page_lists_changes_to_the_team_for_its_members_only(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    team = make_team(alice)  # no project yet: the team's own history is where its changes are read
    membership = membership_add(team=team, user=bob, role=Role.VIEWER, actor=alice)
    membership_change_role(membership=membership, role=Role.REVIEWER, actor=alice)
    url = reverse("teams:history", args=[team.pk])
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(bob)
    body = client.get(url).content.decode()
    assert body.index("<strong>Role changed</strong>") < body.index("<strong>Member added</strong>")  # newest first
    assert client.post(url).status_code == 405
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_the_team_history_is_append_only_in_the_admin(client: Client, alice: User, bob: User) -> None:
    team = make_team(alice)
    membership_add(team=team, user=bob, role=Role.VIEWER, actor=alice)
    entry = team.history.get()
    client.force_login(alice)  # a superuser
    assert "bob joined as viewer" in client.get(reverse("admin:portal_teamhistoryentry_changelist")).content.decode()
    assert (
        client.post(reverse("admin:portal_teamhistoryentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:portal_teamhistoryentry_add")).status_code == 403
