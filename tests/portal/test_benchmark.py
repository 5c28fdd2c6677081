"""The benchmark command runs and reports its figures (the figures themselves are read by people, not asserted)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_benchmark_reports_query_counts_and_ranking_figures() -> None:
    out = io.StringIO()
    call_command("benchmark", "--skip-http", "--iterations", "20", "--projects", "0", "--inventory-rows", "40",
                 stdout=out)  # fmt: skip
    report = out.getvalue()
    assert re.search(r"POST /api/v1/recommendations +- +- +- +(0|1) *\n", report)  # no query to rank
    assert re.search(r"GET project \(20 integrations\) .* \d+\n", report)
    assert "shipped catalog (30 patterns)" in report and "1,000 patterns, the first 10 (?limit=10)" in report
    assert re.search(r"Inventory import, 40 rows .*\n.*check and rank every row \(the preview\) +\d+\.\d+", report)
    assert re.search(r"import: check, rank and save every row +\d+\.\d+ +\(40 added\)", report)
    assert re.search(r"the portfolio page +\d+\.\d+ +\(\d+ KB, 200\)", report)
