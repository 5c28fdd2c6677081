"""Responses that depend on who asks are never cached (private, no-store); every response denies the browser
features the portal doesn't use and keeps its resources to its own origin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.services.tokens import api_token_create
from tests.factories import WEB_SHOP, make_project

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_private_and_not_stored(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_a_public_page_that_reads_the_session_is_private_too(client: Client) -> None:
    # The header shows "Sign in" or the person's name: a shared cache must not keep either for someone else.
    response = client.get(reverse("patterns:catalog"))
    assert response["Cache-Control"] == "private, no-store" and "Cookie" in response["Vary"]


def test_an_api_answer_for_a_token_is_private_and_varies_on_authorization(client: Client, alice: User) -> None:
    make_project(alice)
    _, secret = api_token_create(user=alice, name="ci")
    response = client.get(reverse("api:projects"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


def test_a_refused_token_is_not_stored_either(client: Client) -> None:
    response = client.get(reverse("api:projects"), HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401 and response["Cache-Control"] == "private, no-store"


def test_the_public_ranking_does_not_depend_on_the_caller(client: Client) -> None:
    response = client.post(reverse("api:recommendations"), WEB_SHOP, content_type="application/json")
    assert response.status_code == 200 and "private" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path", ["/", "/patterns/", "/api/v1/patterns", "/healthz", "/readyz", "/static/css/portal.css", "/nowhere/"]
)
def test_every_response_denies_unused_features_and_cross_origin_reads(client: Client, path: str) -> None:
    response = client.get(path)
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_what_a_view_said_about_caching_is_kept_and_made_private(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("account:token_create"), {"name": "CI", "lifetime_days": "30"})
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"no-store", "private"}
