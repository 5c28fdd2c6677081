"""Hand-off exports: the project's work where teams already track it (issue 25).

- ``azure-boards``: a CSV for Azure Boards' work-item import (Work Item Type, Title, Description, State, Assigned To,
  Tags, Due Date): a Task per checklist task and a User Story per integration without an accepted decision. The
  import takes at most 1,000 work items a file, so a longer list comes as a zip of numbered files.
- ``jira``: a CSV for Jira's importer (Summary, Issue Type, Description, Due date as yyyy-MM-dd, Labels, Assignee):
  the same rows, as Task and Story.
- ``madr``: a zip of one MADR 4 Markdown file per decision, ``NNNN-title-slug.md`` with front matter (status, date,
  decision-makers) and the sections "Context and Problem Statement", "Considered Options", "Decision Outcome" and
  "Consequences", ready for a repository's ``docs/decisions/``.

Dates are the reader's (the zone active for the request): MADR's date is the day of the decision there.

Read the project through ``selectors.project_for_export``. Every cell that a spreadsheet would run as a formula is
neutralised, and every text users typed is escaped in the Markdown.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from patterns.ranking.records import RankingRecord
from portal.exports import answer_text, csv_cell, md_escape, md_line, relied_on
from portal.links import public_url
from portal.models import DecisionStatus, Project, TaskStatus
from portal.pictures.markup import landscape_markup
from portal.records import integration_decision
from portal.selectors.checklist import task_summary
from portal.selectors.integrations import project_integrations, project_landscape
from portal.selectors.teams import Progress

AZURE_BOARDS_ROWS = 1000  # work items one CSV import takes
AZURE_STATES: dict[str, str] = {TaskStatus.OPEN: "New", TaskStatus.IN_PROGRESS: "Active", TaskStatus.DONE: "Closed",
                TaskStatus.NOT_APPLICABLE: "Removed"}  # fmt: skip
LABEL = "d365-integration-portal"


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "task" or "story"
    title: str
    description: str
    status: str  # a TaskStatus, "open" for a story
    assignee: str  # an e-mail address (or the username without one), "" for nobody
    tags: tuple[str, ...]
    due: date | None


@dataclass(frozen=True)
class Export:
    content_type: str
    extension: str
    body: bytes


def work_items(project: Project) -> list[WorkItem]:
    """A task per checklist task, then a story per integration still without an accepted decision."""
    items = []
    for entry in project.checklist_entries.all():
        person = entry.assignee
        assignee = (person.email or person.get_username()) if person else ""
        items.append(WorkItem("task", entry.title, task_summary(entry), entry.status, assignee,
                              (LABEL, entry.section_slug), entry.due_date))  # fmt: skip
    for integration in project.integrations.all():
        decision = integration_decision(integration)
        if decision is not None and decision.status == DecisionStatus.ACCEPTED:
            continue
        ranking = RankingRecord.from_json(integration.ranking)
        state = f"A decision is {decision.get_status_display().lower()}." if decision else "No decision yet."
        link = public_url(reverse("projects:integration", args=[project.pk, integration.pk]))
        items.append(WorkItem("story", f"Decide how to integrate: {integration.name}",
                              f"{state} Top-ranked: {integration.top_pattern_name or 'no option fits'} "
                              f"({ranking.verdict.level} fit). In the portal: {link}",
                              TaskStatus.OPEN, "", (LABEL, "decision"), None))  # fmt: skip
    return items


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # a byte-order mark: spreadsheets and importers read UTF-8 then


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def azure_boards(project: Project, *, limit: int = AZURE_BOARDS_ROWS) -> Export:
    header = ["Work Item Type", "Title", "Description", "State", "Assigned To", "Tags", "Due Date"]
    rows = [["Task" if item.kind == "task" else "User Story", item.title, item.description,
             AZURE_STATES.get(item.status, "New"), item.assignee, "; ".join(item.tags),
             item.due.isoformat() if item.due else ""] for item in work_items(project)]  # fmt: skip
    if len(rows) <= limit:
        return Export("text/csv; charset=utf-8", "csv", _csv(header, rows))
    parts = [rows[start : start + limit] for start in range(0, len(rows), limit)]
    stem = slugify(project.name) or "project"
    files = {f"{stem}-azure-boards-{number}-of-{len(parts)}.csv": _csv(header, part)
             for number, part in enumerate(parts, start=1)}  # fmt: skip
    return Export("application/zip", "zip", _zip(files))


def jira(project: Project) -> Export:
    items = work_items(project)
    labels = max((len(item.tags) for item in items), default=1)
    header = ["Summary", "Issue Type", "Description", "Due date", *(["Labels"] * labels), "Assignee"]
    rows = [[item.title, "Task" if item.kind == "task" else "Story", item.description,
             item.due.isoformat() if item.due else "", *item.tags, *([""] * (labels - len(item.tags))), item.assignee]
            for item in items]  # fmt: skip
    return Export("text/csv; charset=utf-8", "csv", _csv(header, rows))


MADR_STATUS: dict[str, str] = {DecisionStatus.PROPOSED: "proposed", DecisionStatus.ACCEPTED: "accepted",
               DecisionStatus.REJECTED: "rejected", DecisionStatus.DEPRECATED: "deprecated"}  # fmt: skip


def madr(project: Project) -> Export:
    """One MADR file per decision, numbered in the order the integrations were added."""
    decided = [(i, d) for i in project.integrations.all() if (d := integration_decision(i)) is not None]
    names = {}
    for number, (integration, decision) in enumerate(decided, start=1):
        title = f"{decision.chosen_pattern_name} for {integration.name}"
        names[decision.pk] = f"{number:04d}-{slugify(title)[:60].strip('-') or 'decision'}.md"
    files = {f"docs/decisions/{names[decision.pk]}": _madr_file(integration, decision, names).encode()
             for integration, decision in decided}  # fmt: skip
    return Export("application/zip", "zip", _zip(files))


def _madr_file(integration: Any, decision: Any, names: dict[int, str]) -> str:
    replaced = decision.superseded_by_id and names.get(decision.superseded_by_id)
    plain = MADR_STATUS.get(decision.status, decision.status)
    status = f"superseded by {replaced.removesuffix('.md')}" if replaced else plain
    deciders = [person.get_username() for person in (decision.decided_by, decision.proposed_by) if person]
    front = [
        "---",
        f"status: {json.dumps(status)}",
        f"date: {timezone.localtime(decision.decided_at or decision.updated_at):%Y-%m-%d}",  # the reader's date
        f"decision-makers: {json.dumps(', '.join(dict.fromkeys(deciders)))}",
        "---",
    ]
    ranking = RankingRecord.from_json(integration.ranking)
    considered = [o for o in ranking.options if o.rank <= 5 or o.pattern == decision.chosen_pattern_slug]
    chosen = relied_on(ranking, decision)
    lines = [
        *front,
        "",
        f"# {md_line(decision.chosen_pattern_name)} for {md_line(integration.name)}",
        "",
        "## Context and Problem Statement",
        "",
        f"How should {md_line(integration.name)} integrate? What the team answered:",
        "",
        *(f"* {md_line(answer_text(name, value))}" for name, value in integration.requirements.items()),
        "",
        f"Ranked with catalog {integration.catalog_version} on {timezone.localtime(integration.ranked_at):%Y-%m-%d}: "
        f"{md_line(ranking.verdict.summary)}",
        "",
        "## Considered Options",
        "",
        *(f"* {md_line(option.name)} ({option.score:.0f}/100)" for option in considered),
        "",
        "## Decision Outcome",
        "",
        f'Chosen option: "{md_line(decision.chosen_pattern_name)}", because {md_escape(decision.rationale)}',
    ]
    if decision.justification:
        lines += [
            "",
            f"Not the top-ranked {md_line(integration.top_pattern_name)}: {md_escape(decision.justification)}",
        ]
    if decision.status == DecisionStatus.REJECTED and decision.status_reason:
        lines += ["", f"Rejected: {md_line(decision.status_reason)}"]
    lines += ["", "### Consequences", ""]
    lines += [f"* {md_escape(line)}" for line in decision.consequences.splitlines() if line.strip()] or [
        "* None recorded by the team."]  # fmt: skip
    if chosen is not None:
        lines += [f"* Platform caution: {md_line(caution.title)} ({caution.source_url})" for caution in chosen.cautions]
    record = reverse("projects:decision_adr", args=[integration.project_id, integration.pk])
    lines += ["", f"More in the portal: {public_url(record)}"]
    return "\n".join(lines) + "\n"


class ReportUnavailable(Exception):
    """The report can't be rendered on this server; the message says why."""


