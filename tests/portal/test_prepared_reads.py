"""Prepared reads (portal.selectors.prepared): the ORM's SQL written once, answering exactly what the queryset does."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.access import get_integration_for_user, get_project_for_user
from portal.models import Capability, Decision, HistoryEntry, Integration, Membership, Project, Role, Team
from portal.selectors.decisions import decision_of
from portal.selectors.integrations import integration_page
from portal.selectors.prepared import PreparedRead
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_save, decision_transition
from portal.services.environments import environment_create, integration_place
from portal.services.integrations import comment_add
from tests.conftest import make_user
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


def integrations_of(project_id: int) -> QuerySet[Integration, tuple[Any, ...]]:
    return (
        Integration.objects.filter(project_id=project_id)
        .order_by("created_at", "id")
        .values_list("pk", "name", "ranked_at", "requirements", "decision__status", "decision__chosen_pattern_name")
    )


def test_it_answers_what_the_queryset_answers_with_dates_json_and_joins(alice: User) -> None:
    project = make_team_project(alice)
    first, second = make_integration(project, name="Orders"), make_integration(project, name="Invoices")
    decision_save(integration=second, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    read = PreparedRead(integrations_of)

    rows = read(project.pk)

    assert rows == list(integrations_of(project.pk))
    assert [row[0] for row in rows] == [first.pk, second.pk]
    assert isinstance(rows[0][3], dict) and rows[0][3]["scope"]  # JSON decoded, as values_list gives it
    assert timezone.is_aware(rows[0][2])  # a datetime in UTC, not the database's text
    assert rows[1][4] == "proposed"


def test_each_call_reads_the_database_afresh_and_only_its_own_arguments_rows(alice: User) -> None:
    ours, theirs = make_team_project(alice), make_team_project(make_user("dora"))
    make_integration(theirs, name="Not ours")
    read = PreparedRead(integrations_of)
    assert read(ours.pk) == []

    make_integration(ours, name="Orders")

    assert [row[1] for row in read(ours.pk)] == ["Orders"]
    assert [row[1] for row in read(theirs.pk)] == ["Not ours"]


def test_constants_of_the_read_stay_and_arguments_fill_every_place_they_appear(alice: User) -> None:
    project = make_team_project(alice)
    entry = project.checklist_entries.first()
    assert entry is not None
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="done")

    def updates(project_id: int) -> QuerySet[HistoryEntry, tuple[Any, ...]]:
        return HistoryEntry.objects.filter(project_id=project_id, action__in=["checklist updated"]).values_list(
            "action", "project__team__projects__id"
        ).filter(project__team__projects__id=project_id)  # fmt: skip

    assert PreparedRead(updates)(project.pk) == list(updates(project.pk)) == [("checklist updated", project.pk)]


def test_a_read_whose_argument_never_reaches_the_sql_fails_loudly(alice: User) -> None:
    read = PreparedRead(lambda project_id: Project.objects.values_list("pk"))

    with pytest.raises(ImproperlyConfigured, match="as a parameter"):
        read(1)


def test_it_takes_only_whole_numbers_and_a_key_no_column_holds_matches_nothing(alice: User) -> None:
    project = make_team_project(alice)
    read = PreparedRead(integrations_of)

    with pytest.raises(TypeError):
        read(str(project.pk))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        read(True)
    assert read(2**64) == []
    assert read(-(2**63) - 1) == []


def test_the_project_helper_gives_a_whole_project_with_its_team_and_role(alice: User, rf: Any) -> None:
    project = make_team_project(alice)
    request = rf.get("/")
    request.user = alice

    found = get_project_for_user(request, project.pk)

    expected = Project.objects.select_related("team").get(pk=project.pk)
    assert found.role == Role.OWNER
    for model, (ours, orms) in {Project: (found, expected), Team: (found.team, expected.team)}.items():
        assert [getattr(ours, f.attname) for f in model._meta.concrete_fields] == [
            getattr(orms, f.attname) for f in model._meta.concrete_fields
        ]
    assert not found._state.adding and found.get_deferred_fields() == set()


def same_columns(ours: Any, orms: Any) -> bool:
    if ours is None or orms is None:
        return ours is orms
    fields = type(orms)._meta.concrete_fields
    return [getattr(ours, f.attname) for f in fields] == [getattr(orms, f.attname) for f in fields]


def test_the_integration_helper_gives_it_with_every_relation_and_none_for_an_empty_one(alice: User, rf: Any) -> None:
    project = make_team_project(alice)
    placed, unplaced = make_integration(project, name="Orders"), make_integration(project, name="Invoices")
    environment = environment_create(project=project, actor=alice, name="FO production", kind="fno", production=True)
    integration_place(integration=placed, actor=alice, environment=environment, identity="svc-orders")
    request = rf.get("/")
    request.user = alice

    for integration in (placed, unplaced):
        found = get_integration_for_user(request, project.pk, integration.pk)

        expected = Integration.objects.select_related(
            "project", "project__team", "created_by", "ranked_by", "environment"
        ).get(pk=integration.pk)
        assert found.role == found.project.role == Role.OWNER
        assert same_columns(found, expected) and found.get_deferred_fields() == set()
        for relation in ("project", "created_by", "ranked_by", "environment"):
            assert same_columns(getattr(found, relation), getattr(expected, relation)), relation
        assert same_columns(found.project.team, expected.project.team)
    assert found.environment is None and get_integration_for_user(request, project.pk, placed.pk).environment


def test_each_member_gets_their_own_role_and_a_wrong_pair_of_keys_gets_404(alice: User, rf: Any) -> None:
    project, elsewhere = make_team_project(alice), make_team_project(alice)
    integration = make_integration(project)
    bob = make_user("bob")
    Membership.objects.create(team=project.team, user=bob, role=Role.VIEWER)
    for user, role in ((alice, Role.OWNER), (bob, Role.VIEWER)):
        request = rf.get("/")
        request.user = user
        assert get_project_for_user(request, project.pk).role == role
        assert get_integration_for_user(request, project.pk, integration.pk).role == role
    with pytest.raises(Http404):
        get_integration_for_user(request, elsewhere.pk, integration.pk)  # an integration of another project
    with pytest.raises(PermissionDenied):
        get_project_for_user(request, project.pk, capability=Capability.WRITE)


def test_the_project_page_answers_404_to_outsiders_and_to_keys_no_column_holds(alice: User) -> None:
    project = make_team_project(alice)
    outsider, viewer = Client(), Client()
    outsider.force_login(make_user("charlie"))
    member = make_user("bob")
    Membership.objects.create(team=project.team, user=member, role=Role.VIEWER)
    viewer.force_login(member)

    assert outsider.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert viewer.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    assert viewer.get(f"/projects/{2**70}/").status_code == 404


def test_a_decision_comes_with_its_people_and_the_decision_that_replaced_it_as_the_orm_gives_it(
    alice: User, bob: User
) -> None:
    project = make_team_project(alice, bob=Role.REVIEWER)
    Project.objects.filter(pk=project.pk).update(required_approvals=0)
    first, second, undecided = (make_integration(project, name) for name in ("Orders", "Orders v2", "Invoices"))
    decisions = {}
    for integration in (first, second):
        proposed = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
        decisions[integration.pk] = decision_transition(decision=proposed, actor=bob, status="accepted",
                                                        expected_version=proposed.version)  # fmt: skip
    decision_transition(decision=decisions[first.pk], actor=alice, status="superseded",
                        expected_version=decisions[first.pk].version, superseded_by=decisions[second.pk])  # fmt: skip

    assert decision_of(undecided) is None
    for integration in (first, second):
        found = decision_of(integration)
        expected = Decision.objects.select_related(
            "proposed_by", "decided_by", "status_changed_by", "superseded_by__integration"
        ).get(integration=integration)
        assert same_columns(found, expected)
        for relation in ("proposed_by", "decided_by", "status_changed_by", "superseded_by"):
            assert same_columns(getattr(found, relation), getattr(expected, relation)), relation
    replaced = decision_of(first)
    assert replaced is not None and replaced.superseded_by is not None
    assert (replaced.decided_by, replaced.status_changed_by) == (bob, alice)
    assert same_columns(replaced.superseded_by.integration, second)


def test_an_integrations_comments_come_oldest_first_with_their_authors(alice: User, bob: User) -> None:
    integration = make_integration(make_team_project(alice, bob=Role.REVIEWER))
    for author, body in ((alice, "First"), (bob, "Second"), (alice, "Third")):
        comment_add(integration=integration, author=author, body=body)

    comments = integration_page(integration).comments

    assert [(c.body, c.author.get_username()) for c in comments] == [("First", "alice"), ("Second", "bob"),
                                                                      ("Third", "alice")]  # fmt: skip
    expected = list(integration.comments.select_related("author"))
    assert all(same_columns(a, b) and same_columns(a.author, b.author) for a, b in zip(comments, expected, strict=True))
