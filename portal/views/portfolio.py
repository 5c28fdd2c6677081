"""The portfolio across the reader's teams, and the integrations behind each of its counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.http import SignedInRequest
from portal.pictures.markup import bars_markup
from portal.selectors.paging import page_number, window
from portal.selectors.portfolio import FILTERS, portfolio, portfolio_filtered

PAGE_SIZE = 50


@login_required
@require_GET
def portfolio_view(request: SignedInRequest) -> HttpResponse:
    counts = portfolio(request.user)
    pictures = [
        bars_markup(
            counts.by_pattern, "by-pattern", "By pattern", "The chosen one, or the top pick before a decision."
        ),
        bars_markup(counts.by_fit, "by-fit", "By fit level", "How well the saved ranking's first option fits."),
        bars_markup(counts.by_capacity, "by-capacity", "By capacity", "The first option's numbers against the limits."),
        bars_markup(counts.by_status, "by-status", "By decision status"),
    ]
    context = {"counts": counts, "pictures": pictures, "total_text": f"{counts.total:,}"}
    return render(request, "portal/portfolio.html", context)


@login_required
@require_GET
def portfolio_list(request: SignedInRequest) -> HttpResponse:
    query = {key: request.GET[key] for key in FILTERS if request.GET.get(key)}
    integrations, described = portfolio_filtered(request.user, query)
    rows = window(integrations, page_number(request.GET.get("page")), PAGE_SIZE)
    if not rows.object_list and rows.number > 1:
        raise Http404("No such page: the list ends before it.")
    filters = "&".join(f"{key}={value}" for key, value in query.items())
    return render(request, "portal/portfolio_list.html", {"page": rows, "described": described, "filters": filters})
