"""Playwright drives Debian's Chromium (Playwright's own browser download doesn't work on these machines)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }  # fmt: skip


@pytest.fixture
def catalog(transactional_db: None) -> None:
    """live_server tests are transactional and flush the database after each test: load the catalog again."""
    call_command("loadcatalog", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
