"""Decisions on integrations, in the spirit of architecture decision records: proposed, approved per version by
reviewers, accepted or rejected, later superseded or deprecated. Every change is a new version; a save based on a
stale version is refused with a ConflictError that shows the other change."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from portal.exceptions import ConflictError
from portal.models import Approval, Decision, DecisionStatus, Integration
from portal.records import decision_record
from portal.selectors.decisions import approvals_for_current_version
from portal.services.checklist import project_checklist_sync
from portal.services.history import history_record
from portal.services.notifications import notify_decision_status, notify_review_requested

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    DecisionStatus.PROPOSED: {DecisionStatus.ACCEPTED, DecisionStatus.REJECTED},
    DecisionStatus.REJECTED: set(),
    DecisionStatus.ACCEPTED: {DecisionStatus.SUPERSEDED, DecisionStatus.DEPRECATED},
    # Undo: a superseded or deprecated decision can be reinstated (accepted again, as it was before).
    DecisionStatus.SUPERSEDED: {DecisionStatus.ACCEPTED},
    DecisionStatus.DEPRECATED: {DecisionStatus.ACCEPTED},
}


def _pattern_name(integration: Integration, slug: str) -> str | None:
    return next((o["name"] for o in integration.ranking.get("options", []) if o["pattern"] == slug), None)


def _conflict(current: Decision) -> ConflictError:
    last = current.integration.project.history.filter(subject__startswith=current.integration.name).first()
    who = last.actor.get_username() if last and last.actor else "someone"
    return ConflictError(current=decision_record(current) or {}, changed_by=who, changed_at=current.updated_at)


@transaction.atomic
def decision_save(
    *,
    integration: Integration,
    actor: User,
    chosen_pattern_slug: str,
    rationale: str,
    consequences: str = "",
    justification: str = "",
    expected_version: int = 0,
) -> Decision:
    """Propose a decision (``expected_version`` 0: the editor saw none) or change it (the version the editor saw).
    A change is a new version: earlier approvals no longer count."""
    name = _pattern_name(integration, chosen_pattern_slug)
    errors: dict[str, str] = {}
    if name is None:
        errors["chosen_pattern_slug"] = "Choose one of the ranked options of this integration."
    if chosen_pattern_slug != integration.top_pattern_slug and not justification.strip():
        errors["justification"] = (
            f"You chose something other than the top-ranked {integration.top_pattern_name}: say why."
        )
    if not rationale.strip():
        errors["rationale"] = "Explain the decision."
    if errors or name is None:
        raise ValidationError(errors)
    fields = {
        "chosen_pattern_slug": chosen_pattern_slug,
        "chosen_pattern_name": name,
        "rationale": rationale.strip(),
        "consequences": consequences.strip(),
        "justification": justification.strip(),
    }
    existing = Decision.objects.select_for_update(of=("self",)).filter(integration=integration).first()
    if existing is None:
        try:
            with transaction.atomic():
                decision = Decision.objects.create(integration=integration, proposed_by=actor, **fields)
        except IntegrityError:  # someone proposed at the same moment
            raise _conflict(Decision.objects.get(integration=integration)) from None
        history_record(project=integration.project, integration=integration, actor=actor, action="decision proposed",
                       subject=f"{integration.name}: {name}", after=decision_record(decision))  # fmt: skip
        project_checklist_sync(project=integration.project, actor=actor)
        notify_review_requested(decision=decision, actor=actor)
        return decision
    if existing.is_history:
        raise ValidationError({"status": f"A {existing.status} decision is history; it can't be edited."})
    if existing.version != expected_version:
        raise _conflict(existing)
    before = decision_record(existing)
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.status = DecisionStatus.PROPOSED
    existing.decided_by, existing.decided_at = None, None
    existing.version += 1
    existing.full_clean()
    existing.save()
    history_record(project=integration.project, integration=integration, actor=actor, action="decision changed",
                   subject=f"{integration.name}: {name}", before=before, after=decision_record(existing))  # fmt: skip
    project_checklist_sync(project=integration.project, actor=actor)
    notify_review_requested(decision=existing, actor=actor)
    return existing


@transaction.atomic
def decision_approve(*, decision: Decision, reviewer: User, expected_version: int) -> Approval:
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("integration__project").get(pk=decision.pk)
    )
    if decision.version != expected_version:
        raise _conflict(decision)
    if decision.status != DecisionStatus.PROPOSED:
        raise ValidationError({"status": "Only a proposed decision can be approved."})
    if decision.proposed_by_id == reviewer.pk:
        raise ValidationError(
            {"reviewer": "You proposed this decision: another reviewer approves it (or an owner sets approvals to 0)."}
        )
    approval, created = Approval.objects.get_or_create(
        decision=decision, reviewer=reviewer, decision_version=decision.version
    )
    if created:
        subject = f"{decision.integration.name}: {decision.chosen_pattern_name} (version {decision.version})"
        history_record(
            project=decision.integration.project,
            integration=decision.integration,
            actor=reviewer,
            action="decision approved",
            subject=subject,
        )
    return approval


@transaction.atomic
def decision_transition(
    *,
    decision: Decision,
    actor: User,
    status: str,
    expected_version: int,
    superseded_by: Decision | None = None,
    reason: str = "",
) -> Decision:
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("integration__project").get(pk=decision.pk)
    )
    if decision.version != expected_version:
        raise _conflict(decision)
    if status not in ALLOWED_TRANSITIONS.get(decision.status, set()):
        raise ValidationError({"status": f"A {decision.status} decision can't become {status or 'nothing'}."})
    project = decision.integration.project
    reinstated = status == DecisionStatus.ACCEPTED and decision.is_history  # it was accepted, with its approvals
    if status == DecisionStatus.ACCEPTED and not reinstated:
        approvals = approvals_for_current_version(decision)
        if approvals < project.required_approvals:
            needed = project.required_approvals
            raise ValidationError(
                {"status": f"Acceptance needs {needed} reviewer approval{pluralize(needed)}; it has {approvals}."}
            )
    if status == DecisionStatus.REJECTED and not reason.strip():
        raise ValidationError({"reason": "Say why the decision is rejected."})
    if status == DecisionStatus.SUPERSEDED:
        if (
            superseded_by is None
            or superseded_by.pk == decision.pk
            or superseded_by.integration.project_id != project.pk
        ):
            raise ValidationError({"superseded_by": "Link the decision of this project that replaces it."})
        if superseded_by.status != DecisionStatus.ACCEPTED:
            raise ValidationError({"superseded_by": "Only an accepted decision can supersede another."})
        decision.superseded_by = superseded_by
    before = decision_record(decision)
    if reinstated:
        decision.superseded_by = None
    decision.status = status
    now = timezone.now()
    decision.status_changed_by, decision.status_changed_at = actor, now
    decision.status_reason = reason.strip() if status == DecisionStatus.REJECTED else decision.status_reason
    if status in {DecisionStatus.ACCEPTED, DecisionStatus.REJECTED} and not reinstated:
        decision.decided_by, decision.decided_at = actor, now
    decision.version += 1
    decision.save()
    action = "decision reinstated" if reinstated else f"decision {status}"
    history_record(project=project, integration=decision.integration, actor=actor, action=action,
                   subject=f"{decision.integration.name}: {decision.chosen_pattern_name}",
                   before=before, after=decision_record(decision))  # fmt: skip
    project_checklist_sync(project=project, actor=actor)
    if not reinstated:
        notify_decision_status(decision=decision, actor=actor)
    return decision
