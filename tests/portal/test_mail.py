"""E-mails come from templates, as text and HTML with everything people typed escaped, and a mail server that fails
gets the mail again later: after the last try the task fails and stays in the queue, with its traceback."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.mail import RETRY_AFTER
from portal.models import Role
from portal.services.invitations import invitation_create, send_invitation_email
from tests.factories import make_team

pytestmark = pytest.mark.django_db


def test_an_invitation_is_text_and_html_with_the_team_name_escaped(alice: User, mailoutbox: list[Any]) -> None:
    team = make_team(alice, 'R&D <script>alert("x")</script>')
    invitation_create(team=team, email="ada@example.com", role=Role.REVIEWER, actor=alice)
    (mail,) = mailoutbox
    assert mail.subject == '[Integration portal] alice invites you to R&D <script>alert("x")</script>'  # plain text
    assert "/invitations/" in mail.body and "Your role: Reviewer" in mail.body
    ((html, kind),) = mail.alternatives
    assert kind == "text/html" and "<script>" not in html and "R&amp;D &lt;script&gt;" in html
    assert 'href="http' in html and "/invitations/" in html


@pytest.fixture
def queued_tasks(settings: Any) -> None:
    """The real queue (the suite otherwise runs tasks at once), to see what is queued for later."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_failing_mail_server_gets_the_mail_again_later_then_the_task_fails_and_stays(
    alice: User, queued_tasks: None, monkeypatch: pytest.MonkeyPatch, mailoutbox: list[Any]
) -> None:
    team = make_team(alice)
    invitation = invitation_create(team=team, email="ada@example.com", role=Role.VIEWER, actor=alice)

    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("the relay hung up")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    before = timezone.now()
    assert send_invitation_email.call(invitation.pk) is False  # the worker runs it: the server fails
    retry = DBTaskResult.objects.filter(task_path__endswith="send_invitation_email").order_by("-enqueued_at")[0]
    assert retry.args_kwargs["kwargs"] == {"invitation_id": invitation.pk, "attempt": 2}
    assert retry.run_after >= before + RETRY_AFTER[0]
    assert send_invitation_email.call(invitation.pk, attempt=3) is False  # later tries wait longer
    later = DBTaskResult.objects.filter(task_path__endswith="send_invitation_email").order_by("-enqueued_at")[0]
    assert later.args_kwargs["kwargs"]["attempt"] == 4 and later.run_after >= before + RETRY_AFTER[2]
    with pytest.raises(smtplib.SMTPServerDisconnected):  # the last try: the task fails (and keeps its traceback)
        send_invitation_email.call(invitation.pk, attempt=len(RETRY_AFTER) + 1)
    assert mailoutbox == []
    monkeypatch.undo()
    assert send_invitation_email.call(invitation.pk, attempt=2) is True and len(mailoutbox) == 1
