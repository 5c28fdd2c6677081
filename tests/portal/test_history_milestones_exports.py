"""History as a timeline, milestones compared, and exports that parse back and escape what users typed."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.models import HistoryEntry, Integration, Role
from portal.records import project_state, state_changes
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_approve, decision_save, decision_transition
from portal.services.integrations import comment_add
from portal.services.milestones import milestone_create
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    return make_team_project(alice, bob=Role.REVIEWER)


def test_the_history_page_is_a_timeline_of_changes(client: Client, project: Any, alice: User) -> None:
    integration = make_integration(project)
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    client.force_login(alice)
    body = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert body.index("Decision proposed") < body.index("Integration added") < body.index("Project created")
    assert "What changed" in body


def test_history_is_append_only_in_the_admin(client: Client, project: Any, alice: User) -> None:
    client.force_login(alice)  # a superuser
    entry = HistoryEntry.objects.filter(project=project).first()
    assert client.get(reverse("admin:portal_historyentry_changelist")).status_code == 200
    assert client.post(reverse("admin:portal_historyentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:portal_historyentry_add")).status_code == 403


def test_a_milestone_compares_with_the_current_state(project: Any, alice: User, bob: User) -> None:
    integration = make_integration(project)
    milestone = milestone_create(project=project, name="Design review", actor=alice)
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)
    entry = project.checklist_entries.first()
    checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="done")
    make_integration(project, "New one")
    changes = state_changes(milestone.snapshot, project_state(project))
    by_name = {c["name"]: c for c in changes["integrations"]}
    assert by_name["Web shop orders"]["before"]["decision"] is None
    assert by_name["Web shop orders"]["after"]["decision"] == "accepted"
    assert by_name["New one"]["change"] == "added"
    assert [c["after"]["status"] for c in changes["checklist"]] == ["done"]


def test_two_milestones_compare_on_the_page(client: Client, project: Any, alice: User) -> None:
    first = milestone_create(project=project, name="Start", actor=alice)
    make_integration(project)
    second = milestone_create(project=project, name="After sizing", actor=alice)
    client.force_login(alice)
    response = client.get(reverse("projects:milestone_compare", args=[project.pk]), {"a": first.pk, "b": second.pk})
    body = response.content.decode()
    assert "Start → After sizing" in body and "Web shop orders" in body and "added" in body
    # The OData integration brings the conditional throttling task with it.
    assert "Give the integration&#x27;s Microsoft Entra app a throttling priority" in body
    assert client.post(reverse("projects:milestones", args=[project.pk]), {"name": ""}).status_code == 400


def hostile_project(project: Any, alice: User) -> Any:
    integration = make_integration(project, '=HYPERLINK("http://evil")')
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata",
                  rationale="<script>alert(1)</script> **bold** | pipe")  # fmt: skip
    comment_add(integration=integration, author=alice, body="+cmd|' /C calc'!A0")
    return integration


def test_the_json_export_parses_back_with_everything(client: Client, project: Any, alice: User) -> None:
    hostile_project(project, alice)
    client.force_login(alice)
    response = client.get(reverse("projects:export", args=[project.pk, "json"]))
    assert response["Content-Type"] == "application/json" and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["schema"] == "d365-integration-portal/project/v1"
    assert data["integrations"][0]["decision"]["rationale"].startswith("<script>")  # data, not markup
    assert len(data["checklist"]) == 20 and data["integrations"][0]["comments"][0]["author"] == "alice"


def test_the_csv_export_neutralises_formulas(client: Client, project: Any, alice: User) -> None:
    hostile_project(project, alice)
    client.force_login(alice)
    response = client.get(reverse("projects:export", args=[project.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "integration",
        "scope",
        "scope_label",
        "goal",
        "goal_label",
        "top_pattern",
        "top_pattern_name",
        "chosen_pattern",
        "chosen_pattern_name",
        "decision_status",
        "decision_status_label",
        "fit",
        "capacity",
        "source_system",
        "target_system",
    ]
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][5:] == ["odata", "OData", "odata", "OData", "proposed", "Proposed", "strong", "", "", ""]


def test_the_markdown_export_escapes_what_users_typed(client: Client, project: Any, alice: User) -> None:
    hostile_project(project, alice)
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    assert "# Order to cash" in text and "## Decision record 1:" in text and "## Solution by Design checklist" in text
    assert "<script>" not in text and "&lt;script&gt;" in text and "\\*\\*bold\\*\\*" in text and "\\|" in text
    assert text.count("- [ ]") == 20  # 19 curated tasks and the throttling task OData brings


def test_exports_run_a_bounded_number_of_queries(client: Client, project: Any, alice: User,
                                                 django_assert_max_num_queries: Any) -> None:  # fmt: skip
    for index in range(6):
        integration = make_integration(project, f"I{index}")
        decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="x")
        comment_add(integration=integration, author=alice, body="c")
    client.force_login(alice)
    for fmt in ("json", "md", "csv"):
        with django_assert_max_num_queries(12):  # 10, the decisions' approvals and the history (issue 10)
            client.get(reverse("projects:export", args=[project.pk, fmt]))


def test_a_task_that_disappeared_shows_in_the_comparison(project: Any, alice: User) -> None:
    integration = make_integration(project)
    milestone = milestone_create(project=project, name="With OData", actor=alice)
    other = next(
        o["pattern"] for o in integration.ranking["options"] if o["pattern"] not in {"odata", "custom-services"}
    )
    decision_save(integration=integration, actor=alice, chosen_pattern_slug=other, rationale="x", justification="y")
    changes = state_changes(milestone.snapshot, project_state(project))
    removed = [c for c in changes["checklist"] if c["after"] is None]
    assert [c["title"][:8] for c in removed] == ["Give the"]


def test_markdown_structure_typed_by_users_stays_text(client: Client, project: Any, alice: User) -> None:
    integration = make_integration(project)
    decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata",
                  rationale="- not a list\n1. not numbered\n=== not a rule")  # fmt: skip
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    assert "\\- not a list" in text and "1\\. not numbered" in text and "\\=== not a rule" in text


def test_the_markdown_export_states_each_rankings_confidence_and_what_would_change_it(
    client: Client, project: Any, alice: User
) -> None:
    make_integration(project, name="Reports on premises", answers={"scope": "fno_external",
                     "goal": "reporting_visuals", "deployment": "on_premises"})  # fmt: skip
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    assert "Confidence: none. Nothing fits well" in text or "Confidence: partial." in text
    assert "What would change it:" in text and "set to Cloud, Embedded Power BI fits" in text


HOSTILE_NAMES = [
    'Shop\r  click n1 href "javascript:alert(1)"',  # a carriage return starts a Mermaid line of its own
    "Shop\n%%{init: {'securityLevel': 'loose'}}%%",
    "#lt;img src=x onerror=alert(1)#gt;",  # Mermaid's entity codes
    'ERP"] --> n9["x',  # quotes and brackets that would end the label
    "Bank | `code` {braces} <b>bold</b> ; #35;",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_mermaid_diagram_keeps_hostile_names_inside_their_labels(client: Client, project: Any, alice: User,
                                                                     name: str) -> None:  # fmt: skip
    integration = make_integration(project, name)
    Integration.objects.filter(pk=integration.pk).update(source_system=name, target_system=name + " 2")
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    block = text[text.index("```mermaid") + 3 : text.index("```", text.index("```mermaid") + 3)]
    lines = block.split("\n")[1:-1]
    assert lines[0] == "flowchart LR" and "\r" not in block
    for line in lines[1:]:  # a node, an arrow between two nodes, or a link's style: nothing else
        assert re.fullmatch(r'  n\d+(\["[^"\[\]#;<>`|{}]*"\]|\(\["[^"\[\]#;<>`|{}]*"\]\))'
                            r'|  n\d+ (-->|<-->)\|"[^"#;<>`|{}\[\]]*"\| n\d+'
                            r"|  linkStyle \d+ stroke:#[0-9a-f]{6},stroke-width:2px(,stroke-dasharray:[\d ]+)?",
                            line), line  # fmt: skip
    table = text[text.index("| Integration | From |") :].split("\n\n")[0].split("\n")
    assert all(row.startswith("| ") and row.endswith(" |") for row in table)  # no row broken by a line break
