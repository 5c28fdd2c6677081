"""Measure the advice on expert cases: each case's answers ranked with a content file, against the first picks an
expert accepts, the fit level they expect and the options they call clearly wrong.

A case (the shape ``shared/reference/blind-cases.md`` asks writers for)::

    {"id", "story", "answers": {...}, "capacity"?: {...}, "accept_first": [{"pattern", "why", "source"}],
     "not_first"?: [...], "never_top3"?: [{"pattern", "why"}], "expected_fit": "strong" | "partial" | "none"}

A case's first pick counts when the first option is accepted, or when the ranking calls a close call that names an
accepted pick and the question that decides it. Answers the vocabulary doesn't know (a case written for a newer
vocabulary) are dropped and reported, so the same cases measure an older catalog too.

``python -m patterns.content --cases FILE [--verbose]`` prints the table; pure, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import CatalogSnapshot
from patterns.requirements import CAPACITY_BY_NAME, QUESTIONS_BY_NAME, Requirements, RequirementsError


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    accepted: tuple[str, ...]
    top: tuple[str, ...]  # the first three options
    first_ok: bool
    by_close_call: bool  # counted through a close call that names an accepted pick and its deciding question
    expected_fit: str
    fit: str
    wrong_in_top3: tuple[str, ...]
    dropped: tuple[str, ...] = ()  # answers this vocabulary doesn't know
    error: str = ""

    @property
    def fit_ok(self) -> bool:
        return self.fit == self.expected_fit


@dataclass
class CasesReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def first_agreement(self) -> int:
        return sum(r.first_ok for r in self.results)

    @property
    def fit_agreement(self) -> int:
        return sum(r.fit_ok for r in self.results)

    @property
    def violations(self) -> int:
        return sum(bool(r.wrong_in_top3) for r in self.results)

    def summary(self) -> str:
        total = len(self.results)
        return (f"{total} cases: first pick {self.first_agreement}/{total}, fit level {self.fit_agreement}/{total}, "
                f"clearly wrong option in the top three in {self.violations}")  # fmt: skip


def _known_answers(case: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The case's answers and numbers this vocabulary knows, and what was dropped."""
    answers: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in (case.get("answers") or {}).items():
        question = QUESTIONS_BY_NAME.get(name)
        known = question is not None and (isinstance(value, bool) if question.is_boolean else value in question.values)
        if known:
            answers[name] = value
        else:
            dropped.append(f"{name}={value}")
    numbers = {}
    for name, value in (case.get("capacity") or {}).items():
        if name in CAPACITY_BY_NAME:
            numbers[name] = value
        else:
            dropped.append(f"capacity.{name}")
    if numbers:
        answers["capacity"] = numbers
    return answers, dropped


def evaluate_case(case: Mapping[str, Any], snapshot: CatalogSnapshot) -> CaseResult:
    accepted = tuple(item["pattern"] for item in case.get("accept_first", []))
    wrong = {item["pattern"] for item in case.get("never_top3", [])}
    expected_fit = case.get("expected_fit", "")
    answers, dropped = _known_answers(case)
    try:
        requirements = Requirements.from_mapping(answers)
    except RequirementsError as error:
        return CaseResult(case.get("id", "?"), accepted, (), False, False, expected_fit, "", (), tuple(dropped),
                          str(error))  # fmt: skip
    ranking = recommend(requirements, snapshot)
    top = tuple(option.pattern for option in ranking.options[:3])
    first_ok = bool(top) and top[0] in accepted
    close = getattr(ranking, "close_call", None)
    by_close_call = (
        not first_ok
        and close is not None
        and close.question is not None
        and any(option in accepted for option in close.options)
    )
    return CaseResult(
        case_id=case.get("id", "?"),
        accepted=accepted,
        top=top,
        first_ok=first_ok or by_close_call,
        by_close_call=by_close_call,
        expected_fit=expected_fit,
        fit=ranking.verdict.level,
        wrong_in_top3=tuple(slug for slug in top if slug in wrong),
        dropped=tuple(dropped),
    )


def evaluate(cases: Sequence[Mapping[str, Any]], snapshot: CatalogSnapshot) -> CasesReport:
    return CasesReport([evaluate_case(case, snapshot) for case in cases])


def report_lines(report: CasesReport, *, verbose: bool = False) -> list[str]:
    lines = []
    for r in report.results:
        ok = "ok  " if r.first_ok and r.fit_ok and not r.wrong_in_top3 else "MISS"
        if not verbose and ok == "ok  ":
            continue
        marks = []
        if not r.first_ok:
            marks.append(f"first {r.top[0] if r.top else '-'} (accepted {', '.join(r.accepted)})")
        elif r.by_close_call:
            marks.append("by close call")
        if not r.fit_ok:
            marks.append(f"fit {r.fit} (expected {r.expected_fit})")
        if r.wrong_in_top3:
            marks.append(f"wrong in top 3: {', '.join(r.wrong_in_top3)}")
        if r.dropped:
            marks.append(f"dropped: {', '.join(r.dropped)}")
        if r.error:
            marks.append(f"error: {r.error}")
        lines.append(f"{ok} {r.case_id}: top {', '.join(r.top)}; {'; '.join(marks) or 'agrees'}")
    lines.append(report.summary())
    return lines
