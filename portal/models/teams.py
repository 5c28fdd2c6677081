"""Teams, their members and roles (what each role may do), invitations to join, and the team's own history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Team(models.Model):
    role: str  # the viewer's role, set by portal.access
    name = models.CharField(max_length=200)
    personal_for = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_team",
        help_text="Set on the team every user gets for their own projects.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(
        default=timezone.now, help_text="When its members or invitations last changed (shown, never used as a key)."
    )
    revision = models.PositiveBigIntegerField(
        default=0,
        help_text="Counts every recorded change to its members or invitations, in the same transaction as the change: "
        "with its projects' revisions it keys what is cached of its pages (portal.caching).",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (reads)"
    CONTRIBUTOR = "contributor", "Contributor (edits integrations, checklist, comments; proposes decisions)"
    REVIEWER = "reviewer", "Reviewer (contributor who also approves decisions)"
    OWNER = "owner", "Owner (everything, plus members and settings)"


class Capability(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    REVIEW = "review", "Review"
    MANAGE = "manage", "Manage"


# What each role may do; views ask for a capability, never for a role name.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({Capability.READ}),
    Role.CONTRIBUTOR: frozenset({Capability.READ, Capability.WRITE}),
    Role.REVIEWER: frozenset({Capability.READ, Capability.WRITE, Capability.REVIEW}),
    Role.OWNER: frozenset({Capability.READ, Capability.WRITE, Capability.REVIEW, Capability.MANAGE}),
}


def can(role: str | None, capability: str) -> bool:
    return role is not None and capability in CAPABILITIES[role]


def roles_that_can(capability: str) -> list[str]:
    return [role for role, capabilities in CAPABILITIES.items() if capability in capabilities]


class MembershipSource(models.TextChoices):
    """Who keeps a membership: an owner by hand (the team page, an invitation) or the organisation's directory
    (Microsoft Entra ID groups or app roles mapped to the team, read at each sign-in: portal.services.directory)."""

    HAND = "hand", "By hand (the team page or an invitation)"
    DIRECTORY = "directory", "Entra ID: follows the person's groups at each sign-in"
    KEPT = "kept", "Entra ID no longer grants it, kept as the team's last owner"


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    source = models.CharField(
        max_length=10,
        choices=MembershipSource.choices,
        default=MembershipSource.HAND,
        help_text="Whether the directory manages it: a membership a group mapping made changes and goes with the "
        "person's groups; one made by hand stays until a mapping of its team covers the person.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class Invitation(models.Model):
    """An owner's invitation to join a team with a role, sent to an e-mail address. The link carries a signed
    token naming this row and its nonce; it works once, until ``expires_at``, unless revoked."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="Where the link was sent (lower case).")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    nonce = models.CharField(max_length=32, unique=True, help_text="Signed into the link: binds it to this row.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.team} ({self.role})"


class TeamHistoryEntry(models.Model):
    """Append-only record of a change to a team itself (members, invitations, connections, projects moved in or
    out): who, what, when, before and after, shown on the team's history page even while it has no project. Each is
    also copied into the history of the team's projects (``portal.services.history``). Never updated."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60)
    subject = models.CharField(max_length=200, help_text="What changed, in words.")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "team history entries"
        indexes = [models.Index(fields=["team", "-created_at", "-id"], name="team_history_newest_first")]

    def __str__(self) -> str:
        return f"{self.action}: {self.subject}"
