"""Paging a list: a page number read leniently, and a window of rows without counting them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE = 100_000  # far past any list's end; an offset from a bigger number overflows the database's integers


def page_number(raw: str | int | None) -> int:
    """A list's page number from the query string: 1 unless it is a whole number from 1, and at most MAX_PAGE."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(MAX_PAGE)):  # past MAX_PAGE, and maybe too long for int() to read at all
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


@dataclass
class Window:
    """One page of a long list, found without counting the whole list: it reads one row more than it shows to know
    whether there is a next page (a count of 100,000 projects costs more than the page itself)."""

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def window(queryset: QuerySet[Any], page: str | int | None, size: int) -> Window:
    number = page_number(page)
    rows = list(queryset[(number - 1) * size : number * size + 1])
    return Window(rows[:size], number, len(rows) > size)
