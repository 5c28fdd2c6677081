"""The one shape of a ranking: what the recommender returns, what pages render, what an integration saves as JSON
and what the API answers. A live ranking and a saved one are the same ``RankingRecord``, so one template partial and
one serializer serve both; a saved one is read back from JSON without the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from patterns.ranking.alternatives import CloseCall, Relaxation
from patterns.ranking.capacity import OVER_LIMIT, UNCHECKED, CapacityRecord
from patterns.ranking.confidence import LEVEL_ORDER, PARTIAL, STRONG, fit_level, fit_summary
from patterns.ranking.policies import FirstWithoutPolicies, PolicyHit
from patterns.ranking.snapshot import CautionEntry, RuleEntry
from patterns.requirements import answer_label, question_label
from patterns.taxonomy import LEVEL_LABELS, FitLevel

STRONG_LEVELS = frozenset({FitLevel.STRONG.value, FitLevel.GOOD.value})


class Reason(NamedTuple):  # a NamedTuple: the recommender makes one per pattern and answer, so it must be cheap
    """One answer's part in an option's score: the curated fit and why."""

    question: str
    question_label: str
    value: str
    value_label: str
    level: str
    weight: int
    points: float  # weight * level share: what this answer added to the score's numerator
    rationale: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def text(self) -> str:
        """One sentence a person reads: the question, the answer, the fit, and the curated why."""
        return f"{self.question_label}: {self.value_label} ({self.level_label.lower()}). {self.rationale}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reason:
        question, value = data["question"], data["value"]
        return cls(
            question=question,
            question_label=data.get("question_label") or question_label(question),
            value=value,
            value_label=data.get("value_label") or answer_label(question, value),
            level=data["level"],
            weight=data.get("weight", 0),
            points=data.get("points", 0.0),
            rationale=data.get("rationale", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "question_label": self.question_label,
            "value": self.value,
            "value_label": self.value_label,
            "level": self.level,
            "weight": self.weight,
            "points": self.points,
            "rationale": self.rationale,
        }


class RuleHit(NamedTuple):
    """A curated rule that applied to an option: what it did (ruled out, capped the fit, moved points) and why."""

    slug: str
    title: str
    effect: str
    points: float
    cap: str
    text: str
    source_url: str

    @classmethod
    def of(cls, rule: RuleEntry) -> RuleHit:
        return cls(rule.slug, rule.title, rule.effect, rule.points, rule.cap, rule.text, rule.source_url)

    @property
    def effect_label(self) -> str:
        if self.effect == "exclude":
            return "rules it out"
        parts = []
        if self.points:
            parts.append(f"{'+' if self.points > 0 else '-'}{abs(self.points):g} points")
        if self.cap:
            parts.append(f"at best a {self.cap} fit" if self.cap != "none" else "no better than no fit")
        return ", ".join(parts)

    @property
    def reason(self) -> str:
        """One sentence a person reads, as the API's reasons give it."""
        return f"{self.title} ({self.effect_label}). {self.text}"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.slug, "title": self.title, "effect": self.effect, "points": self.points,
                "cap": self.cap or None, "text": self.text, "source": self.source_url}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RuleHit:
        return cls(data.get("rule", ""), data.get("title", ""), data.get("effect", ""), data.get("points", 0.0),
                   data.get("cap") or "", data.get("text", ""), data.get("source", ""))  # fmt: skip


def caution_text(caution: CautionEntry) -> str:
    """A caution in one line, as the API gives it."""
    return f"{caution.title}: {caution.text} (source: {caution.source_url})"


@dataclass(frozen=True)
class OptionRecord:
    pattern: str
    name: str
    rank: int
    score: float
    contributions: tuple[Reason, ...]
    cautions: tuple[CautionEntry, ...]
    capacity: CapacityRecord | None = None  # None: no numbers were given
    rules: tuple[RuleHit, ...] = ()  # curated rules that moved its points or cap its fit
    policies: tuple[PolicyHit, ...] = ()  # the organisation's policies that preferred or avoided it
    score_without_policies: float | None = None  # set when a policy's points moved the score: the answers' own

    @property
    def fit_score(self) -> float:
        """The score the answers and curated rules earn it, without the policies' points: its fit is judged on it."""
        return self.score if self.score_without_policies is None else self.score_without_policies

    @property
    def cap(self) -> RuleHit | None:
        """The rule that caps this option's fit level the most, if any."""
        caps = [rule for rule in self.rules if rule.cap]
        return max(caps, key=lambda rule: LEVEL_ORDER.get(rule.cap, 0), default=None)

    def capacity_json(self) -> dict[str, Any]:
        return (self.capacity or UNCHECKED).to_json()

    def head(self) -> dict[str, Any]:
        """Which option, where it ranks and its score: what every serialized form of an option starts with."""
        return {"pattern": self.pattern, "name": self.name, "rank": self.rank, "score": self.score}

    @property
    def strong_reasons(self) -> tuple[Reason, ...]:
        """The answers that speak most for the option (strong or good fits), at most four."""
        return tuple(r for r in self.contributions if r.level in STRONG_LEVELS)[:4]


