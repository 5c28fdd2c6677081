from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.tasks import default_task_backend
from django.utils import timezone

from portal.tasks import next_reminder_time, remind_overdue_tasks


class Command(BaseCommand):
    help = (
        "Queue the daily reminder of overdue checklist tasks unless one is queued already (each run queues the "
        "next). Safe to run on every release. --now runs one today as well, without starting another chain."
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
        queued = DBTaskResult.objects.filter(status="READY", task_path=remind_overdue_tasks.module_path)
        if any(not row.args_kwargs.get("kwargs") for row in queued.only("args_kwargs")):  # a chain, not a --now
            self.stdout.write("The daily reminder is queued already.")
            return
        when = next_reminder_time(timezone.now())
        remind_overdue_tasks.using(run_after=when).enqueue()
        self.stdout.write(f"The daily reminder of overdue tasks is queued for {when:%Y-%m-%d %H:%M %Z}.")
