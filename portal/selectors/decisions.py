"""Decisions: approvals, the status history of a decision, the searchable decision log, and what awaits review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.models import (
    Approval,
    Capability,
    Decision,
    DecisionStatus,
    Integration,
    Membership,
    Team,
    roles_that_can,
)
from portal.selectors.prepared import PreparedRead, columns, instance


def approvals_for_current_version(decision: Decision) -> int:
    """Approvals of the current version by people who are still reviewers or owners of the project's team."""
    reviewers = Membership.objects.filter(
        team__projects__integrations__decision=decision, role__in=roles_that_can(Capability.REVIEW)
    ).values("user_id")
    return decision.approvals.filter(decision_version=decision.version, reviewer_id__in=reviewers).count()


DECISION_RELATED = ("proposed_by", "decided_by", "status_changed_by", "superseded_by", "superseded_by__integration")


@PreparedRead
def _decision_row(integration_id: int) -> QuerySet[Decision, tuple[Any, ...]]:
    """The decision's columns, then those of DECISION_RELATED (nulls for an empty one). At most one row (one
    decision per integration): no ORDER BY."""
    return (
        Decision.objects.filter(integration_id=integration_id)
        .order_by()
        .values_list(*columns(Decision, DECISION_RELATED))[:1]
    )


def decision_of(integration: Integration) -> Decision | None:
    """The integration's decision with the people and the decision it links to, as the decision pages show them (a
    prepared read: every integration page makes it)."""
    row = next(iter(_decision_row(integration.pk)), None)
    return None if row is None else instance(row, Decision, DECISION_RELATED)


@dataclass(frozen=True)
class DecisionEvent:
    what: str  # proposed, changed, approved, accepted, rejected, superseded, deprecated
    who: str
    when: datetime
    note: str = ""


def _event_note(what: str, after: Any) -> str:
    after = after if isinstance(after, dict) else {}
    if what == "rejected" and after.get("status_reason"):
        return f"Reason: {after['status_reason']}"
    if what == "superseded" and after.get("superseded_by"):
        return f"By the decision on {after['superseded_by']}"
    if what in {"proposed", "changed"} and after.get("chosen_pattern_name"):
        return f"{after['chosen_pattern_name']}, version {after.get('version', 1)}"
    return ""


def decision_events(entries: Any) -> list[DecisionEvent]:
    """History entries about a decision (oldest first) as its status history."""
    return [
        DecisionEvent(
            what=(what := entry.action.removeprefix("decision ")),
            who=entry.actor.get_username() if entry.actor else "someone",
            when=entry.created_at,
            note=entry.subject.split(": ", 1)[-1] if what == "approved" else _event_note(what, entry.after),
        )
        for entry in entries
        if entry.action.startswith("decision ")
    ]


def decision_history(integration: Integration, decision: Decision) -> list[DecisionEvent]:
    """Every change to the integration's decision, oldest first. Decisions recorded before the history named its
    integration are told from the decision's own who-and-when fields."""
    entries = integration.history_entries.filter(action__startswith="decision ").select_related("actor")
    events = decision_events(entries.order_by("created_at", "id"))
    if events:
        return events
    told = [DecisionEvent("proposed", decision.proposed_by.get_username(), decision.created_at)]
    if decision.decided_by and decision.decided_at:
        told.append(DecisionEvent("rejected" if decision.status == DecisionStatus.REJECTED else "accepted",
                                  decision.decided_by.get_username(), decision.decided_at))  # fmt: skip
    if decision.status_changed_by and decision.status_changed_at and decision.is_history:
        told.append(
            DecisionEvent(decision.status, decision.status_changed_by.get_username(), decision.status_changed_at)
        )
    return told


@dataclass(frozen=True)
class DecisionFilters:
    q: str = ""
    status: str = ""
    team: int | None = None
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.team or self.since or self.until)


SEARCHED_FIELDS = (
    "chosen_pattern_name",
    "chosen_pattern_slug",
    "integration__name",
    "rationale",
    "consequences",
    "justification",
    "status_reason",
    "status",
    "integration__project__name",
    "integration__project__team__name",
)


def _text_search(decisions: QuerySet[Decision], text: str) -> QuerySet[Decision]:
    """PostgreSQL: full-text search with English stemming, best matches first. Elsewhere (SQLite): every word must
    appear in one of the searched fields, newest first."""
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("chosen_pattern_name", "integration__name", weight="A", config="english")
            + SearchVector("rationale", "consequences", "justification", "status_reason", weight="B", config="english")
            + SearchVector(
                "status", "integration__project__name", "integration__project__team__name", weight="C", config="english"
            )
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            decisions.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-updated_at", "-id")
        )
    for word in text.split()[:10]:
        any_field = Q()
        for field in SEARCHED_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        decisions = decisions.filter(any_field)
    return decisions


def decision_log(user: Any, filters: DecisionFilters) -> QuerySet[Decision]:
    decisions = (
        Decision.objects.filter(integration__project__team__memberships__user=user)
        .select_related("integration__project__team", "proposed_by", "status_changed_by")
        .order_by("-updated_at", "-id")
    )
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.team:
        decisions = decisions.filter(integration__project__team_id=filters.team)
    if filters.since:
        decisions = decisions.filter(updated_at__date__gte=filters.since)
    if filters.until:
        decisions = decisions.filter(updated_at__date__lte=filters.until)
    if filters.q:
        decisions = _text_search(decisions, filters.q)
    return decisions


def waiting_for_review(user: Any, *, team: Team | None = None) -> QuerySet[Decision]:
    """Proposed decisions in teams where I review, proposed by someone else, that I haven't approved as they are: in
    ``team`` (whose reviewing role the caller checked: no membership join) or in every team of mine."""
    mine = Approval.objects.filter(decision=OuterRef("pk"), reviewer=user, decision_version=OuterRef("version"))
    if team is not None:
        decisions = Decision.objects.filter(status=DecisionStatus.PROPOSED, integration__project__team=team)
    else:
        decisions = Decision.objects.filter(
            status=DecisionStatus.PROPOSED,
            integration__project__team__memberships__user=user,
            integration__project__team__memberships__role__in=roles_that_can(Capability.REVIEW),
        )
    return (
        decisions.exclude(proposed_by=user)
        .exclude(Exists(mine))
        .select_related("integration__project", "proposed_by")
        .only(
            "pk",
            "integration_id",
            "chosen_pattern_name",
            "version",
            "updated_at",
            "integration__name",
            "integration__project_id",
            "integration__project__name",
            "proposed_by__username",
        )  # not the rankings
        .order_by("updated_at", "id")
    )
