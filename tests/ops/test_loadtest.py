"""`make loadtest`'s script, briefly: three replicas behind Debian's nginx, one stopped halfway, and no request
fails (nginx retries a refused or dropped request on another replica; gunicorn drains on SIGTERM)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="needs nginx")
@pytest.mark.parametrize("stop", ["term", "kill"])
def test_stopping_one_of_three_replicas_loses_no_request(collected_static: Path, stop: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "deploy/loadtest.py", "--seconds", "6", "--clients", "4", "--stop", stop,
         "--static-root", str(collected_static)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"with SIG{stop.upper()}" in result.stdout and "errors: 0" in result.stdout
