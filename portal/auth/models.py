"""The tables of signing in: who an account is at an OpenID Connect provider, the browser sessions a user has, and
the throttled attempts every worker counts. They belong to the portal app (``portal.models`` imports them), so their
tables and migrations are the portal's."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OidcIdentity(models.Model):
    """Who an account is at an OpenID Connect provider (Microsoft Entra ID): the issuer and the subject it vouches
    for, which never change for that person, unlike an e-mail address or a display name."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(max_length=300, help_text="The ID token's iss (for Entra ID it names the tenant).")
    subject = models.CharField(max_length=255, help_text="The ID token's sub.")
    tenant = models.CharField(max_length=64, blank=True, help_text="Entra ID's tid claim, when sent.")
    email = models.EmailField(blank=True, help_text="As the provider last sent it; never used to match.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique_subject")]
        verbose_name = "OpenID Connect identity"
        verbose_name_plural = "OpenID Connect identities"

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"


class UserSession(models.Model):
    """A signed-in browser session of a user, so they can see where they are signed in and end any of them.
    Deleting the session (sign-out, expiry clean-up, revocation) deletes this row with it."""

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, primary_key=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    method = models.CharField(max_length=20, help_text="How they signed in: password or the provider's name.")
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class RateLimitHit(models.Model):
    """One counted attempt of a throttled action (sending an invitation, opening or accepting one, signing up,
    a wrong current password), kept in the database so every worker process sees the same count."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200, help_text="Whose attempts: a user id, an address or an e-mail.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"], name="rate_limit_hit_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} at {self.created_at:%H:%M:%S}"


class VerifiedEmail(models.Model):
    """An e-mail address an account has shown to be its own: its OpenID Connect provider vouched for it
    (``email_verified``, Entra ID's ``xms_edov``, or a tenant the portal lists), it signed up through an invitation
    link mailed there, or it opened a confirmation link mailed there. Only these addresses accept invitations."""

    class How(models.TextChoices):
        PROVIDER = "provider", "the sign-in provider vouched for it"
        INVITATION = "invitation", "signed up through an invitation link mailed to it"
        CONFIRMATION = "confirmation", "opened a confirmation link mailed to it"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_emails")
    email = models.EmailField(help_text="Lower case.")
    how = models.CharField(max_length=20, choices=How.choices)
    verified_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "email"], name="verified_email_unique")]
        indexes = [models.Index(fields=["email"], name="verified_email_address")]

    def __str__(self) -> str:
        return f"{self.email} of {self.user}"
