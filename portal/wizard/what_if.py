"""What if…: change one answer (or two, as a relaxation suggests) and see the ranking move, before keeping it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from patterns.ranking.relaxations import MAX_CHANGES
from patterns.requirements import (
    NO_PREFERENCE_LABEL,
    QUESTIONS,
    QUESTIONS_BY_NAME,
    Requirements,
    answer_label,
    decode_answer,
)

SEPARATOR = ";"


@dataclass(frozen=True)
class Change:
    """One changed answer: ``text`` is the vocabulary value ("" for no preference)."""

    question: str
    text: str

    @property
    def key(self) -> str:
        return f"{self.question}={self.text}"

    @property
    def question_label(self) -> str:
        return QUESTIONS_BY_NAME[self.question].label

    @property
    def value_label(self) -> str:
        return answer_label(self.question, self.text)

    @property
    def stored(self) -> str | bool | None:
        return decode_answer(QUESTIONS_BY_NAME[self.question], self.text)


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[Change, ...]

    @property
    def key(self) -> str:
        """The ``what_if`` parameter: ``question=value`` pairs joined by ";"."""
        return what_if_key((c.question, c.text) for c in self.changes)

    def stored_answers(self) -> dict[str, str | bool | None]:
        return {change.question: change.stored for change in self.changes}

    def applied_to(self, requirements: Requirements) -> Requirements:
        return Requirements.from_mapping({**requirements.as_dict(), **self.stored_answers()})


def what_if_key(changes: Iterable[tuple[str, str]]) -> str:
    return SEPARATOR.join(f"{question}={text}" for question, text in changes)


def parse_what_if(raw: str, requirements: Requirements) -> WhatIf | None:
    """One or two ``question=value`` changes to questions that apply to this goal (not the scope or goal), each
    question once; anything else is None."""
    changes = []
    for part in raw.split(SEPARATOR)[: MAX_CHANGES + 1]:
        name, _, text = part.partition("=")
        question = QUESTIONS_BY_NAME.get(name)
        if question is None or question.required or not question.applies_to(requirements.goal, requirements.scope):
            return None
        if text and text not in question.values:
            return None
        changes.append(Change(name, text))
    if not changes or len(changes) > MAX_CHANGES or len({c.question for c in changes}) != len(changes):
        return None
    return WhatIf(tuple(changes))


def what_if_choices(requirements: Requirements) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every other answer to every applicable question, grouped by question, for the what-if control."""
    answers = requirements.answers()
    groups = []
    for question in QUESTIONS:
        if question.required or not question.applies_to(requirements.goal, requirements.scope):
            continue  # another scope or goal is another need: start another wizard
        options = [
            (Change(question.name, choice.value).key, choice.label)
            for choice in question.choices
            if answers.get(question.name) != choice.value
        ]
        if question.name in answers:
            options.append((Change(question.name, "").key, NO_PREFERENCE_LABEL))
        groups.append((question.label, options))
    return groups
