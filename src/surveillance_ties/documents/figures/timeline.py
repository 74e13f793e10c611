"""The timeline: every dated event, one row per record, drawn with the precision its date has.

A date known to the day is a point; a date known to the month is a bar that
spans the month, and one known to the year a bar that spans the year, so a
month is never drawn as if it were a day. Each mark has the SVG id
``event-<table>-<record id>-<field>`` and its date, as stored, is written
beside it (id ``date-<table>-<record id>-<field>``); the line between a tie's
announcement and its end has the id ``span-<table>-<record id>``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from surveillance_ties.documents.figures import style
from surveillance_ties.documents.figures.data import Event, FigureData, events
from surveillance_ties.documents.figures.layout import Box, inside, overlaps
from surveillance_ties.documents.figures.legends import flow_legends

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

EPOCH = date(1970, 1, 1).toordinal()

MARGIN = 14.0
ROW = 30.0  # points per record, at least
TITLE_SPACE = 48.0
AXIS_SPACE = 22.0  # under the plot, for the years
LEGEND_GAP = 30.0
WRAP = 38
BAR = 0.42  # height of a month or year bar, in rows


@dataclass(frozen=True)
class Row:
    """One record and its dated events."""

    table: str
    record_id: str
    label: str
    status: str
    events: list[Event]


def rows(package: FigureData) -> list[Row]:
    """The records that have at least one date, earliest first."""
    grouped: dict[tuple[str, str], list[Event]] = {}
    for event in events(package):
        grouped.setdefault((event.table, event.record_id), []).append(event)
    out = [
        Row(table, record_id, evs[0].record_label, evs[0].status, evs)
        for (table, record_id), evs in grouped.items()
    ]
    return sorted(out, key=lambda r: (r.events[0].first, r.label, r.table, r.record_id))


def _undated(package: FigureData, dated: set[tuple[str, str]]) -> tuple[int, int]:
    """(records without any date, records in all) over the tables that have dated fields."""
    tables = {t for t, _ in dated} or set()
    total = sum(len(package.rows(t)) for t in tables)
    return total - len(dated), total


def _row_label(row: Row) -> str:
    text = row.label + (f" ({row.status})" if row.status and row.status != "active" else "")
    return "\n".join(textwrap.wrap(text, WRAP, break_long_words=False)) or text


def _limits(all_events: list[Event]) -> tuple[date, date]:
    first = min(e.first for e in all_events)
    last = max(e.last for e in all_events)
    pad = max(timedelta(days=45), (last - first) * 0.05)
    return first - pad, last + pad


def _event_marks(package: FigureData) -> dict[str, style.Mark]:
    fields = sorted({e.field for e in events(package)})
    known = {k: (c, m) for k, (c, m, _) in style.EVENT_KINDS.items()}
    return style.category_marks(fields, known, style.SPARE_EVENT_COLOURS, style.SPARE_MARKERS)


def _day(day: date) -> float:
    """The x coordinate of a day: days since 1970-01-01."""
    return float(day.toordinal() - EPOCH)


def _set_time_axis(ax: Axes, start: date, end: date) -> None:
    """Years as labelled ticks (every few years on a long axis), quarters as small ticks."""
    ax.set_xlim(_day(start), _day(end))
    step = max(1, (end.year - start.year + 1) // 8)
    years = [y for y in range(start.year + 1, end.year + 1) if y % step == 0]
    ax.set_xticks([_day(date(y, 1, 1)) for y in years], [str(y) for y in years])
    quarters = [
        _day(date(y, m, 1))
        for y in range(start.year, end.year + 1)
        for m in (1, 4, 7, 10)
        if start < date(y, m, 1) < end
    ]
    ax.set_xticks(quarters if step == 1 else [], minor=True)
    ax.tick_params(axis="x", which="major", length=5, labelsize=style.SMALL + 0.5)
    ax.tick_params(axis="x", which="minor", length=2.5)
    ax.grid(axis="x", which="major", color=style.GRID, linewidth=0.8, zorder=0)


def _draw_record(ax: Axes, y: int, record: Row, marks: dict[str, style.Mark]) -> None:
    """A record's events on row ``y``: a point for a day, a bar over the month or the year otherwise."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    if len(record.events) > 1:  # the line between a tie's announcement and its end
        dashes = style.STATUSES.get(record.status, ("solid", 1.5, ""))[0]
        first, last = record.events[0], record.events[-1]
        ax.add_line(
            Line2D(
                [_day(first.last), _day(last.first)],
                [y, y],
                color=style.MUTED,
                linestyle=dashes,
                linewidth=1.2,
                zorder=1,
                gid=f"span-{record.table}-{record.record_id}",
            )
        )
    for event in record.events:
        mark = marks[event.field]
        if event.precision == "day":
            ax.add_line(
                Line2D(
                    [_day(event.first)],
                    [y],
                    marker=mark.marker,
                    markersize=8,
                    markerfacecolor=mark.colour,
                    markeredgecolor="white",
                    markeredgewidth=0.8,
                    linestyle="none",
                    zorder=3,
                    gid=event.gid,
                )
            )
        else:
            x0, x1 = _day(event.first), _day(event.last + timedelta(days=1))
            ax.add_patch(
                Rectangle(
                    (x0, y - BAR / 2),
                    x1 - x0,
                    BAR,
                    # month: a tinted bar; year: a hatched one (a face alpha would fade SVG hatching)
                    facecolor=(mark.colour, 0.4) if event.precision == "month" else "white",
                    edgecolor=mark.colour,
                    linewidth=1.0,
                    zorder=2,
                    gid=event.gid,
                    hatch="////" if event.precision == "year" else None,
                )
            )


