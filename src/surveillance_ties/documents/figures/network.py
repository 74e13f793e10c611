"""The network map: organizations as marks, ties, ownership and regulatory actions as arrows.

Every organization is one mark (fill and shape by ``org_type``) with its name
beside it; every partnership one arrow from ``org_id`` (the provider) to
``partner_org_id`` (colour by ``relationship_type``, dash pattern by
``status``, and a tag on ties that are cancelled or disputed); ownership
(``parent_org_id``) and regulatory actions are arrows of their own styles.
In the SVG, each mark has the id ``node-<org_id>``, each name
``label-<org_id>``, each tie ``edge-<partnership_id>``, each ownership
``ownership-<org_id>`` and each regulatory action ``action-<action_id>``;
an arrow's head (with the stub of line it sits on) is ``<id>-head`` and a
tie's tag ``<id>-tag``.

Every arrow ends just clear of the real outline of its target's mark, and no
arrowhead, tag or mark touches a name (see :mod:`.placement`): a name moves
to another side of its mark, or further out, rather than sit under an arrowhead.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from surveillance_ties.documents.figures import style
from surveillance_ties.documents.figures.data import ORGANIZATIONS, FigureData
from surveillance_ties.documents.figures.layout import Array, Box, inside, overlaps
from surveillance_ties.documents.figures.legends import flow_legends
from surveillance_ties.documents.figures.placement import (
    BACKING,
    HEAD_EDGE,
    HEAD_HALF_WIDTH,
    HEAD_LENGTH,
    MARK_EDGE,
    RADIUS,
    Arrow,
    anchor,
    circle,
    convex_hull,
    fit,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

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


def _links(package: FigureData, index: dict[str, int]) -> list[Link]:
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


def _text_size(fig: Figure, renderer: RendererBase, text: str, **kwargs: Any) -> tuple[float, float]:
    probe = fig.text(0, 0, text, **kwargs)
    box = probe.get_window_extent(renderer)
    probe.remove()
    scale = 72.0 / fig.dpi
    return box.width * scale, box.height * scale


def _head_size(link: Link) -> float:
    """The size of a link's arrowhead (matplotlib's mutation scale), in points: the length of the
    piece drawn as the head, a stub of line and the triangle at its end."""
    return 10.0 if link.kind == "ownership" else 8.0


def outline(marker: str) -> Array:
    """What arrows and names keep clear of around a mark drawn with ``marker``: the convex hull
    of the mark's shape as matplotlib draws it (without its stroke), in points around the mark's
    centre, y upwards. (The hull, so that an arrow ends as far from a cross or a star as from
    their tips, not in their notches.)"""
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import Affine2D

    style_ = MarkerStyle(marker)
    polygons = style_.get_path().to_polygons(style_.get_transform() + Affine2D().scale(2 * RADIUS))
    if not polygons:
        return circle()
    return convex_hull(np.round(np.vstack(polygons), 6))


def _draw_link(ax: Axes, link: Link, a: Array, b: Array) -> None:
    """Draw one arrow from ``a`` to its tip ``b``: its line (dashed by status), then its head."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    d = b - a
    u = d / (float(np.hypot(*d)) or 1.0)
    head = _head_size(link)
    body_end = b - u * head * 0.6
    if float(np.dot(body_end - a, u)) < 0:  # organizations too close for a line: the head alone
        body_end = a
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
        arrowstyle=f"-|>,head_length={HEAD_LENGTH},head_width={HEAD_HALF_WIDTH}",
        mutation_scale=head,
        color=link.colour,
        linewidth=HEAD_EDGE,
        joinstyle="round",
        capstyle="round",
        shrinkA=0,
        shrinkB=0,
        zorder=6,
        gid=f"{link.gid}-head",
    )
    ax.add_patch(arrow)


