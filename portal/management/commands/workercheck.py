"""`manage.py workercheck`: the task worker's liveness (the Kubernetes worker's exec probe). It fails when a task
that is due has waited more than --max-wait seconds to start: the worker is stuck or gone, and a restart is the
cure. A database it can't reach passes (the worker waits for it too, and restarting wouldn't bring it back)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


class Command(BaseCommand):
    help = "Fail when a due background task has waited too long to start (the worker's liveness)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-wait", type=int, default=600, help="seconds a due task may wait (default 600)")

    def handle(self, *args: Any, **options: Any) -> None:
        oldest = timezone.now() - timedelta(seconds=options["max_wait"])
        try:
            # Due since before ``oldest``: enqueued then to run at once (run_after is the far future's "no date"), or
            # to run after a time that passed then.
            due_long_ago = Q(run_after=get_date_max(), enqueued_at__lt=oldest) | Q(run_after__lt=oldest)
            stuck = DBTaskResult.objects.ready().filter(due_long_ago).exists()
        except DatabaseError as error:
            self.stdout.write(f"Database unreachable ({error.__class__.__name__}): not the worker's fault.")
            return
        if stuck:
            raise CommandError(f"A due task has waited more than {options['max_wait']} s: the worker isn't working.")
        self.stdout.write("The worker keeps up.")
