"""Measure what the product promises: recommender speed, bounded queries, and API throughput under gunicorn.

Prints figures; asserts nothing (timings vary ~15% between identical runs on these machines: compare ratios).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patterns.draft import catalog_export
from patterns.published import published_snapshot
from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import snapshot_from_content
from patterns.requirements import Requirements
from portal.services.drafts import draft_create

SAMPLES: list[dict[str, Any]] = [
    {"scope": "fno_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous", "volume": "low"},
    {"scope": "ce_external", "goal": "event_notification", "volume": "high", "deployment": "cloud"},
    {"scope": "fno_dataverse", "goal": "data_sync", "data_residency": "replicate", "direction": "bidirectional",
     "timing": "near_real_time", "volume": "medium", "deployment": "cloud", "transformations": "none",
     "prefers_low_code": True, "needs_custom_logic": False},
    # Contradictory on purpose: no pattern fits strongly, so the ranking also searches for relaxations.
    {"scope": "fno_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous", "volume": "high",
     "deployment": "on_premises", "data_residency": "live_access", "transformations": "in_dynamics",
     "prefers_low_code": True, "needs_custom_logic": True},
]  # fmt: skip


class Command(BaseCommand):
    help = "Benchmark the recommender, query counts and POST /api/v1/recommendations under gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--iterations", type=int, default=5000)
        parser.add_argument("--seconds", type=float, default=8.0, help="Length of the HTTP load run.")
        parser.add_argument("--concurrency", type=int, default=4, help="Client threads for the HTTP load run.")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers.")
        parser.add_argument("--skip-http", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("loadcatalog", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        self.recommender(options["iterations"])
        self.queries()
        if not options["skip_http"]:
            self.http(options["seconds"], options["concurrency"], options["workers"])

    def recommender(self, iterations: int) -> None:
        snapshot = published_snapshot()
        self.stdout.write(f"\nRecommender (pure function, prebuilt snapshot of {len(snapshot.patterns)} patterns)")
        for answers in SAMPLES:
            requirements = Requirements.from_mapping(answers)
            recommend(requirements, snapshot)  # warm up
            timings = []
            for _ in range(iterations):
                start = time.perf_counter_ns()
                recommend(requirements, snapshot)
                timings.append(time.perf_counter_ns() - start)
            timings.sort()
            median, p99 = timings[len(timings) // 2] / 1000, timings[int(len(timings) * 0.99)] / 1000
            ranking = recommend(requirements, snapshot)
            self.stdout.write(
                f"  {len(answers):2} answers: median {median:7.1f} µs   p99 {p99:7.1f} µs   ({iterations} runs; fit "
                f"{ranking.verdict.level}, {len(ranking.relaxations)} relaxations)"
            )
        # What the capacity check adds: the same answers with and without numbers.
        numbers = {"records_per_day": 300_000, "peak_records_per_hour": 40_000, "record_size_kb": 4,
                   "initial_load_records": 2_000_000, "tables": 20, "concurrent_clients": 8}  # fmt: skip
        answers = {"scope": "ce_external", "goal": "data_sync", "direction": "inbound", "timing": "near_real_time",
                   "volume": "high", "deployment": "cloud", "data_residency": "replicate",
                   "transformations": "external", "prefers_low_code": False, "needs_custom_logic": False}  # fmt: skip
        medians = []
        for body in (answers, {**answers, "capacity": numbers}):
            requirements = Requirements.from_mapping(body)
            timings = []
            for _ in range(iterations):
                start = time.perf_counter_ns()
                recommend(requirements, snapshot)
                timings.append(time.perf_counter_ns() - start)
            medians.append(statistics.median(timings) / 1000)
        self.stdout.write(f"  capacity check: median {medians[0]:.1f} µs without numbers, {medians[1]:.1f} µs with six "
                          f"numbers (+{medians[1] - medians[0]:.1f} µs)")  # fmt: skip
        begin = time.perf_counter()
        for _ in range(50):
            snapshot_from_content(catalog_export())
        draft_ms = (time.perf_counter() - begin) / 50 * 1000
        begin = time.perf_counter()
        for _ in range(200):
            published_snapshot()
        cached_ms = (time.perf_counter() - begin) / 200 * 1000
        self.stdout.write(f"  building a snapshot from the draft's rows: {draft_ms:.2f} ms")
        self.stdout.write(f"  the published snapshot, cached per version (one query): {cached_ms:.2f} ms")

    def queries(self) -> None:
        self.stdout.write("\nQueries per request (they do not grow with the catalog)")
        client = Client(HTTP_HOST="localhost")
        user, _ = get_user_model().objects.get_or_create(username="benchmark-user")
        client.force_login(user)
        draft = draft_create(owner=user, answers=SAMPLES[0])
        cases = [
            ("POST /api/v1/recommendations", lambda: client.post(reverse("api:recommendations"), json.dumps(SAMPLES[0]),
                                                                 content_type="application/json")),
            ("GET  wizard results page", lambda: client.get(reverse("wizard:results", args=[draft.pk]))),
            ("GET  catalog page", lambda: client.get(reverse("patterns:catalog"))),
            ("GET  pattern page", lambda: client.get(reverse("patterns:detail", args=["dual-write"]))),
        ]  # fmt: skip
        for label, call in cases:
            with CaptureQueriesContext(connection) as captured:
                response = call()
            self.stdout.write(f"  {label:32} {len(captured.captured_queries):3} queries  (HTTP {response.status_code})")
        draft.delete()
        user.delete()

    def http(self, seconds: float, concurrency: int, workers: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "INSECURE_LOCAL_HTTP": "true",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        engine = str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
        self.stdout.write(
            f"\nPOST /api/v1/recommendations under gunicorn ({workers} sync workers, {concurrency} client threads "
            f"on the same {os.cpu_count()} cores, {seconds:.0f} s, database {engine})"
        )
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--log-level", "warning"],
            cwd=Path(settings.BASE_DIR), env=env, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/api/v1/recommendations"
        body = json.dumps(SAMPLES[0]).encode()
        try:
            self._wait_for(f"http://127.0.0.1:{port}/healthz")
            latencies: list[float] = []
            failures = [0]
            lock = threading.Lock()
            deadline = time.perf_counter() + seconds

            def hammer() -> None:
                while time.perf_counter() < deadline:
                    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
                    start = time.perf_counter()
                    try:
                        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
                            response.read()
                            ok = response.status == 200
                    except OSError:
                        ok = False
                    with lock:
                        if ok:
                            latencies.append(time.perf_counter() - start)
                        else:
                            failures[0] += 1

            threads = [threading.Thread(target=hammer) for _ in range(concurrency)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            latencies.sort()
            if latencies:
                median = statistics.median(latencies) * 1000
                p95 = latencies[int(len(latencies) * 0.95)] * 1000
                self.stdout.write(
                    f"  {len(latencies) / elapsed:7.0f} requests/s   median {median:.1f} ms   p95 {p95:.1f} ms   "
                    f"{len(latencies)} ok, {failures[0]} failed"
                )
            else:
                self.stdout.write(f"  no successful requests ({failures[0]} failed)")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)

    def _wait_for(self, url: str) -> None:
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")
