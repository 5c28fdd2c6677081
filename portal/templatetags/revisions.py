"""``{% byrevision name key %}…{% endbyrevision %}``: a part of a page rendered once per revision and process.

The key must name everything the part shows (a project's revision, the reader's permissions, the day…): the part is
rendered again only when the key changes, and an empty key renders it afresh (a form shown again with its errors).
Its forms work for every reader: the part is rendered with a placeholder for the CSRF token, which is swapped for
the reader's own token each time it is served.
"""

from __future__ import annotations

import hashlib
import secrets

from django import template
from django.core.cache import cache
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Per process, as the cache is: no reader's text can contain it, and it never leaves the process.
CSRF_HOLE = f"csrf-hole-{secrets.token_hex(16)}"


class RevisionNode(Node):
    def __init__(self, name: str, key: FilterExpression, nodelist: NodeList) -> None:
        self.name, self.key, self.nodelist = name, key, nodelist

    def render(self, context: Context) -> SafeString | str:
        key = self.key.resolve(context, ignore_failures=True)
        if not key:
            return self.nodelist.render(context)
        key = str(key)
        cache_key = f"byrevision:{self.name}:{hashlib.sha256(key.encode()).hexdigest()}"
        html = cache.get(cache_key)
        if html is None:
            with context.push(csrf_token=CSRF_HOLE):
                html = self.nodelist.render(context)
            cache.set(cache_key, html)
        if CSRF_HOLE in html:
            html = html.replace(CSRF_HOLE, str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


@register.tag
def byrevision(parser: Parser, token: Token) -> RevisionNode:
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("Usage: {% byrevision name key %}…{% endbyrevision %}")
    nodelist = parser.parse(("endbyrevision",))
    parser.delete_first_token()
    return RevisionNode(bits[1], parser.compile_filter(bits[2]), nodelist)
