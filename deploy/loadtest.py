"""Load test: three gunicorn replicas behind Debian's nginx on 127.0.0.1, one replica stopped mid-run.

    make loadtest                                  # 20 s, 8 clients, SIGTERM to one replica halfway
    make loadtest LOADTEST_ARGS="--seconds 60 --clients 16 --stop kill"

Uses DATABASE_URL when it is PostgreSQL (the release step runs on it first), otherwise a temporary SQLite database.
Clients post rankings to /api/v1/recommendations and read /api/v1/patterns through nginx, which balances round
robin and retries a request on another replica when one refuses or drops it. The report counts answers by status and
every error; the goal is none beyond requests in flight on the replica stopped with --stop kill. Exits 1 on errors.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"]
RANKING = json.dumps(
    {"scope": "fno_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous", "volume": "low"}
).encode()
NGINX_CONF = """
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    upstream portal {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A replica that refuses or drops a request: try the next one, POSTs included (rankings store nothing).
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 1s;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own server
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


class Load:
    def __init__(self, url: str) -> None:
        self.url = url
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def client(self, number: int) -> None:
        while not self.stop.is_set():
            post = number % 4 != 3  # three rankings to one catalog read
            request = urllib.request.Request(  # noqa: S310 - our own server
                f"{self.url}/api/v1/recommendations" if post else f"{self.url}/api/v1/patterns",
                data=RANKING if post else None,
                headers={"Content-Type": "application/json"} if post else {},
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    answer.read()
                    outcome = str(answer.status)
            except urllib.error.HTTPError as error:
                outcome = str(error.code)
            except OSError as error:
                outcome = f"connection error ({type(error).__name__})"
            with self.lock:
                self.statuses[outcome] += 1
                self.latencies.append(time.perf_counter() - started)
            number += 1


def environment(database_url: str, static_root: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "INSECURE_LOCAL_HTTP": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per replica")
    parser.add_argument("--stop", choices=["term", "kill", "none"], default="term",
                        help="how to stop one replica halfway: SIGTERM (graceful), SIGKILL, or not at all")  # fmt: skip
    parser.add_argument("--static-root", type=Path, help="collected static files to reuse (else collected here)")
    options = parser.parse_args()

    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if nginx is None:
        print("nginx is needed: apt-get install nginx-light (or nginx)", file=sys.stderr)
        return 2
    run = Path(tempfile.mkdtemp(prefix="portal-loadtest-"))
    given = os.environ.get("DATABASE_URL", "")
    database_url = given if given.startswith("postgres") else f"sqlite:///{run / 'portal.sqlite3'}"
    static_root = options.static_root or run / "static"
    env = environment(database_url, static_root)
    release = [sys.executable, "manage.py", "release", "-v0"]
    if options.static_root is None:
        release.append("--collectstatic")
    subprocess.run(release, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own command

    replicas: list[subprocess.Popen[bytes]] = []
    nginx_process: subprocess.Popen[bytes] | None = None
    try:
        ports = [free_port() for _ in range(options.replicas)]
        for port in ports:
            replica_env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(options.workers)}
            log = (run / f"replica-{port}.log").open("wb")
            replicas.append(subprocess.Popen(GUNICORN, cwd=ROOT, env=replica_env, stdout=log, stderr=log))  # noqa: S603
        for port, replica in zip(ports, replicas, strict=True):
            wait_for(f"http://127.0.0.1:{port}/readyz", replica)
        proxy_port = free_port()
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)
        (run / "nginx.conf").write_text(NGINX_CONF.format(run=run, servers=servers, port=proxy_port))
        nginx_process = subprocess.Popen([nginx, "-p", str(run), "-c", str(run / "nginx.conf"), "-g", "daemon off;"])  # noqa: S603
        wait_for(f"http://127.0.0.1:{proxy_port}/healthz", nginx_process)

        load = Load(f"http://127.0.0.1:{proxy_port}")
        clients = [threading.Thread(target=load.client, args=(n,)) for n in range(options.clients)]
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(options.seconds / 2)
        if options.stop != "none":
            stopped = replicas[0]
            stopped.send_signal(signal.SIGTERM if options.stop == "term" else signal.SIGKILL)
            print(
                f"stopped replica on port {ports[0]} with SIG{options.stop.upper()} after {options.seconds / 2:.0f} s"
            )
        time.sleep(options.seconds / 2)
        load.stop.set()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
    finally:
        if nginx_process is not None:
            nginx_process.terminate()
            nginx_process.wait(timeout=10)
        for replica in replicas:
            if replica.poll() is None:
                replica.terminate()
            replica.wait(timeout=40)

    total = sum(load.statuses.values())
    errors = {outcome: count for outcome, count in load.statuses.items() if outcome != "200"}
    latencies = sorted(load.latencies)
    database = database_url.split(":")[0]
    print(f"{total} requests in {elapsed:.1f} s ({total / elapsed:,.0f}/s) through nginx to {options.replicas} "
          f"replicas ({options.workers} worker(s) each), {options.clients} clients, on {database}")  # fmt: skip
    print(f"latency: median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")  # fmt: skip
    print(f"answers: {dict(load.statuses)}")
    print(f"errors: {sum(errors.values())} {errors if errors else ''}".rstrip())
    shutil.rmtree(run, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
