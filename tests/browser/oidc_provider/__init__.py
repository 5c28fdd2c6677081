"""A real OpenID Connect provider for the sign-in tests: panva's oidc-provider (Node.js), started on a free port of
127.0.0.1 for one test and stopped after it. Its accounts sign in with any password; their claims are Entra ID's
(tid, oid, email, name, preferred_username, and groups and roles when given, or a groups overage's _claim_names and
_claim_sources). A test may change an account's claims between sign-ins (``LocalProvider.set_account``)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STARTUP_LIMIT = 20.0  # seconds for node to start listening; a slower start fails the test with the provider's log


@dataclass(frozen=True)
class LocalProvider:
    issuer: str
    client_id: str
    client_secret: str
    accounts_file: Path

    def set_account(self, login: str, claims: dict[str, Any]) -> None:
        """This account's claims from its next sign-in on (the provider reads the file at every sign-in)."""
        accounts = json.loads(self.accounts_file.read_text())
        accounts[login] = claims
        self.accounts_file.write_text(json.dumps(accounts))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_provider(*, redirect_uri: str, accounts: dict[str, dict[str, Any]]) -> Iterator[LocalProvider]:
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(f"oidc-provider is not installed: run `npm ci --prefix {HERE}` (make test does).")
    port = _free_port()
    with tempfile.TemporaryDirectory() as scratch:
        provider = LocalProvider(
            issuer=f"http://127.0.0.1:{port}",
            client_id="portal-tests",
            client_secret=secrets.token_urlsafe(32),
            accounts_file=Path(scratch) / "accounts.json",
        )
        provider.accounts_file.write_text(json.dumps(accounts))
        env = {
            **os.environ,
            "OIDC_TEST_PORT": str(port),
            "OIDC_TEST_CLIENT_ID": provider.client_id,
            "OIDC_TEST_CLIENT_SECRET": provider.client_secret,
            "OIDC_TEST_REDIRECT_URI": redirect_uri,
            "OIDC_TEST_ACCOUNTS_FILE": str(provider.accounts_file),
        }
        log = Path(scratch) / "provider.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                ["node", str(HERE / "provider.mjs")], cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            deadline = time.monotonic() + STARTUP_LIMIT
            while f"ready {provider.issuer}" not in log.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The test OpenID Connect provider didn't start:\n{log.read_text()}")
                time.sleep(0.05)
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
