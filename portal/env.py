"""Strict readers for settings from the environment: a bad value stops the process with a clear message."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """A Django DATABASES entry from DATABASE_URL, read by dj-database-url (so socket paths such as
    ``postgres://%2Fvar%2Frun%2Fpostgresql/portal`` and query options work). SQLite paths are relative to the project
    (``sqlite:///db.sqlite3``) or absolute (``sqlite:////var/data/portal.db``). Other engines, and URLs without a
    database, are refused."""
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as error:  # an unknown scheme, or no scheme at all
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a supported URL ({error}): use sqlite:///file.db or postgres://user@host:5432/name."
        ) from None
    engine, name = config.get("ENGINE"), str(config.get("NAME") or "")
    if engine not in SUPPORTED_ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL engine {engine!r} is not supported: use sqlite:///file.db or postgres://user@host:5432/name."
        )
    if not name or name == ":memory:":
        raise ImproperlyConfigured("DATABASE_URL names no database: sqlite:///file.db or postgres://…/NAME.")
    if engine == "django.db.backends.sqlite3" and not Path(name).is_absolute():
        config["NAME"] = str(base_dir / name)
    config["PORT"] = str(config.get("PORT") or "")
    config.setdefault("OPTIONS", {})
    return config


CACHE_SCHEMES = ("locmem://", "redis://", "rediss://", "dummy://")


def parse_cache_url(url: str, *, max_entries: int) -> dict[str, Any]:
    """A Django CACHES entry from CACHE_URL: ``locmem://`` (one process's memory: ``make run``), ``redis://host:6379/0``
    or ``rediss://…`` (Django's Redis backend, shared by every replica), or ``dummy://`` (no caching)."""
    url = url.strip()
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url.removeprefix("locmem://"),
                "OPTIONS": {"MAX_ENTRIES": max_entries}}  # fmt: skip
    if url.startswith(("redis://", "rediss://")):
        if len(url.split("://", 1)[1]) == 0:
            raise ImproperlyConfigured("CACHE_URL names no Redis server: use redis://host:6379/0.")
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}  # fmt: skip
    if url == "dummy://":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r} is not a supported cache: use locmem://, redis://host:6379/0 or dummy:// (no caching)."
    )
