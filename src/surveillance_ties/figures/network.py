"""The network map: organizations as marks, ties, ownership and regulatory actions as arrows.

Every organization is one mark (fill and shape by ``org_type``) with its name
beside it; every partnership one arrow from ``org_id`` (the provider) to
``partner_org_id`` (colour by ``relationship_type``, dash pattern by
``status``, and a tag on ties that are cancelled, disputed, ended or only
announced); ownership (``parent_org_id``) and regulatory actions are arrows of
their own styles. In the SVG, each mark has the id ``node-<org_id>``, each
name ``label-<org_id>``, each tie ``edge-<partnership_id>``, each ownership
``ownership-<org_id>`` and each regulatory action ``action-<action_id>``.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from surveillance_ties.figures import style
from surveillance_ties.figures.data import ORGANIZATIONS, Package
from surveillance_ties.figures.layout import (
    Box,
    components,
    force_layout,
    inside,
    overlaps,
    segment_hits,
    separate,
    shelf_pack,
)
from surveillance_ties.figures.legends import flow_legends

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

RADIUS = 6.5  # points: half the size of an organization's mark
GAP = 2.5  # between a mark and its name
WRAP = 20  # characters: longer names go on two lines
MARGIN = 14.0  # around the figure
TITLE_SPACE = 44.0  # for the title and subtitle
LEGEND_GAP = 12.0  # between the map and the legends


@dataclass(frozen=True)
class Link:
    """One arrow of the map."""

    gid: str
    source: int
    target: int
    colour: str
    dashes: Any
    width: float
    tag: str  # text drawn on the arrow, "" for none
    kind: str  # "tie", "ownership" or "action"


def _wrap(name: str) -> str:
    return "\n".join(textwrap.wrap(name, WRAP, break_long_words=False)) or name


def _links(package: Package, index: dict[str, int]) -> list[Link]:
    links: list[Link] = []
    colours = style.category_marks(
        package.enum("partnerships", "relationship_type"),
        {k: (v, "") for k, v in style.RELATIONSHIPS.items()},
        style.VIBRANT,
        [""],
    )
    for row in sorted(package.rows(ORGANIZATIONS), key=lambda r: r["org_id"]):
        parent = row.get("parent_org_id", "")
        if parent in index:
            links.append(
                Link(
                    f"ownership-{row['org_id']}",
                    index[parent],
                    index[row["org_id"]],
                    style.OWNERSHIP_COLOUR,
                    "solid",
                    3.2,
                    "",
                    "ownership",
                )
            )
    for row in sorted(package.rows("partnerships"), key=lambda r: r["partnership_id"]):
        if row["org_id"] not in index or row["partner_org_id"] not in index:
            continue
        dashes, width, tag = style.STATUSES.get(row["status"], ("solid", 1.5, row["status"]))
        mark = colours.get(row["relationship_type"], style.Mark(style.MUTED))
        links.append(
            Link(
                f"edge-{row['partnership_id']}",
                index[row["org_id"]],
                index[row["partner_org_id"]],
                mark.colour,
                dashes,
                width,
                tag,
                "tie",
            )
        )
    for row in sorted(package.rows("regulatory_actions"), key=lambda r: r["action_id"]):
        if row["regulator_org_id"] in index and row["target_org_id"] in index:
            links.append(
                Link(
                    f"action-{row['action_id']}",
                    index[row["regulator_org_id"]],
                    index[row["target_org_id"]],
                    style.ACTION_COLOUR,
                    "solid",
                    1.5,
                    "",
                    "action",
                )
            )
    return links


# Where a name goes around its mark: (x, y) of its anchor in units of RADIUS + GAP, then the
# horizontal and vertical alignment. In order of preference.
_D = 0.72  # diagonal
SIDES: dict[str, tuple[float, float, str, str]] = {
    "below": (0.0, -1.0, "center", "top"),
    "above": (0.0, 1.0, "center", "bottom"),
    "right": (1.0, 0.0, "left", "center"),
    "left": (-1.0, 0.0, "right", "center"),
    "below right": (_D, -_D, "left", "top"),
    "below left": (-_D, -_D, "right", "top"),
    "above right": (_D, _D, "left", "bottom"),
    "above left": (-_D, _D, "right", "bottom"),
}


def _anchor(side: str, x: float, y: float) -> tuple[float, float, str, str]:
    fx, fy, ha, va = SIDES[side]
    return x + fx * (RADIUS + GAP), y + fy * (RADIUS + GAP), ha, va


def _label_box(side: str, x: float, y: float, w: float, h: float) -> Box:
    """The box of a name drawn on ``side`` of the mark at ``(x, y)``."""
    ax_, ay, ha, va = _anchor(side, x, y)
    x0 = {"left": ax_, "center": ax_ - w / 2, "right": ax_ - w}[ha]
    y0 = {"bottom": ay, "center": ay - h / 2, "top": ay - h}[va]
    return (x0, y0, x0 + w, y0 + h)


def _choose_sides(pos: Any, sizes: list[tuple[float, float]], links: list[Link], frame: Box) -> list[str]:
    """For each mark, the side where its name crosses the fewest arrows and stays in the frame."""
    segments = [(tuple(pos[k.source]), tuple(pos[k.target])) for k in links if k.source != k.target]
    out = []
    for i, (w, h) in enumerate(sizes):
        x, y = float(pos[i][0]), float(pos[i][1])

        def cost(side: str, x: float = x, y: float = y, w: float = w, h: float = h) -> float:
            box = _label_box(side, x, y, w, h)
            crossings = sum(segment_hits(p, q, box) for p, q in segments)
            return 10.0 * crossings + 5.0 * (not inside(box, frame)) + list(SIDES).index(side) * 0.5

        out.append(min(SIDES, key=cost))
    return out


def _extent(side: str, w: float, h: float) -> Box:
    """A mark and its name as one box relative to the mark's centre."""
    box = _label_box(side, 0.0, 0.0, w, h)
    return (min(box[0], -RADIUS), min(box[1], -RADIUS), max(box[2], RADIUS), max(box[3], RADIUS))


