"""What a reader sees of the cached pages (``portal.caching``): a renamed person by the new name everywhere at once,
an ETag that is the reader's own and answers 304 only while nothing changed, and no form's token in the cache."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portal import caching
from portal.models import Project, Role
from portal.services.accounts import account_names_changed
from portal.services.checklist import checklist_entry_update
from portal.services.integrations import comment_add
from portal.services.teams import membership_remove
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Project:
    return make_team_project(alice, bob=Role.REVIEWER)


def pages(project: Project) -> dict[str, str]:
    integration = project.integrations.order_by("pk").first()
    assert integration is not None
    return {
        "project": reverse("projects:detail", args=[project.pk]),
        "integration": reverse("projects:integration", args=[project.pk, integration.pk]),
        "dashboard": reverse("teams:detail", args=[project.team_id]),
    }


def body(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


def rename(user: User, username: str) -> None:
    """As the admin does (portal.admin.PortalUserAdmin.save_model)."""
    user.username = username
    user.save(update_fields=["username"])
    account_names_changed(user=user)


# A renamed person


def test_a_renamed_person_shows_by_the_new_name_on_every_page_at_once(client: Client, project: Project, alice: User,
                                                                      bob: User) -> None:  # fmt: skip
    integration = make_integration(project, "Vendor invoices")
    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="open", assignee=bob)
    comment_add(integration=integration, author=bob, body="Looks right to me.")
    client.force_login(alice)
    urls = pages(project)
    assert all("bob" in body(client, url) for url in urls.values())  # cached now, under the old name
    rename(bob, "robert")
    seen = {name: body(client, url) for name, url in urls.items()}
    assert "Owner robert" in seen["project"] and "Owner bob" not in seen["project"]
    assert "robert" in seen["integration"] and ">bob<" not in seen["integration"]
    assert "robert" in seen["dashboard"] and ">bob<" not in seen["dashboard"]


def test_a_task_owner_who_left_the_team_shows_by_the_new_name(client: Client, project: Project, alice: User,
                                                             bob: User) -> None:  # fmt: skip
    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="open", assignee=bob)
    membership_remove(membership=project.team.memberships.get(user=bob), actor=alice)
    client.force_login(alice)
    url = reverse("projects:detail", args=[project.pk])
    assert "Owner bob" in body(client, url)
    rename(bob, "robert")
    assert "Owner robert" in body(client, url)


# Conditional GET


@pytest.mark.parametrize("name", ["project", "integration", "dashboard"])
def test_a_page_answers_304_to_its_etag_until_something_changes(client: Client, project: Project, alice: User,
                                                                name: str) -> None:  # fmt: skip
    integration = make_integration(project)
    url = pages(project)[name]
    client.force_login(alice)
    client.get(url)  # the first visit sets the CSRF cookie the page's forms carry, which its ETag names
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    comment_add(integration=integration, author=alice, body="A change the pages count.")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_an_etag_is_the_readers_own(client: Client, project: Project, alice: User, bob: User) -> None:
    url = reverse("projects:detail", args=[project.pk])
    client.force_login(alice)
    client.get(url)
    alices = client.get(url)["ETag"]
    client.force_login(bob)  # the same page, another reader: another role, name and token
    answer = client.get(url, headers={"If-None-Match": alices})
    assert answer.status_code == 200 and answer["ETag"] != alices


def test_a_waiting_message_is_shown_rather_than_a_304(client: Client, project: Project, alice: User) -> None:
    url = reverse("projects:detail", args=[project.pk])
    client.force_login(alice)
    client.get(url)
    etag = client.get(url)["ETag"]
    client.post(reverse("projects:settings", args=[project.pk]), {"required_approvals": "2"})  # "Settings saved."
    etag_now = client.get(url, headers={"If-None-Match": "nothing"})  # shows and so uses the message up
    assert "Settings saved." in etag_now.content.decode()
    client.post(reverse("projects:settings", args=[project.pk]), {"required_approvals": "nine"})  # an error, no change
    answer = client.get(url, headers={"If-None-Match": etag_now["ETag"]})
    assert answer.status_code == 200 and "whole number" in answer.content.decode()
    assert etag != etag_now["ETag"]


# What the cache holds


def test_no_cached_fragment_holds_a_form_token_or_a_readers_name(client: Client, project: Project, alice: User,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    make_integration(project)
    kept: list[str] = []
    original = caching.cache.set

    def keep(key: str, value: Any, *args: Any, **kwargs: Any) -> None:
        kept.append(str(value))
        original(key, value, *args, **kwargs)

    monkeypatch.setattr(caching.cache, "set", keep)
    client.force_login(alice)
    for url in pages(project).values():
        page = body(client, url)
        assert "csrfmiddlewaretoken" in page or url.endswith(f"/teams/{project.team_id}/")
    assert len(kept) >= 6  # head, integrations, progress, checklist, saved ranking, dashboard rows
    token = client.cookies["csrftoken"].value
    assert not [html for html in kept if "csrfmiddlewaretoken" in html or token in html]
    assert not [html for html in kept if "Sign out" in html or "<form" in html]  # the reader's own parts stay out


def test_a_fragment_key_names_what_it_shows() -> None:
    calls: list[str] = []

    def render(text: str) -> str:
        calls.append(text)
        return text

    assert caching.fragment("probe", (1, "a"), lambda: render("one")) == "one"
    assert caching.fragment("probe", (1, "a"), lambda: render("again")) == "one"  # the same parts: kept
    assert caching.fragment("probe", (1, "b"), lambda: render("two")) == "two"  # another part: rendered
    assert caching.fragment("other", (1, "a"), lambda: render("three")) == "three"  # another name
    assert caching.fragment("empty", (1,), lambda: render("")) == ""
    assert caching.fragment("empty", (1,), lambda: render("not again")) == ""  # an empty fragment is kept too
    assert calls == ["one", "two", "three", ""]


def test_clearcache_empties_it_for_a_restored_database() -> None:
    out = io.StringIO()
    assert caching.fragment("probe", (1,), lambda: "before the restore") == "before the restore"
    call_command("clearcache", stdout=out)
    assert caching.fragment("probe", (1,), lambda: "after it") == "after it"  # the same counters: rendered again
    assert "empty" in out.getvalue()
