"""The pictures' markup, written by Python rather than the template engine: a landscape has hundreds of coordinates,
and building them as escaped strings costs a fraction of resolving template variables for each. Every text that
comes from people (integration, system and pattern names) goes through ``escape``; numbers are formatted here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape as html_escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from portal.pictures.landscape import LANE_W, Landscape
from portal.pictures.progress import BarRow, Burnup

FLOW = (
    "Arrows point the way the data or the call goes (both ends: both ways); each is labelled with the chosen pattern, "
    "or the top pick while there is no decision, and drawn by decision status."
)


def escape(value: object) -> str:
    """The text with ``&<>"'`` escaped, as Django's ``escape`` gives it, without its handling of lazy strings (none
    reach here), which costs more than the escaping on a picture's hundreds of texts."""
    return html_escape(str(value))


def _f(number: float) -> str:
    return f"{number:.1f}"


def _cut(text: str, length: int) -> str:
    """At most ``length`` characters, an ellipsis ending a cut text (as the truncatechars filter does), escaped."""
    return escape(text if len(text) <= length else text[: length - 1] + "…")


NEXT_LINE = ' dy="14"'


def landscape_markup(picture: Landscape, id: str, title: str) -> SafeString:
    """The project's integration landscape: the wide drawing, the one-row-per-integration drawing for phones, and the
    same as a table. Each edge's texts are escaped once, for all three."""
    title_text = escape(title)
    markers = {(colour, dash): number for number, (_, colour, dash) in enumerate(picture.statuses, start=1)}
    texts = [escape(edge.text) for edge in picture.edges]
    out: list[str] = [
        f'<figure class="picture landscape" aria-labelledby="{id}-title"><figcaption>'
        f'<h3 id="{id}-title">Integration landscape</h3>'
        f'<p class="muted small">{escape(picture.summary)} {FLOW}</p></figcaption>'
        '<ul class="legend" aria-label="Decision status">'
    ]
    for status, colour, dash in picture.statuses:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<li><svg width="34" height="10" aria-hidden="true" focusable="false"><line x1="1" y1="5" x2="33" '
                   f'y2="5" stroke="{colour}" stroke-width="2.5"{dashed}/></svg> {escape(status)}</li>')  # fmt: skip
    out.append(
        '<li><svg width="22" height="14" aria-hidden="true" focusable="false"><rect x="1" y="1" width="20" height="12" '
        'rx="3" class="node-app"/></svg> Dynamics 365 app</li><li><svg width="22" height="14" aria-hidden="true" '
        'focusable="false"><rect x="1" y="1" width="20" height="12" rx="3" class="node-other"/></svg> other system</li>'
        "</ul>"
        f'<svg class="landscape-wide" viewBox="0 0 {picture.width} {picture.height:.0f}" role="img" '
        f'aria-labelledby="{id}-svg-title" aria-describedby="{id}-svg-desc"><title id="{id}-svg-title">{title_text}'
        f'</title><desc id="{id}-svg-desc">{"".join(text + ". " for text in texts)}</desc><defs>'
    )
    for (colour, _), number in markers.items():
        out.append(f'<marker id="{id}-arrow-{number}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
                   "</marker>")  # fmt: skip
    out.append("</defs>")
    for edge, text in zip(picture.edges, texts, strict=True):
        marker = f"url(#{id}-arrow-{markers[edge.colour, edge.dash]})"
        dashed = f' stroke-dasharray="{edge.dash}"' if edge.dash else ""
        start = f' marker-start="{marker}"' if edge.both_ways else ""
        out.append(f'<line x1="{edge.x1:.1f}" y1="{edge.y1:.1f}" x2="{edge.x2:.1f}" y2="{edge.y2:.1f}" '
                   f'stroke="{edge.colour}" stroke-width="2.5"{dashed} marker-end="{marker}"{start}>'
                   f"<title>{text}</title></line>")  # fmt: skip
    for node in picture.nodes:
        cx = f"{node.cx:.1f}"
        lines = "".join(
            f'<tspan x="{cx}"{' dy="16"' if index else ""}>{escape(line)}</tspan>'
            for index, line in enumerate(node.lines)
        )
        out.append(f'<g class="{"node-app" if node.is_app else "node-other"}"><title>{escape(node.name)}</title>'
                   f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.w}" height="{node.h:.1f}" rx="8"/>'
                   f'<text x="{cx}" y="{node.text_y:.1f}" text-anchor="middle">{lines}</text></g>')  # fmt: skip
    for label in picture.labels:
        cx = f"{label.cx:.1f}"
        out.append(f'<g class="edge-label"><rect x="{label.x:.1f}" y="{label.y:.1f}" width="{label.width:.1f}" '
                   f'height="{label.height:.1f}" rx="4"/>')  # fmt: skip
        for baseline, pattern_lines, status, colour in label.lines:
            names = "".join(f'<tspan class="edge-pattern" x="{cx}"{NEXT_LINE if index else ""}>{escape(line)}</tspan>'
                            for index, line in enumerate(pattern_lines))  # fmt: skip
            out.append(f'<text x="{cx}" y="{baseline:.1f}" text-anchor="middle">{names}'
                       f'<tspan x="{cx}" dy="14" fill="{colour}">{escape(status)}</tspan></text>')  # fmt: skip
        out.append("</g>")
    out.append(f'</svg><svg class="landscape-narrow" viewBox="0 0 {LANE_W} {picture.lanes_height:.0f}" role="img" '
               f'aria-labelledby="{id}-lanes-title" aria-describedby="{id}-svg-desc"><title id="{id}-lanes-title">'
               f"{title_text}, one integration per row</title>")  # fmt: skip
    rows: list[str] = []
    for lane in picture.lanes:
        edge, y = lane.edge, lane.y
        link = edge.link
        name, start, end, pattern = escape(link.name), escape(edge.start), escape(edge.end), escape(link.pattern)
        decision = edge.label_lines[1]
        dashed = f' stroke-dasharray="{edge.dash}"' if edge.dash else ""
        start_class = "node-app" if edge.start_is_app else "node-other"
        end_class = "node-app" if edge.end_is_app else "node-other"
        back = (f'<path d="M146,{y + 31:g} L136,{y + 37:g} L146,{y + 43:g} z" fill="{edge.colour}"/>'
                if edge.both_ways else "")  # fmt: skip
        out.append(
            f'<g><text class="lane-name" x="4" y="{y + 12:.1f}">{_cut(link.name, 46)}</text>'
            f'<rect class="{start_class}" x="4" y="{y + 20:.1f}" width="130" height="34" rx="6"/>'
            f'<text x="69" y="{y + 41:.1f}" text-anchor="middle">{_cut(edge.start_short, 16)}</text>'
            f'<line x1="136" y1="{y + 37:.1f}" x2="222" y2="{y + 37:.1f}" stroke="{edge.colour}" stroke-width="2.5"'
            f'{dashed}/><path d="M214,{y + 31:g} L224,{y + 37:g} L214,{y + 43:g} z" fill="{edge.colour}"/>{back}'
            f'<rect class="{end_class}" x="226" y="{y + 20:.1f}" width="130" height="34" rx="6"/>'
            f'<text x="291" y="{y + 41:.1f}" text-anchor="middle">{_cut(edge.end_short, 16)}</text>'
            f'<text class="lane-label" x="4" y="{y + 72:.1f}">{_cut(link.pattern, 48)}</text>'
            f'<text class="lane-label" x="4" y="{y + 88:.1f}" fill="{edge.colour}">'
            f"{escape(decision[:1].upper() + decision[1:])}</text></g>"
        )
        linked = f'<a href="{escape(link.url)}">{name}</a>' if link.url else name
        both = " (both ways)" if edge.both_ways else ""
        rows.append(f'<tr><th scope="row">{linked}</th><td data-label="From"><div>{start}</div></td>'
                    f'<td data-label="To"><div>{end}{both}</div></td><td data-label="Pattern"><div>{pattern}</div></td>'
                    f'<td data-label="Decision"><div>{escape(decision)}</div></td></tr>')  # fmt: skip
    out.append(
        '</svg><details class="picture-table"><summary>The same as a table</summary>'
        f'<table class="list-table stack-on-phone"><caption class="visually-hidden">{title_text}</caption><thead><tr>'
        '<th scope="col">Integration</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Pattern</th>'
        '<th scope="col">Decision</th></tr></thead><tbody>'
    )
    out.extend(rows)
    out.append("</tbody></table></details></figure>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped, every number formatted here


def _day(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.day} {local:%b %Y}"


def bars_markup(rows: Iterable[BarRow], id: str, title: str, note: str = "") -> SafeString:
    """Labelled horizontal bars: the labels and numbers are text, so the bars need no other alternative."""
    out = [f'<figure class="picture bar-chart" aria-labelledby="{id}-title"><figcaption><h3 id="{id}-title">'
           f'{escape(title)}</h3>{f"<p class=\"muted small\">{escape(note)}</p>" if note else ""}</figcaption>'
           '<ul class="bars">']  # fmt: skip
    for row in rows:
        label = f'<a href="{escape(row.url)}">{escape(row.label)}</a>' if row.url else escape(row.label)
        bar = f'<rect x="0" y="0" width="{row.width:.2f}" height="10" fill="{row.colour}"/>' if row.width > 0 else ""
        score = row.value if row.of is None else f"{row.value}/{row.of}"
        out.append(f'<li class="bar-row"><span class="bar-name">{label}</span><svg class="bar" viewBox="0 0 100 10" '
                   f'preserveAspectRatio="none" role="img" aria-label="{escape(row.text)}" focusable="false">'
                   f'<rect class="bar-track" x="0" y="0" width="100" height="10"/>{bar}</svg>'
                   f'<span class="bar-score">{score}</span></li>')  # fmt: skip
    out.append("</ul></figure>")
    return mark_safe("".join(out))  # noqa: S308 - texts escaped, numbers formatted here


def burnup_markup(chart: Burnup, id: str) -> SafeString:
    """The checklist over time: closed tasks and all tasks, the milestones, and the same as a table."""
    summary = escape(chart.summary)
    milestones = "".join(f" Milestone “{escape(m.name)}” on {_day(m.at)}." for m in chart.milestones)
    legend_milestone = (
        '<li><svg width="14" height="14" focusable="false"><line x1="7" y1="0" x2="7" y2="14" stroke="#7b3fa0" '
        'stroke-width="2" stroke-dasharray="2 2"/></svg> milestone</li>'
        if chart.milestones
        else ""
    )
    out = [
        f'<figure class="picture burnup" aria-labelledby="{id}-title"><figcaption><h3 id="{id}-title">Checklist over '
        f'time</h3><p class="muted small">{summary}</p></figcaption><ul class="legend" aria-hidden="true"><li><svg '
        'width="30" height="10" focusable="false"><line x1="1" y1="5" x2="29" y2="5" stroke="#1e7b34" '
        'stroke-width="3"/></svg> closed (done or not applicable)</li><li><svg width="30" height="10" '
        'focusable="false"><line x1="1" y1="5" x2="29" y2="5" stroke="#5f6b76" stroke-width="2" '
        f'stroke-dasharray="6 4"/></svg> tasks in the checklist</li>{legend_milestone}</ul>'
        f'<svg class="burnup-chart" viewBox="0 0 {chart.width} {chart.height}" role="img" '
        f'aria-labelledby="{id}-svg-title" aria-describedby="{id}-svg-desc"><title id="{id}-svg-title">Closed tasks '
        f'and all tasks over time</title><desc id="{id}-svg-desc">{summary}{milestones}</desc>'
    ]
    for y, value in chart.y_ticks:
        grid = f'<line class="grid" x1="{chart.left}" x2="{chart.width - 12}" y1="{_f(y)}" y2="{_f(y)}"/>'
        tick = f'<text class="tick" x="{chart.left - 6}" y="{int(y) + 4:.1f}" text-anchor="end">{value}</text>'
        out.append(grid + tick)
    for index, (x, label) in enumerate(chart.x_ticks):
        out.append(f'<text class="tick" x="{_f(x)}" y="{chart.plot_height + 16}" '
                   f'text-anchor="{"start" if index == 0 else "end"}">{escape(label)}</text>')  # fmt: skip
    for m in chart.milestones:
        at = timezone.localtime(m.at) if timezone.is_aware(m.at) else m.at
        out.append(f'<g class="milestone"><line x1="{_f(m.x)}" x2="{_f(m.x)}" y1="12" y2="{chart.plot_height}"/>'
                   f'<text x="{_f(m.x)}" y="{chart.plot_height + 32}" text-anchor="{m.anchor}">{_cut(m.name, 18)}'
                   f'</text><title>Milestone “{escape(m.name)}”, {at.day} {at:%b %Y %H:%M}</title></g>')  # fmt: skip
    out.append(f'<path class="series-total" d="{chart.total_path}"/><path class="series-closed" '
               f'd="{chart.closed_path}"/></svg><details class="picture-table"><summary>The same as a table</summary>'
               '<table class="list-table"><caption class="visually-hidden">Closed tasks and all tasks at the end of '
               'each day with a change</caption><thead><tr><th scope="col">Day</th><th scope="col">Closed</th>'
               '<th scope="col">Tasks</th></tr></thead><tbody>')  # fmt: skip
    out.extend(f"<tr><td>{_day(p.at)}</td><td>{p.closed}</td><td>{p.total}</td></tr>" for p in chart.table)
    out.append("</tbody></table></details></figure>")
    return mark_safe("".join(out))  # noqa: S308 - texts escaped, numbers formatted here
