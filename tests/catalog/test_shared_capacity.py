"""The shared capacity check's arithmetic (patterns.ranking.shared), without the database: integrations' amounts
summed against one limit, in words, with the same verdict rules as one integration's check; limits in one pool summed
as one budget, and the content's pools checked, loaded and exported."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from patterns.catalog import published_snapshot
from patterns.content import CONTENT_FILE, ContentError, read_content, validate_content
from patterns.draft import catalog_export, limit_content
from patterns.loader import catalog_load
from patterns.models import Limit
from patterns.ranking.capacity import NEAR_LIMIT, OVER_LIMIT, UNKNOWN, WITHIN
from patterns.ranking.shared import Share, pools, share_of, shared_estimate, shared_record
from patterns.ranking.snapshot import LimitEntry, snapshot_from_content
from patterns.requirements import Requirements

CONCURRENT = LimitEntry("concurrent", "Concurrent requests per user", "concurrent", 52, "requests",
                        "https://learn.microsoft.com/x", shared="identity")  # fmt: skip
EVENTS = LimitEntry("events", "Data events per 5 minutes", "requests_per_window", 5000, "events",
                    "https://learn.microsoft.com/y", window_minutes=5, guidance=True, shared="environment")  # fmt: skip
BATCHED = LimitEntry("requests", "Requests per user per 5 minutes", "requests_per_window", 6000, "requests",
                     "https://learn.microsoft.com/z", window_minutes=5, batch_rows=1000,
                     batch_label="batches of 1,000", shared="identity")  # fmt: skip


def test_ten_shares_each_within_are_summed_and_over_the_limit_together() -> None:
    shares = [Share(f"Integration {n}", 20) for n in range(10)]
    estimate = shared_estimate(CONCURRENT, shares)
    assert estimate.estimate == 200 and estimate.verdict == OVER_LIMIT
    assert estimate.text.startswith("10 integrations together: 20 (Integration 0) + 20 (Integration 1)")
    assert "+ 80 (4 more) = 200 requests at once, 385% of 52 requests." in estimate.text


def test_a_sum_within_the_limit_is_within_and_one_integration_reads_alone() -> None:
    assert shared_estimate(CONCURRENT, [Share("A", 10), Share("B", 20)]).verdict == WITHIN
    alone = shared_estimate(CONCURRENT, [Share("A", 40)])
    assert alone.verdict == NEAR_LIMIT and alone.text.startswith("alone: 40 (A) = 40 requests at once, 77%")


def test_past_a_guidance_figure_the_sum_is_above_microsofts_figure_and_far_past_it_over() -> None:
    above = shared_estimate(EVENTS, [Share("A", 3000), Share("B", 3000)])
    assert above.verdict == NEAR_LIMIT and above.verdict_label == "above Microsoft's figure"
    assert "per 5 minutes, 120% of Microsoft's figure of 5,000 events" in above.text
    far = shared_estimate(EVENTS, [Share(str(n), 3000) for n in range(20)])
    assert far.verdict == OVER_LIMIT and "far above it" in far.text


def test_batching_that_brings_the_sum_within_reads_near_and_says_so() -> None:
    estimate = shared_estimate(BATCHED, [Share("A", 4000, 4), Share("B", 4000, 4)])
    assert estimate.verdict == NEAR_LIMIT and "with batches of 1,000: 8 (0%)" in estimate.text


def test_integrations_without_numbers_are_named_and_not_counted() -> None:
    estimate = shared_estimate(CONCURRENT, [Share("A", 10), Share("B", None)])
    assert estimate.estimate == 10 and "Not counted, for want of numbers: B." in estimate.text
    nothing = shared_estimate(CONCURRENT, [Share("A", None)])
    assert nothing.verdict == UNKNOWN and nothing.estimate is None


def test_a_record_takes_its_worst_verdict_and_nothing_shared_is_within() -> None:
    over = shared_estimate(CONCURRENT, [Share("A", 60)])
    within = shared_estimate(CONCURRENT, [Share("A", 1)])
    assert shared_record([within, over]).verdict == OVER_LIMIT
    assert shared_record([within, over]).estimates[0] is over
    assert shared_record([]).verdict == WITHIN


# Pools: limits curated under several slugs that the platform counts as one budget (Dataverse's service protection,
# met by Web API clients and by connectors, which batch differently).

POOL = "dataverse-service-protection-requests"
WEB_API, CONNECTORS = "dataverse-requests-per-5-minutes", "dataverse-requests-per-5-minutes-connectors"
DATA_FACTORY = "dataverse-requests-per-5-minutes-data-factory"


@pytest.fixture(scope="module")
def content() -> dict[str, Any]:
    return read_content(CONTENT_FILE)


def _limits(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {limit["slug"]: limit for limit in data["limits"]}


def _refusals(content: dict[str, Any], **changes: dict[str, Any]) -> str:
    """The checker's errors once each limit named (by slug, underscores for hyphens) has the fields given."""
    data = copy.deepcopy(content)
    limits = _limits(data)
    for slug, fields in changes.items():
        limit = limits[slug.replace("_", "-")]
        for key, value in fields.items():
            if value is None:
                limit.pop(key, None)
            else:
                limit[key] = value
    with pytest.raises(ContentError) as error:
        validate_content(data)
    return "\n".join(error.value.errors)


