from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.tasks import default_task_backend


class Command(BaseCommand):
    help = (
        "The release step, run once per deployment before the new web processes take traffic (the Compose "
        "`release` service, the Kubernetes Job, `make release`): migrate, then load the content file into the "
        "draft (nothing curators haven't published is published, except the first version of an empty database), "
        "and queue the daily reminder for the task worker. Web processes never run this: a bad draft can't stop "
        "them from starting."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collectstatic", action="store_true", help="Collect static files first (the image does it at build)."
        )

    def handle(self, *args: Any, collectstatic: bool, **options: Any) -> None:
        verbosity = options["verbosity"]
        if collectstatic:
            call_command("collectstatic", interactive=False, verbosity=min(verbosity, 1), stdout=self.stdout)
        call_command("migrate", interactive=False, verbosity=verbosity, stdout=self.stdout)
        call_command("loadcatalog", verbosity=verbosity, stdout=self.stdout)
        if default_task_backend.supports_defer:  # a worker runs queued tasks (not TASKS_BACKEND=immediate)
            call_command("schedulereminders", verbosity=verbosity, stdout=self.stdout)