def _place_dates(ax: Axes, renderer: RendererBase, records: list[Row], row_h: float, frame: Box) -> None:
    """Write each date as stored beside its mark, where it overlaps no other date or mark.

    Works in display units, which are points here (the figure is built at 72 dpi).
    """
    to_display = ax.transData
    marks_at: dict[str, Box] = {}
    for y, record in enumerate(records):
        for e in record.events:
            x0, yc = to_display.transform((_day(e.first), y))
            x1, _ = to_display.transform((_day(e.last + timedelta(days=1)), y))
            half = 5.0 if e.precision == "day" else BAR / 2 * row_h
            if e.precision == "day":
                x0, x1 = x0 - 5.0, x0 + 5.0
            marks_at[e.gid] = (x0, yc - half, x1, yc + half)
    taken: list[Box] = list(marks_at.values())
    for record in records:
        for event in record.events:
            m = marks_at[event.gid]
            cx, cy, half = (m[0] + m[2]) / 2, (m[1] + m[3]) / 2, (m[3] - m[1]) / 2
            text = ax.text(
                0,
                0,
                event.value,
                fontsize=style.SMALL,
                color=style.INK,
                ha="center",
                va="center",
                zorder=4,
                gid=f"date-{event.table}-{event.record_id}-{event.field}",
            )
            extent = text.get_window_extent(renderer)
            w, h = extent.width, extent.height
            up = half + 3.0 + h / 2  # clear of the mark
            side = (m[2] - m[0]) / 2 + 4.0 + w / 2
            candidates = [(cx, cy + up), (cx + side, cy), (cx - side, cy), (cx, cy - up)]
            for level in range(4):  # further out, when the neighbourhood is taken
                dy = up + level * (h + 2.0)
                candidates += [
                    (cx + dx, cy + sy * dy) for sy in (1, -1) for dx in (0.6 * w, -0.6 * w, 1.2 * w, -1.2 * w)
                ]
                candidates += [(cx + sx * (side + level * (w + 4.0)), cy) for sx in (1, -1)]
            boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in candidates]
            free = [
                k
                for k, b in enumerate(boxes)
                if inside(b, frame) and not any(overlaps(b, t, 1.0) for t in taken)
            ]
            k = free[0] if free else 0
            taken.append(boxes[k])
            text.set_position(tuple(to_display.inverted().transform(candidates[k])))