SPREAD = 2.4  # map area per organization, as a multiple of the area of its mark and name
MIN_HEIGHT = 280.0  # points: the least height of the largest connected part of the map


def _place(sizes: list[tuple[float, float]], links: list[Link], map_w: float) -> tuple[Any, float]:
    """First positions of the marks: each connected part laid out on its own, the parts packed in rows.

    Returns an ``(n, 2)`` array of positions in points and the height of the map.
    """
    n = len(sizes)
    edges = [(k.source, k.target) for k in links]
    footprint = [(w + 2 * RADIUS + 14.0, h + 2 * RADIUS + 14.0) for w, h in sizes]
    parts = components(n, edges)
    cells: list[tuple[float, float]] = []
    for rank, part in enumerate(parts):
        area = SPREAD * sum(footprint[i][0] * footprint[i][1] for i in part)
        if len(part) == 1:
            cells.append(footprint[part[0]])
        elif rank == 0:
            cells.append((map_w, max(area / map_w, MIN_HEIGHT)))
        else:
            w = min(map_w, math.sqrt(area) * 1.4)
            cells.append((w, area / w))
    boxes, map_h = shelf_pack(cells, map_w, gap=16.0)
    pos = np.zeros((n, 2))
    for part, box in zip(parts, boxes, strict=True):
        local = {node: k for k, node in enumerate(part)}
        unit = force_layout(len(part), [(local[a], local[b]) for a, b in edges if a in local and b in local])
        mx = max(footprint[i][0] for i in part) / 2
        my = max(footprint[i][1] for i in part) / 2
        for node, k in local.items():
            pos[node] = (
                box[0] + mx + unit[k, 0] * max(box[2] - box[0] - 2 * mx, 0.0),
                box[1] + my + unit[k, 1] * max(box[3] - box[1] - 2 * my, 0.0),
            )
    return pos, map_h


def _text_size(fig: Figure, renderer: RendererBase, text: str, **kwargs: Any) -> tuple[float, float]:
    probe = fig.text(0, 0, text, **kwargs)
    box = probe.get_window_extent(renderer)
    probe.remove()
    scale = 72.0 / fig.dpi
    return box.width * scale, box.height * scale


