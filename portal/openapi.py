"""The OpenAPI 3.1 description of /api/v1, built from the requirements vocabulary so the two never drift."""

from __future__ import annotations

from typing import Any

from patterns.requirements import QUESTIONS


def _requirements_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for question in QUESTIONS:
        description = f"{question.label}. {question.help} " + "; ".join(
            f"{choice.value}: {choice.label}" for choice in question.choices
        )
        if question.is_boolean:
            properties[question.name] = {"type": ["boolean", "null"], "description": description}
        else:
            properties[question.name] = {"type": ["string", "null"], "enum": [*question.values, None],
                                         "description": description}  # fmt: skip
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [q.name for q in QUESTIONS if q.required],
        "properties": properties,
    }


ERRORS = {
    "description": "Bad input: every problem, keyed by field, with the allowed values.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def openapi_document() -> dict[str, Any]:
    option = {
        "type": "object",
        "required": ["pattern", "name", "rank", "score", "reasons", "cautions"],
        "properties": {
            "pattern": {"type": "string", "description": "Stable pattern slug."},
            "name": {"type": "string"},
            "rank": {"type": "integer", "minimum": 1},
            "score": {"type": "number", "minimum": 0, "maximum": 100},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "cautions": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Integration decision portal API",
            "version": "1",
            "description": "Rank Dynamics 365 integration patterns for a set of requirements, read the curated "
            "catalog, and keep projects. Project endpoints take the browser session or "
            "`Authorization: Bearer <token>` (create tokens on your account page).",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Requirements": _requirements_schema(),
                "Errors": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                },
                "Ranking": {
                    "type": "object",
                    "required": ["catalog_version", "options", "excluded"],
                    "properties": {
                        "catalog_version": {"type": "string"},
                        "options": {"type": "array", "items": option},
                        "excluded": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "pattern": {"type": "string"},
                                    "name": {"type": "string"},
                                    "reasons": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                        },
                    },
                },
                "NewProject": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "maxLength": 200},
                        "description": {"type": "string", "maxLength": 5000},
                        "integrations": {
                            "type": "array",
                            "maxItems": 50,
                            "items": {
                                "type": "object",
                                "required": ["name", "requirements"],
                                "additionalProperties": False,
                                "properties": {
                                    "name": {"type": "string", "maxLength": 200},
                                    "requirements": {"$ref": "#/components/schemas/Requirements"},
                                },
                            },
                        },
                    },
                },
            },
        },
        "paths": {
            "/recommendations": {
                "post": {
                    "summary": "Rank every active pattern for these requirements (public, stores nothing).",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Requirements"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "Options sorted by rank, and the excluded patterns with why.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ranking"}}},
                        },
                        "400": ERRORS,
                        "413": ERRORS,
                    },
                }
            },
            "/patterns": {
                "get": {"summary": "The active catalog.", "responses": {"200": {"description": "Patterns."}}}
            },
            "/patterns/{slug}": {
                "get": {
                    "summary": "One pattern with its text, fits, cautions and scenarios.",
                    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "The pattern."}, "404": ERRORS},
                }
            },
            "/projects": {
                "get": {
                    "summary": "The caller's projects.",
                    "security": [{"bearer": []}],
                    "responses": {"200": {"description": "Projects."}, "401": ERRORS},
                },
                "post": {
                    "summary": "Create a project; its integrations are ranked and saved, the checklist attached.",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewProject"}}},
                    },
                    "responses": {"201": {"description": "The new project in full."}, "400": ERRORS, "401": ERRORS},
                },
            },
            "/projects/{id}": {
                "get": {
                    "summary": "One of the caller's projects in full (404 for anyone else's).",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "The project."}, "401": ERRORS, "404": ERRORS},
                }
            },
        },
    }
