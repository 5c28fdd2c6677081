"""Team chat channels (issue 25): owners add a Teams or Slack webhook; decisions and catalog changes arrive as an
Adaptive Card or Block Kit at a local receiver; bad addresses (not https in production, private, unresolvable) are
refused at save and at send; a failing receiver is retried and shown to owners; the address never shows again."""

from __future__ import annotations

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

from portal.models import ChannelEvent, HistoryEntry, Role, TeamChannel
from portal.outbound import OutboundRefused, checked_address
from portal.secrets_box import seal, unseal
from portal.services.channels import channel_add, post_overdue_digests
from portal.services.decisions import decision_approve, decision_save, decision_transition
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps every post; answers ``status``."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append({"path": self.path, "type": self.headers["Content-Type"],
                                       "json": json.loads(body)})  # fmt: skip
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?token=s3cr3t"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the receiver is local; the rule itself is tested below
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    return make_team_project(alice, bob=Role.REVIEWER)


def _accept(project: Any, alice: User, bob: User) -> Any:
    integration = make_integration(project)
    decision = decision_save(integration=integration, actor=alice, chosen_pattern_slug="odata", rationale="Fits.")
    decision_approve(decision=decision, reviewer=bob, expected_version=1)
    return decision_transition(decision=decision, actor=bob, status="accepted", expected_version=1)


def test_adaptive_card_reaches_a_teams_channel_when_a_decision_is_proposed_and_accepted(
    project: Any, alice: User, bob: User, receiver: Receiver
) -> None:
    channel_add(team=project.team, actor=alice, kind="teams", address=receiver.url,
                events=[ChannelEvent.DECISION_PROPOSED, ChannelEvent.DECISION_ACCEPTED])  # fmt: skip
    _accept(project, alice, bob)
    assert [post["type"] for post in receiver.posts] == ["application/json"] * 2
    proposed, accepted = (post["json"] for post in receiver.posts)
    attachment = proposed["attachments"][0]
    assert proposed["type"] == "message" and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "Decision proposed: OData for Web shop orders"
    assert {"title": "Pattern", "value": "OData"} in card["body"][1]["facts"]
    (action,) = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].endswith("#decision") and "/projects/" in action["url"]
    assert accepted["attachments"][0]["content"]["body"][0]["text"].startswith("Decision accepted: OData")
    assert TeamChannel.objects.get().last_sent_at is not None


def test_slack_gets_block_kit_and_only_the_events_it_chose(project: Any, alice: User, bob: User,
                                                           receiver: Receiver) -> None:  # fmt: skip
    channel_add(team=project.team, actor=alice, kind="slack", address=receiver.url,
                events=[ChannelEvent.DECISION_ACCEPTED])  # fmt: skip
    _accept(project, alice, bob)
    (post,) = receiver.posts
    blocks = post["json"]["blocks"]
    assert post["json"]["text"].startswith("Decision accepted") and blocks[0]["type"] == "header"
    assert any(field["text"] == "*Pattern*\nOData" for field in blocks[1]["fields"])
    assert blocks[-1]["elements"][0]["url"].endswith("#decision")


def test_the_morning_digest_lists_a_teams_overdue_tasks(project: Any, alice: User, receiver: Receiver) -> None:
    from datetime import date

    from portal.services.checklist import checklist_entry_update

    entry = project.checklist_entries.order_by("pk")[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="open",
                           due_date=date(2026, 1, 5))  # fmt: skip
    channel_add(team=project.team, actor=alice, kind="slack", address=receiver.url,
                events=[ChannelEvent.OVERDUE_DIGEST])  # fmt: skip
    assert post_overdue_digests(today=date(2026, 2, 1)) == 1
    assert receiver.posts[0]["json"]["text"] == "1 overdue checklist task"


