"""The published catalog as architects see it: the single reader of published versions.

Pages, the JSON API, the recommender's snapshot and new projects' checklists all come from ``published_catalog()``:
the latest published version, built once per process per version (versions are immutable); which version is the
latest is asked at most every few seconds (``recheck_seconds``), so a read usually costs no query. The one fallback
rule: before anything is published, the draft is shown, labelled "draft". Curators' half-finished edits never reach
architects once a version exists.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError

from patterns.content import upgrade_content
from patterns.draft import PATTERN_FIELDS, catalog_export
from patterns.models import CatalogVersion
from patterns.ranking.capacity import VERDICT_LABELS
from patterns.ranking.recommender import recommend
from patterns.ranking.records import RankingRecord
from patterns.ranking.snapshot import CatalogSnapshot, snapshot_from_content
from patterns.requirements import QUESTIONS_BY_NAME, Requirements
from patterns.taxonomy import Category, Family, Interaction

FAMILY_LABELS = dict(Family.choices)
CATEGORY_LABELS = dict(Category.choices)
INTERACTION_LABELS = dict(Interaction.choices)
FAMILY_ORDER = {value: position for position, value in enumerate(Family.values)}


@dataclass
class CautionView:
    slug: str
    title: str
    text: str
    source_url: str
    conditions: dict[str, list[str]]
    checked: str = ""


@dataclass
class ScenarioView:
    slug: str
    title: str
    description: str
    answers: dict[str, Any]
    expected: str
    expected_name: str
    alternatives: list[tuple[str, str]]
    rationale: str


@dataclass
class PatternView:
    slug: str
    name: str
    family: str
    category: str
    summary: str
    description: str
    benefits: str
    drawbacks: str
    use_when: str
    interaction: str
    code_required: bool
    tie_break: int
    links: list[dict[str, str]]
    fits: dict[str, dict[str, dict[str, Any]]]  # question -> value -> {fit, why, by_scope?}
    cautions: list[CautionView] = field(default_factory=list)
    scenarios: list[ScenarioView] = field(default_factory=list)
    limits: list[dict[str, Any]] = field(default_factory=list)  # curated platform limits, content-file format

    def get_family_display(self) -> str:
        return FAMILY_LABELS.get(self.family, self.family)

    def get_category_display(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    def get_interaction_display(self) -> str:
        return INTERACTION_LABELS.get(self.interaction, self.interaction)


@dataclass(frozen=True)
class CatalogFilters:
    family: str = ""
    category: str = ""
    interaction: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return any((self.family, self.category, self.interaction, self.query))

    def matches(self, pattern: PatternView) -> bool:
        if self.family and pattern.family != self.family:
            return False
        if self.category and pattern.category != self.category:
            return False
        if self.interaction and pattern.interaction not in {self.interaction, Interaction.BOTH}:
            return False  # a pattern that works both ways belongs to either filter
        haystack = " ".join((pattern.slug, pattern.name, pattern.summary, pattern.description, pattern.use_when))
        return all(word in haystack.lower() for word in self.query.lower().split())


@dataclass
class ChecklistItemView:
    slug: str
    title: str
    guidance: str
    condition: dict[str, Any]
    condition_text: str


@dataclass
class PublishedCatalog:
    version: str
    snapshot: CatalogSnapshot
    patterns: list[PatternView]
    by_slug: dict[str, PatternView]
    scenarios: list[ScenarioView]
    checklist: list[tuple[str, list[ChecklistItemView]]]
    # The checklist in the content-file format: what a new project copies.
    checklist_content: list[dict[str, Any]]

    def scenario(self, slug: str) -> ScenarioView | None:
        return next((s for s in self.scenarios if s.slug == slug), None)

    @property
    def task_count(self) -> int:
        """Checklist tasks every project gets."""
        return sum(1 for _, items in self.checklist for item in items if not item.condition)

    @property
    def conditional_task_count(self) -> int:
        """Checklist tasks a project gets only when one of its integrations calls for them."""
        return sum(1 for _, items in self.checklist for item in items if item.condition)


def condition_text(condition: dict[str, Any], names: dict[str, str]) -> str:
    """A conditional task's condition in words."""
    parts = []
    for question, values in (condition.get("answers") or {}).items():
        spec = QUESTIONS_BY_NAME[question]
        labels = " or ".join(spec.choice(v).label for v in values if v in spec.values)
        parts.append(f"{spec.label.lower()} is {labels}")
    if condition.get("patterns"):
        parts.append("an integration relies on " + " or ".join(names.get(s, s) for s in condition["patterns"]))
    if condition.get("capacity"):
        verdicts = " or ".join(VERDICT_LABELS.get(v, v) for v in condition["capacity"])
        parts.append(f"its numbers are {verdicts} of the pattern it relies on")
    if condition.get("shared_capacity"):
        verdicts = " or ".join(VERDICT_LABELS.get(v, v) for v in condition["shared_capacity"])
        parts.append(f"the integrations of an environment (or one account, or the tenant) together are {verdicts}")
    return "Only when " + " and ".join(parts) if parts else ""


