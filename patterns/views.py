"""Catalog pages: browse and filter, one pattern, compare, the Solution by Design checklist."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.forms import CatalogFilterForm, CompareForm
from patterns.models import Family, Pattern
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME
from patterns.selectors import checklist_sections, pattern_for_page, pattern_list, patterns_for_compare

FAMILY_LABELS = dict(Family.choices)


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    patterns = list(pattern_list(filters=form.filters()))
    groups = [(FAMILY_LABELS[family], list(members)) for family, members in groupby(patterns, key=lambda p: p.family)]
    template = "patterns/catalog.html#results" if request.htmx else "patterns/catalog.html"
    return render(
        request,
        template,
        {"form": form, "groups": groups, "count": len(patterns), "filtered": form.filters().active},
    )


@require_GET
def pattern_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pattern = pattern_for_page(slug)
    fits_by_question = {}
    for fit in pattern.fits.all():
        fits_by_question.setdefault(fit.question, {})[fit.value] = fit
    fit_rows = [
        (question, [(choice, fits_by_question.get(question.name, {}).get(choice.value)) for choice in question.choices])
        for question in QUESTIONS
    ]
    scenarios = {s.pk: s for s in [*pattern.expected_in.all(), *pattern.alternative_in.all()]}
    return render(
        request,
        "patterns/pattern_detail.html",
        {"pattern": pattern, "fit_rows": fit_rows, "scenarios": sorted(scenarios.values(), key=lambda s: s.title)},
    )


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    patterns = patterns_for_compare(form.cleaned_data["p"]) if form.is_bound and form.is_valid() else []
    rows = [
        ("Summary", "summary", False),
        ("App family", "get_family_display", False),
        ("Category", "get_category_display", False),
        ("Timing", "get_interaction_display", False),
        ("Use when", "use_when", True),
        ("Benefits", "benefits", True),
        ("Drawbacks", "drawbacks", True),
    ]
    table = [
        (label, markdown, [getattr(p, attr)() if attr.startswith("get_") else getattr(p, attr) for p in patterns])
        for label, attr, markdown in rows
    ]
    return render(request, "patterns/compare.html", {"form": form, "patterns": patterns, "table": table})


@require_GET
def checklist(request: HttpRequest) -> HttpResponse:
    sections = list(checklist_sections())
    items = [item for section in sections for item in section.items.all()]
    names = dict(Pattern.objects.values_list("slug", "name"))
    for item in items:
        item.condition_text = condition_text(item.condition, names)
    return render(
        request,
        "patterns/checklist.html",
        {
            "sections": sections,
            "task_count": sum(1 for item in items if not item.condition),
            "conditional_count": sum(1 for item in items if item.condition),
        },
    )


def condition_text(condition: dict[str, object], names: dict[str, str]) -> str:
    """A conditional task's condition in words."""
    parts = []
    for question, values in (condition.get("answers") or {}).items():
        spec = QUESTIONS_BY_NAME[question]
        labels = " or ".join(spec.choice(v).label for v in values if v in spec.values)
        parts.append(f"{spec.label.lower()} is {labels}")
    if condition.get("patterns"):
        parts.append("an integration relies on " + " or ".join(names.get(s, s) for s in condition["patterns"]))
    return "Only when " + " and ".join(parts) if parts else ""
