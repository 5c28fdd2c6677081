"""Secrets the portal keeps for teams (webhook addresses), encrypted at rest with a key derived from SECRET_KEY.

Fernet (AES-128-CBC with HMAC-SHA256) from ``cryptography``; the key is HKDF-SHA256 of SECRET_KEY, so nothing else
needs storing. A key in SECRET_KEY_FALLBACKS still opens what it closed, so rotating SECRET_KEY loses nothing; what
no key opens reads as None (the owner enters it again)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal team secrets v1").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> MultiFernet:
    return MultiFernet([_fernet(settings.SECRET_KEY), *(_fernet(key) for key in settings.SECRET_KEY_FALLBACKS)])


def seal(text: str) -> str:
    return _box().encrypt(text.encode()).decode()


def unseal(token: str) -> str | None:
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
