"""The curated content file: where it lives, how it is read, and its schema with whole-file validation.

Validation is pure (no database) so the loader can check the whole file before it touches a row, and so curators
can check a change with ``python -m patterns.content`` before loading it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from patterns.ranking.capacity import KINDS as CAPACITY_KINDS
from patterns.ranking.capacity import VERDICTS as CAPACITY_VERDICTS
from patterns.ranking.confidence import LEVELS as CONFIDENCE_LEVELS
from patterns.ranking.snapshot import RULE_EFFECTS
from patterns.requirements import CAPACITY_BY_NAME, QUESTIONS, QUESTIONS_BY_NAME, Requirements, RequirementsError
from patterns.taxonomy import Category, Family, FitLevel, Interaction

CONTENT_FILE = Path(__file__).resolve().parent / "catalog.json"
FORMAT = 1

FAMILIES: tuple[str, ...] = tuple(Family.values)
CATEGORIES: tuple[str, ...] = tuple(Category.values)
INTERACTIONS: tuple[str, ...] = tuple(Interaction.values)
LEVELS: tuple[str, ...] = tuple(FitLevel.values)
PATTERN_TEXT_FIELDS = ("name", "summary", "description", "benefits", "drawbacks", "use_when")
SCOPES: tuple[str, ...] = QUESTIONS_BY_NAME["scope"].values
GOALS: tuple[str, ...] = QUESTIONS_BY_NAME["goal"].values
SCENARIO_FITS = CONFIDENCE_LEVELS  # the confidence levels a scenario may expect
LEARN_SOURCE = "must be the Microsoft Learn page that states it (https://learn.microsoft.com/...)"
RULE_CAPS = ("partial", "none")  # the fit levels a rule may cap a first option at
MAX_RULE_POINTS = 50
# Wording that belongs to the other app family: a rationale a customer engagement case reads must not speak of
# finance and operations features, and one an F&O-with-another-system case reads must not speak of customer
# engagement features. (Exclusions are exempt: they say why a pattern is for the other family.)
WRONG_FAMILY = {
    "ce_external": re.compile(r"\bF&O\b|finance and operations|X\+\+|legal entit|data entit|\bAOT\b", re.IGNORECASE),
    "fno_external": re.compile(r"(?i:customer engagement|model-driven|plug-in)|\bCE\b"),
}


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


def _is_learn_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def _is_learn_source(url: Any) -> bool:
    """A Microsoft Learn page: where every limit, caution and rule must say its fact is stated."""
    return _is_learn_url(url) and urlsplit(url).netloc == "learn.microsoft.com"


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.require_checked = True

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, entry: Mapping[str, Any], key: str, where: str, *, max_length: int | None = None) -> None:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            self.error(f"{where}.{key}", "must be non-empty text")
        elif max_length and len(value) > max_length:
            self.error(f"{where}.{key}", f"must be at most {max_length} characters (has {len(value)})")

    def slug(self, entry: Mapping[str, Any], where: str, seen: set[str]) -> str | None:
        value = entry.get("slug")
        if not isinstance(value, str) or not value or not all(c.isalnum() or c == "-" for c in value):
            self.error(f"{where}.slug", "must be a slug of letters, digits and hyphens")
            return None
        if len(value) > 50:
            self.error(f"{where}.slug", f"must be at most 50 characters (has {len(value)})")
        if value in seen:
            self.error(f"{where}.slug", f"duplicate slug {value!r}")
        seen.add(value)
        return value

    def entries(
        self, value: Any, where: str, kind: str, seen: set[str], *, required: bool = False
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Each object of the list ``value`` with the name errors give it: "KIND SLUG" once its slug is known."""
        if not isinstance(value, list) or (required and not value):
            self.error(where, "must be a non-empty list" if required else "must be a list")
            return
        for index, entry in enumerate(value):
            position = f"{where}[{index}]"
            if not isinstance(entry, Mapping):
                self.error(position, "must be an object")
                continue
            slug = self.slug(entry, position, seen)
            yield (f"{kind} {slug}" if slug else position), entry

    def fit(self, fit: Mapping[str, Any], where: str) -> None:
        if fit.get("fit") not in LEVELS:
            self.error(f"{where}.fit", f"must be one of {', '.join(LEVELS)}")
        self.text(fit, "why", where, max_length=300)
        if "source" in fit and not _is_learn_source(fit["source"]):
            self.error(f"{where}.source", LEARN_SOURCE)

    def family_wording(self, fits: Mapping[str, Any], where: str) -> None:
        """Each rationale a case of a scope reads (overrides applied) uses that scope's app family's words."""
        for scope, wrong in WRONG_FAMILY.items():
            scope_fit = fits.get("scope", {}).get(scope)
            if not isinstance(scope_fit, Mapping) or scope_fit.get("fit") == "excluded":
                continue  # the pattern never ranks in this scope
            for question, answers in fits.items():
                if question == "scope" or not isinstance(answers, Mapping):
                    continue
                for value, fit in answers.items():
                    if not isinstance(fit, Mapping):
                        continue
                    by_scope = fit.get("by_scope")
                    seen = by_scope.get(scope, fit) if isinstance(by_scope, Mapping) else fit
                    why = seen.get("why") if isinstance(seen, Mapping) else None
                    if isinstance(why, str) and seen.get("fit") != "excluded" and (match := wrong.search(why)):
                        self.error(f"{where}.fits.{question}.{value}",
                                   f"a {scope} case would read “{match.group()}”: add a by_scope.{scope} fit worded "
                                   "for that scope")  # fmt: skip

    def limit(self, limit: Mapping[str, Any], where: str, pattern_slugs: set[str]) -> None:
        self.text(limit, "name", where, max_length=200)
        self.text(limit, "unit", where, max_length=40)
        if not isinstance(limit.get("kind"), str) or limit["kind"] not in CAPACITY_KINDS:
            self.error(f"{where}.kind", f"must be one of {', '.join(CAPACITY_KINDS)}")
        numbers = (("value", True, 0), ("rows_per_request", False, 0), ("read_rows_per_request", False, 1),
                   ("batch_rows", False, 1))  # fmt: skip
        for key, required, least in numbers:
            number = limit.get(key)
            if number is None and not required:
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) or not number > 0 or number < least:
                self.error(f"{where}.{key}", f"must be a number above 0{' and at least 1' if least else ''}")
        window = limit.get("window_minutes")
        if limit.get("kind") == "requests_per_window" and window is None:
            self.error(f"{where}.window_minutes", "is needed for a limit per window")
        if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window <= 0):
            self.error(f"{where}.window_minutes", "must be a whole number of minutes above 0")
        if "batch_rows" in limit:
            self.text(limit, "batch_label", where, max_length=200)
        for key in ("note", "scales_with", "batch_label", "instead"):
            if key in limit and not isinstance(limit[key], str):
                self.error(f"{where}.{key}", "must be text")
        if "guidance" in limit and not isinstance(limit["guidance"], bool):
            self.error(f"{where}.guidance", "must be true or false")
        if not _is_learn_source(limit.get("source_url")):
            self.error(f"{where}.source_url", LEARN_SOURCE)
        self.checked(limit, where)
        targets = limit.get("patterns")
        if not isinstance(targets, list) or not targets or any(not isinstance(t, str) or t not in pattern_slugs
                                                               for t in targets):  # fmt: skip
            self.error(f"{where}.patterns", "must list known pattern slugs")
        scopes = limit.get("scopes", [])
        if not isinstance(scopes, list) or any(not isinstance(s, str) or s not in SCOPES for s in scopes):
            self.error(f"{where}.scopes", f"must be a list of {', '.join(SCOPES)} (empty: every scope)")
        goals = limit.get("goals", [])
        if not isinstance(goals, list) or any(not isinstance(g, str) or g not in GOALS for g in goals):
            self.error(f"{where}.goals", f"must be a list of {', '.join(GOALS)} (empty: every goal)")

    def conditions(self, value: Any, where: str) -> None:
        if not isinstance(value, Mapping):
            self.error(where, "must be an object of question: [values]")
            return
        for question, allowed in value.items():
            if question not in QUESTIONS_BY_NAME:
                self.error(f"{where}.{question}", "unknown question")
            elif not isinstance(allowed, list) or not allowed:
                self.error(f"{where}.{question}", "must be a non-empty list of values")
            else:
                for item in allowed:
                    if item not in QUESTIONS_BY_NAME[question].values:
                        self.error(f"{where}.{question}", f"unknown value {item!r}")

    def numbers(self, value: Any, where: str) -> None:
        """Conditions on the capacity numbers: {number: {"min"?: n, "max"?: n}}."""
        if not isinstance(value, Mapping):
            self.error(where, "must be an object of number: {min, max}")
            return
        for name, bounds in value.items():
            field = f"{where}.{name}"
            if name not in CAPACITY_BY_NAME:
                self.error(field, f"unknown number; use one of {', '.join(CAPACITY_BY_NAME)}")
                continue
            if not isinstance(bounds, Mapping) or not bounds or set(bounds) - {"min", "max"}:
                self.error(field, "must be an object with “min” and/or “max”")
                continue
            for key, bound in bounds.items():
                if isinstance(bound, bool) or not isinstance(bound, int | float) or bound < 0:
                    self.error(f"{field}.{key}", "must be a number from 0")
            least, most = bounds.get("min"), bounds.get("max")
            if isinstance(least, int | float) and isinstance(most, int | float) and least > most:
                self.error(field, "min must not be above max")

    def rule(self, rule: Mapping[str, Any], where: str, pattern_slugs: set[str]) -> None:
        self.text(rule, "title", where, max_length=200)
        self.text(rule, "text", where, max_length=400)
        if not _is_learn_source(rule.get("source_url")):
            self.error(f"{where}.source_url", LEARN_SOURCE)
        self.checked(rule, where)
        targets = rule.get("patterns")
        if not isinstance(targets, list) or not targets or any(not isinstance(t, str) or t not in pattern_slugs
                                                               for t in targets):  # fmt: skip
            self.error(f"{where}.patterns", "must list known pattern slugs")
        effect = rule.get("effect")
        if effect not in RULE_EFFECTS:
            self.error(f"{where}.effect", f"must be one of {', '.join(RULE_EFFECTS)}")
        points = rule.get("points")
        if effect == "points":
            if (
                isinstance(points, bool)
                or not isinstance(points, int | float)
                or not 0 < abs(points) <= MAX_RULE_POINTS
            ):
                self.error(f"{where}.points", f"must be a number from -{MAX_RULE_POINTS} to {MAX_RULE_POINTS}, not 0")
        elif "points" in rule:
            self.error(f"{where}.points", "only a rule whose effect is “points” moves points")
        if effect == "cap" or (effect == "points" and "cap" in rule):
            if rule.get("cap") not in RULE_CAPS:
                self.error(f"{where}.cap", f"must be one of {', '.join(RULE_CAPS)}")
        elif "cap" in rule:
            self.error(f"{where}.cap", "a rule that rules patterns out has no cap")
        if "when" in rule:
            self.conditions(rule["when"], f"{where}.when")
        if "numbers" in rule:
            self.numbers(rule["numbers"], f"{where}.numbers")
        if not rule.get("when") and not rule.get("numbers"):
            self.error(f"{where}.when", "a rule needs at least one condition (“when” or “numbers”)")

    def checked(self, entry: Mapping[str, Any], where: str) -> None:
        value = entry.get("checked")
        if value is None and not self.require_checked:
            return
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.error(f"{where}.checked", "must be the date it was checked against its source, YYYY-MM-DD")

    def item_condition(self, value: Any, where: str, pattern_slugs: set[str]) -> None:
        if not isinstance(value, Mapping) or not value or set(value) - {"answers", "patterns", "capacity"}:
            self.error(where, "must be an object with “answers”, “patterns” and/or “capacity”")
            return
        verdicts = value.get("capacity", [])
        if not isinstance(verdicts, list) or any(
            not isinstance(v, str) or v not in CAPACITY_VERDICTS for v in verdicts
        ):
            self.error(f"{where}.capacity", f"must be a list of {', '.join(CAPACITY_VERDICTS)}")
        if "answers" in value:
            self.conditions(value["answers"], f"{where}.answers")
        patterns = value.get("patterns", [])
        if not isinstance(patterns, list) or any(not isinstance(p, str) or p not in pattern_slugs for p in patterns):
            self.error(f"{where}.patterns", "must be a list of known pattern slugs")


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
    check = _Checker()
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
                if not isinstance(link, Mapping) or not _is_learn_url(link.get("url")):
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
        if not _is_learn_source(caution.get("source_url")):
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
