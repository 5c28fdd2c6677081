"""Logs are JSON lines with the time, level, request id and user id; errors reach Sentry when SENTRY_DSN is set."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.observability import JsonFormatter, RequestContextFilter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What portal.access writes, through the production formatter and filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("portal.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_request_and_user_ids(
    client: Client, alice: User, json_log: io.StringIO
) -> None:
    client.force_login(alice)
    response = client.get(reverse("projects:list"), HTTP_X_REQUEST_ID="edge-7f3a9c21")
    (line,) = lines(json_log)
    assert response["X-Request-ID"] == "edge-7f3a9c21"
    assert line["request_id"] == "edge-7f3a9c21" and line["user_id"] == alice.pk
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert line["status"] == 200 and line["path"] == "/projects/" and line["method"] == "GET"


@pytest.mark.django_db
def test_a_request_without_a_sane_id_gets_a_new_one_and_anonymous_has_no_user(
    client: Client, json_log: io.StringIO
) -> None:
    response = client.get(reverse("patterns:catalog"), HTTP_X_REQUEST_ID="<script>")
    (line,) = lines(json_log)
    assert line["request_id"] == response["X-Request-ID"] != "<script>"
    assert len(line["request_id"]) == 32 and line["user_id"] is None


def manage_shell(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "LOG_FORMAT"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": secrets.token_urlsafe(50),
             "DEBUG": "false", "ALLOWED_HOSTS": "testserver", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip


def test_production_logs_are_json_lines() -> None:
    result = manage_shell("import django, logging; django.setup(); logging.getLogger('portal').warning('hello %s', 1)")
    (line,) = [json.loads(text) for text in result.stderr.splitlines() if '"hello 1"' in text]
    assert line["level"] == "WARNING" and line["logger"] == "portal" and {"time", "request_id", "user_id"} <= set(line)


class _FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []  # one test server, read by the test

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        body = gzip.decompress(body) if encoding == "gzip" else brotli.decompress(body) if encoding == "br" else body
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


FAILING_REQUEST = """
import django, sentry_sdk
django.setup()
from django.test import Client
from portal import probes

def boom(request):
    raise RuntimeError("boom for sentry")

probes.PROBES["/healthz"] = boom
print(Client(raise_request_exception=False).get("/healthz").status_code)
sentry_sdk.flush(timeout=10)
"""


def test_an_unhandled_error_is_reported_to_sentry_when_a_dsn_is_set(tmp_path: Path) -> None:
    _FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeSentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
        result = manage_shell(FAILING_REQUEST, SENTRY_DSN=dsn, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    finally:
        server.shutdown()
    assert result.stdout.strip() == "500", result.stderr
    assert any(b"boom for sentry" in body and b"RuntimeError" in body for body in _FakeSentry.received)


def test_without_a_dsn_nothing_is_sent() -> None:
    result = manage_shell("import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())")
    assert result.stdout.strip() == "False"
