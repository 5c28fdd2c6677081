"""The two OpenID Connect pages: the start (to the provider, with state, nonce and the PKCE challenge) and the
callback (back from it). mozilla-django-oidc's views do the protocol; these add what a person needs to read: a
refusal (wrong tenant or domain, a tampered or reused state, the provider down) is a page that says why and how to
go on, never a bare error."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portal.auth.oidc import FAILED, ProviderUnavailable, oidc_enabled, provider_endpoints

STATE_REFUSED = (
    "This sign-in didn't start from this browser, or it was already used, so it was refused to keep your account "
    "safe. Please start again."
)
UNAVAILABLE = "Your organisation's sign-in service can't be reached right now. Please try again in a moment."


def refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    context = {"message": message, "provider_name": settings.OIDC_PROVIDER_NAME}
    response = render(request, "registration/oidc_refused.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


class SignInStart(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs: Any) -> None:
        # The library reads the endpoints when the view is built; they come from discovery, in get().
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Signing in with an identity provider isn't set up here.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoints().authorization_endpoint
        except ProviderUnavailable:
            return refused(request, UNAVAILABLE, status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)  # remembers a ?next= only if it stays on this site
        return response


class SignInCallback(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Signing in with an identity provider isn't set up here.")
        state = request.GET.get("state")
        started = request.session.get("oidc_states") or {}
        if state is None or state not in started:
            return refused(request, STATE_REFUSED, status=400)
        if request.GET.get("error"):
            super().get(request)  # forgets the state, so the answer can't be replayed
            said = request.GET.get("error_description") or request.GET["error"]
            return refused(request, f"{settings.OIDC_PROVIDER_NAME} didn't sign you in: {said[:300]}", status=400)
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        return refused(self.request, getattr(self.request, "oidc_refusal", "") or FAILED, status=403)
