"""The tables of signing in: who an account is at an OpenID Connect provider, the browser sessions a user has, the
throttled attempts every worker counts, and which directory groups give which team roles. They belong to the portal
app (``portal.models`` imports them), so their tables and migrations are the portal's."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from portal.models.teams import Role

OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


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


class GroupMapping(models.Model):
    """A directory group (its object id in the ID token's ``groups`` claim) or an app role (its value in the
    ``roles`` claim) that makes its members members of a team with a role, applied at each OpenID Connect sign-in
    (``portal.services.directory``). Staff keep these in the admin."""

    class Claim(models.TextChoices):
        GROUPS = "groups", "Group (the groups claim)"
        ROLES = "roles", "App role (the roles claim)"

    claim = models.CharField(max_length=10, choices=Claim.choices, default=Claim.GROUPS)
    value = models.CharField(
        max_length=255,
        help_text="For a group, its Object ID (Entra admin center > Groups > the group > Overview); for an app role, "
        "its Value (App registrations > the app > App roles).",
    )
    label = models.CharField(
        "name",
        max_length=100,
        blank=True,
        help_text="The group's or role's name, for people: the team's history names it (the token carries the id).",
    )
    tenant = models.CharField(
        max_length=64,
        blank=True,
        help_text="Only sign-ins from this Directory (tenant) ID. Required for an app role or a group named other than "
        "by its object id when more than one tenant can sign in: another tenant's administrator assigns those.",
    )
    team = models.ForeignKey("portal.Team", on_delete=models.CASCADE, related_name="group_mappings")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "claim", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "value", "tenant", "team"],
                name="group_mapping_unique",
                violation_error_message="This team already has a mapping for this group or app role.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label or self.value} → {self.team} ({self.role})"

    @property
    def name(self) -> str:
        """How the team's history names it."""
        kind = "Entra ID group" if self.claim == self.Claim.GROUPS else "app role"
        return f"{kind} {self.label or self.value}"

    @property
    def assigned_by_any_tenant(self) -> bool:
        """An app role, or a group named other than by its object id: every tenant's administrators decide who has
        one of that name, so the mapping trusts one tenant only (``portal.services.directory`` matches it so)."""
        return self.claim == self.Claim.ROLES or not OBJECT_ID.match(self.value)

    def clean(self) -> None:
        self.value, self.tenant, self.label = self.value.strip(), self.tenant.strip().lower(), self.label.strip()
        if self.claim == self.Claim.GROUPS:
            self.value = self.value.lower()  # object ids (and on-premises names) compare without case
        errors: dict[str, str] = {}
        if self.team_id is not None and self.team.personal_for_id is not None:
            errors["team"] = "This is someone's personal team: map groups to a shared team."
        tenants = settings.OIDC_ALLOWED_TENANTS
        if self.tenant and tenants and self.tenant not in tenants:
            errors["tenant"] = "This tenant can't sign in here: it isn't in OIDC_ALLOWED_TENANTS."
        if self.assigned_by_any_tenant and not self.tenant and len(tenants) == 1:
            self.tenant = tenants[0]  # written down: a tenant allowed later must not be able to hand it out
        if self.assigned_by_any_tenant and not self.tenant and len(tenants) != 1:
            errors["tenant"] = (
                "More than one tenant can sign in to this portal, and each tenant's administrators choose who has "
                "an app role or a group of that name: give the tenant (Directory ID) this mapping trusts."
            )
        if errors:
            raise ValidationError(errors)
