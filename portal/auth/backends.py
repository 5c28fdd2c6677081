"""Username and password sign-in, which LOCAL_PASSWORDS_ENABLED=false turns off everywhere (the sign-in page and
the admin's), so an organisation can require its own identity provider."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest


class LocalPasswordBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not settings.LOCAL_PASSWORDS_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
