"""Settings come from the environment, strictly; production refuses to start unsafely."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", DEBUG="false")
    assert result.returncode != 0 and "needs a real SECRET_KEY" in result.stderr


def test_production_refuses_the_development_secret_key() -> None:
    from portal.settings import DEVELOPMENT_SECRET_KEY

    result = manage("check", DEBUG="false", SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert result.returncode != 0 and "needs a real SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checks() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_a_bad_boolean_stops_the_process_with_a_clear_message() -> None:
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", False)])
def test_booleans_are_read_strictly(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_a_bad_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONN_MAX_AGE", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("CONN_MAX_AGE", 0)
    monkeypatch.setenv("CONN_MAX_AGE", "-5")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("CONN_MAX_AGE", 0, minimum=0)


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example.com, b.example.com,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example.com", "b.example.com"]


def test_database_urls_for_sqlite_and_postgresql() -> None:
    base = Path("/srv/portal")
    assert parse_database_url("sqlite:///db.sqlite3", base_dir=base)["NAME"] == "/srv/portal/db.sqlite3"
    assert parse_database_url("sqlite:////var/data/p.db", base_dir=base)["NAME"] == "/var/data/p.db"
    postgres = parse_database_url("postgres://app:s%40cret@db.internal:5433/portal?sslmode=require", base_dir=base)
    assert postgres == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "portal",
        "USER": "app",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


@pytest.mark.parametrize("url", ["mysql://root@localhost/portal", "postgres://localhost", "sqlite://", "nonsense"])
def test_unsupported_or_incomplete_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url, base_dir=Path("/srv"))


def test_postgresql_connections_are_kept_and_health_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from portal import settings as s; d = s.DATABASES['default'];"
         "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x"},
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    assert result.stdout.split() == ["django.db.backends.postgresql", "600", "True"]