def build_catalog(content: dict[str, Any], version: str) -> PublishedCatalog:
    names = {p["slug"]: p["name"] for p in content["patterns"]}
    active = [p for p in content["patterns"] if p.get("active", True)]
    patterns = [
        PatternView(
            slug=p["slug"], **{name: p[name] for name in PATTERN_FIELDS}, links=list(p["learn_more"]), fits=p["fits"]
        )
        for p in active
    ]
    patterns.sort(key=lambda p: (FAMILY_ORDER.get(p.family, 99), p.tie_break, p.name))
    by_slug = {p.slug: p for p in patterns}
    for caution in sorted(content.get("cautions", []), key=lambda c: c["title"]):
        caution_view = CautionView(caution["slug"], caution["title"], caution["text"], caution["source_url"],
                                   dict(caution.get("when", {})), caution.get("checked", ""))  # fmt: skip
        for slug in caution["patterns"]:
            if slug in by_slug:
                by_slug[slug].cautions.append(caution_view)
    for limit in sorted(content.get("limits", []), key=lambda limit: limit["name"]):
        for slug in limit["patterns"]:
            if slug in by_slug:
                by_slug[slug].limits.append(limit)
    scenarios = []
    for s in sorted(content.get("scenarios", []), key=lambda s: s["title"]):
        view = ScenarioView(
            slug=s["slug"],
            title=s["title"],
            description=s["description"],
            answers=s["answers"],
            expected=s["expected"],
            expected_name=names.get(s["expected"], s["expected"]),
            alternatives=[(a, names.get(a, a)) for a in s.get("alternatives", [])],
            rationale=s["rationale"],
        )
        scenarios.append(view)
        for slug in {s["expected"], *s.get("alternatives", [])}:
            if slug in by_slug:
                by_slug[slug].scenarios.append(view)
    checklist = [
        (
            section["title"],
            [
                ChecklistItemView(
                    i["slug"], i["title"], i["guidance"], i.get("when", {}), condition_text(i.get("when", {}), names)
                )
                for i in section["items"]
            ],
        )
        for section in content["checklist"]
    ]
    snapshot = snapshot_from_content(content, version=version)
    return PublishedCatalog(version, snapshot, patterns, by_slug, scenarios, checklist, list(content["checklist"]))


_cache_lock = threading.Lock()
# "key": the latest version's (id, number, hash); "catalog": its PublishedCatalog; "checked_at": when (monotonic
# seconds) this process last asked the database which version is the latest.
_cache: dict[str, Any] = {}


def recheck_seconds() -> float:
    """How long a process serves the version it knows before asking again (settings.CATALOG_RECHECK_SECONDS): the
    bound on how soon every replica serves a newly published version, and why a ranking needs no query."""
    return float(getattr(settings, "CATALOG_RECHECK_SECONDS", 2))


def recheck_now() -> None:
    """Ask the database on the next read (after a publish or rollback in this process, and between tests)."""
    with _cache_lock:
        _cache.pop("checked_at", None)


def published_catalog() -> PublishedCatalog:
    """The latest published version, or the draft before anything is published.

    Built once per process per version (versions are immutable). Which version is the latest is asked at most every
    ``recheck_seconds()``, so most reads cost no query. While the database is unreachable the version this process
    last served is served again; only a process that has never read one fails."""
    now = time.monotonic()
    with _cache_lock:
        known: PublishedCatalog | None = _cache.get("catalog")
        if known is not None and now - _cache.get("checked_at", -math.inf) < recheck_seconds():
            return known
    try:
        latest = CatalogVersion.objects.order_by("-number").values_list("pk", "number", "content_hash").first()
    except DatabaseError:
        if known is None:
            raise
        return known
    if latest is None:
        return build_catalog(catalog_export(), "draft")
    with _cache_lock:
        if _cache.get("key") == latest:
            _cache["checked_at"] = now
            cached: PublishedCatalog = _cache["catalog"]
            return cached
    content = CatalogVersion.objects.values_list("content", flat=True).get(pk=latest[0])
    catalog = build_catalog(content, f"v{latest[1]}")
    with _cache_lock:
        _cache["key"], _cache["catalog"], _cache["checked_at"] = latest, catalog, now
    return catalog


