"""OpenID Connect sign-in (Microsoft Entra ID or any standard provider) on top of mozilla-django-oidc.

What the library does: the authorization code flow with PKCE (S256), a random state and nonce kept in the session,
the code exchanged for tokens with the client secret, the ID token's signature checked against the provider's keys.
What this module adds:

- the provider's endpoints read from its discovery document (``OIDC_ISSUER``), looked up only when someone signs in
  this way, so password sign-in never waits on the provider;
- a complete ID token check: audience (our client id), issuer (Entra's multi-tenant ``{tenantid}`` template filled
  with the token's own tid), expiry and issue time; the library leaves the audience unchecked;
- who may sign in: the tenant (``tid``) must be in ``OIDC_ALLOWED_TENANTS`` and/or the address's domain in
  ``OIDC_ALLOWED_EMAIL_DOMAINS``; a refusal carries a message for the person, shown by the callback page;
- the account: matched by the issuer and subject (never by e-mail), created on first sign-in;
- its memberships of teams that staff mapped to directory groups or app roles, brought in line with the token's
  ``groups`` and ``roles`` claims (``portal.services.directory``); when Entra ID couldn't put the groups in the token
  (overage), those teams stay as they were and the person is told why.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from portal.services.accounts import account_sign_in_oidc
from portal.services.directory import DirectoryClaims, memberships_follow_directory

logger = logging.getLogger(__name__)

DISCOVERY_LIFETIME = 3600.0  # seconds a discovery document is trusted before it is fetched again
CLOCK_SKEW = 60  # seconds of leeway on exp/iat between the provider's clock and ours

FAILED = "Signing in with your organisation's account didn't complete. Please try again."
GROUPS_UNREAD = (
    "You're signed in, but your Microsoft Entra ID groups couldn't be read: you belong to more groups than a sign-in "
    "token carries. Your memberships of teams that follow directory groups stay as they were. Ask your portal's "
    "administrator to emit the groups as app roles, or to limit the groups claim to groups assigned to the "
    "application (App registrations > Token configuration)."
)


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER or settings.OIDC_DISCOVERY_URL)


class ProviderUnavailable(Exception):
    """The discovery document could not be read: the provider is down or misconfigured."""


@dataclass(frozen=True)
class ProviderEndpoints:
    issuer: str  # may hold Entra's "{tenantid}" placeholder (the organizations and common endpoints)
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str


_discovered: dict[str, tuple[float, ProviderEndpoints]] = {}


def discovery_url() -> str:
    return settings.OIDC_DISCOVERY_URL or f"{settings.OIDC_ISSUER}/.well-known/openid-configuration"


def provider_endpoints() -> ProviderEndpoints:
    """The provider's endpoints from its discovery document, kept for an hour per URL."""
    url = discovery_url()
    cached = _discovered.get(url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        endpoints = ProviderEndpoints(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            userinfo_endpoint=str(document.get("userinfo_endpoint", "")),
        )
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        logger.warning("OpenID Connect discovery at %s failed: %s", url, error)
        raise ProviderUnavailable(url) from error
    _discovered[url] = (time.monotonic() + DISCOVERY_LIFETIME, endpoints)
    return endpoints


def expected_issuer(template: str, claims: dict[str, Any]) -> str:
    """Entra ID's multi-tenant discovery documents name the issuer ``…/{tenantid}/v2.0``; a token's own tid fills it."""
    return template.replace("{tenantid}", str(claims.get("tid", "")))


def account_email(claims: dict[str, Any]) -> str:
    """The address to show and to check the domain of: ``email``, else Entra's ``preferred_username`` (the UPN)."""
    for claim in ("email", "preferred_username"):
        value = str(claims.get(claim) or "").strip().lower()
        if "@" in value:
            return value
    return ""


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def email_vouched_for(claims: dict[str, Any]) -> bool:
    """Whether the provider vouches that the address is this person's: ``email_verified`` true; Entra ID's optional
    ``xms_edov`` claim true (the address's domain is verified by its owner: Entra never sends ``email_verified`` for
    work accounts); or a token from a tenant OIDC_ALLOWED_TENANTS lists, whose directory the portal trusts for its
    own people's addresses. Any other tenant could put any address in ``email``."""
    tenants = settings.OIDC_ALLOWED_TENANTS
    if tenants and str(claims.get("tid", "")).lower() in tenants:
        return True
    if "@" not in str(claims.get("email") or ""):
        return False  # the address would be the user name (UPN), which those claims don't speak for
    return _true(claims.get("email_verified")) or _true(claims.get("xms_edov"))


def refusal(claims: dict[str, Any]) -> str:
    """Why these claims may not sign in here, in words for the person; empty when they may."""
    tenants = settings.OIDC_ALLOWED_TENANTS
    if tenants and str(claims.get("tid", "")).lower() not in tenants:
        return (
            "Your organisation's Microsoft Entra ID tenant isn't allowed to sign in to this portal. Use your work "
            "account from an organisation the portal accepts, or ask the portal's administrator to add yours."
        )
    domains = settings.OIDC_ALLOWED_EMAIL_DOMAINS
    if domains:
        email = account_email(claims)
        domain = email.rpartition("@")[2]
        if email and not email_vouched_for(claims):
            return (
                "This portal lets organisations in by their e-mail domain only when the sign-in service vouches for "
                "the address, and yours didn't. Ask the portal's administrator: with Entra ID, the app registration "
                "can send the optional claim xms_edov, or your organisation's tenant can be listed."
            )
        if domain not in domains:
            shown = f"Accounts at {domain}" if domain else "Accounts without an e-mail address"
            return (
                f"{shown} can't sign in to this portal. Use your work account, or ask the portal's administrator "
                "to allow your organisation's domain."
            )
    return ""


def refuse(request: HttpRequest, message: str) -> None:
    """Leave the reason on the request for the callback page (the library only learns "no user")."""
    request.oidc_refusal = message  # type: ignore[attr-defined]


class OidcBackend(OIDCAuthenticationBackend):
    request: HttpRequest

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for every sign-in, passwords included: nothing here may call the provider,
        # so the library's own constructor (which reads the endpoints) is skipped and authenticate() does it.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "nonce" not in kwargs or not oidc_enabled():
            return None  # only the callback view passes a nonce: this is someone else's sign-in
        try:
            self.provider = provider_endpoints()
        except ProviderUnavailable:
            refuse(request, "Your organisation's sign-in service can't be reached right now. Please try again.")
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = self.provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = self.provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = self.provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation, KeyError, ValueError) as error:
            # A code used twice, a wrong PKCE verifier, a token for another client or from another issuer.
            logger.warning("OpenID Connect sign-in refused: %s", error)
            refuse(request, getattr(request, "oidc_refusal", "") or FAILED)
            return None
        return user

    def get_payload_data(self, token: bytes | str, key: Any) -> dict[str, Any]:
        """The ID token's claims once its signature, audience, issuer and lifetime all check out."""
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            leeway=CLOCK_SKEW,
        )
        if claims["iss"] != expected_issuer(self.provider.issuer, claims):
            raise SuspiciousOperation(f"ID token issued by {claims['iss']!r}, not the configured provider.")
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        # Entra ID puts tid, oid, name and the address in the ID token, already verified; its userinfo endpoint
        # (Microsoft Graph) adds nothing we use.
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        if reason := refusal(claims):
            logger.info("OpenID Connect sign-in refused for tenant %r: %s", claims.get("tid"), reason)
            refuse(self.request, reason)
            return None
        email = account_email(claims)
        user = account_sign_in_oidc(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            tenant=str(claims.get("tid", "")),
            email=email,
            display_name=str(claims.get(settings.OIDC_DISPLAY_NAME_CLAIM) or ""),
            username_hint=email or str(claims.get("preferred_username") or ""),
            email_vouched=bool(email) and email_vouched_for(claims),
        )
        if not user.is_active:
            refuse(self.request, "Your account on this portal is switched off. Ask the portal's administrator.")
            return None
        if memberships_follow_directory(user=user, claims=DirectoryClaims.from_id_token(claims)).groups_unread:
            logger.warning(
                "The ID token of %s names a groups source (_claim_names) instead of the groups (overage): memberships "
                "of teams mapped by group left as they were. Emit groups as app roles, or only groups assigned to the "
                "application.",
                user.get_username(),
            )
            messages.warning(self.request, GROUPS_UNREAD)
        return user
