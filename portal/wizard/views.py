"""The wizard: one need, four short steps at most, a summary, then the ranking. The draft is saved at every step."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from patterns.catalog import published_catalog, rank
from patterns.http import SignedInRequest
from patterns.parsing import whole_number
from patterns.ranking.records import movement
from patterns.requirements import Requirements, RequirementsError
from portal.access import get_draft_for_user, get_project_for_user, get_team_for_user, get_team_template_for_user
from portal.forms import NEW_PROJECT, SaveIntegrationForm, add_service_errors
from portal.models import Capability, Integration, WizardDraft
from portal.selectors.drafts import open_drafts
from portal.selectors.team_templates import templates_of_my_teams
from portal.selectors.teams import teams_where_user_can
from portal.services.drafts import draft_create, draft_save_answers, draft_save_as_integration
from portal.services.team_templates import team_template_create
from portal.wizard.steps import (
    STEP_INDEX,
    SUMMARY,
    StepForm,
    active_steps,
    initial_from_answers,
    next_step,
    progress,
    question_rows,
    step_by_key,
    summary_sections,
)
from portal.wizard.team_templates import TeamTemplateForm
from portal.wizard.what_if import WhatIf, parse_what_if, what_if_choices, what_if_key


def _step_url(draft: WizardDraft, key: str) -> str:
    return reverse("wizard:step", args=[draft.pk, key])


def _requirements(draft: WizardDraft) -> tuple[Requirements | None, dict[str, list[str]]]:
    try:
        return Requirements.from_mapping(draft.answers), {}
    except RequirementsError as error:
        return None, error.errors


@login_required
@require_GET
def start(request: SignedInRequest) -> HttpResponse:
    context = {
        "drafts": open_drafts(request.user),
        "scenarios": published_catalog().scenarios,
        "templates": templates_of_my_teams(request.user),
    }
    return render(request, "portal/wizard_start.html", context)


@login_required
@require_POST
def new(request: SignedInRequest) -> HttpResponse:
    """Start a draft: blank, from a curated scenario's answers or a team template's, or for an existing project."""
    links: dict[str, Any] = {}
    if template_id := request.POST.get("template"):
        template = get_team_template_for_user(request, whole_number(template_id, default=0))
        links["answers"] = dict(template.answers)  # a copy: the draft's answers are its own to change
        messages.info(request, f"Started from {template.team.name}'s template “{template.name}”: every answer is "
                      "filled in, and each is yours to change.")  # fmt: skip
    if scenario_slug := request.POST.get("scenario"):
        catalog = published_catalog()
        scenario = catalog.scenario(scenario_slug)
        if scenario is None:
            raise Http404("No such scenario in the published catalog.")
        links.update(answers=dict(scenario.answers), scenario_slug=scenario.slug, catalog_version=catalog.version)
    if project_id := request.POST.get("project"):
        project_pk = whole_number(project_id, default=0)
        links["project"] = get_project_for_user(request, project_pk, capability=Capability.WRITE)
    draft = draft_create(owner=request.user, **links)
    return redirect(_step_url(draft, active_steps(draft.answers)[0].key))


@login_required
@require_http_methods(["GET", "POST"])
def step(request: SignedInRequest, draft_id: int, key: str) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    if key == SUMMARY:
        return _summary(request, draft)
    current = step_by_key(key)
    if current is None:
        return redirect(_step_url(draft, "need"))
    steps = active_steps(draft.answers)
    if current not in steps:  # a step that doesn't apply to this goal: go on to the next one that does
        return redirect(_step_url(draft, next_step(draft.answers, key, back=False)))
    goal, scope = draft.answers.get("goal"), draft.answers.get("scope")
    if request.method == "POST":
        form = StepForm(request.POST, step=current, goal=request.POST.get("goal", goal),
                        scope=request.POST.get("scope", scope))  # fmt: skip
        going_back = request.POST.get("nav") == "back"
        if form.is_valid() or going_back:
            # Going back keeps whatever was answered validly on this step; nothing typed is thrown away.
            draft_save_answers(draft=draft, answers=form.answers(), step=STEP_INDEX[key] + 1)
            return redirect(_step_url(draft, next_step(draft.answers, key, back=going_back)))
    else:
        form = StepForm(initial=initial_from_answers(draft.answers), step=current, goal=goal, scope=scope)
    context = {
        "draft": draft,
        "step": current,
        "rows": question_rows(form),
        "form": form,
        "progress": progress(draft.answers, key),
        "is_first": steps[0].key == key,
    }
    return _render_step(request, "portal/wizard_step.html", context)


def _render_step(request: SignedInRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if request.htmx:
        response = render(request, f"{template}#wizard-panel", context)
        return push_url(response, request.get_full_path())
    return render(request, template, context)


def _summary(request: SignedInRequest, draft: WizardDraft) -> HttpResponse:
    if request.method == "POST":
        return redirect("wizard:results", draft.pk)
    _, errors = _requirements(draft)
    steps = active_steps(draft.answers)
    context = {
        "draft": draft,
        "sections": summary_sections(draft.answers),
        "errors": errors,
        "progress": progress(draft.answers, SUMMARY),
        "previous": steps[-1].key if steps else "need",
    }
    return _render_step(request, "portal/wizard_summary.html", context)


def _what_if_url(draft: WizardDraft, changes: tuple[tuple[str, str], ...]) -> str:
    return f"{reverse('wizard:results', args=[draft.pk])}?{urlencode({'what_if': what_if_key(changes)})}"


def _results_context(
    request: SignedInRequest, draft: WizardDraft, requirements: Requirements, what_if: WhatIf | None = None
) -> dict[str, Any]:
    ranking = rank(requirements)
    moves: dict[str, int] = {}
    if what_if is not None:
        baseline, ranking = ranking, rank(what_if.applied_to(requirements))
        moves = movement(ranking, baseline)
    scenario = published_catalog().scenario(draft.scenario_slug) if draft.scenario_slug else None
    return {
        "draft": draft,
        "requirements": requirements,
        "ranking": ranking,
        # Each relaxation as a one-click what-if (on the answers as they are, not on another what-if).
        "relaxation_links": [] if what_if else [(r, _what_if_url(draft, r.changes)) for r in ranking.relaxations],
        # Each answer to a close call's deciding question, as a one-click what-if too.
        "close_call_links": []
        if what_if or not ranking.close_call or not ranking.close_call.question
        else [
            (answer, _what_if_url(draft, ((ranking.close_call.question, answer.value),)))
            for answer in ranking.close_call.answers
        ],
        "saved": Integration.objects.filter(source_draft=draft).select_related("project").first(),
        "what_if": what_if,
        "what_if_choices": what_if_choices(requirements),
        "movement": moves,
        "save_form": SaveIntegrationForm(
            owner=request.user,
            initial={
                "project": str(draft.project_id) if draft.project_id else NEW_PROJECT,
                "name": scenario.title if scenario else "",
            },
        ),
        "template_form": _template_form(request),
    }


def _template_form(request: SignedInRequest, data: Any = None) -> TeamTemplateForm:
    teams = teams_where_user_can(request.user, Capability.WRITE)
    return TeamTemplateForm(data, teams=teams, user_id=request.user.pk)


@login_required
@require_GET
def results(request: SignedInRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    requirements, _ = _requirements(draft)
    if requirements is None:
        messages.error(request, "Answer the required questions first.")
        return redirect(_step_url(draft, "need"))
    what_if = parse_what_if(request.GET.get("what_if", ""), requirements)
    context = _results_context(request, draft, requirements, what_if)
    if request.htmx and request.GET.get("what_if") is not None:
        # A one-click what-if (a link) moves focus to its banner, so "Keep this answer" is next; the menu keeps it.
        context["focus_banner"] = request.htmx.trigger != "what-if"
        return render(request, "portal/wizard_results.html#ranking", context)
    return render(request, "portal/wizard_results.html", context)


@login_required
@require_POST
def keep_what_if(request: SignedInRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    requirements, _ = _requirements(draft)
    what_if = parse_what_if(request.POST.get("what_if", ""), requirements) if requirements else None
    if what_if:
        draft_save_answers(draft=draft, answers=what_if.stored_answers())
        one = len(what_if.changes) == 1
        messages.success(request, "Answer changed; the ranking below uses it." if one else "Answers changed; the "
                         "ranking below uses them.")  # fmt: skip
    return redirect("wizard:results", draft.pk)


@login_required
@require_POST
def save(request: SignedInRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    existing = Integration.objects.filter(source_draft=draft).select_related("project").first()
    if existing is not None:  # a second submit of a saved draft shows what the first one saved
        messages.info(request, f"This result was already saved as “{existing.name}” in {existing.project.name}; "
                      "nothing was saved again.")  # fmt: skip
        return redirect("projects:integration", existing.project_id, existing.pk)
    requirements, _ = _requirements(draft)
    if requirements is None:
        return redirect(_step_url(draft, "need"))
    form = SaveIntegrationForm(request.POST, owner=request.user)
    if not form.is_valid():
        context = {**_results_context(request, draft, requirements), "save_form": form}
        return render(request, "portal/wizard_results.html", context, status=400)
    integration = draft_save_as_integration(
        draft=draft,
        requirements=requirements,
        name=form.cleaned_data["name"],
        project=form.chosen_project(),
        new_project_name=form.cleaned_data["new_project_name"],
        new_project_team=form.chosen_team(),
        source_system=form.cleaned_data["source_system"],
        target_system=form.cleaned_data["target_system"],
        environment=form.chosen_environment(),
        identity=form.cleaned_data["identity"],
    )
    messages.success(request, f"Saved “{integration.name}” in {integration.project.name}.")
    return redirect("projects:integration", integration.project_id, integration.pk)


@login_required
@require_POST
def save_template(request: SignedInRequest, draft_id: int) -> HttpResponse:
    """The draft's answers as a template of a team where I edit (403 where I only read, 404 outside it)."""
    draft = get_draft_for_user(request, draft_id)
    requirements, _ = _requirements(draft)
    if requirements is None:
        return redirect(_step_url(draft, "need"))
    form = _template_form(request, request.POST)
    if form.is_valid():
        team = get_team_for_user(request, int(form.cleaned_data["team"]), capability=Capability.WRITE)
        try:
            template = team_template_create(team=team, name=form.cleaned_data["name"], answers=draft.answers,
                                            actor=request.user)  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved as the template “{template.name}” of {team.name}: its members can start "
                             "a wizard from it.")  # fmt: skip
            return redirect("wizard:results", draft.pk)
    context = {**_results_context(request, draft, requirements), "template_form": form}
    return render(request, "portal/wizard_results.html", context, status=400)


@login_required
@require_POST
def discard(request: SignedInRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    draft.delete()
    messages.success(request, "Draft discarded.")
    return redirect("wizard:start")
