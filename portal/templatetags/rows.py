"""The project page's many rows as template tags, written by ``portal.markup``: ``{% task_row entry %}`` (reads
``today``, ``can_write`` and ``edit_base`` from the context) and ``{% integration_row integration %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from portal.markup import checklist_row, integration_row
from portal.models import Integration, ProjectChecklistEntry

register = template.Library()


@register.simple_tag(takes_context=True)
def task_row(context: Any, entry: ProjectChecklistEntry) -> SafeString:
    return checklist_row(entry, today=context["today"], can_write=bool(context.get("can_write")),
                         edit_base=context.get("edit_base", ""))  # fmt: skip


@register.simple_tag(name="integration_row")
def integration_row_tag(integration: Integration) -> SafeString:
    return integration_row(integration)
