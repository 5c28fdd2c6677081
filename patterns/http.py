"""Request types for the type checker: what the middleware adds to Django's HttpRequest."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """Any request: django-htmx's middleware adds ``htmx``."""

    htmx: HtmxDetails


class SignedInRequest(HtmxRequest):
    """A request to a ``login_required`` view: the user has signed in."""

    user: User
