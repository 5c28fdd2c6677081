"""Signing in with an organisation's account through a real OpenID Connect provider (oidc-provider, started by the
fixture on 127.0.0.1), the way Microsoft Entra ID does it: the authorization code flow with PKCE (the provider
refuses a request without it), an ID token signed with a key made at start and checked against the provider's
published keys, the tenant in the tid claim.

`pytest -k oidc` runs these."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, Route, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from portal.models import Membership, OidcIdentity, Role, UserSession
from portal.services.invitations import invitation_create
from tests.browser.oidc_provider import LocalProvider, running_provider
from tests.factories import make_team

pytestmark = pytest.mark.browser

CONTOSO = "7f3c9a52-1111-4c1e-9d0a-contoso00001"  # the tenant the portal accepts
FABRIKAM = "0b6e4d17-2222-4f7a-8b3c-fabrikam0002"  # another organisation's tenant
ACCOUNTS = {
    "ada@contoso.example": {
        "tid": CONTOSO,
        "oid": "00000000-0000-0000-0000-00000000ada1",
        "email": "ada@contoso.example",
        "preferred_username": "ada@contoso.example",
        "name": "Ada Lovelace",
    },
    "mallory@fabrikam.example": {
        "tid": FABRIKAM,
        "oid": "00000000-0000-0000-0000-0000000000ff",
        "email": "mallory@fabrikam.example",
        "preferred_username": "mallory@fabrikam.example",
        "name": "Mallory",
    },
}


@pytest.fixture
def oidc_provider(live_server: LiveServer, settings: Settings) -> Iterator[LocalProvider]:
    redirect_uri = f"{live_server.url}{reverse('oidc_callback')}"
    with running_provider(redirect_uri=redirect_uri, accounts=ACCOUNTS) as provider:
        settings.OIDC_ISSUER = provider.issuer
        settings.OIDC_DISCOVERY_URL = ""
        settings.OIDC_RP_CLIENT_ID = provider.client_id
        settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
        settings.OIDC_ALLOWED_TENANTS = [CONTOSO]
        settings.OIDC_ALLOWED_EMAIL_DOMAINS = []
        settings.PORTAL_BASE_URL = live_server.url
        yield provider


def sign_in_at_the_provider(page: Page, login: str) -> None:
    """The provider's own pages: any password for its accounts, then the consent to share the claims."""
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password at the test provider")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_oidc_an_invited_colleague_signs_in_with_microsoft_and_joins_the_team(
    page: Page, live_server: LiveServer, oidc_provider: LocalProvider, mailoutbox: list[Any]
) -> None:
    alice = get_user_model().objects.create_user("alice", password="alice-long-password")
    team = make_team(alice, name="Finance integrations")
    invitation_create(team=team, email="ada@contoso.example", role=Role.REVIEWER, actor=alice)
    link = re.search(r"http://\S+/invitations/\S+/", mailoutbox[0].body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Join Finance integrations")).to_be_visible()
    page.get_by_role("link", name="Sign in with Microsoft").click()
    expect(page).to_have_url(re.compile(f"^{re.escape(oidc_provider.issuer)}/"))
    sign_in_at_the_provider(page, "ada@contoso.example")

    # Back on the invitation, signed in with a new account made just in time.
    expect(page).to_have_url(link)
    page.get_by_role("button", name="Join Finance integrations").click()
    expect(page.get_by_role("heading", name="Finance integrations")).to_be_visible()
    expect(page.get_by_text("you joined as reviewer")).to_be_visible()

    identity = OidcIdentity.objects.select_related("user").get()
    assert (identity.issuer, identity.subject, identity.tenant) == (
        oidc_provider.issuer,
        "ada@contoso.example",
        CONTOSO,
    )
    ada = identity.user
    assert (ada.username, ada.email, ada.get_full_name()) == ("ada", "ada@contoso.example", "Ada Lovelace")
    assert not ada.has_usable_password()
    assert Membership.objects.get(team=team, user=ada).role == Role.REVIEWER
    assert UserSession.objects.get(user=ada).method == "Microsoft"

    # Signing in again finds the same account by its subject: no second account, no second identity.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next=/account/")
    page.get_by_role("link", name="Sign in with Microsoft").click()
    sign_in_at_the_provider(page, "ada@contoso.example")
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    expect(page.get_by_text("With your Microsoft work account ada@contoso.example")).to_be_visible()
    assert get_user_model().objects.filter(email="ada@contoso.example").count() == 1
    assert OidcIdentity.objects.count() == 1


def test_oidc_an_account_of_another_tenant_is_refused_with_a_clear_message(
    page: Page, live_server: LiveServer, oidc_provider: LocalProvider
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Microsoft").click()
    sign_in_at_the_provider(page, "mallory@fabrikam.example")

    expect(page.get_by_role("heading", name="You're not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Entra ID tenant isn't allowed to sign in to this portal")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()  # still signed out
    assert not get_user_model().objects.exists()
    assert not OidcIdentity.objects.exists()


def test_oidc_a_tampered_state_is_refused(page: Page, live_server: LiveServer, oidc_provider: LocalProvider) -> None:
    """Someone in the middle changes the state in the provider's redirect back to the portal."""
    answers: list[str] = []

    def tamper(route: Route) -> None:
        # The provider answers a submitted form with a redirect to its resume step, which redirects on: to its next
        # page, or (after the consent) back to the portal with the code and the state. Follow both here.
        resume = route.fetch(max_redirects=0).headers["location"]
        location = page.context.request.get(resume, max_redirects=0).headers["location"]
        if "/accounts/oidc/callback/" in location:
            answers.append(location)
            parts = urlsplit(location)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            query["state"] = (
                "x" + query["state"][1:] if not query["state"].startswith("x") else "y" + query["state"][1:]
            )
            location = parts._replace(query=urlencode(query)).geturl()
        route.fulfill(status=303, headers={"location": location})

    page.route(re.compile(f"^{re.escape(oidc_provider.issuer)}/interaction/[^/?]+$"), tamper)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Microsoft").click()
    with page.expect_response(re.compile(r".*/accounts/oidc/callback/.*")) as callback:
        sign_in_at_the_provider(page, "ada@contoso.example")

    assert len(answers) == 1 and "code=" in answers[0]
    assert callback.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("This sign-in didn't start from this browser")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    assert not get_user_model().objects.exists()
