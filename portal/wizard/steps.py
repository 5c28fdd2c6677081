"""The wizard's steps and their forms, built from the requirements vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from patterns.requirements import (
    CAPACITY_BY_NAME,
    CAPACITY_FIELDS,
    CAPACITY_GOALS,
    NO_PREFERENCE_LABEL,
    QUESTIONS_BY_NAME,
    Question,
    answer_label,
    decode_answer,
    encode_answer,
)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str
    questions: tuple[str, ...]
    # Optional numbers (patterns.requirements.CAPACITY_FIELDS), asked only for these goals.
    numbers: tuple[str, ...] = ()
    number_goals: frozenset[str] = frozenset()

    def asks_numbers(self, goal: str | None) -> bool:
        return bool(self.numbers) and goal in self.number_goals


STEPS: tuple[Step, ...] = (
    Step("need", "The need", "Which systems take part, and what the integration is for.", ("scope", "goal")),
    Step(
        "flow",
        "The flow",
        "Which way information moves, how soon it must arrive and how much of it there is. Skip what you don't know.",
        ("direction", "timing", "volume"),
    ),
    Step(
        "delivery",
        "Where it runs and who builds it",
        "The deployment and the team's preferences narrow the options further.",
        ("deployment", "team_platform", "prefers_low_code", "needs_custom_logic"),
    ),
    Step(
        "details",
        "Details for this goal",
        "A few questions that only matter for this kind of integration.",
        ("lives_in", "trigger", "consumer", "document_kind", "data_residency", "transformations", "ui_kind"),
    ),
    Step(
        "volumes",
        "Volumes",
        "Optional numbers for a capacity check against the platform's limits (service protection, request "
        "allocations, message sizes, initial sync). Leave blank what you don't know.",
        (),
        numbers=tuple(field.name for field in CAPACITY_FIELDS),
        number_goals=CAPACITY_GOALS,
    ),
)
NUMBER_PREFIX = "capacity__"
SUMMARY = "summary"


def applicable_questions(step: Step, goal: str | None, scope: str | None = None) -> list[Question]:
    return [QUESTIONS_BY_NAME[name] for name in step.questions if QUESTIONS_BY_NAME[name].applies_to(goal, scope)]


def active_steps(answers: dict[str, Any]) -> list[Step]:
    """The steps to walk for these answers: a step whose questions don't apply to the goal is skipped."""
    goal, scope = answers.get("goal"), answers.get("scope")
    return [step for step in STEPS if applicable_questions(step, goal, scope) or step.asks_numbers(goal)]


def step_by_key(key: str) -> Step | None:
    return next((step for step in STEPS if step.key == key), None)


STEP_INDEX = {step.key: index for index, step in enumerate(STEPS)}


def walk(answers: dict[str, Any]) -> list[str]:
    """The keys of the steps to walk for these answers, then the summary."""
    return [step.key for step in active_steps(answers)] + [SUMMARY]


def progress(answers: dict[str, Any], key: str) -> dict[str, int]:
    keys = walk(answers)
    return {"number": keys.index(key) + 1 if key in keys else 1, "total": len(keys)}


def next_step(answers: dict[str, Any], key: str, *, back: bool) -> str:
    """Where the wizard goes from step ``key``: the previous or the next step that applies to these answers."""
    keys = walk(answers)
    if key not in keys:  # a step that no longer applies: go on to the first later one that does
        later = [k for k in keys if k == SUMMARY or STEP_INDEX[k] > STEP_INDEX[key]]
        return later[0]
    position = keys.index(key)
    return keys[max(position - 1, 0)] if back else keys[position + 1]


