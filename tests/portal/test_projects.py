"""My projects, a project page, a saved integration and the profile's API tokens: owner only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patterns.models import ChecklistItem, Fit
from portal.models import ApiToken, Project
from portal.services.tokens import api_token_create
from tests.factories import make_integration, make_project, make_project_with_integrations

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def test_my_projects_lists_only_mine_paginated(signed_in: Client, alice: User, charlie: User) -> None:
    for index in range(23):
        make_project(alice, f"Project {index:02}")
    make_project(charlie, "Not mine")
    first = signed_in.get(reverse("projects:list"))
    assert len(first.context["page"].object_list) == 20 and "Not mine" not in first.content.decode()
    second = signed_in.get(reverse("projects:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 3
    assert signed_in.get(reverse("projects:list"), {"page": "zzz"}).status_code == 200


def test_my_projects_query_count_is_bounded(signed_in: Client, alice: User, django_assert_max_num_queries: Any) -> None:
    for index in range(15):
        make_integration(make_project(alice, f"P{index}"))
    with django_assert_max_num_queries(6):
        signed_in.get(reverse("projects:list"))


def test_a_project_shows_its_integrations_top_pick_and_checklist(
    signed_in: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    project = make_project_with_integrations(alice, 5)
    with django_assert_max_num_queries(9):  # and the burn-up's history and milestones
        response = signed_in.get(reverse("projects:detail", args=[project.pk]))
    body = response.content.decode()
    assert "Integration 4" in body and "OData" in body
    assert response.context["checklist"].task_count == 20 and len(response.context["checklist"].sections) == 5


def test_a_saved_integration_shows_the_full_ranking(signed_in: Client, alice: User) -> None:
    integration = make_integration(make_project(alice))
    body = signed_in.get(
        reverse("projects:integration", args=[integration.project_id, integration.pk])
    ).content.decode()
    assert "Saved ranking" in body and "OData" in body and integration.catalog_version in body
    assert "Immediately, and the caller waits" in body


def test_a_saved_integration_says_how_far_to_trust_its_ranking(signed_in: Client, alice: User) -> None:
    project = make_project(alice)
    integration = make_integration(project, answers={"scope": "fno_external", "goal": "reporting_visuals",
                                                     "deployment": "on_premises"})  # fmt: skip
    body = signed_in.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert integration.ranking["fit"]["level"] in {"partial", "none"}
    assert integration.ranking["fit"]["summary"] in body and "What would change it:" in body
    assert "set to Cloud, Embedded Power BI fits" in body


def test_a_saved_ranking_is_history_that_catalog_edits_do_not_rewrite(signed_in: Client, alice: User) -> None:
    integration = make_integration(make_project(alice))
    Fit.objects.filter(pattern__slug="odata").update(level="poor", rationale="Changed after the decision.")
    ChecklistItem.objects.update(title="Rewritten by a curator")
    integration.refresh_from_db()
    assert integration.ranking["options"][0]["pattern"] == "odata"
    body = signed_in.get(
        reverse("projects:integration", args=[integration.project_id, integration.pk])
    ).content.decode()
    assert "Changed after the decision." not in body
    project_body = signed_in.get(reverse("projects:detail", args=[integration.project_id])).content.decode()
    assert "Rewritten by a curator" not in project_body


def test_creating_a_project_by_hand(signed_in: Client) -> None:
    response = signed_in.post(reverse("projects:new"), {"name": "Procure to pay", "description": ""})
    project = Project.objects.get()
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.checklist_entries.count() == 19
    assert signed_in.post(reverse("projects:new"), {"name": ""}).status_code == 400


def test_outsiders_get_404_everywhere(client: Client, alice: User, charlie: User) -> None:
    integration = make_integration(make_project(alice))
    client.force_login(charlie)
    assert client.get(reverse("projects:detail", args=[integration.project_id])).status_code == 404
    url = reverse("projects:integration", args=[integration.project_id, integration.pk])
    assert client.get(url).status_code == 404
    other = make_project(charlie)
    assert client.get(reverse("projects:integration", args=[other.pk, integration.pk])).status_code == 404


def test_project_pages_require_sign_in(client: Client, alice: User) -> None:
    project = make_project(alice)
    for url in (reverse("projects:list"), reverse("projects:detail", args=[project.pk]), reverse("account:profile")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_project_pages_refuse_writes(signed_in: Client, alice: User) -> None:
    project = make_project(alice)
    assert signed_in.post(reverse("projects:list")).status_code == 405
    assert signed_in.post(reverse("projects:detail", args=[project.pk])).status_code == 405


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(signed_in: Client, alice: User) -> None:
    response = signed_in.post(reverse("account:token_create"), {"name": "CI pipeline"})
    secret = response.context["new_secret"]
    assert secret.startswith("dip_") and secret in response.content.decode()
    assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert secret not in signed_in.get(reverse("account:profile")).content.decode()
    token = ApiToken.objects.get()
    signed_in.post(reverse("account:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(reverse("api:projects"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_someone_elses_token_cannot_be_revoked(client: Client, alice: User, charlie: User) -> None:
    token, _ = api_token_create(user=alice, name="mine")
    client.force_login(charlie)
    assert client.post(reverse("account:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_createapitoken_prints_a_working_token(alice: User) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("createapitoken", "alice", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1].strip()
    assert Client().get(reverse("api:projects"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_the_home_page_leads_to_the_wizard_and_to_my_projects(client: Client, alice: User) -> None:
    anonymous = client.get(reverse("home")).content.decode()
    assert (
        f'href="{reverse("wizard:start")}">Start a recommendation' in anonymous and "My projects</a>" not in anonymous
    )
    client.force_login(alice)
    signed_in = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("projects:list")}">My projects' in signed_in


def test_my_projects_pages_without_counting_every_project(
    client: Client, alice: User, django_assert_num_queries: Any
) -> None:
    from portal.views.projects import PAGE_SIZE

    team = make_project(alice).team
    Project.objects.bulk_create([Project(team=team, owner=alice, name=f"P{i:03}") for i in range(PAGE_SIZE * 2 + 3)])
    client.force_login(alice)
    with django_assert_num_queries(99, exact=False) as first_page:
        first = client.get(reverse("projects:list")).content.decode()
    assert "Page 1" in first and 'rel="next"' in first and 'rel="prev"' not in first
    counts_projects = 'SELECT COUNT(*) AS "__COUNT" FROM "PORTAL_PROJECT"'
    assert not any(q["sql"].upper().startswith(counts_projects) for q in first_page.captured_queries)
    last = client.get(reverse("projects:list"), {"page": 3}).content.decode()
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert client.get(reverse("projects:list"), {"page": "x"}).status_code == 200


@pytest.mark.parametrize("page", ["4", "100001", "9223372036854775807", "9" * 5000, "١٢"])
def test_a_page_past_the_end_of_my_projects_is_a_404_never_a_500(client: Client, alice: User, page: str) -> None:
    make_project(alice)
    client.force_login(alice)
    answer = client.get(reverse("projects:list"), {"page": page})
    assert answer.status_code == (200 if page == "١٢" else 404)  # a number in other digits reads as page 1


@pytest.mark.parametrize("raw, number", [("", 1), ("0", 1), ("-3", 1), ("2", 2), (" 7 ", 7), ("100000", 100_000),
                                         ("100001", 100_000), ("9" * 5000, 100_000), ("x2", 1), ("²", 1)])  # fmt: skip
def test_a_page_number_is_read_leniently_and_bounded(raw: str, number: int) -> None:
    from portal.selectors.paging import page_number

    assert page_number(raw) == number


def test_integration_counts_are_grouped_in_batches_of_bounded_size(
    alice: User, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    """PostgreSQL binds at most 65,535 parameters: the API's list of every project counts in batches."""
    from portal.selectors import projects as selectors

    projects = [make_project(alice, f"Project {index}") for index in range(5)]
    make_integration(projects[0])
    make_integration(projects[4], "Vendor invoices")
    make_integration(projects[4], "Payments")
    monkeypatch.setattr(selectors, "COUNTED_AT_ONCE", 2)
    listed = list(Project.objects.filter(pk__in=[p.pk for p in projects]).order_by("pk"))
    with django_assert_num_queries(3):  # 5 projects, 2 at a time
        counted = selectors.with_integration_counts(listed)
    assert [getattr(project, "integration_count", None) for project in counted] == [1, 0, 0, 0, 2]


@pytest.mark.parametrize("url", ["teams:detail", "decision_log", "notifications:inbox"])
def test_other_lists_show_their_last_page_for_a_page_past_the_end(client: Client, alice: User, url: str) -> None:
    project = make_project(alice)
    client.force_login(alice)
    path = reverse(url, args=[project.team_id]) if url == "teams:detail" else reverse(url)
    for page in ("9223372036854775807", "9" * 5000, "-1", "x"):
        assert client.get(path, {"page": page}).status_code == 200
