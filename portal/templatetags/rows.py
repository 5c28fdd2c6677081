"""The project page's many rows as template tags, written by ``portal.markup``: ``{% task_rows section.entries %}``
and ``{% task_row entry %}`` (both read ``today``, ``can_write`` and ``edit_base`` from the context), and
``{% integration_rows integrations %}``. One tag per list, not per row: a tag's own cost is most of a row's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from portal.markup import checklist_row, integration_row
from portal.selectors.checklist import Task
from portal.selectors.integrations import IntegrationRow

register = template.Library()


@register.simple_tag(takes_context=True)
def task_rows(context: Any, tasks: Iterable[Task]) -> SafeString:
    today, can_write, edit_base = context["today"], bool(context.get("can_write")), context.get("edit_base", "")
    rows = (checklist_row(task, today=today, can_write=can_write, edit_base=edit_base) for task in tasks)
    return mark_safe("".join(rows))  # noqa: S308 - each row escaped by portal.markup


@register.simple_tag(takes_context=True)
def task_row(context: Any, task: Task) -> SafeString:
    return task_rows(context, (task,))


@register.simple_tag
def integration_rows(integrations: Iterable[IntegrationRow]) -> SafeString:
    return mark_safe("".join(integration_row(integration) for integration in integrations))  # noqa: S308 - escaped


@register.filter
def flagged_count(integrations: Iterable[IntegrationRow]) -> int:
    """How many of a project's integrations the published catalog answers differently."""
    return sum(1 for integration in integrations if integration.catalog_change)
