"""Model validation that keeps curated data inside the vocabulary."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from patterns.models import Caution, Fit, Pattern, Scenario

pytestmark = pytest.mark.django_db


def test_a_fit_value_must_belong_to_its_question() -> None:
    fit = Fit(pattern=Pattern.objects.get(slug="odata"), question="timing", value="high", level="good", rationale="x")
    with pytest.raises(ValidationError, match="synchronous, near_real_time, scheduled_batch"):
        fit.full_clean(validate_unique=False)


def test_a_pattern_has_one_fit_per_answer() -> None:
    existing = Fit.objects.filter(pattern__slug="odata").first()
    with pytest.raises(IntegrityError):
        Fit.objects.create(
            pattern=existing.pattern, question=existing.question, value=existing.value, level="good", rationale="x"
        )


def test_the_database_refuses_an_unknown_fit_level() -> None:
    with pytest.raises(IntegrityError):
        Fit.objects.filter(pk=Fit.objects.first().pk).update(level="superb")


def test_scenario_answers_are_validated_against_the_vocabulary() -> None:
    scenario = Scenario.objects.first()
    scenario.answers = {"scope": "fno_external", "goal": "data_sync", "volume": "enormous"}
    with pytest.raises(ValidationError, match="volume: Unknown value 'enormous'"):
        scenario.full_clean()


def test_caution_conditions_must_use_known_questions_and_values() -> None:
    caution = Caution.objects.first()
    caution.conditions = {"volume": ["huge"]}
    with pytest.raises(ValidationError, match="volume: use a non-empty list of low, medium, high"):
        caution.full_clean()


def test_learn_more_and_source_links_must_be_https() -> None:
    caution = Caution.objects.first()
    caution.source_url = "http://example.com/limits"
    with pytest.raises(ValidationError):
        caution.full_clean()


def test_a_fit_for_one_scope_needs_the_general_fit_it_replaces() -> None:
    from django.core.exceptions import ValidationError as Invalid

    from patterns.models import Fit, Pattern

    odata = Pattern.objects.get(slug="odata")
    general = Fit.objects.get(pattern=odata, question="volume", value="low", scope="")
    scoped = Fit(pattern=odata, question="volume", value="low", scope="fno_dataverse", level="weak", rationale="x")
    scoped.full_clean()  # the general fit exists
    general.delete()
    with pytest.raises(Invalid) as error:
        scoped.full_clean()
    assert "Add the fit for every scope first" in str(error.value)
    on_scope = Fit(pattern=odata, question="scope", value="fno_external", scope="ce_external", level="weak",
                   rationale="x")  # fmt: skip
    with pytest.raises(Invalid):
        on_scope.full_clean()


def test_a_limit_refuses_in_the_admin_what_a_load_would_refuse() -> None:
    import datetime

    from patterns.models import Limit

    limit = Limit(slug="x", name="X", kind="requests_per_window", value=0, unit="requests", batch_rows=0.5,
                  source_url="https://learn.microsoft.com/x", checked=datetime.date(2026, 11, 26))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        limit.full_clean()
    assert set(error.value.message_dict) >= {"value", "window_minutes", "batch_rows", "batch_label"}


CATALOG_SLUG = "Use letters (a to z), digits and hyphens only: no underscores, spaces or accents."


def test_a_slug_publishing_would_refuse_is_refused_when_saved() -> None:
    # Django's slug validator lets underscores through; the content checker (and so publishing) doesn't.
    from patterns.content.checker import is_slug
    from patterns.models import Limit, Policy

    pattern = Pattern.objects.first()
    limit = Limit.objects.first()
    for record, field, value in ((pattern, "slug", "my_pattern"), (limit, "pool", "one_budget"),
                                 (Policy(title="T", text="T."), "slug", "no_underscores")):  # fmt: skip
        setattr(record, field, value)
        assert not is_slug(value)
        with pytest.raises(ValidationError) as error:
            record.full_clean()
        assert CATALOG_SLUG in error.value.message_dict[field]
    pattern.slug = "my-pattern-2"
    pattern.full_clean()
