"""JSON API v1: recommendations (public, stateless), the catalog, and the caller's own projects."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patterns.requirements import QUESTIONS
from portal.api.project_schemas import NAME
from portal.models import Integration, Project
from portal.services.tokens import api_token_create, api_token_revoke
from tests.factories import WEB_SHOP, make_integration, make_project, make_project_with_integrations

pytestmark = pytest.mark.django_db
RECOMMEND = reverse("api:recommendations")


def post_json(client: Client, url: str, body: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_recommendations_rank_the_catalog_by_the_documented_shape(client: Client) -> None:
    response = post_json(client, RECOMMEND, WEB_SHOP)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"catalog_version", "options", "excluded", "fit", "relaxations", "close_call",
                         "without_policies"}  # fmt: skip
    assert data["fit"]["level"] == "strong" and data["relaxations"] == []
    first = data["options"][0]
    assert set(first) == {"pattern", "name", "rank", "score", "reasons", "cautions", "capacity", "rules", "policies"}
    assert first["pattern"] == "odata" and first["rank"] == 1
    assert [o["rank"] for o in data["options"]] == list(range(1, len(data["options"]) + 1))
    assert all(isinstance(reason, str) and reason for o in data["options"] for reason in o["reasons"])
    assert any("throttl" in caution.lower() for caution in first["cautions"])
    assert all(set(e) == {"pattern", "name", "reasons", "rules", "policies"} and e["reasons"] for e in data["excluded"])
    assert len(data["options"]) + len(data["excluded"]) == 30


def test_recommendations_need_no_login_and_no_csrf_and_store_nothing() -> None:
    client = Client(enforce_csrf_checks=True)
    assert post_json(client, RECOMMEND, WEB_SHOP).status_code == 200
    assert Project.objects.count() == 0 and Integration.objects.count() == 0


def test_recommendation_query_count_does_not_grow_with_the_catalog(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(5):
        post_json(client, RECOMMEND, WEB_SHOP)


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"goal": "data_sync"}, "scope", "required"),
        ({"scope": "fno_external"}, "goal", "required"),
        ({**WEB_SHOP, "colour": "blue"}, "colour", "Unknown field"),
        ({**WEB_SHOP, "timing": "soonish"}, "timing", "synchronous, near_real_time, scheduled_batch"),
        ({**WEB_SHOP, "volume": 5}, "volume", "Expected a string"),
        ({**WEB_SHOP, "prefers_low_code": "yes"}, "prefers_low_code", "true or false"),
        ([1, 2], "non_field_errors", "object"),
    ],
)
def test_bad_requirements_are_400_naming_the_field(client: Client, body: Any, field: str, fragment: str) -> None:
    response = post_json(client, RECOMMEND, body)
    assert response.status_code == 400
    assert fragment in " ".join(response.json()["errors"][field])


def test_a_body_that_is_not_json_is_400(client: Client) -> None:
    response = client.post(RECOMMEND, "{scope:", content_type="application/json")
    assert response.status_code == 400 and "Not valid JSON" in response.json()["errors"]["body"][0]


def test_the_wrong_content_type_is_400(client: Client) -> None:
    response = client.post(RECOMMEND, {"scope": "fno_external", "goal": "data_sync"})
    assert response.status_code == 400 and "application/json" in response.json()["errors"]["content_type"][0]


def test_an_oversized_body_is_413(client: Client) -> None:
    body = {**WEB_SHOP, "padding": "x" * 70_000}
    response = post_json(client, RECOMMEND, body)
    assert response.status_code == 413
    assert "at most 65536 bytes" in response.json()["errors"]["body"][0]


def test_recommendations_refuse_get(client: Client) -> None:
    assert client.get(RECOMMEND).status_code == 405


json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=6),
    max_leaves=20,
)
requirement_like = st.fixed_dictionaries(
    {},
    optional={q.name: st.sampled_from([*q.values, "nope", True, 3, None]) for q in QUESTIONS},
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_bodies | requirement_like)
def test_no_body_ever_gives_a_server_error(client: Client, body: Any) -> None:
    response = post_json(client, RECOMMEND, body)
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert response.json()["errors"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_no_raw_bytes_ever_give_a_server_error(client: Client, raw: bytes) -> None:
    assert client.post(RECOMMEND, raw, content_type="application/json").status_code in {200, 400}


def test_the_catalog_lists_patterns_and_one_pattern_in_full(client: Client) -> None:
    patterns = client.get(reverse("api:patterns")).json()["patterns"]
    assert len(patterns) == 30 and {"pattern", "name", "family", "learn_more"} <= set(patterns[0])
    odata = client.get(reverse("api:pattern", args=["odata"])).json()
    assert odata["fits"]["timing"]["synchronous"]["fit"] and odata["cautions"] and odata["description"]
    assert client.get(reverse("api:pattern", args=["nope"])).status_code == 404


def test_unknown_api_paths_answer_json_404(client: Client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["errors"]


# Projects: session or token, the caller's own only.


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_projects_need_authentication(client: Client) -> None:
    response = client.get(reverse("api:projects"))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_lists_only_the_callers_projects(client: Client, alice: User, charlie: User) -> None:
    mine, theirs = make_project(alice), make_project(charlie, "Someone else's")
    _, secret = api_token_create(user=alice, name="ci")
    data = client.get(reverse("api:projects"), **bearer(secret)).json()
    assert [p["id"] for p in data["projects"]] == [mine.pk]
    assert client.get(reverse("api:project", args=[theirs.pk]), **bearer(secret)).status_code == 404


def test_the_project_list_comes_in_pages_with_links_and_ends_in_a_404(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.api import views

    monkeypatch.setattr(views, "API_PAGE", 2)
    projects = [make_project(alice, f"P{index}") for index in range(5)]
    _, secret = api_token_create(user=alice, name="ci")
    first = client.get(reverse("api:projects"), **bearer(secret)).json()
    assert [p["id"] for p in first["projects"]] == [p.pk for p in reversed(projects)][:2]
    assert first["page"] == 1 and first["previous"] is None and first["next"].endswith("/api/v1/projects?page=2")
    last = client.get(first["next"].replace("http://testserver", "").replace("page=2", "page=3"), **bearer(secret))
    assert last.json()["next"] is None and len(last.json()["projects"]) == 1
    past = client.get(reverse("api:projects"), {"page": "4"}, **bearer(secret))
    assert past.status_code == 404 and "page" in past.json()["errors"]
    for page in ("0", "-1", "x", "9223372036854775807", "9" * 5000):  # not a page: said so, as documented
        wrong = client.get(reverse("api:projects"), {"page": page}, **bearer(secret))
        assert wrong.status_code == 400 and "page" in wrong.json()["errors"]


def test_the_openapi_document_says_what_the_api_does(client: Client, alice: User) -> None:
    document = client.get("/api/v1/openapi.json").json()
    project = document["components"]["schemas"]["ProjectOut"]["properties"]
    assert "schema" in project and "schema_" not in project  # the field as answers name it
    new = document["components"]["schemas"]["NewProject"]["properties"]["name"]
    assert new["minLength"] == 1 and new["pattern"] == NAME and re.fullmatch(NAME, "\x1e") is None
    _, secret = api_token_create(user=alice, name="ci")
    assert post_json(client, reverse("api:projects"), {"name": " "}, **bearer(secret)).status_code == 400
    assert "page" in [p["name"] for p in document["paths"]["/projects"]["get"]["parameters"]]
    not_a_number = client.get("/api/v1/projects/abc", **bearer(secret))
    assert not_a_number.status_code == 404 and "errors" in not_a_number.json()  # documented, not a 422
    created = post_json(client, reverse("api:projects"), {"name": "Shop"}, **bearer(secret)).json()
    assert created["schema"] == "d365-integration-portal/project/v1"


def test_a_project_in_full_with_its_integrations_and_checklist(
    client: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    project = make_project_with_integrations(alice, 3)
    _, secret = api_token_create(user=alice, name="ci")
    with django_assert_max_num_queries(10):  # and the project's environments
        data = client.get(reverse("api:project", args=[project.pk]), **bearer(secret)).json()
    assert len(data["integrations"]) == 3 and len([t for t in data["checklist"] if not t["condition"]]) == 19
    assert "map-app-to-throttling-priority" in {t["task"] for t in data["checklist"]}  # OData is subject to it
    assert data["integrations"][0]["top_pattern"] == "odata"


def test_creating_a_project_ranks_and_saves_its_integrations(client: Client, alice: User) -> None:
    _, secret = api_token_create(user=alice, name="ci")
    body = {
        "name": "Order to cash",
        "description": "Web shop",
        "integrations": [{"name": "Orders", "requirements": WEB_SHOP}],
    }
    response = post_json(client, reverse("api:projects"), body, **bearer(secret))
    assert response.status_code == 201
    data = response.json()
    assert response["Location"] == reverse("api:project", args=[data["id"]])
    assert data["integrations"][0]["ranking"]["options"][0]["pattern"] == "odata"
    assert len([t for t in data["checklist"] if not t["condition"]]) == 19
    assert Project.objects.get().owner == alice


def test_creating_a_project_with_bad_input_names_every_field(client: Client, alice: User) -> None:
    _, secret = api_token_create(user=alice, name="ci")
    body = {"name": "", "integrations": [{"name": "x", "requirements": {"scope": "mars"}}, "nope"], "extra": 1}
    response = post_json(client, reverse("api:projects"), body, **bearer(secret))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"name", "extra", "integrations[0].requirements.scope", "integrations[0].requirements.goal",
            "integrations[1]"} <= set(errors)  # fmt: skip
    assert Project.objects.count() == 0


def test_a_revoked_token_is_refused(client: Client, alice: User) -> None:
    token, secret = api_token_create(user=alice, name="ci")
    api_token_revoke(token=token)
    response = client.get(reverse("api:projects"), **bearer(secret))
    assert response.status_code == 401 and "revoked" in response.json()["errors"]["authorization"][0]


def test_a_made_up_token_is_refused_even_with_a_session(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(reverse("api:projects"), **bearer("dip_made-up")).status_code == 401


def test_tokens_are_stored_hashed(alice: User) -> None:
    token, secret = api_token_create(user=alice, name="ci")
    assert secret not in token.token_hash and len(token.token_hash) == 64 and secret.startswith(token.prefix)


def test_the_session_works_and_session_writes_need_csrf(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(reverse("api:projects")).status_code == 200
    response = post_json(client, reverse("api:projects"), {"name": "x"})
    assert response.status_code == 403 and "csrf" in response.json()["errors"]
    _, secret = api_token_create(user=alice, name="ci")
    assert (
        post_json(
            Client(enforce_csrf_checks=True), reverse("api:projects"), {"name": "x"}, **bearer(secret)
        ).status_code
        == 201
    )


def test_the_openapi_description_lists_the_vocabulary(client: Client) -> None:
    document = client.get(reverse("api:openapi-json")).json()
    scope = document["components"]["schemas"]["Requirements"]["properties"]["scope"]
    assert scope["enum"] == ["fno_external", "ce_external", "fno_dataverse"]
    assert set(document["components"]["schemas"]["Requirements"]["required"]) == {"scope", "goal"}
    assert set(document["paths"]) == {
        "/recommendations",
        "/patterns",
        "/patterns/{slug}",
        "/projects",
        "/projects/{id}",
        "/projects/{id}/inventory",
    }


def test_nul_characters_are_refused_and_nothing_is_saved(client: Client, alice: User) -> None:
    _, secret = api_token_create(user=alice, name="ci")
    body = {"name": "ok", "integrations": [{"name": "bad\u0000name", "requirements": WEB_SHOP}]}
    response = post_json(client, reverse("api:projects"), body, **bearer(secret))
    assert response.status_code == 400 and "NUL" in response.json()["errors"]["body"][0]
    assert Project.objects.count() == 0


def test_every_operation_documents_its_request_and_response_bodies(client: Client) -> None:
    document = client.get(reverse("api:openapi-json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                assert "application/json" in response.get("content", {}), f"{method} {path} {status}"
            if method == "post" and path.endswith("/inventory"):  # a file: CSV as the body, or a form
                assert set(operation["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
            elif method == "post":
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], ref


def test_answers_match_their_documented_schemas(client: Client, alice: User) -> None:
    from portal.api import schemas

    schemas.Ranking.model_validate(post_json(client, RECOMMEND, WEB_SHOP).json())
    schemas.Errors.model_validate(post_json(client, RECOMMEND, {"scope": "sap"}).json())
    schemas.PatternList.model_validate(client.get(reverse("api:patterns")).json())
    schemas.PatternDetail.model_validate(client.get(reverse("api:pattern", args=["odata"])).json())
    _, secret = api_token_create(user=alice, name="t")
    project = make_project(alice)
    make_integration(project)
    schemas.ProjectList.model_validate(client.get(reverse("api:projects"), **bearer(secret)).json())
    schemas.ProjectOut.model_validate(client.get(reverse("api:project", args=[project.pk]), **bearer(secret)).json())


def test_the_interactive_docs_are_served_from_our_own_static_files(client: Client) -> None:
    response = client.get(reverse("api:openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_a_contradictory_need_gets_a_partial_fit_and_what_to_relax(client: Client) -> None:
    from portal.api import schemas

    body = {"scope": "fno_external", "goal": "embed_ui", "ui_kind": "low_code_app", "deployment": "on_premises",
            "prefers_low_code": True}  # fmt: skip
    data = post_json(client, RECOMMEND, body).json()
    schemas.Ranking.model_validate(data)
    assert data["fit"]["level"] == "partial" and "closest option" in data["fit"]["summary"]
    # Preferences change first; where Dynamics 365 runs is a fact, so moving to the cloud comes after, labelled.
    kinds = [relaxation["kind"] for relaxation in data["relaxations"]]
    assert kinds == sorted(kinds, key=lambda kind: kind == "fact")
    cloud = next(r for r in data["relaxations"] if r["changes"] == {"deployment": "cloud"})
    assert cloud["kind"] == "fact" and cloud["pattern"] == "embedded-power-apps" and cloud["fit"] == "strong"
    assert cloud["summary"].startswith("If the facts were different: with “Where Dynamics 365 runs” set to Cloud")
    assert len(data["relaxations"]) <= 5


def test_a_saved_ranking_in_the_api_carries_its_fit_even_when_saved_before_fits_existed(
    client: Client, alice: User
) -> None:
    from portal.api import schemas

    _, secret = api_token_create(user=alice, name="t")
    project = make_project(alice)
    integration = make_integration(project)
    old = {k: v for k, v in integration.ranking.items() if k not in {"fit", "relaxations"}}
    Integration.objects.filter(pk=integration.pk).update(ranking=old)
    data = client.get(reverse("api:project", args=[project.pk]), **bearer(secret)).json()
    schemas.ProjectOut.model_validate(data)
    saved = data["integrations"][0]["ranking"]
    assert saved["fit"]["level"] == "strong" and saved["relaxations"] == []


def test_the_openapi_description_documents_the_fit_and_the_relaxations(client: Client) -> None:
    schemas = client.get(reverse("api:openapi-json")).json()["components"]["schemas"]
    assert set(schemas["Ranking"]["required"]) >= {"fit", "relaxations"}
    assert schemas["FitOut"]["properties"]["level"]["enum"] == ["strong", "partial", "none"]
    assert "null means no preference" in schemas["RelaxationOut"]["properties"]["changes"]["description"]


def test_the_documented_fit_levels_are_the_confidence_rules_levels() -> None:
    from typing import get_args

    from patterns.ranking.confidence import LEVELS
    from portal.api.schemas import FitLevelName

    assert get_args(FitLevelName) == LEVELS


def test_numbers_get_a_capacity_check_per_option(client: Client) -> None:
    from portal.api import schemas

    # A call to a service: past 256 KB the service would get the event without the data it needs (over).
    body = {"scope": "ce_external", "goal": "call_external_service", "direction": "outbound",
            "capacity": {"records_per_day": 2000, "record_size_kb": 300}}  # fmt: skip
    data = post_json(client, RECOMMEND, body).json()
    schemas.Ranking.model_validate(data)
    by_pattern = {option["pattern"]: option for option in data["options"]}
    webhooks = by_pattern["webhooks"]["capacity"]
    assert webhooks["verdict"] == "over_limit"
    size = next(e for e in webhooks["estimates"] if e["limit"] == "webhook-payload-kb-calls")
    assert (size["value"], size["estimate"], size["unit"]) == (256, 300, "KB") and size["source"].startswith("https://")
    assert round(size["share"], 3) == round(300 / 256, 3) and "one record of 300 KB, 117% of 256 KB" in size["text"]
    assert not size["another_way"]
    assert data["options"][0]["pattern"] == "power-automate"  # webhooks (90) order as 70, below the flow's 90
    # A notification: the receiver reads the row by its key, so the same size is near, done another way.
    body["goal"] = "event_notification"
    notified = {o["pattern"]: o for o in post_json(client, RECOMMEND, body).json()["options"]}["webhooks"]["capacity"]
    near = next(e for e in notified["estimates"] if e["limit"] == "webhook-payload-kb")
    assert notified["verdict"] == "near_limit" and near["another_way"] and "read the full row" in near["text"]


def test_without_numbers_every_option_says_unknown(client: Client) -> None:
    data = post_json(client, RECOMMEND, WEB_SHOP).json()
    assert {o["capacity"]["verdict"] for o in data["options"]} == {"unknown"}
    assert all(o["capacity"]["estimates"] == [] for o in data["options"])


@pytest.mark.parametrize(
    ("capacity", "field", "message"),
    [
        ({"records_per_day": -5}, "capacity.records_per_day", "Must be from 0 to 1,000,000,000."),
        ({"tables": 2.5}, "capacity.tables", "Expected a whole number."),
        ({"record_size_kb": "big"}, "capacity.record_size_kb", "Expected a number."),
        ({"rows": 1}, "capacity.rows", "Unknown field."),
        ({"peak_records_per_hour": 10**12}, "capacity.peak_records_per_hour", "Must be from 0 to 100,000,000."),
        ([1, 2], "capacity", "Expected an object of numbers."),
    ],
)
def test_bad_numbers_are_a_clear_400(client: Client, capacity: Any, field: str, message: str) -> None:
    response = post_json(client, RECOMMEND, {"scope": "ce_external", "goal": "data_sync", "capacity": capacity})
    assert response.status_code == 400
    assert any(text.startswith(message) for text in response.json()["errors"][field])


def test_the_volume_is_derived_from_the_numbers_when_not_answered(client: Client) -> None:
    from patterns.requirements import Requirements

    derived = Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync",
                                         "capacity": {"records_per_day": 250_000}})  # fmt: skip
    assert derived.volume == "high"
    assert Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync",
                                      "capacity": {"records_per_day": 5_000}}).volume == "medium"  # fmt: skip
    peak_only = Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync",
                                           "capacity": {"peak_records_per_hour": 500}})  # fmt: skip
    assert peak_only.volume is None  # a busy hour alone says too little about a day
    answered = Requirements.from_mapping({"scope": "ce_external", "goal": "data_sync", "volume": "low",
                                          "capacity": {"records_per_day": 250_000}})  # fmt: skip
    assert answered.volume == "low"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"record_size_kb": NaN}', "Must be from 0"),
        ('{"record_size_kb": Infinity}', "Must be from 0"),
        ('{"records_per_day": NaN}', "Expected a whole number."),
        ('{"record_size_kb": true}', "Expected a number."),
        ('{"tables": "5"}', "Expected a whole number."),
    ],
)
def test_numbers_that_are_not_numbers_are_refused(client: Client, raw: str, message: str) -> None:
    body = '{"scope": "ce_external", "goal": "data_sync", "capacity": ' + raw + "}"
    response = client.post(RECOMMEND, body, content_type="application/json")
    assert response.status_code == 400
    assert any(message in text for texts in response.json()["errors"].values() for text in texts)


def test_a_busiest_hour_that_cannot_fit_the_day_is_refused(client: Client) -> None:
    for peak in (10, 5_000):  # below an average hour of 2,400/24 = 100, or more than the whole day
        capacity = {"records_per_day": 2_400 if peak == 10 else 1_000, "peak_records_per_hour": peak}
        response = post_json(client, RECOMMEND, {"scope": "ce_external", "goal": "data_sync", "capacity": capacity})
        assert response.status_code == 400 and "capacity.peak_records_per_hour" in response.json()["errors"]


def test_numbers_only_count_for_goals_with_curated_limits_and_minus_zero_is_zero() -> None:
    from patterns.requirements import Requirements

    ui = Requirements.from_mapping({"scope": "ce_external", "goal": "embed_ui", "capacity": {"records_per_day": 9}})
    assert ui.capacity is None and ui.volume is None
    zero = Requirements.from_mapping(
        {"scope": "ce_external", "goal": "data_sync", "capacity": {"record_size_kb": -0.0}}
    )
    assert zero.capacity is not None and str(zero.capacity.record_size_kb) == "0.0"


def test_a_limit_returns_only_the_first_options_in_the_same_order(client: Client) -> None:
    body = {"scope": "fno_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous"}
    url = reverse("api:recommendations")
    every = client.post(url, body, content_type="application/json").json()
    first_two = client.post(f"{url}?limit=2", body, content_type="application/json").json()
    assert [o["pattern"] for o in first_two["options"]] == [o["pattern"] for o in every["options"][:2]]
    assert first_two["excluded"] == every["excluded"] and first_two["fit"] == every["fit"]
    for bad in ("0", "abc", "1001", "-3"):
        refused = client.post(f"{url}?limit={bad}", body, content_type="application/json")
        assert refused.status_code == 400 and "limit" in refused.json()["errors"]


def test_the_pattern_list_is_the_same_bytes_until_a_new_version(client: Client, db: None) -> None:
    first = client.get(reverse("api:patterns"))
    again = client.get(reverse("api:patterns"))
    assert first.content == again.content and first["Content-Type"] == "application/json"
    assert len(first.json()["patterns"]) == 30


def test_a_request_django_refuses_before_any_view_is_answered_in_the_apis_shape(client: Client) -> None:
    """A Host header that is no host name is refused by Django itself; under /api/ the answer is still JSON."""
    for path in (reverse("api:projects"), reverse("api:patterns")):
        response = client.get(path, HTTP_HOST="d(B;3")
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert "errors" in response.json()
    page = client.get("/", HTTP_HOST="d(B;3")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
