"""Local time (issue 27): each account reads dates and times in its own time zone (chosen on the account page,
offered from the browser's after the first sign-in), judges "overdue" and "due this week" by its own date, gets
overdue reminders at 06:00 its time, and exports name their zone. Fixed instants throughout: Django's clock is set,
never waited for."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.mail import message
from portal.models import AccountPreference, HistoryEntry, Notification, NotificationKind, ProjectChecklistEntry, Role
from portal.services.accounts import account_time_zone_set
from portal.services.checklist import checklist_entry_update
from portal.services.notifications import notify_overdue_tasks, reminders_due
from portal.tasks import next_reminder_time
from portal.time_zones import OFFER_SESSION_KEY, SESSION_KEY, offset_label, time_zone_menu, validate_time_zone
from tests.factories import make_integration, make_team_project

SYDNEY = "Australia/Sydney"
# 20:30 on 5 December in UTC is 07:30 on 6 December in Sydney (AEDT, UTC+11).
EVENING_IN_UTC = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Django's clock at a fixed instant, which the test may move."""
    moment = {"now": EVENING_IN_UTC}
    monkeypatch.setattr(timezone, "now", lambda: moment["now"])
    return moment


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The zone database and the menu (no database)


def test_time_zone_names_are_checked_against_the_zone_database() -> None:
    for name in (SYDNEY, "UTC", "America/Argentina/Buenos_Aires", "US/Pacific"):
        validate_time_zone(name)
    for name in ("Mars/Olympus_Mons", "localtime", "Factory", "", "+10:00", "australia/sydney"):
        with pytest.raises(ValidationError, match="not a time zone we know"):
            validate_time_zone(name)


def test_time_zone_menu_lists_places_by_region_with_todays_offset() -> None:
    menu = dict(time_zone_menu(EVENING_IN_UTC, current="US/Pacific"))
    assert [choice.value for choice in menu[""]] == ["UTC", "US/Pacific"]  # an older alias in use stays listed
    australia = {choice.value: choice.label for choice in menu["Australia"]}
    assert australia[SYDNEY] == "Sydney (UTC+11:00)"  # daylight saving in December
    assert australia["Australia/Perth"] == "Perth (UTC+8:00)"
    winter = {c.value: c.label for c in dict(time_zone_menu(datetime(2026, 7, 1, tzinfo=UTC)))["Australia"]}
    assert winter[SYDNEY] == "Sydney (UTC+10:00)"
    assert offset_label(timedelta(hours=-3, minutes=-30)) == "UTC-3:30" and offset_label(None) == "UTC"


def test_time_zone_reminders_come_from_six_in_the_owners_own_morning() -> None:
    task = ProjectChecklistEntry(assignee_id=1, due_date=date(2026, 12, 5))
    sydney, utc = {1: SYDNEY}, {1: "UTC"}
    five_in_sydney, six_in_sydney = datetime(2026, 12, 5, 18, 59, tzinfo=UTC), datetime(2026, 12, 5, 19, tzinfo=UTC)
    assert reminders_due([task], sydney, five_in_sydney) == []
    assert reminders_due([task], sydney, six_in_sydney) == [task]
    assert reminders_due([task], utc, six_in_sydney) == []  # still the 5th in UTC: not overdue yet
    assert reminders_due([task], utc, datetime(2026, 12, 6, 5, 59, tzinfo=UTC)) == []
    assert reminders_due([task], utc, datetime(2026, 12, 6, 6, tzinfo=UTC)) == [task]
    assert reminders_due([task], utc, datetime(2026, 12, 6, 9, 15, tzinfo=UTC)) == [task]  # a late run catches up


def test_time_zone_the_reminder_run_comes_every_hour_on_the_hour() -> None:
    assert next_reminder_time(datetime(2026, 12, 5, 20, 30, 12, tzinfo=UTC)) == datetime(2026, 12, 5, 21, tzinfo=UTC)
    assert next_reminder_time(datetime(2026, 12, 5, 23, 0, tzinfo=UTC)) == datetime(2026, 12, 6, 0, tzinfo=UTC)


# Choosing the zone


@pytest.mark.django_db
def test_time_zone_is_chosen_on_the_account_page_and_every_session_follows_at_once(alice: User) -> None:
    laptop, phone = signed_in(alice), signed_in(alice)
    page = laptop.get(reverse("account:profile")).content.decode()
    assert "Dates and times show in <strong>UTC</strong> (not chosen yet)" in page
    assert '<option value="UTC" selected>' in page and f'<option value="{SYDNEY}">Sydney (UTC+1' in page
    response = laptop.post(reverse("account:time_zone"), {"time_zone": SYDNEY})
    assert response.status_code == 302 and response["Location"] == reverse("account:profile")
    preference = AccountPreference.objects.get(user=alice)
    assert preference.time_zone == SYDNEY and preference.time_zone_chosen_at is not None
    for client in (laptop, phone):  # the other session too, without signing in again
        page = client.get(reverse("account:profile")).content.decode()
        assert f"Dates and times show in <strong>{SYDNEY}</strong>," in page
        assert f'<option value="{SYDNEY}" selected>' in page
        assert client.session[SESSION_KEY] == SYDNEY


