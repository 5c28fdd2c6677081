"""How far to trust a ranking's first option: strong, partial or none, read from the curated data alone.

A ranking always has a first option, but the first of a poor field is not a good answer. The level comes from the
top option's score (the weighted share of the best possible fit, built from curated fit levels and question weights)
and from how it meets the answers that weigh most:

- **none**: every pattern is ruled out, the top option meets what the integration is for (the goal) only weakly or
  poorly, or it scores under ``NONE_BELOW``;
- **partial**: the top option scores under ``STRONG_FROM``, meets an answer whose curated weight is at least
  ``KEY_WEIGHT`` only weakly or poorly (a key need half met), or fits any answer poorly (it goes against something the
  architect asked for, however lightly weighted);
- **strong**: otherwise.

Pure and small: it reads anything shaped like a ranked option (score and reasons with question, weight and level),
so live rankings and ones saved before this rule existed are judged the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from patterns.taxonomy import FitLevel

STRONG, PARTIAL, NONE = "strong", "partial", "none"
LEVELS = (STRONG, PARTIAL, NONE)
LEVEL_ORDER = {STRONG: 0, PARTIAL: 1, NONE: 2}
STRONG_FROM = 80.0
NONE_BELOW = 50.0
KEY_WEIGHT = 3
SHORTFALL = frozenset({FitLevel.WEAK.value, FitLevel.POOR.value})
POOR = FitLevel.POOR.value


class ReasonLike(Protocol):
    @property
    def question(self) -> str: ...
    @property
    def question_label(self) -> str: ...
    @property
    def value_label(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def weight(self) -> int: ...


def falls_short(reason: ReasonLike) -> bool:
    """Whether an option falls short on this answer: a key one (weight >= KEY_WEIGHT, or the goal) met only weakly
    or poorly, or any answer it fits poorly."""
    return reason.level == POOR or (
        reason.level in SHORTFALL and (reason.weight >= KEY_WEIGHT or reason.question == "goal")
    )


def shortfalls(reasons: Iterable[ReasonLike]) -> list[ReasonLike]:
    return [r for r in reasons if falls_short(r)]


def level_for(score: float, shortfall_count: int, goal_short: bool) -> str:
    """The rule above, from the score and the shortfalls counted by ``falls_short``."""
    if score < NONE_BELOW or goal_short:
        return NONE
    if score < STRONG_FROM or shortfall_count:
        return PARTIAL
    return STRONG


def fit_level(score: float | None, reasons: Iterable[ReasonLike]) -> str:
    """The confidence level for a top option's score and reasons (None: nothing survived the exclusions)."""
    if score is None:
        return NONE
    missing = shortfalls(reasons)
    return level_for(score, len(missing), any(r.question == "goal" for r in missing))


def _titles(titles: Sequence[str]) -> str:
    quoted = [f"“{title}”" for title in titles]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def nothing_left(forbidding: Sequence[str] = (), answers_too: bool = True) -> str:
    """Why no option is left: the answers ruled every pattern out, or the organisation's policies (``forbidding``,
    their titles) forbid what the answers left (every pattern, when ``answers_too`` is false)."""
    if not forbidding:
        return "No pattern in the catalog fits these answers: every one is ruled out by at least one answer."
    which, verb = ("policy", "forbids") if len(forbidding) == 1 else ("policies", "forbid")
    if not answers_too:
        return f"No pattern is left: your organisation's {which} {_titles(forbidding)} {verb} every one."
    return (f"No pattern is left: your answers rule some out, and your organisation's {which} "
            f"{_titles(forbidding)} {verb} the rest.")  # fmt: skip


def fit_summary(level: str, name: str | None, score: float | None, reasons: Iterable[ReasonLike],
                forbidding: Sequence[str] = (), answers_too: bool = True) -> str:  # fmt: skip
    """One honest sentence about the top option (or, with none left, why: ``nothing_left``)."""
    if name is None or score is None:
        return nothing_left(forbidding, answers_too)
    points = f"{score:.0f}/100"
    missing = "; ".join(f"“{r.question_label}” ({r.value_label})" for r in shortfalls(reasons))
    if level == STRONG:
        return f"{name} fits your answers well ({points})."
    if level == NONE:
        detail = f"; it barely meets {missing}" if missing else ""
        return f"Nothing fits well: the closest option, {name}, scores {points}{detail}."
    if missing:
        return f"{name} is the closest option ({points}), but it falls short on {missing}."
    return f"{name} is the closest option ({points}); no pattern meets all of your answers well."
