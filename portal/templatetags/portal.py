"""Template helpers of the architects' pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from patterns.ranking.records import RankingRecord
from portal.pictures.contributions import ContributionChart
from portal.pictures.contributions import contribution_chart as chart_of

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def contribution_chart(ranking: RankingRecord) -> ContributionChart:
    """The "why this order" picture of a ranking, live or saved."""
    return chart_of(ranking)
