"""Curation pages for the Curators group: publish the draft with a scenario regression, versions, differences,
rollback, and each pattern's audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.catalog import published_content
from patterns.content import ContentError, validate_content
from patterns.curators import curator_required
from patterns.draft import catalog_export
from patterns.forms import PublishForm
from patterns.heatmap import LEVEL_MARKS, heatmap
from patterns.http import SignedInRequest
from patterns.models import CatalogVersion, CurationEvent, Fit, Pattern
from patterns.parsing import whole_number
from patterns.publishing import (
    catalog_diff,
    content_fingerprint,
    scenario_regression,
    version_publish,
    version_rollback,
)
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME
from patterns.taxonomy import LEVEL_LABELS


@curator_required
@require_GET
def overview(request: SignedInRequest) -> HttpResponse:
    versions = CatalogVersion.objects.select_related("published_by").defer("content", "regression")
    number, published = published_content()
    draft = catalog_export()
    changed = published is None or content_fingerprint(draft) != content_fingerprint(published)
    context = {"versions": versions, "latest": number, "draft_changed": changed}
    return render(request, "patterns/curation_overview.html", context)


@curator_required
@require_http_methods(["GET", "POST"])
def publish(request: SignedInRequest) -> HttpResponse:
    number, published = published_content()
    draft: dict[str, Any] | None = catalog_export()
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = version_publish(
                actor=request.user, note=form.cleaned_data["note"], override_reason=form.cleaned_data["override_reason"]
            )
            messages.success(request, f"Published {version.label}. Architects' rankings use it from now on.")
            return redirect("curation:overview")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                if field == "override_reason":  # the page lists the scenarios above the form: don't repeat them
                    errors = [
                        "The scenarios listed above no longer rank their expected pattern first: fix their "
                        "fits, or give a reason to publish anyway."
                    ]
                form.add_error(field if field in form.fields else None, errors)
    try:
        validate_content(draft)
        problems: list[str] = []
    except ContentError as error:  # e.g. a deactivated pattern that a conditional task still names
        problems = error.errors
        draft = None
    regression = sorted(  # what needs attention first
        scenario_regression(draft, published) if draft else [],
        key=lambda row: (not row["broken"], not row["first_changed"], not row["top_three_changed"], row["title"]),
    )
    context = {
        "form": form,
        "latest": number,
        "regression": regression,
        # Rows whose top three move are shown in full; the others, which rank exactly as published, in a short list.
        "moving": [row for row in regression if row["broken"] or row["top_three_changed"]],
        "steady": [row for row in regression if not (row["broken"] or row["top_three_changed"])],
        "broken": [row for row in regression if row["broken"]],
        "changed_first": [row for row in regression if row["first_changed"]],
        "diff": catalog_diff(published, draft) if published and draft else None,
        "draft_changed": draft is None
        or published is None
        or content_fingerprint(draft) != content_fingerprint(published),
        "problems": problems,
        "fit_changes": heatmap(published=published, only_changed=True) if published else None,
    }
    return render(request, "patterns/curation_publish.html", context, status=400 if form.errors else 200)


@curator_required
@require_POST
def rollback(request: SignedInRequest, number: int) -> HttpResponse:
    version = get_object_or_404(CatalogVersion, number=number)
    if request.POST.get("confirm") != "yes":  # the page asks first; a bare POST doesn't roll back by accident
        messages.error(request, f"Nothing rolled back: confirm the rollback to v{number} first.")
        return redirect("curation:overview")
    new = version_rollback(version=version, actor=request.user)
    messages.success(request, f"Published {new.label} with the content of v{number}; the draft matches it too.")
    return redirect("curation:overview")


def _content_for(key: str) -> tuple[str, dict[str, Any]]:
    if key == "draft":
        return "Draft", catalog_export()
    version = CatalogVersion.objects.filter(number=whole_number(key)).first()
    if version is None:
        raise Http404("No such version.")
    return version.label, version.content


@curator_required
@require_GET
def diff(request: SignedInRequest) -> HttpResponse:
    latest, _ = published_content()
    a_key = request.GET.get("a") or (str(latest - 1) if latest and latest > 1 else str(latest or ""))
    b_key = request.GET.get("b") or "draft"
    a_label, a_content = _content_for(a_key)
    b_label, b_content = _content_for(b_key)
    context = {
        "a": a_key,
        "b": b_key,
        "a_label": a_label,
        "b_label": b_label,
        "diff": catalog_diff(a_content, b_content),
        "choices": [
            ("draft", "Draft"),
            *((str(n), f"v{n}") for n in CatalogVersion.objects.values_list("number", flat=True)),
        ],
    }
    return render(request, "patterns/curation_diff.html", context)


@curator_required
@require_GET
def pattern_audit(request: SignedInRequest, slug: str) -> HttpResponse:
    pattern = get_object_or_404(Pattern, slug=slug)
    events = CurationEvent.objects.filter(pattern=pattern).select_related("actor")[:300]
    return render(request, "patterns/curation_pattern_audit.html", {"pattern": pattern, "events": events})


@curator_required
@require_GET
def fit_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """A heatmap cell's short link to its fit in the admin (a full map stays light with one short link a cell)."""
    fit = get_object_or_404(Fit, pk=pk)
    return redirect("admin:patterns_fit_change", fit.pk)


@curator_required
@require_GET
def heatmap_view(request: SignedInRequest) -> HttpResponse:
    """Every pattern against every answer (or one question's), as a scope reads it; cells link to their fit."""
    question = request.GET.get("question", "")
    question = question if question in QUESTIONS_BY_NAME else ""
    scope = request.GET.get("scope", "")
    scope = scope if scope in QUESTIONS_BY_NAME["scope"].values else ""
    _, published = published_content()
    context = {
        "map": heatmap(
            question=question, scope=scope, published=published, only_changed=bool(request.GET.get("changed"))
        ),
        "questions": [(q.name, q.label) for q in QUESTIONS],
        "scopes": [(c.value, c.label) for c in QUESTIONS_BY_NAME["scope"].choices],
        "question": question,
        "scope": scope,
        "only_changed": bool(request.GET.get("changed")),
        "levels": [(mark, LEVEL_LABELS[level], level) for level, mark in LEVEL_MARKS.items()],
    }
    return render(request, "patterns/curation_heatmap.html", context)
