"""/healthz says the process answers (no database); /readyz says the database answers and a catalog is published.
Both answer plain HTTP whatever the Host header, under the production TLS settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from patterns.models import CatalogVersion

pytestmark = pytest.mark.django_db
POD_ADDRESS = "10.244.1.17:8000"


@pytest.fixture
def behind_tls(settings: Any) -> None:
    """The documented production settings: HTTPS redirect on, one public host name."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.com"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_plain_http_with_the_pods_address_as_host(client: Client, behind_tls: None, path: str) -> None:
    response = client.get(path, HTTP_HOST=POD_ADDRESS)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_other_pages_still_redirect_to_https_and_check_the_host(client: Client, behind_tls: None) -> None:
    assert client.get("/patterns/", HTTP_HOST="portal.example.com").status_code == 301
    assert client.get("/patterns/", HTTP_HOST=POD_ADDRESS).status_code == 400


def test_liveness_never_asks_the_database(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


def test_readiness_needs_a_published_catalog(client: Client) -> None:
    CatalogVersion.objects.all().delete()
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert response.json()["catalog"] == "nothing published yet"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_refuse_writes(client: Client, path: str) -> None:
    assert client.post(path).status_code == 405


def test_probes_set_no_cookie_and_read_no_session(client: Client) -> None:
    response = client.get("/readyz", HTTP_COOKIE="sessionid=whatever")
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