def _draw_link(ax: Axes, link: Link, start: Any, end: Any, offset: float) -> tuple[Any, Any]:
    """Draw one arrow between mark centres ``start`` and ``end``; return its visible ends."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    d = end - start
    length = float(np.hypot(*d)) or 1.0
    u = d / length
    normal = np.array([-u[1], u[0]])
    a = start + u * (RADIUS + 2.0) + normal * offset
    b = end - u * (RADIUS + 2.5) + normal * offset
    head = 8.0 if link.kind != "ownership" else 10.0
    body_end = b - u * head * 0.6
    line = Line2D(
        [a[0], body_end[0]],
        [a[1], body_end[1]],
        color=link.colour,
        linewidth=link.width,
        linestyle=link.dashes,
        solid_capstyle="butt",
        dash_capstyle="butt",
        zorder=2,
        gid=link.gid,
    )
    ax.add_line(line)
    arrow = FancyArrowPatch(
        posA=tuple(b - u * head),
        posB=tuple(b),
        arrowstyle="-|>",
        mutation_scale=head,
        color=link.colour,
        linewidth=0.8,
        shrinkA=0,
        shrinkB=0,
        zorder=6,
        gid=f"{link.gid}-head",
    )
    ax.add_patch(arrow)
    return a, b


def network_figure(package: Package) -> Figure:
    """Draw the network map of ``package`` and return the matplotlib figure (not yet saved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    orgs = sorted(package.rows(ORGANIZATIONS), key=lambda r: r["org_id"])
    index = {r["org_id"]: i for i, r in enumerate(orgs)}
    links = _links(package, index)
    org_marks = style.category_marks(
        package.enum(ORGANIZATIONS, "org_type"), style.ORG_TYPES, style.LIGHT, style.SPARE_MARKERS
    )

    with style.rc():
        width = style.FIGURE_WIDTH * 72.0
        fig = Figure(figsize=(style.FIGURE_WIDTH, 6.0), dpi=72)
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        labels = [_wrap(r.get("name") or r["org_id"]) for r in orgs]
        sizes = [_text_size(fig, renderer, t, fontsize=style.FONT_SIZE, linespacing=1.1) for t in labels]

        map_w = width - 2 * MARGIN
        pos, map_h = _place(sizes, links, map_w)
        frame: Box = (0.0, 0.0, map_w, map_h)
        # Choose each name's side, make room, and choose again where the marks moved;
        # if the marks cannot all fit, make the map taller.
        for _ in range(6):
            for _ in range(3):
                sides = _choose_sides(pos, sizes, links, frame)
                extents = [_extent(s, w, h) for s, (w, h) in zip(sides, sizes, strict=True)]
                pos, fitted = separate(pos, extents, frame, pad=6.0)
            if fitted:
                break
            pos[:, 1] *= 1.2
            map_h *= 1.2
            frame = (0.0, 0.0, map_w, map_h)

        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, map_w)
        ax.set_ylim(0, map_h)

        # Arrows; several between the same two organizations are drawn side by side.
        pairs: dict[tuple[int, int], list[Link]] = {}
        for link in links:
            pairs.setdefault((min(link.source, link.target), max(link.source, link.target)), []).append(link)
        ends: dict[str, tuple[Any, Any]] = {}
        for (lo, _hi), group in pairs.items():
            for k, link in enumerate(group):
                offset = (k - (len(group) - 1) / 2) * 5.0 * (1 if link.source == lo else -1)
                ends[link.gid] = _draw_link(ax, link, pos[link.source], pos[link.target], offset)

        # Marks and names.
        obstacles: list[Box] = []
        for i, row in enumerate(orgs):
            mark = org_marks.get(row["org_type"], style.Mark("#DDDDDD", "o"))
            x, y = pos[i]
            ax.add_line(
                Line2D(
                    [x],
                    [y],
                    marker=mark.marker,
                    markersize=2 * RADIUS,
                    markerfacecolor=mark.colour,
                    markeredgecolor=style.INK,
                    markeredgewidth=0.9,
                    linestyle="none",
                    zorder=4,
                    gid=f"node-{row['org_id']}",
                )
            )
            side = sides[i]
            tx, ty, ha, va = _anchor(side, x, y)
            ax.text(
                tx,
                ty,
                labels[i],
                ha=ha,
                va=va,
                fontsize=style.FONT_SIZE,
                linespacing=1.1,
                multialignment="center",
                zorder=5,
                gid=f"label-{row['org_id']}",
                bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
            e = extents[i]
            obstacles.append((x + e[0], y + e[1], x + e[2], y + e[3]))

        # Tags on ties whose status is not plain: slide along the arrow to a free spot.
        for link in links:
            if not link.tag:
                continue
            a, b = ends[link.gid]
            w, h = _text_size(fig, renderer, link.tag, fontsize=style.SMALL, style="italic")
            w, h = w + 3, h + 2
            chosen = None
            for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
                cx, cy = a + (b - a) * t
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if inside(box, frame) and not any(overlaps(box, o, 1.0) for o in obstacles):
                    chosen = (cx, cy, box)
                    break
            if chosen is None:
                continue  # no free spot on a crowded map: the dash pattern still tells the status
            obstacles.append(chosen[2])
            ax.text(
                chosen[0],
                chosen[1],
                link.tag,
                ha="center",
                va="center",
                fontsize=style.SMALL,
                style="italic",
                color=link.colour if link.colour != style.OWNERSHIP_COLOUR else style.INK,
                zorder=3,
                gid=f"{link.gid}-tag",
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": "white",
                    "edgecolor": link.colour,
                    "linewidth": 0.6,
                },
            )

        # Legends: only what the map shows.
        shown_types = [t for t in org_marks if any(r["org_type"] == t for r in orgs)]
        org_handles = [
            Line2D(
                [],
                [],
                marker=org_marks[t].marker,
                markersize=8,
                markerfacecolor=org_marks[t].colour,
                markeredgecolor=style.INK,
                markeredgewidth=0.8,
                linestyle="none",
                label=style.humanize(t),
            )
            for t in shown_types
        ]
        kinds = {k.kind for k in links}
        tie_colours = {k.colour for k in links if k.kind == "tie"}
        rel_marks = style.category_marks(
            package.enum("partnerships", "relationship_type"),
            {k: (v, "") for k, v in style.RELATIONSHIPS.items()},
            style.VIBRANT,
            [""],
        )
        tie_handles = [
            Line2D([], [], color=m.colour, linewidth=2.2, label=style.humanize(t))
            for t, m in rel_marks.items()
            if m.colour in tie_colours
        ]
        if "ownership" in kinds:
            tie_handles.append(
                Line2D([], [], color=style.OWNERSHIP_COLOUR, linewidth=3.2, label="owns (from the owner)")
            )
        if "action" in kinds:
            tie_handles.append(
                Line2D(
                    [],
                    [],
                    color=style.ACTION_COLOUR,
                    linewidth=1.5,
                    label="regulatory action (from the regulator)",
                )
            )
        statuses = [
            s
            for s in package.enum("partnerships", "status")
            if any(r["status"] == s for r in package.rows("partnerships"))
        ]
        status_handles = [
            Line2D(
                [],
                [],
                color=style.INK,
                linewidth=style.STATUSES.get(s, ("solid", 1.5, ""))[1],
                linestyle=style.STATUSES.get(s, ("solid", 1.5, ""))[0],
                label=style.STATUS_MEANINGS.get(s, s),
            )
            for s in statuses
        ]
        groups = [
            ("Organization", org_handles),
            ("Arrow (a tie: from provider to receiver)", tie_handles),
            ("Status of a tie", status_handles),
        ]
        legend_h = flow_legends(ax, renderer, [(t, h) for t, h in groups if h], map_w, map_h, LEGEND_GAP)

        # Final size: title, map, legends, credit line.
        total_h = TITLE_SPACE + map_h + LEGEND_GAP + legend_h + 24.0
        fig.set_size_inches(style.FIGURE_WIDTH, total_h / 72.0)
        ax.set_position(
            (MARGIN / width, (legend_h + LEGEND_GAP + 24.0) / total_h, map_w / width, map_h / total_h)
        )
        n_ties = sum(1 for k in links if k.kind == "tie")
        style.heading(
            fig,
            "Who is tied to whom",
            f"{len(orgs)} organizations and {n_ties} ties between them, as the sources report them",
            package.credit,
            MARGIN,
        )
    return fig
