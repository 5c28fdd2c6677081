"""The wizard: one need, four short steps at most, a summary, then the ranking. The draft is saved at every step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from patterns.models import Scenario
from patterns.parsing import whole_number
from patterns.published import published_catalog
from patterns.recommender import Ranking, recommend
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements, RequirementsError
from patterns.versions import published_snapshot
from portal.access import get_draft_for_user, get_project_for_user
from portal.forms import NEW_PROJECT, SaveIntegrationForm
from portal.models import Integration, WizardDraft
from portal.services import draft_create, draft_save_answers, draft_save_as_integration
from portal.wizard import STEPS, SUMMARY, StepForm, active_steps, initial_from_answers, question_rows, step_by_key

STEP_INDEX = {step.key: index for index, step in enumerate(STEPS)}


def _step_url(draft: WizardDraft, key: str) -> str:
    return reverse("wizard:step", args=[draft.pk, key])


def _progress(draft: WizardDraft, key: str) -> dict[str, int]:
    keys = [step.key for step in active_steps(draft.answers)] + [SUMMARY]
    return {"number": keys.index(key) + 1 if key in keys else 1, "total": len(keys)}


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    drafts = WizardDraft.objects.filter(owner=request.user, integration__isnull=True).select_related("scenario")[:20]
    scenarios = published_catalog().scenarios
    return render(request, "portal/wizard_start.html", {"drafts": drafts, "scenarios": scenarios})


@login_required
@require_POST
def new(request: HttpRequest) -> HttpResponse:
    """Start a draft: blank, from a curated scenario's answers, or for an existing project."""
    links: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    if scenario_slug := request.POST.get("scenario"):
        published = next((s for s in published_catalog().scenarios if s.slug == scenario_slug), None)
        if published is None:
            raise Http404("No such scenario in the published catalog.")
        answers = dict(published.answers)
        links["scenario"] = Scenario.objects.filter(slug=scenario_slug).first()
    if project_id := request.POST.get("project"):
        links["project"] = get_project_for_user(request, whole_number(project_id, default=0), capability="write")
    draft = draft_create(owner=request.user, answers=answers, **links)
    return redirect(_step_url(draft, active_steps(draft.answers)[0].key))


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, draft_id: int, key: str) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    if key == SUMMARY:
        return _summary(request, draft)
    current = step_by_key(key)
    if current is None:
        return redirect(_step_url(draft, "need"))
    steps = active_steps(draft.answers)
    if current not in steps:  # a step that doesn't apply to this goal: go on to the next one that does
        later = [s for s in steps if STEP_INDEX[s.key] > STEP_INDEX[key]]
        return redirect(_step_url(draft, later[0].key if later else SUMMARY))
    goal = draft.answers.get("goal")
    if request.method == "POST":
        form = StepForm(request.POST, step=current, goal=request.POST.get("goal", goal), prefix=None)
        going_back = request.POST.get("nav") == "back"
        valid = form.is_valid()
        if valid or going_back:
            # Going back keeps whatever was answered validly on this step; nothing typed is thrown away.
            draft_save_answers(draft=draft, answers=form.answers(), step=STEP_INDEX[key] + 1)
            steps = active_steps(draft.answers)
            keys = [s.key for s in steps] + [SUMMARY]
            position = keys.index(key) if key in keys else 0
            target = keys[max(position - 1, 0)] if going_back else keys[position + 1]
            return redirect(_step_url(draft, target))
    else:
        form = StepForm(initial=initial_from_answers(draft.answers), step=current, goal=goal)
    context = {
        "draft": draft,
        "step": current,
        "rows": question_rows(form),
        "form": form,
        "progress": _progress(draft, key),
        "is_first": steps[0].key == key,
    }
    return _render_step(request, "portal/wizard_step.html", context)


