"""A project's JSON export carries its history, approvals and milestones, and `manage.py importproject FILE --team
SLUG` restores it: export -> import -> export gives the same document apart from ids and times."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from portal.models import HistoryEntry, Integration, Project
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_approve, decision_save, decision_transition
from portal.services.environments import environment_create, integration_place
from portal.services.integrations import comment_add
from portal.services.milestones import milestone_create
from tests.factories import WEB_SHOP, make_integration, make_team, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Project:
    """A project with a history: decisions proposed, approved, accepted and superseded, a discussion, tracked
    tasks and a milestone."""
    project = make_team_project(alice, bob="reviewer")
    orders = make_integration(project, "Web shop orders")
    stock = make_integration(project, "Stock levels", {**WEB_SHOP, "volume": "high"})
    production = environment_create(project=project, actor=alice, name="FO production", kind="fno", production=True)
    integration_place(integration=stock, actor=alice, environment=production, identity="svc-stock")
    first = decision_save(integration=orders, actor=alice, chosen_pattern_slug="odata", rationale="Fits the volume.")
    decision_approve(decision=first, reviewer=bob, expected_version=first.version)
    first = decision_transition(decision=first, actor=bob, status="accepted", expected_version=first.version)
    comment_add(integration=orders, author=bob, body="Agreed, **OData** it is.")
    milestone_create(project=project, name="Design review", actor=alice)
    second = decision_save(integration=stock, actor=alice, chosen_pattern_slug="odata", rationale="Same as orders.",
                           justification="One pattern for both, run by one team.")  # fmt: skip
    decision_approve(decision=second, reviewer=bob, expected_version=second.version)
    second = decision_transition(decision=second, actor=bob, status="accepted", expected_version=second.version)
    decision_transition(decision=first, actor=bob, status="superseded", expected_version=first.version,
                        superseded_by=second)  # fmt: skip
    entry = project.checklist_entries.all()[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="in_progress",
                           assignee=bob, due_date=date(2027, 1, 15), notes="Waits for the firewall.")  # fmt: skip
    milestone_create(project=project, name="Go-live", actor=alice)
    return project


def export(client: Client, project: Project) -> dict[str, Any]:
    response = client.get(reverse("projects:export", args=[project.pk, "json"]))
    assert response.status_code == 200
    return dict(json.loads(response.content))


def without_ids_and_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_ids_and_times(item) for key, item in value.items()
                if key not in {"id", "team"} and not key.endswith("_at")}  # fmt: skip
    if isinstance(value, list):
        return [without_ids_and_times(item) for item in value]
    return value


def import_file(path: Path, team: str) -> str:
    out = io.StringIO()
    call_command("importproject", str(path), "--team", team, stdout=out)
    return out.getvalue()


def test_the_export_carries_history_approvals_and_milestones(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    data = export(client, project)
    orders = next(i for i in data["integrations"] if i["name"] == "Web shop orders")
    assert [(a["reviewer"], a["decision_version"]) for a in orders["approvals"]] == [("bob", 1)]
    assert [m["name"] for m in data["milestones"]] == ["Go-live", "Design review"]
    assert data["milestones"][1]["state"]["integrations"][0]["name"] == "Web shop orders"
    history = HistoryEntry.objects.filter(project=project).order_by("created_at", "id")
    assert [h["action"] for h in data["history"]] == [h.action for h in history] and len(history) >= 8
    assert orders["decision"]["superseded_by"] == "Stock levels"


def test_export_import_export_is_identical_apart_from_ids_and_times(
    client: Client, alice: User, project: Project, tmp_path: Path
) -> None:
    client.force_login(alice)
    before = export(client, project)
    path = tmp_path / "project.json"
    path.write_text(json.dumps(before))
    make_team(alice, "Archive")

    output = import_file(path, "archive")

    restored = Project.objects.exclude(pk=project.pk).get(name=project.name)
    assert restored.team.name == "Archive" and f"#{restored.pk}" in output
    after = export(client, restored)
    assert after["team"] == "Archive" and after["id"] != before["id"]
    assert without_ids_and_times(after) == without_ids_and_times(before)
    assert after["environments"][0]["name"] == "FO production" and after["integrations"][1]["identity"] == "svc-stock"


def test_an_export_naming_an_unknown_account_imports_nothing(alice: User, project: Project, tmp_path: Path) -> None:
    client = Client()
    client.force_login(alice)
    data = export(client, project)
    data["integrations"][0]["comments"][0]["author"] = "someone-else"
    path = tmp_path / "project.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="No account here for: someone-else"):
        import_file(path, str(project.team.pk))
    assert Project.objects.count() == 1


def test_a_file_that_is_not_an_export_or_holds_a_nul_is_refused(alice: User, tmp_path: Path) -> None:
    make_team(alice, "Archive")
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"schema": "something/else"}))
    with pytest.raises(CommandError, match="Not a project export"):
        import_file(path, "archive")
    path.write_text(json.dumps({"schema": "d365-integration-portal/project/v1", "name": "a\u0000b"}))
    with pytest.raises(CommandError, match="NUL"):
        import_file(path, "archive")
    assert not Project.objects.exists()


def test_an_unknown_or_ambiguous_team_is_refused(alice: User, tmp_path: Path) -> None:
    path = tmp_path / "project.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="No team 'nowhere'"):
        import_file(path, "nowhere")
    make_team(alice, "Archive")
    make_team(alice, "archive")
    with pytest.raises(CommandError, match="2 teams are called 'archive'"):
        import_file(path, "archive")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data["integrations"][1].pop("catalog_version"), "the field 'catalog_version' is missing"),
        (lambda data: data["integrations"][0].update(comments=None), "a value can't be read"),
        (lambda data: data["milestones"][0].update(name="m" * 300), "a value can't be read"),  # too long: the last row
    ],
    ids=["a field missing", "a list that is null", "a name too long for its column"],
)
def test_a_damaged_export_is_refused_whole_saying_what_is_wrong(
    alice: User, project: Project, tmp_path: Path, damage: Any, message: str
) -> None:
    # All or nothing: the damage sits after rows that would already have been written (the project, its first
    # integration, the whole checklist), and none of them is kept.
    client = Client()
    client.force_login(alice)
    data = export(client, project)
    damage(data)
    path = tmp_path / "project.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=f"Not a whole export: {message}"):
        import_file(path, str(project.team.pk))
    assert Project.objects.count() == 1 and Integration.objects.count() == project.integrations.count()


def test_environment_names_differing_only_in_case_are_refused(alice: User, project: Project, tmp_path: Path) -> None:
    # The pages refuse "prod" beside "Prod" (the inventory finds an environment by name whatever its case): so does
    # an import, which doesn't pass through their form.
    client = Client()
    client.force_login(alice)
    data = export(client, project)
    data["environments"].append({**data["environments"][0], "name": data["environments"][0]["name"].lower()})
    path = tmp_path / "project.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="Environments may not share a name, whatever its case: FO production, fo"):
        import_file(path, str(project.team.pk))
    assert Project.objects.count() == 1


def test_environment_names_the_same_once_cut_to_length_are_refused(
    alice: User, project: Project, tmp_path: Path
) -> None:
    # An environment's name is kept to 100 characters: two that differ only after them would be one name twice.
    client = Client()
    client.force_login(alice)
    data = export(client, project)
    data["environments"] += [{**data["environments"][0], "name": "E" * 100 + tail} for tail in ("1", "2")]
    path = tmp_path / "project.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"Environments may not share a name, whatever its case: E{100}"):
        import_file(path, str(project.team.pk))
    assert Project.objects.count() == 1
