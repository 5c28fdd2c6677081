"""The Dockerfile (no Docker engine runs here, so it is read): the container starts the server only, its
HEALTHCHECK asks /healthz over plain HTTP, dependencies come from the hashed lock, and .dockerignore keeps the
local environment, databases and secrets out of the image."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instruction(name: str) -> str:
    lines = DOCKERFILE.replace("\\\n", " ").splitlines()
    (found,) = [line for line in lines if line.startswith(f"{name} ")]
    return found[len(name) + 1 :]


def test_the_container_starts_the_server_and_never_migrates() -> None:
    assert json.loads(instruction("CMD")) == ["python", "deploy/serve.py"]
    assert "migrate" not in instruction("CMD") and "loadcatalog" not in DOCKERFILE


def test_the_healthcheck_asks_the_liveness_probe_over_plain_http() -> None:
    healthcheck = instruction("HEALTHCHECK")
    command = json.loads(healthcheck.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"] and "http://127.0.0.1:" in command[2] and "/healthz" in command[2]
    compile(command[2], "<healthcheck>", "exec")  # the one-liner is valid Python


def test_time_zone_database_is_in_the_image() -> None:
    """zoneinfo reads the system's zone database; slim images may leave it out."""
    installs = [line for line in DOCKERFILE.replace("\\\n", " ").splitlines() if "apt-get install" in line]
    assert any(" tzdata" in line for line in installs)


def test_the_image_runs_as_a_numbered_user() -> None:
    assert instruction("USER") == "10001"


def ignored(path: str) -> bool:
    patterns = [line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [p for p in patterns if p and not p.startswith("#")]
    parts = Path(path).parts
    return any(fnmatch.fnmatch(path, p) or any(fnmatch.fnmatch(part, p) for part in parts) or
               any(path.startswith(p + "/") for p in patterns) for p in patterns)  # fmt: skip


def test_the_build_context_leaves_out_the_local_environment_and_secrets() -> None:
    for path in (".venv/bin/python", ".env", "db.sqlite3", ".test-db.sqlite3", ".git/HEAD", "staticfiles/x.css",
                 "portal/__pycache__/x.pyc", "tests/conftest.py"):  # fmt: skip
        assert ignored(path), path
    for path in ("manage.py", "portal/settings.py", "deploy/gunicorn.conf.py", "deploy/serve.py",
                 "requirements-runtime.lock", "patterns/content/catalog.json", "static/css/portal.css",
                 "templates/base.html"):  # fmt: skip
        assert not ignored(path), path
