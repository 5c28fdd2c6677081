"""The portfolio (issue 26): every integration of the reader's teams counted by pattern, fit, capacity and decision
status, each count leading to its integrations; others' teams left out; light at 1,000 integrations."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from portal.models import Role
from portal.services.decisions import decision_save
from portal.services.inventory import inventory_import, parse_inventory, read_table
from tests.factories import make_integration, make_project, make_team_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    project = make_team_project(alice, bob=Role.VIEWER)
    make_integration(project, "Orders")
    make_integration(project, "Invoices", {"scope": "fno_external", "goal": "event_notification",
                                           "direction": "outbound"})  # fmt: skip
    numbers = {"scope": "ce_external", "goal": "event_notification", "direction": "outbound",
               "capacity": {"records_per_day": 3000, "record_size_kb": 300}}  # fmt: skip
    decided = make_integration(project, "Cases", numbers)
    decision_save(integration=decided, actor=alice, chosen_pattern_slug=decided.top_pattern_slug, rationale="x")
    return project


def test_the_portfolio_counts_by_pattern_fit_capacity_and_status(client: Client, project: Any, bob: User,
                                                                 charlie: User) -> None:  # fmt: skip
    make_integration(make_project(charlie, "Not bob's"), "Hidden")
    client.force_login(bob)  # a viewer sees the portfolio of his teams
    response = client.get(reverse("portfolio"))
    counts = response.context["counts"]
    assert counts.total == 3
    assert {row.label: row.value for row in counts.by_pattern}["OData"] == 1
    assert sum(row.value for row in counts.by_fit) == 3
    capacity = {row.label: row.value for row in counts.by_capacity}
    assert capacity["Not enough numbers"] == 2 and sum(capacity.values()) == 3
    status = {row.label: row.value for row in counts.by_status}
    assert status["Proposed"] == 1 and status["No decision yet"] == 2
    assert "Hidden" not in response.content.decode()


def test_each_count_opens_its_integrations(client: Client, project: Any, alice: User) -> None:
    client.force_login(alice)
    counts = client.get(reverse("portfolio")).context["counts"]
    odata = next(row for row in counts.by_pattern if row.label == "OData")
    listed = client.get(odata.url)
    assert [i.name for i in listed.context["page"].object_list] == ["Orders"]
    proposed = next(row for row in counts.by_status if row.label == "Proposed")
    assert [i.name for i in client.get(proposed.url).context["page"].object_list] == ["Cases"]
    unknown = next(row for row in counts.by_capacity if row.label == "Not enough numbers")
    assert sorted(i.name for i in client.get(unknown.url).context["page"].object_list) == ["Invoices", "Orders"]


def test_the_portfolio_stays_light_at_1000_integrations(client: Client, alice: User,
                                                        django_assert_max_num_queries: Any) -> None:  # fmt: skip
    project = make_team_project(alice)
    header = "name,scope,goal,direction,volume\n"
    body = "".join(f"Interface {n},fno_external,data_sync,inbound,{('low', 'high')[n % 2]}\n" for n in range(1000))
    inventory_import(project=project, actor=alice, dry_run=False,
                     rows=parse_inventory(read_table("x.csv", (header + body).encode())))  # fmt: skip
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("portfolio"))
    assert response.context["counts"].total == 1000 and len(response.content) < 100 * 1024
    assert client.get(reverse("portfolio_list"), {"fit": "strong", "page": "2"}).status_code == 200


def test_the_portfolio_is_for_signed_in_readers(client: Client) -> None:
    assert client.get(reverse("portfolio")).status_code == 302
