"""Hand-offs (issue 25): the checklist and the open decisions as Azure Boards' and Jira's CSV imports, and the
decisions as MADR files, for every member; outsiders get 404."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.handoffs import AZURE_BOARDS_ROWS, azure_boards
from portal.models import Integration, Role
from portal.selectors.projects import project_for_export
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_approve, decision_save, decision_transition
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    project = make_team_project(alice, bob=Role.REVIEWER)
    accepted = make_integration(project, "Web shop orders")
    decision = decision_save(integration=accepted, actor=alice, chosen_pattern_slug="odata", rationale="Low volume.",
                             consequences="Throttling applies.\nA second line.")  # fmt: skip
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)
    make_integration(project, '=HYPERLINK("http://evil") # [x](y)')  # no decision yet: a story to decide
    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="in_progress",
                           assignee=bob, due_date=date(2026, 12, 31))  # fmt: skip
    return project


def rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_azure_boards_gets_a_task_per_checklist_task_and_a_story_per_open_decision(
    client: Client, project: Any, alice: User
) -> None:
    client.force_login(alice)
    response = client.get(reverse("projects:export", args=[project.pk, "azure-boards"]))
    assert response["Content-Disposition"].endswith('-azure-boards.csv"')
    items = rows(response)
    assert list(items[0]) == ["Work Item Type", "Title", "Description", "State", "Assigned To", "Tags", "Due Date"]
    tasks = [item for item in items if item["Work Item Type"] == "Task"]
    stories = [item for item in items if item["Work Item Type"] == "User Story"]
    assert len(tasks) == project.checklist_entries.count()
    assert [s["Title"] for s in stories] == ['Decide how to integrate: =HYPERLINK("http://evil") # [x](y)']
    first = next(t for t in tasks if t["Due Date"])
    assert (first["State"], first["Assigned To"], first["Due Date"]) == ("Active", "bob@example.com", "2026-12-31")
    assert first["Tags"].startswith("d365-integration-portal; ") and "/checklist/" in first["Description"]


def test_past_azure_boards_import_limit_the_rows_come_as_a_zip_of_files(project: Any) -> None:
    export = azure_boards(project_for_export(project), limit=10)
    archive = zipfile.ZipFile(io.BytesIO(export.body))
    names = archive.namelist()
    total = project.checklist_entries.count() + 1
    assert export.extension == "zip" and len(names) == -(-total // 10)
    counted = sum(len(list(csv.DictReader(io.StringIO(archive.read(n).decode("utf-8-sig"))))) for n in names)
    assert counted == total and AZURE_BOARDS_ROWS == 1000


def test_jira_gets_the_same_rows_with_its_columns(client: Client, project: Any, bob: User) -> None:
    client.force_login(bob)
    response = client.get(reverse("projects:export", args=[project.pk, "jira"]))
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    header = next(reader)
    assert header[:4] == ["Summary", "Issue Type", "Description", "Due date"] and header[-1] == "Assignee"
    assert header.count("Labels") == 2
    body = list(reader)
    assert {row[1] for row in body} == {"Task", "Story"}
    assert any(row[3] == "2026-12-31" and row[-1] == "bob@example.com" for row in body)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)  # no formulas


def test_madr_is_a_file_per_decision_with_front_matter_and_sections(client: Client, project: Any, alice: User) -> None:
    client.force_login(alice)
    response = client.get(reverse("projects:export", args=[project.pk, "madr"]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["docs/decisions/0001-odata-for-web-shop-orders.md"]
    text = archive.read(archive.namelist()[0]).decode()
    assert text.startswith('---\nstatus: "accepted"\ndate: ') and 'decision-makers: "bob, alice"' in text
    for section in ("## Context and Problem Statement", "## Considered Options", "## Decision Outcome",
                    "### Consequences"):  # fmt: skip
        assert section in text
    assert 'Chosen option: "OData", because Low volume.' in text and "* Throttling applies." in text


def test_a_superseded_decision_points_at_its_replacement(project: Any, alice: User, bob: User) -> None:
    first = Integration.objects.get(project=project, name="Web shop orders")
    second = make_integration(project, "Orders v2")
    replacement = decision_save(integration=second, actor=alice, chosen_pattern_slug="odata", rationale="y")
    decision_approve(decision=replacement, reviewer=bob, expected_version=1)
    replacement = decision_transition(decision=replacement, actor=bob, status="accepted", expected_version=1)
    decision_transition(decision=first.decision, actor=bob, status="superseded",
                        expected_version=first.decision.version, superseded_by=replacement)  # fmt: skip
    from portal.handoffs import madr

    archive = zipfile.ZipFile(io.BytesIO(madr(project_for_export(project)).body))
    text = archive.read("docs/decisions/0001-odata-for-web-shop-orders.md").decode()
    assert 'status: "superseded by 0002-odata-for-orders-v2"' in text


def test_outsiders_get_404_for_every_handoff(client: Client, project: Any, charlie: User) -> None:
    client.force_login(charlie)
    for fmt in ("azure-boards", "jira", "madr"):
        assert client.get(reverse("projects:export", args=[project.pk, fmt])).status_code == 404


def test_the_pdf_report_has_the_landscape_decisions_progress_and_open_tasks_with_page_numbers(
    client: Client, project: Any, alice: User
) -> None:
    import pypdfium2 as pdfium

    client.force_login(alice)
    response = client.get(reverse("projects:export", args=[project.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    document = pdfium.PdfDocument(response.content)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    text = " ".join(" ".join(page.split()) for page in pages)
    sections = ("Landscape", "Integrations and decisions", "Solution by Design checklist", "Open tasks")
    for expected in (
        "Order to cash",
        "Web shop orders",
        "Accepted",
        "No decision yet",
        "Cautions to plan for",
        *sections,
    ):
        assert expected in text, expected
    assert f"Page 1 of {len(document)}" in " ".join(pages[0].split())
    # Looking at the first page: rendered, it is a page with something drawn on most of its height.
    bitmap = document[0].render(scale=0.5).to_pil().convert("L")
    inked_rows = [
        y for y in range(bitmap.height) if min(bitmap.getpixel((x, y)) for x in range(0, bitmap.width, 4)) < 200
    ]
    assert len(inked_rows) > bitmap.height / 4


def test_the_pdf_landscape_is_painted_for_print(project: Any) -> None:
    from portal.handoffs import _painted
    from portal.pictures.markup import landscape_markup
    from portal.selectors.integrations import project_integrations, project_landscape

    markup = _painted(landscape_markup(project_landscape(project_integrations(project)), "r", "Landscape"))
    assert 'class="node-other"><title>' in markup and 'fill="#fff" stroke="#5f6b76"' in markup
