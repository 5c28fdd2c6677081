"""Read-mostly admin views of the architects' records for support staff. History can't be changed here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from portal.models import Decision, HistoryEntry, Membership, Project, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "personal_for", "created_at")
    search_fields = ("name",)
    ordering = ("name",)
    inlines = (MembershipInline,)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "owner", "updated_at")
    list_filter = ("team",)
    search_fields = ("name", "description")
    ordering = ("-updated_at",)
    list_select_related = ("team", "owner")
    readonly_fields = ("owner", "created_at", "updated_at")


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("integration", "status", "chosen_pattern_name", "version", "updated_at")
    list_filter = ("status",)
    search_fields = ("integration__name", "rationale")
    ordering = ("-updated_at",)
    list_select_related = ("integration",)

    def has_change_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        return False  # decisions change through the workflow, which records history and checks versions


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "project", "actor", "action", "subject")
    list_filter = ("action",)
    search_fields = ("subject", "project__name")
    ordering = ("-created_at",)
    list_select_related = ("project", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: HistoryEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: HistoryEntry | None = None) -> bool:
        return False
