"""The architects' records, by noun: teams (members, roles, invitations), projects (checklists, drafts,
integrations, history, milestones), decisions, notifications and API tokens; signing in has its tables in
portal.auth.models (group mappings among them). Everything is importable from here, as Django expects of an
app's models."""

from portal.auth.models import GroupMapping, OidcIdentity, RateLimitHit, UserSession, VerifiedEmail
from portal.models.accounts import AccountPreference
from portal.models.channels import (
    ChannelEvent,
    ChannelKind,
    OverdueDigestDay,
    TeamChannel,
    TeamTracker,
    TrackerKind,
)
from portal.models.decisions import Approval, Comment, Decision, DecisionStatus
from portal.models.notifications import Notification, NotificationKind, NotificationPreference
from portal.models.projects import (
    CLOSED_STATUSES,
    Environment,
    EnvironmentKind,
    HistoryEntry,
    Integration,
    Milestone,
    Project,
    ProjectChecklistEntry,
    TaskStatus,
    WizardDraft,
)
from portal.models.team_templates import TeamTemplate
from portal.models.teams import (
    CAPABILITIES,
    Capability,
    Invitation,
    Membership,
    MembershipSource,
    Role,
    Team,
    TeamHistoryEntry,
    can,
    roles_that_can,
)
from portal.models.tokens import ApiToken

__all__ = [
    "CAPABILITIES",
    "CLOSED_STATUSES",
    "AccountPreference",
    "ApiToken",
    "Approval",
    "Capability",
    "ChannelEvent",
    "ChannelKind",
    "Comment",
    "Decision",
    "DecisionStatus",
    "Environment",
    "EnvironmentKind",
    "GroupMapping",
    "HistoryEntry",
    "Integration",
    "Invitation",
    "Membership",
    "MembershipSource",
    "Milestone",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OidcIdentity",
    "OverdueDigestDay",
    "Project",
    "ProjectChecklistEntry",
    "RateLimitHit",
    "Role",
    "TaskStatus",
    "Team",
    "TeamChannel",
    "TeamHistoryEntry",
    "TeamTemplate",
    "TeamTracker",
    "TrackerKind",
    "UserSession",
    "VerifiedEmail",
    "WizardDraft",
    "can",
    "roles_that_can",
]
