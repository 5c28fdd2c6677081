"""Where a label fits beside an arrow of the landscape: for one place along the arrow, the nearest free height.

Written for speed: a crowded landscape tries hundreds of places for each of dozens of labels, and checking every box
at every place in Python took longer than the rest of the page. The candidate tops are in order, so bisection finds
the ones each box blocks, with the same comparisons a place-by-place check would make.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

ALONG = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8)  # where on the arrow a label may sit
REACH = 20  # shifts of 8px up or down from there
DOWNWARD = tuple(8 * k for k in range(-REACH, REACH + 1))


def nearest_free(base: float, tall: float, height: float, boxes: list[tuple[float, float]]) -> int | None:
    """Of the label tops ``base + shift`` (shifts of 8px up to REACH each way), the free one with the smallest shift
    (up before down), as its shift; None when none is. Free: inside the picture, and 3px clear of every box (its top
    and bottom) that stands across from it. The comparisons are the ones a top-by-top check would make, done by
    bisection on the tops in order."""
    tops = [base + dy for dy in DOWNWARD]
    free = bytearray(len(tops))
    first, last = bisect_left(tops, 0), bisect_right([top + tall for top in tops], height)
    if first >= last:
        return None
    free[first:last] = b"\x01" * (last - first)
    clear_below = [top + tall + 3 for top in tops]
    for box_top, box_end in boxes:  # blocked: the label's top above the box's end and its bottom below the box's top
        blocked_from, blocked_to = bisect_right(clear_below, box_top), bisect_left(tops, box_end)
        if blocked_from < blocked_to:
            free[blocked_from:blocked_to] = bytes(blocked_to - blocked_from)
    up, down = free.rfind(1, 0, REACH + 1), free.find(1, REACH)
    if up < 0 and down < 0:
        return None
    k = up if down < 0 or (up >= 0 and REACH - up <= down - REACH) else down
    return DOWNWARD[k]
