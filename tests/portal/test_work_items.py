"""Work trackers (issue 25): a local fake Azure DevOps and Jira check the requests' shapes against the documented
APIs (Azure Boards' work items REST API with JSON Patch; Jira Cloud's REST API v3), sending again updates rather than
duplicates, a tracker's hook moves a task's status, and a wrong token or address is said in a sentence."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portal.models import HistoryEntry, ProjectChecklistEntry, Role, TeamTracker, TrackerKind
from portal.observability import logged_path
from portal.services.trackers import tracker_save, work_item_changed, work_items_send
from tests.factories import make_team_project

pytestmark = pytest.mark.django_db


class FakeTracker:
    """Answers like Azure DevOps and Jira Cloud, keeping every request (method, path, headers, JSON body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 0  # 0: answer as the real service would
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "json": body})  # fmt: skip
                status, answer = (fake.status, {}) if fake.status else fake.answer(self.command, self.path)
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PATCH = do_PUT = _answer

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.site = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        number = len(self.requests)
        if "/_apis/wit/workitems/" in path:
            item = 100 + number if method == "POST" else int(path.split("/workitems/")[1].split("?")[0])
            return 200, {"id": item, "_links": {"html": {"href": f"{self.site}/org/Proj/_workitems/edit/{item}"}}}
        if path == "/rest/api/3/issue" and method == "POST":
            return 201, {"id": str(10000 + number), "key": f"INT-{number}", "self": f"{self.site}/rest/api/3/issue/x"}
        if path.startswith("/rest/api/3/issue/") and method == "PUT":
            return 204, None
        return 404, {}


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeTracker]:
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake is local
    server = FakeTracker()
    yield server
    server.server.shutdown()


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    project = make_team_project(alice, bob=Role.CONTRIBUTOR)
    ProjectChecklistEntry.objects.filter(project=project).exclude(
        pk__in=list(project.checklist_entries.order_by("pk").values_list("pk", flat=True)[:2])
    ).update(status="done")  # two open tasks
    return project


def test_work_items_go_to_azure_boards_as_json_patch_and_sending_again_updates(
    project: Any, alice: User, bob: User, fake: FakeTracker
) -> None:
    tracker = tracker_save(team=project.team, actor=alice, kind="azure-boards", site=f"{fake.site}/org",
                           project_key="Proj One", user="", token="pat-123")  # fmt: skip
    assert work_items_send(project=project, tracker=tracker, actor=bob) == (2, 0)
    first = fake.requests[0]
    assert first["method"] == "POST" and first["path"] == "/org/Proj%20One/_apis/wit/workitems/$Task?api-version=7.1"
    assert first["headers"]["Content-Type"] == "application/json-patch+json"
    assert first["headers"]["Authorization"] == "Basic " + base64.b64encode(b":pat-123").decode()
    ops = {op["path"]: op for op in first["json"]}
    assert {op["op"] for op in first["json"]} == {"add"} and "/fields/System.Title" in ops
    assert ops["/fields/System.Tags"]["value"].startswith("d365-integration-portal; ")
    assert "/checklist/" in ops["/fields/System.Description"]["value"]
    linked = ProjectChecklistEntry.objects.filter(project=project, work_item_kind="azure-boards")
    assert sorted(linked.values_list("work_item_id", flat=True)) == ["101", "102"]
    assert work_items_send(project=project, tracker=tracker, actor=bob) == (0, 2)  # updates, no duplicates
    assert [r["method"] for r in fake.requests[2:]] == ["PATCH", "PATCH"]
    assert fake.requests[2]["path"].startswith("/org/Proj%20One/_apis/wit/workitems/101?api-version=7.1")
    assert HistoryEntry.objects.filter(project=project, action="tasks sent").count() == 2


def test_work_items_go_to_jira_as_issues_and_sending_again_puts(project: Any, alice: User, fake: FakeTracker) -> None:
    tracker = tracker_save(team=project.team, actor=alice, kind="jira", site=fake.site, project_key="INT",
                           user="alice@example.com", token="jira-token")  # fmt: skip
    assert work_items_send(project=project, tracker=tracker, actor=alice) == (2, 0)
    created = fake.requests[0]
    assert (created["method"], created["path"]) == ("POST", "/rest/api/3/issue")
    fields = created["json"]["fields"]
    assert fields["project"] == {"key": "INT"} and fields["issuetype"] == {"name": "Task"}
    assert fields["description"]["type"] == "doc" and fields["description"]["version"] == 1
    assert "d365-integration-portal" in fields["labels"]
    assert created["headers"]["Authorization"] == "Basic " + base64.b64encode(b"alice@example.com:jira-token").decode()
    assert work_items_send(project=project, tracker=tracker, actor=alice) == (0, 2)
    assert [(r["method"], r["path"]) for r in fake.requests[2:]] == [("PUT", "/rest/api/3/issue/INT-1"),
                                                                     ("PUT", "/rest/api/3/issue/INT-2")]  # fmt: skip
    assert "project" not in fake.requests[2]["json"]["fields"]


