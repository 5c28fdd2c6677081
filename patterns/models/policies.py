"""The organisation's own integration policies, curated in the admin like rules: when the answers it names are given,
a policy prefers, avoids or forbids patterns (``patterns.ranking.policies``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from patterns.models.curated import Pattern
from patterns.models.validators import catalog_slug, https_only, validate_conditions
from patterns.ranking.policies import AVOID, FORBID, POLICY_EFFECTS, POLICY_POINTS, PREFER

POLICY_EFFECT_CHOICES = [
    (PREFER, f"Prefer it (+{POLICY_POINTS:g} points)"),
    (AVOID, f"Avoid it (-{POLICY_POINTS:g} points)"),
    (FORBID, "Forbid it (ruled out)"),
]


assert [value for value, _ in POLICY_EFFECT_CHOICES] == list(POLICY_EFFECTS)


class Policy(models.Model):
    """One of the organisation's own standards ("partner interfaces go through our integration platform"): when every
    answer it names is given, it prefers, avoids or forbids the patterns of its effects."""

    slug = models.SlugField(unique=True, validators=[catalog_slug])
    title = models.CharField(max_length=200, help_text="Shown with the patterns it applies to, on the results.")
    text = models.CharField(max_length=1000, help_text="Why, in a sentence or two, as the organisation states it.")
    source_url = models.URLField(
        "source", max_length=500, blank=True, validators=[https_only],
        help_text="The organisation's own page for the policy, if it has one (https).",
    )  # fmt: skip
    conditions = models.JSONField(
        "when",
        default=dict,
        blank=True,
        validators=[validate_conditions],
        help_text='Every answer listed must match, e.g. {"scope": ["ce_external"]}. Empty: every ranking.',
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title", "slug"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """The content file's rules (patterns.content.checker), so the admin can't save what a load would refuse;
        a policy's effects are its own rows (``PolicyEffect``), checked there and by the admin's inline."""
        self.conditions = self.conditions or {}  # the box left empty (or null, or []): every ranking
        errors: dict[str, str] = {}
        for name in ("title", "text"):
            if not getattr(self, name, "").strip():
                errors[name] = "Must be non-empty text."
        if errors:
            raise ValidationError(errors)


class PolicyEffect(models.Model):
    """What a policy does to one pattern."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="effects")
    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="policy_effects")
    effect = models.CharField(max_length=10, choices=POLICY_EFFECT_CHOICES)

    class Meta:
        ordering = ["policy", "pattern__name"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "pattern"], name="policy_effect_unique_pattern"),
            models.CheckConstraint(condition=models.Q(effect__in=POLICY_EFFECTS), name="policy_effect_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_effect_display()}: {self.pattern}"
