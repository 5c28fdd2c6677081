"""Changes that must run one at a time per project, under a lock of their own rather than a row's."""

from __future__ import annotations

from django.db import connection

from portal.models import Project

PLACEMENTS = 26  # the advisory lock's first key (the second is the project's id)


def hold_placements(project: Project) -> None:
    """Held until the transaction ends, by whatever places many of a project's integrations in its environments or
    takes an environment away: an inventory import, and removing an environment. Two imports then read and write their
    names in turn, and a removal waits for an import to commit (it used to wait only for the rows the import had
    updated, miss those it added, and fail at commit on their foreign key). A lock of its own, not the project's row:
    every change writes its integrations first and the project's row (its history and counter) last, and taking the
    project's row first could deadlock with one of them."""
    if connection.vendor == "postgresql":  # SQLite lets one writer at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PLACEMENTS, project.pk])
