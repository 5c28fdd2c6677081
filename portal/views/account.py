"""The profile page: personal API tokens, created and revoked by their owner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from patterns.http import SignedInRequest
from portal.access import get_token_for_user
from portal.forms import ApiTokenForm
from portal.services.tokens import api_token_create, api_token_revoke


def _profile(request: SignedInRequest, form: ApiTokenForm, new_secret: str = "", status: int = 200) -> HttpResponse:
    tokens = request.user.api_tokens.all()
    response = render(
        request, "portal/profile.html", {"form": form, "tokens": tokens, "new_secret": new_secret}, status=status
    )
    response["Cache-Control"] = "no-store"  # a new token's secret is on this page once
    return response


@login_required
@require_GET
def profile(request: SignedInRequest) -> HttpResponse:
    return _profile(request, ApiTokenForm())


@login_required
@require_POST
def token_create(request: SignedInRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, form, status=400)
    _, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
    # Rendered, not redirected: the secret is shown this once and never stored in the session.
    return _profile(request, ApiTokenForm(), new_secret=secret)


@login_required
@require_POST
def token_revoke(request: SignedInRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(token=get_token_for_user(request, token_id))
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("account:profile")
