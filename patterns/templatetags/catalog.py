"""Template helpers for curated text: Markdown rendered, then sanitized, so curated HTML can't run script."""

from __future__ import annotations

from functools import lru_cache

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from patterns.requirements import answer_label, question_label
from patterns.taxonomy import LEVEL_LABELS

register = template.Library()

# Raw HTML in Markdown is escaped by the parser ("html": False) and the output is sanitized again by nh3 (ammonia),
# so neither a curator's <script> nor a javascript: link reaches a page.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitized by nh3 above


@register.filter(name="question_label")
def question_label_filter(name: str) -> str:
    return question_label(name)


@register.filter(name="answer_label")
def answer_label_filter(value: object, question_name: str) -> str:
    """The label of an answer, stored (booleans included) or encoded."""
    return answer_label(question_name, value)


@register.filter
def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)
