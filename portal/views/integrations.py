"""One saved integration: its ranking, the decision (propose, approve, accept or reject, supersede), the
discussion, and re-ranking with the current catalog."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.catalog import published_catalog
from patterns.http import SignedInRequest
from patterns.parsing import whole_number
from portal.access import get_integration_for_user
from portal.caching import fragment, not_modified, page_etag, revalidated
from portal.exceptions import ConflictError
from portal.forms import CommentForm, DecisionForm, PlacementForm, add_service_errors
from portal.models import Capability, Decision, DecisionStatus, Integration, can
from portal.selectors.catalog_changes import pick_change_of
from portal.selectors.integrations import integration_page, rerank_comparison
from portal.services.decisions import decision_approve, decision_save, decision_transition
from portal.services.integrations import comment_add, integration_keep_ranking, integration_rerank

# Transitions that end an accepted decision: each asks for a confirmation first (as does reinstating one).
CONFIRMED_TRANSITIONS = {DecisionStatus.SUPERSEDED, DecisionStatus.DEPRECATED}


def _decision_form(integration: Integration, decision: Decision | None, data: Any = None) -> DecisionForm:
    return DecisionForm(
        data,
        options=integration.ranking.get("options", []),
        initial={
            "version": decision.version if decision else 0,
            "chosen_pattern_slug": decision.chosen_pattern_slug if decision else integration.top_pattern_slug,
            "rationale": decision.rationale if decision else "",
            "consequences": decision.consequences if decision else "",
            "justification": decision.justification if decision else "",
        },
    )


def _render_page(
    request: SignedInRequest, integration: Integration, status: int = 200, **overrides: Any
) -> HttpResponse:
    """The page; shown again with a form's errors (``overrides``). The saved ranking, the same for every member, is a
    cached fragment under the project's revision (a re-rank or a decision, which the ranking marks, moves it)."""
    page = integration_page(integration)
    project = integration.project
    chosen = page.decision.chosen_pattern_slug if page.decision else None
    ranking_html = fragment(
        "saved-ranking", (integration.pk, project.revision),
        partial(render_to_string, "portal/ranking.html", {"ranking": page.ranking, "chosen": chosen}),
    )  # fmt: skip
    context = {
        "integration": integration,
        "project": project,
        "page": page,
        "decision": page.decision,
        "ranking": page.ranking,
        "ranking_html": ranking_html,
        "requirements": page.requirements,
        "can_write": can(integration.role, Capability.WRITE),
        "can_review": can(integration.role, Capability.REVIEW),
        "i_approved": any(approval.reviewer_id == request.user.pk for approval in page.approvals),
        "comment_form": CommentForm(),
        "decision_form": _decision_form(integration, page.decision),
        "conflict": None,
        "statuses": DecisionStatus,
        "catalog_change": pick_change_of(integration),
        "placement_form": PlacementForm(
            project=project, initial={"environment": integration.environment_id, "identity": integration.identity}
        )
        if can(integration.role, Capability.WRITE)
        else None,
        **overrides,
    }
    return render(request, "portal/integration_detail.html", context, status=status)


