"""What `make bench` measures with, kept out of the product's code paths: a synthetic catalog of any size, built
from the shipped one so its shape (fits per answer, cautions, limits) stays realistic, and the answers it ranks."""

from __future__ import annotations

import copy
import csv
import io
import random
import time
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


def inventory_csv(rows: int, environments: list[str]) -> bytes:
    """An inventory of ``rows`` realistic integrations: the curated scenarios' answers in turn, with numbers that
    vary, spread over ``environments`` and a few shared accounts."""
    _, content = published_content()
    scenarios = [s["answers"] for s in (content or {}).get("scenarios", [])] or [TEN_ANSWERS]
    questions = sorted({question for answers in scenarios for question in answers if question != "capacity"})
    numbers = ("records_per_day", "peak_records_per_hour", "concurrent_clients")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "source_system", "target_system", "environment", "identity", *questions, *numbers])
    picker = random.Random(26)  # noqa: S311 (figures, not secrets)
    for n in range(rows):
        answers = scenarios[n % len(scenarios)]
        per_day = picker.choice((500, 5_000, 40_000, 250_000))
        cells = ["" if answers.get(q) is None else str(answers[q]).lower() for q in questions]
        writer.writerow([f"Interface {n:04}", f"System {n % 37}", f"System {(n * 7) % 41}",
                         environments[n % len(environments)], f"svc-{n % 9}", *cells,
                         per_day, per_day // 8, picker.choice((1, 4, 10))])  # fmt: skip
    return out.getvalue().encode()


def inventory_figures(stdout: Any, owner: Any, rows: int) -> None:
    """Import ``rows`` integrations into a new project: the dry run (check and rank), the import itself, and the
    environments' shared check and the portfolio page read afterwards. Timed as production runs it, without
    DEBUG's query log (it formats every statement, large rankings included)."""
    from django.test.utils import override_settings

    with override_settings(DEBUG=False, ALLOWED_HOSTS=["localhost"]):
        _inventory_figures(stdout, owner, rows)


def _inventory_figures(stdout: Any, owner: Any, rows: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from portal.selectors.environments import project_environment_checks
    from portal.services.environments import environment_create
    from portal.services.inventory import inventory_import, parse_inventory, read_table
    from portal.services.projects import project_create

    project = project_create(owner=owner, name=f"bench inventory {rows}")
    names = ["FO production", "CE production", "FO test"]
    for name in names:
        environment_create(project=project, actor=owner, name=name, kind="fno" if "FO" in name else "dataverse",
                           production="production" in name)  # fmt: skip
    data = inventory_csv(rows, names)
    stdout.write(f"\nInventory import, {rows:,} rows ({len(data) / 1024:.0f} KB CSV)          seconds")
    started = time.perf_counter()
    parsed = parse_inventory(read_table("inventory.csv", data), project.environments.all())
    inventory_import(project=project, actor=owner, rows=parsed, dry_run=True)
    stdout.write(f"  {'check and rank every row (the preview)':45} {time.perf_counter() - started:9.2f}")
    started = time.perf_counter()
    parsed = parse_inventory(read_table("inventory.csv", data), project.environments.all())
    report = inventory_import(project=project, actor=owner, rows=parsed, dry_run=False)
    stdout.write(f"  {'import: check, rank and save every row':45} {time.perf_counter() - started:9.2f}"
                 f"   ({report.created:,} added)")  # fmt: skip
    started = time.perf_counter()
    checks, _ = project_environment_checks(project)
    stdout.write(f"  {'the environments shared check':45} {time.perf_counter() - started:9.2f}"
                 f"   ({', '.join(f'{c.environment}: {c.capacity.verdict}' for c in checks)})")  # fmt: skip
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    for label, url in (("the portfolio page", reverse("portfolio")),
                       ("the environments page", reverse("projects:environments", args=[project.pk]))):  # fmt: skip
        client.get(url)  # the first read also compiles the templates
        started = time.perf_counter()
        response = client.get(url)
        stdout.write(f"  {label:45} {time.perf_counter() - started:9.2f}   ({len(response.content) / 1024:.0f} KB, "
                     f"{response.status_code})")  # fmt: skip
