"""Plain, immutable views of the curated catalog that the recommender reads.

Built from content in the content-file format (a published version's, or the draft's export) by
``snapshot_from_content``; the recommender sees nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from patterns.ranking.policies import PolicyEntry, policy_entry


@dataclass(frozen=True)
class FitEntry:
    level: str
    rationale: str


@dataclass(frozen=True)
class CautionEntry:
    slug: str
    title: str
    text: str
    source_url: str
    # question -> allowed values; the caution applies when every listed question is answered with one of them.
    conditions: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def applies(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in values for question, values in self.conditions.items())


Fits = Mapping[tuple[str, str], FitEntry]  # (question, value) -> fit


@dataclass(frozen=True)
class LimitEntry:
    """A platform limit a pattern runs into, as curated data (patterns.ranking.capacity does the arithmetic)."""

    slug: str
    name: str
    kind: str
    value: float
    unit: str
    source_url: str
    window_minutes: int | None = None
    rows_per_request: float = 1
    read_rows_per_request: float | None = None  # when data only leaves (reads page this many records per request)
    batch_rows: float | None = None
    batch_label: str = ""
    scopes: frozenset[str] = frozenset()
    checked: str = ""
    note: str = ""
    # What spreads the load when the numbers exceed the limit (e.g. "application users"): over such a limit the
    # design needs more of them, which is near the limit rather than over it.
    scales_with: str = ""
    guidance: bool = False  # Microsoft's guidance figure rather than a limit the platform enforces
    instead: str = ""  # far past a guidance figure: what to use instead
    goals: frozenset[str] = frozenset()  # the goals it applies to; empty: every goal
    shared: str = ""  # what shares it (capacity.SHARED), if anything: summed over those integrations
    # The budget it is one of, when the platform counts several curated limits as one (Dataverse's service protection
    # met by the Web API and by connectors, each batching its own way): summed together. Empty: its own slug.
    pool: str = ""


RULE_EFFECTS = ("exclude", "cap", "points")


@dataclass(frozen=True)
class RuleEntry:
    """An interaction between answers (and numbers) that a per-answer fit can't say: when every condition holds,
    the rule rules its patterns out, caps the fit level they can reach as the first option, or moves their score
    by ``points``. Curated data with its reason and source, like a fit."""

    slug: str
    title: str
    text: str
    source_url: str
    patterns: frozenset[str]
    effect: str  # one of RULE_EFFECTS
    # question -> allowed values; every listed question must be answered with one of them.
    conditions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # capacity number -> (least, most), either None; every listed number must be given and within.
    numbers: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    points: float = 0.0
    cap: str = ""  # for "cap" (optional with "points"): the best fit level a first option it applies to can have
    checked: str = ""

    @property
    def questions(self) -> frozenset[str]:
        return frozenset(self.conditions)

    def holds(self, answers: Mapping[str, str], numbers: Mapping[str, float]) -> bool:
        for question, values in self.conditions.items():
            if answers.get(question) not in values:
                return False
        for name, (least, most) in self.numbers.items():
            number = numbers.get(name)
            if number is None or (least is not None and number < least) or (most is not None and number > most):
                return False
        return True


def rule_entry(rule: Mapping[str, Any]) -> RuleEntry:
    return RuleEntry(
        slug=rule["slug"],
        title=rule["title"],
        text=rule["text"],
        source_url=rule["source_url"],
        patterns=frozenset(rule["patterns"]),
        effect=rule["effect"],
        conditions={q: frozenset(v) for q, v in rule.get("when", {}).items()},
        numbers={n: (b.get("min"), b.get("max")) for n, b in rule.get("numbers", {}).items()},
        points=float(rule.get("points", 0)),
        cap=rule.get("cap", ""),
        checked=rule.get("checked", ""),
    )


@dataclass(frozen=True)
class PatternEntry:
    slug: str
    name: str
    tie_break: int
    fits: Fits  # the fits that hold for every scope
    cautions: tuple[CautionEntry, ...] = ()
    # scope -> the whole fit table for that scope, overrides applied; a scope without overrides is absent.
    scoped_fits: Mapping[str, Fits] = field(default_factory=dict)
    limits: tuple[LimitEntry, ...] = ()

    def fits_for(self, scope: str | None) -> Fits:
        """The fit table a case in this scope reads (a fit may differ by scope: level and wording)."""
        return self.scoped_fits.get(scope, self.fits) if scope else self.fits


@dataclass(frozen=True)
class CatalogSnapshot:
    version: str
    weights: Mapping[str, int]
    patterns: tuple[PatternEntry, ...]
    rules: tuple[RuleEntry, ...] = ()
    policies: tuple[PolicyEntry, ...] = ()  # the organisation's own (patterns.ranking.policies)
    # Tables the recommender derives once per snapshot and scope (each answer's ready-made reason per pattern);
    # a snapshot never changes, so they never go stale.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def limit_entry(limit: Mapping[str, Any]) -> LimitEntry:
    return LimitEntry(
        slug=limit["slug"],
        name=limit["name"],
        kind=limit["kind"],
        value=limit["value"],
        unit=limit["unit"],
        source_url=limit["source_url"],
        window_minutes=limit.get("window_minutes"),
        rows_per_request=limit.get("rows_per_request", 1),
        read_rows_per_request=limit.get("read_rows_per_request"),
        batch_rows=limit.get("batch_rows"),
        batch_label=limit.get("batch_label", ""),
        scopes=frozenset(limit.get("scopes", ())),
        checked=limit.get("checked", ""),
        note=limit.get("note", ""),
        scales_with=limit.get("scales_with", ""),
        guidance=limit.get("guidance", False),
        instead=limit.get("instead", ""),
        goals=frozenset(limit.get("goals", ())),
        shared=limit.get("shared", ""),
        pool=limit.get("pool", ""),  # versions published before pools existed have none
    )


def _pattern_entry(
    pattern: Mapping[str, Any], cautions: tuple[CautionEntry, ...], limits: tuple[LimitEntry, ...] = ()
) -> PatternEntry:
    fits: dict[tuple[str, str], FitEntry] = {}
    overrides: dict[str, dict[tuple[str, str], FitEntry]] = {}
    for question, answers in pattern["fits"].items():
        for value, fit in answers.items():
            fits[question, value] = FitEntry(fit["fit"], fit["why"])
            for scope, override in fit.get("by_scope", {}).items():
                overrides.setdefault(scope, {})[question, value] = FitEntry(override["fit"], override["why"])
    return PatternEntry(
        slug=pattern["slug"],
        name=pattern["name"],
        tie_break=pattern["tie_break"],
        fits=fits,
        cautions=cautions,
        scoped_fits={scope: {**fits, **changed} for scope, changed in overrides.items()},
        limits=limits,
    )


def snapshot_from_content(data: Mapping[str, Any], *, version: str | None = None) -> CatalogSnapshot:
    """The recommender's view of validated content (patterns marked "active": false are left out)."""
    cautions_by_pattern: dict[str, list[CautionEntry]] = {}
    for caution in data.get("cautions", []):
        entry = CautionEntry(
            slug=caution["slug"],
            title=caution["title"],
            text=caution["text"],
            source_url=caution["source_url"],
            conditions={q: frozenset(v) for q, v in caution.get("when", {}).items()},
        )
        for slug in caution["patterns"]:
            cautions_by_pattern.setdefault(slug, []).append(entry)
    limits_by_pattern: dict[str, list[LimitEntry]] = {}
    for limit in data.get("limits", []):
        curated = limit_entry(limit)
        for slug in limit["patterns"]:
            limits_by_pattern.setdefault(slug, []).append(curated)
    patterns = tuple(
        _pattern_entry(
            pattern,
            tuple(cautions_by_pattern.get(pattern["slug"], [])),
            tuple(limits_by_pattern.get(pattern["slug"], [])),
        )
        for pattern in data["patterns"]
        if pattern.get("active", True)
    )
    active = {pattern.slug for pattern in patterns}
    rules = tuple(entry for entry in (rule_entry(rule) for rule in data.get("rules", [])) if entry.patterns & active)
    policies = tuple(entry for entry in map(policy_entry, data.get("policies", [])) if set(entry.effects) & active)
    return CatalogSnapshot(version=version or data["version"], weights=dict(data["weights"]), patterns=patterns,
                           rules=rules, policies=policies)  # fmt: skip