def timeline_figure(package: FigureData) -> Figure:
    """Draw the timeline of ``package`` and return the matplotlib figure (not yet saved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    records = rows(package)
    all_events = [e for r in records for e in r.events]
    marks = _event_marks(package)
    with style.rc():
        width = style.FIGURE_WIDTH * 72.0
        fig = Figure(figsize=(style.FIGURE_WIDTH, 4.0), dpi=72)  # 72 dpi: display units are points
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]

        labels = [_row_label(r) for r in records]
        label_w = 0.0
        for text in labels:
            probe = fig.text(0, 0, text, fontsize=style.FONT_SIZE, linespacing=1.1)
            label_w = max(label_w, probe.get_window_extent(renderer).width)
            probe.remove()
        plot_x = MARGIN + label_w + 10.0
        plot_w = width - plot_x - MARGIN
        lines = max((t.count("\n") + 1 for t in labels), default=1)
        row_h = max(ROW, 11.0 * lines + 10.0)
        plot_h = row_h * max(len(records), 1)

        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_ylim(len(records) - 0.5, -0.5)  # first record on top
        start, end = _limits(all_events) if all_events else (date(2000, 1, 1), date(2001, 1, 1))
        _set_time_axis(ax, start, end)
        ax.set_yticks(range(len(records)), labels, fontsize=style.FONT_SIZE, linespacing=1.1)
        ax.tick_params(axis="y", length=0, pad=8)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_axisbelow(True)
        for y, record in enumerate(records):
            ax.axhline(y, color=style.GRID, linewidth=0.6, zorder=0)
            _draw_record(ax, y, record, marks)

        # Legends under the plot from the figure's left margin, then the final size.
        legend_h = flow_legends(
            ax,
            renderer,
            _legend_groups(records, marks),
            plot_w,
            plot_h,
            AXIS_SPACE + 8.0,
            x0=-(label_w + 10.0),
        )
        total_h = TITLE_SPACE + plot_h + AXIS_SPACE + 8.0 + legend_h + 24.0
        fig.set_size_inches(style.FIGURE_WIDTH, total_h / 72.0)
        bottom = total_h - TITLE_SPACE - plot_h
        ax.set_position((plot_x / width, bottom / total_h, plot_w / width, plot_h / total_h))
        _place_dates(
            ax, renderer, records, row_h, (plot_x, bottom + 1.0, plot_x + plot_w, bottom + plot_h + 12.0)
        )

        undated, total = _undated(package, {(r.table, r.record_id) for r in records})
        rest = (
            f"the other {undated} of {total} records have no date in their sources"
            if undated
            else "every record has a date"
        )
        style.heading(
            fig,
            "What happened when",
            f"{len(all_events)} dated events in {len(records)} records; {rest}",
            package.credit,
            MARGIN,
        )
    return fig


def _legend_groups(records: list[Row], marks: dict[str, style.Mark]) -> list[tuple[str, list[Artist]]]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fields: list[str] = []
    statuses: list[str] = []
    for r in records:
        fields += [e.field for e in r.events if e.field not in fields]
        if len(r.events) > 1 and r.status not in statuses:
            statuses.append(r.status)
    order = list(style.EVENT_KINDS)
    fields.sort(key=lambda f: (order.index(f) if f in order else len(order), f))
    event_handles: list[Artist] = [
        Line2D(
            [],
            [],
            marker=marks[f].marker,
            markersize=7,
            markerfacecolor=marks[f].colour,
            markeredgecolor="white",
            linestyle="none",
            label=style.EVENT_KINDS[f][2] if f in style.EVENT_KINDS else style.humanize(f),
        )
        for f in fields
    ]
    precision_handles: list[Artist] = [
        Line2D(
            [],
            [],
            marker="o",
            markersize=6,
            markerfacecolor=style.MUTED,
            markeredgecolor="white",
            linestyle="none",
            label="day known: a point",
        ),
        Patch(
            facecolor=(style.MUTED, 0.4),
            edgecolor=style.MUTED,
            label="month known: a bar over the month",
        ),
        Patch(
            facecolor="white",
            edgecolor=style.MUTED,
            hatch="////",
            label="year known: a bar over the year",
        ),
    ]
    span_handles: list[Artist] = [
        Line2D(
            [],
            [],
            color=style.MUTED,
            linewidth=1.2,
            linestyle=style.STATUSES.get(s, ("solid", 1.5, ""))[0],
            label=style.STATUS_MEANINGS.get(s, s),
        )
        for s in statuses
    ]
    groups = [("Event", event_handles), ("Date precision", precision_handles)]
    if span_handles:
        groups.append(("Between announcement and end", span_handles))
    return groups
