"""Publishing: the draft (the catalog rows curators edit) is frozen, in the content-file format, as an immutable
numbered CatalogVersion after a scenario regression; rollback publishes an earlier version again; diffs compare any
two versions or a version and the draft. Architects read the result through ``patterns.catalog``.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import pluralize

from patterns.catalog import published_content, recheck_now
from patterns.content import ContentError, upgrade_content, validate_content
from patterns.draft import PATTERN_FIELDS, catalog_export, state_hash
from patterns.loader import catalog_load
from patterns.models import CatalogVersion, CurationEvent, Pattern
from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import snapshot_from_content
from patterns.requirements import QUESTIONS, Requirements, answer_label, question_label
from patterns.signals import catalog_published


def content_fingerprint(content: dict[str, Any]) -> str:
    """A hash of what a version says, ignoring its version label (no policies reads as an empty list of them, so a
    version published before policies existed matches a draft without any)."""
    said = {key: value for key, value in content.items() if key != "version" and (key != "policies" or value)}
    return state_hash(said)


def latest_version_number() -> int | None:
    return CatalogVersion.objects.aggregate(latest=Max("number"))["latest"]


# Scenario regression


def scenario_regression(draft: dict[str, Any], published: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every scenario of the draft ranked with the draft and with the published version (as architects see them,
    the organisation's policies applied). A scenario states the catalog's own advice, so whether it still holds
    ("broken") is judged without the policies; a policy that changes its first pick is named ("policy_first")."""
    draft_snapshot = snapshot_from_content(draft)
    published_snapshot = snapshot_from_content(published) if published else draft_snapshot
    names = {p["slug"]: p["name"] for p in (published or draft)["patterns"]} | {
        p["slug"]: p["name"] for p in draft["patterns"]
    }
    rows = []
    for scenario in draft["scenarios"]:
        requirements = Requirements.from_mapping(scenario["answers"])
        ranking = recommend(requirements, draft_snapshot)
        new = [o.pattern for o in ranking.options[:3]]
        old = [o.pattern for o in recommend(requirements, published_snapshot).options[:3]]
        expected_fit = scenario.get("fit", "")
        advice = recommend(requirements, draft_snapshot, policies=False) if draft_snapshot.policies else ranking
        advised = [o.pattern for o in advice.options[:1]]
        rows.append(
            {
                "scenario": scenario["slug"],
                "title": scenario["title"],
                "expected": scenario["expected"],
                "expected_name": names.get(scenario["expected"], scenario["expected"]),
                "published_top": old,
                "draft_top": new,
                "published_top_names": [names.get(slug, slug) for slug in old],
                "draft_top_names": [names.get(slug, slug) for slug in new],
                "first_changed": old[:1] != new[:1],
                "top_three_changed": old != new,
                "expected_fit": expected_fit,
                "draft_fit": ranking.verdict.level,
                "advice_fit": advice.verdict.level,  # without the policies: what the expectation is checked against
                "broken": not advised
                or advised[0] != scenario["expected"]
                or bool(expected_fit and expected_fit != advice.verdict.level),
                "policy_first": ranking.without_policies.summary if ranking.without_policies else "",
            }
        )
    return rows


@transaction.atomic
def version_publish(*, actor: User | None, note: str, override_reason: str = "") -> Any:
    """Publish the draft as the next version. Refused when a scenario's expected pattern is no longer first,
    unless an override reason is given (it is recorded with the version)."""
    if not note.strip():
        raise ValidationError({"note": "Say what changed and why."})
    draft = catalog_export()
    try:
        validate_content(draft)
    except ContentError as error:
        raise ValidationError({"note": ["The draft isn't consistent yet:", *error.errors]}) from None
    _, published = published_content()
    regression = scenario_regression(draft, published)
    broken = [row["title"] for row in regression if row["broken"]]
    if broken and not override_reason.strip():
        raise ValidationError(
            {"override_reason": f"{len(broken)} scenario{pluralize(len(broken))} no longer "
             f"{pluralize(len(broken), 'ranks its,rank their')} expected pattern first (or lost "
             f"{pluralize(len(broken), 'its,their')} expected confidence): {'; '.join(broken)}. Fix the fits, or give "
             "a reason to publish anyway."}
        )  # fmt: skip
    return _create_version(actor=actor, note=note, content=draft, regression=regression,
                           override_reason=override_reason.strip() if broken else "")  # fmt: skip


