"""Scheduled background work (Django's tasks framework, run by `manage.py db_worker`): the hourly reminder run. Each
owner of an overdue checklist task hears of it at 06:00 in their own time zone, so the run comes every hour (on the
hour) and reminds those whose morning has come; the teams' chat digest goes out once a day, from the first run at or
after 06:00 server time (UTC: a team has no zone of its own). Notification e-mails are queued by
portal.services.notifications, which owns them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.tasks import task
from django.utils import timezone

from portal.services.channels import overdue_digests_post_daily, post_overdue_digests
from portal.services.notifications import notify_overdue_tasks

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult

RUN_EVERY = timedelta(hours=1)


def next_reminder_time(now: datetime) -> datetime:
    """The next full hour after ``now``: every zone's 06:00 falls on one (those with a half-hour offset, such as
    Asia/Kolkata, hear at 06:30, the first run of their morning)."""
    return now.replace(minute=0, second=0, microsecond=0) + RUN_EVERY


def chain_runs(**filters: Any) -> list[DBTaskResult]:
    """The hourly chain's runs in the database queue, narrowed by ``filters`` (a run asked for by hand carries
    reschedule=False and is not one of them)."""
    from django_tasks_db.models import DBTaskResult  # only with the database backend

    rows = DBTaskResult.objects.filter(task_path=remind_overdue_tasks.module_path, **filters)
    return [row for row in rows.only("args_kwargs", "run_after") if not row.args_kwargs.get("kwargs")]


def queue_next_run(now: datetime) -> None:
    """Queue the chain's next run, unless a run of the chain is queued for then or sooner already: two chains (one
    queued by `schedulereminders` while a run was starting, say) become one again."""
    when = next_reminder_time(now)
    if not chain_runs(status="READY", run_after__lte=when):
        remind_overdue_tasks.using(run_after=when).enqueue()


@task()
def remind_overdue_tasks(reschedule: bool = True) -> int:
    """Every hour: queue the next hour's run first (a run that fails must not end the chain: the next one catches up
    on what it missed), remind owners of overdue tasks whose morning has come, and post the teams' digests once a
    day (and in every run asked for by hand). The chain is started by `manage.py schedulereminders`, which `make run`
    and the release job call."""
    now = timezone.now()
    if reschedule:
        queue_next_run(now)
    try:
        return notify_overdue_tasks(now=now)
    finally:  # the teams' digest doesn't wait on the owners' reminders
        if reschedule:
            overdue_digests_post_daily(now=now)
        else:
            post_overdue_digests(today=timezone.localdate(now))