def network_figure(package: FigureData) -> Figure:
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

        marks = [org_marks.get(r["org_type"], style.Mark("#DDDDDD", "o")) for r in orgs]
        outlines = {m.marker: outline(m.marker) for m in marks}

        map_w = width - 2 * MARGIN
        layout = fit(
            sizes,
            [Arrow(k.source, k.target, _head_size(k), k.width) for k in links],
            [outlines[m.marker] for m in marks],
            map_w,
        )
        pos, map_h = layout.pos, layout.height
        frame: Box = (0.0, 0.0, map_w, map_h)

        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, map_w)
        ax.set_ylim(0, map_h)

        # Arrows, ended where the layout says (several between the same two organizations side by side).
        ends: dict[str, tuple[Array, Array]] = {}
        for k, link in enumerate(links):
            ends[link.gid] = (layout.starts[k], layout.tips[k])
            _draw_link(ax, link, *ends[link.gid])

        # Marks and names.
        for i, row in enumerate(orgs):
            mark = marks[i]
            x, y = pos[i]
            ax.add_line(
                Line2D(
                    [x],
                    [y],
                    marker=mark.marker,
                    markersize=2 * RADIUS,
                    markerfacecolor=mark.colour,
                    markeredgecolor=style.INK,
                    markeredgewidth=MARK_EDGE,
                    linestyle="none",
                    zorder=4,
                    gid=f"node-{row['org_id']}",
                )
            )
            name = layout.names[i]
            tx, ty, ha, va = anchor(name.side, float(x), float(y), name.distance)
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
                bbox={
                    "boxstyle": f"round,pad={BACKING / style.FONT_SIZE}",  # in units of the font size
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.8,
                },
            )

        # A tag keeps off every name, mark and arrowhead.
        _draw_tags(ax, fig, renderer, links, ends, layout.labels + layout.marks + layout.heads, frame)

        legend_h = flow_legends(
            ax, renderer, _legend_groups(package, orgs, links, org_marks), map_w, map_h, LEGEND_GAP
        )

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


def _legend_groups(
    package: FigureData, orgs: list[dict[str, str]], links: list[Link], org_marks: dict[str, style.Mark]
) -> list[tuple[str, Sequence[Artist]]]:
    """The legends, each a title and its entries: only what the map shows."""
    from matplotlib.lines import Line2D

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
    return [(title, handles) for title, handles in groups if handles]


TAG_PAD = 0.15  # the box of a tag, around its text, in units of the tag's font size
TAG_EDGE = 0.6  # the line width of a tag's box
TAG_CLEAR = 1.5  # points between a tag's box and any name, mark, arrowhead or other tag


def _draw_tags(
    ax: Axes,
    fig: Figure,
    renderer: RendererBase,
    links: list[Link],
    ends: dict[str, tuple[Array, Array]],
    obstacles: list[Box],
    frame: Box,
) -> None:
    """Tag each tie whose status needs words (cancelled, disputed) where the tag overlaps nothing.

    A tag goes on its arrow's line (not on its head), in the first free spot from the middle
    outwards, its box (outline included) at least TAG_CLEAR from every name, mark, arrowhead and
    other tag; where there is none, the tie goes untagged.
    """
    for link in links:
        if not link.tag:
            continue
        a, b = ends[link.gid]
        d = b - a
        body_end = b - d / (float(np.hypot(*d)) or 1.0) * _head_size(link)
        w, h = _text_size(fig, renderer, link.tag, fontsize=style.SMALL, style="italic")
        margin = TAG_PAD * style.SMALL + TAG_EDGE / 2
        w, h = w + 2 * margin, h + 2 * margin
        chosen = None
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            cx, cy = a + (body_end - a) * t
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if inside(box, frame) and not any(overlaps(box, o, TAG_CLEAR / 2) for o in obstacles):
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
                "boxstyle": f"round,pad={TAG_PAD}",
                "facecolor": "white",
                "edgecolor": link.colour,
                "linewidth": TAG_EDGE,
            },
        )
