from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from patterns.audit import curation_record, form_changes
from patterns.models import (
    CatalogVersion,
    Caution,
    ChecklistItem,
    ChecklistSection,
    ContentLoad,
    CurationEvent,
    Fit,
    Limit,
    Pattern,
    PatternLink,
    Policy,
    PolicyEffect,
    QuestionWeight,
    Rule,
    Scenario,
)


class PlainTextForm(forms.ModelForm):
    """Browsers submit textareas with CRLF line endings; curated text is stored with LF, as the content file has
    it, so saving a row unchanged changes nothing (and publish diffs don't show identical text as changed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):  # normalised before "has it changed?" is asked, too
                field.to_python = _with_lf(field.to_python)  # type: ignore[method-assign]


def _with_lf(to_python: Any) -> Any:
    def convert(value: Any) -> Any:
        text = to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text

    return convert


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete, inline rows included, as a CurationEvent."""

    form = PlainTextForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = form_changes(form)
        super().save_model(request, obj, form, change)
        if changes or not change:
            curation_record(actor=request.user, obj=obj, action="changed" if change else "added", changes=changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        curation_record(actor=request.user, obj=obj, action="deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            curation_record(actor=request.user, obj=obj, action="deleted")
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        before = []
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not formset._should_delete_form(inline_form):
                continue
            deleting = formset._should_delete_form(inline_form)
            before.append((inline_form, deleting, form_changes(inline_form) if not deleting else {}))
        deleted = [(f.instance, str(f.instance)) for f, deleting, _ in before if deleting and f.instance.pk]
        for instance, _ in deleted:
            curation_record(actor=request.user, obj=instance, action="deleted")
        super().save_formset(request, form, formset, change)
        for inline_form, deleting, changes in before:
            if deleting:
                continue
            action = "changed" if inline_form.initial else "added"
            curation_record(actor=request.user, obj=inline_form.instance, action=action, changes=changes)


class PatternLinkInline(admin.TabularInline):
    form = PlainTextForm
    model = PatternLink
    extra = 0


class FitInline(admin.TabularInline):
    form = PlainTextForm
    model = Fit
    extra = 0
    fields = ("question", "value", "scope", "level", "rationale", "source_url")
    ordering = ("question", "value", "scope")


class CautionInline(admin.StackedInline):
    form = PlainTextForm
    model = Caution
    extra = 0
    fields = ("title", "slug", "text", "source_url", "checked", "conditions")


class ExpectedScenarioInline(admin.StackedInline):
    form = PlainTextForm
    model = Scenario
    fk_name = "expected_pattern"
    extra = 0
    fields = ("title", "slug", "description", "answers", "alternatives", "rationale", "expected_fit")
    filter_horizontal = ("alternatives",)
    verbose_name = "scenario expecting this pattern"
    verbose_name_plural = "scenarios expecting this pattern"


@admin.register(Pattern)
class PatternAdmin(AuditedAdmin):
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
class PatternLinkAdmin(AuditedAdmin):
    list_display = ("title", "pattern", "url", "position")
    list_filter = ("pattern__family", "pattern")
    search_fields = ("title", "url", "pattern__name")
    ordering = ("pattern__name", "position")
    list_select_related = ("pattern",)


@admin.register(Fit)
class FitAdmin(AuditedAdmin):
    list_display = ("pattern", "question", "value", "scope", "level", "rationale")
    list_filter = ("question", "scope", "level", "pattern__family", "pattern")
    list_editable = ("level",)
    search_fields = ("pattern__name", "value", "rationale")
    ordering = ("pattern__name", "question", "value")
    list_select_related = ("pattern",)


@admin.register(QuestionWeight)
class QuestionWeightAdmin(AuditedAdmin):
    list_display = ("question", "weight")
    list_editable = ("weight",)
    ordering = ("question",)
    search_fields = ("question",)


@admin.register(Caution)
class CautionAdmin(AuditedAdmin):
    list_display = ("title", "pattern", "slug", "checked", "conditions")
    list_filter = ("pattern__family", "pattern")
    search_fields = ("title", "text", "slug", "pattern__name")
    ordering = ("pattern__name", "title")
    list_select_related = ("pattern",)


@admin.register(Scenario)
class ScenarioAdmin(AuditedAdmin):
    list_display = ("title", "slug", "expected_pattern", "expected_fit")
    list_filter = ("expected_pattern__family", "expected_pattern")
    search_fields = ("title", "description", "slug", "rationale")
    ordering = ("title",)
    filter_horizontal = ("alternatives",)
    list_select_related = ("expected_pattern",)


class ChecklistItemInline(admin.StackedInline):
    form = PlainTextForm
    model = ChecklistItem
    extra = 0
    fields = ("position", "title", "slug", "guidance")


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(AuditedAdmin):
    list_display = ("title", "slug", "position")
    list_editable = ("position",)
    search_fields = ("title",)
    ordering = ("position",)
    inlines = (ChecklistItemInline,)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedAdmin):
    list_display = ("title", "section", "position", "condition")
    list_filter = ("section",)
    search_fields = ("title", "guidance")
    ordering = ("section__position", "position")
    list_select_related = ("section",)


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "note", "published_by", "published_at")
    search_fields = ("note", "override_reason")
    ordering = ("-number",)
    readonly_fields = ("number", "note", "override_reason", "published_by", "published_at", "content_hash")
    exclude = ("content", "regression")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are made by publishing (the Publish page), never by hand

    def has_change_permission(self, request: HttpRequest, obj: CatalogVersion | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CatalogVersion | None = None) -> bool:
        return False


