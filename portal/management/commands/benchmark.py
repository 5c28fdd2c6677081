"""`make bench`: one table of what the product promises, each figure next to its ceiling in the same run.

- HTTP: gunicorn (sync workers = cores, production settings) driven by wrk on the same machine; each endpoint's
  requests/s, p50 and p99, its ratio to its ceiling (a bare Django view for the API; for the signed-in pages, a plain
  50-row table page in the portal's layout, signed in as the same user) and the queries one request makes. The pages
  are measured with the default cache, rendered afresh (a second server with CACHE_URL=dummy://: what whoever just
  changed something waits for), and the project page answering its own ETag (304). A bare 50-row HTML document (no
  layout, no session) is shown for reference.
- Ranking with the shipped catalog and a synthetic 1,000-pattern one (median and p99, all options and the first 10).
- "My projects" page 1 and the team dashboard with 1,000 projects, then with 100,000 across teams.

Prints figures and asserts nothing: timings vary about 15% between identical runs, so read ratios within one run.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import tempfile
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patterns.catalog import published_snapshot, ranking_json
from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import snapshot_from_content
from patterns.requirements import Requirements
from portal.benchmark_http import Row, collect_static, fetch, gunicorn, production_env, sign_in, timed, wrk
from portal.benchmarking import TEN_ANSWERS, inventory_figures, synthetic_content
from portal.models import Membership, Project, ProjectChecklistEntry, Role, Team
from portal.selectors.projects import projects_for
from portal.services.decisions import decision_save
from portal.services.integrations import integration_create
from portal.services.projects import project_create
from portal.services.teams import team_create

API_BODY: dict[str, Any] = {"scope": "fno_external", "goal": "data_sync", "direction": "inbound",
                            "timing": "synchronous", "volume": "low"}  # fmt: skip
VARIED = [
    API_BODY,
    {"scope": "ce_external", "goal": "event_notification", "direction": "outbound", "timing": "near_real_time"},
    {"scope": "fno_dataverse", "goal": "data_sync", "direction": "bidirectional", "timing": "near_real_time"},
    {"scope": "fno_external", "goal": "data_sync", "direction": "outbound", "timing": "scheduled_batch",
     "volume": "high"},
]  # fmt: skip
BENCH = "bench"  # the prefix of everything the benchmark creates


class Command(BaseCommand):
    help = "Benchmark endpoints against their ceilings, ranking at 1,000 patterns and lists at 100,000 projects."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=4.0, help="wrk run per endpoint and round")
        parser.add_argument("--rounds", type=int, default=3, help="paired runs of each endpoint and its ceiling")
        parser.add_argument("--connections", type=int, default=8, help="wrk connections")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers")
        parser.add_argument("--iterations", type=int, default=1000, help="rankings timed per figure")
        parser.add_argument("--projects", type=int, default=100_000, help="projects for the big-list figures (0: skip)")
        parser.add_argument("--skip-http", action="store_true", help="no gunicorn/wrk run (queries and timings only)")
        parser.add_argument("--inventory-rows", type=int, default=1000, help="rows of the inventory import (0: skip)")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("loadcatalog", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        user, password = self._user()
        project, integration, dashboard_team = self._fixtures(user)
        project_page = reverse("projects:detail", args=[project.pk])
        integration_page = reverse("projects:integration", args=[project.pk, integration.pk])
        dashboard = reverse("teams:detail", args=[dashboard_team.pk])
        rows = [
            Row("bare Django view (API ceiling)", path="/_bench/bare", shown="ceiling"),
            Row("50-row page, signed in (page ceiling)", path="/_bench/page", signed_in=True, shown="ceiling"),
            Row("50-row bare document (reference)", path="/_bench/table", shown="reference"),
            Row("POST /api/v1/recommendations", "POST", reverse("api:recommendations"), "bare"),
            Row("GET /api/v1/patterns", "GET", reverse("api:patterns"), "bare"),
            Row("GET /projects/ (my projects)", "GET", reverse("projects:list"), "page"),
            Row("GET project (20 integrations)", "GET", project_page, "page"),
            Row("  the same, rendered afresh", "GET", project_page, "page", server="afresh"),
            Row("  the same, 304 to its ETag", "GET", project_page, "page", revalidate=True),
            Row("GET integration page", "GET", integration_page, "page"),
            Row("  the same, rendered afresh", "GET", integration_page, "page", server="afresh"),
            Row("GET team dashboard (1,000 projects)", "GET", dashboard, "page"),
            Row("  the same, rendered afresh", "GET", dashboard, "page", server="afresh"),
        ]  # fmt: skip
        for row in rows:
            row.signed_in = row.signed_in or row.ceiling == "page"
        self._queries(user, rows)
        if not options["skip_http"]:
            self._http(rows, user.get_username(), password, options)
        self._print_table(rows)
        self._ranking(options["iterations"])
        if options["inventory_rows"]:
            inventory_figures(self.stdout, user, options["inventory_rows"])
        if options["projects"]:
            self._big_lists(user, dashboard_team, options["projects"])

    # Data

    def _user(self) -> tuple[User, str]:
        password = secrets.token_urlsafe(16)
        user, _ = get_user_model().objects.get_or_create(username=f"{BENCH}-architect")
        user.set_password(password)
        user.save()
        return user, password

    def _fixtures(self, user: User) -> tuple[Project, Any, Team]:
        project = Project.objects.filter(name=f"{BENCH}: twenty integrations").first()
        if project is None:
            team = team_create(name=f"{BENCH}: team", owner=user)
            project = project_create(owner=user, name=f"{BENCH}: twenty integrations", description="", team=team)
            for index in range(20):
                created = integration_create(project=project, name=f"Integration {index}", created_by=user,
                                             requirements=Requirements.from_mapping(VARIED[index % len(VARIED)]),
                                             source_system=f"System {index % 5}")  # fmt: skip
                if index % 2 and created.top_pattern_slug:
                    decision_save(integration=created, actor=user, chosen_pattern_slug=created.top_pattern_slug,
                                  rationale="Chosen for the benchmark.")  # fmt: skip
        integration = project.integrations.order_by("id").first()
        dashboard = Team.objects.filter(name=f"{BENCH}: 1,000 projects").first()
        if dashboard is None:
            dashboard = team_create(name=f"{BENCH}: 1,000 projects", owner=user)
            self._bulk_projects(dashboard, user, 1000, checklists=project)
        return project, integration, dashboard

    def _bulk_projects(self, team: Team, owner: User, count: int, *, checklists: Project | None) -> None:
        """Projects made fast (bulk inserts), each with a copy of ``checklists``'s tasks when given."""
        made = Project.objects.bulk_create(
            [Project(team=team, owner=owner, name=f"{team.name} #{i}") for i in range(count)], batch_size=2000
        )
        if checklists is None:
            return
        template = list(checklists.checklist_entries.all())
        entries = []
        for number, project in enumerate(made):
            for position, entry in enumerate(template):
                entries.append(ProjectChecklistEntry(
                    project=project, section_slug=entry.section_slug, section_title=entry.section_title,
                    section_position=entry.section_position, slug=entry.slug, title=entry.title,
                    guidance=entry.guidance, position=entry.position, condition=entry.condition,
                    status="done" if (number + position) % 3 == 0 else "open",
                ))  # fmt: skip
        ProjectChecklistEntry.objects.bulk_create(entries, batch_size=5000)

    # Queries per request, in process

    def _queries(self, user: User, rows: list[Row]) -> None:
        """What a warm process's second request reads (after the cache is emptied, for a page rendered afresh)."""
        signed_in, anonymous = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
        signed_in.force_login(user)
        body = json.dumps(API_BODY)
        for row in rows:
            if row.shown:
                continue
            client = signed_in if row.signed_in else anonymous
            etag = (client.post(row.path, body, content_type="application/json") if row.method == "POST"
                    else client.get(row.path)).get("ETag", "")  # fmt: skip
            if row.server == "afresh":
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                if row.method == "POST":
                    client.post(row.path, body, content_type="application/json")
                else:
                    client.get(row.path, headers={"If-None-Match": etag} if row.revalidate else None)
            row.queries = len(captured.captured_queries)

    # HTTP under gunicorn and wrk

    def _http(self, rows: list[Row], username: str, password: str, options: dict[str, Any]) -> None:
        binary = shutil.which("wrk")
        if binary is None:
            self.stdout.write(self.style.WARNING("wrk is not installed (apt-get install wrk): HTTP figures skipped."))
            return
        collect_static(production_env())
        with ExitStack() as servers, tempfile.TemporaryDirectory() as scratch:
            # Two servers: the default cache, and none (every page rendered afresh). Only the one wrk drives works.
            bases = {name: servers.enter_context(gunicorn(production_env(**env), options["workers"]))
                     for name, env in (("default", {}), ("afresh", {"CACHE_URL": "dummy://"}))}  # fmt: skip
            cookie = sign_in(bases["default"], username, password)  # sessions live in the database: good for both
            body = json.dumps(API_BODY)

            def run(row: Row, server: str) -> tuple[float, float, float, int]:
                url = bases[server] + row.path
                headers = {"Cookie": cookie} if row.signed_in else {}
                if row.method == "POST":
                    headers["Content-Type"] = "application/json"
                payload = body.encode() if row.method == "POST" else None
                for _ in range(5):  # warm: imports, prepared statements, the cache
                    etag = fetch(url, body=payload, headers=headers)[1]
                if row.revalidate:
                    headers["If-None-Match"] = etag
                expected = 304 if row.revalidate else 200
                if (status := fetch(url, body=payload, headers=headers)[0]) != expected:
                    raise RuntimeError(f"{row.path} answered {status}, not {expected}, on the {server} server.")
                return wrk(binary, url, seconds=options["seconds"], connections=options["connections"],
                           method=row.method, body=body, headers=headers, scratch=Path(scratch))  # fmt: skip

            ceilings = {"bare": rows[0], "page": rows[1]}
            rows[2].record(run(rows[2], "default"))
            # Paired: in each round an endpoint runs right after its own ceiling on the same server, so a machine that
            # slows down for a while moves both figures of a ratio; the ratio shown is the median of the rounds'.
            # Figures are the mean of the runs.
            for _ in range(options["rounds"]):
                for row in rows[3:]:
                    ceiling = ceilings[row.ceiling]
                    ceiling_run, row_run = run(ceiling, row.server), run(row, row.server)
                    ceiling.record(ceiling_run)
                    row.record(row_run)
                    row.ratios.append(row_run[0] / ceiling_run[0])

    # Reporting

    def _print_table(self, rows: list[Row]) -> None:
        engine = connection.vendor
        pg_version = getattr(connection, "pg_version", 0)
        version = f"{pg_version // 10000}.{pg_version % 10000}" if engine == "postgresql" else ""
        self.stdout.write(
            f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"database {engine} {version}".rstrip()
        )
        header = f"{'endpoint':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>14} {'queries':>8}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in rows:
            ratio = row.ratio
            figures = [f"{row.rps:8.0f}" if row.rps else f"{'-':>8}", f"{row.p50:8.1f}" if row.p50 else f"{'-':>8}",
                       f"{row.p99:8.1f}" if row.p99 else f"{'-':>8}"]  # fmt: skip
            errors = f"  ({row.errors} errors)" if row.errors else ""
            queries = "" if row.queries is None else str(row.queries)
            self.stdout.write(f"{row.label:38} {' '.join(figures)} {ratio:>14} {queries:>8}{errors}")

    def _ranking(self, iterations: int) -> None:
        ten = Requirements.from_mapping(TEN_ANSWERS)
        shipped = published_snapshot()
        big = snapshot_from_content(synthetic_content(1000))
        self.stdout.write("\nRanking 10 answers (in process)                 median ms   p99 ms")
        for label, snapshot, limit in ((f"shipped catalog ({len(shipped.patterns)} patterns)", shipped, None),
                                       ("1,000 patterns, every option", big, None),
                                       ("1,000 patterns, the first 10 (?limit=10)", big, 10)):  # fmt: skip
            median, p99 = timed(partial(recommend, ten, snapshot, limit=limit), iterations)
            self.stdout.write(f"  {label:45} {median:9.2f} {p99:8.2f}")

        def first_time() -> bytes:  # what the API does for a question this process hasn't answered yet
            shipped.memo.pop("api_answers", None)
            return ranking_json(ten)

        for label, call in (("API answer, first time (rank and encode)", first_time),
                            ("API answer, asked again (remembered)", partial(ranking_json, ten))):  # fmt: skip
            median, p99 = timed(call, iterations)
            self.stdout.write(f"  {label:45} {median:9.2f} {p99:8.2f}")
        every = len(json.dumps(recommend(ten, big).to_api()))
        first = len(json.dumps(recommend(ten, big, limit=10).to_api()))
        self.stdout.write(f"  API answer at 1,000 patterns: {every / 1024:.0f} KB every option, {first / 1024:.0f} KB "
                          "with ?limit=10")  # fmt: skip

    def _explain(self, user: User) -> None:
        """How the database reads page 1 of "my projects": an index, not a sort of every project."""
        plan = projects_for(user)[:21].explain()
        first = plan.splitlines()[0] if plan else ""
        pattern = (
            r"(?:Index Scan using|Index Only Scan using|Bitmap Index Scan on|USING INDEX|USING COVERING INDEX) (\w+)"
        )
        indexes = sorted(set(re.findall(pattern, plan)))
        self.stdout.write(f"  query plan of my projects, page 1: {first.strip()[:90]}")
        self.stdout.write(f"  indexes it uses: {', '.join(indexes) or 'none (it sorts)'}")

    def _big_lists(self, user: User, dashboard: Team, total: int) -> None:
        _analyze()
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        pages = {"my projects, page 1": reverse("projects:list"),
                 "team dashboard (1,000 projects)": reverse("teams:detail", args=[dashboard.pk])}  # fmt: skip
        before = {label: timed(partial(_afresh, client, path), 15)[0] for label, path in pages.items()}
        extra = max(0, total - Project.objects.count())
        teams = []
        if extra:
            self.stdout.write(f"\nAdding {extra:,} projects across {extra // 1000 + 1} teams…")
            for index in range(extra // 1000 + 1):
                team = Team.objects.create(name=f"{BENCH}: big team {index}")
                Membership.objects.create(team=team, user=user, role=Role.VIEWER)
                teams.append(team)
                self._bulk_projects(team, user, min(1000, extra - index * 1000), checklists=None)
            _analyze()  # as autovacuum would soon: the planner plans with today's row counts
        try:
            after = {label: timed(partial(_afresh, client, path), 15)[0] for label, path in pages.items()}
            self._explain(user)
            count = Project.objects.count()
            self.stdout.write(
                f"\nLists as projects grow (in process, rendered afresh){'':3}1,000 team  {count:,} total"
            )
            for label in pages:
                self.stdout.write(f"  {label:52} {before[label]:7.1f} ms  {after[label]:7.1f} ms  "
                                  f"({after[label] / before[label]:.2f}x)")  # fmt: skip
        finally:
            # A team at a time: one delete of 100,000 projects would bind more than PostgreSQL's 65,535 parameters.
            for team in teams:
                Project.objects.filter(team=team).delete()
                team.delete()


def _afresh(client: Client, path: str) -> None:
    """The page rendered, not served from the cache: the work that grows with the data."""
    cache.clear()
    client.get(path)


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