@pytest.mark.django_db
def test_time_zone_an_unknown_name_is_refused_in_a_sentence(alice: User) -> None:
    client = signed_in(alice)
    response = client.post(reverse("account:time_zone"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "“Mars/Olympus_Mons” is not a time zone we know" in response.content.decode()
    assert not AccountPreference.objects.exists()


@pytest.mark.django_db
def test_time_zone_setting_needs_sign_in_a_post_and_its_csrf_token(alice: User) -> None:
    url = reverse("account:time_zone")
    assert reverse("login") in Client().post(url, {"time_zone": SYDNEY})["Location"]
    assert signed_in(alice).get(url).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(alice)
    assert forged.post(url, {"time_zone": SYDNEY}).status_code == 403
    assert not AccountPreference.objects.exists()


@pytest.mark.django_db
def test_time_zone_is_offered_after_the_first_sign_in_until_one_is_chosen(alice: User) -> None:
    client = signed_in(alice)
    page = client.get(reverse("home")).content.decode()
    assert "Dates and times show in UTC.</strong>" in page
    # Without JavaScript: keep UTC or choose on the account page. With it, a static script (no inline code, which the
    # CSP would refuse) fills in and shows the browser's zone as one more button.
    assert 'value="UTC" class="button button-small button-secondary">Keep UTC</button>' in page
    assert "<span data-browser-zone hidden>" in page and '<script src="/static/js/time-zone.js" defer>' in page
    assert not re.search(r"<script(?![^>]*\b(src|nonce)=)[^>]*>", page)  # every script is a file or nonce'd
    response = client.post(reverse("account:time_zone"), {"time_zone": "UTC", "next": "/projects/"})
    assert response["Location"] == "/projects/"
    assert "Dates and times show in UTC.</strong>" not in client.get(reverse("home")).content.decode()
    assert OFFER_SESSION_KEY not in signed_in(alice).session  # nor offered at the next sign-in: UTC was a choice


@pytest.mark.django_db
def test_time_zone_offer_returns_only_to_a_page_of_this_site(alice: User) -> None:
    client = signed_in(alice)
    for elsewhere in ("https://evil.example/", "//evil.example/"):
        response = client.post(reverse("account:time_zone"), {"time_zone": SYDNEY, "next": elsewhere})
        assert response["Location"] == reverse("account:profile")


# Reading in the zone


@pytest.mark.django_db
def test_time_zone_a_task_due_today_in_sydney_is_due_today_while_utc_is_still_yesterday(
    clock: Any, alice: User, bob: User
) -> None:
    project = make_team_project(alice, bob=Role.CONTRIBUTOR)
    sixth, fifth = project.checklist_entries.order_by("pk")[:2]
    for entry, owner, due in (
        (sixth, alice, date(2026, 12, 6)),
        (fifth, alice, date(2026, 12, 5)),
    ):
        checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open",
                               assignee=owner, due_date=due)  # fmt: skip
    account_time_zone_set(user=alice, time_zone=SYDNEY)
    sydney = signed_in(alice).get(reverse("home")).content.decode()
    assert "today is Sunday 6 December in Australia/Sydney" in sydney
    assert re.search(rf'tag-due">Due today</span> <a [^>]+>{re.escape(sixth.title)}</a>', sydney)
    assert re.search(rf'tag-overdue">Overdue</span> <a [^>]+>{re.escape(fifth.title)}</a>', sydney)
    # The same tasks by UTC's date (the 5th): one due today, the other tomorrow, none overdue.
    checklist_entry_update(entry=sixth.__class__.objects.get(pk=sixth.pk), actor=alice, expected_version=2,
                           status="open", assignee=bob, due_date=date(2026, 12, 6))  # fmt: skip
    checklist_entry_update(entry=fifth.__class__.objects.get(pk=fifth.pk), actor=alice, expected_version=2,
                           status="open", assignee=bob, due_date=date(2026, 12, 5))  # fmt: skip
    utc = signed_in(bob).get(reverse("home")).content.decode()
    assert "today is Saturday 5 December in UTC" in utc and "tag-overdue" not in utc
    assert re.search(rf'tag-due">Due today</span> <a [^>]+>{re.escape(fifth.title)}</a>', utc)
    assert re.search(rf'tag-due">Due 6 Dec</span> <a [^>]+>{re.escape(sixth.title)}</a>', utc)
    # And the project's "Overdue" filter is the reader's too.
    overdue = f"{reverse('projects:detail', args=[project.pk])}?tasks=overdue"
    account_time_zone_set(user=bob, time_zone=SYDNEY)
    assert f'id="task-{fifth.pk}"' in signed_in(bob).get(overdue).content.decode()


@pytest.mark.django_db
def test_time_zone_history_and_the_project_page_show_each_readers_time_and_name_the_zone(
    clock: Any, alice: User, bob: User
) -> None:
    project = make_team_project(alice, bob=Role.OWNER)  # one role: the project page's cached head would be shared
    HistoryEntry.objects.filter(project=project).update(created_at=EVENING_IN_UTC)
    account_time_zone_set(user=alice, time_zone=SYDNEY)
    pages = {}
    for user in (alice, bob):  # the head is cached: one copy per zone
        client = signed_in(user)
        pages[user.username] = (client.get(reverse("projects:history", args=[project.pk])).content.decode(),
                                client.get(reverse("projects:detail", args=[project.pk])).content.decode())  # fmt: skip
    history, head = pages["alice"]
    assert "at Australia/Sydney times" in history and ">6 Dec 2026 07:30</time>" in history
    assert "updated 6 Dec 2026 07:30 AEDT" in head
    history, head = pages["bob"]
    assert "at UTC times" in history and ">5 Dec 2026 20:30</time>" in history
    assert "updated 5 Dec 2026 20:30 UTC" in head


@pytest.mark.django_db
def test_time_zone_change_gives_the_page_a_new_etag(clock: Any, alice: User) -> None:
    clock["now"] = datetime(2026, 12, 5, 2, tzinfo=UTC)  # the 5th in both zones: only the zone changes
    project = make_team_project(alice)
    account_time_zone_set(user=alice, time_zone="UTC")  # chosen: nothing offered either before or after
    client = signed_in(alice)
    url = reverse("projects:detail", args=[project.pk])
    client.get(url)  # the CSRF cookie, which the ETag names
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    client.post(reverse("account:time_zone"), {"time_zone": SYDNEY}, follow=True)  # its message read
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


@pytest.mark.django_db
def test_time_zone_a_session_from_before_time_zones_reads_the_accounts_once(alice: User) -> None:
    account_time_zone_set(user=alice, time_zone=SYDNEY)
    client = signed_in(alice)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    assert f"<strong>{SYDNEY}</strong>" in client.get(reverse("account:profile")).content.decode()
    assert client.session[SESSION_KEY] == SYDNEY


@pytest.mark.django_db
def test_time_zone_is_never_read_without_a_session(client: Client) -> None:
    response = client.get(reverse("favicon"))  # a response that reads no session keeps no Vary: Cookie
    assert response.status_code == 302 and "Cookie" not in response.get("Vary", "")


# Reminders at 06:00 in each owner's zone


@pytest.mark.django_db
def test_time_zone_a_sydney_owner_is_reminded_in_their_morning_and_a_utc_owner_in_theirs(
    alice: User, bob: User
) -> None:
    project = make_team_project(alice, bob=Role.CONTRIBUTOR)
    for entry, owner in zip(project.checklist_entries.order_by("pk")[:2], (alice, bob), strict=True):
        checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open",
                               assignee=owner, due_date=date(2026, 12, 5))  # fmt: skip
    account_time_zone_set(user=alice, time_zone=SYDNEY)

    def reminded_at(hour: datetime) -> list[str]:
        notify_overdue_tasks(now=hour)
        return sorted(Notification.objects.filter(kind=NotificationKind.TASK_OVERDUE)
                      .values_list("recipient__username", flat=True))  # fmt: skip

    assert reminded_at(datetime(2026, 12, 5, 18, tzinfo=UTC)) == []  # 05:00 on the 6th in Sydney
    assert reminded_at(datetime(2026, 12, 5, 19, tzinfo=UTC)) == ["alice"]  # 06:00 in Sydney
    assert reminded_at(datetime(2026, 12, 5, 20, tzinfo=UTC)) == ["alice"]  # the next run repeats nothing
    assert reminded_at(datetime(2026, 12, 6, 5, tzinfo=UTC)) == ["alice"]
    assert reminded_at(datetime(2026, 12, 6, 6, tzinfo=UTC)) == ["alice", "bob"]  # 06:00 in UTC


