"""The pages' cache under real servers (``portal.caching``): keys made of counters committed with each change leave no
page stale whatever order concurrent changes commit in, with two workers each keeping its own cache or both sharing
Redis; and replicas sharing Redis show a change made on one at the other's next request.

The production server (gunicorn, DEBUG off) runs on the test database, whose rows these tests commit; Redis is
Debian's redis-server on a free port, started and stopped here."""

from __future__ import annotations

import io
import re
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import global_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from portal.benchmark_http import sign_in
from portal.models import DecisionStatus, Project, Role
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_save, decision_transition
from portal.services.projects import project_create, project_settings_update
from tests.factories import make_integration, make_team
from tests.ops.conftest import Server, fetch, free_port, start_server

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
READS = 10  # each page, while one change is committed and the other isn't, and again after both


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if not Path(REDIS_SERVER).exists():
        pytest.fail(
            f"redis-server not found at {REDIS_SERVER}: install Debian's package (apt-get install redis-server)."
        )
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url_here() -> str:
    """The test database, for the servers."""
    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"


@pytest.fixture
def committed(db: None, alice: User, bob: User) -> None:
    """The catalog (a transactional test before may have flushed it), and passwords the servers can check (the
    suite's fast hasher isn't one production accepts)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions and servers on the test database: PostgreSQL")
    call_command("loadcatalog", verbosity=0, stdout=io.StringIO())
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        for user in (alice, bob):
            user.set_password(f"{user.username}-password-123")
            user.save(update_fields=["password"])


def awaiting(page: str) -> str:
    """The dashboard's "Awaiting my review" card."""
    return page.split("<h2>Awaiting my review</h2>", 1)[1].split("</section>", 1)[0]


def integrations_of(page: str, project: str) -> str:
    """The integration count my projects shows for ``project``."""
    row = page.split(f">{project}</a>", 1)[1].split("</tr>", 1)[0]
    found = re.search(r'data-label="Integrations"><div>(\d+)</div>', row)
    assert found, row
    return found.group(1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache", ["each worker its own (locmem://)", "shared (redis://)"])
def test_commit_order_leaves_no_page_stale(committed: None, collected_static: Path, alice: User, bob: User,
                                           cache: str, request: pytest.FixtureRequest) -> None:  # fmt: skip
    """The race of issue 22: a slow change to one project commits after a quick change to another, while a reviewer
    reads the dashboard and "my projects" in between; once both have committed, no read shows the state before."""
    team = make_team(alice, "Finance", bob=Role.REVIEWER)
    slow = project_create(owner=alice, name="Procure to pay", description="", team=team)
    quick = project_create(owner=alice, name="Record to report", description="", team=team)
    project_settings_update(project=slow, actor=alice, required_approvals=0)
    integration = make_integration(slow, "Vendor invoices")
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug=integration.top_pattern_slug,
                             rationale="Fits.")  # fmt: skip
    cache_url = request.getfixturevalue("redis_url") if "redis" in cache else "locmem://"
    server = start_server(database_url=database_url_here(), static_root=collected_static, workers=2,
                          env={"CACHE_URL": cache_url})  # fmt: skip
    try:
        cookie = {"Cookie": sign_in(server.url, "bob", "bob-password-123")}
        dashboard, mine = f"{server.url}/teams/{team.pk}/", f"{server.url}/projects/"

        def read(url: str) -> list[str]:
            answers = [fetch(url, headers=cookie) for _ in range(READS)]
            assert {answer.status for answer in answers} == {200}, server.log_tail()
            return [answer.text() for answer in answers]

        assert all("Vendor invoices" in awaiting(page) for page in read(dashboard))
        assert {integrations_of(page, "Procure to pay") for page in read(mine)} == {"1"}

        started, finish, failures = threading.Event(), threading.Event(), []

        def slow_change() -> None:  # accept the decision and add an integration, then wait before committing
            try:
                with transaction.atomic():
                    decision_transition(decision=decision, actor=alice, status=DecisionStatus.ACCEPTED,
                                        expected_version=decision.version)  # fmt: skip
                    make_integration(Project.objects.get(pk=slow.pk), "Payments")
                    started.set()
                    assert finish.wait(60)
            except Exception as error:
                failures.append(error)
                started.set()
            finally:
                connection.close()

        worker = threading.Thread(target=slow_change)
        worker.start()
        assert started.wait(60) and not failures, failures
        entry = quick.checklist_entries.order_by("pk")[0]
        checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="done")  # the quick one commits
        between = read(dashboard), read(mine)  # cached under the state with only the quick change
        assert all("Vendor invoices" in awaiting(page) for page in between[0])
        finish.set()
        worker.join(60)
        assert not failures, failures

        after = read(dashboard), read(mine)
        assert [page for page in after[0] if "Vendor invoices" in awaiting(page)] == []
        assert all('aria-label="Accepted: 1"' in page for page in after[0])
        assert {integrations_of(page, "Procure to pay") for page in after[1]} == {"2"}
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_replicas_sharing_redis_show_a_change_made_on_one_at_the_others_next_request(
    committed: None, collected_static: Path, redis_url: str, alice: User
) -> None:
    team = make_team(alice, "Finance")
    project = project_create(owner=alice, name="Order to cash", description="", team=team)
    make_integration(project, "Web shop orders")
    entry = project.checklist_entries.order_by("pk")[0]
    env = {"CACHE_URL": redis_url, "SECRET_KEY": secrets.token_urlsafe(50)}  # one key: a session good on both
    servers: list[Server] = [start_server(database_url=database_url_here(), static_root=collected_static, env=env)
                             for _ in range(2)]  # fmt: skip
    try:
        one, other = servers
        cookies = sign_in(one.url, "alice", "alice-password-123")
        page = f"/projects/{project.pk}/"
        for server in servers:
            answer = fetch(server.url + page, headers={"Cookie": cookies})
            assert answer.status == 200 and f'<li class="task task-open" id="task-{entry.pk}">' in answer.text()
        kept = redis.Redis.from_url(redis_url).keys("*fragment*")
        assert len(kept) >= 4, kept  # the head, integrations, progress and checklist, in the shared cache

        form = fetch(f"{one.url}/projects/{project.pk}/checklist/{entry.pk}/", headers={"Cookie": cookies})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text())
        assert token, form.text()
        prefix = f"entry-{entry.pk}-"  # the form's prefix: several tasks' forms can share the page
        body = f"csrfmiddlewaretoken={token.group(1)}&{prefix}version=1&{prefix}status=done".encode()
        saved = fetch(f"{one.url}/projects/{project.pk}/checklist/{entry.pk}/", method="POST", data=body,
                      headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert saved.status == 302, saved.text()

        answer = fetch(other.url + page, headers={"Cookie": cookies})
        assert f'<li class="task task-done" id="task-{entry.pk}">' in answer.text()
    finally:
        for server in servers:
            server.stop()
