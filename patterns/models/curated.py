"""The curated draft: patterns with their fits and links, cautions, scenarios, question weights, limits, rules and
the checklist.

Curators edit these rows in the admin; ``manage.py loadcatalog`` fills them from patterns/content/catalog.json.
Each curated row keeps ``content_hash``, the hash of what the loader last wrote, so a later load can tell an admin
edit (current state differs from that hash) from an untouched row and never overwrite the edit silently."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from patterns.models.validators import (
    catalog_slug,
    https_only,
    learn_only,
    validate_answers,
    validate_conditions,
    validate_goals,
    validate_item_condition,
    validate_numbers,
    validate_scopes,
)
from patterns.ranking.capacity import KINDS as CAPACITY_KINDS
from patterns.ranking.capacity import SHARED, SUMMABLE_KINDS
from patterns.ranking.confidence import LEVELS
from patterns.ranking.snapshot import RULE_EFFECTS
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements
from patterns.taxonomy import Category, Family, FitLevel, Interaction

QUESTION_CHOICES = [(question.name, question.label) for question in QUESTIONS]


SCOPE_CHOICES = [("", "Every scope"), *((c.value, c.label) for c in QUESTIONS_BY_NAME["scope"].choices)]


SCENARIO_FIT_CHOICES = [("", "Not stated"), *((level, level.capitalize()) for level in LEVELS)]


class Pattern(models.Model):
    slug = models.SlugField(
        unique=True, validators=[catalog_slug], help_text="Stable identifier used by the API and saved rankings."
    )
    name = models.CharField(max_length=120)
    family = models.CharField(max_length=20, choices=Family.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    summary = models.CharField(max_length=300, help_text="One or two plain sentences shown on cards.")
    description = models.TextField(help_text="Markdown.")
    benefits = models.TextField(help_text="Markdown, usually a bullet list.")
    drawbacks = models.TextField(help_text="Markdown, usually a bullet list.")
    use_when = models.TextField("use when", help_text="Markdown, usually a bullet list.")
    interaction = models.CharField(max_length=20, choices=Interaction.choices)
    code_required = models.BooleanField(help_text="Does using it need developers (X++, C#, JavaScript)?")
    tie_break = models.PositiveSmallIntegerField(
        default=100, help_text="Curated preference between equal scores: lower ranks first."
    )
    is_active = models.BooleanField("active", default=True, help_text="Inactive patterns are hidden and never ranked.")
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family", "tie_break", "name"]

    def __str__(self) -> str:
        return self.name


class PatternLink(models.Model):
    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, validators=[https_only])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Fit(models.Model):
    """How well a pattern fits one answer to one question, and why: for every scope, or (``scope`` set) overriding
    that for one scope, when the level or the wording differs there."""

    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="fits")
    question = models.CharField(max_length=40, choices=QUESTION_CHOICES)
    value = models.CharField(max_length=40)
    scope = models.CharField(
        max_length=40,
        choices=SCOPE_CHOICES,
        blank=True,
        default="",
        help_text="Empty: holds for every scope. Otherwise this fit replaces the general one for that scope.",
    )
    level = models.CharField(max_length=20, choices=FitLevel.choices)
    rationale = models.CharField(max_length=300)
    source_url = models.URLField(
        "source", max_length=500, blank=True, validators=[https_only], help_text="The Learn page that backs the fit."
    )

    class Meta:
        ordering = ["pattern", "question", "value", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "question", "value", "scope"], name="fit_unique_answer_scope"),
            models.CheckConstraint(condition=models.Q(level__in=FitLevel.values), name="fit_known_level"),
        ]

    def __str__(self) -> str:
        where = f" [{self.scope}]" if self.scope else ""
        return f"{self.pattern}: {self.question}={self.value}{where} ({self.level})"

    def clean(self) -> None:
        question = QUESTIONS_BY_NAME.get(self.question)
        if question and self.value not in question.values:
            raise ValidationError({"value": f"Choose one of: {', '.join(question.values)}."})
        if self.scope and self.question == "scope":
            raise ValidationError({"scope": "The scope question's own fits hold for every scope."})
        general = Fit.objects.filter(pattern_id=self.pattern_id, question=self.question, value=self.value, scope="")
        if self.scope and self.pattern_id and not general.exclude(pk=self.pk).exists():
            raise ValidationError({"scope": "Add the fit for every scope first; this one replaces it for one scope."})


class QuestionWeight(models.Model):
    question = models.CharField(max_length=40, choices=QUESTION_CHOICES, unique=True)
    weight = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], help_text="How much this question counts in a score (0 to 10)."
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["question"]

    def __str__(self) -> str:
        return f"{self.get_question_display()}: {self.weight}"


class Caution(models.Model):
    """A platform limit or gotcha shown with a pattern, optionally only under certain answers."""

    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="cautions")
    slug = models.SlugField(validators=[catalog_slug])
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="Markdown.")
    source_url = models.URLField(max_length=500, validators=[https_only, learn_only])
    checked = models.DateField(
        null=True, blank=True, help_text="When the caution was last checked against its source (publishing needs it)."
    )
    conditions = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_conditions],
        help_text='Show only for these answers, e.g. {"volume": ["medium", "high"]}. Empty: always.',
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["pattern", "title"]
        constraints = [models.UniqueConstraint(fields=["pattern", "slug"], name="caution_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.conditions = self.conditions or {}  # the box left empty (or null, or []): always


class Scenario(models.Model):
    """A curated situation with the answers an architect would give and the pattern an expert would pick."""

    slug = models.SlugField(unique=True, validators=[catalog_slug])
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="Markdown.")
    answers = models.JSONField(validators=[validate_answers], help_text="A requirements object, as in the JSON API.")
    expected_pattern = models.ForeignKey(Pattern, on_delete=models.PROTECT, related_name="expected_in")
    alternatives = models.ManyToManyField(Pattern, blank=True, related_name="alternative_in")
    rationale = models.TextField(help_text="Markdown: why an expert picks the expected pattern.")
    expected_fit = models.CharField(
        max_length=10,
        choices=SCENARIO_FIT_CHOICES,
        blank=True,
        help_text="The confidence an expert expects for the first option (partial or none for contradictory needs).",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def requirements(self) -> Requirements:
        return Requirements.from_mapping(self.answers)


SHARED_CHOICES = [(shared, text) for shared, text in SHARED.items()]


class Limit(models.Model):
    """A platform limit with its value and source, attached to the patterns that run into it; the capacity check
    (patterns.ranking.capacity) compares an integration's numbers with it."""

    slug = models.SlugField(unique=True, validators=[catalog_slug])
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=40,
        choices=[(kind, kind.replace("_", " ")) for kind in CAPACITY_KINDS],
        help_text="How the numbers are compared with the value.",
    )
    value = models.FloatField(validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=40)
    window_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="For limits per time window.")
    rows_per_request = models.FloatField(
        default=1,
        validators=[MinValueValidator(0.001)],
        help_text="Records one request carries as the pattern is usually used.",
    )
    read_rows_per_request = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Records a read request returns (a page) when data only leaves Dynamics 365.",
    )
    batch_rows = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Records per request when batched (bulk messages, $batch), if it helps.",
    )
    batch_label = models.CharField(max_length=200, blank=True, help_text="How batching is done, in words.")
    scales_with = models.CharField(
        max_length=200,
        blank=True,
        help_text="What takes a design past the limit: more users or connections (within ten times it), or, for a "
        "cap on one query, one run, the legal entities or a message's size, another way of doing it (a filter, a data "
        "migration, a message with the row's key only). Then it's near, not over.",
    )
    guidance = models.BooleanField(
        default=False,
        help_text="Microsoft's guidance figure rather than a limit the platform enforces (past it: near).",
    )
    instead = models.CharField(
        max_length=200, blank=True, help_text="For a guidance figure: what to use instead, far (10 times) past it."
    )
    scopes = models.JSONField(default=list, blank=True, validators=[validate_scopes], help_text="Empty: every scope.")
    goals = models.JSONField(default=list, blank=True, validators=[validate_goals], help_text="Empty: every goal.")
    shared = models.CharField(
        max_length=20,
        blank=True,
        choices=SHARED_CHOICES,
        help_text="What shares it, if anything: an environment's integrations are checked against it together.",
    )
    pool = models.CharField(
        max_length=50,
        blank=True,
        validators=[catalog_slug],
        help_text="For a shared limit: the budget it is one of, when the platform counts several limits as one "
        "(a slug; limits of one pool are summed together and must agree on value, unit, window and sharing). "
        "Empty: its own.",
    )
    note = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, validators=[https_only, learn_only])
    checked = models.DateField(help_text="When the value was last checked against the source.")
    patterns = models.ManyToManyField(Pattern, related_name="limits")
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The content file's rules (patterns.content.schema), so the admin can't save what a load would refuse."""
        errors: dict[str, str] = {}
        if self.value is not None and self.value <= 0:
            errors["value"] = "Must be above 0."
        if self.kind == "requests_per_window" and not self.window_minutes:
            errors["window_minutes"] = "A limit per window needs its window."
        if self.batch_rows is not None and self.batch_rows < 1:
            errors["batch_rows"] = "At least 1 record per batched request."
        if self.batch_rows is not None and not self.batch_label.strip():
            errors["batch_label"] = "Say how batching is done."
        if self.shared and self.kind not in SUMMABLE_KINDS:
            errors["shared"] = f"Only a limit that adds up can be shared ({', '.join(SUMMABLE_KINDS)})."
        if self.pool and not self.shared:
            errors["pool"] = "Only a shared limit has a pool: say what shares it, or leave the pool empty."
        if errors:
            raise ValidationError(errors)


RULE_EFFECT_CHOICES = [
    ("exclude", "Rule the patterns out"),
    ("cap", "Cap the fit a first option can have"),
    ("points", "Move the patterns' scores"),
]


RULE_CAP_CHOICES = [("partial", "Partial"), ("none", "None")]


assert [value for value, _ in RULE_EFFECT_CHOICES] == list(RULE_EFFECTS)


class Rule(models.Model):
    """An interaction between answers (and numbers) that per-answer fits can't say: when every condition holds, the
    rule rules its patterns out, caps the fit level they can reach as the first option, or moves their scores."""

    slug = models.SlugField(unique=True, validators=[catalog_slug])
    title = models.CharField(max_length=200, help_text="Shown as the reason's heading on the results.")
    text = models.CharField(max_length=400, help_text="Why, in a sentence or two, as the source states it.")
    source_url = models.URLField(max_length=500, validators=[https_only, learn_only])
    checked = models.DateField(help_text="When the rule was last checked against its source.")
    patterns = models.ManyToManyField(Pattern, related_name="rules")
    effect = models.CharField(max_length=20, choices=RULE_EFFECT_CHOICES)
    points = models.FloatField(
        null=True, blank=True, help_text="For “points”: added to the score (negative to lower it), -50 to 50."
    )
    cap = models.CharField(
        max_length=10,
        choices=RULE_CAP_CHOICES,
        blank=True,
        help_text="For “cap” (optional with “points”): the best fit a first option it applies to can have.",
    )
    conditions = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_conditions],
        help_text='Every answer listed must match, e.g. {"timing": ["synchronous"], "volume": ["high"]}.',
    )
    numbers = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_numbers],
        help_text='Every number listed must be given and within, e.g. {"peak_records_per_hour": {"min": 50000}}.',
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title", "slug"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """The content file's rules (patterns.content.schema), so the admin can't save what a load would refuse."""
        self.conditions, self.numbers = self.conditions or {}, self.numbers or {}  # a box left empty, null or []
        errors: dict[str, str] = {}
        if self.effect == "points":
            if self.points is None or not 0 < abs(self.points) <= 50:
                errors["points"] = "Give the points to move: from -50 to 50, not 0."
        elif self.points is not None:
            errors["points"] = "Only a rule whose effect is “points” moves points."
        if self.effect == "cap" and not self.cap:
            errors["cap"] = "Say which fit level a first option is capped at."
        elif self.effect == "exclude" and self.cap:
            errors["cap"] = "A rule that rules patterns out has no cap."
        if not self.conditions and not self.numbers:
            errors["conditions"] = "A rule needs at least one condition (answers or numbers)."
        if errors:
            raise ValidationError(errors)


class ChecklistSection(models.Model):
    slug = models.SlugField(unique=True, validators=[catalog_slug])
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    slug = models.SlugField(unique=True, validators=[catalog_slug])
    title = models.CharField(max_length=300)
    guidance = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0)
    condition = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_item_condition],
        help_text="Empty: every project. Otherwise the task applies when one integration matches, e.g. "
        '{"patterns": ["odata", "custom-services"]} (its chosen or top pattern) or {"answers": {"deployment": '
        '["on_premises"]}} or {"capacity": ["near_limit", "over_limit"]} (the capacity check of that pattern); every '
        "key given must match.",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["section__position", "position", "id"]

    def __str__(self) -> str:
        return self.title
