"""Sign-in throttling keys on the real client behind trusted proxies, limits one address across usernames too, and
says when to try again (429 with Retry-After)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.throttling import client_ip
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")
PROXY = "10.0.0.2"


def sign_in(client: Client, username: str, password: str, **meta: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def from_client(address: str) -> dict[str, str]:
    """A request that came through our one load balancer."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


@pytest.fixture
def one_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(
    client: Client, bob: User, one_proxy: None
) -> None:
    for _ in range(5):
        sign_in(client, "bob", "wrong", **from_client("203.0.113.7"))
    assert sign_in(client, "bob", "bob-password-123", **from_client("203.0.113.7")).status_code == 429
    assert sign_in(client, "bob", "bob-password-123", **from_client("198.51.100.4")).status_code == 302


def test_without_trusted_proxies_a_forged_header_changes_nothing(client: Client, bob: User) -> None:
    for attempt in range(5):
        sign_in(client, "bob", "wrong", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    forged = sign_in(client, "bob", "bob-password-123", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert forged.status_code == 429


def test_one_address_trying_many_usernames_is_limited_too(client: Client, bob: User) -> None:
    for number in range(19):
        assert sign_in(client, f"victim{number}", "Winter2026!", REMOTE_ADDR="192.0.2.50").status_code == 200
    assert sign_in(client, "victim19", "Winter2026!", REMOTE_ADDR="192.0.2.50").status_code == 429
    assert sign_in(client, "bob", "bob-password-123", REMOTE_ADDR="192.0.2.50").status_code == 429
    assert sign_in(client, "bob", "bob-password-123", REMOTE_ADDR="192.0.2.51").status_code == 302


def test_a_few_failures_across_usernames_lock_nobody_out(client: Client, bob: User) -> None:
    make_user("dana")
    for name in ("bob", "dana", "erin", "bob"):
        sign_in(client, name, "wrong", REMOTE_ADDR="192.0.2.60")
    assert sign_in(client, "bob", "bob-password-123", REMOTE_ADDR="192.0.2.60").status_code == 302


def test_the_lockout_is_a_429_that_says_when_to_retry(client: Client, bob: User, settings: Any) -> None:
    for _ in range(4):
        sign_in(client, "bob", "wrong", REMOTE_ADDR="192.0.2.9")
    response = sign_in(client, "bob", "wrong", REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert 0 < int(response["Retry-After"]) <= cool_off
    text = response.content.decode()
    assert "Try again after" in text and "UTC" in text and "15 minutes" in text


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own claim is left of what our proxy wrote
        (2, "6.6.6.6, 198.51.100.1, 10.1.1.1", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),  # came through the inner proxy only
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_from_the_trusted_end_of_x_forwarded_for(
    settings: Any, count: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
