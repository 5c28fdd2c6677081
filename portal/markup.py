"""Rows the project page shows many of, written by Python rather than the template engine: a task of the checklist
and an integration of the list. Resolving a template's variables and filters for every cell of every row costs more
than the rest of the page; here every text from people or the catalog goes through ``escape`` (curated guidance
through the sanitizing Markdown renderer), and the markup matches what the templates wrote before.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from patterns.templatetags.catalog import render_markdown
from portal.models import DecisionStatus, TaskStatus
from portal.pictures.markup import escape
from portal.selectors.checklist import Task
from portal.selectors.integrations import IntegrationRow

TASK_LABELS = dict(TaskStatus.choices)
DECISION_LABELS = dict(DecisionStatus.choices)


def _day(moment: date) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _minute(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y %H:%M}"


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def checklist_row(entry: Task, *, today: date, can_write: bool, edit_base: str) -> SafeString:
    """One task: its status, title and guidance, owner, due date (and whether it is overdue), reason, evidence,
    notes, and the edit link for a reader who may edit."""
    meta = [f"Owner {escape(entry.owner)}" if entry.owner else "No owner"]
    if entry.due_date:
        overdue = ' <strong class="overdue">overdue</strong>' if entry.due_date < today and not entry.is_closed else ""
        meta.append(f" · due {_day(entry.due_date)}{overdue}")
    if entry.not_applicable_reason:
        meta.append(f" · {escape(entry.not_applicable_reason)}")
    if entry.evidence_url:
        meta.append(f' · <a href="{escape(entry.evidence_url)}" rel="noopener noreferrer">evidence</a>')
    if entry.work_item:
        link = escape(entry.work_item_url)
        meta.append(f' · <a href="{link}" rel="noopener noreferrer">{escape(entry.work_item)}</a>')
    if entry.notes:
        meta.append(f" · {escape(_cut(entry.notes, 80))}")
    if can_write:
        url = f"{edit_base}{entry.pk}/"
        meta.append(f' · <a href="{url}" hx-get="{url}" hx-target="#task-{entry.pk}" hx-swap="outerHTML">Edit</a>')
    status = escape(entry.status)
    return mark_safe(  # noqa: S308 - every text escaped above, the guidance sanitized by render_markdown
        f'<li class="task task-{status}" id="task-{entry.pk}"><div class="task-main"><span class="status '
        f'status-{status}">{escape(TASK_LABELS.get(entry.status, entry.status))}</span><details><summary>'
        f'{escape(entry.title)}</summary><div class="prose small">{render_markdown(entry.guidance)}</div></details>'
        f'</div><div class="task-meta small muted">{"".join(meta)}</div></li>'
    )


def integration_row(integration: IntegrationRow) -> SafeString:
    """One integration of a project: name (and systems), top pick (and the current catalog's, when it differs),
    decision, when it was ranked."""
    url = escape(integration.url)
    systems = ""
    if integration.source_system or integration.target_system:
        systems = (f'<br><span class="muted small">{escape(integration.source_system or "…")} → '
                   f"{escape(integration.target_system or '…')}</span>")  # fmt: skip
    flag = ""
    if integration.catalog_change:
        flag = f'<br><a class="flag" href="{url}rerank/">{escape(integration.catalog_change)}: re-rank</a>'

    ranked = _minute(integration.ranked_at) if integration.ranked_at else ""
    if integration.status:
        status = escape(integration.status)
        label = escape(DECISION_LABELS.get(integration.status, integration.status))
        chosen = f'<span class="status status-{status}">{label}</span> {escape(integration.chosen_pattern_name)}'
    else:
        chosen = '<span class="muted">None yet</span>'
    return mark_safe(  # noqa: S308 - every text escaped above
        f'<tr><td data-label="Integration"><div><a href="{url}">{escape(integration.name)}</a>{systems}</div></td>'
        f'<td data-label="Top pick"><div>{escape(integration.top_pattern_name or "—")}{flag}</div></td>'
        f'<td data-label="Decision"><div>{chosen}</div></td>'
        f'<td data-label="Ranked"><div>{ranked}</div></td></tr>'
    )
