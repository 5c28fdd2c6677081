"""Loading the content file into the draft (the catalog rows curators edit in the admin).

The rule for admin edits: every curated row remembers the hash of the state the loader last wrote. On the next load
a row whose current state still has that hash is updated from the file; a row whose state differs (a curator edited
it in the admin, or created it there) is kept as it is and reported, unless ``overwrite=True`` (``--overwrite``).
Rows that the file doesn't mention are never deleted (except by a rollback, ``prune=True``). Patterns are a unit with
their fits and links.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import models, transaction

from patterns.audit import changed_keys, curation_record
from patterns.content import validate_content
from patterns.draft import (
    LIMIT_DEFAULTS,
    PATTERN_FIELDS,
    fit_content,
    fits_content,
    limit_content,
    limit_row_content,
    rule_content,
    rule_row_content,
    state_hash,
)
from patterns.models import (
    Caution,
    ChecklistItem,
    ChecklistSection,
    ContentLoad,
    Fit,
    Limit,
    Pattern,
    PatternLink,
    Policy,
    QuestionWeight,
    Rule,
    Scenario,
)
from patterns.policy_rows import policy_content, policy_row_content, policy_write


@dataclass
class LoadReport:
    version: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edits: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Catalog content {self.version}: {len(self.created)} created, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged, {len(self.kept_edits)} admin edits kept."
        ]
        lines += [f"  kept admin edit: {name} (loadcatalog --overwrite replaces it)" for name in self.kept_edits]
        lines += [f"  removed: {name}" for name in self.removed]
        return "\n".join(lines)


# The state of each kind of row, computed the same way from a row and from a file entry.


def pattern_state_from_row(pattern: Pattern) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(pattern, name) for name in PATTERN_FIELDS}
    state["learn_more"] = [{"title": link.title, "url": link.url} for link in pattern.links.all()]
    state["fits"] = fits_content(pattern.fits.all())
    return state


def pattern_state_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    state = {name: entry[name] for name in PATTERN_FIELDS}
    state["learn_more"] = [{"title": link["title"], "url": link["url"]} for link in entry["learn_more"]]
    state["fits"] = {
        question: {value: fit_content(fit) for value, fit in answers.items()}
        for question, answers in entry["fits"].items()
    }
    return state


def caution_state_from_row(caution: Caution) -> dict[str, Any]:
    state = {key: getattr(caution, key) for key in ("title", "text", "source_url")} | {"when": caution.conditions}
    if caution.checked:  # absent when unknown, so rows loaded before dates existed keep their hash
        state["checked"] = caution.checked.isoformat() if hasattr(caution.checked, "isoformat") else caution.checked
    return state


def caution_state_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    state = {
        "title": entry["title"],
        "text": entry["text"],
        "source_url": entry["source_url"],
        "when": dict(entry.get("when", {})),
    }
    if entry.get("checked"):
        state["checked"] = entry["checked"]
    return state


def scenario_state_from_row(scenario: Scenario) -> dict[str, Any]:
    return {
        "title": scenario.title,
        "description": scenario.description,
        "answers": scenario.answers,
        "expected": scenario.expected_pattern.slug,
        "alternatives": sorted(pattern.slug for pattern in scenario.alternatives.all()),
        "rationale": scenario.rationale,
    } | ({"fit": scenario.expected_fit} if scenario.expected_fit else {})


def scenario_state_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": entry["title"],
        "description": entry["description"],
        "answers": dict(entry["answers"]),
        "expected": entry["expected"],
        "alternatives": sorted(entry.get("alternatives", [])),
        "rationale": entry["rationale"],
    } | ({"fit": entry["fit"]} if entry.get("fit") else {})


def item_state(section: str, title: str, guidance: str, position: int, condition: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {"section": section, "title": title, "guidance": guidance, "position": position}
    if condition:  # absent when empty, so rows loaded before conditions existed keep their hash
        state["condition"] = condition
    return state


@dataclass
class _Reconciler:
    report: LoadReport
    overwrite: bool
    actor: Any

    def __call__[Row: models.Model](
        self,
        label: str,
        row: Row | None,
        row_state: Callable[[Row], dict[str, Any]],
        new_state: dict[str, Any],
        write: Callable[[Row | None], Row],
    ) -> None:
        """Create, update, keep or skip one row by the admin-edit rule above; ``write(row_or_None)`` saves
        new_state and returns the row."""
        new_hash = state_hash(new_state)
        if row is None:
            row = write(None)
            self.report.created.append(label)
            curation_record(actor=self.actor, obj=row, action="loaded")
        else:
            before = row_state(row)
            current_hash = state_hash(before)
            if current_hash == new_hash:
                self.report.unchanged += 1
                if getattr(row, "content_hash", None) == new_hash:
                    return
            elif current_hash != getattr(row, "content_hash", None) and not self.overwrite:
                self.report.kept_edits.append(label)
                return
            else:
                row = write(row)
                self.report.updated.append(label)
                curation_record(actor=self.actor, obj=row, action="reloaded", changes=changed_keys(before, new_state))
        type(row)._default_manager.filter(pk=row.pk).update(content_hash=new_hash)


def _prune(*, data: Mapping[str, Any], actor: Any, report: LoadReport) -> None:
    """Delete the rows the content doesn't mention (a rollback makes the draft match a version exactly)."""
    scenario_slugs = {s["slug"] for s in data.get("scenarios", [])}
    caution_keys = {(slug, c["slug"]) for c in data.get("cautions", []) for slug in c["patterns"]}
    item_slugs = {i["slug"] for section in data["checklist"] for i in section["items"]}
    limit_slugs = {limit["slug"] for limit in data.get("limits", [])}
    rule_slugs = {rule["slug"] for rule in data.get("rules", [])}
    policy_slugs = {policy["slug"] for policy in data.get("policies", [])}
    section_slugs = {section["slug"] for section in data["checklist"]}
    pattern_slugs = {p["slug"] for p in data["patterns"]}
    doomed: list[Any] = [
        *Scenario.objects.exclude(slug__in=scenario_slugs),
        *(c for c in Caution.objects.select_related("pattern") if (c.pattern.slug, c.slug) not in caution_keys),
        *ChecklistItem.objects.exclude(slug__in=item_slugs),
        *Limit.objects.exclude(slug__in=limit_slugs),
        *Rule.objects.exclude(slug__in=rule_slugs),
        *Policy.objects.exclude(slug__in=policy_slugs),
        *ChecklistSection.objects.exclude(slug__in=section_slugs),
        *Pattern.objects.exclude(slug__in=pattern_slugs),
    ]
    for row in doomed:
        curation_record(actor=actor, obj=row, action="removed")
        report.removed.append(f"{row._meta.verbose_name} {row}")
        row.delete()


