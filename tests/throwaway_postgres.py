"""A pytest plugin (pyproject's addopts load it first): with no DATABASE_URL, the suite runs on a throwaway
PostgreSQL cluster it starts from Debian's postgresql binaries, so `make test` on a fresh clone covers what only
PostgreSQL does (row locks, concurrent transactions, servers on the test database) as CI does. The cluster lives in a
temporary directory on a free port, with fsync off, and is removed when the run ends.

Without those binaries (or with PORTAL_TEST_SQLITE=1) the suite runs on SQLite and the PostgreSQL-only tests skip.
Started before pytest-django reads the settings: it sets DATABASE_URL for the whole run, subprocesses included.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVER_USER = "postgres"  # PostgreSQL won't run as root: as root, the cluster runs as this user


def _binaries() -> Path | None:
    """The newest Debian postgresql bin directory with what a cluster needs."""

    def version(bindir: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in bindir.parent.name.split(".") if part.isdigit())

    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True):
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", SERVER_USER, "--"] if runuser else None


def start() -> str | None:
    """Start the cluster and return its URL; None when the suite should use DATABASE_URL or SQLite."""
    if os.environ.get("DATABASE_URL") or os.environ.get("PORTAL_TEST_SQLITE"):
        return None
    bindir, prefix = _binaries(), _as_server_user()
    if bindir is None or prefix is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="portal-test-postgres-"))
    if prefix:
        shutil.chown(root, SERVER_USER)
    data, port = root / "data", _free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync", "--no-instructions"], **run)  # type: ignore[call-overload]  # fmt: skip
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")  # fmt: skip
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"),
                    "-w", "start"], **run)  # type: ignore[call-overload]  # fmt: skip

    # The database DATABASE_URL names (the tests make test_portal beside it; subprocesses use this one).
    subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "portal"], **run)  # type: ignore[call-overload]

    def stop() -> None:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60, check=False)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    return f"postgres://postgres@127.0.0.1:{port}/portal"


if url := start():
    os.environ["DATABASE_URL"] = url
