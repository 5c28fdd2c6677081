"""Curated text is Markdown rendered through a sanitizer: nothing a curator types can run script on a page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from patterns.models import Caution, ChecklistItem, Pattern
from patterns.templatetags.catalog import render_markdown
from tests.factories import publish_draft

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered() -> None:
    html = render_markdown("- **fast**\n- [docs](https://learn.microsoft.com/)")
    assert "<li><strong>fast</strong></li>" in html
    assert 'href="https://learn.microsoft.com/"' in html and 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_dangerous_markup_never_survives(evil: str) -> None:
    tags = elements(render_markdown(evil))
    assert not {"script", "img", "iframe"} & {tag for tag, _ in tags}
    for _, attributes in tags:
        assert not any(name.startswith("on") or name == "style" for name, _ in attributes)
        assert not any((value or "").lower().startswith("javascript:") for _, value in attributes)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The real elements and attributes a browser would build (escaped text is not an element)."""
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def test_a_script_in_a_pattern_description_is_not_rendered(client: Client) -> None:
    Pattern.objects.filter(slug="odata").update(
        description="Hello <script>alert('pwned')</script>", benefits="<img src=x onerror=alert(1)>"
    )
    Caution.objects.filter(pattern__slug="odata").update(text="<script>alert('caution')</script>")
    publish_draft()
    body = client.get(reverse("patterns:detail", args=["odata"])).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert" in body  # shown as text, harmless


def test_plain_fields_are_escaped_too(client: Client) -> None:
    Pattern.objects.filter(slug="odata").update(name="<b>OData</b>", summary="<script>x()</script>")
    publish_draft()
    body = client.get(reverse("patterns:catalog")).content.decode()
    assert "<script>x()" not in body and "&lt;b&gt;OData&lt;/b&gt;" in body


def test_checklist_guidance_is_sanitized(client: Client) -> None:
    ChecklistItem.objects.filter(pk=ChecklistItem.objects.first().pk).update(guidance="<script>bad()</script>")
    publish_draft()
    body = client.get(reverse("patterns:checklist")).content.decode()
    assert "<script>bad()" not in body and "&lt;script&gt;bad()" in body