def _write_pattern(entry: Mapping[str, Any], row: Pattern | None) -> Pattern:
    pattern = row or Pattern(slug=entry["slug"], is_active=entry.get("active", True))
    for name in PATTERN_FIELDS:
        setattr(pattern, name, entry[name])
    pattern.full_clean()
    pattern.save()
    pattern.links.all().delete()
    pattern.fits.all().delete()
    links = [
        PatternLink(pattern=pattern, title=link["title"], url=link["url"], position=position)
        for position, link in enumerate(entry["learn_more"])
    ]
    fits = [
        Fit(
            pattern=pattern,
            question=question,
            value=value,
            scope=scope,
            level=level["fit"],
            rationale=level["why"],
            source_url=level.get("source", ""),
        )
        for question, answers in entry["fits"].items()
        for value, fit in answers.items()
        for scope, level in (("", fit), *fit.get("by_scope", {}).items())
    ]
    # Uniqueness is already checked by validate_content and enforced by the database's constraints. A fit for one
    # scope is checked once the general fit it replaces is saved.
    general, scoped = [f for f in fits if not f.scope], [f for f in fits if f.scope]
    for group in (links, general):
        for child in group:
            child.full_clean(validate_unique=False, validate_constraints=False)
    PatternLink.objects.bulk_create(links)
    Fit.objects.bulk_create(general)
    for fit in scoped:
        fit.full_clean(validate_unique=False, validate_constraints=False)
    Fit.objects.bulk_create(scoped)
    return pattern