def test_a_private_or_unresolvable_or_plain_http_address_is_refused(settings: Any) -> None:
    for address, says in (("https://127.0.0.1/hook", "private, loopback or link-local"),
                          ("https://10.1.2.3/hook", "private, loopback or link-local"),
                          ("https://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
                          ("https://[::1]/hook", "private, loopback or link-local"),
                          ("https://no-such-host.invalid/hook", "can't be found"),
                          ("https://user:pass@example.com/hook", "user name or password"),
                          ("ftp://example.com/hook", "must start with https://"),
                          ("http://example.com/hook", "must use https")):  # fmt: skip
        with pytest.raises(OutboundRefused, match=says):
            checked_address(address)


def test_a_refused_address_is_said_on_the_team_page_and_nothing_is_added(client: Client, project: Any,
                                                                          alice: User) -> None:  # fmt: skip
    client.force_login(alice)
    response = client.post(reverse("teams:channel_add", args=[project.team_id]),
                           {"kind": "teams", "address": "https://10.0.0.8/hook", "events": ["decision_accepted"]},
                           follow=True)  # fmt: skip
    assert "Channel not added: 10.0.0.8 is a private, loopback or link-local address" in response.content.decode()
    assert not TeamChannel.objects.exists()


def test_a_private_address_saved_earlier_is_refused_at_send(project: Any, alice: User, bob: User) -> None:
    channel = TeamChannel.objects.create(team=project.team, kind="teams", host="10.0.0.8",
                                         address_encrypted=seal("https://10.0.0.8/hook"),
                                         events=[ChannelEvent.DECISION_ACCEPTED])  # fmt: skip
    _accept(project, alice, bob)
    channel.refresh_from_db()
    assert "private, loopback or link-local" in channel.last_error and channel.last_sent_at is None


def test_the_address_is_checked_again_at_send(project: Any, alice: User, bob: User, receiver: Receiver,
                                              settings: Any) -> None:  # fmt: skip
    channel_add(team=project.team, actor=alice, kind="teams", address=receiver.url,
                events=[ChannelEvent.DECISION_ACCEPTED])  # fmt: skip
    settings.OUTBOUND_ALLOW_PRIVATE = False  # e.g. the name now resolves inside the network
    _accept(project, alice, bob)
    assert receiver.posts == []
    assert TeamChannel.objects.get().last_error == "The address must use https."  # refused before any connection


def test_a_failing_receiver_is_retried_later_and_shown_to_owners(
    client: Client, project: Any, alice: User, bob: User, receiver: Receiver, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    channel = channel_add(team=project.team, actor=alice, kind="teams", address=receiver.url,
                          events=[ChannelEvent.DECISION_ACCEPTED])  # fmt: skip
    receiver.status = 503
    from portal.services.channels import message, post_to_channel

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    post_to_channel.call(channel.pk, message("A title", [("Team", "x")], "/"))
    retry = DBTaskResult.objects.get(task_path="portal.services.channels.post_to_channel")
    assert retry.args_kwargs["kwargs"] == {"attempt": 2} and retry.run_after is not None
    client.force_login(alice)
    page = client.get(reverse("teams:connections", args=[project.team_id])).content.decode()
    assert "Failing" in page and "answered 503" in page
    receiver.status = 400  # a post the receiver refuses: waiting won't change it, so no retry
    post_to_channel.call(channel.pk, message("A title", [("Team", "x")], "/"))
    assert DBTaskResult.objects.filter(task_path="portal.services.channels.post_to_channel").count() == 1


def test_owners_only_and_the_address_never_shows_again(client: Client, project: Any, alice: User, bob: User,
                                                       charlie: User, receiver: Receiver) -> None:  # fmt: skip
    channel = channel_add(team=project.team, actor=alice, kind="teams", address=receiver.url,
                          events=[ChannelEvent.DECISION_ACCEPTED])  # fmt: skip
    assert "s3cr3t" not in channel.address_encrypted and unseal(channel.address_encrypted) == receiver.url
    client.force_login(alice)
    page = client.get(reverse("teams:connections", args=[project.team_id])).content.decode()
    assert "Chat channels" in page and "127.0.0.1" in page and "s3cr3t" not in page
    assert not any("s3cr3t" in str(e.before) + str(e.after) + e.subject for e in HistoryEntry.objects.all())
    client.force_login(bob)  # a reviewer
    assert client.get(reverse("teams:connections", args=[project.team_id])).status_code == 403
    assert (
        "Chat channels and work trackers"
        not in client.get(reverse("teams:detail", args=[project.team_id])).content.decode()
    )
    add = reverse("teams:channel_add", args=[project.team_id])
    assert (
        client.post(add, {"kind": "teams", "address": receiver.url, "events": ["decision_accepted"]}).status_code == 403
    )
    assert client.post(reverse("teams:channel_remove", args=[project.team_id, channel.pk])).status_code == 403
    client.force_login(charlie)  # an outsider
    assert client.post(reverse("teams:channel_test", args=[project.team_id, channel.pk])).status_code == 404


def test_a_channel_needs_an_event_and_a_known_kind(project: Any, alice: User, receiver: Receiver) -> None:
    with pytest.raises(ValidationError, match="at least one event"):
        channel_add(team=project.team, actor=alice, kind="teams", address=receiver.url, events=[])
    with pytest.raises(ValidationError, match="Teams or Slack"):
        channel_add(team=project.team, actor=alice, kind="irc", address=receiver.url, events=["decision_accepted"])


def test_a_sealed_address_survives_a_key_rotation(settings: Any) -> None:
    old = settings.SECRET_KEY
    sealed = seal("https://hooks.example.com/x")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 40, [old]
    assert unseal(sealed) == "https://hooks.example.com/x"
    settings.SECRET_KEY_FALLBACKS = []
    assert unseal(sealed) is None
