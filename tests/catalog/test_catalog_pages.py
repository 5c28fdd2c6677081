"""Catalog pages: content, filters, htmx partials, method checks and bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from patterns.content import read_content
from patterns.models import Caution, Pattern
from tests.factories import publish_draft

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def test_the_catalog_lists_every_active_pattern_grouped_by_family(client: Client) -> None:
    response = client.get(reverse("patterns:catalog"))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["count"] == 30
    assert [family for family, _ in response.context["groups"]] == [
        "Finance and operations apps",
        "Customer engagement apps (Dataverse)",
        "Cross-app (finance and operations with Dataverse)",
    ]
    for pattern in Pattern.objects.all():
        assert reverse("patterns:detail", args=[pattern.slug]) in body


def test_the_catalog_filters_by_family_category_and_timing(client: Client) -> None:
    response = client.get(reverse("patterns:catalog"), {"family": "ce", "category": "ui"})
    slugs = {p.slug for _, members in response.context["groups"] for p in members}
    assert slugs == set(Pattern.objects.filter(family="ce", category="ui").values_list("slug", flat=True))
    assert "pcf" in slugs and "odata" not in slugs

    response = client.get(reverse("patterns:catalog"), {"interaction": "asynchronous"})
    slugs = {p.slug for _, members in response.context["groups"] for p in members}
    assert "azure-service-bus" in slugs and "odata" not in slugs


def test_the_catalog_searches_text(client: Client) -> None:
    response = client.get(reverse("patterns:catalog"), {"q": "telephony"})
    slugs = {p.slug for _, members in response.context["groups"] for p in members}
    assert "channel-integration-framework" in slugs
    assert "odata" not in slugs


def test_the_filters_are_kept_in_the_form_so_a_link_can_be_shared(client: Client) -> None:
    body = client.get(reverse("patterns:catalog"), {"family": "fno", "q": "events"}).content.decode()
    assert 'value="events"' in body
    assert '<option value="fno" selected>' in body


def test_an_unknown_filter_value_is_explained_and_ignored(client: Client) -> None:
    response = client.get(reverse("patterns:catalog"), {"family": "sap"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert response.context["count"] == 30


def test_htmx_gets_only_the_results_fragment(client: Client) -> None:
    response = client.get(reverse("patterns:catalog"), {"family": "cross_app"}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body and "dual-write" in body and "odata" not in body


def test_an_empty_result_says_so(client: Client) -> None:
    body = client.get(reverse("patterns:catalog"), {"q": "zzzz-nothing"}).content.decode()
    assert "No pattern matches these filters" in body


def test_inactive_patterns_are_hidden(client: Client) -> None:
    Pattern.objects.filter(slug="html-web-resources").update(is_active=False)
    publish_draft()
    assert client.get(reverse("patterns:catalog")).context["count"] == 29
    assert client.get(reverse("patterns:detail", args=["html-web-resources"])).status_code == 404


def test_the_catalog_query_count_does_not_grow_with_the_catalog(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        client.get(reverse("patterns:catalog"))


def test_a_pattern_page_shows_everything_about_the_pattern(client: Client) -> None:
    response = client.get(reverse("patterns:detail", args=["odata"]))
    body = response.content.decode()
    pattern = Pattern.objects.get(slug="odata")
    assert response.status_code == 200
    assert pattern.name in body and "Benefits" in body and "Drawbacks" in body and "Use when" in body
    assert "https://learn.microsoft.com/" in body
    for caution in pattern.cautions.all():
        assert escape(caution.title) in body and caution.source_url in body
    for scenario in pattern.expected_in.all():
        assert escape(scenario.title) in body
    assert "How it fits each answer" in body and "Immediately, and the caller waits" in body


def test_a_pattern_page_runs_a_fixed_number_of_queries(client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(9):
        client.get(reverse("patterns:detail", args=["dual-write"]))


def test_an_unknown_pattern_is_404(client: Client) -> None:
    assert client.get(reverse("patterns:detail", args=["soap-bridge"])).status_code == 404


def test_compare_shows_two_patterns_side_by_side(client: Client) -> None:
    response = client.get(reverse("patterns:compare"), {"p": ["odata", "custom-services"]})
    assert [p.slug for p in response.context["patterns"]] == ["odata", "custom-services"]
    body = response.content.decode()
    assert "OData" in body and "Drawbacks" in body


def test_compare_takes_up_to_four(client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        response = client.get(reverse("patterns:compare"), {"p": ["odata", "webhooks", "pcf", "dual-write"]})
    assert len(response.context["patterns"]) == 4


@pytest.mark.parametrize("picked", [["odata"], ["odata", "pcf", "webhooks", "dual-write", "iframe-ce"]])
def test_compare_explains_when_too_few_or_too_many_are_picked(client: Client, picked: list[str]) -> None:
    response = client.get(reverse("patterns:compare"), {"p": picked})
    assert response.status_code == 200
    assert "Choose from 2 to 4 patterns" in response.content.decode()
    assert response.context["patterns"] == []


def test_compare_rejects_an_unknown_pattern(client: Client) -> None:
    response = client.get(reverse("patterns:compare"), {"p": ["odata", "nope"]})
    assert "Select a valid choice" in response.content.decode()


def test_the_checklist_shows_19_tasks_by_section(client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(3):
        response = client.get(reverse("patterns:checklist"))
    assert response.context["task_count"] == 19 and response.context["conditional_count"] == 10
    assert len(response.context["sections"]) == 5
    assert "Only when an integration relies on OData or Custom services" in response.content.decode()


def test_the_home_page_points_to_the_catalog(client: Client) -> None:
    body = client.get(reverse("home")).content.decode()
    assert "Browse the 30 patterns" in body


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("patterns:catalog"),
        reverse("patterns:compare"),
        reverse("patterns:checklist"),
        reverse("patterns:detail", args=["odata"]),
        reverse("healthz"),
    ],
)
def test_pages_refuse_writes(client: Client, url: str) -> None:
    assert client.post(url).status_code == 405


def test_healthz_answers_without_asking_the_database(client: Client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_pages_carry_a_content_security_policy_with_a_nonce(client: Client) -> None:
    response = client.get(reverse("patterns:catalog"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'nonce-" in policy and "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()  # htmx's own script tag carries it


def test_htmx_is_served_locally_not_from_a_cdn(client: Client) -> None:
    body = client.get(reverse("home")).content.decode()
    assert "/static/django_htmx/htmx" in body and "unpkg" not in body and "cdn" not in body.lower()


def test_caution_conditions_are_shown_in_words(client: Client) -> None:
    caution = Caution.objects.filter(pattern__slug="odata").first()
    Caution.objects.filter(pk=caution.pk).update(conditions={"volume": ["high"]})
    publish_draft()
    body = client.get(reverse("patterns:detail", args=["odata"])).content.decode()
    assert "Applies when: How much data is High." in body


def test_a_pattern_page_lists_the_limits_its_capacity_check_uses(client: Client) -> None:
    body = client.get(reverse("patterns:detail", args=["webhooks"])).content.decode()
    assert "Limits the capacity check uses" in body and "Webhook payload before the context is stripped" in body
    webhook = next(limit for limit in read_content()["limits"] if limit["slug"] == "webhook-payload-kb")
    assert "256 KB" in body and f"checked {webhook['checked']}" in body


def test_the_compare_page_offers_a_tick_box_per_pattern_and_keeps_the_choice(client: Client) -> None:
    body = client.get(reverse("patterns:compare")).content.decode()
    assert body.count('type="checkbox" name="p"') == 30 and 'value="odata"' in body
    chosen = client.get(reverse("patterns:compare"), {"p": ["odata", "dual-write"]}).content.decode()
    assert 'value="odata" id="id_p_' in chosen or 'value="odata"' in chosen
    assert chosen.count("checked") >= 2 and '<table class="compare">' in chosen
