"""The API's one error shape: ``{"errors": {field: [message, …]}}`` with the right status code."""

from __future__ import annotations

from django.http import JsonResponse


class ApiError(Exception):
    def __init__(self, errors: dict[str, list[str]], status: int = 400):
        super().__init__(errors)
        self.errors, self.status = errors, status


def error_response(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)
