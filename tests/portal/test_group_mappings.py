"""Entra ID groups: staff map a group (or an app role) to a team and a role; at each OpenID Connect sign-in the
person's memberships of mapped teams follow the ID token, and the team's history says what changed and why.

The service is tested on its own first; the last tests sign in through a real OpenID Connect provider
(tests/browser/oidc_provider) that issues the groups claim, and a groups overage. `pytest -k group_mapping`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from portal.models import (
    GroupMapping,
    HistoryEntry,
    Membership,
    MembershipSource,
    Project,
    Role,
    Team,
    TeamHistoryEntry,
)
from portal.services.directory import DirectoryClaims, DirectorySync, memberships_follow_directory
from portal.services.projects import project_create
from portal.services.teams import team_personal
from tests.browser.oidc_provider import LocalProvider, running_provider
from tests.conftest import make_user
from tests.factories import make_team, make_team_project

pytestmark = pytest.mark.django_db

TENANT = "833ced3d-cb2e-41de-92f1-29e2af035ddc"
OTHER_TENANT = "0b6e4d17-2222-4f7a-8b3c-000000000002"
ARCHITECTS = "0760b6cf-170e-4a14-91b3-4b78e0739963"
REVIEWERS = "3b2b0c93-acd8-4208-8eba-7a48db1cd4c0"


@pytest.fixture(autouse=True)
def _one_tenant_signs_in(settings: Settings) -> None:
    settings.OIDC_ALLOWED_TENANTS = [TENANT]


@pytest.fixture
def project(alice: User) -> Project:
    return make_team_project(alice)


def mapped(team: Team, value: str = ARCHITECTS, role: str = Role.CONTRIBUTOR, **fields: Any) -> GroupMapping:
    mapping = GroupMapping(team=team, value=value, role=role, **fields)
    mapping.full_clean()
    mapping.save()
    return mapping


def signs_in(user: User, *, groups: tuple[str, ...] = (), **claims: Any) -> DirectorySync:
    token = {"tid": TENANT, "groups": list(groups), **claims}
    return memberships_follow_directory(user=user, claims=DirectoryClaims.from_id_token(token))


def role_of(user: User, team: Team) -> str | None:
    membership = Membership.objects.filter(team=team, user=user).first()
    return membership.role if membership else None


def history(project: Project) -> list[tuple[str, str]]:
    return list(HistoryEntry.objects.filter(project=project).order_by("id").values_list("action", "subject"))


# --- Reading the token --------------------------------------------------------------------------------------------


def test_group_mapping_claims_are_read_from_the_id_token_and_an_overage_is_recognised() -> None:
    claims = DirectoryClaims.from_id_token({"tid": TENANT.upper(), "groups": [ARCHITECTS.upper()], "roles": ["Arch"]})
    assert claims == DirectoryClaims(tenant=TENANT, groups=frozenset({ARCHITECTS}), roles=frozenset({"Arch"}))
    assert DirectoryClaims.from_id_token({"tid": TENANT}).groups == frozenset()  # no groups claim: in no group
    overage = {"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "https://graph.example"}}}
    assert DirectoryClaims.from_id_token(overage).groups is None
    assert DirectoryClaims.from_id_token({"hasgroups": True}).groups is None  # the implicit flow's overage
    assert DirectoryClaims.from_id_token({"groups": "not-a-list"}).groups == frozenset()


# --- Following the claim ------------------------------------------------------------------------------------------


def test_group_mapping_a_mapped_group_makes_a_member_at_once_and_the_history_says_so(
    project: Project, bob: User
) -> None:
    mapped(project.team, role=Role.CONTRIBUTOR, label="D365 architects")
    sync = signs_in(bob, groups=(ARCHITECTS,))
    assert role_of(bob, project.team) == Role.CONTRIBUTOR
    assert Membership.objects.get(user=bob, team=project.team).source == MembershipSource.DIRECTORY
    assert sync.changes == ["Integration team: bob joined as contributor at sign-in (Entra ID group D365 architects)"]
    entry = HistoryEntry.objects.get(project=project, action="member added by the directory")
    assert entry.actor == bob
    assert entry.subject == "bob joined as contributor at sign-in (Entra ID group D365 architects)"
    assert signs_in(bob, groups=(ARCHITECTS,)).changes == []  # nothing changed, nothing recorded
    assert HistoryEntry.objects.filter(project=project, action__endswith="by the directory").count() == 1


def test_group_mapping_gaining_and_losing_groups_changes_the_role_and_removes_the_member(
    project: Project, bob: User
) -> None:
    team = project.team
    mapped(team, ARCHITECTS, Role.CONTRIBUTOR)
    mapped(team, REVIEWERS, Role.REVIEWER, label="Reviewers")
    signs_in(bob, groups=(ARCHITECTS,))
    signs_in(bob, groups=(ARCHITECTS, REVIEWERS))  # two mapped groups: the higher role
    assert role_of(bob, team) == Role.REVIEWER
    signs_in(bob, groups=(ARCHITECTS,))
    assert role_of(bob, team) == Role.CONTRIBUTOR
    signs_in(bob, groups=())
    assert role_of(bob, team) is None
    assert history(project)[-4:] == [
        ("member added by the directory", f"bob joined as contributor at sign-in (Entra ID group {ARCHITECTS})"),
        ("role changed by the directory", "bob: contributor → reviewer at sign-in (Entra ID group Reviewers)"),
        ("role changed by the directory", f"bob: reviewer → contributor at sign-in (Entra ID group {ARCHITECTS})"),
        (
            "member removed by the directory",
            "bob left the team at sign-in: no group or app role of theirs is mapped to the team any more",
        ),
    ]


def test_group_mapping_an_app_role_maps_like_a_group(project: Project, bob: User) -> None:
    mapped(project.team, "Portal.Reviewer", Role.REVIEWER, claim=GroupMapping.Claim.ROLES)
    signs_in(bob, roles=["Portal.Reviewer"])
    assert role_of(bob, project.team) == Role.REVIEWER
    signs_in(bob, roles=["portal.reviewer"])  # an app role's value is matched exactly
    assert role_of(bob, project.team) is None


def test_group_mapping_hand_made_memberships_stay_until_a_mapping_covers_them(project: Project, bob: User) -> None:
    team = project.team
    Membership.objects.create(team=team, user=bob, role=Role.REVIEWER)  # an owner added bob by hand
    mapped(team, ARCHITECTS, Role.CONTRIBUTOR)
    signs_in(bob, groups=())
    assert role_of(bob, team) == Role.REVIEWER  # no group of bob's is mapped to the team: not covered

    signs_in(bob, groups=(ARCHITECTS,))  # now one is: the directory takes the membership over
    assert role_of(bob, team) == Role.CONTRIBUTOR
    assert Membership.objects.get(team=team, user=bob).source == MembershipSource.DIRECTORY
    signs_in(bob, groups=())
    assert role_of(bob, team) is None


def test_group_mapping_a_hand_made_membership_with_the_same_role_is_taken_over_and_said_so(
    project: Project, bob: User
) -> None:
    Membership.objects.create(team=project.team, user=bob, role=Role.CONTRIBUTOR)
    mapped(project.team, ARCHITECTS, Role.CONTRIBUTOR, label="Architects")
    signs_in(bob, groups=(ARCHITECTS,))
    assert history(project)[-1] == (
        "membership follows the directory",
        "bob as contributor follows Entra ID group Architects from this sign-in on",
    )


def test_group_mapping_teams_never_mapped_are_never_touched(alice: User, bob: User) -> None:
    mapped_project, other_project = make_team_project(alice), make_team_project(alice)
    mapped(mapped_project.team, ARCHITECTS, Role.CONTRIBUTOR)
    Membership.objects.create(team=other_project.team, user=bob, role=Role.VIEWER)
    signs_in(bob, groups=(ARCHITECTS,))
    signs_in(bob, groups=())
    assert role_of(bob, other_project.team) == Role.VIEWER
    assert history(other_project)[-1][0] == "project created"


def test_group_mapping_deleting_a_teams_last_mapping_takes_away_what_the_directory_gave_at_the_next_sign_in(
    project: Project, bob: User, charlie: User
) -> None:
    team = project.team
    mapping = mapped(team, ARCHITECTS, Role.REVIEWER)
    signs_in(bob, groups=(ARCHITECTS,))
    Membership.objects.create(team=team, user=charlie, role=Role.VIEWER)  # added by hand, never covered
    mapping.delete()  # staff stop mapping the team, bob still in the group

    sync = signs_in(bob, groups=(ARCHITECTS,))
    assert role_of(bob, team) is None
    assert role_of(charlie, team) == Role.VIEWER and signs_in(charlie).changes == []
    assert sync.changes == [
        "Integration team: bob left the team at sign-in: the team no longer follows any Entra ID group or app role"
    ]
    assert history(project)[-1] == (
        "member removed by the directory",
        "bob left the team at sign-in: the team no longer follows any Entra ID group or app role",
    )
    assert signs_in(bob, groups=(ARCHITECTS,)).changes == []


def test_group_mapping_deleting_a_teams_last_mapping_keeps_its_last_owner_until_another_owner_exists(
    project: Project, alice: User, bob: User
) -> None:
    team = project.team
    mapping = mapped(team, ARCHITECTS, Role.OWNER)
    signs_in(alice, groups=(ARCHITECTS,))  # the team's only owner, now the directory's
    mapping.delete()
    signs_in(alice, groups=())
    assert role_of(alice, team) == Role.OWNER
    assert history(project)[-1] == (
        "last owner kept",
        "alice stays owner as the team's last owner: the team no longer follows any Entra ID group or app role, and "
        "nobody else owns the team. Make someone else owner first",
    )
    Membership.objects.create(team=team, user=bob, role=Role.OWNER)
    signs_in(alice, groups=())
    assert role_of(alice, team) is None  # kept, not given: it goes once the team has another owner


def test_group_mapping_a_mapping_of_another_tenant_grants_nothing(project: Project, bob: User) -> None:
    mapped(project.team, "Portal.Owner", Role.OWNER, claim=GroupMapping.Claim.ROLES, tenant=TENANT)
    signs_in(bob, roles=["Portal.Owner"], tid=OTHER_TENANT)
    assert role_of(bob, project.team) is None
    signs_in(bob, roles=["Portal.Owner"])
    assert role_of(bob, project.team) == Role.OWNER


def test_group_mapping_an_app_role_or_a_group_name_saved_while_one_tenant_signs_in_is_given_that_tenant(
    project: Project,
) -> None:
    assert mapped(project.team, "Portal.Reviewer", Role.REVIEWER, claim=GroupMapping.Claim.ROLES).tenant == TENANT
    assert mapped(project.team, "sg-d365-architects", Role.VIEWER).tenant == TENANT  # an on-premises group name
    assert mapped(project.team, ARCHITECTS, Role.VIEWER).tenant == ""  # an object id is the directory's own


def test_group_mapping_without_a_tenant_trusts_only_the_one_tenant_allowed_when_it_was_saved(
    project: Project, bob: User, settings: Settings
) -> None:
    team = project.team
    # As saved before mappings were given their tenant: no tenant, while only TENANT could sign in.
    GroupMapping.objects.create(team=team, claim=GroupMapping.Claim.ROLES, value="Portal.Owner", role=Role.OWNER)
    GroupMapping.objects.create(team=team, value="sg-d365-reviewers", role=Role.REVIEWER)
    mapped(team, ARCHITECTS, Role.VIEWER)
    signs_in(bob, groups=("sg-d365-reviewers",), roles=["Portal.Owner"])
    assert role_of(bob, team) == Role.OWNER

    settings.OIDC_ALLOWED_TENANTS = [TENANT, OTHER_TENANT]  # a second tenant, whose administrators assign roles too
    signs_in(bob, groups=("sg-d365-reviewers",), roles=["Portal.Owner"], tid=OTHER_TENANT)
    assert role_of(bob, team) is None
    signs_in(bob, groups=(ARCHITECTS,), roles=["Portal.Owner"], tid=OTHER_TENANT)
    assert role_of(bob, team) == Role.VIEWER  # a group's object id is still the group's, whoever signs in
    signs_in(bob, groups=("sg-d365-reviewers",), roles=["Portal.Owner"])  # even from the first: with two allowed,
    assert role_of(bob, team) is None  # which tenant those mappings trusted isn't written down

    settings.OIDC_ALLOWED_TENANTS = []  # e-mail domains instead of tenants
    signs_in(bob, groups=("sg-d365-reviewers",), roles=["Portal.Owner"])
    assert role_of(bob, team) is None


# --- The team's last owner ----------------------------------------------------------------------------------------


def test_group_mapping_never_removes_the_last_owner_and_says_why_once(project: Project, alice: User) -> None:
    team = project.team
    mapped(team, ARCHITECTS, Role.OWNER, label="Owners")
    signs_in(alice, groups=(ARCHITECTS,))  # alice made the team: her owner membership is now the directory's
    signs_in(alice, groups=())
    assert role_of(alice, team) == Role.OWNER
    assert Membership.objects.get(team=team, user=alice).source == MembershipSource.KEPT
    kept = [entry for entry in history(project) if entry[0] == "last owner kept"]
    assert kept == [
        (
            "last owner kept",
            "alice stays owner as the team's last owner: no group or app role of theirs is mapped to the team any "
            "more, and nobody else owns the team. Make someone else owner first",
        )
    ]
    signs_in(alice, groups=())  # said once, not at every sign-in
    assert [entry for entry in history(project) if entry[0] == "last owner kept"] == kept


def test_group_mapping_keeps_the_last_owner_rather_than_demote_them(project: Project, alice: User) -> None:
    mapped(project.team, ARCHITECTS, Role.VIEWER)
    signs_in(alice, groups=(ARCHITECTS,))
    assert role_of(alice, project.team) == Role.OWNER
    assert history(project)[-1][1].startswith(f"alice stays owner as the team's last owner: Entra ID group {ARCHITECTS}"
                                              " makes them viewer")  # fmt: skip


def test_group_mapping_a_kept_owner_follows_the_directory_once_another_owner_exists(
    project: Project, alice: User, bob: User
) -> None:
    team = project.team
    mapped(team, ARCHITECTS, Role.OWNER)
    signs_in(alice, groups=(ARCHITECTS,))
    signs_in(alice, groups=())
    Membership.objects.create(team=team, user=bob, role=Role.OWNER)
    signs_in(alice, groups=())
    assert role_of(alice, team) is None
    assert role_of(bob, team) == Role.OWNER


# --- The team's history -------------------------------------------------------------------------------------------


def test_group_mapping_a_change_in_a_team_without_projects_is_in_the_teams_history(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    team = make_team(alice)
    mapped(team, ARCHITECTS, Role.REVIEWER, label="Reviewers")
    revision = Team.objects.get(pk=team.pk).revision
    signs_in(bob, groups=(ARCHITECTS,))
    assert Team.objects.get(pk=team.pk).revision == revision + 1
    entry = TeamHistoryEntry.objects.get(team=team, action="member added by the directory")
    assert (entry.actor, entry.subject) == (bob, "bob joined as reviewer at sign-in (Entra ID group Reviewers)")

    client.force_login(alice)
    said = (
        "<strong>Member added by the directory</strong>: bob joined as reviewer at sign-in (Entra ID group Reviewers)"
    )
    assert said in client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert said in client.get(reverse("teams:history", args=[team.pk])).content.decode()


def test_group_mapping_a_change_costs_the_same_queries_however_many_projects_the_team_has(
    alice: User, bob: User, charlie: User
) -> None:
    def queries_of_a_sign_in(user: User, team: Team, group: str) -> int:
        mapped(team, group, Role.CONTRIBUTOR)
        with CaptureQueriesContext(connection) as queries:
            signs_in(user, groups=(group,))
        return len(queries)

    one_project, many_projects = make_team(alice, "One"), make_team(alice, "Many")
    project_create(owner=alice, name="Only", description="", team=one_project)
    for index in range(6):
        project_create(owner=alice, name=f"P{index}", description="", team=many_projects)
    revisions = dict(many_projects.projects.values_list("pk", "revision"))
    assert queries_of_a_sign_in(bob, one_project, ARCHITECTS) == queries_of_a_sign_in(charlie, many_projects, REVIEWERS)
    for project in many_projects.projects.all():  # every project still has the change, and its revision moved
        assert history(project)[-1] == ("member added by the directory", f"charlie joined as contributor at sign-in "
                                        f"(Entra ID group {REVIEWERS})")  # fmt: skip
        assert project.revision == revisions[project.pk] + 1


# --- Groups overage -----------------------------------------------------------------------------------------------

OVERAGE = {"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "https://graph.example/x"}}}


def signs_in_with_too_many_groups(user: User, *, roles: tuple[str, ...] = ()) -> DirectorySync:
    token = {"tid": TENANT, "roles": list(roles), **OVERAGE}
    return memberships_follow_directory(user=user, claims=DirectoryClaims.from_id_token(token))


def test_group_mapping_an_overage_leaves_group_mapped_teams_as_they_were_and_app_roles_still_apply(
    alice: User, bob: User
) -> None:
    by_group, by_role = make_team_project(alice), make_team_project(alice)
    mapped(by_group.team, ARCHITECTS, Role.REVIEWER)
    mapped(by_role.team, "Portal.Viewer", Role.VIEWER, claim=GroupMapping.Claim.ROLES)
    signs_in(bob, groups=(ARCHITECTS,))
    sync = signs_in_with_too_many_groups(bob, roles=("Portal.Viewer",))
    assert sync.groups_unread
    assert role_of(bob, by_group.team) == Role.REVIEWER  # unchanged, not removed
    assert role_of(bob, by_role.team) == Role.VIEWER
    assert not signs_in(bob, groups=(ARCHITECTS,)).groups_unread


def test_group_mapping_an_overage_matters_only_where_groups_are_mapped(project: Project, bob: User) -> None:
    assert not signs_in_with_too_many_groups(bob).groups_unread


# --- Mappings staff keep in the admin -----------------------------------------------------------------------------


def test_group_mapping_refuses_what_cannot_work_with_a_clear_message(
    project: Project, alice: User, settings: Settings
) -> None:
    def problems(**fields: Any) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as refused:
            mapped(**{"team": project.team, **fields})
        return refused.value.message_dict

    assert "personal team" in problems(team=team_personal(alice))["team"][0]
    assert "isn't in OIDC_ALLOWED_TENANTS" in problems(tenant="another-tenant")["tenant"][0]
    mapped(project.team, ARCHITECTS.upper(), Role.VIEWER)
    assert GroupMapping.objects.get().value == ARCHITECTS  # object ids compare without case
    assert problems(value=f" {ARCHITECTS} ")["__all__"] == [
        "This team already has a mapping for this group or app role."
    ]

    settings.OIDC_ALLOWED_TENANTS = [TENANT, OTHER_TENANT]
    assert "give the tenant" in problems(value="Portal.Owner", claim=GroupMapping.Claim.ROLES)["tenant"][0]
    assert "give the tenant" in problems(value="sg-d365-architects")["tenant"][0]  # an on-premises group name
    mapped(project.team, REVIEWERS, Role.VIEWER)  # an object id is the directory's own: no tenant needed
    mapped(project.team, "Portal.Owner", Role.OWNER, claim=GroupMapping.Claim.ROLES, tenant=TENANT)


def test_group_mapping_staff_add_a_mapping_in_the_admin_and_see_mistakes_explained(
    client: Client, project: Project, alice: User
) -> None:
    team_personal(alice)
    client.force_login(alice)  # a superuser
    add = reverse("admin:portal_groupmapping_add")
    page = client.get(add).content.decode()
    assert "at their next sign-in" in page
    assert f'<option value="{project.team.pk}">' in page and "alice&#x27;s team" not in page  # shared teams only
    fields = {"claim": "roles", "value": "Portal.Owner", "label": "", "tenant": "", "role": "owner"}
    response = client.post(add, {**fields, "team": project.team.pk, "tenant": "another-tenant"})
    assert "isn&#x27;t in OIDC_ALLOWED_TENANTS" in response.content.decode()
    response = client.post(add, {**fields, "team": project.team.pk})
    assert response.status_code == 302
    assert GroupMapping.objects.get().value == "Portal.Owner"
    listing = client.get(reverse("admin:portal_groupmapping_changelist")).content.decode()
    assert "Portal.Owner" in listing and "Integration team" in listing


def test_group_mapping_only_staff_who_administer_reach_the_mappings(client: Client, bob: User) -> None:
    client.force_login(bob)
    response = client.get(reverse("admin:portal_groupmapping_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(make_user("stafford", staff=True))  # staff, but not a curator or a superuser
    assert client.get(reverse("admin:portal_groupmapping_changelist")).status_code == 302


def test_group_mapping_the_team_page_shows_who_comes_from_the_directory(
    client: Client, project: Project, alice: User, bob: User
) -> None:
    mapped(project.team, ARCHITECTS, Role.CONTRIBUTOR)
    signs_in(bob, groups=(ARCHITECTS,))
    client.force_login(alice)
    body = client.get(reverse("teams:detail", args=[project.team.pk])).content.decode()
    assert re.search(r"<strong>bob</strong> <span class=\"muted small\">contributor · from Entra ID</span>", body)
    assert re.search(r"<strong>alice</strong> <span class=\"muted small\">owner</span>", body)


# --- Signing in through a real OpenID Connect provider ------------------------------------------------------------

ADA = {
    "tid": TENANT,
    "oid": "00000000-0000-0000-0000-00000000ada1",
    "email": "ada@contoso.example",
    "preferred_username": "ada@contoso.example",
    "name": "Ada Lovelace",
}


@pytest.fixture
def provider(settings: Settings) -> Iterator[LocalProvider]:
    callback = f"http://testserver{reverse('oidc_callback')}"
    with running_provider(redirect_uri=callback, accounts={"ada@contoso.example": ADA}) as started:
        settings.OIDC_ISSUER = started.issuer
        settings.OIDC_DISCOVERY_URL = ""
        settings.OIDC_RP_CLIENT_ID = started.client_id
        settings.OIDC_RP_CLIENT_SECRET = started.client_secret
        settings.OIDC_ALLOWED_EMAIL_DOMAINS = []
        yield started


def sign_in_with_the_provider(login: str) -> Any:
    """The whole flow, as a browser would follow it: the portal's start page, the provider's login and consent forms
    (any password), and back to the portal's callback, whose redirect is followed to the page after sign-in."""
    client = Client()
    location = client.get(reverse("oidc_start"), {"next": "/teams/"})["Location"]
    at_the_provider = requests.Session()
    while not location.startswith("http://testserver/"):
        response = at_the_provider.get(location, allow_redirects=False, timeout=10)
        if response.is_redirect:
            location = urljoin(location, response.headers["location"])
            continue
        form = re.search(r'<form[^>]* action="([^"]+)"', response.text)
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
        assert form and prompt, response.text
        answers = {"login": login, "password": "any password"} if prompt.group(1) == "login" else {}
        response = at_the_provider.post(urljoin(location, form.group(1)), data={"prompt": prompt.group(1), **answers},
                                         allow_redirects=False, timeout=10)  # fmt: skip
        location = urljoin(location, response.headers["location"])
    return client.get(location.removeprefix("http://testserver"), follow=True)