@pytest.mark.django_db
def test_time_zone_the_hourly_run_replaces_a_chain_queued_for_tomorrow(settings: Any, clock: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import remind_overdue_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    remind_overdue_tasks.using(run_after=datetime(2026, 12, 6, 6, tzinfo=UTC)).enqueue()  # the daily schedule's
    call_command("schedulereminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(DBTaskResult.objects.values_list("run_after", flat=True)) == [datetime(2026, 12, 5, 21, tzinfo=UTC)]


@pytest.mark.django_db
def test_time_zone_the_teams_digest_goes_out_once_a_day_from_the_first_run_at_or_after_six_utc(
    settings: Any, clock: Any, alice: User
) -> None:
    from django_tasks_db.models import DBTaskResult

    from portal.models import ChannelEvent, TeamChannel
    from portal.secrets_box import seal
    from portal.tasks import remind_overdue_tasks

    project = make_team_project(alice)
    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open",
                           due_date=date(2026, 12, 1))  # fmt: skip
    TeamChannel.objects.create(team=project.team, kind="slack", address_encrypted=seal("https://hooks.example/x"),
                               host="hooks.example", events=[ChannelEvent.OVERDUE_DIGEST])  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    def digests_queued_by_a_run_at(moment: datetime) -> int:
        clock["now"] = moment
        before = DBTaskResult.objects.filter(task_path="portal.services.channels.post_to_channel").count()
        remind_overdue_tasks.call()
        return DBTaskResult.objects.filter(task_path="portal.services.channels.post_to_channel").count() - before

    assert digests_queued_by_a_run_at(datetime(2026, 12, 6, 5, 59, tzinfo=UTC)) == 0  # before six
    assert digests_queued_by_a_run_at(datetime(2026, 12, 6, 7, 40, tzinfo=UTC)) == 1  # a worker late past seven
    assert digests_queued_by_a_run_at(datetime(2026, 12, 6, 8, tzinfo=UTC)) == 0  # once a day
    assert digests_queued_by_a_run_at(datetime(2026, 12, 6, 7, 40, tzinfo=UTC)) == 0  # the same run again
    assert digests_queued_by_a_run_at(datetime(2026, 12, 7, 6, tzinfo=UTC)) == 1  # the next morning's


# Exports and mails


@pytest.mark.django_db
def test_time_zone_the_markdown_export_and_the_decision_record_state_the_readers_zone(clock: Any, alice: User) -> None:
    from portal.services.decisions import decision_save

    project = make_team_project(alice)
    integration = make_integration(project)
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    account_time_zone_set(user=alice, time_zone=SYDNEY)
    client = signed_in(alice)
    markdown = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    assert "exported 2026-12-06 07:30 Australia/Sydney (every date and time here is Australia/Sydney's)" in markdown
    assert "on 2026-12-06 · version 1" in markdown and "- Ranked 2026-12-06 with catalog" in markdown
    madr = client.get(reverse("projects:export", args=[project.pk, "madr"]))
    with zipfile.ZipFile(io.BytesIO(madr.content)) as archive:
        (record,) = [archive.read(name).decode() for name in archive.namelist()]
    assert "\ndate: 2026-12-06\n" in record  # the day of the decision in Sydney (the 5th in UTC)


@pytest.mark.django_db
def test_time_zone_the_pdf_report_names_the_zone_of_its_time(clock: Any, alice: User) -> None:
    import pypdfium2 as pdfium

    project = make_team_project(alice)
    account_time_zone_set(user=alice, time_zone=SYDNEY)
    response = signed_in(alice).get(reverse("projects:export", args=[project.pk, "pdf"]))
    text = " ".join(pdfium.PdfDocument(response.content)[0].get_textpage().get_text_range().split())
    assert "6 December 2026 07:30 Australia/Sydney" in text


@pytest.mark.django_db
def test_time_zone_mails_keep_utc_whoever_writes_them(clock: Any) -> None:
    context = {"team": "Integration team", "inviter": "alice", "role": "viewer", "link": "https://portal.example/x",
               "expires_at": EVENING_IN_UTC, "email": "new@example.com"}  # fmt: skip
    with timezone.override(ZoneInfo(SYDNEY)):
        mail = message("invitation", context, ["new@example.com"])
    assert "until 5 December 2026 20:30 UTC" in mail.body


@pytest.mark.django_db
def test_time_zone_change_keeps_the_other_sessions_expiry_and_skips_one_signed_out_meanwhile(alice: User) -> None:
    laptop, phone, tablet = signed_in(alice), signed_in(alice), signed_in(alice)
    soon = timezone.now() + timedelta(hours=1)
    Session.objects.filter(pk=phone.session.session_key).update(expire_date=soon)
    Session.objects.filter(pk=tablet.session.session_key).delete()  # signed out on another device
    assert laptop.post(reverse("account:time_zone"), {"time_zone": SYDNEY}).status_code == 302
    phone_row = Session.objects.get(pk=phone.session.session_key)
    assert phone_row.expire_date == soon and phone_row.get_decoded()[SESSION_KEY] == SYDNEY
    assert not Session.objects.filter(pk=tablet.session.session_key).exists()
