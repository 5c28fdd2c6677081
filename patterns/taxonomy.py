"""The catalog's enumerations, one per concept: app families, categories, interaction styles and fit levels.

Pure (no database), so the content checker, the recommender and the models share them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models


class Family(models.TextChoices):
    FNO = "fno", "Finance and operations apps"
    CE = "ce", "Customer engagement apps (Dataverse)"
    CROSS_APP = "cross_app", "Cross-app (finance and operations with Dataverse)"


class Category(models.TextChoices):
    DATA = "data", "Data"
    LOGIC = "logic", "Logic"
    EVENTS = "events", "Events"
    UI = "ui", "User interface"
    ANALYTICS = "analytics", "Analytics"
    DOCUMENTS = "documents", "Documents"
    PRODUCTIVITY = "productivity", "Productivity"
    CHANNELS = "channels", "Channels"


class Interaction(models.TextChoices):
    SYNCHRONOUS = "synchronous", "Synchronous"
    ASYNCHRONOUS = "asynchronous", "Asynchronous"
    BOTH = "both", "Synchronous or asynchronous"


class FitLevel(models.TextChoices):
    """How well a pattern fits one answer. EXCLUDED is a hard constraint: the pattern leaves the ranking."""

    STRONG = "strong", "Strong fit"
    GOOD = "good", "Good fit"
    NEUTRAL = "neutral", "Neutral"
    WEAK = "weak", "Weak fit"
    POOR = "poor", "Poor fit"
    EXCLUDED = "excluded", "Ruled out"


# The share of a question's weight that each level earns (EXCLUDED earns nothing and rules the pattern out).
LEVEL_POINTS: Mapping[str, float] = {
    FitLevel.STRONG.value: 1.0,
    FitLevel.GOOD.value: 0.75,
    FitLevel.NEUTRAL.value: 0.5,
    FitLevel.WEAK.value: 0.25,
    FitLevel.POOR.value: 0.0,
}
LEVEL_LABELS: Mapping[str, str] = {level.value: level.label for level in FitLevel}
