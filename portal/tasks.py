"""Scheduled background work (Django's tasks framework, run by `manage.py db_worker`): the hourly reminder run. Each
owner of an overdue checklist task hears of it at 06:00 in their own time zone, so the run comes every hour (on the
hour) and reminds those whose morning has come; the teams' chat digest goes out in the 06:00 run, server time
(UTC: a team has no zone of its own). Notification e-mails are queued by portal.services.notifications, which owns
them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone

from portal.services.channels import post_overdue_digests
from portal.services.notifications import REMINDER_TIME, notify_overdue_tasks

DIGEST_TIME = REMINDER_TIME  # the teams' digest, in the server's zone
RUN_EVERY = timedelta(hours=1)


def next_reminder_time(now: datetime) -> datetime:
    """The next full hour after ``now``: every zone's 06:00 falls on one (those with a half-hour offset, such as
    Asia/Kolkata, hear at 06:30, the first run of their morning)."""
    return now.replace(minute=0, second=0, microsecond=0) + RUN_EVERY


def is_digest_run(now: datetime) -> bool:
    """The run of the server's 06:00 hour (a late worker's run of that hour still counts)."""
    return timezone.localtime(now).time().hour == DIGEST_TIME.hour


@task()
def remind_overdue_tasks(reschedule: bool = True) -> int:
    """Every hour: remind owners of overdue tasks whose morning has come, post the teams' digests in the 06:00 run
    (or in a run asked for by hand), then queue the next hour's run (the chain is started by
    `manage.py schedulereminders`, which `make run` and the release job call)."""
    now = timezone.now()
    count = notify_overdue_tasks(now=now)
    if not reschedule or is_digest_run(now):
        post_overdue_digests(today=timezone.localdate(now))
    if reschedule:
        remind_overdue_tasks.using(run_after=next_reminder_time(now)).enqueue()
    return count