def test_the_dataverse_request_limits_are_one_pool_named_by_the_first_by_slug(content: dict[str, Any]) -> None:
    limits = _limits(content)
    assert limits[WEB_API]["pool"] == limits[CONNECTORS]["pool"] == limits[DATA_FACTORY]["pool"] == POOL
    budget = pools(snapshot_from_content(content).patterns)[POOL]
    assert budget.limit.slug == WEB_API and budget.limits == 3
    assert {"Azure Logic Apps", "Dataverse Web API and SDK (with bulk messages)"} <= set(budget.patterns)
    alone = pools(snapshot_from_content(content).patterns)["dataverse-concurrent-requests"]  # no pool: its own
    assert alone.limit.slug == "dataverse-concurrent-requests" and alone.limits == 1


def test_each_share_of_a_pool_is_worked_out_with_its_own_limit_and_the_sum_says_who_counts(
    content: dict[str, Any],
) -> None:
    snapshot = snapshot_from_content(content)
    limits = {limit.slug: limit for pattern in snapshot.patterns for limit in pattern.limits}
    writes = Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync", "direction": "inbound",
                                        "capacity": {"peak_records_per_hour": 45000}})  # fmt: skip
    web_api = share_of(limits[WEB_API], "Portal", writes)
    flow = share_of(limits[CONNECTORS], "Flow", writes)
    assert (web_api.amount, web_api.batched) == (3750, 4) and (flow.amount, flow.batched) == (3750, None)
    # Data Factory's Dataverse sink writes 10 rows a request (its write batch), so it sends a tenth as many.
    assert share_of(limits[DATA_FACTORY], "Pipeline", writes).amount == 375
    budget = pools(snapshot.patterns)[POOL]
    estimate = shared_estimate(budget.limit, [web_api, flow], counted=budget.patterns)
    assert estimate.limit == WEB_API and estimate.estimate == 7500 and estimate.verdict == OVER_LIMIT
    assert (
        "2 integrations together: 3,750 (Flow) + 3,750 (Portal) = 7,500 requests per 5 minutes, 125%" in estimate.text
    )
    assert "with batches" not in estimate.text  # the Logic App can't batch its way under the Web API's count
    assert "One budget: integrations on Azure Data Factory, Azure Logic Apps," in estimate.text
    assert "One budget" not in shared_estimate(CONCURRENT, [Share("A", 10)]).text


def test_a_version_published_before_pools_existed_still_loads_each_limit_as_its_own_budget(
    content: dict[str, Any],
) -> None:
    old = copy.deepcopy(content)
    for limit in old["limits"]:
        limit.pop("pool", None)
    budgets = pools(snapshot_from_content(old).patterns)
    assert POOL not in budgets and budgets[CONNECTORS].limit.slug == CONNECTORS


