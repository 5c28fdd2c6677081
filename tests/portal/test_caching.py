"""Pages right by construction (``portal.caching``): every change a page shows counts in a revision committed with it,
so what is cached under those counters is never stale, never another reader's, and never waits for a clock."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patterns.models import Fit
from patterns.publishing import version_publish
from portal.models import HistoryEntry, Membership, Project, Role, Team
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_save
from portal.services.integrations import comment_add
from portal.services.projects import project_create
from portal.services.teams import membership_add, membership_change_role, membership_remove
from tests.factories import make_integration, make_team, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Project:
    return make_team_project(alice, bob=Role.VIEWER)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def project_url(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


# Revisions: every change a page shows counts in a counter committed with it


def test_a_project_change_counts_in_the_projects_revision_and_a_team_change_in_the_teams(
    project: Project, alice: User, bob: User
) -> None:
    def revisions() -> tuple[int, int]:
        return Project.objects.values_list("revision", "team__revision").get(pk=project.pk)

    before = revisions()
    checklist_entry_update(entry=project.checklist_entries.order_by("pk")[0], actor=alice, expected_version=1,
                           status="done")  # fmt: skip
    changed = revisions()
    assert changed == (before[0] + 1, before[1])  # the team's row isn't written
    membership_change_role(membership=project.team.memberships.get(user=bob), role=Role.REVIEWER, actor=alice)
    assert revisions() == (changed[0] + 1, changed[1] + 1)  # recorded in the project's history too


@pytest.mark.django_db(transaction=True)
def test_a_project_change_never_waits_for_its_teams_row(alice: User) -> None:
    """A team change locks the team's row, then its projects'; a project change locks only its project's, so the two
    can't deadlock, and changes to one team's projects don't queue behind each other."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    # Committed rows, so another connection can lock them; an earlier transactional test may have flushed the catalog.
    call_command("loadcatalog", verbosity=0, stdout=io.StringIO())
    project = make_team_project(alice)
    entry = project.checklist_entries.order_by("pk")[0]
    database = connection.settings_dict
    with psycopg.connect(host=database["HOST"] or None, port=database["PORT"] or None, user=database["USER"] or None,
                         password=database["PASSWORD"] or None, dbname=database["NAME"]) as other:  # fmt: skip
        other.execute("SELECT 1 FROM portal_team WHERE id = %s FOR UPDATE", [project.team_id])  # held until rollback
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="done")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
            other.rollback()
    assert HistoryEntry.objects.filter(project=project, action="checklist updated").exists()


def test_the_project_page_shows_each_change(client: Client, project: Project, alice: User) -> None:
    client.force_login(alice)
    assert "No integrations yet." in page(client, project_url(project))
    integration = make_integration(project, "Vendor invoices")
    assert "Vendor invoices" in page(client, project_url(project))
    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="done")
    assert f'<li class="task task-done" id="task-{entry.pk}">' in page(client, project_url(project))
    decision_save(integration=integration, actor=alice, chosen_pattern_slug=integration.top_pattern_slug,
                  rationale="Fits.")  # fmt: skip
    assert "status-proposed" in page(client, project_url(project))


def test_the_project_page_follows_the_readers_role(client: Client, project: Project, alice: User,
                                                   bob: User) -> None:  # fmt: skip
    client.force_login(alice)
    assert "Add an integration" in page(client, project_url(project))
    client.force_login(bob)
    assert "Add an integration" not in page(client, project_url(project))  # a viewer, same revision
    membership_change_role(membership=project.team.memberships.get(user=bob), role=Role.CONTRIBUTOR, actor=alice)
    assert "Add an integration" in page(client, project_url(project))


def test_an_outsider_gets_404_for_a_page_whose_parts_are_in_the_cache(client: Client, project: Project, alice: User,
                                                      charlie: User) -> None:  # fmt: skip
    client.force_login(alice)
    page(client, project_url(project))
    client.force_login(charlie)
    assert client.get(project_url(project)).status_code == 404


def test_a_new_day_shows_overdue_tasks(client: Client, project: Project, alice: User,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    today = timezone.localdate()
    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="open", due_date=today)
    client.force_login(alice)
    assert '<strong class="overdue">' not in page(client, project_url(project))
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + timedelta(days=1))
    assert '<strong class="overdue">overdue</strong>' in page(client, project_url(project))


def test_a_publish_that_changes_the_first_pick_flags_it_on_the_project_page(client: Client, project: Project,
                                                                            alice: User) -> None:  # fmt: skip
    make_integration(project)
    client.force_login(alice)
    assert "The current catalog would pick" not in page(client, project_url(project))
    Fit.objects.filter(pattern__slug="odata", question="volume", value="low").update(level="excluded")
    version_publish(actor=alice, note="OData out for low volume.", override_reason="A test of the project page.")
    assert "The current catalog would pick" in page(client, project_url(project))