def _create_version(
    *, actor: Any, note: str, content: dict[str, Any], regression: list[Any], override_reason: str
) -> Any:
    number = (latest_version_number() or 0) + 1
    try:
        with transaction.atomic():
            version = CatalogVersion.objects.create(
                number=number,
                note=note.strip(),
                content={**content, "version": f"v{number}"},
                content_hash=content_fingerprint(content),
                regression=regression,
                override_reason=override_reason,
                published_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"note": "Someone published at the same moment; look at the new version and retry."}
        ) from None
    CurationEvent.objects.create(actor=actor, action="published", object_type="catalog version",
                                 object_repr=f"v{number}", changes={"note": [None, note.strip()]})  # fmt: skip
    # This process serves it from its next read; the others within patterns.catalog.recheck_seconds().
    recheck_now()
    transaction.on_commit(recheck_now)
    catalog_published.send(sender=CatalogVersion, version=f"v{number}")
    return version


@transaction.atomic
def version_rollback(*, version: Any, actor: User | None) -> Any:
    """Publish an earlier version's content as a new version, and make the draft match it (a version from before
    the vocabulary grew reads as neutral on the questions it didn't know)."""
    content = upgrade_content(version.content)
    catalog_load(data=content, overwrite=True, actor=actor, prune=True, legacy=True)
    inactive = [p["slug"] for p in content["patterns"] if not p.get("active", True)]
    Pattern.objects.filter(slug__in=inactive).update(is_active=False)
    Pattern.objects.filter(slug__in=[p["slug"] for p in content["patterns"]]).exclude(slug__in=inactive).update(
        is_active=True
    )
    regression = scenario_regression(content, published_content()[1])
    return _create_version(
        actor=actor, note=f"Rollback to v{version.number}.", content=content, regression=regression, override_reason=""
    )


def draft_differs_from_published() -> bool:
    _, published = published_content()
    return published is None or content_fingerprint(catalog_export()) != content_fingerprint(published)


# Differences between two versions


