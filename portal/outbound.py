"""Posting to addresses that team owners enter (chat webhooks): only where the portal may go.

An address is checked when it is saved and again at every send: https (plain http only for a local receiver), no
credentials in it, and every address its host resolves to public: never private, loopback, link-local or otherwise
special (SSRF). The connection then goes to the address that was checked (no second lookup a DNS answer could
change in between), redirects are not followed, and the wait is bounded. ``OUTBOUND_ALLOW_PRIVATE`` lifts the
public-address and https rules for a local receiver in development and tests; it is off by default, and production
refuses to start with it."""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 10


class OutboundRefused(Exception):
    """The address may not be posted to; the message says why, in a sentence."""


class OutboundFailed(Exception):
    """The receiver didn't take the post; the message says what happened, ``status`` what it answered (None when it
    couldn't be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def worth_retrying(self) -> bool:
        """Unreachable, busy (429) or failing (5xx): later may work; any other answer won't change by waiting."""
        return self.status is None or self.status == 429 or self.status >= 500


def checked_address(url: str) -> tuple[str, int, str, str, str]:
    """(scheme, port, host, path with query, the IP to connect to) of an address the portal may post to."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundRefused("That isn't a web address.") from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise OutboundRefused("The address must start with https:// and name a host.")
    if parts.scheme == "http" and not settings.OUTBOUND_ALLOW_PRIVATE:
        raise OutboundRefused("The address must use https.")
    if parts.username or parts.password:
        raise OutboundRefused("The address may not carry a user name or password.")
    try:
        answers = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundRefused(f"{parts.hostname} can't be found (no DNS answer).") from None
    addresses = [ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers]
    if not settings.OUTBOUND_ALLOW_PRIVATE and any(not address.is_global for address in addresses):
        raise OutboundRefused(f"{parts.hostname} is a private, loopback or link-local address: the portal doesn't post "
                              "inside its own network.")  # fmt: skip
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, port, parts.hostname, path, str(addresses[0])


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        raw = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


def send_json(method: str, url: str, payload: Any = None, *, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> Any:  # fmt: skip
    """Send ``payload`` as JSON with ``method``; the answer's JSON (None when it has none) from a 2xx answer, else
    OutboundFailed naming the status. Checked and pinned as above; no redirect is followed."""
    scheme, port, host, path, ip = checked_address(url)
    connection = (_PinnedHTTPS if scheme == "https" else _PinnedHTTP)(host, port, ip)
    body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    sent = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": "d365-integration-portal",
            **(headers or {})}  # fmt: skip
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        answer = response.read(1024 * 1024)
    except (OSError, http.client.HTTPException) as error:
        raise OutboundFailed(f"{host} couldn't be reached ({error.__class__.__name__}).") from None
    finally:
        connection.close()
    if response.status in {401, 403}:
        raise OutboundFailed(f"{host} refused the credentials ({response.status}): check the token and its scopes.",
                             response.status)  # fmt: skip
    if not 200 <= response.status < 300:
        raise OutboundFailed(f"{host} answered {response.status}.", response.status)
    try:
        return json.loads(answer) if answer.strip() else None
    except ValueError:
        return None


def post_json(url: str, payload: Any) -> None:
    """POST ``payload`` as JSON (a chat webhook); OutboundRefused or OutboundFailed when it isn't taken."""
    send_json("POST", url, payload)
