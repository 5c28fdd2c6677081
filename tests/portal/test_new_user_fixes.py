"""What new users hit (issue 24): the team a new project goes to, moving a project, complete exports, readable
history, a saved draft, reinstating a decision, and the wording and focus fixes. Each test fails without its fix."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portal.models import Decision, HistoryEntry, Integration, Membership, Project, Role
from portal.pictures.contributions import contribution_chart
from portal.services.decisions import decision_approve, decision_save, decision_transition
from portal.services.invitations import invitation_create
from portal.services.projects import project_move
from portal.services.teams import team_personal
from tests.factories import WEB_SHOP, make_draft, make_integration, make_project, make_team, make_team_project

pytestmark = pytest.mark.django_db


# --- 1. The team a new project goes to, and moving a project ------------------------------------------------------


def test_the_save_form_offers_my_teams_once_and_defaults_to_the_one_i_last_worked_in(
    client: Client, alice: User, bob: User
) -> None:
    team_personal(alice)
    team = make_team(alice, "Finance integrations")
    invitation_create(team=team, email="rex@example.com", role=Role.REVIEWER, actor=alice)
    client.force_login(alice)
    draft = make_draft(alice, WEB_SHOP)
    form = client.get(reverse("wizard:results", args=[draft.pk])).context["save_form"]
    choices = form.fields["new_project_team"].choices
    assert choices == [("", "My personal team"), (str(team.pk), "Finance integrations")]  # no "alice's team" too
    assert form.fields["new_project_team"].initial == str(team.pk)  # where she just invited a reviewer


def test_saving_into_a_new_project_in_the_chosen_team(client: Client, alice: User, bob: User) -> None:
    team = make_team(alice, "Finance integrations", bob=Role.REVIEWER)
    client.force_login(alice)
    draft = make_draft(alice, WEB_SHOP)
    client.post(reverse("wizard:save", args=[draft.pk]), {"name": "Orders", "project": "new",
                "new_project_name": "Order to cash", "new_project_team": str(team.pk)})  # fmt: skip
    project = Project.objects.get(name="Order to cash")
    assert project.team == team
    client.force_login(bob)  # the reviewer she invited sees it
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200


def test_a_team_i_only_view_is_not_a_choice(client: Client, alice: User, bob: User) -> None:
    team = make_team(bob, "Bob's integrations", alice=Role.VIEWER)
    client.force_login(alice)
    draft = make_draft(alice, WEB_SHOP)
    response = client.post(reverse("wizard:save", args=[draft.pk]), {"name": "Orders", "project": "new",
                           "new_project_name": "Sneaky", "new_project_team": str(team.pk)})  # fmt: skip
    assert response.status_code == 400 and not Project.objects.filter(name="Sneaky").exists()


def test_an_owner_of_both_teams_moves_a_project_and_access_follows(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    old = make_team(alice, "Old team", charlie=Role.CONTRIBUTOR)
    new = make_team(alice, "New team", bob=Role.REVIEWER)
    project = make_project(alice)
    project.team = old
    project.save()
    staying = make_project(alice, "Stays behind")
    staying.team = old
    staying.save()
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Move this project to another team you own" in page
    form = client.get(reverse("projects:move", args=[project.pk])).content.decode()
    assert ">New team</option>" in form and ">Old team</option>" not in form
    response = client.post(reverse("projects:move", args=[project.pk]), {"team": str(new.pk)}, follow=True)
    assert "Moved “Order to cash” to New team" in response.content.decode()
    project.refresh_from_db()
    assert project.team == new
    client.force_login(bob)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    client.force_login(charlie)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    moved = HistoryEntry.objects.filter(action="project moved")
    assert set(moved.values_list("project__name", flat=True)) == {"Order to cash", "Stays behind"}
    assert moved.get(project=project).before == {"team": "Old team"}


def test_a_move_is_refused_unless_the_mover_owns_both_teams(alice: User, bob: User) -> None:
    mine = make_team_project(alice, bob=Role.REVIEWER)
    theirs = make_team(bob, "Bob's team", alice=Role.CONTRIBUTOR)
    with pytest.raises(ValidationError, match="Only an owner of both teams can move a project; you aren't an owner"):
        project_move(project=mine, team=theirs, actor=alice)
    with pytest.raises(ValidationError, match="aren't an owner of Integration team"):
        project_move(project=mine, team=theirs, actor=bob)
    assert Project.objects.get(pk=mine.pk).team_id == mine.team_id


def test_moving_from_the_page_to_a_team_i_do_not_own_is_refused(client: Client, alice: User, bob: User) -> None:
    project = make_team_project(alice)
    theirs = make_team(bob, "Bob's team", alice=Role.CONTRIBUTOR)
    client.force_login(alice)
    response = client.post(reverse("projects:move", args=[project.pk]), {"team": str(theirs.pk)}, follow=True)
    assert "Choose one of the teams you own" in response.content.decode()
    assert Project.objects.get(pk=project.pk).team_id != theirs.pk


# --- 4. Complete exports ---------------------------------------------------------------------------------------


@pytest.fixture
def decided(alice: User, bob: User) -> Integration:
    """A project with a rejected decision, and an accepted one superseded by another."""
    project = make_team_project(alice, bob=Role.REVIEWER)
    rejected = make_integration(project, "Rejected orders")
    decision = decision_save(integration=rejected, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    decision_transition(decision=decision, actor=bob, status="rejected", expected_version=1,
                        reason="Peak load is beyond OData's throttling.")  # fmt: skip
    first, second = make_integration(project, "Orders v1"), make_integration(project, "Orders v2")
    one, two = (_accepted(i, alice, bob) for i in (first, second))
    decision_transition(decision=one, actor=alice, status="superseded", expected_version=one.version,
                        superseded_by=two)  # fmt: skip
    return rejected


def _accepted(integration: Integration, alice: User, bob: User) -> Decision:
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    return decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)


def test_the_markdown_records_carry_what_the_record_page_shows(client: Client, decided: Integration,
                                                              alice: User) -> None:  # fmt: skip
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[decided.project_id, "md"])).content.decode()
    assert "Why it was rejected: Peak load is beyond OData's throttling." in text
    assert "Superseded by the decision on Orders v2 (OData)" in text
    assert "### Status history" in text and "rejected by bob: Reason: Peak load" in text
    assert "superseded by alice" in text and "approved by bob" in text and "Proposed by alice on" in text


def test_the_csv_inventory_has_labels_next_to_codes(client: Client, decided: Integration, alice: User) -> None:
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[decided.project_id, "csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["integration"] == "Rejected orders")
    assert (row["scope"], row["scope_label"]) == ("fno_external", "Finance and operations apps with another system")
    assert row["decision_status_label"] == "Rejected" and row["top_pattern_name"] == "OData"


def test_the_decision_log_finds_a_rejection_reason(client: Client, decided: Integration, alice: User) -> None:
    client.force_login(alice)
    found = client.get(reverse("decision_log"), {"q": "throttling"}).content.decode()
    assert "Rejected orders" in found and "Orders v1" not in found


# --- 6, 20. History that reads as words ---------------------------------------------------------------------------


def test_history_shows_what_changed_as_a_table_not_python(client: Client, decided: Integration, alice: User) -> None:
    client.force_login(alice)
    body = client.get(reverse("projects:history", args=[decided.project_id])).content.decode()
    assert "What changed" in body and '<th scope="row">Why it was rejected</th>' in body
    assert "{&#x27;" not in body and "{'" not in body  # no dict reprs


# --- 7. A saved draft ---------------------------------------------------------------------------------------------


def test_a_saved_draft_shows_where_it_is_saved_and_a_second_save_says_so(client: Client, alice: User) -> None:
    client.force_login(alice)
    draft = make_draft(alice, WEB_SHOP)
    client.post(reverse("wizard:save", args=[draft.pk]),
                {"name": "Orders", "project": "new", "new_project_name": "Order to cash"})  # fmt: skip
    page = client.get(reverse("wizard:results", args=[draft.pk])).content.decode()
    assert "This result is saved as" in page and "Save to project" not in page
    again = client.post(reverse("wizard:save", args=[draft.pk]), {"name": "Other", "project": "new",
                        "new_project_name": "Elsewhere"}, follow=True)  # fmt: skip
    assert "already saved as “Orders” in Order to cash; nothing was saved again" in again.content.decode()
    assert not Project.objects.filter(name="Elsewhere").exists()


# --- 8. The order of the bars -------------------------------------------------------------------------------------


def test_a_bar_ranked_under_a_lower_score_says_why() -> None:
    from patterns.catalog import rank
    from patterns.requirements import Requirements

    answers = {"scope": "ce_external", "goal": "call_external_service", "direction": "outbound",
               "capacity": {"records_per_day": 3000, "record_size_kb": 300}}  # fmt: skip
    ranking = rank(Requirements.from_mapping(answers))
    chart = contribution_chart(ranking)
    scores = [bar.score for bar in chart.bars]
    moved = [bar for bar in chart.bars if bar.below_because]
    if scores == sorted(scores, reverse=True):
        pytest.fail(f"these numbers should move an option under a lower score: {scores}")
    assert moved and all("your numbers" in bar.below_because for bar in moved)
    assert all(bar.below_because in bar.summary for bar in moved)


# --- 9, 10. Focus where the reader must act ---------------------------------------------------------------------


def test_a_refused_save_focuses_the_first_field_to_fix(client: Client, alice: User) -> None:
    client.force_login(alice)
    draft = make_draft(alice, WEB_SHOP)
    body = client.post(reverse("wizard:save", args=[draft.pk]), {"name": "", "project": "new"}).content.decode()
    assert 'name="name" maxlength="200" autofocus' in body or ("autofocus" in body.split('name="name"')[1][:80])


def test_a_proposal_without_its_justification_focuses_the_justification(client: Client, alice: User) -> None:
    integration = make_integration(make_project(alice))
    client.force_login(alice)
    url = reverse("projects:decision_save", args=[integration.project_id, integration.pk])
    data = {"chosen_pattern_slug": "custom-services", "rationale": "x", "version": "0"}
    body = client.post(url, data).content.decode()
    field = body.split('name="justification"', 1)[1].split(">", 1)[0]
    assert "autofocus" in field


def test_each_wizard_step_focuses_its_heading_or_the_first_question_to_fix(client: Client, alice: User) -> None:
    client.force_login(alice)
    draft = make_draft(alice)
    url = reverse("wizard:step", args=[draft.pk, "need"])
    assert '<h1 tabindex="-1" autofocus>' in client.get(url, headers={"HX-Request": "true"}).content.decode()
    refused = client.post(url, {"nav": "next"}).content.decode()
    assert '<h1 tabindex="-1">' in refused
    first_radio = refused.split('type="radio"', 1)[1].split(">", 1)[0]
    assert "autofocus" in first_radio


# --- 11. Wording ---------------------------------------------------------------------------------------------------


def test_a_first_proposal_does_not_say_approvals_start_again(client: Client, alice: User, bob: User) -> None:
    integration = make_integration(make_team_project(alice, bob=Role.REVIEWER))
    client.force_login(alice)
    url = reverse("projects:decision_save", args=[integration.project_id, integration.pk])
    first = client.post(url, {"chosen_pattern_slug": "odata", "rationale": "Fits.", "version": "0"}, follow=True)
    assert "Decision proposed; the team&#x27;s reviewers have been asked" in first.content.decode()
    assert "Approvals start again" not in first.content.decode()
    changed = client.post(url, {"chosen_pattern_slug": "odata", "rationale": "Still.", "version": "1"}, follow=True)
    assert "earlier approvals no longer count" in changed.content.decode()


def test_drafts_are_named_in_words(client: Client, alice: User) -> None:
    make_draft(alice, {"scope": "fno_external", "goal": "event_notification"})
    client.force_login(alice)
    body = client.get(reverse("wizard:start")).content.decode()
    assert "event_notification" not in body and "Draft " not in body


def test_my_work_with_no_team_does_not_count_zero_teams(client: Client, charlie: User) -> None:
    Membership.objects.filter(user=charlie).delete()
    client.force_login(charlie)
    body = client.get("/").content.decode()
    assert "0 teams" not in body and "You aren't in a team yet" in body


def test_the_numbers_line_keeps_the_units_as_written(client: Client, alice: User) -> None:
    client.force_login(alice)
    draft = make_draft(alice, {**WEB_SHOP, "capacity": {"records_per_day": 3000, "record_size_kb": 300}})
    body = client.get(reverse("wizard:results", args=[draft.pk])).content.decode()
    assert "Size of one record or message (KB): 300" in body and "(kb)" not in body


def test_a_lead_under_a_tenth_of_a_point_is_called_level(client: Client, alice: User) -> None:
    from django.template.loader import render_to_string

    from patterns.catalog import rank
    from patterns.requirements import Requirements

    ranking = _with_lead(rank(Requirements.from_mapping(WEB_SHOP)), 0.04)  # the same ranking, its lead made tiny
    html = render_to_string("portal/ranking.html", {"ranking": ranking, "show_winner": True})
    assert "0.0 point" not in html and "level on points with" in html


def _with_lead(ranking: Any, lead: float) -> Any:
    class Led(type(ranking)):  # type: ignore[misc]
        @property
        def lead(self) -> float:
            return lead

    copy = object.__new__(Led)
    copy.__dict__.update(ranking.__dict__)
    return copy


def test_acceptance_refusal_counts_in_words(alice: User, bob: User) -> None:
    integration = make_integration(make_team_project(alice, bob=Role.REVIEWER))
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    with pytest.raises(ValidationError, match=r"needs 1 reviewer approval; it has 0"):
        decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)


# --- 13, 21. Approving once; superseding asks first and can be undone ---------------------------------------------


def test_approve_is_not_offered_again_after_i_approved(client: Client, alice: User, bob: User) -> None:
    integration = make_integration(make_team_project(alice, bob=Role.REVIEWER))
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    client.force_login(bob)
    url = reverse("projects:integration", args=[integration.project_id, integration.pk])
    assert ">Approve</button>" in client.get(url).content.decode()
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    body = client.get(url).content.decode()
    assert ">Approve</button>" not in body and "You approved this version." in body


def test_supersede_asks_for_confirmation_and_reinstate_undoes_it(client: Client, decided: Integration, alice: User,
                                                                 bob: User) -> None:  # fmt: skip
    project = decided.project
    first = Integration.objects.get(project=project, name="Orders v1")
    decision = first.decision
    client.force_login(bob)
    url = reverse("projects:decision_status", args=[project.pk, first.pk])
    # Already superseded by the fixture: reinstating asks first, then undoes it.
    asked = client.post(url, {"status": "accepted", "reinstate": "yes", "version": decision.version})
    assert asked.status_code == 200 and "Reinstate this decision?" in asked.content.decode()
    assert Decision.objects.get(pk=decision.pk).status == "superseded"
    done = client.post(url, {"status": "accepted", "reinstate": "yes", "confirmed": "yes",
                             "version": decision.version}, follow=True)  # fmt: skip
    reinstated = Decision.objects.get(pk=decision.pk)
    assert "Decision reinstated" in done.content.decode()
    assert reinstated.status == "accepted" and reinstated.superseded_by is None and reinstated.decided_by == bob
    # Superseding again asks first and names the replacement; only the confirmation changes it.
    replacement = Integration.objects.get(project=project, name="Orders v2").decision
    ask = client.post(url, {"status": "superseded", "superseded_by": replacement.pk, "version": reinstated.version})
    assert "Mark this decision superseded?" in ask.content.decode() and "Orders v2" in ask.content.decode()
    assert Decision.objects.get(pk=decision.pk).status == "accepted"
    client.post(url, {"status": "superseded", "superseded_by": replacement.pk, "version": reinstated.version,
                      "confirmed": "yes"})  # fmt: skip
    assert Decision.objects.get(pk=decision.pk).status == "superseded"
    assert HistoryEntry.objects.filter(integration=first, action="decision reinstated").exists()


# --- 14, 16. The API docs on a phone; the favicon and the Permissions-Policy -------------------------------------


def test_the_api_docs_fit_a_phone_and_lead_back(client: Client) -> None:
    body = client.get(reverse("api:openapi-view")).content.decode()
    assert 'name="viewport" content="width=device-width' in body and "← Integration decision portal" in body


def test_favicon_ico_is_the_sites_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and "favicon" in response["Location"] and response["Location"].endswith(".svg")


def test_the_permissions_policy_names_only_features_chromium_knows(client: Client) -> None:
    policy = client.get("/").headers["Permissions-Policy"]
    for unknown in ("ambient-light-sensor", "battery", "bluetooth", "document-domain", "web-share"):
        assert unknown not in policy


# --- 5. A catalog change reaches people ---------------------------------------------------------------------------


def _demote_odata(actor: User) -> None:
    from patterns.models import Fit
    from patterns.publishing import version_publish

    Fit.objects.filter(pattern__slug="odata", question="volume", value="low").update(level="poor", rationale="Demoted.")
    version_publish(actor=actor, note="Demote OData for low volume.", override_reason="Testing re-evaluation.")


def test_a_publish_that_changes_a_saved_pick_reaches_the_owners_and_the_proposer(
    client: Client, alice: User, bob: User, charlie: User, mailoutbox: list[Any]
) -> None:
    from portal.models import Notification

    project = make_team_project(alice, bob=Role.CONTRIBUTOR, charlie=Role.VIEWER)
    integration = make_integration(project)
    decision_save(integration=integration, actor=bob, chosen_pattern_slug="odata", rationale="Fits.")
    _demote_odata(alice)
    told = Notification.objects.filter(kind="catalog_changed")
    assert set(told.values_list("recipient__username", flat=True)) == {"alice", "bob"}  # not the viewer
    note = told.get(recipient=bob)
    assert "would pick" in note.message and "not the saved OData" in note.message
    assert note.url == reverse("projects:rerank", args=[project.pk, integration.pk])
    assert any("would pick" in mail.body for mail in mailoutbox)
    # The integration page says so, and so does My work.
    client.force_login(bob)
    page = client.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert "The catalog changed." in page and "not the saved OData" in page
    home = client.get("/").content.decode()
    assert "Catalog changes to look at" in home and "Web shop orders: The current catalog would pick" in home
    # Publishing again with nothing new for it tells nobody twice; My work still lists it.
    from patterns.publishing import version_publish

    version_publish(actor=alice, note="No change.", override_reason="Testing.")
    assert told.filter(recipient=bob).count() == 1
    assert "Catalog changes to look at" in client.get("/").content.decode()


def test_re_rank_all_previews_side_by_side_and_adopts_only_the_ticked(client: Client, alice: User) -> None:
    project = make_team_project(alice)
    first, second = make_integration(project, "Orders"), make_integration(project, "Returns")
    _demote_odata(alice)
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "2 integrations the current catalog answers differently" in page
    preview = client.get(reverse("projects:rerank_all", args=[project.pk]))
    assert [c.integration for c in preview.context["changes"]] == ["Orders", "Returns"]
    assert Integration.objects.get(pk=first.pk).top_pattern_slug == "odata"  # a preview changes nothing
    client.post(reverse("projects:rerank_all", args=[project.pk]), {"action": "adopt", "integration": [first.pk]})
    assert Integration.objects.get(pk=first.pk).top_pattern_slug != "odata"
    assert Integration.objects.get(pk=second.pk).top_pattern_slug == "odata"
    client.post(reverse("projects:rerank_all", args=[project.pk]), {"action": "keep"})
    assert client.get(reverse("projects:rerank_all", args=[project.pk])).context["changes"] == []


def test_a_viewer_sees_the_preview_but_cannot_adopt(client: Client, alice: User, charlie: User) -> None:
    project = make_team_project(alice, charlie=Role.VIEWER)
    make_integration(project)
    _demote_odata(alice)
    client.force_login(charlie)
    page = client.get(reverse("projects:rerank_all", args=[project.pk])).content.decode()
    assert "Web shop orders" in page and "Adopt the new rankings ticked" not in page
    assert client.post(reverse("projects:rerank_all", args=[project.pk]), {"action": "keep"}).status_code == 403


def test_a_reload_or_rollback_names_the_fits_it_changed() -> None:
    from patterns.audit import changed_keys

    before = {"name": "OData", "fits": {"volume": {"low": {"fit": "strong", "why": "a"}, "high": {"fit": "weak",
              "why": "b"}}}}  # fmt: skip
    after = {"name": "OData", "fits": {"volume": {"low": {"fit": "poor", "why": "a"}, "high": {"fit": "weak",
             "why": "c"}}}}  # fmt: skip
    assert changed_keys(before, after) == {"fits": ("volume=low: strong", "volume=low: poor")}
    reasons_only = {"fits": {"volume": {"low": {"fit": "strong", "why": "new"}, "high": {"fit": "weak", "why": "b"}}}}
    assert "(fits)" not in str(changed_keys(before, {**before, **reasons_only}))
