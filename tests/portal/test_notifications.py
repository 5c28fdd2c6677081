"""Notifications: who hears about what (review requested, decision accepted/rejected/superseded, @mentions, tasks
assigned and overdue), in the inbox and by e-mail, each kind switchable, never outside the project's team; e-mail
through the database task queue and its worker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Integration, Membership, Notification, NotificationKind, Role
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_approve, decision_save, decision_transition
from portal.services.integrations import comment_add
from portal.services.notifications import mentioned_usernames, notification_preferences_save, notify_overdue_tasks
from tests.conftest import make_user
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db
MORNING = datetime(2026, 12, 6, 6, tzinfo=UTC)  # 06:00 in UTC, the zone of those who chose none


@pytest.fixture
def dave(db: None) -> User:
    """A viewer in the team: reads, never reviews or owns tasks."""
    return make_user("dave")


@pytest.fixture
def integration(alice: User, bob: User, dave: User) -> Integration:
    project = make_team_project(alice, bob=Role.REVIEWER, dave=Role.VIEWER)
    return make_integration(project)


def kinds_for(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def propose(integration: Integration, actor: User) -> Any:
    return decision_save(integration=integration, actor=actor, chosen_pattern_slug="odata", rationale="Fits.")


def test_a_proposal_asks_the_reviewers_and_no_one_else(
    integration: Integration, alice: User, bob: User, charlie: User, dave: User
) -> None:
    propose(integration, alice)
    assert kinds_for(bob) == [NotificationKind.REVIEW_REQUESTED]
    assert kinds_for(alice) == [] and kinds_for(dave) == [] and kinds_for(charlie) == []
    assert [message.to for message in mail.outbox] == [["bob@example.com"]]
    assert "Web shop orders" in mail.outbox[0].subject
    assert f"/projects/{integration.project_id}/integrations/{integration.pk}/#decision" in mail.outbox[0].body
    assert Notification.objects.get(recipient=bob).emailed_at is not None


def test_the_proposer_and_approvers_hear_that_it_was_accepted_or_rejected(
    integration: Integration, alice: User, bob: User
) -> None:
    owner_two = make_user("erin")
    Membership.objects.create(team=integration.project.team, user=owner_two, role=Role.OWNER)
    decision = propose(integration, alice)
    decision_approve(decision=decision, reviewer=bob, expected_version=decision.version)
    decision = decision_transition(decision=decision, actor=owner_two, status="rejected",
                                   expected_version=decision.version, reason="Too chatty for the volumes.")  # fmt: skip
    rejected = Notification.objects.get(kind=NotificationKind.DECISION_REJECTED, recipient=alice)
    assert "Too chatty for the volumes." in rejected.message
    assert Notification.objects.filter(kind=NotificationKind.DECISION_REJECTED, recipient=bob).exists()
    assert not Notification.objects.filter(kind=NotificationKind.DECISION_REJECTED, recipient=owner_two).exists()


def test_a_mention_reaches_a_teammate_but_never_an_outsider(
    integration: Integration, alice: User, bob: User, charlie: User
) -> None:
    comment_add(integration=integration, author=alice, body="@bob can you check the batch size? cc @charlie")
    assert kinds_for(bob) == [NotificationKind.MENTIONED]
    assert kinds_for(charlie) == []
    assert all("charlie" not in message.to[0] for message in mail.outbox)


def test_mentions_are_read_from_words_not_from_addresses() -> None:
    assert mentioned_usernames("Ask @bob. Mail ops@example.com, not @@x") == {"bob"}


def test_giving_a_task_to_someone_tells_them_but_taking_it_yourself_does_not(
    integration: Integration, alice: User, bob: User
) -> None:
    first, second = integration.project.checklist_entries.all()[:2]
    checklist_entry_update(entry=first, actor=alice, expected_version=first.version, status="open", assignee=bob)
    checklist_entry_update(entry=second, actor=alice, expected_version=second.version, status="open", assignee=alice)
    assert kinds_for(bob) == [NotificationKind.TASK_ASSIGNED]
    assert kinds_for(alice) == []


def test_an_overdue_task_is_reminded_once_per_due_date(integration: Integration, alice: User, bob: User) -> None:
    entry = integration.project.checklist_entries.all()[0]
    morning = datetime(2026, 12, 6, 6, tzinfo=UTC)  # 06:00 in bob's zone (UTC: he chose none)
    checklist_entry_update(entry=entry, actor=bob, expected_version=entry.version, status="in_progress",
                           assignee=bob, due_date=date(2026, 12, 5))  # fmt: skip
    assert notify_overdue_tasks(now=morning) == 1
    assert notify_overdue_tasks(now=morning + timedelta(days=1)) == 0  # the next day's run doesn't repeat it
    assert kinds_for(bob) == [NotificationKind.TASK_OVERDUE]


def reads_of(run: Any) -> int:
    """How many reads ``run`` makes (the savepoints of its transaction aside)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    return sum(1 for query in queries.captured_queries if query["sql"].startswith("SELECT"))


