"""Every e-mail the portal sends: written in templates (``templates/mail/<name>.subject.txt``, ``.txt`` and
``.html``: a subject line, the text, and the same as HTML), and delivered by background tasks that try again when
the mail server fails: after 1, 5, 30 minutes, 2 and 6 hours. The last failure stays in the task queue as a failed
task with its traceback (the admin's "DB task results"), so nothing is lost without a trace."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.tasks import Task
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
               timedelta(hours=6))  # fmt: skip
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)  # refused, unreachable, timed out, TLS failed


def message(name: str, context: Mapping[str, Any], to: list[str]) -> EmailMultiAlternatives:
    """The e-mail ``name`` for ``context``: its subject on one line, the text, and the HTML alternative. Times in
    UTC, as the mails say, wherever it is written (a task run in a reader's request must not lend it their zone)."""
    with timezone.override(UTC):
        subject = " ".join(render_to_string(f"mail/{name}.subject.txt", context).split())[:200]
        mail = EmailMultiAlternatives(subject=subject, body=render_to_string(f"mail/{name}.txt", context), to=to)
        mail.attach_alternative(render_to_string(f"mail/{name}.html", context), "text/html")
    return mail


def retry_later(task: Task[..., Any], attempt: int, *args: Any, **kwargs: Any) -> timedelta | None:
    """Queue ``task`` again with the next attempt number after the wait for this ``attempt`` (RETRY_AFTER: mails and
    chat posts back off alike); the wait, or None when the attempts are used up."""
    if attempt > len(RETRY_AFTER):
        return None
    wait = RETRY_AFTER[attempt - 1]
    task.using(run_after=timezone.now() + wait).enqueue(*args, **kwargs, attempt=attempt + 1)
    return wait


def deliver(mail: EmailMultiAlternatives, *, retry: Task[..., Any], attempt: int, **task_args: Any) -> bool:
    """Send ``mail``; when the server fails, queue ``retry`` (the task itself) with the next attempt number after a
    growing wait, and after the last attempt let the error fail the task (kept in the queue with its traceback)."""
    try:
        mail.send()
    except DELIVERY_ERRORS as error:
        wait = retry_later(retry, attempt, **task_args)
        if wait is None:
            raise
        logger.warning("Mail to %s not delivered (%s, attempt %s): trying again in %s.", len(mail.to),
                       error.__class__.__name__, attempt, wait)  # fmt: skip
        return False
    return True
