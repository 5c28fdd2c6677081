"""The wizard: steps with progress, skip logic, inline errors, back and forward, drafts that survive, results."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patterns.models import Scenario
from portal.models import Integration, Project, WizardDraft
from tests.factories import WEB_SHOP, make_draft, make_project

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def step_url(draft: WizardDraft, key: str) -> str:
    return reverse("wizard:step", args=[draft.pk, key])


@pytest.fixture
def signed_in(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def start(client: Client, **data: str) -> WizardDraft:
    response = client.post(reverse("wizard:new"), data)
    assert response.status_code == 302
    return WizardDraft.objects.latest("id")


def test_the_wizard_requires_sign_in(client: Client) -> None:
    response = client.get(reverse("wizard:start"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(reverse("wizard:new")).status_code == 302
    assert WizardDraft.objects.count() == 0


def test_starting_creates_a_draft_and_shows_step_1_of_4_until_the_goal_adds_details(signed_in: Client) -> None:
    draft = start(signed_in)
    body = signed_in.get(step_url(draft, "need")).content.decode()
    assert "Step 1 of 4" in body
    assert "Finance and operations apps with another system" in body
    assert "Records such as customers, orders or products" in body  # help text on the answers


def test_a_missing_required_answer_is_shown_next_to_the_field(signed_in: Client) -> None:
    draft = start(signed_in)
    response = signed_in.post(step_url(draft, "need"), {"scope": "fno_external", "nav": "next"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="goal-error"' in body and "Choose an answer for “What the integration is for”." in body
    assert "scope" not in WizardDraft.objects.get(pk=draft.pk).answers


def test_an_unknown_answer_is_refused(signed_in: Client) -> None:
    draft = start(signed_in)
    response = signed_in.post(step_url(draft, "need"), {"scope": "sap", "goal": "data_sync"})
    assert "Select a valid choice" in response.content.decode()


def test_each_step_is_saved_and_leads_to_the_next(signed_in: Client) -> None:
    draft = start(signed_in)
    response = signed_in.post(step_url(draft, "need"), {"scope": "fno_external", "goal": "data_sync", "nav": "next"})
    assert response["Location"] == step_url(draft, "flow")
    assert WizardDraft.objects.get(pk=draft.pk).answers == {"scope": "fno_external", "goal": "data_sync"}
    response = signed_in.post(step_url(draft, "flow"), {"direction": "inbound", "timing": "", "volume": "low"})
    assert response["Location"] == step_url(draft, "delivery")
    answers = WizardDraft.objects.get(pk=draft.pk).answers
    assert answers["direction"] == "inbound" and "timing" not in answers
    response = signed_in.post(
        step_url(draft, "delivery"), {"deployment": "cloud", "prefers_low_code": "false", "needs_custom_logic": ""}
    )
    assert response["Location"] == step_url(draft, "details")
    assert WizardDraft.objects.get(pk=draft.pk).answers["prefers_low_code"] is False


def test_data_exchange_asks_residency_and_transformations_but_not_ui_kind(signed_in: Client) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "fno_external", "goal": "data_sync"})
    body = signed_in.get(step_url(draft, "details")).content.decode()
    assert 'name="data_residency"' in body and 'name="transformations"' in body and 'name="ui_kind"' not in body
    assert "Step 4 of 6" in body


def test_embedding_ui_asks_only_ui_kind(signed_in: Client) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "ce_external", "goal": "embed_ui"})
    body = signed_in.get(step_url(draft, "details")).content.decode()
    assert 'name="ui_kind"' in body and 'name="data_residency"' not in body


def test_goals_without_details_skip_that_step(signed_in: Client) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "ce_external", "goal": "reporting_visuals"})
    response = signed_in.post(step_url(draft, "delivery"), {"deployment": "cloud"})
    assert response["Location"] == step_url(draft, "summary")
    assert "Step 4 of 4" in signed_in.get(step_url(draft, "summary")).content.decode()
    assert signed_in.get(step_url(draft, "details"))["Location"] == step_url(draft, "summary")


def test_back_keeps_the_answers(signed_in: Client) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "fno_external", "goal": "data_sync"})
    response = signed_in.post(step_url(draft, "flow"), {"direction": "outbound", "nav": "back"})
    assert response["Location"] == step_url(draft, "need")
    body = signed_in.get(step_url(draft, "need")).content.decode()
    assert 'value="fno_external" checked' in body and 'value="data_sync" checked' in body
    assert 'value="outbound" checked' in signed_in.get(step_url(draft, "flow")).content.decode()


def test_htmx_swaps_the_step_in_place_and_updates_the_address(signed_in: Client) -> None:
    draft = start(signed_in)
    response = signed_in.post(
        step_url(draft, "need"), {"scope": "fno_external", "goal": "data_sync"}, follow=True, **HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="wizard-panel"') and "<html" not in body
    assert "Step 2 of 6" in body and response["HX-Push-Url"] == step_url(draft, "flow")


def test_a_draft_survives_and_is_listed_under_my_drafts(signed_in: Client) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "ce_external", "goal": "embed_ui"})
    signed_in.logout()
    fresh = Client()
    fresh.force_login(draft.owner)
    body = fresh.get(reverse("wizard:start")).content.decode()
    assert step_url(draft, "summary") in body
    assert 'value="embed_ui" checked' in fresh.get(step_url(draft, "need")).content.decode()


def test_a_scenario_starts_the_wizard_with_its_answers(signed_in: Client) -> None:
    scenario = Scenario.objects.get(slug="web-shop-sales-orders")
    draft = start(signed_in, scenario=scenario.slug)
    assert draft.answers == scenario.answers and draft.scenario_slug == scenario.slug
    assert draft.catalog_version == "v1"


def test_a_draft_from_a_scenario_is_listed_and_named_by_the_published_scenario(signed_in: Client) -> None:
    draft = start(signed_in, scenario="web-shop-sales-orders")
    page = signed_in.get(reverse("wizard:start")).content.decode()
    assert "Web shop posts single sales orders into F&amp;O" in page
    results = signed_in.get(reverse("wizard:results", args=[draft.pk]))
    assert results.context["save_form"].initial["name"] == "Web shop posts single sales orders into F&O"


def test_a_draft_outlives_the_curators_removing_its_scenario(signed_in: Client) -> None:
    draft = start(signed_in, scenario="web-shop-sales-orders")
    Scenario.objects.filter(slug="web-shop-sales-orders").delete()  # the draft rows change; the draft keeps its slug
    assert signed_in.get(reverse("wizard:results", args=[draft.pk])).status_code == 200
    assert WizardDraft.objects.get(pk=draft.pk).scenario_slug == "web-shop-sales-orders"


def test_the_summary_lists_the_answers_in_words(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    body = signed_in.get(step_url(draft, "summary")).content.decode()
    assert "Immediately, and the caller waits" in body and "Into Dynamics 365" in body
    assert signed_in.post(step_url(draft, "summary"))["Location"] == reverse("wizard:results", args=[draft.pk])


def test_results_rank_every_pattern_with_the_winner_explained(
    signed_in: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    draft = make_draft(alice, WEB_SHOP)
    with django_assert_max_num_queries(12):
        response = signed_in.get(reverse("wizard:results", args=[draft.pk]))
    ranking = response.context["ranking"]
    assert ranking.options[0].pattern == "odata"
    assert len(ranking.options) + len(ranking.excluded) == 30
    body = response.content.decode()
    assert "Why it wins" in body and "<meter" in body and "Ruled out" in body


def test_results_without_the_required_answers_go_back_to_step_1(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, {"scope": "fno_external"})
    assert signed_in.get(reverse("wizard:results", args=[draft.pk]))["Location"] == step_url(draft, "need")


def test_what_if_shows_a_changed_ranking_without_saving(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    response = signed_in.get(reverse("wizard:results", args=[draft.pk]), {"what_if": "volume=high"}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="ranking"')
    assert response.context["ranking"].options[0].pattern == "custom-services"
    assert "Keep this answer" in body and "▲" in body
    assert WizardDraft.objects.get(pk=draft.pk).answers["volume"] == "low"


def test_keeping_a_what_if_saves_the_answer(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    signed_in.post(reverse("wizard:keep_what_if", args=[draft.pk]), {"what_if": "volume=high"})
    assert WizardDraft.objects.get(pk=draft.pk).answers["volume"] == "high"
    signed_in.post(reverse("wizard:keep_what_if", args=[draft.pk]), {"what_if": "volume="})
    assert "volume" not in WizardDraft.objects.get(pk=draft.pk).answers


def test_a_nonsense_what_if_is_ignored(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    response = signed_in.get(reverse("wizard:results", args=[draft.pk]), {"what_if": "goal=embed_ui"})
    assert response.status_code == 200 and response.context["what_if"] is None


def test_saving_creates_a_project_with_the_checklist(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    response = signed_in.post(
        reverse("wizard:save", args=[draft.pk]),
        {"name": "Web shop orders", "project": "new", "new_project_name": "Order to cash"},
    )
    integration = Integration.objects.get()
    assert response["Location"] == reverse("projects:integration", args=[integration.project_id, integration.pk])
    assert integration.top_pattern_slug == "odata" and integration.project.name == "Order to cash"
    assert integration.project.checklist_entries.filter(condition={}).count() == 19
    assert integration.project.checklist_entries.filter(slug="map-app-to-throttling-priority").exists()
    assert integration.ranking["options"][0]["pattern"] == "odata"


def test_saving_into_an_existing_project(signed_in: Client, alice: User) -> None:
    project = make_project(alice)
    draft = make_draft(alice, WEB_SHOP)
    signed_in.post(reverse("wizard:save", args=[draft.pk]), {"name": "Orders", "project": str(project.pk)})
    assert project.integrations.count() == 1 and Project.objects.count() == 1


def test_a_double_submit_saves_one_integration(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    data = {"name": "Web shop orders", "project": "new", "new_project_name": "Order to cash"}
    first = signed_in.post(reverse("wizard:save", args=[draft.pk]), data)
    second = signed_in.post(reverse("wizard:save", args=[draft.pk]), data)
    assert first["Location"] == second["Location"]
    assert Integration.objects.count() == 1 and Project.objects.count() == 1


def test_saving_needs_a_name_and_says_so(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    response = signed_in.post(reverse("wizard:save", args=[draft.pk]), {"name": "", "project": "new"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "Name the new project" in body
    assert Integration.objects.count() == 0


def test_another_users_project_cannot_be_chosen(signed_in: Client, alice: User, charlie: User) -> None:
    theirs = make_project(charlie)
    draft = make_draft(alice, WEB_SHOP)
    response = signed_in.post(reverse("wizard:save", args=[draft.pk]), {"name": "x", "project": str(theirs.pk)})
    assert response.status_code == 400 and theirs.integrations.count() == 0


def test_an_outsider_gets_404_on_someone_elses_draft(client: Client, alice: User, charlie: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    client.force_login(charlie)
    for url in (step_url(draft, "need"), reverse("wizard:results", args=[draft.pk])):
        assert client.get(url).status_code == 404
    for name in ("wizard:save", "wizard:discard", "wizard:keep_what_if"):
        assert client.post(reverse(name, args=[draft.pk])).status_code == 404
    assert client.post(reverse("wizard:new"), {"project": str(make_project(alice).pk)}).status_code == 404


@pytest.mark.parametrize("name", ["wizard:save", "wizard:discard", "wizard:keep_what_if"])
def test_writes_refuse_get(signed_in: Client, alice: User, name: str) -> None:
    assert signed_in.get(reverse(name, args=[make_draft(alice).pk])).status_code == 405


def test_writes_need_a_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("wizard:new")).status_code == 403


def test_discarding_a_draft(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    signed_in.post(reverse("wizard:discard", args=[draft.pk]))
    assert not WizardDraft.objects.filter(pk=draft.pk).exists()


CONTRADICTION = {"scope": "fno_external", "goal": "embed_ui", "ui_kind": "low_code_app", "deployment": "on_premises",
                 "timing": "synchronous", "prefers_low_code": True}  # fmt: skip


def test_a_partial_fit_is_never_called_best_fit_and_offers_one_click_relaxations(
    signed_in: Client, alice: User
) -> None:
    draft = make_draft(alice, CONTRADICTION)
    response = signed_in.get(reverse("wizard:results", args=[draft.pk]))
    body = response.content.decode()
    ranking = response.context["ranking"]
    assert ranking.verdict.level == "partial"
    assert "Best fit" not in body and "· partial fit" in body and ranking.verdict.summary in body
    # Preferences change first; moving to the cloud is a change of facts, offered after them and labelled.
    relaxation, key = next(link for link in response.context["relaxation_links"] if link[0].fact)
    assert relaxation.pattern == "embedded-power-apps" and "a change of facts" in body
    url = reverse("wizard:results", args=[draft.pk]) + "?what_if=deployment%3Dcloud"
    assert key == url and f'href="{url}"' in body and relaxation.summary in body


def test_a_strong_fit_is_the_best_fit_and_lists_no_relaxations(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, WEB_SHOP)
    body = signed_in.get(reverse("wizard:results", args=[draft.pk])).content.decode()
    assert "Best fit" in body and "What would make a pattern fit" not in body


def test_a_two_answer_what_if_shows_and_keeps_both_changes(signed_in: Client, alice: User) -> None:
    draft = make_draft(alice, CONTRADICTION)
    what_if = "deployment=cloud;prefers_low_code="
    response = signed_in.get(reverse("wizard:results", args=[draft.pk]), {"what_if": what_if}, **HTMX)
    body = response.content.decode()
    assert response.context["what_if"].key == what_if
    assert "Where Dynamics 365 runs were “Cloud” and Prefer low-code were “No preference”" in body
    assert "Keep these answers" in body
    page = signed_in.get(reverse("wizard:results", args=[draft.pk]), {"what_if": what_if}).content.decode()
    assert f'<option value="{what_if}" selected>(2 answers changed)</option>' in page
    signed_in.post(reverse("wizard:keep_what_if", args=[draft.pk]), {"what_if": what_if})
    answers = WizardDraft.objects.get(pk=draft.pk).answers
    assert answers["deployment"] == "cloud" and "prefers_low_code" not in answers


@pytest.mark.parametrize(
    "what_if", ["deployment=cloud;deployment=on_premises", "deployment=cloud;timing=;volume=high", "scope=ce_external"]
)
def test_a_what_if_repeating_a_question_or_changing_too_much_is_ignored(
    signed_in: Client, alice: User, what_if: str
) -> None:
    draft = make_draft(alice, CONTRADICTION)
    response = signed_in.get(reverse("wizard:results", args=[draft.pk]), {"what_if": what_if})
    assert response.status_code == 200 and response.context["what_if"] is None


def test_data_exchange_asks_optional_volumes_and_saves_them_as_numbers(signed_in: Client, alice: User) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "ce_external", "goal": "data_sync"})
    page = signed_in.get(step_url(draft, "volumes")).content.decode()
    assert 'name="capacity__records_per_day"' in page and 'type="number"' in page and "Step 5 of 6" in page
    bad = signed_in.post(step_url(draft, "volumes"), {"capacity__records_per_day": "-3", "nav": "next"})
    assert bad.status_code == 200 and "Ensure this value is greater than or equal to 0." in bad.content.decode()
    numbers = {"capacity__records_per_day": "300000", "capacity__record_size_kb": "2.5", "capacity__tables": ""}
    signed_in.post(step_url(draft, "volumes"), {**numbers, "nav": "next"})
    draft.refresh_from_db()
    assert draft.answers["capacity"] == {"records_per_day": 300000, "record_size_kb": 2.5}
    summary = signed_in.get(step_url(draft, "summary")).content.decode()
    assert "Records per day" in summary and "300,000" in summary
    results = signed_in.get(reverse("wizard:results", args=[draft.pk]))
    assert results.context["requirements"].volume == "high"  # derived from the numbers
    assert "Your numbers against the platform" in results.content.decode()
    signed_in.post(step_url(draft, "volumes"), {"capacity__records_per_day": "", "nav": "next"})
    draft.refresh_from_db()
    assert "capacity" not in draft.answers


def test_goals_other_than_data_exchange_skip_the_volumes(signed_in: Client) -> None:
    draft = start(signed_in)
    signed_in.post(step_url(draft, "need"), {"scope": "ce_external", "goal": "embed_ui"})
    assert signed_in.get(step_url(draft, "volumes"))["Location"] == step_url(draft, "summary")


def test_results_say_which_better_fit_dropped_for_the_numbers(signed_in: Client, alice: User) -> None:
    # A call to a service that must get 300 KB: past 256 KB the webhook would reach it without the data (over).
    draft = make_draft(alice, {"scope": "ce_external", "goal": "call_external_service", "direction": "outbound",
                               "prefers_low_code": False,
                               "capacity": {"records_per_day": 3000, "record_size_kb": 300}})  # fmt: skip
    body = signed_in.get(reverse("wizard:results", args=[draft.pk])).content.decode()
    assert "Webhooks from Dataverse fits your answers better (91/100) but ranks" in body
    assert "one record of 300 KB, 117% of 256 KB" in body
