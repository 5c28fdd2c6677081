from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.tasks import default_task_backend
from django.utils import timezone

from portal.tasks import RUN_EVERY, chain_runs, next_reminder_time, remind_overdue_tasks


class Command(BaseCommand):
    help = (
        "Queue the hourly reminder run (overdue checklist tasks, at 06:00 in each owner's time zone) unless one is "
        "queued already (each run queues the next). Safe to run on every release. --now runs one right away as "
        "well, without starting another chain."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="also queue a reminder run for right away")

    def handle(self, *args: Any, **options: Any) -> None:
        if not default_task_backend.supports_defer:
            raise CommandError(
                "The task backend can't run tasks later (TASKS_BACKEND=immediate?): use TASKS_BACKEND=database and "
                "run `manage.py db_worker`."
            )
        from django_tasks_db.models import DBTaskResult  # only with the database backend

        if options["now"]:
            remind_overdue_tasks.enqueue(reschedule=False)
            self.stdout.write("A reminder run is queued for right away.")
        now = timezone.now()
        when = next_reminder_time(now)
        chain = [row.pk for row in chain_runs(status="READY")]
        if chain:
            # A chain queued by a release that ran once a day waits up to a day: it runs on the next hour instead.
            moved = DBTaskResult.objects.filter(pk__in=chain, run_after__gt=now + RUN_EVERY).update(run_after=when)
            self.stdout.write("The hourly reminder run is queued already" + (", now for the next hour." if moved
                                                                               else "."))  # fmt: skip
            return
        if chain_runs(status="RUNNING", started_at__gte=now - RUN_EVERY):
            # A run under way queues the next itself (an older version did so only at its end): a second chain would
            # run every hour twice.
            self.stdout.write("The hourly reminder run is running and queues the next itself.")
            return
        remind_overdue_tasks.using(run_after=when).enqueue()
        self.stdout.write(f"The hourly reminder run is queued, first for {when:%Y-%m-%d %H:%M %Z}.")
