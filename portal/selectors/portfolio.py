"""The portfolio: every integration of the reader's teams counted by pattern, fit level, capacity verdict and
decision status, and how many first picks a publish has changed; each count leads to the integrations behind it.
Counted in the database (one grouped query each), whatever the number of integrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse

from patterns.ranking.capacity import VERDICT_LABELS
from portal.models import DecisionStatus, Integration
from portal.pictures.progress import BarRow, status_bars
from portal.selectors.catalog_changes import my_pick_changes

FIT_LABELS = {"strong": "Strong fit", "partial": "Partial fit", "none": "No fit"}
FIT_COLOURS = {"strong": "#1e7b34", "partial": "#b26b00", "none": "#b42318"}
VERDICT_COLOURS = {"within": "#1e7b34", "near_limit": "#b26b00", "over_limit": "#b42318", "unknown": "#8a939c"}
PATTERN_COLOUR = "#0b5cad"
FILTERS = ("pattern", "fit", "capacity", "status", "changed")


def integrations_of(user: Any) -> QuerySet[Integration]:
    """Every integration of the reader's teams, each once."""
    return Integration.objects.filter(project__team__memberships__user=user)


def _relied_pattern() -> Any:
    """The chosen pattern once decided, else the top pick."""
    return Coalesce(NullIf("decision__chosen_pattern_name", Value("")), "top_pattern_name", Value("No option fits"))


def _url(**query: str) -> str:
    return f"{reverse('portfolio_list')}?{urlencode(query)}"


@dataclass
class Portfolio:
    total: int
    by_pattern: list[BarRow]
    by_fit: list[BarRow]
    by_capacity: list[BarRow]
    by_status: list[BarRow]
    changed: int


def _bars(counts: list[tuple[str, int, str, str]]) -> list[BarRow]:
    """(label, count, colour, url) as bars, the longest full width."""
    top = max((count for _, count, _, _ in counts), default=0) or 1
    return [BarRow(label, count, None, 100 * count / top, colour, url) for label, count, colour, url in counts]


def _grouped(queryset: QuerySet[Integration], field: str) -> dict[Any, int]:
    """How many integrations have each value of ``field`` (None for those without one)."""
    return dict(queryset.values(field).annotate(n=Count("id")).values_list(field, "n"))


def portfolio(user: Any) -> Portfolio:
    mine = integrations_of(user)
    relied = mine.annotate(relied=_relied_pattern()).values("relied").annotate(n=Count("id"))
    patterns = list(relied.order_by("-n", "relied").values_list("relied", "n"))
    fits = _grouped(mine, "fit_level")
    verdicts = _grouped(mine, "top_capacity_verdict")
    verdicts["unknown"] = verdicts.get("unknown", 0) + verdicts.pop("", 0)  # no numbers given: unknown too
    statuses = _grouped(mine, "decision__status")
    by_status = status_bars([(str(label), statuses.get(value, 0)) for value, label in DecisionStatus.choices]
                            + [("No decision yet", statuses.get(None, 0))])  # fmt: skip
    keys = [*DecisionStatus.values, "none"]
    fit_rows = [(FIT_LABELS[level], fits.get(level, 0), FIT_COLOURS[level], _url(fit=level)) for level in FIT_LABELS]
    verdict_rows = [(str(VERDICT_LABELS[verdict]).capitalize(), verdicts.get(verdict, 0), colour,
                     _url(capacity=verdict)) for verdict, colour in VERDICT_COLOURS.items()]  # fmt: skip
    return Portfolio(
        total=sum(statuses.values()),
        by_pattern=_bars([(name, n, PATTERN_COLOUR, _url(pattern=name)) for name, n in patterns]),
        by_fit=_bars(fit_rows),
        by_capacity=_bars(verdict_rows),
        by_status=[
            BarRow(b.label, b.value, b.of, b.width, b.colour, _url(status=key))
            for b, key in zip(by_status, keys, strict=True)
        ],
        changed=len(my_pick_changes(user, limit=5000)),
    )


def portfolio_filtered(user: Any, query: dict[str, str]) -> tuple[QuerySet[Integration], str]:
    """The reader's integrations behind one count, and what they are in words."""
    mine = (
        integrations_of(user)
        .select_related("project", "decision")
        .defer("ranking", "requirements")
        .order_by("project__name", "name", "id")
    )
    if pattern := query.get("pattern"):
        return mine.annotate(relied=_relied_pattern()).filter(relied=pattern), f"on {pattern}"
    if (fit := query.get("fit")) in FIT_LABELS:
        return mine.filter(fit_level=fit), f"with {FIT_LABELS[fit].lower()}"
    if (verdict := query.get("capacity")) in VERDICT_COLOURS:
        if verdict == "unknown":
            return mine.filter(top_capacity_verdict__in=["unknown", ""]), "without enough numbers"
        return mine.filter(top_capacity_verdict=verdict), str(VERDICT_LABELS[verdict])
    if (status := query.get("status")) in [*DecisionStatus.values, "none"]:
        if status == "none":
            return mine.filter(decision__isnull=True), "without a decision"
        return mine.filter(decision__status=status), f"with a decision {status}"
    if query.get("changed"):
        ids = [change.integration_id for change in my_pick_changes(user, limit=5000)]
        return mine.filter(pk__in=ids), "that the current catalog answers differently"
    return mine, "in all"
