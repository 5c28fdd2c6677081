from __future__ import annotations

from typing import Any, cast

from django import forms

from patterns.catalog import CatalogFilters
from patterns.taxonomy import Category, Family, Interaction


def long_text(label: str, *, rows: int = 3, required: bool = True, help_text: str = "") -> forms.CharField:
    """A text area for prose (notes, reasons, rationales), at most 5,000 characters."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required,
                           max_length=5000, help_text=help_text)  # fmt: skip


class PublishForm(forms.Form):
    note = long_text("Change note")
    override_reason = long_text(
        "Publish anyway because…",
        rows=2,
        required=False,
        help_text="Only needed when a curated scenario no longer ranks its expected pattern first.",
    )


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, strip=True)
    family = forms.ChoiceField(label="App family", required=False, choices=[("", "All app families"), *Family.choices])
    category = forms.ChoiceField(label="Category", required=False, choices=[("", "All categories"), *Category.choices])
    interaction = forms.ChoiceField(
        label="Timing",
        required=False,
        choices=[("", "Synchronous or asynchronous"), *Interaction.choices[:2]],
    )

    def filters(self) -> CatalogFilters:
        """The valid filters; a field with a bad value is dropped (its error is shown next to it)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return CatalogFilters(
            family=data.get("family", ""),
            category=data.get("category", ""),
            interaction=data.get("interaction", ""),
            query=data.get("q", ""),
        )


class CompareForm(forms.Form):
    MIN, MAX = 2, 4
    p = forms.MultipleChoiceField(label="Patterns to compare", choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, patterns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = sorted(((p.slug, p.name) for p in patterns), key=lambda choice: choice[1])
        cast(forms.ChoiceField, self.fields["p"]).choices = choices

    def clean_p(self) -> list[str]:
        slugs = list(dict.fromkeys(self.cleaned_data["p"]))
        if not self.MIN <= len(slugs) <= self.MAX:
            raise forms.ValidationError(f"Choose from {self.MIN} to {self.MAX} patterns to compare.")
        return slugs
