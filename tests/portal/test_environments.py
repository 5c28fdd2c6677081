"""A project's environments (issue 26): the limits that an environment, an account or the tenant shares, summed over
the integrations that draw on them; the pages, the checklist task, the API, the inventory's environment column, and
access."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patterns.requirements import Requirements
from portal.models import Environment, HistoryEntry, Integration, Role
from portal.services.environments import environment_create, integration_place
from portal.services.integrations import integration_create
from portal.services.tokens import api_token_create
from tests.factories import make_team_project

pytestmark = pytest.mark.django_db

# A portal creating service cases through the Dataverse Web API: 20 callers at once is 38% of the 52 concurrent
# requests one account may make.
CASES = {"scope": "ce_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous",
         "volume": "low", "deployment": "cloud", "prefers_low_code": False,
         "capacity": {"concurrent_clients": 20}}  # fmt: skip
# Released products to a warehouse as data events: 2,400 an hour is 200 per 5 minutes (4% of 5,000).
PRODUCTS = {"scope": "fno_external", "goal": "data_sync", "direction": "outbound", "timing": "near_real_time",
            "volume": "medium", "deployment": "cloud", "data_residency": "replicate", "transformations": "none",
            "prefers_low_code": True, "needs_custom_logic": False,
            "capacity": {"records_per_day": 20000, "peak_records_per_hour": 2400}}  # fmt: skip

# Two integrations that write 45,000 records in their busiest hour (3,750 requests per 5 minutes, 62.5% of Dataverse's
# 6,000 alone): one calls the Web API itself, the other is a Logic App (low code, near real time).
WEB_API_WRITES = {"scope": "ce_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous",
                  "volume": "high", "deployment": "cloud", "prefers_low_code": False,
                  "capacity": {"records_per_day": 90000, "peak_records_per_hour": 45000}}  # fmt: skip
LOGIC_APP_WRITES = {**WEB_API_WRITES, "timing": "near_real_time", "prefers_low_code": True}


@pytest.fixture
def project(alice: User, bob: User) -> Any:
    return make_team_project(alice, bob=Role.VIEWER)


def _add(project: Any, name: str, answers: dict[str, Any], environment: Environment | None = None,
         identity: str = "") -> Integration:  # fmt: skip
    integration = integration_create(project=project, name=name, requirements=Requirements.from_mapping(answers),
                                     created_by=project.owner)  # fmt: skip
    if environment is not None or identity:
        integration_place(integration=integration, actor=project.owner, environment=environment, identity=identity)
    return integration


def _ten_on_one_account(project: Any, environment: Environment) -> list[Integration]:
    return [_add(project, f"Cases {n}", CASES, environment, "svc-portal") for n in range(10)]


def test_ten_integrations_each_within_but_together_over_show_over_the_limit_on_their_environment(
    client: Client, project: Any, alice: User
) -> None:
    production = environment_create(project=project, actor=alice, name="CE production", kind="dataverse",
                                    production=True)  # fmt: skip
    integrations = _ten_on_one_account(project, production)
    for integration in integrations:
        top = integration.ranking["options"][0]
        assert top["pattern"] == "dataverse-web-api" and top["capacity"]["verdict"] == "within"
    client.force_login(alice)
    page = client.get(reverse("projects:environment", args=[project.pk, production.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Over a limit" in text
    assert "10 integrations together: 20 (Cases 0)" in text and "= 200 requests at once, 385% of 52 requests" in text
    assert "Integrations running as svc-portal" in text
    listing = client.get(reverse("projects:environments", args=[project.pk])).content.decode()
    assert "CE production" in listing and "Over a limit" in listing


def test_integrations_on_other_accounts_or_in_another_environment_are_not_added_up(
    client: Client, project: Any, alice: User
) -> None:
    first = environment_create(project=project, actor=alice, name="CE one", kind="dataverse", production=False)
    second = environment_create(project=project, actor=alice, name="CE two", kind="dataverse", production=False)
    for n in range(5):
        _add(project, f"Here {n}", CASES, first, f"account-{n}")  # each on its own account
        _add(project, f"There {n}", CASES, second, "shared")
    client.force_login(alice)
    text = client.get(reverse("projects:environment", args=[project.pk, first.pk])).content.decode()
    assert "Over a limit" not in text and "together" not in text
    text = client.get(reverse("projects:environment", args=[project.pk, second.pk])).content.decode()
    assert "5 integrations together" in text and "100 requests at once" in text and "Here 0" not in text


def test_data_events_of_one_environment_are_summed_against_microsofts_figure(
    client: Client, project: Any, alice: User
) -> None:
    fno = environment_create(project=project, actor=alice, name="FO production", kind="fno", production=True)
    for n in range(30):
        integration = _add(project, f"Products {n:02}", PRODUCTS, fno)
        assert integration.top_pattern_slug == "fno-data-events"
    client.force_login(alice)
    text = client.get(reverse("projects:environment", args=[project.pk, fno.pk])).content.decode()
    assert "30 integrations together" in text and "6,000 events per 5 minutes, 120%" in text
    assert "Above Microsoft&#x27;s figure" in text or "Above Microsoft's figure" in text


def test_a_shared_limit_near_or_over_adds_the_checklist_task_and_clearing_it_drops_it(
    project: Any, alice: User
) -> None:
    production = environment_create(project=project, actor=alice, name="CE", kind="dataverse", production=True)
    integrations = _ten_on_one_account(project, production)
    assert project.checklist_entries.filter(slug="keep-shared-limits-in-budget").exists()
    for integration in integrations[1:]:  # one left on the account: its own check covers it
        integration_place(integration=integration, actor=alice, environment=production, identity="")
    assert not project.checklist_entries.filter(slug="keep-shared-limits-in-budget").exists()
    assert HistoryEntry.objects.filter(project=project, action="checklist task removed").exists()


def test_the_api_lists_each_environment_with_its_capacity_verdict(client: Client, project: Any, alice: User) -> None:
    production = environment_create(project=project, actor=alice, name="CE production", kind="dataverse",
                                    production=True)  # fmt: skip
    environment_create(project=project, actor=alice, name="CE test", kind="dataverse", production=False)
    _ten_on_one_account(project, production)
    _, secret = api_token_create(user=alice, name="ci")
    data = client.get(reverse("api:project", args=[project.pk]), HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    environments = {e["name"]: e for e in data["environments"]}
    assert environments["CE production"]["capacity"]["verdict"] == "over_limit"
    assert environments["CE production"]["kind"] == "dataverse" and environments["CE production"]["production"]
    estimate = environments["CE production"]["capacity"]["estimates"][0]
    assert estimate["shared_by"] == "identity" and estimate["identity"] == "svc-portal" and estimate["estimate"] == 200
    assert environments["CE test"]["capacity"] == {"verdict": "within", "estimates": []}
    assert data["integrations"][0]["environment"] == "CE production"
    assert data["integrations"][0]["identity"] == "svc-portal"
    assert data["tenant_capacity"]["verdict"] in {"within", "near_limit", "over_limit", "unknown"}


def test_web_api_and_connector_calls_as_one_account_are_one_dataverse_budget(
    client: Client, project: Any, alice: User
) -> None:
    """Dataverse's service protection limit is curated under two slugs (the Web API's and the connectors', which
    batch differently) but is one budget per user: a pool, summed together."""
    production = environment_create(project=project, actor=alice, name="CE production", kind="dataverse",
                                    production=True)  # fmt: skip
    portal = _add(project, "Portal writes", WEB_API_WRITES, production, "svc-sync")
    flow = _add(project, "Order app", LOGIC_APP_WRITES, production, "svc-sync")
    for integration, pattern in ((portal, "dataverse-web-api"), (flow, "logic-apps")):
        top = integration.ranking["options"][0]
        assert top["pattern"] == pattern and top["capacity"]["verdict"] == "within"
        own = [e for e in top["capacity"]["estimates"] if e["limit"].startswith("dataverse-requests-per-5-minutes")]
        assert len(own) == 1 and own[0]["estimate"] == 3750 and own[0]["verdict"] == "within"
    assert project.checklist_entries.filter(slug="keep-shared-limits-in-budget").exists()
    client.force_login(alice)
    text = client.get(reverse("projects:environment", args=[project.pk, production.pk])).content.decode()
    assert "Over a limit" in text and "Integrations running as svc-sync" in text
    assert ("2 integrations together: 3,750 (Order app) + 3,750 (Portal writes) = 7,500 requests per 5 minutes, 125% "
            "of 6,000 requests.") in text  # fmt: skip
    assert (
        "One budget: integrations on Azure Data Factory, Azure Logic Apps, Dataflows (Power Query) into Dataverse, "
        "Dataverse Web API and SDK (with bulk messages) or Power Automate cloud flows all count toward it."
    ) in text
    assert "alone: 3,750" not in text
    _, secret = api_token_create(user=alice, name="ci")
    data = client.get(reverse("api:project", args=[project.pk]), HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    environment = next(e for e in data["environments"] if e["name"] == "CE production")
    assert environment["capacity"]["verdict"] == "over_limit"
    pooled = [e for e in environment["capacity"]["estimates"] if e["limit"].startswith("dataverse-requests-per")]
    assert len(pooled) == 1 and pooled[0]["limit"] == "dataverse-requests-per-5-minutes"
    assert (
        pooled[0]["estimate"] == 7500 and pooled[0]["verdict"] == "over_limit" and pooled[0]["identity"] == "svc-sync"
    )
    integration_place(integration=flow, actor=alice, environment=production, identity="svc-flow")  # apart again
    assert not project.checklist_entries.filter(slug="keep-shared-limits-in-budget").exists()


def test_environments_are_added_renamed_and_removed_on_their_pages(client: Client, project: Any, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("projects:environments", args=[project.pk]),
                           {"name": "  FO   production ", "kind": "fno", "production": "on"})  # fmt: skip
    environment = Environment.objects.get(project=project)
    assert response.status_code == 302 and environment.name == "FO production" and environment.production
    again = client.post(reverse("projects:environments", args=[project.pk]), {"name": "fo production", "kind": "fno"})
    assert again.status_code == 400 and "already has an environment called fo production" in again.content.decode()
    integration = _add(project, "Products", PRODUCTS, environment)
    client.post(reverse("projects:environment", args=[project.pk, environment.pk]),
                {"name": "FO prod", "kind": "fno"})  # fmt: skip
    environment.refresh_from_db()
    assert environment.name == "FO prod" and not environment.production
    client.post(reverse("projects:environment_remove", args=[project.pk, environment.pk]))
    integration.refresh_from_db()
    assert not Environment.objects.exists() and integration.environment is None
    actions = set(HistoryEntry.objects.filter(project=project).values_list("action", flat=True))
    assert {"environment added", "environment changed", "environment removed", "integration placed"} <= actions


def test_the_database_refuses_names_that_differ_only_in_case_and_the_page_says_so(
    client: Client, project: Any, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    from portal.forms import EnvironmentForm

    first = environment_create(project=project, actor=alice, name="FO prod", kind="fno", production=True)
    with pytest.raises(ValidationError) as refused:
        environment_create(project=project, actor=alice, name="fo PROD", kind="fno", production=False)
    assert refused.value.message_dict == {"name": ["The project already has an environment called fo PROD."]}
    # Two people adding it at once: both forms were checked before either saved.
    monkeypatch.setattr(EnvironmentForm, "clean_name", lambda form: form.cleaned_data["name"])
    client.force_login(alice)
    added = client.post(reverse("projects:environments", args=[project.pk]), {"name": "Fo Prod", "kind": "fno"})
    assert added.status_code == 400 and "already has an environment called Fo Prod" in added.content.decode()
    other = environment_create(project=project, actor=alice, name="CE", kind="dataverse", production=False)
    renamed = client.post(reverse("projects:environment", args=[project.pk, other.pk]), {"name": "fo prod",
                          "kind": "dataverse"})  # fmt: skip
    assert renamed.status_code == 400 and "already has an environment called fo prod" in renamed.content.decode()
    assert sorted(Environment.objects.values_list("name", flat=True)) == ["CE", first.name]


def test_names_that_differed_only_in_case_are_told_apart_by_the_migration(transactional_db: None) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("portal", "0026_overdue_digest_days")])
    old = executor.loader.project_state([("portal", "0026_overdue_digest_days")]).apps
    user = old.get_model("auth", "User").objects.create(username="legacy")
    team = old.get_model("portal", "Team").objects.create(name="Legacy")
    make = old.get_model("portal", "Project").objects.create
    one, two = make(team=team, owner=user, name="One"), make(team=team, owner=user, name="Two")
    Old = old.get_model("portal", "Environment")
    for project, name in ((one, "FO prod"), (one, "fo PROD"), (one, "FO PROD"), (one, "fo prod (2)"),
                          (two, "fo prod"), (one, "x" * 100), (one, "X" * 100)):  # fmt: skip
        Old.objects.create(project=project, name=name, kind="fno")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    names = list(Environment.objects.filter(project_id=one.pk).order_by("id").values_list("name", flat=True))
    assert names == ["FO prod", "fo PROD (2)", "FO PROD (3)", "fo prod (2) (2)", "x" * 100, "X" * 96 + " (2)"]
    assert list(Environment.objects.filter(project_id=two.pk).values_list("name", flat=True)) == ["fo prod"]


def test_an_integration_is_placed_from_its_page_only_in_its_own_projects_environments(
    client: Client, project: Any, alice: User
) -> None:
    mine = environment_create(project=project, actor=alice, name="FO", kind="fno", production=False)
    elsewhere = make_team_project(alice)
    theirs = environment_create(project=elsewhere, actor=alice, name="Other", kind="fno", production=False)
    integration = _add(project, "Products", PRODUCTS)
    client.force_login(alice)
    url = reverse("projects:placement", args=[project.pk, integration.pk])
    page = client.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert 'name="identity"' in page and "In no environment" in page
    client.post(url, {"environment": theirs.pk, "identity": "x"})
    integration.refresh_from_db()
    assert integration.environment is None and integration.identity == ""
    client.post(url, {"environment": mine.pk, "identity": " svc  fo "})
    integration.refresh_from_db()
    assert integration.environment == mine and integration.identity == "svc fo"


def test_viewers_read_environments_but_cant_change_them_and_outsiders_get_404(
    client: Client, project: Any, alice: User, bob: User, charlie: User
) -> None:
    environment = environment_create(project=project, actor=alice, name="FO", kind="fno", production=False)
    integration = _add(project, "Products", PRODUCTS)
    pages = [reverse("projects:environments", args=[project.pk]),
             reverse("projects:environment", args=[project.pk, environment.pk])]  # fmt: skip
    writes = [*pages, reverse("projects:environment_remove", args=[project.pk, environment.pk]),
              reverse("projects:placement", args=[project.pk, integration.pk])]  # fmt: skip
    assert client.get(pages[0]).status_code == 302  # sign in first
    client.force_login(bob)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200 and "Add environment" not in response.content.decode()
    for url in writes:
        assert client.post(url, {"name": "X", "kind": "fno"}).status_code == 403
    assert client.get(writes[2]).status_code == 405
    client.force_login(charlie)
    for url in writes:
        assert client.get(url).status_code in {404, 405} and client.post(url, {"name": "X"}).status_code == 404
    assert Environment.objects.get().name == "FO"


def test_hostile_names_are_escaped_on_the_environment_pages(client: Client, project: Any, alice: User) -> None:
    environment = environment_create(project=project, actor=alice, name="<script>alert(1)</script>", kind="fno",
                                     production=False)  # fmt: skip
    _add(project, "<img src=x onerror=alert(2)>", PRODUCTS, environment, "<b>svc</b>")
    client.force_login(alice)
    for url in (reverse("projects:environments", args=[project.pk]),
                reverse("projects:environment", args=[project.pk, environment.pk])):  # fmt: skip
        text = client.get(url).content.decode()
        assert "<script>alert(1)" not in text and "<img src=x" not in text and "<b>svc" not in text


def test_the_environment_page_reads_a_fixed_number_of_queries(
    client: Client, project: Any, alice: User, django_assert_max_num_queries: Any
) -> None:
    environment = environment_create(project=project, actor=alice, name="CE", kind="dataverse", production=True)
    _ten_on_one_account(project, environment)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:environment", args=[project.pk, environment.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:environments", args=[project.pk])).status_code == 200


def test_the_wizards_save_form_puts_the_integration_in_a_named_environment(
    client: Client, project: Any, alice: User
) -> None:
    from tests.factories import WEB_SHOP, make_draft

    environment = environment_create(project=project, actor=alice, name="FO production", kind="fno", production=True)
    client.force_login(alice)
    unknown = client.post(reverse("wizard:save", args=[make_draft(alice, WEB_SHOP).pk]),
                          {"name": "Orders", "project": str(project.pk), "environment": "FO test"})  # fmt: skip
    assert unknown.status_code == 400 and not Integration.objects.exists()
    assert "Order to cash has no environment called FO test (it has: FO production)." in unknown.content.decode()
    into_new = {"name": "Orders", "project": "new", "new_project_name": "X", "environment": "FO production"}
    new = client.post(reverse("wizard:save", args=[make_draft(alice, WEB_SHOP).pk]), into_new)
    assert new.status_code == 400 and "A new project has no environments yet" in new.content.decode()
    saved = client.post(reverse("wizard:save", args=[make_draft(alice, WEB_SHOP).pk]),
                        {"name": "Orders", "project": str(project.pk), "environment": "fo production",
                         "identity": "svc-orders"})  # fmt: skip
    integration = Integration.objects.get()
    assert saved.status_code == 302 and integration.environment == environment and integration.identity == "svc-orders"


def test_a_pool_met_through_one_of_its_limits_is_told_in_that_limits_words(
    client: Client, project: Any, alice: User
) -> None:
    production = environment_create(project=project, actor=alice, name="CE production", kind="dataverse",
                                    production=True)  # fmt: skip
    _add(project, "Order app", LOGIC_APP_WRITES, production, "svc-flows")
    _add(project, "Case app", LOGIC_APP_WRITES, production, "svc-flows")
    _, secret = api_token_create(user=alice, name="ci")
    data = client.get(reverse("api:project", args=[project.pk]), HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    estimates = next(e for e in data["environments"] if e["name"] == "CE production")["capacity"]["estimates"]
    pooled = [e for e in estimates if e["limit"].startswith("dataverse-requests-per-5-minutes")]
    assert [e["limit"] for e in pooled] == ["dataverse-requests-per-5-minutes-connectors"]
    assert pooled[0]["estimate"] == 7500 and "One budget:" in pooled[0]["text"]
