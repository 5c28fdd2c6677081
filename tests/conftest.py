from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (live servers, browsers) flush the database, the catalog loaded once with it: they run after
    every test that shares that load. pytest-django orders them so, but pytest's own grouping of tests by a
    session-wide parameter (Playwright's browser) can move some back in front; this runs last and puts them back."""

    def flushes(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        return bool(marker and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(fixtures)
        )

    items.sort(key=flushes)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """Background tasks run in the request, so a test sees their effect (mail.outbox); the database queue and its
    worker are tested on their own in tests/portal/test_notifications.py."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _catalog_version_asked_afresh() -> None:
    """Each test's transaction rolls back what it published: the process asks which version is the latest again
    (a running server asks every CATALOG_RECHECK_SECONDS)."""
    from patterns.catalog import recheck_now

    recheck_now()


@pytest.fixture(autouse=True)
def _pages_rendered_afresh() -> None:
    """Cached fragments are keyed by ids and counters that a rolled-back test may hand out again."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the real curated catalog once; each test's transaction is rolled back over it."""
    with django_db_blocker.unblock():
        call_command("loadcatalog", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def make_user(username: str, *, staff: bool = False, superuser: bool = False) -> User:
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password=f"{username}-password-123",
        is_staff=staff or superuser,
        is_superuser=superuser,
    )


@pytest.fixture
def alice(db: None) -> User:
    """Owns things (and curates the catalog)."""
    return make_user("alice", superuser=True)


@pytest.fixture
def bob(db: None) -> User:
    """A teammate without curation rights."""
    return make_user("bob")


@pytest.fixture
def charlie(db: None) -> User:
    """An outsider."""
    return make_user("charlie")