def _render_step(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if request.htmx:
        response = render(request, f"{template}#wizard-panel", context)
        return push_url(response, request.get_full_path())
    return render(request, template, context)


def _summary(request: HttpRequest, draft: WizardDraft) -> HttpResponse:
    if request.method == "POST":
        return redirect("wizard:results", draft.pk)
    _, errors = _requirements(draft)
    steps = active_steps(draft.answers)
    goal = draft.answers.get("goal")
    sections = []
    for item in steps:
        rows = []
        for name in item.questions:
            question = QUESTIONS_BY_NAME[name]
            if not question.applies_to(goal):
                continue
            rows.append({"question": question, "answer": _answer_label(name, draft.answers.get(name))})
        sections.append({"step": item, "rows": rows})
    context = {
        "draft": draft,
        "sections": sections,
        "errors": errors,
        "progress": _progress(draft, SUMMARY),
        "previous": steps[-1].key if steps else "need",
    }
    return _render_step(request, "portal/wizard_summary.html", context)


def _answer_label(name: str, value: Any) -> str:
    if value is None or value == "":
        return "No preference"
    question = QUESTIONS_BY_NAME[name]
    key = ("true" if value else "false") if question.is_boolean else value
    try:
        return question.choice(key).label
    except KeyError:
        return str(value)


def _requirements(draft: WizardDraft) -> tuple[Requirements | None, dict[str, list[str]]]:
    try:
        return Requirements.from_mapping(draft.answers), {}
    except RequirementsError as error:
        return None, error.errors


def _movement(ranking: Ranking, baseline: Ranking) -> dict[str, int]:
    """How many places each pattern moves up (positive) compared with the baseline ranking."""
    before = {option.slug: option.rank for option in baseline.options}
    return {o.slug: before[o.slug] - o.rank for o in ranking.options if o.slug in before}


@login_required
@require_GET
def results(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    requirements, _ = _requirements(draft)
    if requirements is None:
        messages.error(request, "Answer the required questions first.")
        return redirect(_step_url(draft, "need"))
    snapshot = published_snapshot()
    ranking = recommend(requirements, snapshot)
    what_if = _parse_what_if(request.GET.get("what_if", ""), requirements)
    movement: dict[str, int] = {}
    if what_if:
        changed = Requirements.from_mapping({**requirements.as_dict(), what_if[0]: what_if[2]})
        baseline, ranking = ranking, recommend(changed, snapshot)
        movement = _movement(ranking, baseline)
    context = {
        "draft": draft,
        "requirements": requirements,
        "ranking": ranking,
        "top": ranking.options[0] if ranking.options else None,
        "what_if": what_if,
        "what_if_choices": _what_if_choices(requirements),
        "movement": movement,
        "save_form": SaveIntegrationForm(
            owner=request.user,
            initial={
                "project": str(draft.project_id) if draft.project_id else NEW_PROJECT,
                "name": draft.scenario.title if draft.scenario else "",
            },
        ),
    }
    if request.htmx and request.GET.get("what_if") is not None:
        return render(request, "portal/wizard_results.html#ranking", context)
    return render(request, "portal/wizard_results.html", context)


def _what_if_choices(requirements: Requirements) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every other answer to every applicable question, grouped by question, for the what-if control."""
    answers = requirements.answers()
    groups = []
    for question in QUESTIONS:
        if question.required or not question.applies_to(requirements.goal):
            continue  # another scope or goal is another need: start another wizard
        options = [
            (f"{question.name}={choice.value}", choice.label)
            for choice in question.choices
            if answers.get(question.name) != choice.value
        ]
        if not question.required and question.name in answers:
            options.append((f"{question.name}=", "No preference"))
        groups.append((question.label, options))
    return groups


def _parse_what_if(raw: str, requirements: Requirements) -> tuple[str, str, Any] | None:
    """``question=value`` into (question, value text, stored value); anything invalid is ignored."""
    name, _, value = raw.partition("=")
    question = QUESTIONS_BY_NAME.get(name)
    if question is None or question.name in {"scope", "goal"} or not question.applies_to(requirements.goal):
        return None
    if value == "":
        return name, "", None
    if value not in question.values:
        return None
    return name, value, (value == "true") if question.is_boolean else value


@login_required
@require_POST
def keep_what_if(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    requirements, _ = _requirements(draft)
    change = _parse_what_if(request.POST.get("what_if", ""), requirements) if requirements else None
    if change:
        draft_save_answers(draft=draft, answers={change[0]: change[2]}, step=draft.step)
        if change[2] is None:
            draft.answers.pop(change[0], None)
            draft.save(update_fields=["answers", "updated_at"])
        messages.success(request, "Answer changed; the ranking below uses it.")
    return redirect("wizard:results", draft.pk)


@login_required
@require_POST
def save(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    existing = Integration.objects.filter(source_draft=draft).first()
    if existing is not None:  # a second submit of a saved draft shows what the first one saved
        return redirect("projects:integration", existing.project_id, existing.pk)
    requirements, _ = _requirements(draft)
    if requirements is None:
        return redirect(_step_url(draft, "need"))
    form = SaveIntegrationForm(request.POST, owner=request.user)
    if not form.is_valid():
        ranking = recommend(requirements, published_snapshot())
        context = {
            "draft": draft,
            "requirements": requirements,
            "ranking": ranking,
            "top": ranking.options[0] if ranking.options else None,
            "what_if": None,
            "what_if_choices": _what_if_choices(requirements),
            "movement": {},
            "save_form": form,
        }
        return render(request, "portal/wizard_results.html", context, status=400)
    integration = draft_save_as_integration(
        draft=draft,
        requirements=requirements,
        name=form.cleaned_data["name"],
        project=form.chosen_project(),
        new_project_name=form.cleaned_data["new_project_name"],
    )
    messages.success(request, f"Saved “{integration.name}” in {integration.project.name}.")
    return redirect("projects:integration", integration.project_id, integration.pk)


@login_required
@require_POST
def discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request, draft_id)
    draft.delete()
    messages.success(request, "Draft discarded.")
    return redirect("wizard:start")
