"""Where the organizations of the network map go, and where their names go around them.

All in points (1/72 inch). Each connected part of the graph gets its own
force-directed layout, the parts are packed in rows, then every mark and its
name, as one box, is pushed apart from the others until none overlap; each
name sits on the side of its mark where it crosses the fewest arrows.
"""

from __future__ import annotations

import math

import numpy as np

from surveillance_ties.documents.figures.layout import (
    Array,
    Box,
    components,
    force_layout,
    inside,
    segment_hits,
    separate,
    shelf_pack,
)

RADIUS = 6.5  # points: half the size of an organization's mark
GAP = 2.5  # between a mark and its name

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


def anchor(side: str, x: float, y: float) -> tuple[float, float, str, str]:
    """Where the name on ``side`` of the mark at ``(x, y)`` is anchored, and its alignment."""
    fx, fy, ha, va = SIDES[side]
    return x + fx * (RADIUS + GAP), y + fy * (RADIUS + GAP), ha, va


def label_box(side: str, x: float, y: float, w: float, h: float) -> Box:
    """The box of a name drawn on ``side`` of the mark at ``(x, y)``."""
    ax_, ay, ha, va = anchor(side, x, y)
    x0 = {"left": ax_, "center": ax_ - w / 2, "right": ax_ - w}[ha]
    y0 = {"bottom": ay, "center": ay - h / 2, "top": ay - h}[va]
    return (x0, y0, x0 + w, y0 + h)


Edges = list[tuple[int, int]]
Sizes = list[tuple[float, float]]


def choose_sides(pos: Array, sizes: Sizes, edges: Edges, frame: Box) -> list[str]:
    """For each mark, the side where its name crosses the fewest arrows and stays in the frame."""
    segments = [(tuple(pos[a]), tuple(pos[b])) for a, b in edges if a != b]
    out = []
    for i, (w, h) in enumerate(sizes):
        x, y = float(pos[i][0]), float(pos[i][1])

        def cost(side: str, x: float = x, y: float = y, w: float = w, h: float = h) -> float:
            box = label_box(side, x, y, w, h)
            crossings = sum(segment_hits(p, q, box) for p, q in segments)
            return 10.0 * crossings + 5.0 * (not inside(box, frame)) + list(SIDES).index(side) * 0.5

        out.append(min(SIDES, key=cost))
    return out


def extent(side: str, w: float, h: float) -> Box:
    """A mark and its name as one box relative to the mark's centre."""
    box = label_box(side, 0.0, 0.0, w, h)
    return (min(box[0], -RADIUS), min(box[1], -RADIUS), max(box[2], RADIUS), max(box[3], RADIUS))


SPREAD = 2.4  # map area per organization, as a multiple of the area of its mark and name
MIN_HEIGHT = 280.0  # points: the least height of the largest connected part of the map


def initial_positions(sizes: Sizes, edges: Edges, map_w: float) -> tuple[Array, float]:
    """First positions of the marks: each connected part laid out on its own, the parts packed in rows.

    Returns an ``(n, 2)`` array of positions in points and the height of the map.
    """
    n = len(sizes)
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


def fit(sizes: Sizes, edges: Edges, map_w: float) -> tuple[Array, list[str], float]:
    """Positions of the marks, the side of each name, and the map's height, with nothing overlapping.

    Chooses each name's side, makes room, and chooses again where the marks
    moved; if the marks cannot all fit, the map grows taller.
    """
    pos, map_h = initial_positions(sizes, edges, map_w)
    sides: list[str] = []
    for _ in range(6):
        frame: Box = (0.0, 0.0, map_w, map_h)
        for _ in range(3):
            sides = choose_sides(pos, sizes, edges, frame)
            extents = [extent(s, w, h) for s, (w, h) in zip(sides, sizes, strict=True)]
            pos, fitted = separate(pos, extents, frame, pad=6.0)
        if fitted:
            break
        pos[:, 1] *= 1.2
        map_h *= 1.2
    return pos, sides, map_h