def catalog_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per pattern: text, fits, cautions and scenarios that differ; plus weights, platform limits, rules, the
    organisation's policies and the checklist."""
    old_patterns = {p["slug"]: p for p in old["patterns"]}
    new_patterns = {p["slug"]: p for p in new["patterns"]}
    patterns = []
    for slug in sorted(set(old_patterns) | set(new_patterns)):
        a, b = old_patterns.get(slug), new_patterns.get(slug)
        name = (b or a or {}).get("name", slug)
        entry: dict[str, Any] = {"slug": slug, "name": name, "status": "changed", "text": [], "fits": [],
                                 "cautions": [], "scenarios": []}  # fmt: skip
        if a is None or b is None:
            entry["status"] = "added" if a is None else "removed"
            patterns.append(entry)
            continue
        for field in (*PATTERN_FIELDS, "learn_more"):
            if a.get(field) != b.get(field):
                entry["text"].append({"field": field.replace("_", " "), "before": a.get(field), "after": b.get(field),
                                      "words": word_diff(_as_text(a.get(field)), _as_text(b.get(field)))})  # fmt: skip
        for question in QUESTIONS:
            for value in question.values:
                fa = a["fits"].get(question.name, {}).get(value)
                fb = b["fits"].get(question.name, {}).get(value)
                if fa != fb:
                    entry["fits"].append({
                        "question": question.name, "value": value, "before": fa, "after": fb,
                        "label": f"{question.label}: {answer_label(question.name, value)}",
                        "words": word_diff((fa or {}).get("why", ""), (fb or {}).get("why", "")),
                    })  # fmt: skip
        entry["cautions"] = _keyed_changes(_cautions_of(old, slug), _cautions_of(new, slug))
        entry["scenarios"] = _keyed_changes(_scenarios_of(old, slug), _scenarios_of(new, slug))
        if any(entry[key] for key in ("text", "fits", "cautions", "scenarios")):
            patterns.append(entry)
    weights = [
        {"question": q, "label": question_label(q), "before": old["weights"].get(q), "after": new["weights"].get(q)}
        for q in sorted(set(old["weights"]) | set(new["weights"]))
        if old["weights"].get(q) != new["weights"].get(q)
    ]
    old_items = {i["slug"]: i for s in old["checklist"] for i in s["items"]}
    new_items = {i["slug"]: i for s in new["checklist"] for i in s["items"]}
    checklist = _keyed_changes(old_items, new_items)
    limits = _keyed_changes(
        {x["slug"]: x for x in old.get("limits", [])}, {x["slug"]: x for x in new.get("limits", [])}
    )
    rules = _keyed_changes({x["slug"]: x for x in old.get("rules", [])}, {x["slug"]: x for x in new.get("rules", [])})
    policies = _keyed_changes(
        {x["slug"]: x for x in old.get("policies", [])}, {x["slug"]: x for x in new.get("policies", [])}
    )
    names = {p["slug"]: p["name"] for content in (old, new) for p in content["patterns"]}
    for change in policies:  # what it does, in pattern names, as it stands after the change (or stood, if removed)
        policy = change["after"] or change["before"]
        change["effects"] = ", ".join(f"{effect} {names.get(slug, slug)}" for slug, effect in policy["effects"].items())
        change["when"] = (
            "; ".join(
                f"{question_label(q)}: {' or '.join(answer_label(q, v) for v in values)}"
                for q, values in policy.get("when", {}).items()
            )
            or "every ranking"
        )
    return {"patterns": patterns, "weights": weights, "limits": limits, "rules": rules, "policies": policies,
            "checklist": checklist}  # fmt: skip


def _cautions_of(content: dict[str, Any], slug: str) -> dict[str, Any]:
    return {
        c["slug"]: {k: v for k, v in c.items() if k != "patterns"} for c in content["cautions"] if slug in c["patterns"]
    }


def _scenarios_of(content: dict[str, Any], slug: str) -> dict[str, Any]:
    return {s["slug"]: s for s in content["scenarios"] if s["expected"] == slug}


def _keyed_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows added, removed or changed, each named by its title (or name) rather than its slug, with a word-level
    diff of each changed text field."""
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a != b:
            status = "added" if a is None else "removed" if b is None else "changed"
            fields = sorted(k for k in set(a or {}) | set(b or {}) if (a or {}).get(k) != (b or {}).get(k))
            title = (b or a or {}).get("title") or (b or a or {}).get("name") or key
            words = [
                {"field": field.replace("_", " "), "words": word_diff(_as_text((a or {}).get(field)),
                                                                      _as_text((b or {}).get(field)))}
                for field in fields
                if status == "changed"
            ]  # fmt: skip
            changes.append({"key": key, "title": title, "status": status, "fields": fields, "before": a, "after": b,
                            "words": words})  # fmt: skip
    return changes


# Word-level differences, for a curator reading what changed in a long text

REWRITTEN = 0.4  # under this share of words in common, a text counts as rewritten
_WORDS = re.compile(r"\s+|\S+")  # words and the spaces between them, so "rates." and "rates. More" share a word


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in sorted(value.items()))
    return str(value)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``before`` turned into ``after`` as runs of words: ("same" | "removed" | "added", text)."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    # Spaces never anchor a match (they would pair every word with another); a text rewritten from scratch reads
    # better as the old one struck through and the new one whole.
    matcher = SequenceMatcher(isjunk=str.isspace, a=old, b=new, autojunk=False)
    if old and new and matcher.ratio() < REWRITTEN:
        return [("removed", before), ("added", after)]
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", "".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("added", "".join(new[j1:j2])))
    return runs
