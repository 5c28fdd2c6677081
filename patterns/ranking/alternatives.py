"""What would change a first pick, as a ranking records it: a relaxation (answers that, changed, give a better fit)
and a close call (the first options within a few points, and the unanswered question that separates them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from patterns.requirements import QUESTIONS_BY_NAME, decode_answer, encode_answer, question_label


@dataclass(frozen=True)
class Relaxation:
    """What would change a partial or missing fit: these answers changed (value "" means no preference) make
    ``pattern`` the first option at ``level``."""

    changes: tuple[tuple[str, str], ...]
    pattern: str
    name: str
    score: float
    level: str
    summary: str
    fact: bool = False  # it changes a fact of the situation (where Dynamics 365 runs...), not a preference

    @property
    def kind(self) -> str:
        return "fact" if self.fact else "preference"

    def changes_json(self) -> dict[str, str | bool | None]:
        """Answers as the API takes them: booleans as booleans, no preference as null."""
        return {q: decode_answer(QUESTIONS_BY_NAME[q], v) if q in QUESTIONS_BY_NAME else v for q, v in self.changes}

    def to_json(self) -> dict[str, Any]:
        return {"changes": self.changes_json(), "pattern": self.pattern, "name": self.name, "score": self.score,
                "fit": self.level, "kind": self.kind, "summary": self.summary}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Relaxation:
        changes = tuple((q, "" if v is None else encode_answer(v)) for q, v in data.get("changes", {}).items())
        return cls(changes, data["pattern"], data["name"], data["score"], data.get("fit", ""), data["summary"],
                   data.get("kind") == "fact")  # fmt: skip


class CloseCallAnswer(NamedTuple):
    """One answer to the deciding question of a close call, and the option it puts first."""

    value: str  # the vocabulary string
    label: str
    pattern: str
    name: str
    question: str = ""

    def to_json(self) -> dict[str, Any]:
        """The value as the API takes it (booleans as booleans)."""
        question = QUESTIONS_BY_NAME.get(self.question)
        return {"value": self.value if question is None else decode_answer(question, self.value),
                "label": self.label, "pattern": self.pattern, "name": self.name}  # fmt: skip


@dataclass(frozen=True)
class CloseCall:
    """The first options are within CLOSE_POINTS of each other: which they are, and the unanswered question whose
    answer would separate them (None: no question does, they are interchangeable for these answers)."""

    options: tuple[str, ...]
    names: tuple[str, ...]
    question: str | None = None
    answers: tuple[CloseCallAnswer, ...] = ()

    @property
    def question_label(self) -> str:
        return question_label(self.question) if self.question else ""

    @property
    def names_text(self) -> str:
        names = list(self.names)
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def to_json(self) -> dict[str, Any]:
        return {"options": list(self.options), "names": list(self.names), "question": self.question,
                "answers": [answer.to_json() for answer in self.answers]}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> CloseCall | None:
        if not data:
            return None
        question = data.get("question")
        answers = tuple(
            CloseCallAnswer("" if a.get("value") is None else encode_answer(a["value"]), a.get("label", ""),
                            a.get("pattern", ""), a.get("name", ""), question or "")
            for a in data.get("answers", [])
        )  # fmt: skip
        options = tuple(data.get("options", []))
        return cls(options, tuple(data.get("names", options)), question, answers)
