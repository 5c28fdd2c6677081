"""Invitations: owners invite an address with a role; the link (signed, single-use, expiring, revocable) lets the
account of that address join after signing in (or create one); any other account is refused until it confirms the
address through a link mailed there; inviting never tells whether an address or username exists."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from portal.models import HistoryEntry, Invitation, Membership, Role, Team, VerifiedEmail
from portal.services.accounts import email_verified_add
from portal.services.invitations import (
    SALT,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    send_invitation_email,
)
from tests.factories import make_team, make_team_project

pytestmark = pytest.mark.django_db


def link_in(message: Any) -> str:
    """The path of the invitation link in an e-mail."""
    found = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def owns(user: User, email: str) -> User:
    """The account has shown the address is its own (as a provider's vouching or a confirmation link would)."""
    email_verified_add(user=user, email=email, how=VerifiedEmail.How.PROVIDER)
    return user


def invite(client: Client, team: Team, email: str, role: str = "contributor") -> Any:
    return client.post(reverse("teams:invitation_create", args=[team.pk]), {"email": email, "role": role})


@pytest.fixture
def owner_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def test_an_owner_invites_an_address_and_the_invitee_gets_a_link_by_email(
    owner_client: Client, alice: User, mailoutbox: list[Any]
) -> None:
    project = make_team_project(alice)
    response = invite(owner_client, project.team, "  Ada@Contoso.example ", "reviewer")
    assert response.status_code == 302 and response["Location"].endswith("#invitations")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("ada@contoso.example", "reviewer", alice)
    assert [message.to for message in mailoutbox] == [["ada@contoso.example"]]
    assert "alice invites you to join the team “Integration team”" in mailoutbox[0].body
    assert "Your role: Reviewer" in mailoutbox[0].body
    assert invitation_from_token(link_in(mailoutbox[0]).split("/")[2]) == invitation
    entry = HistoryEntry.objects.get(project=project, action="invitation sent")
    assert (entry.actor, entry.subject) == (alice, "ada@contoso.example invited as reviewer")


def test_the_answer_is_the_same_whether_or_not_the_address_or_a_username_exists(
    owner_client: Client, alice: User, bob: User, mailoutbox: list[Any]
) -> None:
    team = make_team(alice)

    def answer(email: str) -> tuple[int, str, str]:
        response = invite(owner_client, team, email)
        page = owner_client.get(response["Location"]).content.decode()
        flash = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', page, re.S)
        assert flash
        return response.status_code, response["Location"], flash.group(1).replace(email, "ADDRESS").strip()

    known = answer("bob@example.com")  # bob's address
    unknown = answer("nobody@example.com")
    username = answer("charlie@nowhere.example")  # "charlie" is a username here, at another domain
    assert known == unknown == username
    assert known[2] == "Invitation sent to ADDRESS. The link works once, for 7 days."
    assert len(mailoutbox) == 3
    assert not team.memberships.filter(user=bob).exists()  # nobody joins without accepting


def test_the_invitee_signs_in_and_joins_with_the_invited_role(
    client: Client, alice: User, charlie: User, mailoutbox: list[Any]
) -> None:
    project = make_team_project(alice)
    invitation_create(team=project.team, email="charlie@example.com", role=Role.VIEWER, actor=alice)
    link = link_in(mailoutbox[0])

    page = client.get(link).content.decode()
    assert "Join Integration team" in page and "Sign in to join" in page
    assert f'href="/accounts/login/?next={link.replace(":", "%3A")}"' in page
    assert "Sign in with Microsoft" not in page  # no provider configured here

    client.force_login(owns(charlie, "Charlie@Example.com"))
    page = client.get(link).content.decode()
    assert "You'll join as <strong>charlie</strong>" in page
    response = client.post(link + "accept/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("teams:detail", args=[project.team_id])
    assert "Welcome to Integration team: you joined as viewer." in response.content.decode()
    assert Membership.objects.get(team=project.team, user=charlie).role == Role.VIEWER
    entry = HistoryEntry.objects.get(project=project, action="member added")
    assert (entry.actor, entry.subject) == (charlie, "charlie joined as viewer (invited by alice)")


def test_accepting_needs_a_signed_in_user_and_the_csrf_token(alice: User, charlie: User, mailoutbox: list[Any]) -> None:
    team = make_team(alice)
    invitation_create(team=team, email="charlie@example.com", role=Role.VIEWER, actor=alice)
    link = link_in(mailoutbox[0])
    anonymous = Client()
    response = anonymous.post(link + "accept/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(charlie)
    assert strict.post(link + "accept/").status_code == 403
    assert not team.memberships.filter(user=charlie).exists()
    assert anonymous.get(link + "accept/").status_code == 405


def test_a_link_works_once(client: Client, alice: User, bob: User, charlie: User, mailoutbox: list[Any]) -> None:
    team = make_team(alice)
    invitation_create(team=team, email="someone@example.com", role=Role.VIEWER, actor=alice)
    link = link_in(mailoutbox[0])
    client.force_login(owns(charlie, "someone@example.com"))
    assert client.post(link + "accept/").status_code == 302
    client.force_login(owns(bob, "someone@example.com"))
    response = client.post(link + "accept/")
    assert response.status_code == 410 and "already been used" in response.content.decode()
    assert client.get(link).status_code == 410
    assert not team.memberships.filter(user=bob).exists()


def test_an_expired_link_is_refused(client: Client, alice: User, charlie: User, mailoutbox: list[Any]) -> None:
    team = make_team(alice)
    invitation = invitation_create(team=team, email="charlie@example.com", role=Role.VIEWER, actor=alice)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(charlie)
    response = client.post(link_in(mailoutbox[0]) + "accept/")
    assert response.status_code == 410 and "This invitation has expired" in response.content.decode()
    assert not team.memberships.filter(user=charlie).exists()


def test_a_tampered_or_made_up_link_is_refused(
    client: Client, alice: User, charlie: User, mailoutbox: list[Any]
) -> None:
    team = make_team(alice)
    other = make_team(alice, name="Other team")
    invitation_create(team=team, email="charlie@example.com", role=Role.VIEWER, actor=alice)
    target = invitation_create(team=other, email="someone@example.com", role=Role.OWNER, actor=alice)
    token = link_in(mailoutbox[0]).split("/")[2]
    payload, stamp, signature = token.split(":")
    forged = signing.b64_encode(f'{{"i":{target.pk},"n":"{target.nonce}"}}'.encode()).decode()
    client.force_login(charlie)
    for bad in (f"{forged}:{stamp}:{signature}", f"{payload}:{stamp}:{signature[:-2]}xx", "made-up"):
        response = client.post(reverse("invitations:accept", args=[bad]))
        assert response.status_code == 404, bad
        assert "This invitation link isn&#x27;t valid" in response.content.decode()
    # A link signed for another purpose (same key, another salt) isn't an invitation either.
    elsewhere = signing.TimestampSigner(salt="another.purpose").sign_object({"i": target.pk, "n": target.nonce})
    assert client.get(reverse("invitations:open", args=[elsewhere])).status_code == 404
    assert not Membership.objects.filter(user=charlie).exists()
    assert signing.TimestampSigner(salt=SALT).unsign_object(invitation_token(target))["i"] == target.pk


def test_owners_see_pending_invitations_and_withdraw_them(
    owner_client: Client, alice: User, charlie: User, mailoutbox: list[Any]
) -> None:
    project = make_team_project(alice)
    team = project.team
    invite(owner_client, team, "charlie@example.com", "viewer")
    invite(owner_client, team, "dora@example.com", "owner")
    page = owner_client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "Pending invitations" in page and "charlie@example.com" in page and "dora@example.com" in page
    invitation = Invitation.objects.get(email="charlie@example.com")
    response = owner_client.post(reverse("teams:invitation_revoke", args=[team.pk, invitation.pk]), follow=True)
    body = response.content.decode()
    assert "Invitation of charlie@example.com withdrawn: its link no longer works." in body
    assert "Withdraw the invitation of charlie@example.com" not in body
    assert HistoryEntry.objects.filter(project=project, action="invitation revoked").count() == 1

    owner_client.force_login(charlie)
    response = owner_client.post(link_in(mailoutbox[0]) + "accept/")
    assert response.status_code == 410 and "withdrawn by the team" in response.content.decode()
    assert not team.memberships.filter(user=charlie).exists()


def test_inviting_an_address_again_replaces_its_open_invitation(
    client: Client, alice: User, charlie: User, mailoutbox: list[Any]
) -> None:
    team = make_team(alice)
    invitation_create(team=team, email="charlie@example.com", role=Role.VIEWER, actor=alice)
    invitation_create(team=team, email="charlie@example.com", role=Role.REVIEWER, actor=alice)
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    client.force_login(owns(charlie, "charlie@example.com"))
    assert client.post(link_in(mailoutbox[0]) + "accept/").status_code == 410
    assert client.post(link_in(mailoutbox[1]) + "accept/").status_code == 302
    assert team.memberships.get(user=charlie).role == Role.REVIEWER


def test_a_member_who_accepts_keeps_their_role(client: Client, alice: User, bob: User, mailoutbox: list[Any]) -> None:
    team = make_team(alice, bob=Role.REVIEWER)
    invitation_create(team=team, email="bob@example.com", role=Role.VIEWER, actor=alice)
    client.force_login(owns(bob, "bob@example.com"))
    assert "You're already a member of Integration team." in client.get(link_in(mailoutbox[0])).content.decode()
    response = client.post(link_in(mailoutbox[0]) + "accept/", follow=True)
    assert "You&#x27;re already a member of Integration team (reviewer)." in response.content.decode()
    assert team.memberships.get(user=bob).role == Role.REVIEWER


def test_only_owners_invite_or_withdraw_and_outsiders_get_404(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    team = make_team(alice, bob=Role.REVIEWER)
    invitation = invitation_create(team=team, email="x@example.com", role=Role.VIEWER, actor=alice)
    revoke = reverse("teams:invitation_revoke", args=[team.pk, invitation.pk])
    client.force_login(bob)
    assert invite(client, team, "y@example.com").status_code == 403
    assert client.post(revoke).status_code == 403
    assert "Pending invitations" not in client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    client.force_login(charlie)
    assert invite(client, team, "y@example.com").status_code == 404
    assert client.post(revoke).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("teams:invitation_create", args=[team.pk])).status_code == 405
    other_team = make_team(alice, name="Another team")
    assert client.post(reverse("teams:invitation_revoke", args=[other_team.pk, invitation.pk])).status_code == 404
    assert Invitation.objects.filter(email="y@example.com").count() == 0
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert Client().post(revoke).status_code == 302  # to the sign-in page


def test_someone_without_an_account_creates_one_from_the_invitation(
    client: Client, alice: User, mailoutbox: list[Any]
) -> None:
    team = make_team(alice)
    invitation_create(team=team, email="dora@example.com", role=Role.CONTRIBUTOR, actor=alice)
    link = link_in(mailoutbox[0])
    assert "Create your account" in client.get(link).content.decode()
    weak = client.post(link + "sign-up/", {"username": "dora", "password1": "short", "password2": "short"})
    assert weak.status_code == 400 and not get_user_model().objects.filter(username="dora").exists()
    taken = client.post(link + "sign-up/", {"username": "alice", "password1": "x" * 4 + "-Long-pass-42",
                                             "password2": "x" * 4 + "-Long-pass-42"})  # fmt: skip
    assert taken.status_code == 400
    password = "Dora-has-a-long-passphrase-7"
    response = client.post(link + "sign-up/", {"username": "dora", "password1": password, "password2": password})
    assert response.status_code == 302
    dora = get_user_model().objects.get(username="dora")
    assert dora.email == "dora@example.com" and dora.check_password(password)
    assert team.memberships.get(user=dora).role == Role.CONTRIBUTOR
    assert "Sign out" in client.get(reverse("home")).content.decode()
    assert (
        Client().post(link + "sign-up/", {"username": "eve", "password1": password, "password2": password}).status_code
        == 410
    )


def test_no_sign_up_when_local_passwords_are_off(
    client: Client, alice: User, mailoutbox: list[Any], settings: Settings
) -> None:
    team = make_team(alice)
    invitation_create(team=team, email="dora@example.com", role=Role.CONTRIBUTOR, actor=alice)
    settings.LOCAL_PASSWORDS_ENABLED = False
    settings.OIDC_ISSUER = "http://127.0.0.1:9/"
    link = link_in(mailoutbox[0])
    page = client.get(link).content.decode()
    assert "Create your account" not in page and "Sign in with Microsoft" in page
    password = "Dora-has-a-long-passphrase-7"
    client.post(link + "sign-up/", {"username": "dora", "password1": password, "password2": password})
    assert not get_user_model().objects.filter(username="dora").exists()


def test_sending_invitations_is_rate_limited_per_address_and_per_owner(owner_client: Client, alice: User) -> None:
    team = make_team(alice)
    for _ in range(5):
        assert invite(owner_client, team, "target@example.com").status_code == 302
    response = invite(owner_client, team, "target@example.com")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "sending invitations to this address" in response.content.decode()
    for number in range(14):
        assert invite(owner_client, team, f"person{number}@example.com").status_code == 302
    assert invite(owner_client, team, "one-more@example.com").status_code == 429  # 20 an hour per owner
    assert not Invitation.objects.filter(email="one-more@example.com").exists()


def test_opening_links_is_rate_limited_per_client_address(client: Client) -> None:
    for _ in range(30):
        assert client.get(reverse("invitations:open", args=["made-up"])).status_code == 404
    response = client.get(reverse("invitations:open", args=["made-up"]))
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert Client(REMOTE_ADDR="10.1.2.3").get(reverse("invitations:open", args=["made-up"])).status_code == 404


def test_a_withdrawn_invitation_sends_no_email_when_the_worker_runs_late(alice: User, mailoutbox: list[Any]) -> None:
    team = make_team(alice)
    invitation = invitation_create(team=team, email="late@example.com", role=Role.VIEWER, actor=alice)
    invitation_revoke(invitation=invitation, actor=alice)
    mailoutbox.clear()
    assert send_invitation_email.call(invitation.pk) is False
    assert mailoutbox == []


def test_the_team_page_query_count_does_not_grow_with_invitations(
    owner_client: Client, alice: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    team = make_team(alice)
    for number in range(3):
        invitation_create(team=team, email=f"p{number}@example.com", role=Role.VIEWER, actor=alice)
    url = reverse("teams:detail", args=[team.pk])
    with django_assert_max_num_queries(40) as few:
        owner_client.get(url)
    baseline = len(few.captured_queries)
    for number in range(3, 20):
        invitation_create(team=team, email=f"p{number}@example.com", role=Role.VIEWER, actor=alice)
    with django_assert_max_num_queries(baseline):
        assert owner_client.get(url).content.decode().count("Withdraw the invitation of") == 20


# An invitation is for its address


def test_another_account_holding_the_link_is_refused_and_it_is_recorded(
    client: Client, alice: User, bob: User, mailoutbox: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """The forwarded link of issue 23: an owner invites someone else as owner; bob, signed in, opens it."""
    project = make_team_project(alice)
    invitation_create(team=project.team, email="someone-else@example.com", role=Role.OWNER, actor=alice)
    link = link_in(mailoutbox[0])
    client.force_login(bob)
    page = client.get(link).content.decode()
    assert "hasn" in page and "Join Integration team</button>" not in page  # no join button for this account
    response = client.post(link + "accept/")
    assert response.status_code == 403 and "someone-else@example.com" in response.content.decode()
    assert not project.team.memberships.filter(user=bob).exists()
    assert Invitation.objects.get().accepted_at is None  # still there for the right person
    entry = HistoryEntry.objects.get(project=project, action="invitation refused")
    assert entry.actor == bob and "someone-else@example.com" in entry.subject
    assert "refused to account" in caplog.text
    # Even an account whose own (unconfirmed) address is the invited one: typing an address proves nothing.
    bob.email = "someone-else@example.com"
    bob.save()
    assert client.post(link + "accept/").status_code == 403


def test_an_account_confirms_the_address_through_a_link_mailed_there_and_joins(
    client: Client, alice: User, bob: User, charlie: User, mailoutbox: list[Any]
) -> None:
    team = make_team(alice)
    invitation_create(team=team, email="robert@example.com", role=Role.REVIEWER, actor=alice)
    link = link_in(mailoutbox[0])
    client.force_login(bob)
    response = client.post(link + "confirm/", follow=True)
    assert "We sent a link to robert@example.com" in response.content.decode()
    mail = mailoutbox[1]
    assert mail.to == ["robert@example.com"] and "bob" in mail.body
    found = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/confirm/[^/\s]+/)", mail.body)
    assert found, mail.body
    confirm = found.group(1)
    client.force_login(charlie)  # someone else who got hold of that mail's link
    assert client.get(confirm).status_code == 403 and client.post(confirm).status_code == 403
    client.force_login(bob)
    page = client.get(confirm)  # a mail scanner's GET changes nothing
    assert page.status_code == 200 and "Confirm and join" in page.content.decode()
    assert not team.memberships.filter(user=bob).exists()
    joined = client.post(confirm, follow=True)
    assert "Address confirmed. Welcome to Integration team" in joined.content.decode()
    assert team.memberships.get(user=bob).role == Role.REVIEWER
    assert VerifiedEmail.objects.get(user=bob).how == VerifiedEmail.How.CONFIRMATION
    assert client.post(confirm).status_code == 410  # the invitation is used


def test_a_confirmation_link_expires_and_cant_be_edited(client: Client, alice: User, bob: User,
                                                        mailoutbox: list[Any]) -> None:  # fmt: skip
    team = make_team(alice)
    invitation = invitation_create(team=team, email="robert@example.com", role=Role.VIEWER, actor=alice)
    client.force_login(bob)
    base = reverse("invitations:confirm", args=[invitation_token(invitation), "x"]).removesuffix("x/")
    assert client.get(base + "made-up/").status_code == 403
    from portal.services import invitations

    code = signing.TimestampSigner(salt=invitations.CONFIRM_SALT).sign_object(
        {"i": invitation.pk, "u": bob.pk, "e": "other@example.com"}
    )
    assert client.get(base + code + "/").status_code == 403  # another address
    stale = invitations.confirmation_code(invitation, bob)
    later = timezone.now() + timedelta(days=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "time", type("Clock", (), {"time": staticmethod(later.timestamp)}))
        assert client.get(base + stale + "/").status_code == 403
    assert not team.memberships.filter(user=bob).exists()
