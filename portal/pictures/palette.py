"""Colours of the pictures. Every colour reaches 3:1 against white (WCAG non-text contrast), and no colour carries
meaning alone: each picture also writes its labels, and has a table with the same data."""

from __future__ import annotations

# One colour per requirement question, in the order of patterns.requirements.QUESTIONS.
QUESTION_COLOURS: tuple[str, ...] = (
    "#1f5fa8",  # blue
    "#b3541e",  # burnt orange
    "#2e7d32",  # green
    "#7b3fa0",  # purple
    "#a8325e",  # raspberry
    "#00756f",  # teal
    "#8a6d00",  # ochre
    "#4d5b6a",  # slate
    "#c0392b",  # red
    "#3f51b5",  # indigo
    "#6d4c41",  # brown
    "#0277bd",  # sky blue
    "#ad1457",  # magenta
    "#558b2f",  # olive green
    "#5d4037",  # dark brown
)

# A group of ruled-out options that no one answer explains (a curated rule about answers together, a policy).
EXCLUSION_COLOUR = "#5f6b76"

# Decision status: colour and a dash pattern, so print in grey still tells them apart.
STATUS_STYLES: dict[str, tuple[str, str]] = {
    "accepted": ("#1e7b34", ""),
    "proposed": ("#0b5cad", "8 5"),
    "rejected": ("#b42318", "2 4"),
    "superseded": ("#5f6b76", "2 4"),
    "deprecated": ("#5f6b76", "2 4"),
    "none": ("#5f6b76", "12 6"),
}
STATUS_LABELS: dict[str, str] = {
    "accepted": "accepted",
    "proposed": "proposed",
    "rejected": "rejected",
    "superseded": "superseded",
    "deprecated": "deprecated",
    "none": "no decision (top pick)",
}


def question_colour(index: int) -> str:
    return QUESTION_COLOURS[index % len(QUESTION_COLOURS)]
