"""Sign-in in the product's look, throttled after repeated failures; the development account."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_the_sign_in_page_uses_the_product_layout(client: Client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert "Integration decision portal" in body and 'name="password"' in body and "csrfmiddlewaretoken" in body


def test_a_user_signs_in_and_out(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", "bob-password-123")
    assert response.status_code == 302
    assert "Sign out" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert "Sign in" in client.get(reverse("home")).content.decode()


def test_a_wrong_password_is_explained(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", "nope")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_out_for_a_while(client: Client, bob: User) -> None:
    for _ in range(5):
        sign_in(client, "bob", "wrong")
    response = sign_in(client, "bob", "bob-password-123")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_development_account_is_created_once_and_its_password_printed(settings: Settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("ensuredevadmin", stdout=out)
    assert "user: admin" in out.getvalue()
    password = out.getvalue().split("password: ")[1].split()[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    again = io.StringIO()
    call_command("ensuredevadmin", stdout=again)
    assert "no development account created" in again.getvalue()


def test_no_default_account_outside_development(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs in development"):
        call_command("ensuredevadmin")
    settings.DEBUG, settings.SECRET_KEY = True, "a-real-deployment-key-" + "x" * 40
    with pytest.raises(CommandError, match="only runs in development"):
        call_command("ensuredevadmin")
    assert not get_user_model().objects.filter(username="admin").exists()


def test_no_secrets_are_committed() -> None:
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=False).stdout.split()
    assert not any(name.endswith((".env", ".pem", ".key", "db.sqlite3")) for name in tracked)