@dataclass(frozen=True)
class ReportRow:
    name: str
    systems: str
    status: str  # the decision's, in words, or "No decision yet"
    pattern: str  # the chosen pattern, or the top pick
    fit: str
    capacity: str
    cautions: tuple[str, ...]


def _report_rows(project: Project) -> list[ReportRow]:
    rows = []
    for integration in project.integrations.all():
        decision = integration_decision(integration)
        ranking = RankingRecord.from_json(integration.ranking)
        relied = relied_on(ranking, decision) or ranking.top
        systems = " → ".join(s for s in (integration.source_system, integration.target_system) if s)
        rows.append(ReportRow(
            integration.name, systems, decision.get_status_display() if decision else "No decision yet",
            decision.chosen_pattern_name if decision else (integration.top_pattern_name or "No option fits"),
            ranking.verdict.level, relied.capacity.label if relied and relied.capacity else "",
            tuple(c.title for c in relied.cautions) if relied else (),
        ))  # fmt: skip
    return rows


REPORT_CSS = """
@page { size: A4; margin: 1.6cm 1.4cm 1.8cm;
        @bottom-left { content: "%(title)s"; font-size: 8pt; color: #555; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #1b1f24; background: #fff; }
h1 { font-size: 18pt; margin: 0 0 .2rem; } h2 { font-size: 13pt; margin: 1.2rem 0 .4rem; break-after: avoid; }
table { width: 100%%; border-collapse: collapse; margin: .3rem 0; } tr { break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: .25rem .35rem; border-bottom: 1px solid #d8dde3; }
thead th { background: #f4f6f8; } .muted { color: #555; } .small { font-size: 8.5pt; }
.landscape figcaption p, .landscape .legend, .landscape-narrow, .landscape details { display: none !important; }
.landscape svg.landscape-wide { width: 100%%; height: auto; display: block; }
.bar { display: inline-block; width: 7cm; height: .35cm; background: #eef0f2; vertical-align: middle; }
.bar span { display: block; height: 100%%; background: #1e7b34; }
"""


