"""Settings come from the environment, strictly; production refuses to start unsafely."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from portal.env import env_bool, env_int, env_list, parse_cache_url, parse_database_url
from portal.models import Project

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


def test_a_bad_setting_stops_a_command_in_one_sentence() -> None:
    result = manage("check", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL="mysql://x/y")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Configuration error:") and len(result.stderr.strip().splitlines()) == 1


def test_the_server_stops_on_a_bad_setting_with_one_sentence() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    for bad, says in (({"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY='two' must be a whole number from 1"),
                      ({"ALLOWED_HOSTS": ""}, "needs ALLOWED_HOSTS")):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "deploy/serve.py", "--bind", "127.0.0.1:0"],
            cwd=ROOT, env={**env, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                           "ALLOWED_HOSTS": "portal.example.com", **bad},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode != 0 and says in result.stderr, result.stderr[-2000:]
        assert "Traceback" not in result.stderr


def test_secret_key_rotation_keeps_sessions_signed_with_the_old_key(settings: Any) -> None:
    from django.core import signing

    old = secrets.token_urlsafe(50)
    signed = signing.dumps({"who": "alice"}, key=old)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = secrets.token_urlsafe(50), [old]
    assert signing.loads(signed) == {"who": "alice"}
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(signing.BadSignature):
        signing.loads(signed)


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
    assert {key: postgres[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")} == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "portal",
        "USER": "app",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


def test_a_unix_socket_path_is_a_host() -> None:
    postgres = parse_database_url("postgresql://portal@%2Fvar%2Frun%2Fpostgresql/portal", base_dir=Path("/srv"))
    assert postgres["HOST"] == "/var/run/postgresql" and postgres["NAME"] == "portal"


@pytest.mark.parametrize("url", ["mysql://root@localhost/portal", "postgres://localhost", "sqlite://", "nonsense"])
def test_unsupported_or_incomplete_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url, base_dir=Path("/srv"))


def database_settings(**env: str) -> dict[str, object]:
    """The default database as settings build it from this environment, in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", "import json; from portal import settings as s;"
         "print(json.dumps(s.DATABASES['default'], default=repr))"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", **env},
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return dict(json.loads(result.stdout))


def test_postgresql_connections_are_kept_and_health_checked() -> None:
    database = database_settings()
    assert database["CONN_MAX_AGE"] == 600 and database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"] == {"connect_timeout": 5, "server_side_binding": True, "prepare_threshold": 2}
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is False


def test_prepared_statements_can_be_turned_off_for_pgbouncer() -> None:
    assert database_settings(DB_PREPARED_STATEMENTS="false")["OPTIONS"] == {"connect_timeout": 5}


@pytest.mark.django_db
def test_a_query_run_again_on_a_connection_is_prepared_once() -> None:
    """The server plans the pages' joins once per connection, not on every request."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    for _ in range(3):
        list(Project.objects.filter(pk=0, team__memberships__user_id=0))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"portal_project"' in statement and "$1" in statement for statement in prepared)


def test_the_pool_switch_uses_psycopgs_pool_with_connections_not_kept_by_django() -> None:
    database = database_settings(DB_POOL="true", DB_POOL_MAX_SIZE="8")
    pool = database["OPTIONS"]["pool"]
    assert database["CONN_MAX_AGE"] == 0
    assert pool["max_size"] == 8 and pool["min_size"] == 1 and "check_connection" in pool["check"]


def test_the_pgbouncer_switch_turns_off_server_side_cursors() -> None:
    assert database_settings(DISABLE_SERVER_SIDE_CURSORS="true")["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_the_pool_serves_queries() -> None:
    """A real pool on the real server: Django accepts the options and a query runs through it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.db import connection;"
         "c = connection.cursor(); c.execute('select 41 + 1'); print(c.fetchone()[0], connection.pool is not None)"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "DB_POOL": "true", "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["42", "True"]


def test_the_cache_is_chosen_by_cache_url() -> None:
    local = parse_cache_url("locmem://", max_entries=500)
    assert local["BACKEND"].endswith("LocMemCache") and local["OPTIONS"]["MAX_ENTRIES"] == 500
    shared = parse_cache_url("redis://cache.internal:6379/1", max_entries=500)
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == "redis://cache.internal:6379/1"
    assert parse_cache_url("rediss://cache.internal:6380/0", max_entries=1)["BACKEND"].endswith("RedisCache")
    assert parse_cache_url("dummy://", max_entries=1)["BACKEND"].endswith("DummyCache")


@pytest.mark.parametrize("url", ["memcached://cache:11211", "redis://", "locmem", "two"])
def test_an_unknown_cache_url_is_refused_in_one_sentence(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"CACHE_URL"):
        parse_cache_url(url, max_entries=1)


def test_links_in_mails_point_where_the_portal_is_served() -> None:
    def base_url(**env: str) -> str:
        result = manage("shell", "-c", "from django.conf import settings; print(settings.PORTAL_BASE_URL)", **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert base_url(DEBUG="true", PORT="8731") == "http://127.0.0.1:8731"  # make run PORT=8731
    production = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)}
    assert base_url(**production, ALLOWED_HOSTS="portal.example.com,.example.com") == "https://portal.example.com"
    assert base_url(**production, ALLOWED_HOSTS="x", PORTAL_BASE_URL="https://p.example/") == "https://p.example"
