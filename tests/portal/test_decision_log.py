"""The decision log across my teams (search, filters, pagination), one decision as an ADR, and the My work home."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Decision, Project, Role
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_approve, decision_save, decision_transition
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Project:
    return make_team_project(alice, bob=Role.REVIEWER)


def decide(project: Project, name: str, rationale: str, actor: User, **extra: Any) -> Decision:
    integration = make_integration(project, name)
    return decision_save(integration=integration, actor=actor, chosen_pattern_slug="odata", rationale=rationale,
                         **extra)  # fmt: skip


def log(client: Client, **query: str) -> str:
    response = client.get(reverse("decision_log"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_log_finds_decisions_by_words_of_their_rationale(client: Client, project: Project, alice: User) -> None:
    decide(project, "Customer sync", "Synchronizing customers nightly keeps the load low.", alice)
    decide(project, "Invoice feed", "Invoices are pushed as events.", alice)
    client.force_login(alice)
    page = log(client, q="customers nightly")
    assert "Customer sync" in page and "Invoice feed" not in page
    if connection.vendor == "postgresql":  # English stemming: "synchronize" finds "Synchronizing"
        assert "Customer sync" in log(client, q="synchronize")


def test_the_log_searches_pattern_team_and_status_too(client: Client, project: Project, alice: User) -> None:
    decide(project, "Customer sync", "Plain words.", alice)
    client.force_login(alice)
    assert "Customer sync" in log(client, q="OData")
    assert "Customer sync" in log(client, q="Integration team")
    assert "Customer sync" in log(client, q="proposed")
    assert "No decision matches" in log(client, q="dataverse plug-in")


def test_the_log_filters_by_status_team_and_date(client: Client, project: Project, alice: User, bob: User) -> None:
    Project.objects.filter(pk=project.pk).update(required_approvals=0)
    first = decide(project, "Customer sync", "x", alice)
    decision_transition(decision=first, actor=bob, status="accepted", expected_version=first.version)
    decide(project, "Invoice feed", "y", alice)
    client.force_login(alice)
    page = log(client, status="accepted")
    assert "Customer sync" in page and "Invoice feed" not in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "No decision matches" in log(client, since=tomorrow)
    assert "Invoice feed" in log(client, team=str(project.team_id), until=tomorrow)
    bad = client.get(reverse("decision_log"), {"since": tomorrow, "until": timezone.localdate().isoformat()})
    assert bad.status_code == 400 and "comes before" in bad.content.decode()


def test_the_log_never_shows_another_teams_decisions(
    client: Client, project: Project, alice: User, charlie: User
) -> None:
    decide(project, "Customer sync", "x", alice)
    client.force_login(charlie)
    assert "Customer sync" not in log(client)
    assert "Customer sync" not in log(client, q="Customer")


def test_the_log_pages_and_keeps_the_search(client: Client, project: Project, alice: User) -> None:
    for index in range(23):
        decide(project, f"Feed {index:02}", "Nightly batch.", alice)
    client.force_login(alice)
    first = log(client, q="nightly")
    assert "Page 1 of 2" in first and "q=nightly&amp;page=2" in first
    assert "Page 2 of 2" in log(client, q="nightly", page="2")


def test_the_log_answers_htmx_with_the_results_only(client: Client, project: Project, alice: User) -> None:
    decide(project, "Customer sync", "x", alice)
    client.force_login(alice)
    response = client.get(reverse("decision_log"), {"q": "customer"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="decision-results"') and "<html" not in body


def test_the_log_needs_sign_in_and_only_get(client: Client, alice: User) -> None:
    assert client.get(reverse("decision_log")).status_code == 302
    client.force_login(alice)
    assert client.post(reverse("decision_log")).status_code == 405


def test_the_decision_record_reads_as_an_adr_with_who_did_what(
    client: Client, project: Project, alice: User, bob: User
) -> None:
    Project.objects.filter(pk=project.pk).update(required_approvals=1)
    decision = decide(project, "Customer sync", "Standard entities cover it.", alice,
                      consequences="We watch the 6,000 requests per 5 minutes.")  # fmt: skip
    decision_approve(decision=decision, reviewer=bob, expected_version=decision.version)
    decision_transition(decision=decision, actor=bob, status="rejected", expected_version=decision.version,
                        reason="Volumes are too high.")  # fmt: skip
    client.force_login(alice)
    url = reverse("projects:decision_adr", args=[project.pk, decision.integration_id])
    page = client.get(url).content.decode()
    for heading in ("Context", "Decision", "Options considered", "Consequences", "Status history"):
        assert f"<h2>{heading}</h2>" in page
    assert "Standard entities cover it." in page and "We watch the 6,000 requests" in page
    history = page[page.index("Status history") :]
    assert history.index("Proposed</span> by <strong>alice") < history.index("Approved</span> by <strong>bob")
    assert "Rejected</span> by <strong>bob" in history and "Reason: Volumes are too high." in history
    assert 'class="row-chosen"' in page


def test_the_decision_record_is_404_for_outsiders_and_without_a_decision(
    client: Client, project: Project, alice: User, charlie: User
) -> None:
    decision = decide(project, "Customer sync", "x", alice)
    undecided = make_integration(project, "Nothing yet")
    client.force_login(charlie)
    assert client.get(reverse("projects:decision_adr", args=[project.pk, decision.integration_id])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("projects:decision_adr", args=[project.pk, undecided.pk])).status_code == 404


def test_the_integration_page_marks_the_chosen_option(client: Client, project: Project, alice: User) -> None:
    decision = decide(project, "Customer sync", "x", alice)
    client.force_login(alice)
    page = client.get(reverse("projects:integration", args=[project.pk, decision.integration_id])).content.decode()
    assert page.count('class="tag tag-chosen"') == 1 and "option-row option-chosen" in page


def test_my_work_shows_what_waits_for_me(client: Client, project: Project, alice: User, bob: User) -> None:
    decision = decide(project, "Customer sync", "x", alice)
    entry = project.checklist_entries.all()[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open", assignee=bob,
                           due_date=timezone.localdate() - timedelta(days=2))  # fmt: skip
    client.force_login(bob)
    page = client.get(reverse("home")).content.decode()
    assert "My work" in page and "Customer sync → OData" in page
    assert "Overdue</span>" in page and entry.title in page
    assert "Decision proposed" in page  # recent activity
    decision_approve(decision=decision, reviewer=bob, expected_version=decision.version)
    assert "Customer sync → OData" not in client.get(reverse("home")).content.decode()


def test_my_own_proposal_does_not_wait_for_my_review(client: Client, project: Project, alice: User) -> None:
    decide(project, "Customer sync", "x", alice)
    client.force_login(alice)
    assert "Nothing waits for your review." in client.get(reverse("home")).content.decode()


def test_visitors_see_the_catalog_and_the_way_into_the_wizard(client: Client, db: None) -> None:
    page = client.get(reverse("home")).content.decode()
    assert "My work" not in page and reverse("wizard:start") in page and reverse("patterns:catalog") in page


def test_my_work_query_count_does_not_grow_with_rows(
    client: Client, project: Project, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    for index in range(6):
        decide(project, f"Feed {index}", "x", alice)
    client.force_login(bob)
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))


def test_the_decision_record_costs_the_same_queries_however_long_its_history(
    client: Client, project: Project, alice: User, bob: User, django_assert_num_queries: Any
) -> None:
    decision = decide(project, "Customer sync", "x", alice)
    url = reverse("projects:decision_adr", args=[project.pk, decision.integration_id])
    client.force_login(alice)
    with django_assert_num_queries(99, exact=False) as short:
        client.get(url)
    for version in range(1, 5):
        decision_save(integration=decision.integration, actor=alice, chosen_pattern_slug="odata",
                      rationale=f"Revised {version}.", expected_version=version)  # fmt: skip
    with django_assert_num_queries(len(short.captured_queries)):
        client.get(url)