# The landscape's SVG takes its colours from the page's CSS, which WeasyPrint doesn't apply inside an SVG: for the
# report they are written onto the shapes (the same values as static/css/portal.css).
SVG_PAINT = (
    (
        re.compile(r'(<g class="node-app"><title>.*?</title><rect )'),
        r'\1fill="#e8f0fb" stroke="#0b3f78" stroke-width="1.5" ',
    ),
    (
        re.compile(r'(<g class="node-other"><title>.*?</title><rect )'),
        r'\1fill="#fff" stroke="#5f6b76" stroke-width="1.2" ',
    ),
    (re.compile(r'(<g class="edge-label"><rect )'), r'\1fill="#fff" stroke="#8a939c" stroke-width="1" '),
    (re.compile(r'(<svg class="landscape-wide")'), r'\1 font-family="DejaVu Sans" font-size="12" fill="#1b1f24"'),
)


def _painted(markup: str) -> str:
    for pattern, replacement in SVG_PAINT:
        markup = pattern.sub(replacement, markup)
    return markup


def pdf(project: Project) -> Export:
    """The stakeholder report: the landscape, each integration's decision (or top pick and fit) with its cautions,
    the checklist's progress and the open tasks, paginated with page numbers. Rendered by WeasyPrint from HTML."""
    try:
        from weasyprint import CSS, HTML
    except OSError as error:  # Pango isn't installed: only this export is unavailable
        raise ReportUnavailable("The PDF report needs Pango on the server (Debian: libpango-1.0-0 and "
                                "libpangoft2-1.0-0); the other exports work.") from error  # fmt: skip

    picture = project_landscape(project_integrations(project), links=False)
    entries = list(project.checklist_entries.all())  # in section order
    context = {
        "project": project,
        "exported": timezone.now(),  # shown in the reader's zone, which the report names
        "time_zone": timezone.get_current_timezone_name(),
        "landscape": ""
        if picture.empty
        else mark_safe(  # noqa: S308 - landscape_markup escaped every text
            _painted(landscape_markup(picture, "report", f"Landscape of {project.name}"))
        ),
        "rows": _report_rows(project),
        "sections": [(title, Progress.of(list(tasks))) for title, tasks in groupby(entries, lambda e: e.section_title)],
        "overall": Progress.of(entries),
        "open_tasks": [e for e in entries if not e.is_closed],
    }
    html = render_to_string("portal/report.html", context)
    portal_css = finders.find("css/portal.css")
    title = " ".join(project.name.split()).replace("\\", "\\\\").replace('"', '\\"')[:80]
    sheets = [CSS(filename=portal_css)] if isinstance(portal_css, str) else []
    sheets.append(CSS(string=REPORT_CSS % {"title": title}))
    body = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=sheets)
    return Export("application/pdf", "pdf", body or b"")


HANDOFFS = {"azure-boards": azure_boards, "jira": jira, "madr": madr, "pdf": pdf}
