"""Schemathesis against the API's own OpenAPI document (/api/v1/openapi.json): generated requests to every
operation, anonymous and with a token, and every answer checked against what the document promises (status codes,
content types, response fields, no server error). Bounded: a few examples an operation, so it runs in seconds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.api.bodies import parse_project
from portal.api.errors import ApiError
from portal.api.project_schemas import NAME
from portal.services.tokens import api_token_create
from tests.factories import make_project

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.hook("map_body")
def busiest_hour_within_the_day(context: Any, body: Any) -> Any:
    """The one rule a JSON Schema can't state, which the document says in words: the busiest hour holds at least an
    average hour of the day's records and at most the whole day. Generated numbers are made to keep it."""
    if not isinstance(body, dict):
        return body
    integrations = body.get("integrations")
    answers = [body, *(item.get("requirements") for item in integrations if isinstance(item, dict))] if isinstance(
        integrations, list) else [body]  # fmt: skip
    for requirements in answers:
        capacity = requirements.get("capacity") if isinstance(requirements, dict) else None
        if isinstance(capacity, dict) and None not in (
            capacity.get("records_per_day"),
            capacity.get("peak_records_per_hour"),
        ):
            capacity["peak_records_per_hour"] = capacity["records_per_day"]
    return body


@pytest.fixture(autouse=True)
def _connections_kept_across_requests() -> Iterator[None]:
    """The WSGI app closes the database connection after each request, and with it the test's transaction: as
    Django's own test client does, leave it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(alice: User) -> str:
    make_project(alice)
    _, secret = api_token_create(user=alice, name="schemathesis")
    return secret


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_what_the_document_says(case: Any, token: str) -> None:
    # An inventory is a CSV or XLSX file: JSON Schema can only say "a string" or "a file", so any text is "valid" to
    # it and most text is no inventory (a 400 naming the line and column, as documented). Every other check still
    # runs on that operation; tests/portal/test_inventory.py checks what a good file does.
    skipped = [positive_data_acceptance] if case.path.endswith("/inventory") else []
    case.call_and_validate(excluded_checks=skipped)  # anonymous: public operations answer, project ones say 401
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=skipped)


@pytest.mark.parametrize("character", [chr(code) for code in range(0x3001) if chr(code).isspace()] + ["\ufeff"])
def test_a_name_the_document_allows_is_a_name_the_api_accepts(character: str) -> None:
    # The document's pattern and the validator's strip() must agree on every blank: schemathesis once sent a name of
    # U+001E alone, which JSON Schema's \s doesn't count as a space and Python's strip() removes.
    for name in (character, f"{character}x{character}"):
        documented = re.fullmatch(NAME, name) is not None
        try:
            parse_project({"name": name})
            accepted = True
        except ApiError:
            accepted = False
        assert documented == accepted, (name, documented, accepted)
