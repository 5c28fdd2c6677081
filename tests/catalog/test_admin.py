"""The admin is for staff only, and lets curators edit fits, cautions and scenarios inline on a pattern."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from patterns import models as catalog
from patterns.models import Caution, Fit, Pattern

pytestmark = pytest.mark.django_db
MODELS = [
    catalog.Pattern, catalog.PatternLink, catalog.Fit, catalog.Caution, catalog.Scenario, catalog.QuestionWeight,
    catalog.ChecklistSection, catalog.ChecklistItem, catalog.ContentLoad,
]  # fmt: skip


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:patterns_{model._meta.model_name}_changelist")


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(changelist(Pattern))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_signed_in_user_without_staff_rights_cannot_curate(client: Client, bob: User) -> None:
    client.force_login(bob)
    response = client.get(changelist(Pattern))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("model", MODELS)
def test_staff_see_every_catalog_model_with_filters_and_search(client: Client, alice: User, model: type) -> None:
    client.force_login(alice)
    response = client.get(changelist(model), {"q": "a"})
    assert response.status_code == 200


def test_a_pattern_edits_its_fits_cautions_and_scenarios_inline(client: Client, alice: User) -> None:
    client.force_login(alice)
    pattern = Pattern.objects.get(slug="webhooks")
    body = client.get(reverse("admin:patterns_pattern_change", args=[pattern.pk])).content.decode()
    assert "fits-TOTAL_FORMS" in body and "cautions-TOTAL_FORMS" in body and "expected_in-TOTAL_FORMS" in body


def test_a_fit_with_a_value_from_another_question_is_refused(client: Client, alice: User) -> None:
    client.force_login(alice)
    fit = Fit.objects.filter(pattern__slug="odata", question="volume").first()
    response = client.post(
        reverse("admin:patterns_fit_change", args=[fit.pk]),
        {"pattern": fit.pattern_id, "question": "volume", "value": "on_premises", "level": "good", "rationale": "x"},
    )
    assert response.status_code == 200
    assert "Choose one of: low, medium, high." in response.content.decode()
    fit.refresh_from_db()
    assert fit.value != "on_premises"


def test_a_curator_changes_a_fit_level_in_the_admin(client: Client, alice: User) -> None:
    client.force_login(alice)
    fit = Fit.objects.get(pattern__slug="odata", question="volume", value="high")
    response = client.post(
        reverse("admin:patterns_fit_change", args=[fit.pk]),
        {"pattern": fit.pattern_id, "question": "volume", "value": "high", "level": "poor", "rationale": "Too slow."},
    )
    assert response.status_code == 302
    fit.refresh_from_db()
    assert (fit.level, fit.rationale) == ("poor", "Too slow.")


def test_a_caution_with_conditions_for_an_unknown_question_is_refused(client: Client, alice: User) -> None:
    client.force_login(alice)
    caution = Caution.objects.filter(pattern__slug="odata").first()
    response = client.post(
        reverse("admin:patterns_caution_change", args=[caution.pk]),
        {
            "pattern": caution.pattern_id,
            "slug": caution.slug,
            "title": caution.title,
            "text": caution.text,
            "source_url": caution.source_url,
            "conditions": '{"colour": ["blue"]}',
        },
    )
    assert response.status_code == 200 and "Unknown question" in response.content.decode()


def test_admin_writes_need_a_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    fit = Fit.objects.filter(pattern__slug="odata").first()
    response = client.post(reverse("admin:patterns_fit_change", args=[fit.pk]), {"level": "poor"})
    assert response.status_code == 403
