"""Project exports: JSON (the whole project, schema below), Markdown (a decision record per integration and the
checklist) and CSV (the integration inventory). The Markdown's times are the reader's (the zone active for the
request), and its header names that zone; JSON's carry their offset (UTC); the CSV has no times.

JSON schema "d365-integration-portal/project/v1":
  {schema, exported_at, id, name, description, team, owner, created_at, updated_at, required_approvals,
   integrations: [{id, name, requirements, catalog_version, ranked_at, top_pattern, top_pattern_name,
                   ranking: {catalog_version, options: [{pattern, name, rank, score, contributions,
                             cautions}], excluded, fit: {level, summary},
                             relaxations: [{changes, pattern, name, score, fit, summary}]},
                   decision: null | {status, chosen_pattern, chosen_pattern_name, rationale, consequences,
                                     justification, proposed_by, decided_by, decided_at, superseded_by, version},
                   comments: [{author, created_at, body}]}],
   checklist: [{section, task, title, guidance, status, not_applicable_reason, assignee, due_date, notes,
                evidence_url, condition: null | {answers?, patterns?}, version}],
   milestones: [{name, created_at, created_by}]}
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import Any

from django.utils import timezone

from patterns.ranking.records import RankingRecord
from patterns.requirements import CAPACITY_BY_NAME, answer_label, question_label
from portal.models import DecisionStatus, Project
from portal.pictures.landscape import Landscape
from portal.records import integration_decision, project_record
from portal.selectors.decisions import decision_events
from portal.selectors.integrations import project_integrations, project_landscape

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def project_json(project: Project) -> str:
    """The whole project record as JSON text (read it through ``selectors.project_for_export``)."""
    return json.dumps(project_record(project), indent=2, ensure_ascii=False)


LIST_OR_RULE = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Keep what users typed from turning into Markdown structure or HTML in the record."""
    escaped = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for character in "`*_[]#|":
        escaped = escaped.replace(character, "\\" + character)
    escaped = LIST_OR_RULE.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped.replace("\r", ""))
    escaped = NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return escaped.replace("\n", "  \n")


def md_line(text: str) -> str:
    """One line of what users typed (a name, a title, a table cell): its line breaks would end a heading or a row."""
    return md_escape(" ".join(text.split()))


def answer_text(name: str, value: Any) -> str:
    if name == "capacity" and isinstance(value, dict):
        return "Numbers: " + ", ".join(f"{CAPACITY_BY_NAME[k].label.lower() if k in CAPACITY_BY_NAME else k} "
                                       f"{v:,}" for k, v in value.items())  # fmt: skip
    return f"{question_label(name)}: {answer_label(name, value)}"


def relied_on(ranking: RankingRecord, decision: Any) -> Any:
    """The option an integration relies on: the chosen one once decided, else the first (as checklist tasks do)."""
    chosen = decision.chosen_pattern_slug if decision else None
    return ranking.by_pattern().get(chosen) if chosen else ranking.top


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def project_markdown(project: Project) -> str:
    lines = [f"# {md_line(project.name)}", ""]
    if project.description:
        lines += [md_escape(project.description), ""]
    zone = timezone.get_current_timezone_name()
    lines += [f"Team: {md_line(project.team.name)} · exported {_local(timezone.now()):%Y-%m-%d %H:%M} {zone} "
              f"(every date and time here is {zone}'s)", ""]  # fmt: skip
    lines += _landscape_markdown(project_landscape(project_integrations(project), links=False))
    history = list(project.history.all())  # prefetched oldest first by project_for_export
    for number, integration in enumerate(project.integrations.all(), start=1):
        decision = integration_decision(integration)
        lines += [f"## Decision record {number}: {md_line(integration.name)}", ""]
        lines += [f"- Status: {decision.get_status_display() if decision else 'No decision yet'}"]
        lines += [f"- Top-ranked pattern: {md_line(integration.top_pattern_name or '—')}"]
        if decision:
            lines += [f"- Chosen pattern: {md_line(decision.chosen_pattern_name)}"]
            proposer = md_line(decision.proposed_by.get_username()) if decision.proposed_by else "someone"
            lines += [
                f"- Proposed by {proposer} on {_local(decision.created_at):%Y-%m-%d} · version {decision.version}"
            ]
            if decision.decided_by:
                decider = md_line(decision.decided_by.get_username())
                verb = "Rejected" if decision.status == DecisionStatus.REJECTED else "Accepted"
                lines += [f"- {verb} by {decider} on {_local(decision.decided_at or decision.updated_at):%Y-%m-%d}"]
            if decision.status == DecisionStatus.REJECTED and decision.status_reason:
                lines += [f"- Why it was rejected: {md_line(decision.status_reason)}"]
            if decision.superseded_by_id and decision.superseded_by:
                replacing = decision.superseded_by
                lines += [f"- Superseded by the decision on {md_line(replacing.integration.name)} "
                          f"({md_line(replacing.chosen_pattern_name)})"]  # fmt: skip
            approvals = list(decision.approvals.all())
            if approvals:
                lines += ["- Approvals: " + ", ".join(
                    f"{md_line(a.reviewer.get_username())} (version {a.decision_version}, "
                    f"{_local(a.created_at):%Y-%m-%d})" for a in approvals)]  # fmt: skip
        lines += ["", "### Context", ""]
        lines += [f"- {md_line(answer_text(k, v))}" for k, v in integration.requirements.items()]
        lines += [f"- Ranked {_local(integration.ranked_at):%Y-%m-%d} with catalog {integration.catalog_version}", ""]
        if decision:
            lines += ["### Decision", "", md_escape(decision.rationale), ""]
            if decision.justification:
                lines += ["Why not the top-ranked option: " + md_escape(decision.justification), ""]
            lines += ["### Consequences", "", md_escape(decision.consequences or "None recorded."), ""]
            events = decision_events(e for e in history if e.integration_id == integration.pk)
            if events:
                lines += ["### Status history", ""]
                lines += [f"- {_local(e.when):%Y-%m-%d %H:%M} · {md_line(e.what)} by {md_line(e.who)}"
                          + (f": {md_line(e.note)}" if e.note else "") for e in events]  # fmt: skip
                lines += [""]
        ranking = RankingRecord.from_json(integration.ranking)
        lines += [
            "### Options considered",
            "",
            f"Confidence: {ranking.verdict.level}. {md_escape(ranking.verdict.summary)}",
        ]
        lines += [""] + [f"{o.rank}. {md_line(o.name)} ({o.score:.0f}/100)" for o in ranking.options[:5]]
        if ranking.relaxations:
            lines += ["", "What would change it:", ""] + [f"- {md_escape(r.summary)}" for r in ranking.relaxations]
        relied = relied_on(ranking, decision)
        if relied and relied.capacity and relied.capacity.estimates:
            lines += ["", f"Capacity of {md_escape(relied.name)}: {relied.capacity.label}", ""]
            lines += [f"- {md_escape(e.name)}: {md_escape(e.text)} ({e.source})" for e in relied.capacity.estimates]
        lines += [""]
    lines += ["## Solution by Design checklist", ""]
    section = None
    for entry in project.checklist_entries.all():
        if entry.section_title != section:
            section = entry.section_title
            lines += ["", f"### {md_line(section)}", ""]
        mark = "x" if entry.is_closed else " "
        extra = f" (not applicable: {md_line(entry.not_applicable_reason)})" if entry.not_applicable_reason else ""
        lines += [f"- [{mark}] {md_line(entry.title)}{extra}"]
    return "\n".join(lines).rstrip() + "\n"


