"""The content checker's rules, one method per kind of entry (fits, limits, rules, policies, conditions, dates,
sources): each problem is recorded with the entry and field it names, so ``validate_content`` can list them all at
once."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from patterns.ranking.capacity import KINDS as CAPACITY_KINDS
from patterns.ranking.capacity import SHARED, SUMMABLE_KINDS
from patterns.ranking.capacity import VERDICTS as CAPACITY_VERDICTS
from patterns.ranking.confidence import LEVELS as CONFIDENCE_LEVELS
from patterns.ranking.policies import POLICY_EFFECTS
from patterns.ranking.snapshot import RULE_EFFECTS
from patterns.requirements import CAPACITY_BY_NAME, QUESTIONS_BY_NAME
from patterns.taxonomy import Category, Family, FitLevel, Interaction

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


POLICY_KEYS = frozenset({"slug", "title", "text", "when", "effects", "source_url"})


def is_learn_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def is_learn_source(url: Any) -> bool:
    """A Microsoft Learn page: where every limit, caution and rule must say its fact is stated."""
    return is_learn_url(url) and urlsplit(url).netloc == "learn.microsoft.com"


POOL_AGREES = ("kind", "value", "unit", "window_minutes", "shared")  # what limits summed as one budget must share


def is_slug(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value) and all(c.isascii() and (c.isalnum() or c == "-") for c in value)


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.require_checked = True
        self.pools: dict[str, tuple[str, Mapping[str, Any]]] = {}  # pool -> its first limit, named as errors name it

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
        if not is_slug(value):
            self.error(f"{where}.slug", "must be a slug of letters (a to z), digits and hyphens")
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
        if "source" in fit and not is_learn_source(fit["source"]):
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
            elif key != "note" and len(limit.get(key, "")) > 200:
                self.error(f"{where}.{key}", f"must be at most 200 characters (has {len(limit[key])})")
        shared = limit.get("shared", "")
        if shared and (not isinstance(shared, str) or shared not in SHARED):
            self.error(f"{where}.shared", f"must be one of {', '.join(SHARED)} (or left out: not shared)")
        elif shared and limit.get("kind") not in SUMMABLE_KINDS:
            self.error(f"{where}.shared", f"only a limit that adds up can be shared ({', '.join(SUMMABLE_KINDS)})")
        self.pool(limit, where)
        if "guidance" in limit and not isinstance(limit["guidance"], bool):
            self.error(f"{where}.guidance", "must be true or false")
        if not is_learn_source(limit.get("source_url")):
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

    def pool(self, limit: Mapping[str, Any], where: str) -> None:
        """A shared limit's pool (its own slug unless it names one): limits of one pool are one budget, summed
        together, so they must agree on what is summed and against what."""
        pool = limit.get("pool", "")
        if pool != "" and not limit.get("shared"):
            self.error(f"{where}.pool", "only a shared limit has a pool (say what shares it, or leave the pool out)")
            return
        if pool != "" and (not is_slug(pool) or len(pool) > 50):
            self.error(f"{where}.pool", "must be a slug of letters (a to z), digits and hyphens, at most 50 characters")
            return
        if not limit.get("shared") or not is_slug(limit.get("slug")):
            return
        key = pool or limit["slug"]
        first = self.pools.setdefault(key, (where, limit))
        if first[1] is limit:
            return
        for field in POOL_AGREES:
            if limit.get(field) != first[1].get(field):
                self.error(f"{where}.{field}", f"must be the same as {first[0]}'s ({first[1].get(field)!r}): both are "
                                               f"the one budget of pool {key!r}, summed together")  # fmt: skip

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
        if not is_learn_source(rule.get("source_url")):
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

    def policy(self, policy: Mapping[str, Any], where: str, pattern_slugs: set[str]) -> None:
        """The organisation's own policy: its source, when given, is its own page (any https address). A key it
        doesn't know is refused: a misspelt "when" would otherwise make the policy apply to every ranking."""
        for key in sorted(set(policy) - POLICY_KEYS):
            self.error(f"{where}.{key}", f"unknown key; a policy has {', '.join(sorted(POLICY_KEYS))}")
        self.text(policy, "title", where, max_length=200)
        self.text(policy, "text", where, max_length=1000)
        source = policy.get("source_url")
        fits = isinstance(source, str) and is_learn_url(source) and len(source) <= 500 and source.split() == [source]
        if "source_url" in policy and not fits:
            self.error(f"{where}.source_url", "must be an https URL of at most 500 characters, without spaces (or "
                       "left out)")  # fmt: skip
        if "when" in policy:
            self.conditions(policy["when"], f"{where}.when")
        effects = policy.get("effects")
        if not isinstance(effects, Mapping) or not effects:
            self.error(f"{where}.effects", f"must be an object of pattern slug: {' | '.join(POLICY_EFFECTS)}")
            return
        for slug, effect in effects.items():
            if slug not in pattern_slugs:
                self.error(f"{where}.effects.{slug}", "unknown pattern")
            elif effect not in POLICY_EFFECTS:
                self.error(f"{where}.effects.{slug}", f"must be one of {', '.join(POLICY_EFFECTS)}")

    def checked(self, entry: Mapping[str, Any], where: str) -> None:
        value = entry.get("checked")
        if value is None and not self.require_checked:
            return
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.error(f"{where}.checked", "must be the date it was checked against its source, YYYY-MM-DD")

    def item_condition(self, value: Any, where: str, pattern_slugs: set[str]) -> None:
        keys = {"answers", "patterns", "capacity", "shared_capacity"}
        if not isinstance(value, Mapping) or not value or set(value) - keys:
            self.error(where, "must be an object with “answers”, “patterns”, “capacity” and/or “shared_capacity”")
            return
        for key in ("capacity", "shared_capacity"):
            verdicts = value.get(key, [])
            if not isinstance(verdicts, list) or any(
                not isinstance(v, str) or v not in CAPACITY_VERDICTS for v in verdicts
            ):
                self.error(f"{where}.{key}", f"must be a list of {', '.join(CAPACITY_VERDICTS)}")
        if value.get("shared_capacity") and set(value) != {"shared_capacity"}:
            self.error(f"{where}.shared_capacity", "is about an environment, not one integration: use it alone")
        if "answers" in value:
            self.conditions(value["answers"], f"{where}.answers")
        patterns = value.get("patterns", [])
        if not isinstance(patterns, list) or any(not isinstance(p, str) or p not in pattern_slugs for p in patterns):
            self.error(f"{where}.patterns", "must be a list of known pattern slugs")
