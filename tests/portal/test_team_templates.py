"""Team templates (issue 27): a team saves a wizard's answers under a name ("our Azure Integration Services
standard"); a new wizard starts from one, every answer filled in and still changeable; the team page lists them and
its editors remove them. Members only: outsiders get 404, readers can't write."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portal.models import Role, Team, TeamTemplate, WizardDraft
from portal.services.team_templates import team_template_create
from tests.conftest import make_user
from tests.factories import WEB_SHOP, make_draft, make_team

pytestmark = pytest.mark.django_db

AIS_STANDARD = {**WEB_SHOP, "deployment": "cloud", "team_platform": "azure_integration_services"}


@pytest.fixture
def dave(db: None) -> User:
    """A viewer in the team: reads, never writes."""
    return make_user("dave")


@pytest.fixture
def team(alice: User, bob: User, dave: User) -> Team:
    return make_team(alice, bob=Role.CONTRIBUTOR, dave=Role.VIEWER)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save_template(client: Client, draft: WizardDraft, team: Team, name: str) -> Any:
    data = {"template-name": name, "template-team": str(team.pk)}
    return client.post(reverse("wizard:save_template", args=[draft.pk]), data)


def test_a_member_who_edits_saves_the_wizards_answers_as_a_named_team_template(team: Team, bob: User) -> None:
    draft = make_draft(bob, {**AIS_STANDARD, "capacity": {"records_per_day": 5000}})
    client = signed_in(bob)
    response = save_template(client, draft, team, "  Our Azure Integration Services   standard ")
    assert response.status_code == 302 and response["Location"] == reverse("wizard:results", args=[draft.pk])
    template = TeamTemplate.objects.get()
    assert (template.team, template.name, template.created_by) == (team, "Our Azure Integration Services standard", bob)
    assert template.answers == AIS_STANDARD  # the answers; the numbers belong to each integration
    page = client.get(response["Location"]).content.decode()
    assert "Saved as the template “Our Azure Integration Services standard” of Integration team" in page


def test_the_results_offer_only_the_teams_where_i_edit(team: Team, dave: User, bob: User) -> None:
    dave_page = signed_in(dave).get(reverse("wizard:results", args=[make_draft(dave, WEB_SHOP).pk])).content
    assert f'<option value="{team.pk}">Integration team</option>' not in dave_page.decode()
    assert "My personal team" in dave_page.decode()  # his own team, where he edits
    bob_page = signed_in(bob).get(reverse("wizard:results", args=[make_draft(bob, WEB_SHOP).pk])).content
    assert f'<option value="{team.pk}">Integration team</option>' in bob_page.decode()


def test_a_reader_cannot_save_a_template_for_a_team_they_only_read(team: Team, dave: User) -> None:
    response = save_template(signed_in(dave), make_draft(dave, WEB_SHOP), team, "Viewer's idea")
    assert response.status_code == 400 and not TeamTemplate.objects.exists()


def test_a_template_name_is_once_per_team_whatever_its_case(team: Team, alice: User, bob: User) -> None:
    client = signed_in(bob)
    save_template(client, make_draft(bob, WEB_SHOP), team, "Our standard")
    refused = save_template(client, make_draft(bob, AIS_STANDARD), team, "OUR STANDARD")
    assert refused.status_code == 400
    assert "The team has a template of that name already" in refused.content.decode()
    assert TeamTemplate.objects.count() == 1
    other = make_team(alice, "Another team")
    team_template_create(team=other, name="Our standard", answers=WEB_SHOP, actor=alice)  # another team may


def test_template_answers_are_checked_against_the_vocabulary(team: Team, alice: User) -> None:
    with pytest.raises(ValidationError, match=r"goal: Unknown value 'teleport'"):
        team_template_create(team=team, name="Odd", answers={"scope": "fno_external", "goal": "teleport"}, actor=alice)
    with pytest.raises(ValidationError, match="scope: This field is required"):
        team_template_create(team=team, name="Odd", answers={"goal": "data_sync"}, actor=alice)
    with pytest.raises(ValidationError, match=r"Name the template|This field cannot be blank"):
        team_template_create(team=team, name="   ", answers=WEB_SHOP, actor=alice)
    assert not TeamTemplate.objects.exists()


def test_an_unfinished_draft_cannot_become_a_template(team: Team, bob: User) -> None:
    response = save_template(signed_in(bob), make_draft(bob, {"goal": "data_sync"}), team, "Half")
    assert response.status_code == 302 and response["Location"].endswith("/need/")
    assert not TeamTemplate.objects.exists()


def test_the_wizard_start_lists_the_templates_of_my_teams_only(team: Team, alice: User, bob: User,
                                                               charlie: User) -> None:  # fmt: skip
    team_template_create(team=team, name="Our AIS standard", answers=AIS_STANDARD, actor=alice)
    mine = signed_in(bob).get(reverse("wizard:start")).content.decode()
    assert "Our AIS standard" in mine
    assert "Integration team · Exchange or synchronise data · Finance and operations" in mine
    outsider = signed_in(charlie).get(reverse("wizard:start")).content.decode()
    assert "Our AIS standard" not in outsider and "None yet." in outsider


def test_a_wizard_started_from_a_template_has_every_answer_filled_in_and_each_stays_changeable(
    team: Team, alice: User, dave: User
) -> None:
    template = team_template_create(team=team, name="Our AIS standard", answers=AIS_STANDARD, actor=alice)
    client = signed_in(dave)  # a viewer may start a wizard of his own from it
    response = client.post(reverse("wizard:new"), {"template": str(template.pk)})
    draft = WizardDraft.objects.get(owner=dave)
    assert response.status_code == 302 and response["Location"] == reverse("wizard:step", args=[draft.pk, "need"])
    assert draft.answers == AIS_STANDARD
    need = client.get(response["Location"]).content.decode()
    assert "Started from Integration team&#x27;s template “Our AIS standard”" in need
    assert '<input type="radio" name="scope" value="fno_external" checked required>' in need
    delivery = client.get(reverse("wizard:step", args=[draft.pk, "delivery"])).content.decode()
    assert '<input type="radio" name="team_platform" value="azure_integration_services" checked>' in delivery
    client.post(reverse("wizard:step", args=[draft.pk, "flow"]), {"direction": "outbound", "timing": "synchronous",
                                                                   "volume": "low"})  # fmt: skip
    draft.refresh_from_db()
    template.refresh_from_db()
    assert draft.answers["direction"] == "outbound" and template.answers["direction"] == "inbound"


def test_an_outsider_gets_404_for_another_teams_template(team: Team, alice: User, charlie: User) -> None:
    template = team_template_create(team=team, name="Our AIS standard", answers=AIS_STANDARD, actor=alice)
    client = signed_in(charlie)
    assert client.post(reverse("wizard:new"), {"template": str(template.pk)}).status_code == 404
    remove = reverse("teams:template_remove", args=[team.pk, template.pk])
    assert client.post(remove).status_code == 404
    assert not WizardDraft.objects.filter(owner=charlie).exists() and TeamTemplate.objects.exists()


def test_the_team_page_lists_its_templates_and_members_who_edit_remove_them(
    team: Team, alice: User, bob: User, dave: User
) -> None:
    template = team_template_create(team=team, name="Our AIS standard", answers=AIS_STANDARD, actor=alice)
    remove = reverse("teams:template_remove", args=[team.pk, template.pk])
    page = signed_in(dave).get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "Our AIS standard" in page and "saved by alice" in page and remove not in page
    assert signed_in(dave).post(remove).status_code == 403
    client = signed_in(bob)
    url = reverse("teams:detail", args=[team.pk])
    client.get(url)  # the CSRF cookie, which the ETag names
    etag = client.get(url)["ETag"]
    assert remove in client.get(url).content.decode()
    assert client.post(remove)["Location"] == url
    assert not TeamTemplate.objects.exists()
    after = client.get(url, headers={"if-none-match": etag})
    assert after.status_code == 200 and "No templates yet." in after.content.decode()


def test_a_template_of_one_team_is_not_removed_through_another(team: Team, alice: User) -> None:
    template = team_template_create(team=team, name="Our AIS standard", answers=AIS_STANDARD, actor=alice)
    other = make_team(alice, "Another team")
    response = signed_in(alice).post(reverse("teams:template_remove", args=[other.pk, template.pk]))
    assert response.status_code == 404 and TeamTemplate.objects.exists()


def test_template_writes_need_sign_in_a_post_and_the_csrf_token(team: Team, alice: User, bob: User) -> None:
    template = team_template_create(team=team, name="Our AIS standard", answers=AIS_STANDARD, actor=alice)
    draft = make_draft(bob, WEB_SHOP)
    writes = [reverse("wizard:save_template", args=[draft.pk]),
              reverse("teams:template_remove", args=[team.pk, template.pk])]  # fmt: skip
    for url in writes:
        assert reverse("login") in Client().post(url)["Location"]
        assert signed_in(bob).get(url).status_code == 405
        forged = Client(enforce_csrf_checks=True)
        forged.force_login(bob)
        assert forged.post(url, {"template-name": "X", "template-team": str(team.pk)}).status_code == 403
    assert TeamTemplate.objects.count() == 1


def test_the_wizard_start_reads_templates_in_a_bounded_number_of_queries(
    team: Team, alice: User, bob: User, django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(bob)
    team_template_create(team=team, name="Standard", answers=AIS_STANDARD, actor=alice)
    client.get(reverse("wizard:start"))
    with django_assert_num_queries(99, exact=False) as one:
        client.get(reverse("wizard:start"))
    for number in range(12):
        team_template_create(team=team, name=f"Standard {number}", answers=AIS_STANDARD, actor=alice)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("wizard:start")).content.decode()
    assert page.count('name="template"') == 13


def test_template_names_are_escaped(team: Team, alice: User, bob: User) -> None:
    team_template_create(team=team, name="<script>alert(1)</script>", answers=WEB_SHOP, actor=alice)
    for url in (reverse("wizard:start"), reverse("teams:detail", args=[team.pk])):
        page = signed_in(bob).get(url).content.decode()
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
