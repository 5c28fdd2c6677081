"""Signing in the way a person does, for the browser tests (each user's password is "<username>-long-password")."""

from __future__ import annotations

from playwright.sync_api import Page


def sign_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-long-password")
    page.get_by_role("button", name="Sign in").click()
