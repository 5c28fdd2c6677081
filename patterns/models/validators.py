"""What a curated value must be, shared by the models, the admin and (through the migrations) the database's history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator

from patterns.ranking.capacity import VERDICTS as CAPACITY_VERDICTS
from patterns.requirements import CAPACITY_BY_NAME, QUESTIONS_BY_NAME, Requirements, RequirementsError

https_only = URLValidator(schemes=["https"])

# What the content checker accepts, so a slug saved in the admin can be published: Django's own slug validator lets
# underscores through, which publishing then refused.
catalog_slug = RegexValidator(
    r"\A[-a-zA-Z0-9]+\Z", "Use letters (a to z), digits and hyphens only: no underscores, spaces or accents."
)


LEARN = "https://learn.microsoft.com/"


def learn_only(url: str) -> None:
    """Limits, cautions and rules state platform facts: each cites the Microsoft Learn page that states it."""
    if not url.startswith(LEARN):
        raise ValidationError(f"Cite the Microsoft Learn page that states it ({LEARN}...).")


def validate_conditions(conditions: object) -> None:
    if not isinstance(conditions, dict):
        raise ValidationError("Use an object of question: [values].")
    for name, values in conditions.items():
        question = QUESTIONS_BY_NAME.get(name)
        if question is None:
            raise ValidationError(f"Unknown question {name!r}.")
        if not isinstance(values, list) or not values or any(v not in question.values for v in values):
            raise ValidationError(f"{name}: use a non-empty list of {', '.join(question.values)}.")


def validate_item_condition(condition: object) -> None:
    if not isinstance(condition, dict):
        raise ValidationError("Use an object with “answers” and/or “patterns”.")
    unknown = set(condition) - {"answers", "patterns", "capacity", "shared_capacity"}
    if unknown:
        raise ValidationError(
            f"Unknown keys: {', '.join(sorted(unknown))}. Use “answers”, “patterns”, “capacity” or “shared_capacity”."
        )
    for key in ("capacity", "shared_capacity"):
        verdicts = condition.get(key, [])
        if not isinstance(verdicts, list) or any(verdict not in CAPACITY_VERDICTS for verdict in verdicts):
            raise ValidationError(f"“{key}” must be a list of {', '.join(CAPACITY_VERDICTS)}.")
    if condition.get("shared_capacity") and set(condition) != {"shared_capacity"}:
        raise ValidationError("“shared_capacity” is about an environment, not one integration: use it alone.")
    if "answers" in condition:
        validate_conditions(condition["answers"])
    patterns = condition.get("patterns", [])
    if not isinstance(patterns, list) or not all(isinstance(slug, str) for slug in patterns):
        raise ValidationError("“patterns” must be a list of pattern slugs.")


def validate_answers(answers: object) -> None:
    try:
        Requirements.from_mapping(answers)
    except RequirementsError as error:
        raise ValidationError([f"{field}: {' '.join(messages)}" for field, messages in error.errors.items()]) from None


def validate_scopes(scopes: object) -> None:
    allowed = QUESTIONS_BY_NAME["scope"].values
    if not isinstance(scopes, list) or any(scope not in allowed for scope in scopes):
        raise ValidationError(f"Use a list of {', '.join(allowed)} (empty: every scope).")


def validate_goals(goals: object) -> None:
    allowed = QUESTIONS_BY_NAME["goal"].values
    if not isinstance(goals, list) or any(goal not in allowed for goal in goals):
        raise ValidationError(f"Use a list of {', '.join(allowed)} (empty: every goal).")


def validate_numbers(numbers: object) -> None:
    if not isinstance(numbers, dict):
        raise ValidationError('Use an object of number: {"min": n, "max": n}.')
    for name, bounds in numbers.items():
        if name not in CAPACITY_BY_NAME:
            raise ValidationError(f"Unknown number {name!r}. Use one of: {', '.join(CAPACITY_BY_NAME)}.")
        if not isinstance(bounds, dict) or not bounds or set(bounds) - {"min", "max"}:
            raise ValidationError(f"{name}: use an object with “min” and/or “max”.")
        for key, bound in bounds.items():
            if isinstance(bound, bool) or not isinstance(bound, int | float) or bound < 0:
                raise ValidationError(f"{name}.{key}: use a number from 0.")
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            raise ValidationError(f"{name}: min must not be above max.")
