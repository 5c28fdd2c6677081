"""Progress pictures: checklist completion per section and over time (a burn-up across the project's history with
its milestones marked), decisions by status and checklist completion per project (the team dashboard)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.pictures.palette import STATUS_STYLES

CLOSED = frozenset({"done", "not_applicable"})
STATUS_KEYS = {"Proposed": "proposed", "Accepted": "accepted", "Rejected": "rejected", "Superseded": "superseded",
               "Deprecated": "deprecated", "No decision yet": "none"}  # fmt: skip
DONE_COLOUR = "#1e7b34"


@dataclass(frozen=True)
class BarRow:
    """One labelled bar: ``width`` in percent of the longest (or of 100 for shares)."""

    label: str
    value: int
    of: int | None  # the whole, for "3 of 8"; None for a count
    width: float
    colour: str
    url: str = ""

    @property
    def text(self) -> str:
        if self.of is None:
            return f"{self.label}: {self.value}"
        percent = round(100 * self.value / self.of) if self.of else 0
        return f"{self.label}: {self.value} of {self.of} closed ({percent}%)"


def status_bars(by_status: Iterable[tuple[str, int]]) -> list[BarRow]:
    rows = list(by_status)
    top = max((count for _, count in rows), default=0) or 1
    return [BarRow(label, count, None, 100 * count / top, STATUS_STYLES[STATUS_KEYS.get(label, "none")][0])
            for label, count in rows]  # fmt: skip


def share_bars(items: Iterable[tuple[str, int, int, str]]) -> list[BarRow]:
    """(label, closed, total, url) -> bars of closed / total."""
    return [BarRow(label, closed, total, 100 * closed / total if total else 0, DONE_COLOUR, url)
            for label, closed, total, url in items]  # fmt: skip


# Burn-up: closed tasks and all tasks over time


@dataclass(frozen=True)
class Change:
    """One history entry about the checklist, as the burn-up reads it."""

    at: datetime
    action: str  # "checklist updated", "checklist task added", "checklist task removed"
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Point:
    at: datetime
    closed: int
    total: int


@dataclass(frozen=True)
class Marker:
    at: datetime
    name: str
    x: float = 0

    @property
    def anchor(self) -> str:
        """Where the name hangs from its line, so it stays inside the picture."""
        return "end" if self.x > W * 0.8 else "start" if self.x < W * 0.2 else "middle"


@dataclass(frozen=True)
class Burnup:
    points: tuple[Point, ...]
    milestones: tuple[Marker, ...]
    closed_path: str
    total_path: str
    width: int
    height: int
    left: int
    plot_height: int
    y_ticks: tuple[tuple[float, int], ...]
    x_ticks: tuple[tuple[float, str], ...]

    @property
    def summary(self) -> str:
        first, last = self.points[0], self.points[-1]
        count = len(self.milestones)
        marks = f", {count} milestone{'s' if count != 1 else ''} marked" if count else ""
        return (f"From {first.at:%d %b %Y} to {last.at:%d %b %Y}: {first.closed} of {first.total} tasks closed "
                f"at the start, {last.closed} of {last.total} now{marks}.")  # fmt: skip

    @property
    def table(self) -> list[Point]:
        """One row per day: the state at the end of that day."""
        days: dict[str, Point] = {}
        for point in self.points:
            days[point.at.date().isoformat()] = point
        return list(days.values())


def _closed(state: dict[str, Any] | None) -> bool:
    return isinstance(state, dict) and state.get("status") in CLOSED


def burnup_points(*, start: datetime, now: datetime, closed: int, total: int, changes: Sequence[Change]) -> list[Point]:
    """The counts over time, oldest first, each point holding from its time on: walked back from today's counts,
    each change undone in turn (the history stores every task's status before and after)."""
    points = [Point(now, closed, total)]
    for change in sorted(changes, key=lambda c: c.at, reverse=True):
        after = Point(change.at, closed, total)
        if change.action == "checklist updated":
            closed += int(_closed(change.before)) - int(_closed(change.after))
        elif change.action == "checklist task added":
            total -= 1
        elif change.action == "checklist task removed":
            total += 1
            closed += int(_closed(change.before))
        else:
            continue
        points.append(after)
    points.append(Point(min(start, points[-1].at), max(closed, 0), max(total, 0)))
    points.reverse()
    return points


W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 40, 12, 12, 46


def burnup(points: Sequence[Point], milestones: Iterable[tuple[datetime, str]]) -> Burnup | None:
    if len(points) < 2:
        return None
    start, end = points[0].at, points[-1].at
    span = (end - start).total_seconds() or 1.0
    top = max(p.total for p in points) or 1
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(at: datetime) -> float:
        return LEFT + plot_w * (at - start).total_seconds() / span

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / top)

    def steps(values: list[tuple[datetime, int]]) -> str:
        path = [f"M{x(values[0][0]):.1f},{y(values[0][1]):.1f}"]
        for at, value in values[1:]:
            path.append(f"H{x(at):.1f}V{y(value):.1f}")
        path.append(f"H{x(end):.1f}")
        return "".join(path)

    markers = tuple(Marker(at, name, x(at)) for at, name in sorted(milestones) if start <= at <= end)
    y_ticks = tuple((y(v), v) for v in sorted({0, top // 2, top}))
    stamp = "%d %b %H:%M" if span < 2 * 86400 else "%d %b %Y"
    x_ticks = ((x(start), start.strftime(stamp)), (x(end), end.strftime(stamp)))
    return Burnup(
        points=tuple(points),
        milestones=markers,
        closed_path=steps([(p.at, p.closed) for p in points]),
        total_path=steps([(p.at, p.total) for p in points]),
        width=W,
        height=H,
        left=LEFT,
        plot_height=TOP + plot_h,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