def test_a_page_whose_parts_are_cached_reads_no_integration(client: Client, project: Project, alice: User) -> None:
    for index in range(3):
        make_integration(project, f"Integration {index}")
    client.force_login(alice)
    page(client, project_url(project))
    with CaptureQueriesContext(connection) as queries:
        page(client, project_url(project))
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "portal_integration" not in tables and "portal_historyentry" not in tables
    # session, user, project with role, members' names, inbox, checklist, curator, catalog version
    assert len(queries.captured_queries) <= 8


def test_the_integration_page_shows_comments_and_decisions(client: Client, project: Project, alice: User) -> None:
    integration = make_integration(project)
    url = reverse("projects:integration", args=[project.pk, integration.pk])
    client.force_login(alice)
    assert "No comments yet." in page(client, url)
    comment_add(integration=integration, author=alice, body="Looks *right*.")
    assert "Looks <em>right</em>." in page(client, url)
    decision_save(integration=integration, actor=alice, chosen_pattern_slug=integration.top_pattern_slug,
                  rationale="Chosen after the workshop.")  # fmt: skip
    assert "Chosen after the workshop." in page(client, url)


def test_a_form_shown_again_with_its_errors_is_not_kept(client: Client, project: Project, alice: User) -> None:
    integration = make_integration(project)
    url = reverse("projects:integration", args=[project.pk, integration.pk])
    client.force_login(alice)
    response = client.post(reverse("projects:decision_save", args=[project.pk, integration.pk]),
                           {"chosen_pattern_slug": "not-a-pattern", "rationale": "", "version": "0"})  # fmt: skip
    assert response.status_code == 400 and "field-error" in response.content.decode()
    assert "field-error" not in page(client, url)


def test_the_dashboard_shows_members_of_a_team_without_projects(client: Client, alice: User, bob: User) -> None:
    team = make_team(alice, "Empty team")
    url = reverse("teams:detail", args=[team.pk])
    client.force_login(alice)
    assert "<strong>bob</strong>" not in page(client, url)
    membership_add(team=team, user=bob, role=Role.VIEWER, actor=alice)
    assert "<strong>bob</strong>" in page(client, url)
    membership_remove(membership=team.memberships.get(user=bob), actor=alice)
    assert "<strong>bob</strong>" not in page(client, url)


def test_what_awaits_review_is_each_readers_own(client: Client, project: Project, alice: User, bob: User) -> None:
    Membership.objects.filter(team=project.team, user=bob).update(role=Role.REVIEWER)
    integration = make_integration(project, "Vendor invoices")
    decision_save(integration=integration, actor=alice, chosen_pattern_slug=integration.top_pattern_slug,
                  rationale="Fits.")  # fmt: skip
    url = reverse("teams:detail", args=[project.team_id])
    client.force_login(alice)
    assert "Nothing waits for you." in page(client, url)  # alice proposed it
    client.force_login(bob)
    assert "Vendor invoices</a>" in page(client, url)


def test_my_projects_follow_the_teams_i_join_and_leave(client: Client, alice: User, bob: User) -> None:
    team = make_team(alice, "Finance")
    Project.objects.create(team=team, owner=alice, name="Procure to pay")  # made before bob joins
    client.force_login(bob)
    url = reverse("projects:list")
    assert "Procure to pay" not in page(client, url)
    membership_add(team=team, user=bob, role=Role.VIEWER, actor=alice)
    assert "Procure to pay" in page(client, url)
    membership_remove(membership=team.memberships.get(user=bob), actor=alice)
    assert "Procure to pay" not in page(client, url)


def test_an_imported_project_appears_on_the_teams_lists(client: Client, project: Project, alice: User) -> None:
    from portal.records import project_record
    from portal.selectors.projects import project_for_export
    from portal.services.portability import project_import

    client.force_login(alice)
    page(client, reverse("projects:list"))
    page(client, reverse("teams:detail", args=[project.team_id]))
    data: dict[str, Any] = project_record(project_for_export(project))
    data["name"] = "Imported copy"
    project_import(data=data, team=Team.objects.get(pk=project.team_id))
    assert "Imported copy" in page(client, reverse("projects:list"))
    assert "Imported copy" in page(client, reverse("teams:detail", args=[project.team_id]))
    assert HistoryEntry.objects.filter(project__name="Imported copy").exists()


def test_my_projects_show_the_latest_change_first(client: Client, alice: User) -> None:
    team = make_team(alice, "Finance")
    older = project_create(owner=alice, name="Procure to pay", description="", team=team)
    project_create(owner=alice, name="Record to report", description="", team=team)
    client.force_login(alice)
    body = page(client, reverse("projects:list"))
    assert body.index("Record to report") < body.index("Procure to pay")
    make_integration(older, "Vendor invoices")  # a change to the older project
    body = page(client, reverse("projects:list"))
    assert body.index("Procure to pay") < body.index("Record to report")
