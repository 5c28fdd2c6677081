"""Saved decisions are history; re-ranking with the current catalog is explicit, shown side by side, and recorded.
Conditional checklist tasks come and go with the integrations that trigger them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patterns.models import Fit
from patterns.publishing import version_publish
from portal.models import HistoryEntry, Integration, Membership, Role
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_save
from tests.conftest import make_user
from tests.factories import make_integration, make_team_project

pytestmark = pytest.mark.django_db
THROTTLED = "map-app-to-throttling-priority"
ON_PREMISES = "confirm-on-premises-integration-route"


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    return make_team_project(alice, bob=Role.VIEWER)


def demote_odata(actor: User) -> None:
    Fit.objects.filter(pattern__slug="odata", question="volume", value="low").update(level="poor", rationale="Demoted.")
    version_publish(actor=actor, note="Demote OData for low volume.", override_reason="Testing re-evaluation.")


def test_a_fit_change_flags_the_integration_and_rerank_shows_the_new_first_pick(
    client: Client, project: Any, alice: User
) -> None:
    integration = make_integration(project)
    client.force_login(alice)
    assert "would pick" not in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    demote_odata(alice)
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "The current catalog would pick" in body
    integration.refresh_from_db()
    assert integration.top_pattern_slug == "odata"  # nothing rewritten behind the team's back
    page = client.get(reverse("projects:rerank", args=[project.pk, integration.pk]))
    comparison = page.context["comparison"]
    assert comparison.saved.top.pattern == "odata" and comparison.new.top.pattern != "odata"
    assert comparison.first_pick_changes
    assert "The first pick changes from OData to" in page.content.decode()


def test_rerank_shows_when_the_fit_itself_changes(client: Client, project: Any, alice: User) -> None:
    integration = make_integration(project)
    # No pattern does data exchange well any more: whatever comes first now barely meets the goal.
    Fit.objects.filter(question="goal", value="data_sync").exclude(level="excluded").update(level="weak")
    version_publish(actor=alice, note="Data exchange weakened.", override_reason="Testing re-evaluation.")
    client.force_login(alice)
    page = client.get(reverse("projects:rerank", args=[project.pk, integration.pk]))
    comparison = page.context["comparison"]
    assert (comparison.saved.verdict.level, comparison.new.verdict.level) == ("strong", "none")
    body = page.content.decode()
    assert comparison.new.verdict.summary in body and comparison.saved.verdict.summary in body
    assert "The fit changes from strong to none" in body


def test_adopting_the_new_ranking_is_recorded_and_credited(client: Client, project: Any, alice: User) -> None:
    integration = make_integration(project)
    assert integration.ranked_by == alice
    dora = make_user("dora")
    Membership.objects.create(team=project.team, user=dora, role=Role.CONTRIBUTOR)
    demote_odata(alice)
    Integration.objects.filter(pk=integration.pk).update(fit_level="", top_capacity_verdict="stale")
    client.force_login(alice)
    client.force_login(dora)
    client.post(reverse("projects:rerank", args=[project.pk, integration.pk]), {"action": "adopt"})
    integration.refresh_from_db()
    assert integration.top_pattern_slug != "odata" and integration.catalog_version == "v2"
    # The columns kept beside the ranking (the portfolio counts them) are written with the adopted one.
    top = integration.ranking["options"][0]
    assert (integration.fit_level, integration.top_capacity_verdict) == (
        integration.ranking["fit"]["level"],
        (top.get("capacity") or {}).get("verdict", ""),
    )
    assert Integration.objects.filter(fit_level=integration.ranking["fit"]["level"]).exists()
    entry = HistoryEntry.objects.get(action="ranking re-evaluated")
    assert entry.before == {"catalog_version": "v1", "top_pattern": "odata"}
    assert integration.ranked_by == dora
    page = client.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert "UTC by dora with catalog version v2" in page
    assert entry.after["top_pattern"] == integration.top_pattern_slug


def test_keeping_the_saved_ranking_changes_nothing_but_is_recorded(client: Client, project: Any,
                                                                   alice: User) -> None:  # fmt: skip
    integration = make_integration(project)
    demote_odata(alice)
    client.force_login(alice)
    client.post(reverse("projects:rerank", args=[project.pk, integration.pk]), {"action": "keep"})
    integration.refresh_from_db()
    assert integration.top_pattern_slug == "odata" and integration.catalog_version == "v1"
    assert HistoryEntry.objects.filter(action="saved ranking kept").exists()


def test_keeping_the_saved_ranking_clears_the_flag_until_a_newer_version(client: Client, project: Any,
                                                                         alice: User) -> None:  # fmt: skip
    integration = make_integration(project)
    demote_odata(alice)
    client.force_login(alice)
    detail = reverse("projects:detail", args=[project.pk])
    assert "The current catalog would pick" in client.get(detail).content.decode()
    client.post(reverse("projects:rerank", args=[project.pk, integration.pk]), {"action": "keep"})
    assert "The current catalog would pick" not in client.get(detail).content.decode()
    version_publish(actor=alice, note="Another version.", override_reason="Testing re-evaluation.")
    assert "The current catalog would pick" in client.get(detail).content.decode()  # v3: look again


def test_rerank_shows_a_saved_option_the_current_catalog_rules_out(client: Client, project: Any,
                                                                   alice: User) -> None:  # fmt: skip
    integration = make_integration(project)
    Fit.objects.filter(pattern__slug="odata", question="timing", value="synchronous").update(
        level="excluded", rationale="No longer synchronous in this test."
    )
    version_publish(actor=alice, note="OData ruled out.", override_reason="Testing re-evaluation.")
    client.force_login(alice)
    body = client.get(reverse("projects:rerank", args=[project.pk, integration.pk])).content.decode()
    assert "Now ruled out" in body and "<strong>OData</strong> (saved rank 1)" in body
    assert "No longer synchronous in this test." in body


def test_a_viewer_may_look_but_not_adopt(client: Client, project: Any, bob: User) -> None:
    integration = make_integration(project)
    client.force_login(bob)
    assert client.get(reverse("projects:rerank", args=[project.pk, integration.pk])).status_code == 200
    assert (
        client.post(reverse("projects:rerank", args=[project.pk, integration.pk]), {"action": "adopt"}).status_code
        == 403
    )


def slugs(project: Any) -> set[str]:
    return set(project.checklist_entries.values_list("slug", flat=True))


def test_a_conditional_task_appears_and_disappears_with_its_integration(project: Any, alice: User) -> None:
    assert THROTTLED not in slugs(project) and len(slugs(project)) == 19
    integration = make_integration(project)  # the web shop: OData first
    assert THROTTLED in slugs(project)
    entry = project.checklist_entries.get(slug="write-down-integration-goals")
    checklist_entry_update(entry=entry, actor=alice, expected_version=1, status="done")
    # The team decides on something not subject to throttling: the task goes, the others keep their status.
    other = next(
        o["pattern"] for o in integration.ranking["options"] if o["pattern"] not in {"odata", "custom-services"}
    )
    decision_save(integration=integration, actor=alice, chosen_pattern_slug=other, rationale="Chosen.",
                  justification="A reason the team recorded.")  # fmt: skip
    assert THROTTLED not in slugs(project)
    assert project.checklist_entries.get(slug="write-down-integration-goals").status == "done"
    assert HistoryEntry.objects.filter(action="checklist task removed", subject__startswith="Give the").exists()


def test_an_on_premises_integration_brings_its_own_task(project: Any) -> None:
    make_integration(
        project, "On-prem feed", {"scope": "fno_external", "goal": "data_sync", "deployment": "on_premises"}
    )
    assert ON_PREMISES in slugs(project)


def test_a_task_that_stays_keeps_its_status(project: Any, alice: User) -> None:
    make_integration(project)
    task = project.checklist_entries.get(slug=THROTTLED)
    checklist_entry_update(entry=task, actor=alice, expected_version=1, status="in_progress", notes="Mapped as high.")
    make_integration(project, "Second OData integration")
    task.refresh_from_db()
    assert (task.status, task.notes) == ("in_progress", "Mapped as high.")


NEAR = {
    "scope": "ce_external",
    "goal": "data_sync",
    "direction": "inbound",
    "timing": "near_real_time",
    "prefers_low_code": False,
    "capacity": {"records_per_day": 300_000, "peak_records_per_hour": 120_000},
}


def test_a_capacity_verdict_brings_its_own_tasks(project: Any, alice: User) -> None:
    integration = make_integration(project, name="Price load", answers=NEAR)
    assert integration.ranking["options"][0]["capacity"]["verdict"] == "near_limit"
    slugs = set(project.checklist_entries.values_list("slug", flat=True))
    assert "load-test-at-the-estimated-peak" in slugs and "resolve-a-limit-the-estimate-exceeds" not in slugs
    plain = make_integration(project, name="Small load", answers={**NEAR, "capacity": {"records_per_day": 100}})
    assert plain.ranking["options"][0]["capacity"]["verdict"] == "within"


def test_the_markdown_export_shows_the_capacity_arithmetic(client: Client, project: Any, alice: User) -> None:
    make_integration(project, name="Price load", answers=NEAR)
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    assert "Capacity of Dataverse Web API and SDK (with bulk messages): near a limit" in text
    assert "peak 120,000 records/h as single requests = 10,000 requests per 5 minutes, 167% of 6,000" in text


def test_rerank_re_evaluates_the_capacity_check_with_the_current_limits(
    client: Client, project: Any, alice: User
) -> None:
    from patterns.models import Limit

    integration = make_integration(project, name="Price load", answers=NEAR)
    client.force_login(alice)
    page = client.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert "Records in the busiest hour" in page and "120,000" in page  # the numbers used are shown
    Limit.objects.filter(pool="dataverse-service-protection-requests").update(value=200_000)  # one budget, together
    version_publish(actor=alice, note="Service protection raised.", override_reason="Testing re-evaluation.")
    comparison = client.get(reverse("projects:rerank", args=[project.pk, integration.pk])).context["comparison"]
    saved = next(e for e in comparison.saved.top.capacity.estimates if e.limit == "dataverse-requests-per-5-minutes")
    new = next(e for e in comparison.new.top.capacity.estimates if e.limit == "dataverse-requests-per-5-minutes")
    assert (saved.verdict, new.verdict, new.value) == ("near_limit", "within", 200_000)


def test_the_integration_page_says_when_the_catalog_answers_differently_without_reading_more(
    client: Client, project: Any, alice: User, django_assert_max_num_queries: Any
) -> None:
    integration = make_integration(project)
    page = reverse("projects:integration", args=[project.pk, integration.pk])
    client.force_login(alice)
    assert "The catalog changed." not in client.get(page).content.decode()
    demote_odata(alice)
    with django_assert_max_num_queries(8) as read:  # the banner is worked out from the integration the page loaded
        body = client.get(page).content.decode()
    assert [q["sql"].count('FROM "portal_integration"') for q in read.captured_queries].count(1) == 1  # access only
    assert "The catalog changed." in body
    assert "would pick" in body and "not the saved OData" in body
    assert reverse("projects:rerank", args=[project.pk, integration.pk]) in body
    client.post(reverse("projects:rerank", args=[project.pk, integration.pk]), {"action": "keep"})
    assert "The catalog changed." not in client.get(page).content.decode()