def published_snapshot() -> CatalogSnapshot:
    """The recommender's view of the published catalog."""
    return published_catalog().snapshot


def version_snapshot(number: int) -> CatalogSnapshot | None:
    """The recommender's view of published version ``number`` (uncached: a background job compares two versions), or
    None when there is no such version."""
    content = CatalogVersion.objects.filter(number=number).values_list("content", flat=True).first()
    return snapshot_from_content(upgrade_content(content), version=f"v{number}") if content else None


def rank(requirements: Requirements, *, limit: int | None = None) -> RankingRecord:
    """The requirements ranked with the published catalog (``limit``: explain only the first options)."""
    return recommend(requirements, published_snapshot(), limit=limit)


ANSWER_BYTES_KEPT = 8 * 1024 * 1024  # per process: a few hundred answers of the shipped catalog


def ranking_json(requirements: Requirements, *, limit: int | None = None) -> bytes:
    """The ranking as the API's JSON answer, remembered per published version (a version never changes, and a
    ranking depends on nothing else): the same question asked again is served without ranking or encoding. Kept to
    ANSWER_BYTES_KEPT per process; when full, it is emptied and refilled by the questions asked since."""
    snapshot = published_snapshot()
    answers: dict[tuple[Requirements, int | None], bytes] = snapshot.memo.setdefault("api_answers", {})
    body = answers.get((requirements, limit))
    if body is None:
        body = json.dumps(recommend(requirements, snapshot, limit=limit).to_api(), cls=DjangoJSONEncoder).encode()
        held = snapshot.memo.get("api_answer_bytes", 0) + len(body)
        if held > ANSWER_BYTES_KEPT:
            answers.clear()
            held = len(body)
        answers[(requirements, limit)] = body
        snapshot.memo["api_answer_bytes"] = held
    return body


FIRST_PICKS_KEPT = 10_000


class FirstPick(NamedTuple):
    pattern: str  # "" when the organisation's policies leave no pattern
    name: str
    level: str  # the ranking's fit level: strong, partial, weak or none
    summary: str = ""  # the fit's sentence, kept where the policies leave no pattern (it names them)
    forbidden: tuple[tuple[str, str], ...] = ()  # (pattern, title of a policy that forbids it)
    without_policies: str = ""  # the name of the pattern that would be first without the policies, when another


def first_pick(requirements: Requirements, snapshot: CatalogSnapshot) -> FirstPick | None:
    """The first option and the fit level, ranked with a snapshot the caller fetched once for many requirements.
    Remembered per snapshot (a version never changes), so a page listing saved integrations ranks each one once per
    process and version, whatever the size of the catalog."""
    picks: dict[Requirements, FirstPick | None] = snapshot.memo.setdefault("first_picks", {})
    if requirements not in picks:
        if len(picks) >= FIRST_PICKS_KEPT:
            picks.clear()
        ranking = recommend(requirements, snapshot, limit=1)
        options, level = ranking.options, ranking.verdict.level
        forbidden = tuple((e.pattern, hit.title) for e in ranking.excluded for hit in e.policies)
        without = ranking.without_policies.name if ranking.without_policies else ""
        if options:
            picks[requirements] = FirstPick(options[0].pattern, options[0].name, level, "", forbidden, without)
        else:  # None: the answers leave no pattern; the policies leaving none is a change to tell
            picks[requirements] = (FirstPick("", "", level, ranking.verdict.summary, forbidden, without)
                                   if ranking.forbidding else None)  # fmt: skip
    return picks[requirements]


def published_checklist() -> list[dict[str, Any]]:
    """The published checklist in the content-file format, for a project's own copy."""
    return published_catalog().checklist_content


def catalog_is_published() -> bool:
    """Whether a version has been published (the readiness probe's question)."""
    return CatalogVersion.objects.exists()


def published_content() -> tuple[int | None, dict[str, Any] | None]:
    """The latest published version's number and content, uncached (curation pages compare it with the draft)."""
    version = CatalogVersion.objects.order_by("-number").only("number", "content").first()
    return (version.number, version.content) if version else (None, None)
