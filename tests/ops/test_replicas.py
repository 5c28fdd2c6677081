"""Several replicas on one database hold no per-process state that goes stale: a catalog version published from
anywhere is what every replica serves within the stated bound (README "Deploying": a process asks which version is
the latest at most every CATALOG_RECHECK_SECONDS, 2; the test allows 5 seconds).

Two gunicorn processes with the production settings share a database of their own (PostgreSQL when the suite runs
on it, else SQLite); a third process edits the draft and publishes it, as a curator would on another replica."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.ops.conftest import Server, fetch, start_server

ROOT = Path(__file__).resolve().parents[2]
BOUND = 5.0  # seconds
pytestmark = pytest.mark.django_db  # ordered with the database tests; this test's own database is separate


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[str]:
    settings = connection.settings_dict
    if settings["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'replicas.sqlite3'}"
        return
    name = f"portal_replicas_{uuid.uuid4().hex[:12]}"
    server = f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} user={settings['USER']}"
    with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url: str, *args: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def replicas(shared_database: str, collected_static: Path) -> Iterator[list[Server]]:
    manage(shared_database, "release")
    servers = [start_server(database_url=shared_database, static_root=collected_static) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def odata(server: Server) -> dict[str, str]:
    answer = fetch(f"{server.url}/api/v1/patterns/odata")
    assert answer.status == 200
    return dict(json.loads(answer.body))


def test_a_version_published_elsewhere_is_what_every_replica_serves(
    shared_database: str, replicas: list[Server]
) -> None:
    assert [odata(server)["catalog_version"] for server in replicas] == ["v1", "v1"]  # each has v1 in memory

    edit = "from patterns.models import Pattern; Pattern.objects.filter(slug='odata').update(summary='Reviewed.')"
    manage(shared_database, "shell", "-c", edit)
    assert all(odata(server)["summary"] != "Reviewed." for server in replicas)  # a draft edit is not published
    manage(shared_database, "publishcatalog", "--note", "Reviewed OData summary.")

    published = time.monotonic()
    for server in replicas:
        while (seen := odata(server))["catalog_version"] != "v2" and time.monotonic() - published < BOUND:
            time.sleep(0.1)
        assert seen["catalog_version"] == "v2" and seen["summary"] == "Reviewed."
