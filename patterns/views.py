"""Catalog pages: browse and filter, one pattern, compare, the Solution by Design checklist. They show the latest
published catalog version."""

from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.catalog import FAMILY_LABELS, published_catalog
from patterns.forms import CatalogFilterForm, CompareForm
from patterns.http import HtmxRequest
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME


@require_GET
def catalog(request: HtmxRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    patterns = [p for p in published_catalog().patterns if filters.matches(p)]
    groups = [(FAMILY_LABELS[family], list(members)) for family, members in groupby(patterns, key=lambda p: p.family)]
    template = "patterns/catalog.html#results" if request.htmx else "patterns/catalog.html"
    return render(
        request, template, {"form": form, "groups": groups, "count": len(patterns), "filtered": filters.active}
    )


@require_GET
def pattern_detail(request: HtmxRequest, slug: str) -> HttpResponse:
    pattern = published_catalog().by_slug.get(slug)
    if pattern is None:
        raise Http404("No such pattern in the published catalog.")
    scope_labels = {choice.value: choice.label for choice in QUESTIONS_BY_NAME["scope"].choices}
    fit_rows = []
    for question in QUESTIONS:
        rows = []
        for choice in question.choices:
            fit = pattern.fits.get(question.name, {}).get(choice.value)
            scoped = [(scope_labels.get(s, s), o) for s, o in (fit or {}).get("by_scope", {}).items()]
            rows.append((choice, fit, scoped))
        fit_rows.append((question, rows))
    return render(request, "patterns/pattern_detail.html", {"pattern": pattern, "fit_rows": fit_rows})


@require_GET
def compare(request: HtmxRequest) -> HttpResponse:
    catalog = published_catalog()
    form = CompareForm(request.GET or None, patterns=catalog.patterns)
    patterns = [catalog.by_slug[s] for s in form.cleaned_data["p"]] if form.is_bound and form.is_valid() else []
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
def checklist(request: HtmxRequest) -> HttpResponse:
    catalog = published_catalog()
    context = {
        "sections": catalog.checklist,
        "task_count": catalog.task_count,
        "conditional_count": catalog.conditional_task_count,
    }
    return render(request, "patterns/checklist.html", context)
