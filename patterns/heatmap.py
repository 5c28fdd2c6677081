"""The curators' heatmap: every pattern against every answer, each cell the fit level the draft gives (as one scope
reads it, when a scope is chosen), linking to the fit's edit page, and marked where it differs from the published
version. Built from the draft rows in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from patterns.models import Fit, Pattern
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Question, answer_label
from patterns.taxonomy import LEVEL_LABELS

# A letter per level, so a cell reads without its colour.
LEVEL_MARKS = {"strong": "S", "good": "G", "neutral": "N", "weak": "W", "poor": "P", "excluded": "X"}


@dataclass(frozen=True)
class Cell:
    level: str  # "" when the draft has no fit for this answer
    why: str
    url: str  # the fit's edit page, or adding one
    scoped: bool  # a scope's own fit, not the general one
    changed: bool  # differs from the published version
    published_level: str

    @property
    def mark(self) -> str:
        return LEVEL_MARKS.get(self.level, "·")

    @property
    def css(self) -> str:
        """The cell's short class (h-s, h-g, ...; h-0 without a fit): a full map has over a thousand cells."""
        return f"h-{self.mark.lower() if self.level else '0'}"

    @property
    def title(self) -> str:
        level = LEVEL_LABELS.get(self.level, "No fit")
        was = f" (published: {LEVEL_LABELS.get(self.published_level, 'no fit')})" if self.changed else ""
        scoped = " [this scope's own fit]" if self.scoped else ""
        return f"{level}{was}{scoped}. {self.why}"


@dataclass(frozen=True)
class Column:
    question: Question
    value: str
    label: str


@dataclass(frozen=True)
class Row:
    slug: str
    name: str
    cells: tuple[Cell, ...]

    @property
    def changed(self) -> bool:
        return any(cell.changed for cell in self.cells)


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[Column, ...]
    groups: tuple[tuple[str, int], ...]  # (question label, number of its columns) for the header row above
    rows: tuple[Row, ...]

    @property
    def changed_count(self) -> int:
        return sum(cell.changed for row in self.rows for cell in row.cells)


def _published_level(pattern: dict[str, Any] | None, question: str, value: str, scope: str) -> str:
    fit = (pattern or {}).get("fits", {}).get(question, {}).get(value)
    if not fit:
        return ""
    scoped = (fit.get("by_scope") or {}).get(scope) if scope else None
    return str((scoped or fit).get("fit", ""))


def heatmap(*, question: str = "", scope: str = "", published: dict[str, Any] | None = None,
            only_changed: bool = False) -> Heatmap:  # fmt: skip
    questions = [QUESTIONS_BY_NAME[question]] if question in QUESTIONS_BY_NAME else list(QUESTIONS)
    columns = tuple(Column(q, v, answer_label(q.name, v)) for q in questions for v in q.values)
    fits = Fit.objects.filter(question__in=[q.name for q in questions], scope__in={"", scope})
    by_key: dict[tuple[int, str, str], dict[str, Fit]] = {}
    for fit in fits.only("pk", "pattern_id", "question", "value", "scope", "level", "rationale"):
        by_key.setdefault((fit.pattern_id, fit.question, fit.value), {})[fit.scope] = fit
    add_url = reverse("admin:patterns_fit_add")
    published_patterns = {p["slug"]: p for p in published["patterns"]} if published else {}
    rows = []
    for pattern in Pattern.objects.filter(is_active=True).only("pk", "slug", "name").order_by("name"):
        cells = []
        for column in columns:
            found = by_key.get((pattern.pk, column.question.name, column.value), {})
            own: Fit | None = found.get(scope) if scope else None
            scoped = own is not None
            chosen = own or found.get("")
            level = chosen.level if chosen else ""
            was = _published_level(published_patterns.get(pattern.slug), column.question.name, column.value, scope)
            cells.append(Cell(
                level=level,
                why=chosen.rationale if chosen else "No fit curated for this answer.",
                url=reverse("curation:fit", args=[chosen.pk]) if chosen else add_url,
                scoped=scoped,
                changed=published is not None and level != was,
                published_level=was,
            ))  # fmt: skip
        row = Row(pattern.slug, pattern.name, tuple(cells))
        if not only_changed or row.changed:
            rows.append(row)
    groups = tuple((q.label, len(q.values)) for q in questions)
    return Heatmap(columns, groups, tuple(rows))
