"""While PostgreSQL is unreachable the public recommendation API keeps answering from the published snapshot in
memory; every other database-backed request is a 503 with Retry-After (JSON under /api/, the styled page
otherwise), never a 500; and the server recovers by itself when the database returns.

The production server (gunicorn, DEBUG off) reaches the test database through a TCP proxy that the test cuts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import get_resolver

from tests.factories import WEB_SHOP
from tests.ops.conftest import Answer, Server, TcpProxy, database_url_through, fetch, start_server

pytestmark = pytest.mark.django_db


POOL = {"DB_POOL": "true", "DB_POOL_TIMEOUT": "2"}


@pytest.fixture
def server(request: pytest.FixtureRequest, database_proxy: TcpProxy, collected_static: Path) -> Iterator[Server]:
    """Django's persistent connections by default; psycopg's pool with the parameter "pool"."""
    env = POOL if getattr(request, "param", "") == "pool" else None
    server = start_server(database_url=database_url_through(database_proxy.port), static_root=collected_static, env=env)
    yield server
    server.stop()


def recommend(server: Server) -> Answer:
    body = json.dumps(WEB_SHOP).encode()
    return fetch(f"{server.url}/api/v1/recommendations", method="POST", data=body,
                 headers={"Content-Type": "application/json"})  # fmt: skip


def signed_in_page(server: Server) -> Answer:
    return fetch(f"{server.url}/projects/", headers={"Cookie": "sessionid=someone-s-session"})


def api_projects(server: Server) -> Answer:
    return fetch(f"{server.url}/api/v1/projects", headers={"Authorization": "Bearer not-a-real-token"})


def eventually(check: Callable[[], Answer], attempts: int = 50) -> Answer:
    for _ in range(attempts):
        answer = check()
        if answer.status < 500:
            return answer
        time.sleep(0.2)
    return answer


@pytest.mark.parametrize("server", ["persistent connections", "pool"], indirect=True)
def test_recommendations_survive_a_lost_database_and_everything_recovers(
    server: Server, database_proxy: TcpProxy
) -> None:
    before = recommend(server)
    assert before.status == 200
    assert fetch(f"{server.url}/readyz").status == 200

    database_proxy.cut()

    during = recommend(server)
    assert during.status == 200
    assert json.loads(during.body) == json.loads(before.body)
    assert fetch(f"{server.url}/patterns/").status == 200  # the catalog, for a visitor who isn't signed in

    page = signed_in_page(server)
    assert page.status == 503 and page.headers["Retry-After"].isdigit()
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Back in a moment" in page.text() and 'rel="stylesheet"' in page.text()

    api = api_projects(server)
    assert api.status == 503 and api.headers["Retry-After"].isdigit()
    assert json.loads(api.body)["errors"]["database"]

    not_ready = fetch(f"{server.url}/readyz")
    assert not_ready.status == 503 and "Retry-After" in not_ready.headers
    assert fetch(f"{server.url}/healthz").status == 200  # alive: no restart for a database outage

    database_proxy.restore()

    assert eventually(lambda: fetch(f"{server.url}/readyz")).status == 200
    recovered = eventually(lambda: api_projects(server))
    assert recovered.status == 401, server.log_tail()  # the database answered: the token is unknown
    assert signed_in_page(server).status == 302  # an unknown session: to the sign-in page
    assert recommend(server).status == 200


def test_no_request_during_an_outage_is_a_500(server: Server, database_proxy: TcpProxy) -> None:
    assert recommend(server).status == 200
    database_proxy.cut()
    statuses = {
        path: fetch(f"{server.url}{path}", headers={"Cookie": "sessionid=x"}).status
        for path in ("/", "/projects/", "/teams/", "/account/", "/wizard/", "/patterns/", "/api/v1/patterns",
                     "/accounts/login/", "/curation/", "/admin/")
    }  # fmt: skip
    assert all(status < 500 or status == 503 for status in statuses.values()), statuses


def answer_while_handling(error: Exception) -> HttpResponse:
    """What the production server answers when ``error`` escapes everything (Django calls handler500 then)."""
    handler = get_resolver().resolve_error_handler(500)
    try:
        raise error
    except Exception:
        return handler(RequestFactory().get("/projects/"))


def test_a_lost_database_outside_any_view_is_a_503_too() -> None:
    response = answer_while_handling(OperationalError("server closed the connection unexpectedly"))
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert b"Back in a moment" in response.content


def test_any_other_escaped_error_is_the_plain_500_page() -> None:
    response = answer_while_handling(RuntimeError("a bug"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_a_sqlite_error_is_a_bug_to_show_not_an_outage(rf: Any, monkeypatch: Any) -> None:
    """SQLite is a file that can't go away: its OperationalError (a missing migration, say) isn't a 503."""
    from django.db import connections

    from portal.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    request = rf.get("/projects/")
    wrapper = type(connections["default"])
    monkeypatch.setattr(wrapper, "vendor", "postgresql")
    assert middleware.process_exception(request, OperationalError("server closed the connection")).status_code == 503
    monkeypatch.setattr(wrapper, "vendor", "sqlite")
    assert middleware.process_exception(request, OperationalError("no such column: x")) is None