@dataclass(frozen=True)
class ExclusionRecord:
    pattern: str
    name: str
    contributions: tuple[Reason, ...]
    rules: tuple[RuleHit, ...] = ()  # curated rules that rule it out
    policies: tuple[PolicyHit, ...] = ()  # the organisation's policies that forbid it

    @property
    def reasons(self) -> list[str]:
        return [r.text for r in self.contributions] + [h.reason for h in self.rules] + [h.reason for h in self.policies]

    @property
    def by_policies_only(self) -> bool:
        """Whether only the organisation's policies rule it out (the answers and the curated rules leave it)."""
        return bool(self.policies) and not self.contributions and not self.rules


def forbidding_policies(excluded: tuple[ExclusionRecord, ...]) -> tuple[str, ...]:
    """The titles of the policies that forbid patterns the answers leave, each once, in the order met."""
    return tuple(dict.fromkeys(hit.title for e in excluded if e.by_policies_only for hit in e.policies))


@dataclass(frozen=True)
class FitVerdict:
    """How far to trust the first option (``patterns.ranking.confidence``): strong, partial or none."""

    level: str
    summary: str

    @classmethod
    def of(cls, top: OptionRecord | None, excluded: tuple[ExclusionRecord, ...] = ()) -> FitVerdict:
        """The level from the answers; a first option over a platform limit at the given numbers, or past one it gets
        under only done another way (a filtered query, a migrated initial load, a message with the row's key), is at
        best partial (the answers fit, the numbers don't, as asked). With no option left, ``excluded`` says why."""
        score, name = (top.fit_score, top.name) if top else (None, None)
        reasons = top.contributions if top else ()
        level = fit_level(score, reasons)
        worst = top.capacity.worst if top and top.capacity and top.capacity.verdict == OVER_LIMIT else None
        if worst is not None and level == STRONG:
            return cls(PARTIAL, f"{name} fits your answers ({score:.0f}/100), but at your numbers it is over a "
                                f"platform limit: {worst.name}.")  # fmt: skip
        detour = next((e for e in top.capacity.estimates if e.another_way), None) if top and top.capacity else None
        if detour is not None and level == STRONG:
            return cls(PARTIAL, f"{name} fits your answers ({score:.0f}/100), but your numbers are past a platform "
                                f"limit that it gets under only done another way: {detour.name}.")  # fmt: skip
        cap = top.cap if top else None
        if cap is not None and LEVEL_ORDER.get(cap.cap, 0) > LEVEL_ORDER[level]:
            return cls(cap.cap, f"{name} scores {score:.0f}/100 on your answers, but together they meet a known "
                                f"limit: {cap.title}.")  # fmt: skip
        if top is None:
            forbidding = forbidding_policies(excluded)
            answers_too = any(not e.by_policies_only for e in excluded)
            return cls(level, fit_summary(level, name, score, reasons, forbidding, answers_too))
        return cls(level, fit_summary(level, name, score, reasons))

    def to_json(self) -> dict[str, str]:
        return {"level": self.level, "summary": self.summary}


