"""The integration landscape of a project: Dynamics 365 apps and the other systems as boxes, each integration as an
arrow labelled with its chosen pattern (or its top pick before a decision), drawn by decision status.

Layout, written here rather than taken from a graph library because the shape is always the same: the Dynamics 365
apps stand in the middle column; systems that talk only to finance and operations stand on the left, the others on
the right; arrows run from box edge to box edge. On a phone the same links are drawn one per row instead
(``lanes``), and a table carries the same data for screen readers and print.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from portal.pictures.palette import STATUS_LABELS, STATUS_STYLES
from portal.pictures.placement import crossed, nearest_place

FNO = "Finance and operations apps"
DATAVERSE = "Dataverse (customer engagement apps)"
APP_OF_SCOPE = {"fno_external": (FNO,), "ce_external": (DATAVERSE,), "fno_dataverse": (FNO, DATAVERSE)}

WIDTH = 900
NODE_W, NODE_H = 170, 46
ROW = 84  # between the boxes of a side column
APP_GAP = 76  # between two apps in the middle column: room for the label of an arrow between them
ATTACH = 28  # between two arrows meeting one side of an app
TOP = 16
LABEL_H = 34  # an entry of a label: the pattern on one line, its status below
LINE_H = 14  # each further line of a long pattern name
COLUMNS = {"left": 16, "middle": (WIDTH - NODE_W) // 2, "right": WIDTH - 16 - NODE_W}
CHARS_PER_LINE = 19
LABEL_CHARS = 24  # a pattern name wraps to two lines of this many characters before it is cut
CHAR_W = 7.4  # a character of the 12px label font, generously
LANE_W, LANE_H = 360, 108
SHORT_NAMES = {FNO: "F&O apps", DATAVERSE: "Dataverse"}


@dataclass(frozen=True)
class Link:
    """One integration as the landscape needs it."""

    name: str
    scope: str
    direction: str  # inbound (into Dynamics 365), outbound, bidirectional
    source: str  # the team's names, or "" for the default
    target: str
    pattern: str  # the chosen pattern, or the top pick
    status: str  # a decision status, or "none"
    url: str = ""


@dataclass
class Node:
    name: str
    is_app: bool
    column: str = "left"
    x: float = 0
    y: float = 0
    h: float = NODE_H
    lines: tuple[str, ...] = ()

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def w(self) -> int:
        return NODE_W

    @property
    def text_y(self) -> float:
        """The first line's baseline, so the lines sit in the middle of the box."""
        return self.cy - (len(self.lines) - 1) * 8 + 5


@dataclass(frozen=True)
class Edge:
    link: Link
    start: str  # node names, in the arrow's direction
    end: str
    both_ways: bool
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    dash: str
    start_is_app: bool = False
    end_is_app: bool = False

    @property
    def label(self) -> str:
        return f"{self.link.pattern} · {STATUS_LABELS[self.link.status]}"

    @property
    def label_lines(self) -> tuple[tuple[str, ...], str]:
        """The pattern's name on one or two lines, and the decision's status."""
        return wrap(self.link.pattern, LABEL_CHARS, 2), STATUS_LABELS[self.link.status]

    @property
    def label_width(self) -> float:
        pattern, status = self.label_lines
        return CHAR_W * max(len(line) for line in (*pattern, status)) + 12

    @property
    def start_short(self) -> str:
        return SHORT_NAMES.get(self.start, self.start)

    @property
    def end_short(self) -> str:
        return SHORT_NAMES.get(self.end, self.end)

    @property
    def text(self) -> str:
        arrow = "↔" if self.both_ways else "→"
        return f"{self.link.name}: {self.start} {arrow} {self.end}, {self.label}"


