"""The inbox (notifications about my teams' projects) and the choice of what to hear about, and how."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.http import SignedInRequest
from portal.forms import NotificationPreferencesForm
from portal.selectors.notifications import inbox as inbox_of
from portal.services.notifications import (
    notification_open,
    notification_preferences,
    notification_preferences_save,
    notifications_read_all,
)

PAGE_SIZE = 25


@login_required
@require_GET
def inbox(request: SignedInRequest) -> HttpResponse:
    page = Paginator(inbox_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {"page": page})


@login_required
@require_POST
def notification_open_view(request: SignedInRequest, notification_id: int) -> HttpResponse:
    # Only my notifications about projects of teams I am still in: anything else is 404.
    notification = get_object_or_404(inbox_of(request.user), pk=notification_id)
    target = notification_open(notification=notification)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "/"
    return redirect(target)


@login_required
@require_POST
def notifications_read_all_view(request: SignedInRequest) -> HttpResponse:
    count = notifications_read_all(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: SignedInRequest) -> HttpResponse:
    current = notification_preferences(request.user)
    form = NotificationPreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        notification_preferences_save(user=request.user, choices=form.choices())
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return render(
        request, "portal/notification_preferences.html", {"form": form, "has_email": bool(request.user.email)}
    )