def _write_weight(question: str, weight: int, row: QuestionWeight | None) -> QuestionWeight:
    row = row or QuestionWeight(question=question)
    row.weight = weight
    row.full_clean(validate_unique=False)
    row.save()
    return row


def _write_caution(entry: Mapping[str, Any], pattern: Pattern, row: Caution | None) -> Caution:
    row = row or Caution(pattern=pattern, slug=entry["slug"])
    row.title, row.text, row.source_url = entry["title"], entry["text"], entry["source_url"]
    row.checked = entry.get("checked") or None
    row.conditions = dict(entry.get("when", {}))
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    return row


def _write_scenario(entry: Mapping[str, Any], patterns: dict[str, Pattern], row: Scenario | None) -> Scenario:
    row = row or Scenario(slug=entry["slug"])
    row.title, row.description, row.rationale = entry["title"], entry["description"], entry["rationale"]
    row.answers = dict(entry["answers"])
    row.expected_pattern = patterns[entry["expected"]]
    row.expected_fit = entry.get("fit", "")
    row.full_clean(validate_unique=False)
    row.save()
    row.alternatives.set([patterns[slug] for slug in entry.get("alternatives", [])])
    return row


def _write_limit(entry: Mapping[str, Any], patterns: dict[str, Pattern], row: Limit | None) -> Limit:
    row = row or Limit(slug=entry["slug"])
    content = limit_content(entry)
    for key in ("name", "kind", "value", "unit", "source_url", "checked", *LIMIT_DEFAULTS):
        setattr(row, key, content.get(key, LIMIT_DEFAULTS.get(key)))
    row.full_clean(validate_unique=False)
    row.save()
    row.patterns.set([patterns[slug] for slug in entry["patterns"]])
    return row


def _write_rule(entry: Mapping[str, Any], patterns: dict[str, Pattern], row: Rule | None) -> Rule:
    row = row or Rule(slug=entry["slug"])
    row.title, row.text, row.source_url, row.checked = (
        entry["title"],
        entry["text"],
        entry["source_url"],
        entry["checked"],
    )
    row.effect, row.points, row.cap = entry["effect"], entry.get("points"), entry.get("cap", "")
    row.conditions, row.numbers = dict(entry.get("when", {})), dict(entry.get("numbers", {}))
    row.full_clean(validate_unique=False)
    row.save()
    row.patterns.set([patterns[slug] for slug in entry["patterns"]])
    return row


def _write_section(entry: Mapping[str, Any], position: int, row: ChecklistSection | None) -> ChecklistSection:
    row = row or ChecklistSection(slug=entry["slug"])
    row.title, row.position = entry["title"], position
    row.full_clean(validate_unique=False)
    row.save()
    return row


def _write_item(
    entry: Mapping[str, Any], position: int, section: ChecklistSection, row: ChecklistItem | None
) -> ChecklistItem:
    row = row or ChecklistItem(slug=entry["slug"])
    row.section, row.title, row.guidance, row.position = section, entry["title"], entry["guidance"], position
    row.condition = dict(entry.get("when", {}))
    row.full_clean(validate_unique=False)
    row.save()
    return row


def _weight_state(row: QuestionWeight) -> dict[str, Any]:
    return {"weight": row.weight}


def _section_state(row: ChecklistSection) -> dict[str, Any]:
    return {"title": row.title, "position": row.position}


def _item_state_from_row(row: ChecklistItem) -> dict[str, Any]:
    return item_state(row.section.slug, row.title, row.guidance, row.position, row.condition)


