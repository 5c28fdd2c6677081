"""docker-compose.yml (no Docker engine runs here, so its structure is checked): release is a one-off service the
web replicas wait for, web scales (no host port, no migrations), a worker runs the tasks, and a Caddy container in
front terminates TLS, compresses and balances over every web replica."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def services() -> dict[str, Any]:
    return dict(compose()["services"])


def test_release_runs_once_and_the_web_replicas_wait_for_it() -> None:
    release, web = services()["release"], services()["web"]
    assert release["command"] == ["python", "manage.py", "release"] and release["restart"] == "no"
    assert web["depends_on"]["release"] == {"condition": "service_completed_successfully"}
    assert web["command"] == ["python", "deploy/serve.py"]


def test_web_scales_behind_the_proxy() -> None:
    web = services()["web"]
    assert "ports" not in web, "a host port would stop `--scale web=3`"
    assert web["expose"] == ["8000"] and "container_name" not in web


def test_the_proxy_terminates_tls_compresses_and_balances_over_every_web_replica() -> None:
    proxy = services()["proxy"]
    assert any(port.endswith(":443") for port in proxy["ports"])
    mount = next(volume for volume in proxy["volumes"] if volume.endswith("/etc/caddy/Caddyfile:ro"))
    caddyfile = (ROOT / mount.split(":")[0]).read_text()
    assert "encode zstd gzip" in caddyfile
    assert "dynamic a {" in caddyfile and "name web" in caddyfile and "port 8000" in caddyfile
    assert "lb_try_duration" in caddyfile  # a stopped replica's requests are retried on another


def test_the_portal_services_share_one_image_and_a_required_secret_key() -> None:
    portal = {name: service for name, service in services().items() if name in {"release", "web", "worker"}}
    assert {service["image"] for service in portal.values()} == {"d365-integration-portal"}
    for service in portal.values():
        assert service["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert service["environment"]["TRUSTED_PROXY_COUNT"] == "1"
        assert service["environment"]["DEBUG"] == "false"
    assert services()["worker"]["command"] == ["python", "manage.py", "db_worker"]


def test_the_web_replicas_share_one_cache_that_keeps_nothing_on_disk() -> None:
    cache, web = services()["cache"], services()["web"]
    assert web["environment"]["CACHE_URL"] == "redis://cache:6379/0"
    assert web["depends_on"]["cache"] == {"condition": "service_healthy"}
    assert cache["image"].startswith(("redis:", "valkey/valkey:")) and "volumes" not in cache and "ports" not in cache
    assert {"--save", "--maxmemory", "--maxmemory-policy"} <= set(cache["command"])


def test_every_setting_compose_gives_is_one_the_portal_reads() -> None:
    read = (ROOT / "portal" / "settings.py").read_text() + (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    for name in services()["web"]["environment"]:
        assert f'"{name}"' in read, f"{name} is not read by the portal"


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="the docker compose plugin is not installed",
)
def test_docker_compose_accepts_the_file() -> None:
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT, env=env, check=True)
