"""`make release` and `make serve` as an operator runs them, on a fresh SQLite database of their own."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.conftest import fetch, free_port

ROOT = Path(__file__).resolve().parents[2]
STAMP = ".venv/.installed"


@dataclass
class Install:
    database: Path
    env: dict[str, str]


def make(target: str, env: dict[str, str], **popen: object) -> subprocess.CompletedProcess[str]:
    # -o: don't reinstall the dependencies because pyproject.toml changed under a running test suite.
    return subprocess.run(["make", "-s", "-o", STAMP, target], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Install:
    folder = tmp_path_factory.mktemp("release")
    database = folder / "portal.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{database}",
        "STATIC_ROOT": str(folder / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "INSECURE_LOCAL_HTTP": "true",
    }
    result = make("release", env)
    assert result.returncode == 0, result.stderr
    assert "Published catalog version v1." in result.stdout
    return Install(database, env)


def versions(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("select count(*) from patterns_catalogversion").fetchone()[0])


def test_release_on_an_empty_database_migrates_collects_and_publishes_the_first_version(released: Install) -> None:
    assert versions(released.database) == 1
    assert (Path(released.env["STATIC_ROOT"]) / "staticfiles.json").exists()  # the hashed manifest


def test_a_second_release_publishes_nothing(released: Install) -> None:
    # The release step itself, as the Job and the Compose service run it (make release also collects static files).
    result = subprocess.run([sys.executable, "manage.py", "release"], cwd=ROOT, env=released.env,
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Published catalog unchanged" in result.stdout
    assert versions(released.database) == 1


def test_serve_refuses_to_start_without_a_real_secret_key(released: Install) -> None:
    for key in ("", "short"):
        result = make("serve", {**released.env, "SECRET_KEY": key})
        assert result.returncode != 0 and "needs a real SECRET_KEY" in result.stderr


def test_serve_refuses_the_development_setting_of_debug(released: Install) -> None:
    # make serve turns DEBUG off whatever the environment says, so the development key never serves production.
    result = make("serve", {**released.env, "DEBUG": "true", "SECRET_KEY": ""})
    assert result.returncode != 0 and "needs a real SECRET_KEY" in result.stderr


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@pytest.fixture
def serving(released: Install) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {**released.env, "PORT": str(port), "WEB_CONCURRENCY": "3"}
    process = subprocess.Popen(["make", "-s", "-o", STAMP, "serve"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if fetch(f"{url}/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield url, process
    finally:
        for child in _children(process.pid):
            os.kill(child, 15)
        process.terminate()
        process.wait(timeout=30)


def test_serve_runs_gunicorn_with_debug_off_on_port_with_web_concurrency_workers(
    serving: tuple[str, subprocess.Popen[str]],
) -> None:
    url, make_process = serving
    assert fetch(f"{url}/readyz").status == 200  # DATABASE_URL honoured: the released database
    missing = fetch(f"{url}/no-such-page")
    assert missing.status == 404 and b"URLconf" not in missing.body  # DEBUG off: no technical 404 page
    (master,) = _children(make_process.pid)
    assert "gunicorn" in Path(f"/proc/{master}/cmdline").read_text()
    assert len(_children(master)) == 3


def test_static_files_are_served_compressed_with_brotli(serving: tuple[str, subprocess.Popen[str]]) -> None:
    url, _ = serving
    stylesheet = fetch(f"{url}/").text().split('rel="stylesheet" href="')[1].split('"')[0]
    assert ".css" in stylesheet and stylesheet != "/static/css/portal.css"  # hashed by the manifest
    answer = fetch(f"{url}{stylesheet}", headers={"Accept-Encoding": "br, gzip"})
    assert answer.status == 200 and answer.headers["Content-Encoding"] == "br"
    assert "immutable" in answer.headers["Cache-Control"]
