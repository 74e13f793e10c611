"""The timeline: every dated event, one row per record, drawn with the precision its date has.

A date known to the day is a point; a date known to the month is a bar that
spans the month, and one known to the year a bar that spans the year, so a
month is never drawn as if it were a day. Each mark has the SVG id
``event-<table>-<record id>-<field>`` and its date, as stored, is written
beside it (id ``date-<table>-<record id>-<field>``); the line between a tie's
announcement and its end has the id ``span-<table>-<record id>``.

A date is written on its own row, level with its mark, to the left or the right
of it: the first of a record's dates to the left and the others to the right, so
that two dates of one record close together never meet; a record's only date to
the right, or to the left where the right has no room. The time axis reaches far
enough beyond the first and the last date for every mark and date to fit inside.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from surveillance_ties.documents.figures import style
from surveillance_ties.documents.figures.data import Event, FigureData, events
from surveillance_ties.documents.figures.layout import Box, overlaps
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
MARKER_SIZE = 8.0  # of a day's point, in points
MARKER_EDGE = 0.8
BAR_EDGE = 1.0
DATE_GAP = 3.0  # points between a date and its mark
AXIS_CLEAR = 5.0  # points kept free at either end of the time axis
LEFT, RIGHT = -1, 1


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
    """The time axis before making room for the dates: a little beyond the first and last date."""
    first = min(e.first for e in all_events)
    last = max(e.last for e in all_events)
    pad = max(timedelta(days=45), (last - first) * 0.05)
    return first - pad, last + pad


def _reach(marker: str) -> float:
    """How far a day's point reaches from its centre (points), its white edge included.

    The edge's miter joins may stick out up to 4 half widths (SVG's default miter limit).
    """
    from matplotlib.markers import MarkerStyle

    style = MarkerStyle(marker)
    extents = style.get_path().transformed(style.get_transform()).get_extents()
    half = max(abs(extents.x0), abs(extents.x1), abs(extents.y0), abs(extents.y1)) * MARKER_SIZE
    return float(half) + 2 * MARKER_EDGE


def _x_range(event: Event) -> tuple[float, float]:
    """Where the mark of ``event`` starts and ends on the time axis (days)."""
    if event.precision == "day":
        return _day(event.first), _day(event.first)
    return _day(event.first), _day(event.last + timedelta(days=1))


def _half_width(event: Event, marks: dict[str, style.Mark]) -> float:
    """How far the mark of ``event`` reaches beyond its ``_x_range`` (points)."""
    return _reach(marks[event.field].marker) if event.precision == "day" else 2 * BAR_EDGE


def _sides(
    records: list[Row],
    marks: dict[str, style.Mark],
    widths: dict[str, float],
    start: date,
    end: date,
    plot_w: float,
) -> dict[str, int]:
    """On which side of its mark each date is written: the first of a record's dates on the left,
    the others on the right; a record's only date on the right, unless it would not fit there on
    the axis from ``start`` to ``end`` and would on the left."""
    scale = plot_w / (_day(end) - _day(start))  # points per day
    out: dict[str, int] = {}
    for record in records:
        if len(record.events) > 1:
            for k, event in enumerate(record.events):
                out[event.gid] = LEFT if k == 0 else RIGHT
            continue
        (event,) = record.events
        x0, x1 = _x_range(event)
        room = _half_width(event, marks) + DATE_GAP + widths[event.gid] + AXIS_CLEAR
        fits_right = (_day(end) - x1) * scale >= room
        fits_left = (x0 - _day(start)) * scale >= room
        out[event.gid] = LEFT if fits_left and not fits_right else RIGHT
    return out


def _make_room(
    records: list[Row],
    marks: dict[str, style.Mark],
    widths: dict[str, float],
    sides: dict[str, int],
    start: date,
    end: date,
    plot_w: float,
) -> tuple[date, date]:
    """Widen the time axis from ``start`` to ``end`` until every mark, and every date on its
    side of its mark, keeps ``AXIS_CLEAR`` points from the axis' ends.

    Moving an end out shrinks the scale, so this repeats to a fixed point (a fixed number of
    times at most), then rounds outwards to whole days.
    """
    left: list[tuple[float, float]] = []  # (x, points needed left of x)
    right: list[tuple[float, float]] = []  # (x, points needed right of x)
    for record in records:
        for event in record.events:
            x0, x1 = _x_range(event)
            left.append((x0, _half_width(event, marks) + AXIS_CLEAR))
            right.append((x1, _half_width(event, marks) + AXIS_CLEAR))
            label = DATE_GAP + widths[event.gid] + AXIS_CLEAR
            # The date goes past the marks of its row that reach beyond its own on its side.
            for other in record.events:
                o0, o1 = _x_range(other)
                if sides[event.gid] == RIGHT and o0 <= x1 <= o1:
                    right.append((o1, _half_width(other, marks) + label))
                if sides[event.gid] == LEFT and o0 <= x0 <= o1:
                    left.append((o0, _half_width(other, marks) + label))
    lo, hi = _day(start), _day(end)
    for _ in range(200):
        scale = plot_w / (hi - lo)
        new_lo = min([_day(start)] + [x - need / scale for x, need in left])
        new_hi = max([_day(end)] + [x + need / scale for x, need in right])
        done = abs(new_lo - lo) < 1e-6 and abs(new_hi - hi) < 1e-6
        lo, hi = new_lo, new_hi
        if done or hi - lo > 100 * (_day(end) - _day(start)):  # converged, or the dates cannot fit
            break
    # Whole days, outwards, with a day to spare where the axis was widened.
    lo = math.floor(lo) - (1 if lo < _day(start) else 0)
    hi = math.ceil(hi) + (1 if hi > _day(end) else 0)
    return date.fromordinal(lo + EPOCH), date.fromordinal(hi + EPOCH)


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


def _place_dates(
    ax: Axes,
    renderer: RendererBase,
    records: list[Row],
    marks: dict[str, style.Mark],
    sides: dict[str, int],
    row_h: float,
) -> None:
    """Write each date as stored level with its mark, on its side (``sides``), inside its row.

    A date that would touch another mark, line or date of its row moves further out, past it;
    one that would then leave the axis goes to the other side. Works in display units, which
    are points here (the figure is built at 72 dpi).
    """
    to_display = ax.transData
    (left, _), (right, _) = to_display.transform([(ax.get_xlim()[0], 0), (ax.get_xlim()[1], 0)])
    for y, record in enumerate(records):
        _, yc = to_display.transform((0.0, y))
        taken: list[Box] = []
        own: dict[str, Box] = {}
        for event in record.events:
            x0, x1 = (float(to_display.transform((x, y))[0]) for x in _x_range(event))
            half = _half_width(event, marks)
            tall = half if event.precision == "day" else BAR / 2 * row_h + 2 * BAR_EDGE
            own[event.gid] = (x0 - half, yc - tall, x1 + half, yc + tall)
        taken += own.values()
        if len(record.events) > 1:
            first, last = record.events[0], record.events[-1]
            (sx0, _), (sx1, _) = to_display.transform([(_day(first.last), y), (_day(last.first), y)])
            taken.append((min(sx0, sx1), yc - 1.0, max(sx0, sx1), yc + 1.0))
        for event in record.events:
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
            options = [
                _slide(own[event.gid], side, w, h, yc, taken)
                for side in (sides[event.gid], -sides[event.gid])
            ]
            box = next(
                (b for b in options if left + AXIS_CLEAR / 2 <= b[0] and b[2] <= right - AXIS_CLEAR / 2),
                options[0],
            )
            taken.append(box)
            centre = ((box[0] + box[2]) / 2, yc)
            text.set_position(tuple(to_display.inverted().transform(centre)))


def _slide(mark: Box, side: int, w: float, h: float, yc: float, taken: list[Box]) -> Box:
    """A ``w`` x ``h`` box level with ``yc``, ``DATE_GAP`` beside ``mark`` on ``side``, moved
    further that way past whatever in ``taken`` it would touch."""
    x = mark[2] + DATE_GAP if side == RIGHT else mark[0] - DATE_GAP - w
    while True:
        box = (x, yc - h / 2, x + w, yc + h / 2)
        hit = [t for t in taken if overlaps(box, t, DATE_GAP / 2 - 0.01)]
        if not hit:
            return box
        x = max(t[2] for t in hit) + DATE_GAP if side == RIGHT else min(t[0] for t in hit) - DATE_GAP - w


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
        widths = {}
        for event in all_events:
            probe = fig.text(0, 0, event.value, fontsize=style.SMALL)
            widths[event.gid] = probe.get_window_extent(renderer).width
            probe.remove()
        sides = _sides(records, marks, widths, start, end, plot_w)
        start, end = _make_room(records, marks, widths, sides, start, end, plot_w)
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
        _place_dates(ax, renderer, records, marks, sides, row_h)

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
