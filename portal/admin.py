"""Read-only admin views of the architects' records for support staff, and the directory's group mappings.

Teams, memberships, projects, decisions, approvals, comments and history change only through the product's pages
and services, which check roles and versions and write history; the admin can look, never add, change or delete.
A user is never deleted here either (their name stays on decisions and history): deactivating them is the action.
Group mappings (an Entra ID group or app role → a team and a role) are the one thing staff edit here: they take
effect at each person's next sign-in, through portal.services.directory, which writes the team's history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from portal.models import (
    Approval,
    Comment,
    Decision,
    GroupMapping,
    HistoryEntry,
    Membership,
    Project,
    Team,
    TeamHistoryEntry,
)
from portal.services.accounts import account_names_changed


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: the change page shows the record, with no save or delete button."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "source", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "personal_for", "created_at")
    search_fields = ("name",)
    ordering = ("name",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("team", "user", "role", "source", "created_at")
    list_filter = ("role", "source")
    search_fields = ("team__name", "user__username")
    list_select_related = ("team", "user")


@admin.register(GroupMapping)
class GroupMappingAdmin(admin.ModelAdmin):
    """Staff map a directory group or app role to a team and a role. The model's clean() and its unique constraint
    refuse what can't work (a personal team, a tenant that can't sign in, a tenant-chosen name without its tenant)."""

    list_display = ("team", "role_name", "kind", "value", "label", "tenant", "created_at")
    list_filter = ("claim", "role")
    search_fields = ("value", "label", "team__name")
    list_select_related = ("team",)
    fieldsets = (
        (
            None,
            {
                "fields": ("claim", "value", "label", "tenant", "team", "role"),
                "description": "Everyone whose Microsoft Entra ID sign-in carries this group (or app role) becomes a "
                "member of the team with this role at their next sign-in, and leaves it when the group goes. A "
                "person in several groups mapped to a team gets the highest role. Members the team added by hand "
                "stay as they are unless one of their groups is mapped to the team; the team's last owner is never "
                "removed. Deleting a team's last mapping takes away the memberships the directory made there, at "
                "each person's next sign-in. An app role, or a group named other than by its object id, is given the "
                "tenant when only one can sign in. Every change is in the team's history.",
            },
        ),
    )

    @admin.display(description="role", ordering="role")
    def role_name(self, mapping: GroupMapping) -> str:
        return mapping.role  # the short name: the list stays readable

    @admin.display(description="claim", ordering="claim")
    def kind(self, mapping: GroupMapping) -> str:
        return "group" if mapping.claim == GroupMapping.Claim.GROUPS else "app role"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "team":
            kwargs["queryset"] = Team.objects.filter(personal_for__isnull=True)  # shared teams only
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "team", "owner", "updated_at")
    list_filter = ("team",)
    search_fields = ("name", "description")
    ordering = ("-updated_at",)
    list_select_related = ("team", "owner")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("integration", "status", "chosen_pattern_name", "version", "updated_at")
    list_filter = ("status",)
    search_fields = ("integration__name", "rationale")
    ordering = ("-updated_at",)
    list_select_related = ("integration",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("decision", "reviewer", "decision_version", "created_at")
    list_select_related = ("decision__integration", "reviewer")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("integration", "author", "created_at")
    search_fields = ("body", "integration__name")
    list_select_related = ("integration", "author")


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "actor", "action", "subject")
    list_filter = ("action",)
    search_fields = ("subject", "project__name")
    ordering = ("-created_at",)
    list_select_related = ("project", "actor")


@admin.register(TeamHistoryEntry)
class TeamHistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "team", "actor", "action", "subject")
    list_filter = ("action",)
    search_fields = ("subject", "team__name")
    ordering = ("-created_at",)
    list_select_related = ("team", "actor")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Users are deactivated, never deleted: decisions, comments and history keep naming who did what."""

    actions = ("deactivate",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and {"username", "first_name", "last_name"} & set(form.changed_data):
                account_names_changed(user=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description="Deactivate the selected users (they can't sign in; their history stays theirs)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, f"Deactivated {count} user{'s' if count != 1 else ''}.", messages.SUCCESS)
