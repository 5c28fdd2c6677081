"""Team chat channels (issue 25): owners add a Microsoft Teams or Slack webhook and choose the events it hears; each
event is posted by the task worker, as an Adaptive Card (Teams) or Block Kit (Slack), retried with backoff, and a
channel whose posts fail says so on the team page. The address is checked (``portal.outbound``) when it is saved and
at every send, kept encrypted (``portal.secrets_box``) and never shown or logged again: only its host."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url
from portal.mail import retry_later
from portal.models import (
    ChannelEvent,
    ChannelKind,
    OverdueDigestDay,
    ProjectChecklistEntry,
    TaskStatus,
    Team,
    TeamChannel,
)
from portal.outbound import OutboundFailed, OutboundRefused, checked_address, post_json
from portal.secrets_box import seal, unseal
from portal.services.history import team_history_record

logger = logging.getLogger(__name__)
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
DIGEST_TIME = time(6, 0)  # server time (UTC): a team has no zone of its own


@transaction.atomic
def channel_add(*, team: Team, actor: User, kind: str, address: str, events: Iterable[str]) -> TeamChannel:
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": "Choose Microsoft Teams or Slack."})
    try:
        checked_address(address)
    except OutboundRefused as refused:
        raise ValidationError({"address": str(refused)}) from None
    chosen = [event for event in ChannelEvent.values if event in set(events)]
    if not chosen:
        raise ValidationError({"events": "Choose at least one event to post."})
    host = urlsplit(address.strip()).hostname or ""
    channel = TeamChannel.objects.create(team=team, kind=kind, address_encrypted=seal(address.strip()), host=host,
                                         events=chosen, created_by=actor)  # fmt: skip
    team_history_record(team, actor, "channel added", f"{channel.get_kind_display()} at {host}", None,
                        {"events": chosen})  # fmt: skip
    return channel


@transaction.atomic
def channel_remove(*, channel: TeamChannel, actor: User) -> None:
    team, label = channel.team, f"{channel.get_kind_display()} at {channel.host}"
    channel.delete()
    team_history_record(team, actor, "channel removed", label, None, None)


def message(title: str, facts: Iterable[tuple[str, str]], path: str) -> dict[str, Any]:
    """What a post says, whatever the channel: a title, facts (name, value) and the portal page to open."""
    return {"title": title[:200], "facts": [[name[:60], value[:300]] for name, value in facts][:10],
            "url": public_url(path)}  # fmt: skip


def teams_card(post: dict[str, Any]) -> dict[str, Any]:
    """The message an incoming webhook or a Workflows "post to a channel" flow takes: one Adaptive Card (1.4)."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": post["title"], "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in post["facts"]]},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open in the portal", "url": post["url"]}],
    }
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}]}


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_blocks(post: dict[str, Any]) -> dict[str, Any]:
    """Block Kit for an incoming webhook: a header, the facts as fields, a button to the portal."""
    fields = [{"type": "mrkdwn", "text": f"*{_mrkdwn(name)}*\n{_mrkdwn(value)}"} for name, value in post["facts"]]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": post["title"][:150]}}]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    button = {"type": "button", "text": {"type": "plain_text", "text": "Open in the portal"}, "url": post["url"]}
    blocks.append({"type": "actions", "elements": [button]})
    return {"text": post["title"], "blocks": blocks}


def post_event(*, team_id: int, event: str, post: dict[str, Any]) -> int:
    """Queue ``post`` for each channel of the team that hears ``event`` (in the caller's transaction)."""
    queued = 0
    for channel_id, events in TeamChannel.objects.filter(team_id=team_id).values_list("pk", "events"):
        if event in events:
            post_to_channel.enqueue(channel_id, post)
            queued += 1
    return queued