def test_the_hourly_run_reads_only_the_reminders_still_to_send(
    integration: Integration, alice: User, bob: User
) -> None:
    later, tomorrow = MORNING + timedelta(hours=1), MORNING + timedelta(days=1)
    entries = list(integration.project.checklist_entries.order_by("pk")[:12])

    def due(entry: Any, day: date) -> None:
        entry.refresh_from_db()
        checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open",
                               assignee=bob, due_date=day)  # fmt: skip

    def reminders() -> int:
        return Notification.objects.filter(recipient=bob, kind=NotificationKind.TASK_OVERDUE).count()

    for entry in entries:
        due(entry, date(2026, 12, 5))
    assert notify_overdue_tasks(now=MORNING) == 12
    assert reads_of(lambda: notify_overdue_tasks(now=later)) == 1  # finds nothing, however many stay overdue
    due(entries[0], date(2026, 12, 6))
    assert notify_overdue_tasks(now=tomorrow) == 1 and reminders() == 13  # a new due date is a new reminder

    notification_preferences_save(user=bob, choices={NotificationKind.TASK_OVERDUE: (False, False)})
    due(entries[1], date(2026, 12, 6))
    assert reads_of(lambda: notify_overdue_tasks(now=tomorrow)) == 1  # nor reads a task whose owner hears none
    notification_preferences_save(user=bob, choices={NotificationKind.TASK_OVERDUE: (True, False)})
    assert notify_overdue_tasks(now=tomorrow) == 1 and reminders() == 14

    due(entries[2], date(2026, 12, 6))
    Membership.objects.filter(user=bob).delete()
    assert reads_of(lambda: notify_overdue_tasks(now=tomorrow)) == 1  # nor one whose owner left the team
    assert reminders() == 14


def test_each_kind_can_be_turned_off_per_channel(integration: Integration, alice: User, bob: User) -> None:
    notification_preferences_save(
        user=bob, choices={NotificationKind.REVIEW_REQUESTED: (True, False), NotificationKind.MENTIONED: (False, False)}
    )
    propose(integration, alice)
    comment_add(integration=integration, author=alice, body="@bob look")
    assert kinds_for(bob) == [NotificationKind.REVIEW_REQUESTED]
    assert mail.outbox == []


def test_a_former_member_no_longer_sees_the_project_in_the_inbox(
    client: Client, integration: Integration, alice: User, bob: User
) -> None:
    propose(integration, alice)
    notification = Notification.objects.get(recipient=bob)
    Membership.objects.filter(user=bob).delete()
    client.force_login(bob)
    page = client.get(reverse("notifications:inbox"))
    assert integration.project.name not in page.content.decode()
    assert client.post(reverse("notifications:open", args=[notification.pk])).status_code == 404


