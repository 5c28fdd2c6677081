from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from patterns.models import (
    Caution,
    ChecklistItem,
    ChecklistSection,
    ContentLoad,
    Fit,
    Pattern,
    PatternLink,
    QuestionWeight,
    Scenario,
)


class PatternLinkInline(admin.TabularInline):
    model = PatternLink
    extra = 0


class FitInline(admin.TabularInline):
    model = Fit
    extra = 0
    fields = ("question", "value", "level", "rationale")
    ordering = ("question", "value")


class CautionInline(admin.StackedInline):
    model = Caution
    extra = 0
    fields = ("title", "slug", "text", "source_url", "conditions")


class ExpectedScenarioInline(admin.StackedInline):
    model = Scenario
    fk_name = "expected_pattern"
    extra = 0
    fields = ("title", "slug", "description", "answers", "alternatives", "rationale")
    filter_horizontal = ("alternatives",)
    verbose_name = "scenario expecting this pattern"
    verbose_name_plural = "scenarios expecting this pattern"


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "family", "category", "interaction", "code_required", "tie_break", "is_active")
    list_filter = ("family", "category", "interaction", "code_required", "is_active")
    list_editable = ("tie_break", "is_active")
    search_fields = ("name", "slug", "summary", "description")
    ordering = ("family", "tie_break", "name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (PatternLinkInline, FitInline, CautionInline, ExpectedScenarioInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "family", "category", "interaction", "code_required", "is_active")}),
        ("Text (Markdown)", {"fields": ("summary", "description", "benefits", "drawbacks", "use_when")}),
        ("Ranking", {"fields": ("tie_break",)}),
    )


@admin.register(PatternLink)
class PatternLinkAdmin(admin.ModelAdmin):
    list_display = ("title", "pattern", "url", "position")
    list_filter = ("pattern__family", "pattern")
    search_fields = ("title", "url", "pattern__name")
    ordering = ("pattern__name", "position")
    list_select_related = ("pattern",)


@admin.register(Fit)
class FitAdmin(admin.ModelAdmin):
    list_display = ("pattern", "question", "value", "level", "rationale")
    list_filter = ("question", "level", "pattern__family", "pattern")
    list_editable = ("level",)
    search_fields = ("pattern__name", "value", "rationale")
    ordering = ("pattern__name", "question", "value")
    list_select_related = ("pattern",)


@admin.register(QuestionWeight)
class QuestionWeightAdmin(admin.ModelAdmin):
    list_display = ("question", "weight")
    list_editable = ("weight",)
    ordering = ("question",)
    search_fields = ("question",)


@admin.register(Caution)
class CautionAdmin(admin.ModelAdmin):
    list_display = ("title", "pattern", "slug", "conditions")
    list_filter = ("pattern__family", "pattern")
    search_fields = ("title", "text", "slug", "pattern__name")
    ordering = ("pattern__name", "title")
    list_select_related = ("pattern",)


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "expected_pattern")
    list_filter = ("expected_pattern__family", "expected_pattern")
    search_fields = ("title", "description", "slug", "rationale")
    ordering = ("title",)
    filter_horizontal = ("alternatives",)
    list_select_related = ("expected_pattern",)


class ChecklistItemInline(admin.StackedInline):
    model = ChecklistItem
    extra = 0
    fields = ("position", "title", "slug", "guidance")


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "position")
    list_editable = ("position",)
    search_fields = ("title",)
    ordering = ("position",)
    inlines = (ChecklistItemInline,)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "position")
    list_filter = ("section",)
    search_fields = ("title", "guidance")
    ordering = ("section__position", "position")
    list_select_related = ("section",)


@admin.register(ContentLoad)
class ContentLoadAdmin(admin.ModelAdmin):
    list_display = ("version", "loaded_at")
    ordering = ("-loaded_at",)
    search_fields = ("version", "summary")
    readonly_fields = ("version", "loaded_at", "summary")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ContentLoad | None = None) -> bool:
        return False
