"""The organisation's own integration policies, as the recommender reads them and a ranking records them.

A policy is curated like a rule but says what the organisation wants rather than what the platform does: when every
answer it names is given ("when"; none named: every ranking), it prefers, avoids or forbids patterns. ``forbid``
rules a pattern out; ``prefer`` and ``avoid`` move its score by ``POLICY_POINTS``, visibly, as a reason that names the
policy. A ranking a policy changed says which pattern would be first without the organisation's policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

PREFER, AVOID, FORBID = "prefer", "avoid", "forbid"
POLICY_EFFECTS = (PREFER, AVOID, FORBID)
# Points a policy adds to a preferred pattern's score (0 to 100) and takes off an avoided one's: a fixed, visible
# nudge, about one strong answer's worth, so a policy breaks near ties and reorders close options but never hides
# how well a pattern fits the answers. A pattern an organisation can't use at all is forbidden instead.
POLICY_POINTS = 10.0
EFFECT_POINTS = {PREFER: POLICY_POINTS, AVOID: -POLICY_POINTS, FORBID: 0.0}
EFFECT_LABELS = {PREFER: f"preferred: +{POLICY_POINTS:g} points", AVOID: f"avoided: -{POLICY_POINTS:g} points",
                 FORBID: "forbidden: ruled out"}  # fmt: skip


@dataclass(frozen=True)
class PolicyEntry:
    slug: str
    title: str
    text: str
    effects: Mapping[str, str]  # pattern slug -> prefer, avoid or forbid
    # question -> allowed values; every listed question must be answered with one of them (none listed: always).
    conditions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    source_url: str = ""  # the organisation's own page for it, when it has one

    def holds(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in values for question, values in self.conditions.items())


def policy_entry(policy: Mapping[str, Any]) -> PolicyEntry:
    return PolicyEntry(
        slug=policy["slug"],
        title=policy["title"],
        text=policy["text"],
        effects=dict(policy["effects"]),
        conditions={q: frozenset(v) for q, v in policy.get("when", {}).items()},
        source_url=policy.get("source_url", ""),
    )


class PolicyHit(NamedTuple):
    """A policy that applied to a pattern: what it did to it (preferred, avoided, forbidden) and why."""

    slug: str
    title: str
    effect: str
    text: str
    source_url: str = ""

    @classmethod
    def of(cls, policy: PolicyEntry, effect: str) -> PolicyHit:
        return cls(policy.slug, policy.title, effect, policy.text, policy.source_url)

    @property
    def points(self) -> float:
        return EFFECT_POINTS.get(self.effect, 0.0)

    @property
    def effect_label(self) -> str:
        return EFFECT_LABELS.get(self.effect, self.effect)

    @property
    def reason(self) -> str:
        """One sentence a person reads, as the API's reasons give it."""
        return f"Your organisation's policy “{self.title}” ({self.effect_label}). {self.text}"

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "effect": self.effect, "points": self.points,
                "text": self.text, "source_url": self.source_url or None}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PolicyHit:
        return cls(data.get("slug", ""), data.get("title", ""), data.get("effect", ""), data.get("text", ""),
                   data.get("source_url") or "")  # fmt: skip


class FirstWithoutPolicies(NamedTuple):
    """The pattern that would be first if the organisation's policies didn't apply (a policy changed the first)."""

    pattern: str
    name: str

    @property
    def summary(self) -> str:
        return f"Without your organisation's policies, {self.name} would be first."

    def to_json(self) -> dict[str, str]:
        return {"pattern": self.pattern, "name": self.name, "summary": self.summary}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> FirstWithoutPolicies | None:
        return cls(data.get("pattern", ""), data.get("name", "")) if data else None
