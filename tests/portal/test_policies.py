"""The organisation's published policies on the architects' pages: the results say where a policy applied and what
would be first without the policies, and a saved ranking keeps saying so after the policy changes."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patterns.catalog import rank
from patterns.models import Pattern, Policy, PolicyEffect
from patterns.requirements import Requirements
from portal.models import ChannelEvent, Notification
from portal.pictures.contributions import contribution_chart
from portal.services.channels import channel_add
from portal.services.tokens import api_token_create
from tests.factories import make_draft, make_integration, make_project, make_team_project, publish_draft
from tests.portal.test_channels import Receiver

pytestmark = pytest.mark.django_db

CE_BATCH = {"scope": "ce_external", "goal": "data_sync", "timing": "scheduled_batch"}
SYNAPSE = "Azure Synapse Link for Dataverse and Link to Microsoft Fabric"
WITHOUT = f"Without your organisation's policies, {SYNAPSE} would be first."


def publish_policy(*effects: tuple[str, str], when: dict[str, list[str]] | None = None) -> Policy:
    policy = Policy.objects.create(slug="data-platform", title="Our data platform team runs the pipelines",
                                   text="Copies of Dataverse data go through the data platform team.",
                                   conditions=when if when is not None else {"scope": ["ce_external"]})  # fmt: skip
    for slug, effect in effects:
        PolicyEffect.objects.create(policy=policy, pattern=Pattern.objects.get(slug=slug), effect=effect)
    publish_draft()
    return policy


@pytest.fixture
def signed_in(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def page_text(client: Client, url: str) -> str:
    return unescape(client.get(url).content.decode())


def test_results_a_policy_changed_say_what_would_be_first_without_the_policies(signed_in: Client, alice: User) -> None:
    publish_policy(("synapse-link", "forbid"), ("logic-apps", "prefer"))
    body = page_text(signed_in, reverse("wizard:results", args=[make_draft(alice, CE_BATCH).pk]))
    assert WITHOUT in body
    assert "Your organisation's policy: Our data platform team runs the pipelines" in body  # Logic Apps' reasons
    assert "Preferred: +10 points" in body and "Preferred by policy" in body
    assert "Forbidden by your organisation's policy “Our data platform team runs the pipelines”" in body


def test_results_for_a_scope_the_policy_doesnt_name_say_nothing_of_it(signed_in: Client, alice: User) -> None:
    publish_policy(("synapse-link", "forbid"))
    answers = CE_BATCH | {"scope": "fno_external"}
    body = page_text(signed_in, reverse("wizard:results", args=[make_draft(alice, answers).pk]))
    assert "Without your organisation's policies" not in body and "Our data platform team" not in body


def test_a_saved_ranking_keeps_what_the_policies_did_after_they_change(signed_in: Client, alice: User) -> None:
    policy = publish_policy(("synapse-link", "forbid"))
    project = make_project(alice)
    integration = make_integration(project, answers=CE_BATCH)
    assert integration.ranking["without_policies"]["pattern"] == "synapse-link"
    policy.delete()
    publish_draft()
    body = page_text(signed_in, reverse("projects:integration", args=[project.pk, integration.pk]))
    assert WITHOUT in body and "Forbidden by your organisation's policy" in body


def test_the_recommendations_api_names_the_policies_per_option(client: Client) -> None:
    publish_policy(("logic-apps", "prefer"), when={})
    answer = client.post(reverse("api:recommendations"), CE_BATCH, content_type="application/json").json()
    logic = next(option for option in answer["options"] if option["pattern"] == "logic-apps")
    assert logic["policies"] == [{"slug": "data-platform", "title": "Our data platform team runs the pipelines",
                                  "effect": "prefer", "points": 10.0,
                                  "text": "Copies of Dataverse data go through the data platform team.",
                                  "source_url": None}]  # fmt: skip
    assert all(option["policies"] == [] for option in answer["options"] if option["pattern"] != "logic-apps")


def test_the_projects_api_keeps_the_policies_a_saved_ranking_met(client: Client, alice: User) -> None:
    publish_policy(("synapse-link", "forbid"), ("logic-apps", "prefer"))
    project = make_project(alice)
    make_integration(project, answers=CE_BATCH)
    _, secret = api_token_create(user=alice, name="ci")
    data = client.get(reverse("api:project", args=[project.pk]), HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    ranking = data["integrations"][0]["ranking"]
    assert ranking["without_policies"]["summary"] == WITHOUT
    logic = next(option for option in ranking["options"] if option["pattern"] == "logic-apps")
    assert [(p["slug"], p["effect"]) for p in logic["policies"]] == [("data-platform", "prefer")]
    synapse = next(e for e in ranking["excluded"] if e["pattern"] == "synapse-link")
    assert [(p["slug"], p["effect"]) for p in synapse["policies"]] == [("data-platform", "forbid")]


def test_the_api_documents_the_policies_of_a_ranking_live_and_saved(client: Client) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("RankedOption", "ExcludedPattern", "SavedOption", "SavedExclusion"):
        assert "policies" in schemas[name]["properties"], name
    assert "without_policies" in schemas["Ranking"]["properties"]
    assert "without_policies" in schemas["SavedRanking"]["properties"]


def forbid_everything_in_ce() -> Policy:
    return publish_policy(*((slug, "forbid") for slug in Pattern.objects.values_list("slug", flat=True)))


def test_results_the_policies_leave_empty_say_the_policies_did_it(signed_in: Client, alice: User) -> None:
    forbid_everything_in_ce()
    body = page_text(signed_in, reverse("wizard:results", args=[make_draft(alice, CE_BATCH).pk]))
    assert "No pattern survives your answers and your organisation's policies" in body
    assert ("No pattern is left: your answers rule some out, and your organisation's policy “Our data platform "
            "team runs the pipelines” forbids the rest.") in body  # fmt: skip
    assert WITHOUT in body
    assert "ruled out by at least one answer" not in body


def test_the_why_this_order_chart_lists_what_a_policy_forbids(signed_in: Client, alice: User) -> None:
    publish_policy(("synapse-link", "forbid"))
    ranking = rank(Requirements.from_mapping(CE_BATCH))
    chart = contribution_chart(ranking)
    assert {name for group in chart.ruled_out for name in group.names} == {e.name for e in ranking.excluded}
    group = next(group for group in chart.ruled_out if "policy" in group.answer)
    assert (group.answer, group.verb, group.names) == (
        "Your organisation's policy “Our data platform team runs the pipelines”",
        "forbids",
        (SYNAPSE,),
    )
    body = page_text(signed_in, reverse("wizard:results", args=[make_draft(alice, CE_BATCH).pk]))
    assert (
        f"<strong>Your organisation's policy “Our data platform team runs the pipelines”</strong> forbids {SYNAPSE}."
        in body
    )


def test_rerank_names_the_policy_that_now_forbids_the_saved_first_pick(signed_in: Client, alice: User) -> None:
    project = make_project(alice)
    integration = make_integration(project, answers=CE_BATCH)
    assert integration.top_pattern_slug == "synapse-link"
    publish_policy(("synapse-link", "forbid"))
    body = page_text(signed_in, reverse("projects:rerank", args=[project.pk, integration.pk]))
    assert "Now ruled out" in body and f"<strong>{SYNAPSE}</strong> (saved rank 1)" in body
    assert ("Forbidden by your organisation's policy “Our data platform team runs the pipelines”: Copies of Dataverse "
            "data go through the data platform team.") in body  # fmt: skip
    assert WITHOUT in body


def test_rerank_says_when_the_policies_leave_no_pattern(signed_in: Client, alice: User) -> None:
    project = make_project(alice)
    integration = make_integration(project, answers=CE_BATCH)
    forbid_everything_in_ce()
    body = page_text(signed_in, reverse("projects:rerank", args=[project.pk, integration.pk]))
    assert f"No pattern is left for these answers; the saved first pick was {SYNAPSE}." in body
    assert "your organisation's policy “Our data platform team runs the pipelines” forbids the rest" in body
    assert "The first pick stays ." not in body


def test_the_projects_rerank_page_names_the_policy_that_forbids_a_saved_first_pick(signed_in: Client,
                                                                                   alice: User) -> None:  # fmt: skip
    project = make_project(alice)
    make_integration(project, answers=CE_BATCH)
    publish_policy(("synapse-link", "forbid"))
    body = page_text(signed_in, reverse("projects:rerank_all", args=[project.pk]))
    assert "Your organisation's policy “Our data platform team runs the pipelines” forbids the saved pick." in body
    assert WITHOUT not in body  # the forbidding says it already


def test_the_projects_rerank_page_lists_an_integration_the_policies_leave_without_a_pattern(
    signed_in: Client, alice: User
) -> None:
    project = make_project(alice)
    integration = make_integration(project, answers=CE_BATCH)
    forbid_everything_in_ce()
    body = page_text(signed_in, reverse("projects:rerank_all", args=[project.pk]))
    assert f'value="{integration.pk}"' in body and "<strong>No pattern</strong>" in body
    assert "your organisation's policy “Our data platform team runs the pipelines” forbids the rest." in body
    detail = page_text(signed_in, reverse("projects:detail", args=[project.pk]))
    assert "The current catalog would pick no pattern" in detail


def test_the_projects_rerank_page_says_what_would_be_first_without_a_policy_that_reorders(
    signed_in: Client, alice: User
) -> None:
    project = make_project(alice)
    make_integration(project, answers=CE_BATCH)
    publish_policy(("synapse-link", "avoid"), ("logic-apps", "prefer"))
    body = page_text(signed_in, reverse("projects:rerank_all", args=[project.pk]))
    assert "Azure Logic Apps" in body and WITHOUT in body


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.OUTBOUND_ALLOW_PRIVATE = True  # a chat webhook receiver on 127.0.0.1
    server = Receiver()
    yield server
    server.server.shutdown()


def test_a_publish_whose_policy_forbids_a_saved_pick_tells_the_team_why(alice: User, receiver: Receiver) -> None:
    project = make_team_project(alice)
    make_integration(project, answers=CE_BATCH)
    channel_add(team=project.team, actor=alice, kind="slack", address=receiver.url,
                events=[ChannelEvent.CATALOG_CHANGED])  # fmt: skip
    forbid_everything_in_ce()
    note = Notification.objects.get(kind="catalog_changed", recipient=alice)
    assert "would pick no pattern (no fit) first" in note.message
    assert (
        "Your organisation's policy “Our data platform team runs the pipelines” forbids the saved pick." in note.message
    )
    (post,) = receiver.posts
    assert any(field["text"] == "*Now*\nno pattern" for field in post["json"]["blocks"][1]["fields"])