@dataclass(frozen=True)
class RankingRecord:
    catalog_version: str
    options: tuple[OptionRecord, ...]
    excluded: tuple[ExclusionRecord, ...]
    fit: FitVerdict | None = None  # None only while the recommender builds it; read it through ``verdict``
    relaxations: tuple[Relaxation, ...] = ()
    close_call: CloseCall | None = None
    without_policies: FirstWithoutPolicies | None = None  # set when the organisation's policies changed the first

    @property
    def verdict(self) -> FitVerdict:
        return self.fit or FitVerdict.of(self.top, self.excluded)

    @property
    def top(self) -> OptionRecord | None:
        return self.options[0] if self.options else None

    @property
    def forbidding(self) -> tuple[str, ...]:
        """The titles of the organisation's policies that forbid patterns the answers leave."""
        return forbidding_policies(self.excluded)

    @property
    def runner_up(self) -> OptionRecord | None:
        return self.options[1] if len(self.options) > 1 else None

    @property
    def lead(self) -> float | None:
        """Points between the first and the second option."""
        top, runner_up = self.top, self.runner_up
        return round(top.score - runner_up.score, 1) if top and runner_up else None

    @property
    def over_capacity(self) -> tuple[OptionRecord, ...]:
        """Options that would rank above the first on their fit but are over a platform limit at these numbers."""
        top = self.top
        return tuple(
            o for o in self.options
            if top and o.capacity and o.capacity.verdict == OVER_LIMIT and o.score > top.score
        )  # fmt: skip

    def by_pattern(self) -> dict[str, OptionRecord]:
        return {option.pattern: option for option in self.options}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RankingRecord:
        """A ranking as an integration saved it (older snapshots may lack the labels, the fit and the relaxations:
        labels are looked up, the fit is judged again from the saved reasons, relaxations stay empty)."""
        record = cls(
            catalog_version=data.get("catalog_version", ""),
            options=tuple(
                OptionRecord(
                    pattern=o["pattern"],
                    name=o["name"],
                    rank=o["rank"],
                    score=o["score"],
                    contributions=tuple(Reason.from_json(c) for c in o.get("contributions", [])),
                    cautions=tuple(
                        CautionEntry(c.get("slug", ""), c["title"], c["text"], c["source_url"])
                        for c in o.get("cautions", [])
                    ),
                    capacity=CapacityRecord.from_json(o.get("capacity")),
                    rules=tuple(RuleHit.from_json(r) for r in o.get("rules", [])),
                    policies=tuple(PolicyHit.from_json(p) for p in o.get("policies", [])),
                    score_without_policies=o.get("score_without_policies"),
                )
                for o in data.get("options", [])
            ),
            excluded=tuple(
                ExclusionRecord(
                    e["pattern"],
                    e["name"],
                    tuple(Reason.from_json(c) for c in e.get("contributions", [])),
                    tuple(RuleHit.from_json(r) for r in e.get("rules", [])),
                    tuple(PolicyHit.from_json(p) for p in e.get("policies", [])),
                )
                for e in data.get("excluded", [])
            ),
            relaxations=tuple(Relaxation.from_json(r) for r in data.get("relaxations", [])),
            close_call=CloseCall.from_json(data.get("close_call")),
            without_policies=FirstWithoutPolicies.from_json(data.get("without_policies")),
        )
        saved = data.get("fit")
        verdict = FitVerdict(saved["level"], saved["summary"]) if saved else FitVerdict.of(record.top, record.excluded)
        return replace(record, fit=verdict)

    def to_json(self) -> dict[str, Any]:
        """Everything a saved decision needs to be read again later without the catalog."""
        return {
            "catalog_version": self.catalog_version,
            "options": [
                {
                    **o.head(),
                    "contributions": [r.to_json() for r in o.contributions],
                    "cautions": [
                        {"slug": c.slug, "title": c.title, "text": c.text, "source_url": c.source_url}
                        for c in o.cautions
                    ],
                    **({"capacity": o.capacity.to_json()} if o.capacity else {}),
                    **({"rules": [r.to_json() for r in o.rules]} if o.rules else {}),
                    **({"policies": [p.to_json() for p in o.policies]} if o.policies else {}),
                    **(
                        {"score_without_policies": o.score_without_policies}
                        if o.score_without_policies is not None
                        else {}
                    ),
                }
                for o in self.options
            ],
            "excluded": [
                {
                    "pattern": e.pattern,
                    "name": e.name,
                    "contributions": [r.to_json() for r in e.contributions],
                    **({"rules": [r.to_json() for r in e.rules]} if e.rules else {}),
                    **({"policies": [p.to_json() for p in e.policies]} if e.policies else {}),
                }
                for e in self.excluded
            ],
            "fit": self.verdict.to_json(),
            "relaxations": [r.to_json() for r in self.relaxations],
            "close_call": self.close_call.to_json() if self.close_call else None,
            **({"without_policies": self.without_policies.to_json()} if self.without_policies else {}),
        }

    def to_api(self) -> dict[str, Any]:
        """The documented ``POST /api/v1/recommendations`` answer."""
        return {
            "catalog_version": self.catalog_version,
            "options": [
                {
                    **o.head(),
                    "reasons": [r.text for r in o.contributions]
                    + [h.reason for h in o.rules]
                    + [h.reason for h in o.policies],
                    "cautions": [caution_text(c) for c in o.cautions],
                    "capacity": o.capacity_json(),
                    "rules": [rule.to_json() for rule in o.rules],
                    "policies": [policy.to_json() for policy in o.policies],
                }
                for o in self.options
            ],
            "excluded": [
                {
                    "pattern": e.pattern,
                    "name": e.name,
                    "reasons": e.reasons,
                    "rules": [rule.to_json() for rule in e.rules],
                    "policies": [policy.to_json() for policy in e.policies],
                }
                for e in self.excluded
            ],
            "fit": self.verdict.to_json(),
            "relaxations": [r.to_json() for r in self.relaxations],
            "close_call": self.close_call.to_json() if self.close_call else None,
            "without_policies": self.without_policies.to_json() if self.without_policies else None,
        }


def movement(ranking: RankingRecord, baseline: RankingRecord) -> dict[str, int]:
    """How many places each pattern moves up (positive) compared with the baseline; absent: new in this ranking."""
    before = baseline.by_pattern()
    return {o.pattern: before[o.pattern].rank - o.rank for o in ranking.options if o.pattern in before}
