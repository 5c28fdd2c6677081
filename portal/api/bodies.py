"""Reading request bodies: JSON of at most 64 KB, validated by the requirements vocabulary so the API's messages
are the vocabulary's. Every problem becomes an ApiError naming the field."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from patterns.requirements import Requirements, RequirementsError
from portal.api.errors import ApiError
from portal.services.inventory import MAX_BYTES as INVENTORY_MAX_BYTES
from portal.storable import json_problem

MAX_BODY_BYTES = 64 * 1024
MAX_INTEGRATIONS = 50
# No field counts anything near 10**30; Python refuses to turn 4,300+ digits into an int at all.
MAX_NUMBER_CHARACTERS = 40
TOO_BIG = {"body": [f"The body may be at most {MAX_BODY_BYTES} bytes."]}


def _refuse_long_number(literal: str) -> None:
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise ApiError({"body": [f"Numbers may be at most {MAX_NUMBER_CHARACTERS} characters long."]})


def _parse_int(literal: str) -> int:
    _refuse_long_number(literal)
    return int(literal)


def _parse_float(literal: str) -> float:
    _refuse_long_number(literal)
    return float(literal)  # 1e400 is infinity: the vocabulary refuses it, naming the field, as it does Infinity


def _declared_length(request: HttpRequest) -> int:
    """The body's length as the client declares it (0 when it doesn't, or not as a number): checked before the body
    is read, so an oversized one is refused without reading it."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def read_json(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ApiError({"content_type": [f"Expected application/json, got {content_type or 'nothing'}."]})
    declared = _declared_length(request)
    if declared > MAX_BODY_BYTES:
        raise ApiError(TOO_BIG, 413)
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(TOO_BIG, 413) from None
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(TOO_BIG, 413)
    try:
        data = json.loads(body.decode("utf-8"), parse_int=_parse_int, parse_float=_parse_float)
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ApiError({"body": [f"Not valid JSON: {error}"]}) from None
    problem = json_problem(data)  # before anything reads it: too deep, NUL or a lone surrogate
    if problem:
        raise ApiError({"body": [problem]})
    return data


def parse_requirements(data: Any, prefix: str = "") -> Requirements:
    try:
        return Requirements.from_mapping(data)
    except RequirementsError as error:
        raise ApiError({f"{prefix}{field}": messages for field, messages in error.errors.items()}) from None


class IntegrationBody(NamedTuple):
    name: str
    requirements: Requirements
    source_system: str
    target_system: str


INTEGRATION_FIELDS = ("name", "requirements", "source_system", "target_system")


def parse_project(data: Any) -> tuple[str, str, list[IntegrationBody]]:
    if not isinstance(data, dict):
        raise ApiError({"body": ["Expected an object with name, description and integrations."]})
    errors: dict[str, list[str]] = {}
    for field in sorted(set(data) - {"name", "description", "integrations"}):
        errors[field] = ["Unknown field. Allowed fields: name, description, integrations."]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors["name"] = ["Required: a non-empty string of at most 200 characters."]
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 5000:
        errors["description"] = ["Expected a string of at most 5000 characters."]
    raw_integrations = data.get("integrations", [])
    parsed: list[IntegrationBody] = []
    if not isinstance(raw_integrations, list) or len(raw_integrations) > MAX_INTEGRATIONS:
        errors["integrations"] = [f"Expected a list of at most {MAX_INTEGRATIONS} integrations."]
        raw_integrations = []
    for index, item in enumerate(raw_integrations):
        where = f"integrations[{index}]"
        if not isinstance(item, dict):
            errors[where] = ["Expected an object with name and requirements."]
            continue
        for field in sorted(set(item) - set(INTEGRATION_FIELDS)):
            errors[f"{where}.{field}"] = [f"Unknown field. Allowed fields: {', '.join(INTEGRATION_FIELDS)}."]
        systems = {key: item.get(key, "") for key in ("source_system", "target_system")}
        for key, value in systems.items():
            if not isinstance(value, str) or len(value) > 100:
                errors[f"{where}.{key}"] = ["Expected a string of at most 100 characters."]
        item_name = item.get("name")
        if not isinstance(item_name, str) or not item_name.strip() or len(item_name) > 200:
            errors[f"{where}.name"] = ["Required: a non-empty string of at most 200 characters."]
        try:
            requirements = parse_requirements(item.get("requirements"), prefix=f"{where}.requirements.")
        except ApiError as error:
            errors.update(error.errors)
            continue
        if isinstance(item_name, str):
            parsed.append(IntegrationBody(item_name, requirements, str(systems["source_system"]),
                                          str(systems["target_system"])))  # fmt: skip
    if errors:
        raise ApiError(errors)
    return str(name), str(description), parsed


def read_inventory(request: HttpRequest) -> tuple[str, bytes]:
    """An inventory file's name and bytes: the body as CSV, or the ``file`` field of a form (.csv or .xlsx)."""
    content_type = request.content_type or ""
    too_big = {"body": [f"The file may be at most {INVENTORY_MAX_BYTES // (1024 * 1024)} MB."]}
    declared = _declared_length(request)
    if declared > INVENTORY_MAX_BYTES + 64 * 1024:  # the file, and a form's boundaries around it
        raise ApiError(too_big, 413)
    try:
        if content_type == "text/csv":  # read here, not through request.body, which stops at 2.5 MB
            body = request.read(INVENTORY_MAX_BYTES + 1)
            if len(body) > INVENTORY_MAX_BYTES:
                raise ApiError(too_big, 413)
            return "inventory.csv", body
        if content_type == "multipart/form-data":
            upload = request.FILES.get("file")
            if upload is None:
                raise ApiError({"file": ["Send the inventory in the form field “file”."]})
            if upload.size and upload.size > INVENTORY_MAX_BYTES:
                raise ApiError(too_big, 413)
            return upload.name or "inventory.csv", upload.read()
    except RequestDataTooBig:
        raise ApiError(too_big, 413) from None
    except MultiPartParserError as error:
        raise ApiError({"body": [f"Not a form that can be read: {error}"]}) from None
    raise ApiError({"content_type": [f"Expected text/csv or multipart/form-data, got {content_type or 'nothing'}."]})