@admin.register(Limit)
class LimitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "value", "unit", "checked")
    list_filter = ("kind", "patterns")
    search_fields = ("name", "slug", "note", "source_url")
    filter_horizontal = ("patterns",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "patterns", "scopes", "goals")}),
        (
            "The limit",
            {"fields": ("kind", "value", "unit", "window_minutes", "rows_per_request", "read_rows_per_request")},
        ),
        ("Past the limit", {"fields": ("batch_rows", "batch_label", "scales_with", "guidance", "instead")}),
        ("Shared", {"fields": ("shared", "pool")}),
        ("Source", {"fields": ("source_url", "checked", "note")}),
    )


@admin.register(Rule)
class RuleAdmin(AuditedAdmin):
    list_display = ("title", "slug", "effect", "points", "cap", "checked")
    list_filter = ("effect", "patterns")
    search_fields = ("title", "slug", "text", "source_url")
    filter_horizontal = ("patterns",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "patterns")}),
        ("When", {"fields": ("conditions", "numbers")}),
        ("What it does", {"fields": ("effect", "points", "cap")}),
        ("Why", {"fields": ("text", "source_url", "checked")}),
    )


class PolicyForm(PlainTextForm):
    class Meta:
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "text": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "conditions": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }


class PolicyEffectFormSet(forms.BaseInlineFormSet):
    """A policy does something to at least one pattern, and to each pattern once (as the content file says it)."""

    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data.get("pattern") and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("Add at least one pattern the policy prefers, avoids or forbids.")


class PolicyEffectInline(admin.TabularInline):
    model = PolicyEffect
    formset = PolicyEffectFormSet
    extra = 1
    fields = ("pattern", "effect")
    verbose_name = "pattern it applies to"
    verbose_name_plural = "what it does to each pattern"


@admin.register(Policy)
class PolicyAdmin(AuditedAdmin):
    form = PolicyForm
    list_display = ("title", "slug", "applies_when", "effects_text")
    search_fields = ("title", "slug", "text")
    list_filter = ("effects__effect",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = (PolicyEffectInline,)
    fieldsets = (
        (None, {"fields": ("title", "slug")}),
        ("When", {"fields": ("conditions",)}),
        ("Why", {"fields": ("text", "source_url")}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("effects__pattern")

    @admin.display(description="when")
    def applies_when(self, policy: Policy) -> str:
        return "; ".join(f"{q}: {', '.join(v)}" for q, v in policy.conditions.items()) or "every ranking"

    @admin.display(description="what it does")
    def effects_text(self, policy: Policy) -> str:
        return "; ".join(f"{row.effect} {row.pattern.name}" for row in policy.effects.all())


@admin.register(CurationEvent)
class CurationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_type", "object_repr", "pattern")
    list_filter = ("action", "object_type", "pattern")
    search_fields = ("object_repr",)
    ordering = ("-created_at",)
    list_select_related = ("actor", "pattern")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CurationEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CurationEvent | None = None) -> bool:
        return False


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