@transaction.atomic
def catalog_load(
    *, data: Mapping[str, Any], overwrite: bool = False, actor: Any = None, prune: bool = False, legacy: bool = False
) -> LoadReport:
    """Validate the whole content first (ContentError, nothing written), then reconcile every row in one
    transaction. ``legacy``: an earlier version's content, brought back by a rollback (see validate_content)."""
    validate_content(data, legacy=legacy)
    report = LoadReport(version=data["version"])
    reconcile = _Reconciler(report, overwrite, actor)

    weights = {row.question: row for row in QuestionWeight.objects.all()}
    for question, weight in data["weights"].items():
        reconcile(f"weight {question}", weights.get(question), _weight_state, {"weight": weight},
                  partial(_write_weight, question, weight))  # fmt: skip

    existing = {p.slug: p for p in Pattern.objects.prefetch_related("links", "fits")}
    for entry in data["patterns"]:
        reconcile(f"pattern {entry['slug']}", existing.get(entry["slug"]), pattern_state_from_row,
                  pattern_state_from_entry(entry), partial(_write_pattern, entry))  # fmt: skip
    patterns = {p.slug: p for p in Pattern.objects.all()}

    cautions = {(c.pattern.slug, c.slug): c for c in Caution.objects.select_related("pattern")}
    for entry in data.get("cautions", []):
        for slug in entry["patterns"]:
            reconcile(f"caution {entry['slug']} on {slug}", cautions.get((slug, entry["slug"])), caution_state_from_row,
                      caution_state_from_entry(entry), partial(_write_caution, entry, patterns[slug]))  # fmt: skip

    scenarios = {
        s.slug: s for s in Scenario.objects.select_related("expected_pattern").prefetch_related("alternatives")
    }
    for entry in data.get("scenarios", []):
        reconcile(f"scenario {entry['slug']}", scenarios.get(entry["slug"]), scenario_state_from_row,
                  scenario_state_from_entry(entry), partial(_write_scenario, entry, patterns))  # fmt: skip

    limits = {row.slug: row for row in Limit.objects.prefetch_related("patterns")}
    for entry in data.get("limits", []):
        reconcile(f"limit {entry['slug']}", limits.get(entry["slug"]), limit_row_content, limit_content(entry),
                  partial(_write_limit, entry, patterns))  # fmt: skip

    rules = {row.slug: row for row in Rule.objects.prefetch_related("patterns")}
    for entry in data.get("rules", []):
        reconcile(f"rule {entry['slug']}", rules.get(entry["slug"]), rule_row_content, rule_content(entry),
                  partial(_write_rule, entry, patterns))  # fmt: skip

    policies = {row.slug: row for row in Policy.objects.prefetch_related("effects__pattern")}
    for entry in data.get("policies", []):
        reconcile(f"policy {entry['slug']}", policies.get(entry["slug"]), policy_row_content, policy_content(entry),
                  partial(policy_write, entry, patterns))  # fmt: skip

    sections = {s.slug: s for s in ChecklistSection.objects.all()}
    items = {i.slug: i for i in ChecklistItem.objects.select_related("section")}
    for section_position, section_entry in enumerate(data["checklist"]):
        reconcile(f"checklist section {section_entry['slug']}", sections.get(section_entry["slug"]), _section_state,
                  {"title": section_entry["title"], "position": section_position},
                  partial(_write_section, section_entry, section_position))  # fmt: skip
        section = ChecklistSection.objects.get(slug=section_entry["slug"])
        for position, entry in enumerate(section_entry["items"]):
            new_state = item_state(section_entry["slug"], entry["title"], entry["guidance"], position,
                                   dict(entry.get("when", {})))  # fmt: skip
            reconcile(f"checklist item {entry['slug']}", items.get(entry["slug"]), _item_state_from_row, new_state,
                      partial(_write_item, entry, position, section))  # fmt: skip

    if prune:
        _prune(data=data, actor=actor, report=report)
    ContentLoad.objects.create(version=report.version, summary=report.summary())
    return report
