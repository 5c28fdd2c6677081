"""The architects' records: wizard drafts, projects, saved integrations with their ranking, checklist copies,
and personal API tokens."""

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
        default=timezone.now,
        help_text="The team's own revision: moved by every change to its members or invitations.",
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


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class Project(models.Model):
    role: str  # the viewer's role in the project's team, annotated by portal.access

    # No index of its own: the (team, updated, id) index below starts with it and serves every lookup by team.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="projects", db_index=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects", help_text="Who created it."
    )
    required_approvals = models.PositiveSmallIntegerField(
        default=1, help_text="Reviewer approvals a decision needs before it can be accepted."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # A team's projects newest first (the team dashboard; it also serves every lookup by team).
            models.Index(fields=["team", "-updated_at", "-id"], name="project_team_recent"),
            # "My projects" across many teams newest first: read in this order and stopped at the page, instead of
            # sorting every project of every team (53 ms -> 0.2 ms at 100,000 projects; EXPLAIN in `make bench`).
            models.Index(fields=["-updated_at", "-id"], name="project_recent"),
        ]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# A task that needs no more work: done, or not applicable (with a reason).
CLOSED_STATUSES = frozenset({TaskStatus.DONE.value, TaskStatus.NOT_APPLICABLE.value})


class ProjectChecklistEntry(models.Model):
    """A copy of one curated checklist task, taken when the project was created, so later curation doesn't
    change what a project committed to."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist_entries")
    section_slug = models.SlugField()
    section_title = models.CharField(max_length=200)
    section_position = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=300)
    guidance = models.TextField()
    position = models.PositiveSmallIntegerField()
    condition = models.JSONField(
        default=dict, blank=True, help_text="Copied from a conditional catalog task: when it applies to the project."
    )
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    not_applicable_reason = models.CharField(max_length=300, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; refuses stale saves.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["section_position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="checklist_entry_unique_task"),
            models.CheckConstraint(
                condition=~models.Q(status=TaskStatus.NOT_APPLICABLE) | ~models.Q(not_applicable_reason=""),
                name="checklist_entry_na_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class WizardDraft(models.Model):
    """The wizard's answers so far, saved at every step so nothing is lost between sessions."""

    title: str  # what the start page calls it, set by portal.selectors.open_drafts

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wizard_drafts")
    answers = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=1)
    # The curated scenario it started from, by slug and the catalog version that had it: a draft never points at
    # the curators' draft rows, which may change or go.
    scenario_slug = models.SlugField(blank=True)
    catalog_version = models.CharField(max_length=80, blank=True)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, help_text="Add the result to this project."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Draft {self.pk} of {self.owner}"


class Integration(models.Model):
    """One integration need with the ranking the team saw, frozen as a snapshot."""

    role: str  # the viewer's role in the project's team, annotated by portal.access
    new_first_pick: str | None  # the published catalog's different first pick, set by portal.selectors

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=200)
    # The systems at each end, named by the team (optional): the project's landscape draws them as nodes.
    source_system = models.CharField(max_length=100, blank=True, help_text="Where the data or call starts.")
    target_system = models.CharField(max_length=100, blank=True, help_text="Where it arrives.")
    requirements = models.JSONField()
    ranking = models.JSONField(help_text="The ranking as saved: options, reasons, cautions, exclusions.")
    catalog_version = models.CharField(max_length=80)
    reviewed_catalog_version = models.CharField(
        max_length=80,
        blank=True,
        help_text="The catalog version whose ranking the team looked at and chose not to adopt.",
    )
    top_pattern_slug = models.SlugField(blank=True)
    top_pattern_name = models.CharField(max_length=120, blank=True)
    ranked_at = models.DateTimeField()
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who ranked it last: the creator, or whoever adopted a newer catalog's ranking.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The draft this came from: unique, so submitting the same draft twice can't save two integrations.
    source_draft = models.OneToOneField(
        WizardDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="integration"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token in lists.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="After this the token no longer works.")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"
    DEPRECATED = "deprecated", "Deprecated"


class Decision(models.Model):
    """The team's decision on one integration, in the spirit of an architecture decision record."""

    integration = models.OneToOneField(Integration, on_delete=models.CASCADE, related_name="decision")
    status = models.CharField(max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED)
    chosen_pattern_slug = models.SlugField()
    chosen_pattern_name = models.CharField(max_length=120)
    justification = models.TextField(blank=True, help_text="Required when the chosen pattern isn't the top-ranked one.")
    rationale = models.TextField()
    consequences = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who moved it to its current status and when (accepting and rejecting also set decided_by/decided_at).
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True, help_text="Why it was rejected (required then).")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; approvals count per version.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.chosen_pattern_name}"

    @property
    def is_proposed(self) -> bool:
        return self.status == DecisionStatus.PROPOSED

    @property
    def is_accepted(self) -> bool:
        return self.status == DecisionStatus.ACCEPTED

    @property
    def is_history(self) -> bool:
        """Superseded or deprecated: kept as a record, never edited again."""
        return self.status in {DecisionStatus.SUPERSEDED, DecisionStatus.DEPRECATED}


class Approval(models.Model):
    """A reviewer's approval of one version of a decision; a changed decision needs fresh approvals."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="approvals")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "reviewer", "decision_version"], name="approval_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} approved version {self.decision_version}"


class Comment(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.integration}"


class HistoryEntry(models.Model):
    """Append-only record of a change to a project: who, what, when, before and after. Never updated."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The integration it concerns, when it concerns one: a decision's status history reads these.
    integration = models.ForeignKey(
        "Integration", null=True, blank=True, on_delete=models.SET_NULL, related_name="history_entries"
    )
    action = models.CharField(max_length=60)
    subject = models.CharField(max_length=200, help_text="What changed, in words.")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "history entries"

    def __str__(self) -> str:
        return f"{self.action}: {self.subject}"


class Milestone(models.Model):
    """A named snapshot of a project: rankings, decisions and checklist state at one moment."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class NotificationKind(models.TextChoices):
    REVIEW_REQUESTED = "review_requested", "A decision waits for my review"
    DECISION_ACCEPTED = "decision_accepted", "A decision I proposed or approved is accepted"
    DECISION_REJECTED = "decision_rejected", "A decision I proposed or approved is rejected"
    DECISION_SUPERSEDED = "decision_superseded", "A decision I proposed or approved is superseded"
    MENTIONED = "mentioned", "Someone mentions me (@username) in a comment"
    TASK_ASSIGNED = "task_assigned", "A checklist task is assigned to me"
    TASK_OVERDUE = "task_overdue", "A checklist task of mine is overdue"


class Notification(models.Model):
    """Something a member should know about in one of their projects: in the inbox, by e-mail, or both."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="A path inside the portal.")
    # Reminders that must go out once only (an overdue task per due date) carry a key.
    key = models.CharField(max_length=120, blank=True)
    in_inbox = models.BooleanField(default=True)
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="notification_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.message}"


class NotificationPreference(models.Model):
    """A member's choice for one kind of notification; no row means both channels are on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    inbox = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} (inbox {self.inbox}, e-mail {self.email})"


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
