"""Notifications: who hears about what in their projects, in the inbox and by e-mail.

Recipients are always narrowed to the project's current team (and, for reviews, to those who can review): a
notification never tells anyone outside the team that a project exists. The rows are written in the caller's
transaction; the e-mails go out through a background task queued in the same transaction, so a rolled-back change
sends nothing and a committed one is never forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from itertools import batched
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, Func, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url
from portal.mail import deliver, message
from portal.models import (
    Capability,
    Decision,
    Integration,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    Project,
    ProjectChecklistEntry,
    TaskStatus,
    roles_that_can,
)
from portal.selectors.accounts import time_zones_of
from portal.services.channels import post_decision

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")


def _team_members(project: Project, user_ids: Iterable[int], *, capability: str = Capability.READ) -> list[int]:
    return list(
        Membership.objects.filter(
            team_id=project.team_id,
            user_id__in=set(user_ids),
            role__in=roles_that_can(capability),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )


def notify(
    *,
    kind: str,
    project: Project,
    recipient_ids: Iterable[int],
    actor: User | None,
    message: str,
    url: str,
    key: str = "",
    capability: str = Capability.READ,
) -> list[Notification]:
    """Tell each recipient who is in the project's team (never the actor) in the channels they keep on."""
    wanted = [
        uid for uid in _team_members(project, recipient_ids, capability=capability) if actor is None or uid != actor.pk
    ]
    if not wanted:
        return []
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=wanted, kind=kind)}
    rows = []
    for user_id in sorted(wanted):
        preference = preferences.get(user_id)
        inbox, email = (preference.inbox, preference.email) if preference else (True, True)
        if inbox or email:
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=kind,
                    project=project,
                    actor=actor,
                    message=message[:300],
                    url=url,
                    key=key,
                    in_inbox=inbox,
                    email_wanted=email,
                )
            )
    if key:  # a reminder goes out once: skip those who already have it
        had = set(Notification.objects.filter(key=key, recipient_id__in=wanted).values_list("recipient_id", flat=True))
        created = [row for row in rows if row.recipient_id not in had and _created_once(row)]
    else:
        created = Notification.objects.bulk_create(rows)
    to_mail = [row.pk for row in created if row.email_wanted]
    if to_mail:  # queued in this transaction: committed together with the rows, or not at all
        send_notification_emails.enqueue(to_mail)
    return created


def _created_once(row: Notification) -> bool:
    """Insert a keyed notification unless its recipient has it: a run at the same time (a reminder run asked for by
    hand beside the hourly one) may have written it since we looked. The unique key refuses the second row, and the
    savepoint keeps our transaction, and the other reminders in it, going."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if Notification.objects.filter(recipient_id=row.recipient_id, key=row.key).exists():
            return False
        raise
    return True


@task()
def send_notification_emails(notification_ids: list[int], attempt: int = 1) -> int:
    """Mail each notification not mailed yet, to a recipient still in the project's team with an address."""
    still_member = Membership.objects.filter(team_id=OuterRef("project__team_id"), user_id=OuterRef("recipient_id"))
    pending = (
        Notification.objects.filter(pk__in=notification_ids, email_wanted=True, emailed_at__isnull=True)
        .filter(Exists(still_member))
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    preferences = public_url(reverse("notifications:preferences"))
    sent = 0
    for notification in pending:
        context = {"message": notification.message, "link": public_url(notification.url),
                   "preferences": preferences}  # fmt: skip
        mail = message("notification", context, [notification.recipient.email])
        # On a failure the whole list is queued again: those mailed already are marked and skipped then.
        if not deliver(mail, retry=send_notification_emails, attempt=attempt, notification_ids=notification_ids):
            break
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _integration_url(integration: Integration, anchor: str = "decision") -> str:
    return reverse("projects:integration", args=[integration.project_id, integration.pk]) + f"#{anchor}"


def notify_review_requested(*, decision: Decision, actor: User) -> None:
    integration = decision.integration
    project = integration.project
    reviewers = Membership.objects.filter(team_id=project.team_id).values_list("user_id", flat=True)
    notify(
        kind=NotificationKind.REVIEW_REQUESTED,
        project=project,
        recipient_ids=reviewers,
        actor=actor,
        capability=Capability.REVIEW,
        url=_integration_url(integration),
        message=f"{actor.get_username()} asks for a review: {integration.name} → {decision.chosen_pattern_name} "
        f"(version {decision.version}) in {project.name}",
    )
    post_decision(decision=decision, actor=actor, proposed=True)


STATUS_KINDS = {
    "accepted": NotificationKind.DECISION_ACCEPTED,
    "rejected": NotificationKind.DECISION_REJECTED,
    "superseded": NotificationKind.DECISION_SUPERSEDED,
}


def notify_decision_status(*, decision: Decision, actor: User) -> None:
    """The proposer and everyone who approved any version hear that the decision was accepted, rejected or
    superseded."""
    kind = STATUS_KINDS.get(decision.status)
    if kind is None:
        return
    post_decision(decision=decision, actor=actor)
    integration = decision.integration
    involved = {decision.proposed_by_id, *decision.approvals.values_list("reviewer_id", flat=True)}
    reason = f": {decision.status_reason}" if decision.status == "rejected" and decision.status_reason else ""
    notify(
        kind=kind,
        project=integration.project,
        recipient_ids=involved,
        actor=actor,
        url=_integration_url(integration),
        message=f"{actor.get_username()} {decision.status} {integration.name} → {decision.chosen_pattern_name} "
        f"in {integration.project.name}{reason}",
    )


def mentioned_usernames(body: str) -> set[str]:
    return {name.rstrip(".") for name in MENTION.findall(body)}


def notify_mentions(*, integration: Integration, author: User, body: str) -> None:
    names = mentioned_usernames(body)
    if not names:
        return
    users = User.objects.filter(username__in=names).values_list("pk", flat=True)
    notify(
        kind=NotificationKind.MENTIONED,
        project=integration.project,
        recipient_ids=users,
        actor=author,
        url=_integration_url(integration, "comments"),
        message=f"{author.get_username()} mentioned you on {integration.name} in {integration.project.name}",
    )


def notify_task_assigned(*, entry: ProjectChecklistEntry, actor: User) -> None:
    if entry.assignee_id is None:
        return
    due = f", due {entry.due_date:%d %b %Y}" if entry.due_date else ""
    notify(
        kind=NotificationKind.TASK_ASSIGNED,
        project=entry.project,
        recipient_ids=[entry.assignee_id],
        actor=actor,
        url=reverse("projects:detail", args=[entry.project_id]) + f"#task-{entry.pk}",
        message=f"{actor.get_username()} gave you the task “{entry.title}” in {entry.project.name}{due}",
    )


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
REMINDER_TIME = time(6, 0)  # in each owner's own time zone
AHEAD_OF_UTC = timedelta(hours=14)  # no zone's date is further ahead (Pacific/Kiritimati)


def _overdue_key(entry: ProjectChecklistEntry) -> str:
    assert entry.due_date is not None
    return f"overdue:{entry.pk}:{entry.due_date.isoformat()}"


def reminders_due(
    entries: Iterable[ProjectChecklistEntry], zones: dict[int, str], now: datetime
) -> list[ProjectChecklistEntry]:
    """The tasks to remind their owners of at ``now``: due before the owner's date, once it is 06:00 or later there
    (a run that missed 06:00 catches up, and the reminder never comes before the owner's morning)."""
    due = []
    for entry in entries:
        assert entry.assignee_id is not None and entry.due_date is not None
        local = now.astimezone(ZoneInfo(zones[entry.assignee_id]))
        if entry.due_date < local.date() and local.time() >= REMINDER_TIME:
            due.append(entry)
    return due


class IsoDate(Func):
    """A date as ISO text (2026-12-05), as the reminders' keys carry it, whatever the server's DateStyle."""

    template = "%(expressions)s"  # SQLite keeps dates as ISO text already
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s::timestamp, 'YYYY-MM-DD')", **extra)


