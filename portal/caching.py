"""What is cached of the signed-in pages, under which keys, and how a page answers 304 to a browser that has it.

Two rules make a key right by construction:

- **Counters, committed with the change.** Every recorded change to a project counts in its ``revision``, every
  change to a team's members or invitations in the team's (``portal.services.history``), in the same transaction as
  the change. A reader sees either the old count with the old content or the new count with the new, so what is
  cached under a key made of counters is what the database held at that count, on any replica, whatever order
  concurrent changes commit in. A key over many projects uses their number and the sum of their counters, which
  changes with every commit (a maximum of clock times would not).
- **Nothing reader-specific.** Only what every member of the team sees alike is cached: a project's head, its
  integrations with the landscape, its progress pictures and checklist, a saved ranking, a dashboard's rows. Forms
  and CSRF tokens stay outside, rendered afresh; anything else a fragment shows is in its key (the reader's role and
  right to edit, the catalog version, the day, whose "mine" is, and the time zone its times are shown in, which
  every key carries). People's names count where they show when they
  change (``portal.services.accounts.account_names_changed``: their teams, and the projects where they own a task).

The backend is Django's cache, chosen by ``CACHE_URL`` (one process's memory, Redis shared by replicas, or none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db.models import Count, Sum
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe

from patterns.curators import is_curator
from patterns.http import SignedInRequest
from portal.models import Project, Team
from portal.selectors.notifications import unread_count
from portal.time_zones import OFFER_SESSION_KEY

FRAGMENT_SECONDS = 24 * 60 * 60  # a key never goes stale; this only lets memory go


def _code_version() -> str:
    """What renders the fragments (the templates, the pictures' code, the template filters): part of every key, so
    replicas of two releases sharing one cache never serve each other's markup."""
    root = Path(__file__).resolve().parent.parent
    sources = sorted(
        [*(root / "templates").rglob("*.html"), *(root / "portal" / "pictures").glob("*.py"),
         *(root / "patterns" / "templatetags").glob("*.py"), *(root / "portal" / "templatetags").glob("*.py")]
    )  # fmt: skip
    digest = hashlib.blake2b(digest_size=8)
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def _digest(parts: Iterable[object]) -> str:
    return hashlib.blake2b("\x1f".join(str(part) for part in parts).encode(), digest_size=16).hexdigest()


def fragment(name: str, parts: Iterable[object], render: Callable[[], str]) -> SafeString:
    """The HTML ``render()`` gives, kept in the cache under ``name`` and every value it depends on (``parts``)."""
    return fragments({name: (parts, render)})[name]


def fragments(wanted: dict[str, tuple[Iterable[object], Callable[[], str]]]) -> dict[str, SafeString]:
    """Several fragments (name -> its parts and how to render it) in one round trip to the cache (and one more to
    keep those it had to render): with Redis, a page's fragments cost one network wait, not one each."""
    zone = timezone.get_current_timezone_name()  # every time shown is in the reader's zone
    keys = {name: f"fragment:{CODE_VERSION}:{name}:{_digest([zone, *parts])}" for name, (parts, _) in wanted.items()}
    found = cache.get_many(list(keys.values()))
    rendered = {key: str(wanted[name][1]()) for name, key in keys.items() if key not in found}
    if rendered:
        cache.set_many(rendered, FRAGMENT_SECONDS)
    # Rendered by the template engine or the pictures' own escaping.
    return {name: mark_safe(found[key] if key in found else rendered[key]) for name, key in keys.items()}  # noqa: S308


@dataclass(frozen=True)
class TeamState:
    """What changes whenever anything a team's pages show changes: its own counter, and its projects' number and
    the sum of their counters. Counters only grow and a project is never deleted or moved to another team, so every
    commit moves the key (a service that ever deletes or moves one must count it in the team's counter)."""

    revision: int
    projects: int
    project_revisions: int

    @property
    def key(self) -> str:
        return f"{self.revision}.{self.projects}.{self.project_revisions}"


def team_state(team: Team) -> TeamState:
    totals = Project.objects.filter(team=team).aggregate(count=Count("id"), revisions=Sum("revision"))
    return TeamState(team.revision, totals["count"] or 0, totals["revisions"] or 0)


def page_etag(request: SignedInRequest, *parts: object) -> str:
    """An ETag for a page: what it shows (``parts``: the counters, the catalog version, the day, the filters) and
    who reads it (the account and its name, the CSRF secret its forms carry, the unread count and the curation link
    in the navigation, the time zone and whether the page offers the browser's)."""
    user = request.user
    # The navigation reads both from here too, so each is one query.
    if not hasattr(request, "unread_notifications"):
        request.unread_notifications = unread_count(user)  # type: ignore[attr-defined]
    if not hasattr(request, "is_curator"):
        request.is_curator = is_curator(user)  # type: ignore[attr-defined]
    reader = (
        user.pk,
        user.get_username(),
        user.get_full_name(),
        request.COOKIES.get("csrftoken", ""),
        request.unread_notifications,  # type: ignore[attr-defined]
        request.is_curator,  # type: ignore[attr-defined]
        timezone.get_current_timezone_name(),
        bool(request.session.get(OFFER_SESSION_KEY)) if hasattr(request, "session") else False,
    )
    return f'W/"{_digest([*parts, *reader])}"'


def not_modified(request: SignedInRequest, etag: str) -> HttpResponse | None:
    """A 304 when the browser already has this page (its ETag matches and no message is waiting to be shown)."""
    messages = getattr(request, "_messages", None)
    if request.method != "GET" or (messages is not None and len(messages)):  # len() leaves them unread
        return None
    match = request.headers.get("If-None-Match", "")
    if etag not in {tag.strip() for tag in match.split(",")}:
        return None
    response = HttpResponseNotModified()
    revalidated(response, etag)
    return response


def revalidated(response: HttpResponse, etag: str) -> HttpResponse:
    """The page's ETag, and a browser may keep it (for this reader only) but must ask again before using it."""
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
