"""Decisions: propose, justify a non-top choice, approvals per version, accept, reject, supersede, deprecate."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portal.exceptions import ConflictError
from portal.models import Comment, Decision, HistoryEntry, Integration, Membership, Project, Role
from portal.selectors.decisions import approvals_for_current_version
from portal.services.decisions import decision_approve, decision_save, decision_transition
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(alice: User, bob: User) -> Any:
    project = make_team_project(alice, bob=Role.REVIEWER)
    return make_integration(project)


def test_a_proposal_of_the_top_option_needs_only_a_rationale(integration: Integration, alice: User) -> None:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    assert (decision.status, decision.chosen_pattern_name, decision.version) == ("proposed", "OData", 1)


def test_choosing_another_option_needs_a_justification(integration: Integration, alice: User) -> None:
    with pytest.raises(ValidationError) as error:
        decision_save(integration=integration, actor=alice, chosen_pattern_slug="custom-services", rationale="x")
    assert "justification" in error.value.message_dict
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="custom-services",
                             rationale="x", justification="We expect volume to grow.")  # fmt: skip
    assert decision.chosen_pattern_slug == "custom-services"


def test_only_ranked_options_can_be_chosen(integration: Integration, alice: User) -> None:
    with pytest.raises(ValidationError):
        decision_save(integration=integration, actor=alice, chosen_pattern_slug="nonsense", rationale="x")


def test_acceptance_needs_the_configured_approvals(integration: Integration, alice: User, bob: User) -> None:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    with pytest.raises(ValidationError, match="needs 1 reviewer approval"):
        decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    accepted = decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)
    assert accepted.status == "accepted" and accepted.decided_by == bob and accepted.decided_at


def test_changing_the_decision_resets_approvals(integration: Integration, alice: User, bob: User) -> None:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    assert approvals_for_current_version(decision) == 1
    changed = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata",
                            rationale="Fits, with paging.", expected_version=1)  # fmt: skip
    assert changed.version == 2 and approvals_for_current_version(changed) == 0
    with pytest.raises(ValidationError):
        decision_transition(decision=changed, actor=bob, status="accepted", expected_version=2)


def test_a_stale_edit_is_refused_with_the_other_change(integration: Integration, alice: User, bob: User) -> None:
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="First.")
    decision_save(integration=integration, actor=bob, chosen_pattern_slug="odata", rationale="Bob's view.",
                  expected_version=1)  # fmt: skip
    with pytest.raises(ConflictError) as error:
        decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Alice's view.",
                      expected_version=1)  # fmt: skip
    assert error.value.current["rationale"] == "Bob's view." and error.value.changed_by == "bob"
    assert Decision.objects.get().rationale == "Bob's view."


def test_a_stale_approval_is_refused(integration: Integration, alice: User, bob: User) -> None:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="y", expected_version=1)
    with pytest.raises(ConflictError):
        decision_approve(decision=decision, reviewer=bob, expected_version=1)


def accepted(integration: Integration, proposer: User, reviewer: User, rationale: str = "x") -> Decision:
    """A decision proposed and accepted on a project that needs no approvals."""
    Project.objects.filter(pk=integration.project_id).update(required_approvals=0)
    proposed = decision_save(integration=integration, actor=proposer, chosen_pattern_slug="odata", rationale=rationale)
    return decision_transition(decision=proposed, actor=reviewer, status="accepted", expected_version=proposed.version)


def test_supersede_links_the_replacing_decision_and_deprecate_ends_it(
    integration: Integration, alice: User, bob: User
) -> None:
    project = integration.project
    first = accepted(integration, alice, bob)
    second_integration = make_integration(project, "Orders v2")
    second = decision_save(integration=second_integration, actor=alice, chosen_pattern_slug="odata", rationale="y")
    with pytest.raises(ValidationError, match="replaces it"):
        decision_transition(decision=first, actor=bob, status="superseded", expected_version=first.version)
    with pytest.raises(ValidationError, match="Only an accepted decision can supersede another"):
        decision_transition(decision=first, actor=bob, status="superseded", expected_version=first.version,
                            superseded_by=second)  # fmt: skip
    second = decision_transition(decision=second, actor=bob, status="accepted", expected_version=second.version)
    superseded = decision_transition(decision=first, actor=alice, status="superseded",
                                     expected_version=first.version, superseded_by=second)  # fmt: skip
    assert superseded.superseded_by == second
    assert (superseded.decided_by, superseded.status_changed_by) == (bob, alice)  # accepted by bob, superseded by alice
    with pytest.raises(ValidationError, match="can't be edited"):
        decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="z")


def test_rejected_is_final_and_needs_a_reason(integration: Integration, alice: User, bob: User) -> None:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
    with pytest.raises(ValidationError, match="Say why the decision is rejected"):
        decision_transition(decision=decision, actor=bob, status="rejected", expected_version=1, reason="  ")
    rejected = decision_transition(decision=decision, actor=bob, status="rejected", expected_version=1,
                                   reason="Too much load on OData.")  # fmt: skip
    assert rejected.status_reason == "Too much load on OData."
    with pytest.raises(ValidationError):
        decision_transition(decision=rejected, actor=bob, status="accepted", expected_version=rejected.version)


def test_the_page_shows_who_superseded_and_why_a_decision_was_rejected(
    client: Client, integration: Integration, alice: User, bob: User
) -> None:
    project = integration.project
    first = accepted(integration, alice, bob)
    second = accepted(make_integration(project, "Orders v2"), alice, bob, rationale="y")
    decision_transition(decision=first, actor=alice, status="superseded", expected_version=first.version,
                        superseded_by=second)  # fmt: skip
    client.force_login(alice)
    body = client.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert "accepted by bob on" in body and "superseded by alice on" in body
    third = make_integration(project, "Orders v3")
    rejected = decision_save(integration=third, actor=alice, chosen_pattern_slug="odata", rationale="z")
    client.force_login(bob)
    page = client.get(reverse("projects:integration", args=[project.pk, third.pk])).content.decode()
    assert 'name="reason"' in page and "required" in page
    refused = client.post(reverse("projects:decision_status", args=[project.pk, third.pk]),
                          {"status": "rejected", "version": rejected.version}, follow=True)  # fmt: skip
    assert "Say why the decision is rejected." in refused.content.decode()
    client.post(reverse("projects:decision_status", args=[project.pk, third.pk]),
                {"status": "rejected", "version": rejected.version, "reason": "Load too high."})  # fmt: skip
    shown = client.get(reverse("projects:integration", args=[project.pk, third.pk])).content.decode()
    assert "Why it was rejected:</strong> Load too high." in shown and "rejected by bob on" in shown


def test_every_step_is_in_the_history(integration: Integration, alice: User, bob: User) -> None:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)
    actions = list(HistoryEntry.objects.filter(project=integration.project).values_list("action", flat=True))
    assert {"decision proposed", "decision approved", "decision accepted", "integration added"} <= set(actions)
    accepted = HistoryEntry.objects.get(action="decision accepted")
    assert accepted.actor == bob and accepted.before["status"] == "proposed" and accepted.after["status"] == "accepted"


def test_the_integration_page_runs_the_workflow(client: Client, integration: Integration, alice: User,
                                                 bob: User) -> None:  # fmt: skip
    p, i = integration.project_id, integration.pk
    client.force_login(alice)
    response = client.post(reverse("projects:decision_save", args=[p, i]),
                           {"chosen_pattern_slug": "custom-services", "rationale": "x", "version": "0"})  # fmt: skip
    assert response.status_code == 400 and "say why" in response.content.decode()
    client.post(
        reverse("projects:decision_save", args=[p, i]),
        {"chosen_pattern_slug": "odata", "rationale": "Fits.", "version": "0"},
    )
    client.force_login(bob)
    client.post(reverse("projects:decision_approve", args=[p, i]), {"version": "1"})
    client.post(reverse("projects:decision_status", args=[p, i]), {"version": "1", "status": "accepted"})
    assert Decision.objects.get().status == "accepted"
    body = client.get(reverse("projects:integration", args=[p, i])).content.decode()
    assert "Accepted" in body


def test_a_conflicting_save_from_the_page_shows_the_other_change(
    client: Client, integration: Integration, alice: User, bob: User
) -> None:
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="First.")
    decision_save(integration=integration, actor=bob, chosen_pattern_slug="odata", rationale="Bob's view.",
                  expected_version=1)  # fmt: skip
    client.force_login(alice)
    response = client.post(reverse("projects:decision_save", args=[integration.project_id, integration.pk]),
                           {"chosen_pattern_slug": "odata", "rationale": "Mine.", "version": "1"})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 409 and "bob changed this decision" in body and "Bob&#x27;s view." in body


def test_comments_render_markdown_through_the_sanitizer(client: Client, integration: Integration,
                                                        alice: User) -> None:  # fmt: skip
    client.force_login(alice)
    url = reverse("projects:comment_add", args=[integration.project_id, integration.pk])
    client.post(url, {"body": "**Agreed** <script>alert(1)</script>"})
    assert Comment.objects.get().author == alice
    body = client.get(reverse("projects:integration", args=[integration.project_id, integration.pk])).content.decode()
    assert "<strong>Agreed</strong>" in body and "<script>alert(1)" not in body


def test_a_viewer_cannot_comment(client: Client, integration: Integration, charlie: User) -> None:
    Membership.objects.create(team=integration.project.team, user=charlie, role=Role.VIEWER)
    client.force_login(charlie)
    url = reverse("projects:comment_add", args=[integration.project_id, integration.pk])
    assert client.post(url, {"body": "hi"}).status_code == 403


def test_a_second_first_proposal_does_not_overwrite_the_first(
    client: Client, integration: Integration, alice: User, bob: User
) -> None:
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Alice was first.")
    client.force_login(bob)  # bob opened the page before alice saved: his form says "no decision yet" (version 0)
    response = client.post(reverse("projects:decision_save", args=[integration.project_id, integration.pk]),
                           {"chosen_pattern_slug": "odata", "rationale": "Bob's take.", "version": "0"})  # fmt: skip
    assert response.status_code == 409 and "Alice was first." in response.content.decode()
    assert Decision.objects.get().rationale == "Alice was first."


def test_a_reviewer_cannot_approve_their_own_proposal(integration: Integration, bob: User) -> None:
    decision = decision_save(integration=integration, actor=bob, chosen_pattern_slug="odata", rationale="x")
    with pytest.raises(ValidationError, match="You proposed this decision"):
        decision_approve(decision=decision, reviewer=bob, expected_version=1)


def test_approvals_of_people_who_left_the_team_do_not_count(integration: Integration, alice: User,
                                                            bob: User) -> None:  # fmt: skip
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    Membership.objects.filter(user=bob).update(role=Role.VIEWER)
    assert approvals_for_current_version(decision) == 0


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "-1", "", "9" * 40])
def test_odd_numbers_in_posts_never_give_a_server_error(client: Client, integration: Integration, bob: User,
                                                        value: str) -> None:  # fmt: skip
    decision_save(integration=integration, actor=integration.project.owner, chosen_pattern_slug="odata", rationale="x")
    client.force_login(bob)
    p, i = integration.project_id, integration.pk
    assert client.post(reverse("projects:decision_approve", args=[p, i]), {"version": value}).status_code == 302
    status = {"version": value, "status": "superseded", "superseded_by": value}
    assert client.post(reverse("projects:decision_status", args=[p, i]), status).status_code == 302
    assert client.post(reverse("wizard:new"), {"project": value}).status_code == (302 if value == "" else 404)
