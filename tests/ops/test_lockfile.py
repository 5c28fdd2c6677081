"""The lock files pin every dependency of pyproject.toml with hashes, and make, CI and the image install from them.
When this fails after a change to pyproject.toml, run `make lock`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, str]:
    """name -> pinned version, checking that every pin carries at least one hash."""
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    found: dict[str, str] = {}
    for entry in entries:
        match = PIN.match(entry)
        assert match, f"{lock}: not a pinned requirement: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"{lock}: {match[1]} has no hash"
        found[canonicalize_name(match[1])] = match[2]
    return found


def group(name: str) -> list[Requirement]:
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    requirements: list[Requirement] = []
    for item in groups[name]:
        if isinstance(item, dict):
            requirements += group(item["include-group"])
        else:
            requirements.append(Requirement(item))
    return requirements


@pytest.mark.parametrize(
    ("lock", "group_name"), [("requirements.lock", "dev"), ("requirements-runtime.lock", "runtime")]
)
def test_every_dependency_is_pinned_with_a_version_it_allows(lock: str, group_name: str) -> None:
    pinned = pins(lock)
    for requirement in group(group_name):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {requirement.name}=={pinned[name]}; pyproject.toml asks for {requirement}: run `make lock`"
        )


def test_the_runtime_lock_is_the_dev_lock_without_the_tools() -> None:
    runtime, dev = pins("requirements-runtime.lock"), pins("requirements.lock")
    assert all(dev.get(name) == version for name, version in runtime.items())
    assert not {"pytest", "mypy", "ruff", "playwright"} & set(runtime)


def test_make_and_the_image_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "$(STAMP): pyproject.toml requirements.lock" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements-runtime.lock" in dockerfile
