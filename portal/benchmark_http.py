"""`make bench`'s harness: a gunicorn server with production settings (and any variant of them, such as another
CACHE_URL), signed in over HTTP like a browser, driven by wrk on the same machine, and the figures read back."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings


@dataclass
class Row:
    """One line of the table: an endpoint (or a ceiling) on one server, its figures averaged over its runs."""

    label: str
    method: str = "GET"
    path: str = ""
    ceiling: str = ""  # the row it is compared with: "bare" or "page"
    server: str = "default"  # which server answers it: "default" (the default cache) or "afresh" (CACHE_URL=dummy://)
    signed_in: bool = False  # requests carry the benchmark user's session cookie
    revalidate: bool = False  # requests carry the page's own ETag in If-None-Match
    shown: str = ""  # what a comparison row is: "ceiling" or "reference"
    queries: int | None = None
    rps: float | None = None
    p50: float | None = None  # ms
    p99: float | None = None
    errors: int = 0
    ratios: list[float] = field(default_factory=list)  # to its ceiling, one per round (the median is shown)
    runs: list[tuple[float, float, float, int]] = field(default_factory=list)

    def record(self, run: tuple[float, float, float, int]) -> None:
        self.runs.append(run)
        count = len(self.runs)
        self.rps, self.p50, self.p99 = (sum(r[i] for r in self.runs) / count for i in range(3))
        self.errors = sum(r[3] for r in self.runs)

    @property
    def ratio(self) -> str:
        return self.shown or (f"{statistics.median(self.ratios):.2f}x {self.ceiling}" if self.ratios else "")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, p99) in ms of ``runs`` calls after a warm-up."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.99)


SECRET_KEY = secrets.token_urlsafe(50)  # one for every server of a run: a session signed in on one is good on all


def production_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
           "INSECURE_LOCAL_HTTP": "true", "LOG_LEVEL": "WARNING", "BENCHMARK_CEILINGS": "true",
           "SECURE_SSL_REDIRECT": "false", **overrides}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def collect_static(env: dict[str, str]) -> None:
    """The production server serves hashed, compressed static files: collected first, with its settings."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=Path(settings.BASE_DIR),
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip


@contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[str]:
    """A gunicorn server on a free loopback port, as production runs it; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning"],
        cwd=Path(settings.BASE_DIR), env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def _wait_for(url: str) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def sign_in(base: str, username: str, password: str) -> str:
    """The Cookie header of a session signed in through the login form (with its CSRF cookie, as a browser has)."""
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


class _Unfollowed(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect (to sign in, say) is the answer, not the page it leads to


def fetch(url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """(status, ETag) of one request, redirects not followed."""
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.build_opener(_Unfollowed).open(request, timeout=30) as response:
            response.read()
            return response.status, response.headers.get("ETag", "")
    except urllib.error.HTTPError as error:  # 304, 302 and the rest
        return error.code, error.headers.get("ETag", "")


def wrk(binary: str, url: str, *, seconds: float, connections: int, method: str = "GET", body: str = "",
        headers: dict[str, str] | None = None, scratch: Path) -> tuple[float, float, float, int]:  # fmt: skip
    command = [binary, "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if method == "POST":
        script = scratch / "post.lua"
        script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                          'wrk.headers["Content-Type"] = "application/json"\n')  # fmt: skip
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return read_wrk(output)


def read_wrk(output: str) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) from wrk's --latency report (a 304 counts as an answer)."""

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
