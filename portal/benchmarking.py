"""What `make bench` measures with, kept out of the product's code paths: a synthetic catalog of any size, built
from the shipped one so its shape (fits per answer, cautions, limits) stays realistic, and the answers it ranks."""

from __future__ import annotations

import copy
import random
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from patterns.catalog import published_content
from patterns.requirements import QUESTIONS

LEVELS = ("strong", "good", "neutral", "weak", "poor", "excluded")
LEVEL_ODDS = (14, 18, 30, 16, 12, 10)  # how often each level appears in a synthetic fit

# Ten answers: the benchmark's question for the ranking figures.
TEN_ANSWERS: dict[str, Any] = {
    "scope": "fno_dataverse", "goal": "data_sync", "direction": "bidirectional", "timing": "near_real_time",
    "volume": "medium", "deployment": "cloud", "data_residency": "replicate", "transformations": "none",
    "prefers_low_code": True, "needs_custom_logic": False,
}  # fmt: skip


def synthetic_content(patterns: int, *, seed: int = 7) -> dict[str, Any]:
    """The published content with ``patterns`` patterns: the real ones, then copies with shuffled fits."""
    _, published = published_content()
    if published is None:
        raise RuntimeError("Nothing is published yet: run `manage.py loadcatalog` first.")
    content = copy.deepcopy(published)
    rng = random.Random(seed)  # noqa: S311 - a repeatable synthetic catalog, not a secret
    real = content["patterns"]
    out = list(real[:patterns])
    index = 0
    while len(out) < patterns:
        model = real[index % len(real)]
        index += 1
        clone = copy.deepcopy(model)
        clone["slug"] = f"{model['slug']}-synthetic-{index}"
        clone["name"] = f"{model['name']} (synthetic {index})"
        clone["tie_break"] = rng.randint(0, 100)
        for question in QUESTIONS:
            for value in question.values:
                if question.name in {"scope", "goal"} and rng.random() < 0.5:
                    continue  # keep half the systems and goals as curated, so the clone stays plausible
                level = rng.choices(LEVELS, LEVEL_ODDS)[0]
                clone["fits"].setdefault(question.name, {})[value] = {
                    "fit": level, "why": f"Synthetic fit {level} for {question.name}={value}."
                }  # fmt: skip
        out.append(clone)
    content["patterns"] = out
    content["version"] = f"synthetic-{patterns}"
    return content


# The ceilings `make bench` compares with, served only when settings.BENCHMARK_CEILINGS is on: what bare Django
# answers (the API's ceiling); a plain page of 50 table rows in the portal's layout, served to the same signed-in user
# as the pages it is compared with (the signed-in pages' ceiling: same middleware, session, navigation and shell, so
# the ratio is what a page's own work costs next to rendering 50 rows); and, for reference, the same 50 rows as a bare
# HTML document with no layout and no session.

TABLE_ROWS = [
    {"name": f"Integration {index}", "pattern": "OData", "status": "accepted" if index % 3 else "proposed",
     "score": 100 - index, "owner": f"architect{index % 7}"}
    for index in range(50)
]  # fmt: skip


def bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def table_view(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/table.html", {"rows": TABLE_ROWS})


@login_required
def page_view(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/page.html", {"rows": TABLE_ROWS})


ceiling_urls = [
    path("_bench/bare", bare_view, name="bench_bare"),
    path("_bench/table", table_view, name="bench_table"),
    path("_bench/page", page_view, name="bench_page"),
]
