"""Why this ranking: one stacked bar per option, each answer's share of the score as a segment (same colour and
place for the same question on every bar), and the options ruled out: by an answer, a curated rule about answers
together, or the organisation's policy."""

from __future__ import annotations

from dataclasses import dataclass

from patterns.ranking.records import ExclusionRecord, OptionRecord, RankingRecord
from patterns.requirements import QUESTIONS
from portal.pictures.palette import EXCLUSION_COLOUR, question_colour

QUESTION_ORDER = {question.name: index for index, question in enumerate(QUESTIONS)}
MAX_BARS = 10


@dataclass(frozen=True)
class Segment:
    question: str
    label: str  # "How fast the other side needs it: On a schedule"
    level: str  # the fit level's label
    x: float  # 0-100, where the segment starts
    width: float  # 0-100, its share of the best possible score
    colour: str

    @property
    def question_label(self) -> str:
        return self.label.split(": ", 1)[0]

    @property
    def text(self) -> str:
        """The segment's tooltip: the answer is in the legend, so the question is enough here."""
        return f"{self.question_label}: {self.level}, {self.width:.0f} points"


@dataclass(frozen=True)
class Bar:
    pattern: str
    name: str
    rank: int
    score: float
    segments: tuple[Segment, ...]
    below_because: str = ""  # why it ranks under an option that scores less (your numbers against its limits)

    @property
    def summary(self) -> str:
        parts = ", ".join(f"{s.label.split(': ', 1)[0]} {s.width:.0f}" for s in self.segments if s.width >= 0.5)
        moved = f" Ranked lower: {self.below_because}." if self.below_because else ""
        return f"{self.name}: {self.score:.0f} of 100. {parts or 'No answer earns it points'}.{moved}"


@dataclass(frozen=True)
class RuledOut:
    """One answer, curated rule or policy and the options it rules out (an option two of them rule out is under
    both)."""

    answer: str  # "How fast the other side needs it: Immediately, and the caller waits"
    colour: str
    names: tuple[str, ...]
    verb: str = "rules out"  # a policy "forbids"


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str


@dataclass(frozen=True)
class ContributionChart:
    bars: tuple[Bar, ...]
    ruled_out: tuple[RuledOut, ...]
    legend: tuple[LegendItem, ...]
    more_options: int  # options not drawn (the ranking below has them all)
    ruled_out_count: int

    @property
    def empty(self) -> bool:
        return not self.bars and not self.ruled_out


def _bar(option: OptionRecord) -> Bar:
    possible = sum(reason.weight for reason in option.contributions)
    x = 0.0
    segments = []
    for reason in sorted(option.contributions, key=lambda r: QUESTION_ORDER.get(r.question, 99)):
        width = 100.0 * reason.points / possible if possible else 0.0
        segments.append(Segment(reason.question, f"{reason.question_label}: {reason.value_label}", reason.level_label,
                                round(x, 3), round(width, 3),
                                question_colour(QUESTION_ORDER.get(reason.question, 0))))  # fmt: skip
        x += width
    return Bar(option.pattern, option.name, option.rank, option.score, tuple(segments))


def _with_reasons_for_order(bars: list[Bar], options: tuple[OptionRecord, ...]) -> tuple[Bar, ...]:
    """A bar that outscores one ranked above it was moved down by your numbers (a platform limit): it says so."""
    by_pattern = {option.pattern: option for option in options}
    lowest_above = float("inf")
    marked = []
    for bar in bars:
        option = by_pattern[bar.pattern]
        reason = ""
        if bar.score > lowest_above + 0.05:
            capacity = option.capacity
            reason = f"your numbers: {capacity.label}" if capacity and capacity.verdict != "unknown" else (
                "a curated rule about your answers")  # fmt: skip
        marked.append(Bar(bar.pattern, bar.name, bar.rank, bar.score, bar.segments, reason))
        lowest_above = min(lowest_above, bar.score)
    return tuple(marked)


def _ruled_out(exclusions: tuple[ExclusionRecord, ...]) -> tuple[RuledOut, ...]:
    """By answer in the questions' order, then the curated rules, then the organisation's policies."""
    by_answer: dict[tuple[int, str], list[str]] = {}
    others: dict[tuple[int, str], list[str]] = {}
    for exclusion in exclusions:
        for reason in exclusion.contributions:
            key = (QUESTION_ORDER.get(reason.question, 99), f"{reason.question_label}: {reason.value_label}")
            by_answer.setdefault(key, []).append(exclusion.name)
        for rule in exclusion.rules:
            others.setdefault((0, f"Together: {rule.title}"), []).append(exclusion.name)
        for policy in exclusion.policies:
            others.setdefault((1, f"Your organisation's policy “{policy.title}”"), []).append(exclusion.name)
    return (
        *(RuledOut(answer, question_colour(order), tuple(sorted(names)))
          for (order, answer), names in sorted(by_answer.items())),
        *(RuledOut(label, EXCLUSION_COLOUR, tuple(sorted(names)), "forbids" if kind else "rules out")
          for (kind, label), names in sorted(others.items())),
    )  # fmt: skip


def contribution_chart(ranking: RankingRecord) -> ContributionChart:
    top = ranking.options[0] if ranking.options else None
    legend = (
        tuple(
            LegendItem(f"{r.question_label}: {r.value_label}", question_colour(QUESTION_ORDER.get(r.question, 0)))
            for r in sorted(top.contributions, key=lambda r: QUESTION_ORDER.get(r.question, 99))
        )
        if top
        else ()
    )
    return ContributionChart(
        bars=_with_reasons_for_order([_bar(option) for option in ranking.options[:MAX_BARS]], ranking.options),
        ruled_out=_ruled_out(ranking.excluded),
        legend=legend,
        more_options=max(0, len(ranking.options) - MAX_BARS),
        ruled_out_count=len(ranking.excluded),
    )
