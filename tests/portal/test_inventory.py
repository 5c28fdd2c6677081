"""Importing an integration inventory (issue 26): CSV and XLSX, all or nothing with every problem by line and
column, a dry run that writes nothing, the same names updated rather than duplicated; the page's preview and
confirmation, the command, and access."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from portal.models import HistoryEntry, Integration, Role
from portal.services.inventory import InventoryError, inventory_import, parse_inventory, read_table
from tests.factories import make_team_project

pytestmark = pytest.mark.django_db

GOOD = (
    "name,source_system,target_system,scope,goal,direction,timing,volume,prefers_low_code,records_per_day\n"
    "Web shop orders,Web shop,F&O,fno_external,data_sync,inbound,synchronous,low,,\n"
    "Invoice events,F&O,Billing,Finance and operations apps with another system,Tell other systems when something "
    "happens,Out of Dynamics 365,,,no,\n"
    'Price list load,PIM,F&O,fno_external,data_sync,inbound,scheduled_batch,high,,"300,000"\n'
)


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    return make_team_project(alice, bob=Role.VIEWER)


def test_a_csv_is_ranked_and_saved_with_labels_or_values(project: Any, alice: User) -> None:
    rows = parse_inventory(read_table("inventory.csv", GOOD.encode()))
    assert [row.line for row in rows] == [2, 3, 4]
    assert rows[1].requirements.goal == "event_notification" and rows[1].requirements.prefers_low_code is False
    assert rows[2].requirements.capacity is not None and rows[2].requirements.capacity.records_per_day == 300_000
    report = inventory_import(project=project, actor=alice, rows=rows, dry_run=False)
    assert (report.created, report.updated) == (3, 0)
    saved = Integration.objects.get(project=project, name="Web shop orders")
    assert saved.top_pattern_slug == "odata" and saved.source_system == "Web shop" and saved.ranking["options"]
    assert project.checklist_entries.filter(slug="map-app-to-throttling-priority").exists()  # OData's task
    assert HistoryEntry.objects.filter(project=project, action="integration imported").count() == 3


def test_one_bad_cell_refuses_the_whole_file_naming_its_line_and_column(project: Any) -> None:
    bad = GOOD + "\n".join(f"Row {n},A,B,fno_external,data_sync,inbound,,,," for n in range(5, 8)) + "\n"
    bad += "Row 8,A,B,fno_external,data_sync,sideways,,,,\n"
    with pytest.raises(InventoryError) as error:
        parse_inventory(read_table("inventory.csv", bad.encode()))
    (problem,) = error.value.problems
    assert problem.startswith("line 8, direction: unknown value 'sideways'")
    assert not Integration.objects.exists()


def test_every_problem_is_listed_and_unknown_columns_refused(project: Any) -> None:
    with pytest.raises(InventoryError) as error:
        parse_inventory(read_table("x.csv", b"name,colour\nA,red\n"))
    assert error.value.problems == ["line 1, colour: unknown column"]
    with pytest.raises(InventoryError) as error:
        parse_inventory(
            read_table("x.csv", b"name,scope,goal,records_per_day\n,fno_external,,lots\nB,sap,data_sync,\n")
        )
    problems = error.value.problems
    assert "line 2, records_per_day: expected a number, not 'lots'" in problems
    assert "line 2, name: required" in problems and any(p.startswith("line 2, goal:") for p in problems)
    assert any(p.startswith("line 3, scope: unknown value 'sap'") for p in problems)


def test_a_dry_run_writes_nothing_and_the_same_names_update(project: Any, alice: User) -> None:
    rows = parse_inventory(read_table("inventory.csv", GOOD.encode()))
    preview = inventory_import(project=project, actor=alice, rows=rows, dry_run=True)
    assert [row["action"] for row in preview.rows] == ["add"] * 3 and not Integration.objects.exists()
    inventory_import(project=project, actor=alice, rows=rows, dry_run=False)
    changed = GOOD.replace("synchronous,low", "synchronous,high")
    again = inventory_import(project=project, actor=alice, dry_run=False,
                             rows=parse_inventory(read_table("inventory.csv", changed.encode())))  # fmt: skip
    assert (again.created, again.updated) == (0, 3) and Integration.objects.filter(project=project).count() == 3
    assert Integration.objects.get(name="Web shop orders").requirements["volume"] == "high"


def test_an_xlsx_reads_like_a_csv(project: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in GOOD.strip().splitlines():
        sheet.append(next(csv.reader([line])))
    buffer = io.BytesIO()
    book.save(buffer)
    rows = parse_inventory(read_table("inventory.xlsx", buffer.getvalue()))
    assert [row.name for row in rows] == ["Web shop orders", "Invoice events", "Price list load"]


def test_the_page_previews_then_imports_on_confirmation(client: Client, project: Any, alice: User) -> None:
    client.force_login(alice)
    url = reverse("projects:inventory", args=[project.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("inventory.csv", GOOD.encode(), "text/csv")})
    body = preview.content.decode()
    assert preview.status_code == 200 and "Preview of inventory.csv: 3 rows" in body and "OData" in body
    assert not Integration.objects.exists()
    done = client.post(url, {"confirm": preview.context["ticket"]}, follow=True)
    assert "Imported inventory.csv: 3 integrations added, 0 updated" in done.content.decode()
    assert Integration.objects.filter(project=project).count() == 3
    refused = client.post(url, {"file": SimpleUploadedFile("bad.csv", b"name,goal\nA,fly\n", "text/csv")})
    assert refused.status_code == 400 and "line 2, goal: unknown value" in refused.content.decode()


def test_viewers_and_outsiders_cannot_import(client: Client, project: Any, bob: User, charlie: User) -> None:
    url = reverse("projects:inventory", args=[project.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_the_command_imports_and_lists_problems(project: Any, tmp_path: Path) -> None:
    good = tmp_path / "inventory.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("importinventory", str(good), "--project", str(project.pk), "--dry-run", stdout=out)
    assert "Dry run: 3 rows checked, nothing written." in out.getvalue() and not Integration.objects.exists()
    call_command("importinventory", str(good), "--project", str(project.pk), stdout=out)
    assert "3 added, 0 updated" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,goal\nA,fly\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2, goal: unknown value 'fly'"):
        call_command("importinventory", str(bad), "--project", str(project.pk))


def test_an_oversized_file_is_refused_before_it_is_read(client: Client, project: Any, alice: User) -> None:
    client.force_login(alice)
    big = SimpleUploadedFile("big.csv", b"name\n" + b"x" * (5 * 1024 * 1024 + 1), "text/csv")
    response = client.post(reverse("projects:inventory", args=[project.pk]), {"file": big})
    assert response.status_code == 400 and "The file is over 5 MB" in response.content.decode()
