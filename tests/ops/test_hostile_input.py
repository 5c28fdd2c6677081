"""Hostile input is a 400 with the usual errors body, never a 500, and text the database can't store (NUL, lone
surrogates) is refused before it gets there: in JSON bodies, keys included, and in query and form parameters."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.middleware import UnstorableTextMiddleware
from portal.models import Project
from portal.services.tokens import api_token_create
from portal.storable import MAX_JSON_DEPTH, json_problem
from tests.factories import WEB_SHOP

RECOMMEND = reverse("api:recommendations")
PROJECTS = reverse("api:projects")
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def post_raw(client: Client, url: str, raw: str, **extra: Any) -> Any:
    return client.post(url, raw.encode("utf-8", "surrogatepass"), content_type="application/json", **extra)


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.fixture
def token(alice: User) -> dict[str, str]:
    _, secret = api_token_create(user=alice, name="ci")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
def test_an_integer_of_4300_digits_is_a_400_naming_the_body(client: Client) -> None:
    raw = json.dumps({**WEB_SHOP, "capacity": {"records_per_day": 0}}).replace('"records_per_day": 0', "X")
    response = post_raw(client, RECOMMEND, raw.replace("X", '"records_per_day": ' + "9" * 4301))
    assert response.status_code == 400
    assert response.json() == {"errors": {"body": ["Numbers may be at most 40 characters long."]}}


@pytest.mark.django_db
@pytest.mark.parametrize("literal", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_numbers_that_are_not_finite_are_a_400_naming_the_field(client: Client, literal: str) -> None:
    raw = json.dumps(WEB_SHOP)[:-1] + f', "capacity": {{"records_per_day": {literal}}}}}'
    response = post_raw(client, RECOMMEND, raw)
    assert response.status_code == 400 and "capacity.records_per_day" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw", [nested(MAX_JSON_DEPTH + 1), nested(500), nested(999), nested(2000), "[" * 30000 + "]" * 30000]
)
def test_deeply_nested_json_on_projects_is_a_400(client: Client, token: dict[str, str], raw: str) -> None:
    response = post_raw(client, PROJECTS, raw, **token)
    assert response.status_code == 400 and response.json()["errors"]["body"]
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_a_lone_surrogate_on_projects_is_a_400_and_nothing_is_saved(client: Client, token: dict[str, str]) -> None:
    raw = '{"name": "Order \\ud800 to cash", "integrations": []}'
    response = post_raw(client, PROJECTS, raw, **token)
    assert response.status_code == 400
    assert "lone surrogates" in response.json()["errors"]["body"][0]
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_a_lone_surrogate_in_a_key_is_refused_too(client: Client, token: dict[str, str]) -> None:
    response = post_raw(client, PROJECTS, '{"name": "ok", "\\udfff": 1}', **token)
    assert response.status_code == 400 and "lone surrogates" in response.json()["errors"]["body"][0]


def test_a_body_as_deep_as_ours_is_accepted_by_the_depth_rule() -> None:
    assert json_problem(json.loads(nested(MAX_JSON_DEPTH))) is None
    assert json_problem(json.loads(nested(MAX_JSON_DEPTH + 1))) is not None


# One character: two surrogates in a row may be a valid pair once JSON decodes them.
unstorable = st.characters(codec=None, categories=["Cs"]) | st.just("\x00")
text_with_unstorable = st.builds(lambda a, bad, b: a + bad + b, st.text(max_size=10), unstorable, st.text(max_size=10))


@pytest.mark.django_db
@HYPOTHESIS
@given(name=text_with_unstorable, where=st.sampled_from(["name", "description", "integration"]))
def test_no_unstorable_text_reaches_the_database_through_the_api(
    client: Client, token: dict[str, str], name: str, where: str
) -> None:
    body: dict[str, Any] = {"name": "Order to cash", "integrations": []}
    if where == "integration":
        body["integrations"] = [{"name": name, "requirements": WEB_SHOP}]
    else:
        body[where] = name
    response = post_raw(client, PROJECTS, json.dumps(body), **token)
    assert response.status_code == 400 and response.json()["errors"]["body"]
    assert not Project.objects.exists()


@pytest.mark.django_db
@HYPOTHESIS
@given(depth=st.integers(min_value=1, max_value=3000), container=st.sampled_from(["[", "{"]))
def test_no_nesting_ever_gives_a_server_error(client: Client, depth: int, container: str) -> None:
    raw = "[" * depth + "]" * depth if container == "[" else nested(depth)
    response = post_raw(client, RECOMMEND, raw)
    assert response.status_code == 400 and response.json()["errors"]


@pytest.mark.django_db
@HYPOTHESIS
@given(digits=st.integers(min_value=1, max_value=6000))
def test_no_integer_length_ever_gives_a_server_error(client: Client, digits: int) -> None:
    raw = json.dumps(WEB_SHOP)[:-1] + f', "capacity": {{"records_per_day": {"1" * digits}}}}}'
    assert post_raw(client, RECOMMEND, raw).status_code in {200, 400}


# Query and form parameters


@pytest.mark.django_db
def test_a_nul_in_a_form_is_refused_before_the_form_sees_it(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("projects:new"), {"name": "Order\x00 to cash", "description": ""})
    assert response.status_code == 400 and b"NUL" in response.content
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_a_query_string_is_refused(client: Client) -> None:
    assert client.get(reverse("patterns:catalog"), {"q": "odata\x00"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/invitations/abc%00def/", "/account/sessions/%00/end/", "/patterns/odata%00/"])
def test_a_nul_in_a_path_is_refused_before_any_view(client: Client, alice: User, path: str) -> None:
    client.force_login(alice)
    assert client.get(path).status_code == 400


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("reached the view")


@HYPOTHESIS
@given(value=text_with_unstorable, in_name=st.booleans(), api=st.booleans())
def test_parameters_with_unstorable_text_never_reach_the_view(value: str, in_name: bool, api: bool) -> None:
    # A browser can't send a lone surrogate in a form (UTF-8 can't encode one), so build the parameters directly.
    request = RequestFactory().post("/api/v1/recommendations" if api else "/projects/new/")
    parameters = QueryDict(mutable=True)
    parameters[value if in_name else "name"] = "x" if in_name else value
    request.POST = parameters  # type: ignore[assignment]
    response = UnstorableTextMiddleware(ok)(request)
    assert response.status_code == 400
    if api:
        assert json.loads(response.content)["errors"]["body"]


def test_ordinary_text_passes_through() -> None:
    request = RequestFactory().get("/patterns/", {"q": "Ünïcode 😀 tabs\tand newlines\n"})
    assert UnstorableTextMiddleware(ok)(request).content == b"reached the view"
