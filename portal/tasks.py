"""Scheduled background work (Django's tasks framework, run by `manage.py db_worker`): the daily reminder of
overdue checklist tasks. Notification e-mails are queued by portal.services.notifications, which owns them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.tasks import task
from django.utils import timezone

from portal.services.channels import post_overdue_digests
from portal.services.notifications import notify_overdue_tasks

REMINDER_HOUR = time(6, 0)


def next_reminder_time(now: datetime) -> datetime:
    """Tomorrow at the reminder hour (server time zone)."""
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, REMINDER_HOUR))


@task()
def remind_overdue_tasks(reschedule: bool = True) -> int:
    """Once a day: remind owners of overdue tasks, then queue tomorrow's run (the chain is started by
    `manage.py schedulereminders`, which `make run` and the release job call)."""
    count = notify_overdue_tasks()
    post_overdue_digests(today=timezone.localdate())
    if reschedule:
        remind_overdue_tasks.using(run_after=next_reminder_time(timezone.now())).enqueue()
    return count
