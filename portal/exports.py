"""Project exports: JSON (the whole project, schema below), Markdown (a decision record per integration and the
checklist) and CSV (the integration inventory).

JSON schema "d365-integration-portal/project/v1":
  {schema, exported_at, id, name, description, team, owner, created_at, updated_at, required_approvals,
   integrations: [{id, name, requirements, catalog_version, ranked_at, top_pattern, top_pattern_name,
                   ranking: {catalog_version, options: [{pattern, name, rank, score, contributions,
                             cautions}], excluded},
                   decision: null | {status, chosen_pattern, chosen_pattern_name, rationale, consequences,
                                     justification, proposed_by, decided_by, decided_at, superseded_by, version},
                   comments: [{author, created_at, body}]}],
   checklist: [{section, task, title, guidance, status, not_applicable_reason, assignee, due_date, notes,
                evidence_url, condition: null | {answers?, patterns?}}],
   milestones: [{name, created_at, created_by}]}
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from patterns.requirements import QUESTIONS_BY_NAME
from portal.models import Comment, Integration, Project

SCHEMA = "d365-integration-portal/project/v1"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_queryset(project: Project) -> Project:
    """The project with everything an export reads, in a fixed number of queries."""
    return (
        Project.objects.select_related("team", "owner")
        .prefetch_related(
            Prefetch(
                "integrations",
                queryset=Integration.objects.select_related(
                    "decision", "decision__proposed_by", "decision__decided_by", "decision__superseded_by__integration"
                ).order_by("created_at", "id"),
            ),
            Prefetch("integrations__comments", queryset=Comment.objects.select_related("author")),
            "checklist_entries__assignee",
            "milestones__created_by",
        )
        .get(pk=project.pk)
    )


def decision_json(integration: Integration) -> dict[str, Any] | None:
    decision = getattr(integration, "decision", None)
    if decision is None:
        return None
    return {
        "status": decision.status,
        "chosen_pattern": decision.chosen_pattern_slug,
        "chosen_pattern_name": decision.chosen_pattern_name,
        "rationale": decision.rationale,
        "consequences": decision.consequences,
        "justification": decision.justification,
        "proposed_by": decision.proposed_by.get_username(),
        "decided_by": decision.decided_by.get_username() if decision.decided_by else None,
        "decided_at": decision.decided_at.isoformat() if decision.decided_at else None,
        "superseded_by": decision.superseded_by.integration.name if decision.superseded_by else None,
        "version": decision.version,
    }


def project_json(project: Project) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "exported_at": timezone.now().isoformat(),
        "id": project.pk,
        "name": project.name,
        "description": project.description,
        "team": project.team.name,
        "owner": project.owner.get_username(),
        "created_at": project.created_at.isoformat(),
        "updated_at": project.updated_at.isoformat(),
        "required_approvals": project.required_approvals,
        "integrations": [
            {
                "id": integration.pk,
                "name": integration.name,
                "requirements": integration.requirements,
                "catalog_version": integration.catalog_version,
                "ranked_at": integration.ranked_at.isoformat(),
                "top_pattern": integration.top_pattern_slug or None,
                "top_pattern_name": integration.top_pattern_name or None,
                "ranking": integration.ranking,
                "decision": decision_json(integration),
                "comments": [
                    {"author": c.author.get_username(), "created_at": c.created_at.isoformat(), "body": c.body}
                    for c in integration.comments.all()
                ],
            }
            for integration in project.integrations.all()
        ],
        "checklist": [
            {
                "section": entry.section_title,
                "task": entry.slug,
                "title": entry.title,
                "guidance": entry.guidance,
                "status": entry.status,
                "not_applicable_reason": entry.not_applicable_reason,
                "assignee": entry.assignee.get_username() if entry.assignee else None,
                "due_date": entry.due_date.isoformat() if entry.due_date else None,
                "notes": entry.notes,
                "evidence_url": entry.evidence_url,
                "condition": entry.condition or None,
            }
            for entry in project.checklist_entries.all()
        ],
        "milestones": [
            {"name": m.name, "created_at": m.created_at.isoformat(), "created_by": m.created_by.get_username()}
            for m in project.milestones.all()
        ],
    }


LIST_OR_RULE = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def _md_escape(text: str) -> str:
    """Keep what users typed from turning into Markdown structure or HTML in the record."""
    escaped = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for character in "`*_[]#|":
        escaped = escaped.replace(character, "\\" + character)
    escaped = LIST_OR_RULE.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped.replace("\r", ""))
    escaped = NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return escaped.replace("\n", "  \n")


def _answer(name: str, value: Any) -> str:
    question = QUESTIONS_BY_NAME.get(name)
    if question is None:
        return str(value)
    key = ("true" if value else "false") if isinstance(value, bool) else str(value)
    try:
        return f"{question.label}: {question.choice(key).label}"
    except KeyError:
        return f"{question.label}: {key}"


def project_markdown(project: Project) -> str:
    lines = [f"# {_md_escape(project.name)}", ""]
    if project.description:
        lines += [_md_escape(project.description), ""]
    lines += [f"Team: {_md_escape(project.team.name)} · exported {timezone.now():%Y-%m-%d %H:%M} UTC", ""]
    for number, integration in enumerate(project.integrations.all(), start=1):
        decision = getattr(integration, "decision", None)
        lines += [f"## Decision record {number}: {_md_escape(integration.name)}", ""]
        lines += [f"- Status: {decision.get_status_display() if decision else 'No decision yet'}"]
        lines += [f"- Top-ranked pattern: {_md_escape(integration.top_pattern_name or '—')}"]
        if decision:
            lines += [f"- Chosen pattern: {_md_escape(decision.chosen_pattern_name)}"]
            if decision.decided_by:
                decider = _md_escape(decision.decided_by.get_username())
                lines += [f"- Decided by {decider} on {decision.decided_at:%Y-%m-%d}"]
        lines += ["", "### Context", ""]
        lines += [f"- {_md_escape(_answer(k, v))}" for k, v in integration.requirements.items()]
        lines += [f"- Ranked {integration.ranked_at:%Y-%m-%d} with catalog {integration.catalog_version}", ""]
        if decision:
            lines += ["### Decision", "", _md_escape(decision.rationale), ""]
            if decision.justification:
                lines += ["Why not the top-ranked option: " + _md_escape(decision.justification), ""]
            lines += ["### Consequences", "", _md_escape(decision.consequences or "None recorded."), ""]
        options = integration.ranking.get("options", [])[:5]
        lines += ["### Options considered", ""]
        lines += [f"{o['rank']}. {_md_escape(o['name'])} ({o['score']:.0f}/100)" for o in options]
        lines += [""]
    lines += ["## Solution by Design checklist", ""]
    section = None
    for entry in project.checklist_entries.all():
        if entry.section_title != section:
            section = entry.section_title
            lines += ["", f"### {_md_escape(section)}", ""]
        mark = "x" if entry.status in {"done", "not_applicable"} else " "
        extra = (
            f" (not applicable: {_md_escape(entry.not_applicable_reason)})" if entry.status == "not_applicable" else ""
        )
        lines += [f"- [{mark}] {_md_escape(entry.title)}{extra}"]
    return "\n".join(lines).rstrip() + "\n"


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet won't run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def project_csv(project: Project) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["integration", "scope", "goal", "top_pattern", "chosen_pattern", "decision_status"])
    for integration in project.integrations.all():
        decision = getattr(integration, "decision", None)
        writer.writerow(
            [
                _cell(integration.name),
                _cell(integration.requirements.get("scope")),
                _cell(integration.requirements.get("goal")),
                _cell(integration.top_pattern_slug),
                _cell(decision.chosen_pattern_slug if decision else ""),
                _cell(decision.status if decision else "none"),
            ]
        )
    return buffer.getvalue()
