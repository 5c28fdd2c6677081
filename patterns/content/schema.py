"""The curated content file: where it lives, how it is read, and its schema with whole-file validation.

Validation is pure (no database) so the loader can check the whole file before it touches a row, and so curators
can check a change with ``python -m patterns.content`` before loading it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from patterns.content.checker import (
    CATEGORIES,
    FAMILIES,
    INTERACTIONS,
    LEARN_SOURCE,
    PATTERN_TEXT_FIELDS,
    SCENARIO_FITS,
    SCOPES,
    Checker,
    is_learn_source,
    is_learn_url,
)
from patterns.requirements import QUESTIONS, QUESTIONS_BY_NAME, Requirements, RequirementsError

CONTENT_FILE = Path(__file__).resolve().parent / "catalog.json"
FORMAT = 1


class ContentError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def read_content(path: Path = CONTENT_FILE) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError([f"{path}: file not found"]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ContentError([f"{path}: not valid JSON ({error})"]) from None
    return data


def upgrade_content(data: Mapping[str, Any]) -> dict[str, Any]:
    """A version published before the vocabulary grew, in today's shape: a question it doesn't know weighs 0 and
    every pattern is neutral on it (so its rankings are what they were). What it can't know, such as when a caution
    was checked, stays missing; ``validate_content(..., legacy=True)`` accepts that for a rollback."""
    upgraded = dict(data)
    upgraded["weights"] = {question.name: 0 for question in QUESTIONS} | dict(data.get("weights", {}))
    patterns = []
    for pattern in data.get("patterns", []):
        fits = dict(pattern.get("fits", {}))
        for question in QUESTIONS:
            answers = dict(fits.get(question.name, {}))
            for value in question.values:
                answers.setdefault(value, {"fit": "neutral", "why": "Not curated in this version of the catalog."})
            fits[question.name] = answers
        patterns.append({**pattern, "fits": fits})
    upgraded["patterns"] = patterns
    return upgraded


def validate_content(data: Any, *, legacy: bool = False) -> None:
    """Raise ContentError listing every problem, each naming the entry and field. ``legacy``: content published
    before limits and cautions carried a checked date (a rollback) may lack one."""
    check = Checker()
    check.require_checked = not legacy
    if not isinstance(data, Mapping):
        raise ContentError(["content: must be a JSON object"])
    if data.get("format") != FORMAT:
        check.error("format", f"must be {FORMAT}")
    check.text(data, "version", "content", max_length=40)

    weights = data.get("weights")
    if not isinstance(weights, Mapping):
        check.error("weights", "must be an object of question: weight")
    else:
        for question in QUESTIONS:
            weight = weights.get(question.name)
            if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= 10:
                check.error(f"weights.{question.name}", "must be a whole number from 0 to 10")
        for name in weights:
            if name not in QUESTIONS_BY_NAME:
                check.error(f"weights.{name}", "unknown question")

    pattern_slugs: set[str] = set()
    for where, pattern in check.entries(data.get("patterns"), "patterns", "pattern", pattern_slugs, required=True):
        for key in PATTERN_TEXT_FIELDS:
            check.text(pattern, key, where, max_length=120 if key == "name" else None)
        if isinstance(pattern.get("summary"), str) and len(pattern["summary"]) > 300:
            check.error(f"{where}.summary", "must be at most 300 characters")
        if pattern.get("family") not in FAMILIES:
            check.error(f"{where}.family", f"must be one of {', '.join(FAMILIES)}")
        if pattern.get("category") not in CATEGORIES:
            check.error(f"{where}.category", f"must be one of {', '.join(CATEGORIES)}")
        if pattern.get("interaction") not in INTERACTIONS:
            check.error(f"{where}.interaction", f"must be one of {', '.join(INTERACTIONS)}")
        if "active" in pattern and not isinstance(pattern["active"], bool):
            check.error(f"{where}.active", "must be true or false (absent means true)")
        if not isinstance(pattern.get("code_required"), bool):
            check.error(f"{where}.code_required", "must be true or false")
        if not isinstance(pattern.get("tie_break"), int) or isinstance(pattern.get("tie_break"), bool):
            check.error(f"{where}.tie_break", "must be a whole number (lower wins a tie)")
        links = pattern.get("learn_more")
        if not isinstance(links, list) or not links:
            check.error(f"{where}.learn_more", "must list at least one link")
        else:
            for position, link in enumerate(links):
                if not isinstance(link, Mapping) or not is_learn_url(link.get("url")):
                    check.error(f"{where}.learn_more[{position}].url", "must be an https URL")
                elif not isinstance(link.get("title"), str) or not link["title"].strip():
                    check.error(f"{where}.learn_more[{position}].title", "must be non-empty text")
        fits = pattern.get("fits")
        if not isinstance(fits, Mapping):
            check.error(f"{where}.fits", "must be an object of question: {value: {fit, why}}")
            continue
        for name in fits:
            if name not in QUESTIONS_BY_NAME:
                check.error(f"{where}.fits.{name}", "unknown question")
        for question in QUESTIONS:
            answers = fits.get(question.name)
            if not isinstance(answers, Mapping):
                check.error(f"{where}.fits.{question.name}", "missing: every question needs fits")
                continue
            for value in answers:
                if value not in question.values:
                    check.error(f"{where}.fits.{question.name}.{value}", "unknown value")
            for value in question.values:
                fit = answers.get(value)
                field = f"{where}.fits.{question.name}.{value}"
                if not isinstance(fit, Mapping):
                    check.error(field, "missing fit")
                    continue
                check.fit(fit, field)
                by_scope = fit.get("by_scope", {})
                if not isinstance(by_scope, Mapping) or (by_scope and question.name == "scope"):
                    check.error(f"{field}.by_scope", "must be an object of scope: {fit, why}, not on scope")
                    continue
                for scope, override in by_scope.items():
                    if scope not in SCOPES:
                        check.error(f"{field}.by_scope.{scope}", f"unknown scope; use one of {', '.join(SCOPES)}")
                    elif not isinstance(override, Mapping):
                        check.error(f"{field}.by_scope.{scope}", "must be an object with fit and why")
                    else:
                        check.fit(override, f"{field}.by_scope.{scope}")
        check.family_wording(fits, where)

    for where, caution in check.entries(data.get("cautions", []), "cautions", "caution", set()):
        check.text(caution, "title", where, max_length=200)
        check.text(caution, "text", where)
        if not is_learn_source(caution.get("source_url")):
            check.error(f"{where}.source_url", LEARN_SOURCE)
        check.checked(caution, where)
        targets = caution.get("patterns")
        if not isinstance(targets, list) or not targets:
            check.error(f"{where}.patterns", "must list at least one pattern slug")
        else:
            for target in targets:
                if not isinstance(target, str) or target not in pattern_slugs:
                    check.error(f"{where}.patterns", f"unknown pattern {target!r}")
        check.conditions(caution.get("when", {}), f"{where}.when")

    for where, scenario in check.entries(data.get("scenarios", []), "scenarios", "scenario", set()):
        for key in ("title", "description", "rationale"):
            check.text(scenario, key, where, max_length=200 if key == "title" else None)
        try:
            Requirements.from_mapping(scenario.get("answers"))
        except RequirementsError as error:
            for field, messages in error.errors.items():
                check.error(f"{where}.answers.{field}", " ".join(messages))
        if not isinstance(scenario.get("expected"), str) or scenario["expected"] not in pattern_slugs:
            check.error(f"{where}.expected", f"unknown pattern {scenario.get('expected')!r}")
        if "fit" in scenario and scenario["fit"] not in SCENARIO_FITS:
            check.error(f"{where}.fit", f"must be one of {', '.join(SCENARIO_FITS)} (the confidence an expert expects)")
        alternatives = scenario.get("alternatives", [])
        if not isinstance(alternatives, list) or any(
            not isinstance(alt, str) or alt not in pattern_slugs for alt in alternatives
        ):
            check.error(f"{where}.alternatives", "must be a list of known pattern slugs")

    for where, limit in check.entries(data.get("limits", []), "limits", "limit", set()):
        check.limit(limit, where, pattern_slugs)

    for where, rule in check.entries(data.get("rules", []), "rules", "rule", set()):
        check.rule(rule, where, pattern_slugs)

    for where, policy in check.entries(data.get("policies", []), "policies", "policy", set()):
        check.policy(policy, where, pattern_slugs)

    item_slugs: set[str] = set()
    for where, section in check.entries(data.get("checklist"), "checklist", "checklist section", set(), required=True):
        check.text(section, "title", where, max_length=200)
        for item_where, item in check.entries(section.get("items"), f"{where}.items", "checklist item", item_slugs,
                                              required=True):  # fmt: skip
            check.text(item, "title", item_where, max_length=300)
            check.text(item, "guidance", item_where)
            if "when" in item:
                check.item_condition(item["when"], f"{item_where}.when", pattern_slugs)

    if check.errors:
        raise ContentError(check.errors)
