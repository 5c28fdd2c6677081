"""`manage.py clearcache`: empty the pages' cache (CACHE_URL). Nothing is lost but speed: every page renders afresh
once. Needed only after restoring a database backup, whose counters run again over values the cache has seen."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Empty the pages' cache (run it after restoring a database backup)."

    def handle(self, *args: Any, **options: Any) -> None:
        cache.clear()
        self.stdout.write("The pages' cache is empty: each page renders afresh once.")