def test_the_inbox_shows_the_unread_count_and_opening_marks_it_read(
    client: Client, integration: Integration, alice: User, bob: User
) -> None:
    propose(integration, alice)
    notification = Notification.objects.get(recipient=bob)
    client.force_login(bob)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'aria-label="1 unread"' in page and "asks for a review" in page
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 405
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'aria-label="1 unread"' not in client.get(reverse("home")).content.decode()


def test_another_users_notification_is_404(client: Client, integration: Integration, alice: User, bob: User) -> None:
    propose(integration, alice)
    client.force_login(alice)
    assert client.post(reverse("notifications:open", args=[Notification.objects.get().pk])).status_code == 404


def test_the_inbox_needs_sign_in(client: Client) -> None:
    assert client.get(reverse("notifications:inbox")).status_code == 302
    assert client.post(reverse("notifications:read_all")).status_code == 302


def test_mark_all_read(client: Client, integration: Integration, alice: User, bob: User) -> None:
    propose(integration, alice)
    client.force_login(bob)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_the_settings_page_saves_each_kind_and_channel(client: Client, bob: User) -> None:
    client.force_login(bob)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    data = {f"{kind}__inbox": "on" for kind in NotificationKind.values} | {"mentioned__email": "on"}
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert page.count("checked") == len(NotificationKind.values) + 1


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between tasks, as in production
def test_e_mail_goes_through_the_database_queue_and_its_worker(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    call_command("loadcatalog", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    alice, _ = make_user("alice"), make_user("bob")
    integration = make_integration(make_team_project(alice, bob=Role.REVIEWER))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    propose(integration, alice)
    assert mail.outbox == [] and DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [message.to for message in mail.outbox] == [["bob@example.com"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_hourly_reminder_run_is_queued_once(settings: Any, db: None) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    call_command("schedulereminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("schedulereminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "portal.tasks.remind_overdue_tasks"
    assert timezone.now() < queued.run_after <= timezone.now() + timedelta(hours=1)


REMINDER_RUN = "portal.tasks.remind_overdue_tasks"


def use_the_database_queue(settings: Any, monkeypatch: pytest.MonkeyPatch, now: datetime = MORNING) -> None:
    """Tasks queued in the database as in production, and Django's clock at ``now``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    monkeypatch.setattr(timezone, "now", lambda: now)


def the_worker_runs_what_is_due(settings: Any, monkeypatch: pytest.MonkeyPatch, now: datetime) -> list[str]:
    """`db_worker` at ``now``: each reminder run due, in turn, claimed, run and its end recorded by the worker's own
    code (without its loop, which closes the connection a test's transaction lives in). How each ended."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    use_the_database_queue(settings, monkeypatch, now)
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])  # fmt: skip
    ended = []
    while run := DBTaskResult.objects.ready().filter(task_path=REMINDER_RUN).order_by("run_after").first():
        run.claim(worker_id="test")
        worker.run_task(run)
        ended.append(run.status)
    return ended


def chain_queued_for() -> list[datetime]:
    from portal.tasks import chain_runs

    return sorted(run.run_after for run in chain_runs(status="READY"))


def mails_queued() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="portal.services.notifications.send_notification_emails").count()


def overdue_for(owner: User, integration: Integration) -> str:
    """A task of ``owner``'s, overdue since the day before MORNING; the key of its reminder."""
    entry = integration.project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=owner, expected_version=entry.version, status="open",
                           assignee=owner, due_date=date(2026, 12, 5))  # fmt: skip
    return f"overdue:{entry.pk}:2026-12-05"


def test_a_reminder_run_that_fails_still_queues_the_next_which_catches_up(
    settings: Any, monkeypatch: pytest.MonkeyPatch, integration: Integration, bob: User
) -> None:
    from django.db import connection

    from portal.tasks import remind_overdue_tasks

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL constraint makes the database refuse the reminder")
    key = overdue_for(bob, integration)
    use_the_database_queue(settings, monkeypatch)
    remind_overdue_tasks.using(run_after=MORNING).enqueue()
    with connection.cursor() as cursor:  # the database refuses every new notification
        cursor.execute("ALTER TABLE portal_notification ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    assert the_worker_runs_what_is_due(settings, monkeypatch, MORNING) == ["FAILED"]
    assert chain_queued_for() == [MORNING + timedelta(hours=1)] and not Notification.objects.exists()

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE portal_notification DROP CONSTRAINT refuse_all")
    remind_overdue_tasks.enqueue(reschedule=False)  # and one asked for by hand (`schedulereminders --now`)
    next_hour = MORNING + timedelta(hours=1)
    assert the_worker_runs_what_is_due(settings, monkeypatch, next_hour) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert list(Notification.objects.values_list("recipient__username", "key")) == [("bob", key)]
    assert mails_queued() == 1 and chain_queued_for() == [next_hour + timedelta(hours=1)]


def test_a_second_chain_is_never_queued_beside_a_running_run_and_two_become_one(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import remind_overdue_tasks

    use_the_database_queue(settings, monkeypatch)
    remind_overdue_tasks.using(run_after=MORNING).enqueue()
    DBTaskResult.objects.update(status="RUNNING", started_at=MORNING)  # the worker has just taken it
    call_command("schedulereminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert chain_queued_for() == []  # the running run queues the next itself
    DBTaskResult.objects.update(started_at=MORNING - timedelta(hours=2))  # a run whose worker died long ago
    call_command("schedulereminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    next_hour = MORNING + timedelta(hours=1)
    assert chain_queued_for() == [next_hour]

    remind_overdue_tasks.using(run_after=next_hour).enqueue()  # a second chain, at the same hour
    assert the_worker_runs_what_is_due(settings, monkeypatch, next_hour) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert chain_queued_for() == [next_hour + timedelta(hours=1)]  # the first saw the second queued: one chain


@pytest.mark.django_db(transaction=True)  # two runs at once: two connections, each in its own transaction
def test_two_reminder_runs_at_once_send_each_reminder_once_and_keep_the_chain(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from django.db import connection, transaction

    from portal.tasks import remind_overdue_tasks

    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL")
    call_command("loadcatalog", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    alice, bob = make_user("alice"), make_user("bob")
    key = overdue_for(bob, make_integration(make_team_project(alice, bob=Role.REVIEWER)))
    use_the_database_queue(settings, monkeypatch)
    written, failures = threading.Event(), []

    def by_hand() -> None:
        """`schedulereminders --now`'s run, its transaction kept open until the hourly run waits on its reminder."""
        try:
            with transaction.atomic():
                remind_overdue_tasks.call(reschedule=False)
                written.set()
                with connection.cursor() as cursor:
                    for _ in range(200):
                        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                        if cursor.fetchone()[0]:
                            break
                        threading.Event().wait(0.05)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=by_hand)
    other.start()
    assert written.wait(10)
    assert remind_overdue_tasks.call() == 0  # waited for the other run's row, then skipped it: no failure
    other.join(10)
    assert failures == []
    assert list(Notification.objects.values_list("recipient__username", "key")) == [("bob", key)]
    assert mails_queued() == 1 and chain_queued_for() == [MORNING + timedelta(hours=1)]


def test_a_task_owner_must_be_a_member_who_can_edit(
    client: Client, integration: Integration, alice: User, dave: User
) -> None:
    from django.core.exceptions import ValidationError

    entry = integration.project.checklist_entries.all()[0]
    with pytest.raises(ValidationError, match="who can edit"):
        checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open", assignee=dave)
    client.force_login(alice)
    form = client.get(reverse("projects:checklist_entry", args=[integration.project_id, entry.pk])).content.decode()
    assert ">bob<" in form and ">dave<" not in form
