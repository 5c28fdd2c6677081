"""Personal API tokens. Only a SHA-256 hash of the secret is stored; the secret is shown once. Each token expires
(7 days to a year after it is made) and records when it was last used."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from portal.models import ApiToken

TOKEN_PREFIX = "dip_"  # noqa: S105 - a public marker that makes leaked tokens easy to recognise
LIFETIME_CHOICES_DAYS = (7, 30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str, lifetime_days: int | None = DEFAULT_LIFETIME_DAYS
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and can't be shown again. It stops
    working after ``lifetime_days`` (None: never, for tokens made before expiry existed)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=lifetime_days) if lifetime_days else None
    token = ApiToken(user=user, name=name.strip() or "API token", prefix=secret[:10], token_hash=hash_token(secret),
                     expires_at=expires_at)  # fmt: skip
    token.full_clean()
    token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