@dataclass(frozen=True)
class Label:
    """The label of the arrows between two boxes: one entry (pattern, status, colour) per integration."""

    x: float  # top-left corner
    y: float
    width: float
    entries: tuple[tuple[tuple[str, ...], str, str], ...]  # (the pattern's lines, status, colour)

    @property
    def height(self) -> float:
        return entries_height(self.entries)

    @property
    def lines(self) -> list[tuple[float, tuple[str, ...], str, str]]:
        """(baseline, the pattern's lines, status, colour) of each entry."""
        out, top = [], self.y
        for pattern, status, colour in self.entries:
            out.append((top + 14, pattern, status, colour))
            top += LABEL_H + LINE_H * (len(pattern) - 1)
        return out

    @property
    def cx(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Lane:  # one integration drawn on its own row (the phone layout)
    edge: Edge
    y: float


@dataclass
class Landscape:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    height: float = 0
    lanes: list[Lane] = field(default_factory=list)
    lanes_height: float = 0
    statuses: list[tuple[str, str, str]] = field(default_factory=list)  # (label, colour, dash) present

    @property
    def empty(self) -> bool:
        return not self.edges

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def summary(self) -> str:
        apps = sum(1 for n in self.nodes if n.is_app)
        others = len(self.nodes) - apps
        return (
            f"{len(self.edges)} integration{'s' if len(self.edges) != 1 else ''} between {apps} Dynamics 365 "
            f"app{'s' if apps != 1 else ''} and {others} other system{'s' if others != 1 else ''}."
        )


def entries_height(entries: tuple[tuple[tuple[str, ...], str, str], ...]) -> float:
    return sum(LABEL_H + LINE_H * (len(pattern) - 1) for pattern, _, _ in entries)


def wrap(text: str, width: int = CHARS_PER_LINE, lines: int = 2) -> tuple[str, ...]:
    """At most ``lines`` lines of about ``width`` characters, the last one cut with an ellipsis if needed."""
    words, out, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return tuple(line if len(line) <= width else line[: width - 1] + "…" for line in out)


def _ends(link: Link) -> tuple[str, str, bool]:
    """The arrow's start and end nodes, and whether it goes both ways."""
    apps = APP_OF_SCOPE.get(link.scope, (FNO,))
    if link.scope == "fno_dataverse":
        source, target = link.source or FNO, link.target or DATAVERSE
        return source, target, link.direction == "bidirectional" or not (link.source and link.target)
    app, other = apps[0], f"Other system of “{link.name}”"
    if link.direction == "outbound":
        return link.source or app, link.target or other, False
    if link.direction == "bidirectional":
        return link.source or other, link.target or app, True
    return link.source or other, link.target or app, False  # inbound, or not said


def _app_side(link: Link, start: str, end: str) -> set[str]:
    """Which ends are Dynamics 365 apps: the default names, or the end the direction points to."""
    if link.scope == "fno_dataverse":
        return {start, end}
    return {start} if link.direction == "outbound" else {end}


def _place(nodes: dict[str, Node], edges: list[tuple[Link, str, str, bool]]) -> float:
    apps = [n for n in nodes.values() if n.is_app]
    others = [n for n in nodes.values() if not n.is_app]
    app_order = sorted(apps, key=lambda n: (n.name != FNO, n.name != DATAVERSE, n.name))
    fno_like = {n.name for n in apps if n.name == FNO or "finance" in n.name.lower() or "f&o" in n.name.lower()}
    partners: dict[str, set[str]] = {n.name: set() for n in others}
    for _link, start, end, _both in edges:
        if start in partners:
            partners[start].add(end)
        if end in partners:
            partners[end].add(start)
    left = [n for n in others if partners[n.name] and partners[n.name] <= fno_like]
    right = [n for n in others if n not in left]
    if not left and len(right) > 3:  # balance a one-sided project across both columns
        left, right = right[::2], right[1::2]
    elif not right and len(left) > 3:
        left, right = left[::2], left[1::2]
    app_index = {n.name: i for i, n in enumerate(app_order)}

    def by_partner(node: Node) -> tuple[float, str]:
        linked = [app_index[p] for p in partners[node.name] if p in app_index]
        return (sum(linked) / len(linked) if linked else 0.0, node.name.lower())

    side_counts: dict[str, dict[str, int]] = {n.name: {"left": 0, "right": 0} for n in app_order}
    for node in others:
        side = "left" if node in left else "right"
        for partner in partners[node.name]:
            if partner in side_counts:
                side_counts[partner][side] += 1
    for node in app_order:
        node.h = max(NODE_H, ATTACH * max(side_counts[node.name].values()) + 12)
    middle = sum(n.h for n in app_order) + APP_GAP * (len(app_order) - 1)
    sides = max(len(left), len(right), 1) * ROW - (ROW - NODE_H)
    inner = max(middle, sides)
    height = TOP * 2 + inner
    y = TOP + (inner - middle) / 2
    for node in app_order:
        node.column, node.x, node.y, node.lines = "middle", COLUMNS["middle"], y, wrap(node.name)
        y += node.h + APP_GAP
    for column, members in (("left", sorted(left, key=by_partner)), ("right", sorted(right, key=by_partner))):
        span = len(members) * ROW - (ROW - NODE_H)
        first = TOP + (inner - span) / 2
        for index, node in enumerate(members):
            node.column, node.x, node.y, node.lines = column, COLUMNS[column], first + index * ROW, wrap(node.name)
    return height


def _side_of(node: Node, toward: Node) -> str:
    if node.column == toward.column:
        return "bottom" if toward.cy > node.cy else "top"
    return "right" if toward.cx > node.cx else "left"


def _attachments(nodes: dict[str, Node], raw: list[tuple[Link, str, str, bool]]) -> dict[tuple[int, str], float]:
    """Where each arrow meets each of its boxes along the facing side: spread evenly, in the order of the other
    ends, so arrows into one app don't cross or pile up."""
    by_side: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for index, (_link, start, end, _both) in enumerate(raw):
        for here, there in ((start, end), (end, start)):
            node, other = nodes[here], nodes[there]
            side = _side_of(node, other)
            by_side.setdefault((here, side), []).append((other.cy if side in {"left", "right"} else other.cx, index))
    where: dict[tuple[int, str], float] = {}
    for (name, side), arrows in by_side.items():
        node = nodes[name]
        length = node.h if side in {"left", "right"} else NODE_W
        begin = node.y if side in {"left", "right"} else node.x
        for position, (_, index) in enumerate(sorted(arrows)):
            where[index, name] = begin + length * (position + 1) / (len(arrows) + 1)
    return where


def _anchor(node: Node, toward: Node, along: float) -> tuple[float, float]:
    side = _side_of(node, toward)
    if side == "left":
        return node.x, along
    if side == "right":
        return node.x + NODE_W, along
    return along, (node.y + node.h if side == "bottom" else node.y)


def _label_for(group: list[Edge], placed: list[tuple[float, float, float, float]], height: float,
               others: list[Edge] | None = None) -> Label:  # fmt: skip
    """One label for the arrows between two boxes, centred on the first arrow (just above it when the arrow is nearly
    level, so the line stays visible). When a box, another label or another arrow is there, the nearest free place
    along the arrow or a little above or below it (the cost: the distance from the middle and the shift; among equal
    costs, left to right, then top to bottom); when only the other arrows leave no room, the nearest place clear of
    boxes and labels; when none is free, below the picture (which grows to hold it)."""
    edge = group[0]
    entries = tuple((*e.label_lines, e.colour) for e in group)
    width = max(e.label_width for e in group)
    tall = entries_height(entries)
    for obstacles in (
        ([*placed, *crossed((e.x1, e.y1, e.x2, e.y2) for e in others)], placed) if others else ([*placed],)
    ):
        found = nearest_place((edge.x1, edge.y1, edge.x2, edge.y2), width, tall, height, obstacles)
        if found is not None:
            placed.append((found[0], found[1], width, tall))
            return Label(found[0], found[1], width, entries)
    bottom = max((py + ph for _, py, _, ph in placed), default=0) + 8
    x = min(max((edge.x1 + edge.x2) / 2, width / 2), WIDTH - width / 2)
    box = (x - width / 2, bottom, width, tall)
    placed.append(box)
    return Label(box[0], box[1], width, entries)


def landscape(links: Iterable[Link]) -> Landscape:
    """The picture of these links. Laying out a few dozen labels takes milliseconds of pure Python, so the picture is
    remembered for the same links (a pure function of them, the key being every value drawn: it can't be out of
    date, and it is a project's picture only for readers of that project's links); don't change one handed out."""
    return _drawn(tuple(links))


@lru_cache(maxsize=256)
def _drawn(links: tuple[Link, ...]) -> Landscape:
    nodes: dict[str, Node] = {}
    raw: list[tuple[Link, str, str, bool]] = []
    for link in links:
        start, end, both = _ends(link)
        apps = _app_side(link, start, end)
        for name in (start, end):
            node = nodes.setdefault(name, Node(name, is_app=False))
            node.is_app = node.is_app or name in apps
        raw.append((link, start, end, both))
    picture = Landscape(nodes=list(nodes.values()))
    if not raw:
        return picture
    picture.height = _place(nodes, raw)
    along = _attachments(nodes, raw)
    groups: dict[frozenset[str], list[Edge]] = {}
    for index, (link, start, end, both) in enumerate(raw):
        a, b = nodes[start], nodes[end]
        x1, y1 = _anchor(a, b, along[index, start])
        x2, y2 = _anchor(b, a, along[index, end])
        colour, dash = STATUS_STYLES[link.status]
        edge = Edge(link, start, end, both, x1, y1, x2, y2, colour, dash, a.is_app, b.is_app)
        picture.edges.append(edge)
        groups.setdefault(frozenset((start, end)), []).append(edge)
    placed: list[tuple[float, float, float, float]] = [(n.x, n.y, NODE_W, n.h) for n in nodes.values()]
    picture.labels = [
        _label_for(group, placed, picture.height, [e for e in picture.edges if e not in group])
        for group in groups.values()
    ]
    picture.height = max(picture.height, *(label.y + label.height + 8 for label in picture.labels))
    for index, edge in enumerate(picture.edges):
        picture.lanes.append(Lane(edge, 10 + index * LANE_H))
    picture.lanes_height = 10 + len(picture.edges) * LANE_H
    present = {edge.link.status for edge in picture.edges}
    picture.statuses = [(STATUS_LABELS[s], *STATUS_STYLES[s]) for s in STATUS_STYLES if s in present]
    return picture
