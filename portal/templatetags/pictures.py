"""The pictures as template tags: ``{% bars rows id title note %}`` and ``{% burnup chart id %}``, written by
``portal.pictures.markup`` (Python builds their many coordinates faster than the template engine)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from portal.pictures.markup import bars_markup, burnup_markup
from portal.pictures.progress import BarRow, Burnup

register = template.Library()


@register.simple_tag
def bars(rows: Iterable[BarRow], id: str, title: str, note: str = "") -> SafeString:
    return bars_markup(rows, id, title, note)


@register.simple_tag
def burnup(chart: Burnup, id: str) -> SafeString:
    return burnup_markup(chart, id)