def _still_to_remind(now: datetime) -> QuerySet[ProjectChecklistEntry]:
    """Open tasks past their due date somewhere on Earth whose owner can hear of it (in the project's team, not
    turned off) and has no reminder for this due date yet: what each run reads stays what is left to send, however
    many tasks stay overdue for months. The reminder's key is matched in the database, on its unique index."""
    reminded = Notification.objects.filter(
        recipient_id=OuterRef("assignee_id"),
        key=Concat(Value("overdue:"), Cast(OuterRef("pk"), CharField()), Value(":"), IsoDate(OuterRef("due_date"))),
    ).exclude(key="")  # the condition of the unique index it is read from
    in_team = Membership.objects.filter(team_id=OuterRef("project__team_id"), user_id=OuterRef("assignee_id"),
                                        role__in=roles_that_can(Capability.READ), user__is_active=True)  # fmt: skip
    turned_off = NotificationPreference.objects.filter(
        user_id=OuterRef("assignee_id"), kind=NotificationKind.TASK_OVERDUE, inbox=False, email=False
    )
    return (
        ProjectChecklistEntry.objects.filter(
            due_date__lt=(now + AHEAD_OF_UTC).date(), status__in=OPEN_STATUSES, assignee__isnull=False
        )
        .filter(Exists(in_team), ~Exists(turned_off), ~Exists(reminded))
        .select_related("project")
        .order_by("pk")
    )


@transaction.atomic
def notify_overdue_tasks(*, now: datetime | None = None) -> int:
    """Remind each owner of an open task whose due date has passed in their time zone, from 06:00 their time, once
    per task and due date: run every hour, each run sends what has come due since (and repeats nothing)."""
    now = now or timezone.now()
    count = 0
    for chunk in batched(_still_to_remind(now).iterator(chunk_size=500), 500):
        count += _remind(list(chunk), now)
    return count


def _remind(overdue: list[ProjectChecklistEntry], now: datetime) -> int:
    """Those of ``overdue`` whose owner's morning has come: one query for the zones, then one notify each."""
    zones = time_zones_of(entry.assignee_id for entry in overdue if entry.assignee_id is not None)
    count = 0
    for entry in reminders_due(overdue, zones, now):
        assert entry.assignee_id is not None and entry.due_date is not None
        count += len(
            notify(
                kind=NotificationKind.TASK_OVERDUE,
                project=entry.project,
                recipient_ids=[entry.assignee_id],
                actor=None,
                key=_overdue_key(entry),
                url=reverse("projects:detail", args=[entry.project_id]) + f"#task-{entry.pk}",
                message=f"Overdue since {entry.due_date:%d %b %Y}: “{entry.title}” in {entry.project.name}",
            )
        )
    return count


def notification_preferences_save(*, user: User, choices: dict[str, tuple[bool, bool]]) -> None:
    with transaction.atomic():
        for kind, (inbox, email) in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"inbox": inbox, "email": email}
            )


def notification_preferences(user: User) -> dict[str, tuple[bool, bool]]:
    return {p.kind: (p.inbox, p.email) for p in NotificationPreference.objects.filter(user=user)}


def notification_open(*, notification: Notification) -> str:
    """Mark it read; the page it points to."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return notification.url


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