def test_a_work_item_hook_moves_the_task_status(client: Client, project: Any, alice: User, fake: FakeTracker) -> None:
    tracker = tracker_save(team=project.team, actor=alice, kind="azure-boards", site=f"{fake.site}/org",
                           project_key="Proj", user="", token="pat")  # fmt: skip
    work_items_send(project=project, tracker=tracker, actor=alice)
    entry = ProjectChecklistEntry.objects.get(project=project, work_item_id="101")
    hook = reverse("work_item_hook", args=[tracker.pk, tracker.hook_secret])
    event = {"eventType": "workitem.updated", "resource": {"workItemId": 101, "fields": {
        "System.State": {"oldValue": "New", "newValue": "Closed"}}}}  # fmt: skip
    answer = client.post(hook, event, content_type="application/json")
    assert answer.json() == {"changed": 1}
    entry.refresh_from_db()
    assert entry.status == "done" and entry.version == 2
    assert HistoryEntry.objects.filter(project=project, action="task status from tracker").exists()
    wrong = reverse("work_item_hook", args=[tracker.pk, "not-the-secret"])
    assert client.post(wrong, event, content_type="application/json").status_code == 404
    assert logged_path(hook) == f"/hooks/work-items/{tracker.pk}/[secret]/"


def test_a_jira_webhook_moves_the_task_by_status_category(project: Any, alice: User, fake: FakeTracker) -> None:
    tracker = tracker_save(team=project.team, actor=alice, kind="jira", site=fake.site, project_key="INT",
                           user="alice@example.com", token="t")  # fmt: skip
    work_items_send(project=project, tracker=tracker, actor=alice)
    payload = {"webhookEvent": "jira:issue_updated", "issue": {"key": "INT-1", "fields": {"status": {
        "name": "In Progress", "statusCategory": {"key": "indeterminate"}}}}}  # fmt: skip
    assert work_item_changed(tracker=tracker, payload=payload) == 1
    assert ProjectChecklistEntry.objects.get(project=project, work_item_id="INT-1").status == "in_progress"
    assert work_item_changed(tracker=tracker, payload={"webhookEvent": "something else"}) == 0


def test_a_wrong_token_is_said_in_a_sentence_and_loses_nothing(client: Client, project: Any, alice: User,
                                                               fake: FakeTracker) -> None:  # fmt: skip
    tracker = tracker_save(team=project.team, actor=alice, kind="azure-boards", site=f"{fake.site}/org",
                           project_key="Proj", user="", token="wrong")  # fmt: skip
    fake.status = 401
    with pytest.raises(ValidationError, match=r"refused the credentials \(401\): check the token"):
        work_items_send(project=project, tracker=tracker, actor=alice)
    assert not ProjectChecklistEntry.objects.filter(project=project).exclude(work_item_id="").exists()
    client.force_login(alice)
    page = client.post(reverse("projects:send", args=[project.pk, "azure-boards"]), follow=True).content.decode()
    assert "refused the credentials (401)" in page and "Tasks sent before it keep their links" in page


def test_without_a_tracker_the_send_page_says_how_to_connect_one(client: Client, project: Any, alice: User,
                                                                   bob: User) -> None:  # fmt: skip
    client.force_login(alice)
    page = client.get(reverse("projects:send_index", args=[project.pk])).content.decode()
    assert "hasn't connected Azure Boards or Jira yet" in page and "#trackers" in page
    client.force_login(bob)
    assert (
        "An owner of the team connects one"
        in client.get(reverse("projects:send_index", args=[project.pk])).content.decode()
    )


def test_a_tracker_address_inside_the_network_or_without_a_token_is_refused(project: Any, alice: User) -> None:
    with pytest.raises(ValidationError) as error:
        tracker_save(team=project.team, actor=alice, kind="jira", site="https://10.0.0.5", project_key="",
                     user="", token=" ")  # fmt: skip
    problems = error.value.message_dict
    assert "private, loopback or link-local" in problems["site"][0]
    assert {"project_key", "user", "token"} <= set(problems)
    assert not TeamTracker.objects.exists()


def test_work_item_settings_are_for_owners_and_the_token_never_shows(
    client: Client, project: Any, alice: User, bob: User, charlie: User, fake: FakeTracker
) -> None:
    client.force_login(alice)
    data = {"kind": "azure-boards", "site": f"{fake.site}/org", "project_key": "Proj", "user": "",
            "token": "pat-secret-value"}  # fmt: skip
    client.post(reverse("teams:tracker_save", args=[project.team_id]), data)
    tracker = TeamTracker.objects.get()
    assert tracker.kind == TrackerKind.AZURE_BOARDS and "pat-secret-value" not in tracker.token_encrypted
    assert (
        "Chat channels and work trackers"
        in client.get(reverse("teams:detail", args=[project.team_id])).content.decode()
    )
    page = client.get(reverse("teams:connections", args=[project.team_id])).content.decode()
    assert "Work trackers" in page and "pat-secret-value" not in page and tracker.hook_secret in page
    project_page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:send_index", args=[project.pk]) in project_page
    index = client.get(reverse("projects:send_index", args=[project.pk]))
    assert index["Location"] == reverse("projects:send", args=[project.pk, "azure-boards"])  # the one tracker
    client.force_login(bob)  # a contributor: sends, but doesn't see the settings or the hook secret
    assert client.get(reverse("teams:connections", args=[project.team_id])).status_code == 403
    assert client.post(reverse("teams:tracker_save", args=[project.team_id]), data).status_code == 403
    assert client.get(reverse("projects:send", args=[project.pk, "azure-boards"])).status_code == 200
    client.force_login(charlie)
    assert client.get(reverse("projects:send", args=[project.pk, "azure-boards"])).status_code == 404
    exported = client.get(reverse("projects:export", args=[project.pk, "json"]))
    assert exported.status_code == 404
    assert not any("pat-secret-value" in e.subject for e in HistoryEntry.objects.all())
