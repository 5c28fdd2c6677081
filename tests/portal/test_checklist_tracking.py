"""Checklist tracking: status, owner, due date, notes, evidence; progress; filters; htmx edits; conflicts."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portal.exceptions import ConflictError
from portal.models import HistoryEntry, Role
from portal.services.checklist import checklist_entry_update
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    return make_team_project(alice, bob=Role.CONTRIBUTOR)


def form_data(entry: Any, **values: str) -> dict[str, str]:
    prefix = f"entry-{entry.pk}-"
    data = {"version": str(entry.version), "status": "open", "not_applicable_reason": "", "assignee": "",
            "due_date": "", "notes": "", "evidence_url": ""}  # fmt: skip
    data.update(values)
    return {prefix + key: value for key, value in data.items()}


def test_an_entry_is_updated_and_recorded(project: Any, alice: User, bob: User) -> None:
    entry = project.checklist_entries.first()
    updated = checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="in_progress", assignee=bob,
                                     due_date=datetime.date(2026, 12, 1), notes="Kick-off done",
                                     evidence_url="https://wiki.example.com/goals")  # fmt: skip
    assert (updated.status, updated.assignee, updated.version) == ("in_progress", bob, 2)
    history = HistoryEntry.objects.get(action="checklist updated")
    assert history.before["status"] == "open" and history.after["assignee"] == "bob" and history.actor == alice


def test_not_applicable_needs_a_reason(project: Any, alice: User) -> None:
    entry = project.checklist_entries.first()
    with pytest.raises(ValidationError):
        checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="not_applicable")
    done = checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="not_applicable",
                                  not_applicable_reason="No middleware in scope")  # fmt: skip
    assert done.not_applicable_reason == "No middleware in scope"


def test_the_owner_must_be_in_the_team(project: Any, alice: User, charlie: User) -> None:
    with pytest.raises(ValidationError):
        checklist_entry_update(entry=project.checklist_entries.first(), actor=alice, expected_version=1,
                               status="open", assignee=charlie)  # fmt: skip


def test_a_stale_save_is_refused_and_shows_the_other_change(project: Any, alice: User, bob: User) -> None:
    entry = project.checklist_entries.first()
    checklist_entry_update(entry=entry, actor=bob, expected_version=1, status="done", notes="Bob finished it")
    with pytest.raises(ConflictError) as error:
        checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="in_progress")
    assert error.value.changed_by == "bob" and error.value.current["notes"] == "Bob finished it"
    entry.refresh_from_db()
    assert entry.status == "done"


def test_editing_in_place_with_htmx(client: Client, project: Any, alice: User, bob: User) -> None:
    entry = project.checklist_entries.first()
    client.force_login(alice)
    url = reverse("projects:checklist_entry", args=[project.pk, entry.pk])
    form = client.get(url, **HTMX).content.decode()
    assert form.lstrip().startswith(f'<li class="task task-editing" id="task-{entry.pk}"') and "<html" not in form
    response = client.post(url, form_data(entry, status="done", assignee=str(bob.pk)), **HTMX)
    row = response.content.decode()
    assert row.lstrip().startswith(f'<li class="task task-done" id="task-{entry.pk}"') and "Owner bob" in row


def test_editing_without_javascript_redirects_back(client: Client, project: Any, alice: User) -> None:
    entry = project.checklist_entries.first()
    client.force_login(alice)
    response = client.post(
        reverse("projects:checklist_entry", args=[project.pk, entry.pk]), form_data(entry, status="done")
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#task-{entry.pk}")


def test_a_conflict_on_the_page_is_409_with_their_version(client: Client, project: Any, alice: User,
                                                          bob: User) -> None:  # fmt: skip
    entry = project.checklist_entries.first()
    checklist_entry_update(entry=entry, actor=bob, expected_version=1, status="done", notes="Bob's note")
    client.force_login(alice)
    response = client.post(reverse("projects:checklist_entry", args=[project.pk, entry.pk]),
                           form_data(entry, status="in_progress"))  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 409 and "bob changed this task" in body and "Bob&#x27;s note" in body


def test_invalid_input_is_shown_next_to_the_field(client: Client, project: Any, alice: User) -> None:
    entry = project.checklist_entries.first()
    client.force_login(alice)
    response = client.post(
        reverse("projects:checklist_entry", args=[project.pk, entry.pk]),
        form_data(entry, status="not_applicable", evidence_url="not a url", due_date="soon"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Say why this task doesn" in body and "Enter a valid date." in body and "Enter a valid URL." in body


def test_progress_and_filters(client: Client, project: Any, alice: User, bob: User) -> None:
    entries = list(project.checklist_entries.all())
    checklist_entry_update(entry=entries[0], actor=alice, expected_version=1, status="done")
    checklist_entry_update(entry=entries[1], actor=alice, expected_version=1, status="open", assignee=alice,
                           due_date=datetime.date(2020, 1, 1))  # fmt: skip
    client.force_login(alice)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    checklist = response.context["checklist"]
    assert (checklist.progress.closed, checklist.progress.total, checklist.progress.percent) == (1, 19, 5)
    assert checklist.sections[0].progress.closed == 1

    def shown(filter_name: str) -> set[int]:  # read from the page: a filter seen before comes from the cache
        body = client.get(reverse("projects:detail", args=[project.pk]), {"tasks": filter_name}).content.decode()
        return {int(pk) for pk in re.findall(r'<li class="task [^"]*" id="task-(\d+)">', body)}

    assert shown("mine") == {entries[1].pk}
    assert shown("overdue") == {entries[1].pk}
    assert entries[0].pk not in shown("open") and len(shown("open")) == 18
    assert len(shown("all")) == 19 and len(shown("bogus")) == 19


def test_the_project_page_query_count_does_not_grow(client: Client, project: Any, alice: User,
                                                    django_assert_max_num_queries: Any) -> None:  # fmt: skip
    for index in range(8):
        make_integration(project, f"Integration {index}")
    for entry in project.checklist_entries.all()[:5]:
        checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="in_progress", assignee=alice)
    client.force_login(alice)
    # Rendered afresh: session, user, the project, the unread count and the curator check (the navigation and the
    # ETag), the integrations, the tasks, and the burn-up's history (checklist changes and milestones in one query).
    with django_assert_max_num_queries(8):
        client.get(reverse("projects:detail", args=[project.pk]))