@login_required
@require_GET
def integration_detail(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    """The integration page, with an ETag: every change to the integration moves its project's revision."""
    integration = get_integration_for_user(request, project_id, integration_id)
    version = published_catalog().version
    project = integration.project
    etag = page_etag(request, "integration", integration.pk, project.revision, project.team.revision, integration.role,
                     version)  # fmt: skip
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    return revalidated(_render_page(request, integration), etag)


@login_required
@require_POST
def decision_save_view(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability=Capability.WRITE)
    form = DecisionForm(request.POST, options=integration.ranking.get("options", []))
    conflict = None
    if form.is_valid():
        try:
            decision = decision_save(
                integration=integration,
                actor=request.user,
                chosen_pattern_slug=form.cleaned_data["chosen_pattern_slug"],
                rationale=form.cleaned_data["rationale"],
                consequences=form.cleaned_data["consequences"],
                justification=form.cleaned_data["justification"],
                expected_version=form.cleaned_data["version"],
            )
            if decision.version == 1:
                messages.success(request, "Decision proposed; the team's reviewers have been asked to look at it.")
            else:
                messages.success(request, f"Decision changed (version {decision.version}): earlier approvals no longer "
                                 "count, and the reviewers have been asked to look again.")  # fmt: skip
            return redirect("projects:integration", project_id, integration_id)
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            conflict = error
    return _render_page(request, integration, status=409 if conflict else 400, decision_form=form, conflict=conflict)


def _decision_action(
    request: SignedInRequest, project_id: int, integration_id: int, act: Callable[[Decision, int], str], refused: str
) -> HttpResponse:
    """A reviewer's action on the decision: ``act(decision, version_seen)`` returns the message of success."""
    integration = get_integration_for_user(request, project_id, integration_id, capability=Capability.REVIEW)
    decision = get_object_or_404(Decision, integration=integration)
    try:
        messages.success(request, act(decision, whole_number(request.POST.get("version", ""))))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ConflictError as error:
        messages.error(request, f"{refused}: {error} It now reads: {error.current['chosen_pattern_name']}.")
    return redirect("projects:integration", project_id, integration_id)


@login_required
@require_POST
def decision_approve_view(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    def approve(decision: Decision, version: int) -> str:
        decision_approve(decision=decision, reviewer=request.user, expected_version=version)
        return "Approved."

    return _decision_action(request, project_id, integration_id, approve, "Not approved")


@login_required
@require_POST
def decision_status_view(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    replacement = None
    if replacement_id := request.POST.get("superseded_by"):
        replacement = (
            Decision.objects.filter(pk=whole_number(replacement_id, default=0), integration__project_id=project_id)
            .select_related("integration")
            .first()
        )
    status = request.POST.get("status", "")
    asks = status in CONFIRMED_TRANSITIONS or request.POST.get("reinstate") == "yes"
    if asks and request.POST.get("confirmed") != "yes":
        # Ending (or reinstating) an accepted decision says what it does and asks once more.
        integration = get_integration_for_user(request, project_id, integration_id, capability=Capability.REVIEW)
        decision = get_object_or_404(Decision, integration=integration)
        if status == DecisionStatus.SUPERSEDED and replacement is None:
            messages.error(request, "Not changed: choose the decision that replaces it.")
            return redirect("projects:integration", project_id, integration_id)
        context = {"integration": integration, "project": integration.project, "decision": decision,
                   "status": status, "replacement": replacement, "statuses": DecisionStatus,
                   "version": request.POST.get("version", "")}  # fmt: skip
        return render(request, "portal/decision_confirm.html", context)

    def transition(decision: Decision, version: int) -> str:
        changed = decision_transition(decision=decision, actor=request.user, status=status,
                                      expected_version=version, superseded_by=replacement,
                                      reason=request.POST.get("reason", ""))  # fmt: skip
        if status == DecisionStatus.ACCEPTED and decision.is_history:
            return "Decision reinstated: it is accepted again, as it was."
        return f"Decision is now {changed.get_status_display().lower()}."

    return _decision_action(request, project_id, integration_id, transition, "Not changed")


@login_required
@require_POST
def comment_add_view(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    integration = get_integration_for_user(request, project_id, integration_id, capability=Capability.WRITE)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_page(request, integration, status=400, comment_form=form)
    comment_add(integration=integration, author=request.user, body=form.cleaned_data["body"])
    return redirect(f"{request.path.rsplit('/comments/', 1)[0]}/#comments")


@login_required
@require_http_methods(["GET", "POST"])
def rerank(request: SignedInRequest, project_id: int, integration_id: int) -> HttpResponse:
    """Saved ranking and the current catalog's ranking side by side; adopt the new one or keep the saved one."""
    capability = Capability.WRITE if request.method == "POST" else Capability.READ
    integration = get_integration_for_user(request, project_id, integration_id, capability=capability)
    if request.method == "POST":
        if request.POST.get("action") == "adopt":
            integration_rerank(integration=integration, actor=request.user)
            messages.success(request, "The new ranking is saved; the change is in the project's history.")
        else:
            version = published_catalog().version
            integration_keep_ranking(integration=integration, actor=request.user, reviewed_version=version)
            messages.success(request, f"Kept the saved ranking; it won't be flagged again until after {version}.")
        return redirect("projects:integration", project_id, integration_id)
    context = {
        "integration": integration,
        "project": integration.project,
        "comparison": rerank_comparison(integration),
        "can_write": can(integration.role, Capability.WRITE),
    }
    return render(request, "portal/rerank.html", context)
