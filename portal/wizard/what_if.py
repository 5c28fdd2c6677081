"""What if…: change one answer and see the ranking move, before keeping the change."""

from __future__ import annotations

from dataclasses import dataclass

from patterns.requirements import (
    NO_PREFERENCE_LABEL,
    QUESTIONS,
    QUESTIONS_BY_NAME,
    Requirements,
    answer_label,
    decode_answer,
)


@dataclass(frozen=True)
class WhatIf:
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

    def applied_to(self, requirements: Requirements) -> Requirements:
        return Requirements.from_mapping({**requirements.as_dict(), self.question: self.stored})


def parse_what_if(raw: str, requirements: Requirements) -> WhatIf | None:
    """``question=value`` for a question that applies to this goal (not the scope or goal); anything else is None."""
    name, _, text = raw.partition("=")
    question = QUESTIONS_BY_NAME.get(name)
    if question is None or question.required or not question.applies_to(requirements.goal):
        return None
    if text and text not in question.values:
        return None
    return WhatIf(name, text)


def what_if_choices(requirements: Requirements) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every other answer to every applicable question, grouped by question, for the what-if control."""
    answers = requirements.answers()
    groups = []
    for question in QUESTIONS:
        if question.required or not question.applies_to(requirements.goal):
            continue  # another scope or goal is another need: start another wizard
        options = [
            (WhatIf(question.name, choice.value).key, choice.label)
            for choice in question.choices
            if answers.get(question.name) != choice.value
        ]
        if question.name in answers:
            options.append((WhatIf(question.name, "").key, NO_PREFERENCE_LABEL))
        groups.append((question.label, options))
    return groups