@task()
def post_to_channel(channel_id: int, post: dict[str, Any], attempt: int = 1) -> str:
    """Post once; a receiver that can't be reached, is busy or fails (5xx) is tried again after 1, 5 and 30 minutes,
    then 2 and 6 hours. Every failure is kept on the channel (the team page shows it to owners); an address the checks
    refuse, or a post the receiver refuses (4xx), is not retried: waiting won't change it."""
    channel = TeamChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        return "removed"
    address = unseal(channel.address_encrypted)
    try:
        if address is None:
            raise OutboundRefused("The address can't be read any more (the secret key changed): enter it again.")
        post_json(address, teams_card(post) if channel.kind == ChannelKind.TEAMS else slack_blocks(post))
    except (OutboundRefused, OutboundFailed) as error:
        TeamChannel.objects.filter(pk=channel.pk).update(last_error=str(error)[:300], last_error_at=timezone.now())
        logger.warning("Post to channel %s (%s) failed, attempt %s: %s", channel.pk, channel.host, attempt, error)
        if isinstance(error, OutboundFailed) and error.worth_retrying:
            retry_later(post_to_channel, attempt, channel_id, post)
        return "failed"
    TeamChannel.objects.filter(pk=channel.pk).update(last_sent_at=timezone.now())
    return "sent"


def channel_test(*, channel: TeamChannel) -> None:
    team = channel.team
    test = message(f"A test from the integration decision portal for {team.name}", [("Team", team.name)],
                   reverse("teams:connections", args=[team.pk]))  # fmt: skip
    post_to_channel.enqueue(channel.pk, test)


# --- The events -----------------------------------------------------------------------------------------------------

STATUS_EVENTS = {"accepted": ChannelEvent.DECISION_ACCEPTED, "rejected": ChannelEvent.DECISION_REJECTED,
                 "superseded": ChannelEvent.DECISION_SUPERSEDED}  # fmt: skip


def post_decision(*, decision: Any, actor: User, proposed: bool = False) -> None:
    integration = decision.integration
    project = integration.project
    event = ChannelEvent.DECISION_PROPOSED if proposed else STATUS_EVENTS.get(decision.status)
    if event is None:
        return
    verb = "proposed" if proposed and decision.version == 1 else "changed" if proposed else decision.status
    facts = [("Project", project.name), ("Integration", integration.name), ("Pattern", decision.chosen_pattern_name),
             ("By", actor.get_username()), ("Version", str(decision.version))]  # fmt: skip
    if decision.status == "rejected" and decision.status_reason:
        facts.append(("Why", decision.status_reason))
    post_event(team_id=project.team_id, event=event, post=message(
        f"Decision {verb}: {decision.chosen_pattern_name} for {integration.name}", facts,
        reverse("projects:integration", args=[project.pk, integration.pk]) + "#decision"))  # fmt: skip


def post_catalog_change(*, team_id: int, change: Any) -> None:
    post_event(team_id=team_id, event=ChannelEvent.CATALOG_CHANGED, post=message(
        f"Catalog {change.version} answers {change.integration} differently",
        [("Project", change.project), ("Saved", change.saved_name or "no option"), ("Now", change.new_label),
         ("Fit now", change.new_level)], f"{change.url}rerank/"))  # fmt: skip


def post_overdue_digests(*, today: date) -> int:
    """Each team with a channel for it: one post listing its overdue tasks (the first five, and how many)."""
    posted = 0
    teams = {team_id for team_id, events in TeamChannel.objects.values_list("team_id", "events")
             if ChannelEvent.OVERDUE_DIGEST in events}  # fmt: skip
    for team_id in sorted(teams):
        overdue = list(ProjectChecklistEntry.objects.filter(
            project__team_id=team_id, due_date__lt=today, status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
            .select_related("project").order_by("due_date", "pk")[:100])  # fmt: skip
        if not overdue:
            continue
        facts = [(f"{entry.project.name}", f"{entry.title} (due {entry.due_date:%d %b})") for entry in overdue[:5]]
        more = f" ({len(overdue) - 5} more)" if len(overdue) > 5 else ""
        posted += post_event(team_id=team_id, event=ChannelEvent.OVERDUE_DIGEST, post=message(
            f"{len(overdue)} overdue checklist task{'s' if len(overdue) != 1 else ''}{more}", facts,
            reverse("teams:detail", args=[team_id])))  # fmt: skip
    return posted


def overdue_digests_post_daily(*, now: datetime) -> int:
    """The day's digests, posted by the first run at or after 06:00 server time that finds them not posted yet (a
    worker late past 07:00 still posts them; no later run, nor one beside it, posts them again). The day is marked in
    the transaction that queues the posts: both, or neither and the next run tries again."""
    local = timezone.localtime(now)
    if local.time() < DIGEST_TIME:
        return 0
    with transaction.atomic():
        _, first = OverdueDigestDay.objects.get_or_create(day=local.date())
        return post_overdue_digests(today=local.date()) if first else 0