@pytest.mark.slow
def test_group_mapping_signing_in_with_the_provider_follows_the_groups_claim(
    provider: LocalProvider, project: Project
) -> None:
    team = project.team
    mapped(team, ARCHITECTS, Role.CONTRIBUTOR, label="Architects")
    mapped(team, REVIEWERS, Role.REVIEWER, label="Reviewers")
    provider.set_account("ada@contoso.example", {**ADA, "groups": [ARCHITECTS]})

    assert sign_in_with_the_provider("ada@contoso.example").status_code == 200
    ada = get_user_model().objects.get(email="ada@contoso.example")
    assert role_of(ada, team) == Role.CONTRIBUTOR

    provider.set_account("ada@contoso.example", {**ADA, "groups": [ARCHITECTS, REVIEWERS]})
    sign_in_with_the_provider("ada@contoso.example")
    assert role_of(ada, team) == Role.REVIEWER

    provider.set_account("ada@contoso.example", {**ADA, "groups": []})
    page = sign_in_with_the_provider("ada@contoso.example")
    assert role_of(ada, team) is None
    assert "couldn" not in page.content.decode()
    assert history(project)[-3:] == [
        ("member added by the directory", "ada joined as contributor at sign-in (Entra ID group Architects)"),
        ("role changed by the directory", "ada: contributor → reviewer at sign-in (Entra ID group Reviewers)"),
        (
            "member removed by the directory",
            "ada left the team at sign-in: no group or app role of theirs is mapped to the team any more",
        ),
    ]


@pytest.mark.slow
def test_group_mapping_a_groups_overage_from_the_provider_keeps_memberships_and_says_what_to_configure(
    provider: LocalProvider, project: Project
) -> None:
    mapped(project.team, ARCHITECTS, Role.REVIEWER)
    provider.set_account("ada@contoso.example", {**ADA, "groups": [ARCHITECTS]})
    sign_in_with_the_provider("ada@contoso.example")
    ada = get_user_model().objects.get(email="ada@contoso.example")
    assert role_of(ada, project.team) == Role.REVIEWER

    graph = f"https://graph.microsoft.com/v1.0/users/{ADA['oid']}/getMemberObjects"
    provider.set_account("ada@contoso.example", {**ADA, "_claim_names": {"groups": "src1"},
                                                 "_claim_sources": {"src1": {"endpoint": graph}}})  # fmt: skip
    page = sign_in_with_the_provider("ada@contoso.example")
    body = page.content.decode()
    assert page.redirect_chain[-1][0] == "/teams/"
    assert "your Microsoft Entra ID groups couldn&#x27;t be read" in body
    assert "emit the groups as app roles, or to limit the groups claim to groups assigned to the application" in body
    assert role_of(ada, project.team) == Role.REVIEWER  # kept as it was
