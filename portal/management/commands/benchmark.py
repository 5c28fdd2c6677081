"""`make bench`: one table of what the product promises, each figure next to its ceiling in the same run.

- HTTP: gunicorn (sync workers = cores, production settings) driven by wrk on the same machine; each endpoint's
  requests/s, p50 and p99, its ratio to its ceiling (a bare Django view for the API; for the signed-in pages, a plain
  50-row table page in the portal's layout, signed in as the same user) and the queries one request makes. A bare
  50-row HTML document (no layout, no session) is shown for reference.
- Ranking with the shipped catalog and a synthetic 1,000-pattern one (median and p99, all options and the first 10).
- "My projects" page 1 and the team dashboard with 1,000 projects, then with 100,000 across teams.

Prints figures and asserts nothing: timings vary about 15% between identical runs, so read ratios within one run.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
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
from portal.benchmarking import TEN_ANSWERS, synthetic_content
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


@dataclass
class Row:
    label: str
    rps: float | None = None
    p50: float | None = None  # ms
    p99: float | None = None
    errors: int = 0
    ceiling: str = ""  # the row it is compared with: "bare" or "page"
    signed_in: bool = False  # requests carry the benchmark user's session cookie
    shown: str = ""  # what a comparison row is: "ceiling" or "reference"
    queries: int | None = None
    ratios: list[float] = field(default_factory=list)  # to its ceiling, one per round (the median is shown)
    runs: list[tuple[float, float, float, int]] = field(default_factory=list)  # a ceiling's runs, averaged

    def record(self, run: tuple[float, float, float, int]) -> None:
        self.runs.append(run)
        count = len(self.runs)
        self.rps, self.p50, self.p99 = (sum(r[i] for r in self.runs) / count for i in range(3))
        self.errors = sum(r[3] for r in self.runs)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, p99) in ms of ``runs`` calls after a warm-up."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), _percentile(times, 0.99)


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

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("loadcatalog", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        user, password = self._user()
        project, integration, dashboard_team = self._fixtures(user)
        targets = {
            "POST /api/v1/recommendations": ("POST", reverse("api:recommendations"), "bare"),
            "GET /api/v1/patterns": ("GET", reverse("api:patterns"), "bare"),
            "GET /projects/ (my projects)": ("GET", reverse("projects:list"), "page"),
            "GET project (20 integrations)": ("GET", reverse("projects:detail", args=[project.pk]), "page"),
            "GET integration page": ("GET", reverse("projects:integration", args=[project.pk, integration.pk]),
                                     "page"),
            "GET team dashboard (1,000 projects)": ("GET", reverse("teams:detail", args=[dashboard_team.pk]), "page"),
        }  # fmt: skip
        rows = [Row("bare Django view (API ceiling)", shown="ceiling"),
                Row("50-row page, signed in (page ceiling)", signed_in=True, shown="ceiling"),
                Row("50-row bare document (reference)", shown="reference")]  # fmt: skip
        rows += [Row(label, ceiling=ceiling, signed_in=ceiling == "page") for label, (_, _, ceiling) in targets.items()]
        self._queries(user, rows, targets)
        if not options["skip_http"]:
            self._http(rows, targets, user.get_username(), password, options)
        self._print_table(rows)
        self._ranking(options["iterations"])
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

    def _queries(self, user: User, rows: list[Row], targets: dict[str, tuple[str, str, str]]) -> None:
        signed_in, anonymous = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
        signed_in.force_login(user)
        body = json.dumps(API_BODY)
        by_label = {row.label: row for row in rows}
        for label, (method, path, ceiling) in targets.items():
            client = signed_in if ceiling == "page" else anonymous
            client.get(path) if method == "GET" else client.post(path, body, content_type="application/json")
            with CaptureQueriesContext(connection) as captured:  # the second request: what a warm process does
                if method == "POST":
                    client.post(path, body, content_type="application/json")
                else:
                    client.get(path)
            by_label[label].queries = len(captured.captured_queries)

    # HTTP under gunicorn and wrk

    def _http(self, rows: list[Row], targets: dict[str, tuple[str, str, str]], username: str, password: str,
              options: dict[str, Any]) -> None:  # fmt: skip
        wrk = shutil.which("wrk")
        if wrk is None:
            self.stdout.write(self.style.WARNING("wrk is not installed (apt-get install wrk): HTTP figures skipped."))
            return
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
               "INSECURE_LOCAL_HTTP": "true", "LOG_LEVEL": "WARNING", "BENCHMARK_CEILINGS": "true",
               "SECURE_SSL_REDIRECT": "false"}  # fmt: skip
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        # The production server serves hashed, compressed static files: collected first, with its settings.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=Path(settings.BASE_DIR),
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(options["workers"]), "--log-level", "warning"],
            cwd=Path(settings.BASE_DIR), env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            self._wait_for(f"{base}/healthz")
            cookie = self._sign_in(base, username, password)
            paths = {
                rows[0].label: ("GET", "/_bench/bare"),
                rows[1].label: ("GET", "/_bench/page"),
                rows[2].label: ("GET", "/_bench/table"),
            }
            paths |= {label: (method, path) for label, (method, path, _) in targets.items()}
            with tempfile.TemporaryDirectory() as scratch:
                post = Path(scratch) / "post.lua"
                post.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(API_BODY))}\n'
                                'wrk.headers["Content-Type"] = "application/json"\n')  # fmt: skip
                ceilings = {"bare": rows[0], "page": rows[1]}

                def run(row: Row) -> tuple[float, float, float, int]:
                    method, path = paths[row.label]
                    # The API, the bare view and the bare document are anonymous; pages and their ceiling signed in.
                    sent = cookie if row.signed_in else ""
                    command = [wrk, "-t2", f"-c{options['connections']}", f"-d{options['seconds']:.0f}s", "--latency",
                               *(["-H", f"Cookie: {sent}"] if sent else []), f"{base}{path}"]  # fmt: skip
                    if method == "POST":
                        command[1:1] = ["-s", str(post)]
                    self._warm(base + path, method, sent)
                    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
                    return _read_wrk(output)

                rows[2].record(run(rows[2]))
                # Paired: in each round an endpoint runs right after its own ceiling, so a machine that slows down for
                # a while moves both figures of a ratio; the ratio shown is the median of the rounds'. Figures are the
                # mean of the runs.
                for _ in range(options["rounds"]):
                    for row in rows[3:]:
                        ceiling = ceilings[row.ceiling]
                        ceiling_run, row_run = run(ceiling), run(row)
                        ceiling.record(ceiling_run)
                        row.record(row_run)
                        row.ratios.append(row_run[0] / ceiling_run[0])
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)

    def _sign_in(self, base: str, username: str, password: str) -> str:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()  # loopback only
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token.group(1) if token else ""}).encode()  # fmt: skip
        opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form), timeout=10)  # noqa: S310 - loopback
        cookies = {cookie.name: cookie.value for cookie in jar}
        if "sessionid" not in cookies:
            raise RuntimeError("The benchmark user could not sign in to the server it measures.")
        return "; ".join(f"{name}={value}" for name, value in cookies.items())

    def _warm(self, url: str, method: str, cookie: str) -> None:
        data = json.dumps(API_BODY).encode() if method == "POST" else None
        headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback only
        for _ in range(5):
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
                response.read()

    def _wait_for(self, url: str) -> None:
        for _ in range(150):
            try:
                with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

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
            ratio = row.shown or (f"{statistics.median(row.ratios):.2f}x {row.ceiling}" if row.ratios else "")
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
            median, p99 = _timed(partial(recommend, ten, snapshot, limit=limit), iterations)
            self.stdout.write(f"  {label:45} {median:9.2f} {p99:8.2f}")

        def first_time() -> bytes:  # what the API does for a question this process hasn't answered yet
            shipped.memo.pop("api_answers", None)
            return ranking_json(ten)

        for label, call in (("API answer, first time (rank and encode)", first_time),
                            ("API answer, asked again (remembered)", partial(ranking_json, ten))):  # fmt: skip
            median, p99 = _timed(call, iterations)
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
        before = {label: _timed(partial(_afresh, client, path), 15)[0] for label, path in pages.items()}
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
            after = {label: _timed(partial(_afresh, client, path), 15)[0] for label, path in pages.items()}
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


def _read_wrk(output: str) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) from wrk's --latency report."""

    def ms(text: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return rps, p50, p99, errors
