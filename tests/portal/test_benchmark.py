"""The benchmark command runs and reports its figures (the figures themselves are read by people, not asserted)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_benchmark_reports_recommender_timings_and_query_counts() -> None:
    out = io.StringIO()
    call_command("benchmark", "--skip-http", "--iterations", "20", stdout=out)
    report = out.getvalue()
    assert "Recommender (pure function, prebuilt snapshot of 30 patterns)" in report
    assert "µs" in report
    assert re.search(r"POST /api/v1/recommendations +\d queries  \(HTTP 200\)", report)