def test_a_pool_on_a_limit_nothing_shares_is_refused_naming_the_field(content: dict[str, Any]) -> None:
    errors = _refusals(content, dataverse_requests_per_5_minutes={"shared": None})
    assert f"limit {WEB_API}.pool: only a shared limit has a pool" in errors


def test_a_pool_that_is_not_a_slug_is_refused_naming_the_field(content: dict[str, Any]) -> None:
    for pool in ("Dataverse requests!", "x" * 51, 5, "pööl"):
        errors = _refusals(content, dataverse_requests_per_5_minutes={"pool": pool})
        assert f"limit {WEB_API}.pool: must be a slug" in errors, pool


@pytest.mark.parametrize(("field", "value"), [("value", 8000), ("unit", "calls"), ("window_minutes", 60),
                                              ("shared", "tenant")])  # fmt: skip
def test_limits_of_one_pool_that_differ_in_what_is_summed_are_refused_naming_the_field(
    content: dict[str, Any], field: str, value: Any
) -> None:
    errors = _refusals(content, dataverse_requests_per_5_minutes_connectors={field: value})
    assert f"limit {CONNECTORS}.{field}: must be the same as limit {WEB_API}'s" in errors
    assert f"pool {POOL!r}" in errors


def test_a_limit_without_a_pool_named_as_anothers_pool_joins_it_and_must_agree(content: dict[str, Any]) -> None:
    errors = _refusals(content, dataverse_concurrent_requests={"pool": POOL})
    assert "limit dataverse-concurrent-requests.value: must be the same as" in errors
    assert "limit dataverse-concurrent-requests.kind: must be the same as" in errors


@pytest.mark.django_db
def test_a_pool_round_trips_through_the_database_and_the_admin_refuses_one_on_an_unshared_limit(
    client: Client, alice: User
) -> None:
    shipped = {slug: limit_content(limit) for slug, limit in _limits(read_content(CONTENT_FILE)).items()}
    exported = _limits(catalog_export())
    assert exported[WEB_API]["pool"] == exported[CONNECTORS]["pool"] == POOL
    assert "pool" not in exported["dataverse-concurrent-requests"]
    assert exported == shipped
    Limit.objects.filter(slug=CONNECTORS).update(pool="")
    data = read_content(CONTENT_FILE)
    catalog_load(data=data, overwrite=True)
    assert Limit.objects.get(slug=CONNECTORS).pool == POOL and _limits(catalog_export()) == shipped
    published = next(p for p in published_snapshot().patterns if p.slug == "logic-apps")
    assert next(limit.pool for limit in published.limits if limit.slug == CONNECTORS) == POOL
    unshared = Limit.objects.get(slug="fno-odata-records-per-hour")
    unshared.pool = POOL
    with pytest.raises(ValidationError) as error:
        unshared.full_clean()
    assert "pool" in error.value.message_dict
    client.force_login(alice)
    page = client.get(reverse("admin:patterns_limit_change", args=[Limit.objects.get(slug=WEB_API).pk]))
    assert page.status_code == 200 and 'name="pool"' in page.content.decode()


def test_a_reader_that_pages_more_than_a_batch_holds_counts_its_own_requests_once_batched() -> None:
    pages = replace(BATCHED, read_rows_per_request=5000)
    reader = Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync", "direction": "outbound",
                                        "capacity": {"peak_records_per_hour": 600_000}})  # fmt: skip
    writer = Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync", "direction": "inbound",
                                        "capacity": {"peak_records_per_hour": 600_000}})  # fmt: skip
    read, written = share_of(pages, "Reader", reader), share_of(pages, "Writer", writer)
    assert (read.amount, read.batched) == (10, 10)  # 50,000 records a window in pages of 5,000: not 50 batches
    assert (written.amount, written.batched) == (50_000, 50)
