"""Where a label fits beside an arrow of the landscape: for one place along the arrow, the nearest free height.

Written for speed: a crowded landscape tries hundreds of places for each of dozens of labels, and checking every box
at every place in Python took longer than the rest of the page. The heights tried are a ladder (rungs 8px apart), so
each box blocks a run of rungs that arithmetic finds, and the free rungs are what the runs leave. Each end of a run
is settled with the comparison a rung-by-rung check would make, so a rounding error can't move a label.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import ceil, floor, hypot

ALONG = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8)  # where on the arrow a label may sit
REACH = 20  # rungs up or down from there
STEP = 8
LEVEL = 34  # an arrow rising less than this is nearly level: its label sits just above it


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


def crossed(arrows: Iterable[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Other arrows as a row of small boxes every 8px along each: a label that can keep off them does."""
    points: list[tuple[float, float, float, float]] = []
    for x1, y1, x2, y2 in arrows:
        steps = max(1, int(hypot(x2 - x1, y2 - y1) // 8))
        points += [(x1 + (x2 - x1) * i / steps - 1, y1 + (y2 - y1) * i / steps - 1, 2, 2) for i in range(1, steps)]
    return points


def nearest_place(arrow: tuple[float, float, float, float], width: float, tall: float, height: float,
                  placed: list[tuple[float, float, float, float]]) -> tuple[float, float] | None:  # fmt: skip
    """The top-left corner of the nearest free place for a label of ``width`` by ``tall`` on ``arrow`` (x1, y1, x2, y2):
    centred on it (just above it when it is nearly level), or along it, or a little above or below; None if none."""
    x1, y1, x2, y2 = arrow
    half = tall / 2
    lift = half + 3 if abs(y2 - y1) < LEVEL else 0
    dx, rise = x2 - x1, y2 - y1
    across = (dx > 0) - (dx < 0)  # among equal costs: by x when the arrow runs across, else by y
    best: tuple[tuple[float, float, float], float, float] | None = None  # (cost, across, down), left, top
    for t in ALONG:  # nearest the middle first: once a place is found, a t further out can't cost less
        along = abs(t - 0.5) * 200
        if best is not None and along > best[0][0]:
            break
        left, base = x1 + dx * t - width / 2, y1 + rise * t - lift - half
        right, low, high = left + width + 4, base - 8 * REACH - 4, base + 8 * REACH + tall + 4  # with a pixel to spare
        boxes = [(oy, oy + oh + 3) for ox, oy, ow, oh in placed
                 if left < ox + ow + 4 and ox < right and oy < high and oy + oh > low]  # fmt: skip
        dy = nearest_free(base, tall, height, boxes)
        if dy is None:
            continue
        key = (along + abs(dy), across * t, dy) if across else (along + abs(dy), rise * t + dy, 0.0)
        if best is None or key < best[0]:
            best = (key, left, base + dy)
    return None if best is None else (best[1], best[2])
