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


def test_readiness_waits_for_the_releases_migrations(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version's pod isn't ready until the release step has migrated: its code may need the new columns."""
    from django.db.migrations.executor import MigrationExecutor

    from portal import probes

    monkeypatch.setattr(probes, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("portal", "0099_next")])
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["migrations"] == "1 not applied yet"
    assert response["Retry-After"].isdigit()
    monkeypatch.undo()
    monkeypatch.setattr(probes, "_migrated", False)
    assert client.get("/readyz").status_code == 200 and probes._migrated  # remembered once all are applied


def test_the_worker_check_fails_only_when_a_due_task_has_waited_too_long() -> None:
    from datetime import timedelta

    from django.core.management import CommandError, call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    def task(run_after: Any, minutes_ago: int) -> None:
        fields = {"args_kwargs": {"args": [], "kwargs": {}}, "task_path": "x.y", "queue_name": "default"}
        row = DBTaskResult.objects.create(status="READY", backend_name="default", run_after=run_after, **fields)
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - timedelta(minutes=minutes_ago))

    call_command("workercheck")  # nothing queued
    task(get_date_max(), 2)  # due two minutes ago: the worker has time
    task(timezone.now() + timedelta(hours=1), 30)  # scheduled for later
    call_command("workercheck")
    task(get_date_max(), 20)  # due twenty minutes ago and not started
    with pytest.raises(CommandError, match="waited more than 600 s"):
        call_command("workercheck")
