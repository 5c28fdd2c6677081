"""Sign-in in the product's look, throttled after repeated failures; the development account; signing in with an
identity provider (OpenID Connect) and turning passwords off; my sessions, my password and my API tokens."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from portal.auth import oidc
from portal.models import ApiToken, OidcIdentity, UserSession
from portal.services.accounts import account_sign_in_oidc
from portal.services.tokens import api_token_create

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_the_sign_in_page_uses_the_product_layout(client: Client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert "Integration decision portal" in body and 'name="password"' in body and "csrfmiddlewaretoken" in body


def test_a_user_signs_in_and_out(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", "bob-password-123")
    assert response.status_code == 302
    assert "Sign out" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert "Sign in" in client.get(reverse("home")).content.decode()


def test_a_wrong_password_is_explained(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", "nope")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_out_for_a_while(client: Client, bob: User) -> None:
    for _ in range(5):
        sign_in(client, "bob", "wrong")
    response = sign_in(client, "bob", "bob-password-123")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_development_account_is_created_once_and_its_password_printed(settings: Settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("ensuredevadmin", stdout=out)
    assert "user: admin" in out.getvalue()
    password = out.getvalue().split("password: ")[1].split()[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    again = io.StringIO()
    call_command("ensuredevadmin", stdout=again)
    assert "no development account created" in again.getvalue()


def test_no_default_account_outside_development(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs in development"):
        call_command("ensuredevadmin")
    settings.DEBUG, settings.SECRET_KEY = True, "a-real-deployment-key-" + "x" * 40
    with pytest.raises(CommandError, match="only runs in development"):
        call_command("ensuredevadmin")
    assert not get_user_model().objects.filter(username="admin").exists()


def test_no_secrets_are_committed() -> None:
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=False).stdout.split()
    assert not any(name.endswith((".env", ".pem", ".key", "db.sqlite3")) for name in tracked)


# --- Signing in with an identity provider (OpenID Connect); the browser tests run the whole flow (-k oidc) -------

ISSUER = "https://login.example/tenant-a/v2.0"
TENANT = "tenant-a"


@pytest.fixture
def oidc_settings(settings: Settings) -> Settings:
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_DISCOVERY_URL = ""
    settings.OIDC_RP_CLIENT_ID = "portal"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-real-secret"
    settings.OIDC_ALLOWED_TENANTS = [TENANT]
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = []
    # The provider's discovery document as read once: the start page then needs no network.
    oidc._discovered[oidc.discovery_url()] = (
        time.monotonic() + 60,
        oidc.ProviderEndpoints(
            issuer="https://login.example/{tenantid}/v2.0",
            authorization_endpoint="https://login.example/authorize",
            token_endpoint="https://login.example/token",
            jwks_uri="https://login.example/keys",
            userinfo_endpoint="",
        ),
    )
    return settings


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def id_token(key: rsa.RSAPrivateKey, **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "portal", "sub": "subject-1", "tid": TENANT, "iat": now, "exp": now + 300,
              "email": "ada@contoso.example", "name": "Ada Lovelace", **changes}  # fmt: skip
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256")


def test_the_id_token_must_be_for_us_from_our_provider_and_current(
    oidc_settings: Settings, signing_key: rsa.RSAPrivateKey
) -> None:
    backend = oidc.OidcBackend()
    backend.provider = oidc.provider_endpoints()
    backend.OIDC_RP_CLIENT_ID, backend.OIDC_RP_SIGN_ALGO = "portal", "RS256"
    public = signing_key.public_key()
    assert backend.get_payload_data(id_token(signing_key), public)["sub"] == "subject-1"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "another client": id_token(signing_key, aud="someone-else"),
        "another issuer": id_token(signing_key, iss="https://evil.example/v2.0"),
        "another tenant's issuer": id_token(signing_key, iss="https://login.example/tenant-b/v2.0"),
        "expired": id_token(signing_key, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "no subject": id_token(signing_key, sub=None),
        "signed by someone else": id_token(other_key),
    }
    for why, token in refused.items():
        with pytest.raises((jwt.PyJWTError, SuspiciousOperation)):
            backend.get_payload_data(token, public)
            pytest.fail(f"accepted a token from {why}")


def test_who_may_sign_in_is_decided_by_tenant_and_domain(settings: Settings) -> None:
    settings.OIDC_ALLOWED_TENANTS, settings.OIDC_ALLOWED_EMAIL_DOMAINS = [TENANT], []
    assert oidc.refusal({"tid": TENANT}) == ""
    assert "tenant isn't allowed" in oidc.refusal({"tid": "tenant-b"})
    assert "tenant isn't allowed" in oidc.refusal({})
    settings.OIDC_ALLOWED_TENANTS, settings.OIDC_ALLOWED_EMAIL_DOMAINS = [], ["contoso.example"]
    verified = {"email_verified": True}
    assert oidc.refusal({"email": "Ada@Contoso.example", **verified}) == ""
    assert oidc.refusal({"email": "ada@contoso.example", "xms_edov": True}) == ""  # Entra's domain-owner claim
    assert "Accounts at fabrikam.example can't sign in" in oidc.refusal({"email": "eve@fabrikam.example", **verified})
    assert "contoso.example.evil" in oidc.refusal({"email": "eve@contoso.example.evil", **verified})
    assert "without an e-mail address" in oidc.refusal({"sub": "x"})


def test_a_domain_rule_trusts_only_an_address_the_provider_vouches_for(settings: Settings) -> None:
    """Issue 23: on a multi-tenant endpoint any tenant can put any address in ``email``; unverified, it says nothing."""
    settings.OIDC_ALLOWED_TENANTS, settings.OIDC_ALLOWED_EMAIL_DOMAINS = [], ["contoso.example"]
    for claims in ({"tid": "any-tenant", "email": "ceo@contoso.example"},
                   {"tid": "any-tenant", "email": "ceo@contoso.example", "email_verified": False},
                   {"tid": "any-tenant", "email": "ceo@contoso.example", "xms_edov": "false"},
                   {"tid": "any-tenant", "preferred_username": "ceo@contoso.example"}):  # fmt: skip
        assert "vouches for the address" in oidc.refusal(claims), claims
    settings.OIDC_ALLOWED_TENANTS = [TENANT]  # a listed tenant's directory is trusted for its own people
    assert oidc.refusal({"tid": TENANT, "preferred_username": "ada@contoso.example"}) == ""
    assert oidc.email_vouched_for({"tid": TENANT, "email": "ada@contoso.example"})
    assert not oidc.email_vouched_for({"tid": "tenant-b", "email": "ada@contoso.example"})


def test_a_vouched_address_is_the_accounts_own_and_an_unvouched_one_is_not() -> None:
    from portal.services.accounts import email_is_verified

    vouched = account_sign_in_oidc(issuer=ISSUER, subject="s-9", tenant=TENANT, email="ada@contoso.example",
                                   display_name="Ada", username_hint="ada", email_vouched=True)  # fmt: skip
    other = account_sign_in_oidc(issuer=ISSUER, subject="s-10", tenant=TENANT, email="eve@contoso.example",
                                 display_name="Eve", username_hint="eve")  # fmt: skip
    assert email_is_verified(vouched, "Ada@Contoso.example") and not email_is_verified(other, "eve@contoso.example")


def test_accounts_are_matched_by_issuer_and_subject_never_by_email(bob: User) -> None:
    first = account_sign_in_oidc(issuer=ISSUER, subject="s-1", tenant=TENANT, email="bob@example.com",
                                 display_name="Bob Builder", username_hint="bob@example.com")  # fmt: skip
    assert first != bob and first.username == "bob-2" and not first.has_usable_password()  # bob's address, not bob
    again = account_sign_in_oidc(issuer=ISSUER, subject="s-1", tenant=TENANT, email="robert@example.com",
                                 display_name="Robert Builder", username_hint="robert@example.com")  # fmt: skip
    assert again == first
    again.refresh_from_db()
    assert (again.email, again.get_full_name()) == ("robert@example.com", "Robert Builder")
    elsewhere = account_sign_in_oidc(issuer="https://other.example", subject="s-1", tenant="", email="x@example.com",
                                     display_name="", username_hint="x@example.com")  # fmt: skip
    assert elsewhere != first
    assert OidcIdentity.objects.count() == 2


def test_the_start_page_sends_to_the_provider_with_pkce_state_and_nonce(
    client: Client, oidc_settings: Settings
) -> None:
    response = client.get(reverse("oidc_start"), {"next": "/teams/"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://login.example/authorize"
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["client_id"] == ["portal"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/accounts/oidc/callback/"]
    assert query["state"][0] in client.session["oidc_states"] and query["nonce"]
    assert client.session["oidc_login_next"] == "/teams/"


def test_the_start_page_never_sends_anyone_elsewhere_afterwards(client: Client, oidc_settings: Settings) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        client.get(reverse("oidc_start"), {"next": elsewhere})
        assert client.session["oidc_login_next"] is None, elsewhere


def test_a_callback_without_a_state_this_browser_started_is_refused_with_a_message(
    client: Client, oidc_settings: Settings
) -> None:
    client.get(reverse("oidc_start"))
    for query in ({"code": "c", "state": "made-up"}, {"code": "c"}, {}):
        response = client.get(reverse("oidc_callback"), query)
        assert response.status_code == 400
        assert "This sign-in didn&#x27;t start from this browser" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_providers_own_refusal_is_shown_and_its_state_forgotten(client: Client, oidc_settings: Settings) -> None:
    client.get(reverse("oidc_start"))
    state = next(iter(client.session["oidc_states"]))
    answer = {"state": state, "error": "access_denied", "error_description": "The user <b>cancelled</b>."}
    response = client.get(reverse("oidc_callback"), answer)
    assert response.status_code == 400
    assert "Microsoft didn&#x27;t sign you in: The user &lt;b&gt;cancelled&lt;/b&gt;." in response.content.decode()
    assert state not in client.session["oidc_states"]


def test_the_provider_being_down_is_a_page_that_says_so(client: Client, oidc_settings: Settings) -> None:
    oidc_settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"  # nothing listens
    response = client.get(reverse("oidc_start"))
    assert response.status_code == 503 and "can&#x27;t be reached right now" in response.content.decode()


def test_without_a_provider_there_is_no_button_and_no_oidc_pages(client: Client) -> None:
    assert "Sign in with Microsoft" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_start")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "c", "state": "s"}).status_code == 404


def test_with_a_provider_the_sign_in_page_offers_it_and_keeps_next(client: Client, oidc_settings: Settings) -> None:
    body = client.get(reverse("login"), {"next": "/teams/"}).content.decode()
    assert 'href="/accounts/oidc/start/?next=/teams/"' in body and "Sign in with Microsoft" in body
    assert 'name="password"' in body


def test_local_passwords_can_be_turned_off(client: Client, oidc_settings: Settings, bob: User) -> None:
    oidc_settings.LOCAL_PASSWORDS_ENABLED = False
    body = client.get(reverse("login")).content.decode()
    assert "Sign in with Microsoft" in body and 'name="password"' not in body
    response = sign_in(client, "bob", "bob-password-123")
    assert response.status_code == 403 and "Signing in with a password is turned off" in response.content.decode()
    admin_sign_in = RequestFactory().post("/admin/login/")
    assert authenticate(admin_sign_in, username="bob", password="bob-password-123") is None  # the admin's page too
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_ISSUER": ISSUER}, "needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"}, "needs OIDC_ALLOWED_TENANTS"),
        ({"LOCAL_PASSWORDS_ENABLED": "false"}, "nobody could sign in"),
        (
            {
                "OIDC_ISSUER": "http://login.example/v2.0",
                "OIDC_CLIENT_ID": "c",
                "OIDC_CLIENT_SECRET": "s",
                "OIDC_ALLOWED_TENANTS": "t",
                "DEBUG": "false",
                "SECRET_KEY": "k" * 60,
            },
            "must be https:// addresses",
        ),
    ],
)
def test_an_incomplete_sign_in_setup_stops_the_process_with_a_clear_message(env: dict[str, str], message: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", "check"], env={**os.environ, "DEBUG": "true", **env},
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode != 0 and message in result.stderr


# --- Account care: sessions, password, API tokens ------------------------------------------------------------------


def signed_in(username: str, password: str, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    assert sign_in(client, username, password).status_code == 302
    return client


FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36"


def test_i_see_where_i_am_signed_in_and_sign_out_another_session(bob: User) -> None:
    laptop = signed_in("bob", "bob-password-123", FIREFOX)
    phone = signed_in("bob", "bob-password-123", CHROME)
    page = laptop.get(reverse("account:profile")).content.decode()
    assert "Firefox on Windows" in page and "Chrome on Linux" in page and "this browser" in page
    assert "from 10.0.0.7" in page and "with password" in page
    other = UserSession.objects.get(user=bob, user_agent=CHROME)
    response = laptop.post(reverse("account:session_end", args=[other.pk]), follow=True)
    assert "That session is signed out." in response.content.decode()
    assert phone.get(reverse("account:profile")).status_code == 302  # back to the sign-in page
    assert laptop.get(reverse("account:profile")).status_code == 200
    assert UserSession.objects.filter(user=bob).count() == 1


def test_sign_out_everywhere_else_keeps_this_session(bob: User) -> None:
    clients = [signed_in("bob", "bob-password-123", agent) for agent in (FIREFOX, CHROME, CHROME)]
    response = clients[0].post(reverse("account:sessions_end_others"), follow=True)
    assert "Signed out of 2 other sessions." in response.content.decode()
    assert [c.get(reverse("account:profile")).status_code for c in clients] == [200, 302, 302]


def test_ending_this_session_signs_me_out(bob: User) -> None:
    client = signed_in("bob", "bob-password-123", FIREFOX)
    mine = UserSession.objects.get(user=bob)
    assert client.post(reverse("account:session_end", args=[mine.pk]))["Location"] == reverse("login")
    assert client.get(reverse("account:profile")).status_code == 302


def test_nobody_ends_someone_elses_session(client: Client, bob: User, charlie: User) -> None:
    signed_in("bob", "bob-password-123", FIREFOX)
    bobs = UserSession.objects.get(user=bob)
    client.force_login(charlie)
    assert client.post(reverse("account:session_end", args=[bobs.pk])).status_code == 404
    assert client.get(reverse("account:session_end", args=[bobs.pk])).status_code == 405
    assert UserSession.objects.filter(pk=bobs.pk).exists()
    assert Client().post(reverse("account:sessions_end_others")).status_code == 302  # to sign in


def test_a_sessions_row_goes_with_the_session_when_signing_out(bob: User) -> None:
    client = signed_in("bob", "bob-password-123", FIREFOX)
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=bob).exists()


def test_changing_the_password_signs_out_the_other_sessions(bob: User) -> None:
    here = signed_in("bob", "bob-password-123", FIREFOX)
    there = signed_in("bob", "bob-password-123", CHROME)
    new = "a-much-longer-password-2026"
    response = here.post(reverse("account:password_change"),
                         {"old_password": "bob-password-123", "new_password1": new, "new_password2": new})  # fmt: skip
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password(new)
    assert here.get(reverse("account:profile")).status_code == 200
    assert there.get(reverse("account:profile")).status_code == 302
    assert list(UserSession.objects.filter(user=bob).values_list("session_id", flat=True)) == [here.session.session_key]


def test_a_wrong_current_password_is_explained_and_rate_limited(bob: User) -> None:
    client = signed_in("bob", "bob-password-123", FIREFOX)
    wrong = {
        "old_password": "nope",
        "new_password1": "another-long-password-1",
        "new_password2": "another-long-password-1",
    }
    response = client.post(reverse("account:password_change"), wrong)
    assert response.status_code == 400 and "Your old password was entered incorrectly" in response.content.decode()
    for _ in range(4):
        client.post(reverse("account:password_change"), wrong)
    right = {**wrong, "old_password": "bob-password-123"}
    response = client.post(reverse("account:password_change"), right)
    assert response.status_code == 429 and response["Retry-After"]
    bob.refresh_from_db()
    assert bob.check_password("bob-password-123")


def test_accounts_of_the_identity_provider_have_no_password_to_change(client: Client) -> None:
    ada = account_sign_in_oidc(issuer=ISSUER, subject="s-9", tenant=TENANT, email="ada@contoso.example",
                               display_name="Ada Lovelace", username_hint="ada@contoso.example")  # fmt: skip
    client.force_login(ada)
    assert client.get(reverse("account:password_change")).status_code == 404
    page = client.get(reverse("account:profile")).content.decode()
    assert "With your Microsoft work account" in page and "Change password" not in page


def test_tokens_expire_and_say_so(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("account:token_create"), {"name": "CI pipeline", "lifetime_days": "30"})
    secret = re.search(r'<code class="secret">([^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(name="CI pipeline")
    assert token.expires_at is not None
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    api = Client()
    assert api.get(reverse("api:projects"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = api.get(reverse("api:projects"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401 and "This token expired on" in refused.content.decode()
    page = client.get(reverse("account:profile")).content.decode()
    assert "Expired" in page and "never" not in page.split("CI pipeline")[1].split("</tr>")[0]
    assert client.post(reverse("account:token_create"), {"name": "x", "lifetime_days": "5000"}).status_code == 400


def test_refused_sign_ins_with_the_provider_count_towards_the_sign_in_throttle(
    client: Client, oidc_settings: Settings
) -> None:
    """A callback whose code can't be exchanged (here: the token endpoint doesn't answer) is a failed sign-in for
    django-axes, like a wrong password for one username: after 5 from one address, it waits there."""
    endpoints = oidc.provider_endpoints()
    oidc._discovered[oidc.discovery_url()] = (
        time.monotonic() + 60,
        oidc.ProviderEndpoints(**{**endpoints.__dict__, "token_endpoint": "http://127.0.0.1:9/token"}),
    )
    statuses = []
    for _ in range(6):
        client.get(reverse("oidc_start"), REMOTE_ADDR="10.0.0.8")
        state = next(iter(client.session["oidc_states"]))
        response = client.get(reverse("oidc_callback"), {"code": "c", "state": state}, REMOTE_ADDR="10.0.0.8")
        statuses.append(response.status_code)
    assert statuses == [403] * 4 + [429] * 2  # the fifth refusal starts the pause
    assert "Too many failed sign-ins" in response.content.decode()
    password_attempt = {"username": "someone", "password": "wrong"}
    assert client.post(reverse("login"), password_attempt, REMOTE_ADDR="10.0.0.8").status_code == 200  # own count


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [("get", "account:profile", []), ("get", "account:password_change", []), ("post", "account:token_create", []),
     ("post", "account:token_revoke", [1]), ("post", "account:session_end", ["k" * 32]),
     ("post", "account:sessions_end_others", [])],
)  # fmt: skip
def test_every_account_page_needs_a_signed_in_user(client: Client, method: str, name: str, args: list[Any]) -> None:
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_account_page_query_count_does_not_grow_with_tokens_and_sessions(
    alice: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in("alice", "alice-password-123", FIREFOX)
    url = reverse("account:profile")
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    baseline = len(few.captured_queries)  # read now: every request clears the connection's query log
    for number in range(8):
        api_token_create(user=alice, name=f"Token {number}")
        signed_in("alice", "alice-password-123", CHROME)
    with django_assert_max_num_queries(baseline):
        page = client.get(url).content.decode()
    assert page.count("<strong>Chrome on Linux</strong>") == 8 and page.count("Token ") >= 8
