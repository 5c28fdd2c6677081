"""Projects and what they hold: the tracked checklist, wizard drafts, saved integrations with their ranking, the
history and milestones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from portal.models.teams import Team


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
    revision = models.PositiveBigIntegerField(
        default=0,
        help_text="Counts every recorded change to the project, in the same transaction as the change: it keys what "
        "is cached of its pages (portal.caching), so a reader sees the old count with the old content or the new one "
        "with the new.",
    )

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
    work_item_kind = models.CharField(max_length=20, blank=True, help_text="The tracker it was sent to (TrackerKind).")
    work_item_id = models.CharField(max_length=40, blank=True, help_text="Its work item's id (Azure) or key (Jira).")
    work_item_url = models.URLField(max_length=500, blank=True, help_text="Its work item, to open.")

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

    title: str  # what the start page calls it, set by portal.selectors.drafts.open_drafts
    goal_label: str  # its goal in words, set there too

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
    revision = models.PositiveBigIntegerField(
        default=0,
        help_text="Counts every recorded change to the project, in the same transaction as the change: it keys what "
        "is cached of its pages (portal.caching), so a reader sees the old count with the old content or the new one "
        "with the new.",
    )

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Draft {self.pk} of {self.owner}"


class EnvironmentKind(models.TextChoices):
    FINANCE_AND_OPERATIONS = "fno", "Finance and operations"
    DATAVERSE = "dataverse", "Dataverse"


class Environment(models.Model):
    """A finance and operations or Dataverse environment the project's integrations run in: the limits it shares
    (data events, Synapse Link tables, an identity's service protection budget) are checked against their sum."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="environments")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=EnvironmentKind.choices)
    production = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Names are found whatever their case (the inventory's environment column), so two may not differ only
            # in case.
            models.UniqueConstraint(
                "project", Lower("name"), name="environment_unique_name_any_case",
                violation_error_message="The project already has an environment by that name.",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Integration(models.Model):
    """One integration need with the ranking the team saw, frozen as a snapshot."""

    role: str  # the viewer's role in the project's team, annotated by portal.access

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=200)
    # The systems at each end, named by the team (optional): the project's landscape draws them as nodes.
    source_system = models.CharField(max_length=100, blank=True, help_text="Where the data or call starts.")
    target_system = models.CharField(max_length=100, blank=True, help_text="Where it arrives.")
    environment = models.ForeignKey(
        Environment, null=True, blank=True, on_delete=models.SET_NULL, related_name="integrations",
        help_text="The environment it runs in: its numbers count against the limits the environment shares.",
    )  # fmt: skip
    identity = models.CharField(
        max_length=100, blank=True,
        help_text="The account it runs as (an application user): integrations that share one share its budget.",
    )  # fmt: skip
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
    # Read out of the saved ranking when it is saved, so lists that count or filter by them (the portfolio, the
    # checklist's conditions) don't parse every ranking: the fit level and the first option's capacity verdict.
    fit_level = models.CharField(max_length=20, blank=True)
    top_capacity_verdict = models.CharField(max_length=20, blank=True)
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
