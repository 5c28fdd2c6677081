"""Template helpers of the architects' pages."""

from __future__ import annotations

import re
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


# What a history entry's fields read as; any other key reads as its words ("due_date" as "Due date").
FIELD_LABELS = {
    "chosen_pattern": "Chosen pattern (code)",
    "chosen_pattern_name": "Chosen pattern",
    "status_reason": "Why it was rejected",
    "required_approvals": "Approvals needed",
    "not_applicable_reason": "Why not applicable",
    "evidence_url": "Evidence link",
    "top_pattern": "Top pattern (code)",
    "top_pattern_name": "Top pattern",
}


def _label(key: str) -> str:
    return FIELD_LABELS.get(key) or key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "; ".join(f"{_label(str(k))}: {_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "—"
    text = str(value)
    return text if len(text) <= 400 else text[:399] + "…"


@register.filter
def history_changes(entry: Any) -> list[dict[str, Any]]:
    """A history entry's before and after as rows a person reads: each field by name, its value before and after in
    words. When both sides are records, only the fields that changed."""
    before, after = entry.before, entry.after
    old = before if isinstance(before, Mapping) else ({} if before is None else {"value": before})
    new = after if isinstance(after, Mapping) else ({} if after is None else {"value": after})
    keys = list(dict.fromkeys([*old, *new]))
    both = bool(old) and bool(new)
    return [
        {"label": _label(str(key)), "before": _text(old.get(key)), "after": _text(new.get(key))}
        for key in keys
        if not both or old.get(key) != new.get(key)
    ]


INDENTATION = re.compile(r"\n[ \t]+")


class _SqueezeNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        return INDENTATION.sub("\n", self.nodelist.render(context))


@register.tag
def squeeze(parser: template.base.Parser, token: template.base.Token) -> _SqueezeNode:
    """{% squeeze %}…{% endsqueeze %}: the template's indentation left out of the page (a line break stays, so the
    page reads the same). Only for markup without <pre> or <textarea>, whose spaces are content."""
    nodelist = parser.parse(("endsqueeze",))
    parser.delete_first_token()
    return _SqueezeNode(nodelist)
