"""Reading request bodies: JSON of at most 64 KB, validated by the requirements vocabulary so the API's messages
are the vocabulary's. Every problem becomes an ApiError naming the field."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from patterns.requirements import Requirements, RequirementsError
from portal.api.errors import ApiError

MAX_BODY_BYTES = 64 * 1024
MAX_INTEGRATIONS = 50
TOO_BIG = {"body": [f"The body may be at most {MAX_BODY_BYTES} bytes."]}


def read_json(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ApiError({"content_type": [f"Expected application/json, got {content_type or 'nothing'}."]})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise ApiError(TOO_BIG, 413)
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(TOO_BIG, 413) from None
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(TOO_BIG, 413)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ApiError({"body": [f"Not valid JSON: {error}"]}) from None


def parse_requirements(data: Any, prefix: str = "") -> Requirements:
    try:
        return Requirements.from_mapping(data)
    except RequirementsError as error:
        raise ApiError({f"{prefix}{field}": messages for field, messages in error.errors.items()}) from None


def has_nul(value: Any) -> bool:
    """PostgreSQL text can't hold NUL; refuse it up front rather than fail on save."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def parse_project(data: Any) -> tuple[str, str, list[tuple[str, Requirements]]]:
    if not isinstance(data, dict):
        raise ApiError({"body": ["Expected an object with name, description and integrations."]})
    errors: dict[str, list[str]] = {}
    if has_nul(data):
        raise ApiError({"body": ["Text may not contain NUL characters."]})
    for field in sorted(set(data) - {"name", "description", "integrations"}):
        errors[field] = ["Unknown field. Allowed fields: name, description, integrations."]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors["name"] = ["Required: a non-empty string of at most 200 characters."]
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 5000:
        errors["description"] = ["Expected a string of at most 5000 characters."]
    raw_integrations = data.get("integrations", [])
    parsed: list[tuple[str, Requirements]] = []
    if not isinstance(raw_integrations, list) or len(raw_integrations) > MAX_INTEGRATIONS:
        errors["integrations"] = [f"Expected a list of at most {MAX_INTEGRATIONS} integrations."]
        raw_integrations = []
    for index, item in enumerate(raw_integrations):
        where = f"integrations[{index}]"
        if not isinstance(item, dict):
            errors[where] = ["Expected an object with name and requirements."]
            continue
        for field in sorted(set(item) - {"name", "requirements"}):
            errors[f"{where}.{field}"] = ["Unknown field. Allowed fields: name, requirements."]
        item_name = item.get("name")
        if not isinstance(item_name, str) or not item_name.strip() or len(item_name) > 200:
            errors[f"{where}.name"] = ["Required: a non-empty string of at most 200 characters."]
        try:
            requirements = parse_requirements(item.get("requirements"), prefix=f"{where}.requirements.")
        except ApiError as error:
            errors.update(error.errors)
            continue
        if isinstance(item_name, str):
            parsed.append((item_name, requirements))
    if errors:
        raise ApiError(errors)
    return str(name), str(description), parsed