def summary_sections(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Each step that applies with its questions and the answer labels, for the summary page."""
    goal, scope = answers.get("goal"), answers.get("scope")
    numbers = answers.get("capacity") or {}
    return [
        {
            "step": step,
            "rows": [
                {"question": question, "answer": answer_label(question.name, answers.get(question.name))}
                for question in applicable_questions(step, goal, scope)
            ]
            + [
                {"question": CAPACITY_BY_NAME[name], "answer": f"{numbers[name]:,}" if name in numbers else "Not given"}
                for name in (step.numbers if step.asks_numbers(goal) else ())
            ],
        }
        for step in active_steps(answers)
    ]


NO_PREFERENCE = ("", f"{NO_PREFERENCE_LABEL} / not sure")


class StepForm(forms.Form):
    """Radio questions of one step. Optional questions offer 'no preference', which leaves them unanswered."""

    def __init__(self, *args: Any, step: Step, goal: str | None, scope: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        for question in applicable_questions(step, goal, scope):
            choices = [(choice.value, choice.label) for choice in question.choices]
            if not question.required:
                choices = [NO_PREFERENCE, *choices]
            self.fields[question.name] = forms.ChoiceField(
                label=question.label,
                help_text=question.help,
                choices=choices,
                required=question.required,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose an answer for “{question.label}”."},
            )
        for name in step.numbers if step.asks_numbers(goal) else ():
            spec = CAPACITY_BY_NAME[name]
            kind = forms.IntegerField if spec.whole else forms.FloatField
            self.fields[NUMBER_PREFIX + name] = kind(
                label=spec.label, help_text=spec.help, required=False, min_value=0, max_value=int(spec.maximum),
                widget=forms.NumberInput(attrs={"min": 0, "max": int(spec.maximum), "step": 1 if spec.whole else "any",
                                                "inputmode": "numeric" if spec.whole else "decimal"}),
            )  # fmt: skip

    def answers(self) -> dict[str, Any]:
        """Cleaned answers in the stored form: booleans as booleans, unanswered as None; numbers as one
        "capacity" object (None when none is given)."""
        data = getattr(self, "cleaned_data", {})
        result: dict[str, Any] = {
            name: decode_answer(QUESTIONS_BY_NAME[name], value)
            for name, value in data.items()
            if not name.startswith(NUMBER_PREFIX)
        }
        if self.step.numbers and any(name.startswith(NUMBER_PREFIX) for name in self.fields):
            numbers = {name.removeprefix(NUMBER_PREFIX): value for name, value in data.items()
                       if name.startswith(NUMBER_PREFIX) and value is not None}  # fmt: skip
            result["capacity"] = numbers or None
        return result

    def number_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(NUMBER_PREFIX)]


def initial_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: encode_answer(value) for name, value in answers.items() if value is not None and name != "capacity"
    }
    initial.update({NUMBER_PREFIX + name: value for name, value in (answers.get("capacity") or {}).items()})
    return initial


def question_rows(form: StepForm) -> list[dict[str, Any]]:
    """What the template needs per question: its choices with help text and whether each is checked."""
    rows = []
    current = form.data if form.is_bound else form.initial
    for name in form.fields:
        if name.startswith(NUMBER_PREFIX):
            continue
        question = QUESTIONS_BY_NAME[name]
        selected = current.get(name, "") if hasattr(current, "get") else ""
        options = (
            [] if question.required else [{"value": "", "label": NO_PREFERENCE[1], "help": "", "checked": not selected}]
        )
        options += [
            {"value": c.value, "label": c.label, "help": c.help, "checked": selected == c.value}
            for c in question.choices
        ]
        rows.append({"name": name, "question": question, "field": form[name], "options": options,
                     "errors": form.errors.get(name, []), "focus": False})  # fmt: skip
    # After a refused step, focus goes to the first question to fix (rather than the top of the page).
    first = next((row for row in rows if row["errors"]), None)
    if first is not None:
        first["focus"] = True
    elif wrong := [name for name in form.errors if name.startswith(NUMBER_PREFIX) and name in form.fields]:
        form.fields[wrong[0]].widget.attrs["autofocus"] = True
    return rows