MERMAID_UNSAFE = re.compile(r"[^\w .,:()/+&'@!?·-]")


def _mermaid_text(text: str) -> str:
    """Text inside a Mermaid label's quotes, from a whitelist (letters, digits, spaces and plain punctuation), on one
    line: no quote, bracket or pipe that would end it, no line break (CR included) that would start a line of its own,
    no ``#`` or ``;`` of Mermaid's entity codes (``#lt;``), no HTML."""
    return " ".join(MERMAID_UNSAFE.sub(" ", text).split())


def _landscape_markdown(picture: Landscape) -> list[str]:
    """The landscape as a Mermaid flowchart (drawn by GitHub, Azure DevOps and most Markdown wikis) and a table."""
    if picture.empty:
        return []
    ids = {node.name: f"n{index}" for index, node in enumerate(picture.nodes, start=1)}
    lines = ["## Integration landscape", "", md_escape(picture.summary), "", "```mermaid", "flowchart LR"]
    for node in picture.nodes:
        shape = ('(["', '"])') if node.is_app else ('["', '"]')
        lines.append(f"  {ids[node.name]}{shape[0]}{_mermaid_text(node.name)}{shape[1]}")
    for edge in picture.edges:
        arrow = "<-->" if edge.both_ways else "-->"
        lines.append(f'  {ids[edge.start]} {arrow}|"{_mermaid_text(edge.label)}"| {ids[edge.end]}')
    for index, edge in enumerate(picture.edges):
        dash = f",stroke-dasharray:{edge.dash}" if edge.dash else ""
        lines.append(f"  linkStyle {index} stroke:{edge.colour},stroke-width:2px{dash}")
    lines += ["```", "", "| Integration | From | To | Pattern | Decision |", "| --- | --- | --- | --- | --- |"]
    for edge in picture.edges:
        to = f"{edge.end} (both ways)" if edge.both_ways else edge.end
        cells = (edge.link.name, edge.start, to, edge.link.pattern, edge.label_lines[1])
        lines.append("| " + " | ".join(md_line(cell) for cell in cells) + " |")
    return [*lines, ""]


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet won't run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _ranking_cells(ranking: RankingRecord, decision: Any) -> tuple[str, str]:
    """The fit level and the capacity verdict of the option relied on (empty without numbers)."""
    relied = relied_on(ranking, decision)
    return csv_cell(ranking.verdict.level), csv_cell(relied.capacity.verdict if relied and relied.capacity else "")


def project_csv(project: Project) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["integration", "scope", "scope_label", "goal", "goal_label", "top_pattern", "top_pattern_name",
         "chosen_pattern", "chosen_pattern_name", "decision_status", "decision_status_label", "fit", "capacity",
         "source_system", "target_system"]
    )  # fmt: skip
    for integration in project.integrations.all():
        decision = integration_decision(integration)
        writer.writerow(
            [
                csv_cell(integration.name),
                csv_cell(scope := integration.requirements.get("scope")),
                csv_cell(answer_label("scope", scope)),
                csv_cell(goal := integration.requirements.get("goal")),
                csv_cell(answer_label("goal", goal)),
                csv_cell(integration.top_pattern_slug),
                csv_cell(integration.top_pattern_name),
                csv_cell(decision.chosen_pattern_slug if decision else ""),
                csv_cell(decision.chosen_pattern_name if decision else ""),
                csv_cell(decision.status if decision else "none"),
                csv_cell(decision.get_status_display() if decision else "No decision yet"),
                *_ranking_cells(RankingRecord.from_json(integration.ranking), decision),
                csv_cell(integration.source_system),
                csv_cell(integration.target_system),
            ]
        )
    return buffer.getvalue()
