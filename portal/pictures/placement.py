"""Where a label fits beside an arrow of the landscape: for one place along the arrow, the nearest free height.

Written for speed: a crowded landscape tries hundreds of places for each of dozens of labels, and checking every box
at every place in Python took longer than the rest of the page. The heights tried are a ladder (rungs 8px apart), so
each box blocks a run of rungs that arithmetic finds, and the free rungs are what the runs leave. Each end of a run
is settled with the comparison a rung-by-rung check would make, so a rounding error can't move a label.
"""

from __future__ import annotations

from math import ceil, floor

ALONG = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8)  # where on the arrow a label may sit
REACH = 20  # rungs up or down from there
STEP = 8


def _first_at_least(base: float, value: float) -> int:
    """The first rung j whose top ``base + 8j`` is at least ``value``."""
    j = ceil((value - base) / STEP)
    if base + STEP * (j - 1) >= value:
        return j - 1
    return j + 1 if base + STEP * j < value else j


def _first_above(base: float, value: float) -> int:
    """The first rung j whose top is above ``value`` (greater than it)."""
    j = floor((value - base) / STEP) + 1
    if base + STEP * (j - 1) > value:
        return j - 1
    return j + 1 if base + STEP * j <= value else j


def nearest_free(base: float, tall: float, height: float, boxes: list[tuple[float, float]]) -> int | None:
    """Of the label tops ``base + 8j`` (j from -REACH to REACH), the free one with the smallest shift (up before
    down), as its shift in px; None when none is. Free: inside the picture, and clear of every box, given as (its
    top, its bottom plus the 3px gap), by 3px above it too."""
    lowest = max(-REACH, _first_at_least(base, 0.0))
    highest = min(REACH, _first_above(base, height - tall) - 1)
    if lowest > highest:
        return None
    # A box blocks the rungs whose top is above its end and whose bottom (plus 3px) is below its top.
    runs = sorted(
        (_first_above(base, box_top - tall - 3), _first_at_least(base, box_end) - 1) for box_top, box_end in boxes
    )
    nearest: int | None = None
    rung = lowest
    for first, last in [*runs, (highest + 1, highest + 1)]:  # a last run past the top closes the final gap
        if first > rung:  # the free rungs rung .. first - 1: the one nearest 0 among them
            upper = min(first - 1, highest)
            j = 0 if rung <= 0 <= upper else (upper if upper < 0 else rung)
            if nearest is None or (abs(j), j) < (abs(nearest), nearest):
                nearest = j
        rung = max(rung, last + 1)
        if rung > highest:
            break
    return None if nearest is None else STEP * nearest
