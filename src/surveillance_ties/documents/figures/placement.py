"""Where the organizations of the network map go, where their names go, and where the arrows end.

All in points (1/72 inch), y upwards. Each connected part of the graph gets
its own force-directed layout and the parts are packed in rows. Then, in
rounds: every arrow is ended just clear of the outlines of the two marks it
joins (the real outline of each mark's shape, not a circle); every name is put
on the side of its mark that no arrowhead ends on and where it crosses the
fewest arrows (further out when every side near the mark is taken); and the
marks, with their names and the arrowheads that point at them, are pushed
apart until no name, mark or arrowhead of one organization touches those of
another. When the result still has a clash, the map grows taller and the
rounds run again. Nothing is random: the same data give the same layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from surveillance_ties.documents.figures.layout import (
    Array,
    Box,
    boxes_overlap,
    components,
    force_layout,
    overlaps,
    segments_hit,
    separate,
    shelf_pack,
)

RADIUS = 6.5  # points: half the size of an organization's mark
GAP = 2.5  # between a mark's circle and its name's anchor
BACKING = 1.0  # points: how far the white box behind a name reaches beyond the text
MARK_EDGE = 0.9  # line width of a mark's outline
HEAD_EDGE = 0.8  # line width of an arrowhead's outline
TIP_CLEAR = 3.0  # least distance from an arrowhead's outline (without strokes) to its mark's outline
START_CLEAR = 2.0  # least distance from an arrow's start to its mark's outline (without strokes)
NAME_CLEAR = 1.5  # least distance from a name's backing box to its own mark's outline
HEAD_LENGTH = 0.4  # of an arrowhead, as a fraction of the head's size (matplotlib's "-|>")
HEAD_HALF_WIDTH = 0.2  # the same, for half its width
PARALLEL = 5.0  # points between arrows that join the same two organizations
LEVEL = 7.0  # points: how much further out a name moves when no side near its mark is free

# Where a name goes around its mark: the direction of its anchor from the mark's centre, then
# the horizontal and vertical alignment. In order of preference.
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
LEVELS = 3  # distances tried on each side: the nearest, then LEVEL and 2 * LEVEL further out

# Costs of a name's place: the layout takes the cheapest.
COST_OWN_HEAD = 1000.0  # on an arrowhead that points at the name's own mark: pushing cannot undo that
COST_CLASH = 60.0  # on another organization's name, mark or arrowhead: pushing apart would follow
COST_CROSSING = 10.0  # per arrow under the name
COST_OUTSIDE = 5.0  # beyond the map's edge
COST_RANK = 0.5  # per step down the list of sides
COST_LEVEL = 25.0  # per step out from the mark

PAD = 5.0  # points between the names, marks and arrowheads of different organizations
CHECK_PAD = 1.0  # the least room left between them in the end
ROUNDS = 3  # of placing names and pushing apart, per size of the map
ATTEMPTS = 10  # sizes of the map tried
GROW = 1.15  # the map grows this much taller when things still clash


def anchor(side: str, x: float, y: float, distance: float = RADIUS + GAP) -> tuple[float, float, str, str]:
    """Where the name on ``side`` of the mark at ``(x, y)``, ``distance`` out, is anchored, and its
    alignment."""
    fx, fy, ha, va = SIDES[side]
    return x + fx * distance, y + fy * distance, ha, va


def label_box(side: str, x: float, y: float, w: float, h: float, distance: float = RADIUS + GAP) -> Box:
    """The box of a name ``w`` x ``h`` drawn on ``side`` of the mark at ``(x, y)``, with its backing."""
    ax_, ay, ha, va = anchor(side, x, y, distance)
    x0 = {"left": ax_, "center": ax_ - w / 2, "right": ax_ - w}[ha]
    y0 = {"bottom": ay, "center": ay - h / 2, "top": ay - h}[va]
    return (x0 - BACKING, y0 - BACKING, x0 + w + BACKING, y0 + h + BACKING)


Edges = list[tuple[int, int]]
Sizes = list[tuple[float, float]]


@dataclass(frozen=True)
class Arrow:
    """An arrow from mark ``source`` to mark ``target``; ``head`` is the size of its head (the
    length of the piece drawn as the head: a stub of line and the triangle at its end)."""

    source: int
    target: int
    head: float
    width: float = 0.0  # of the arrow's line


@dataclass(frozen=True)
class Name:
    """Where a name goes: on which side of its mark, and how far from the mark's centre."""

    side: str
    distance: float


@dataclass(frozen=True)
class Layout:
    """The placed map: everything in points, y upwards, the map's lower left corner at (0, 0)."""

    pos: Array  # (n, 2): centres of the marks
    names: list[Name]
    labels: list[Box]  # each name's box, with its backing
    marks: list[Box]  # each mark's box, with its outline's stroke
    starts: list[Array]  # where each arrow starts
    tips: list[Array]  # where each arrow's head ends
    heads: list[Box]  # each arrowhead's box: the head and the stub of line it sits on, with strokes
    height: float
    clashes: list[tuple[str, int, int]]  # what still touches ([] unless the map could not make room)


# --- marks' outlines --------------------------------------------------------------------------------


def circle(radius: float = RADIUS, points: int = 48) -> Array:
    """A round outline, the default."""
    angles = np.linspace(0.0, 2 * math.pi, points, endpoint=False)
    return np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])


def convex_hull(points: Array) -> Array:
    """The convex hull of ``points`` (Andrew's monotone chain), counter-clockwise."""
    pts = sorted({(float(x), float(y)) for x, y in points})
    if len(pts) < 3:
        return np.array(pts, dtype=float).reshape(-1, 2)

    def chain(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for x, y in seq:
            while (
                len(out) >= 2
                and (
                    (out[-1][0] - out[-2][0]) * (y - out[-2][1])
                    - (out[-1][1] - out[-2][1]) * (x - out[-2][0])
                )
                <= 0
            ):
                out.pop()
            out.append((x, y))
        return out

    lower, upper = chain(pts), chain(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _segments(outline: Array) -> tuple[Array, Array]:
    return outline, np.roll(outline, -1, axis=0)


def _distance(points: Array, outline: Array) -> Array:
    """The distance of each point (``(..., 2)``) to the closed polygon ``outline``."""
    a, b = _segments(outline)
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    rel = points[..., None, :] - a
    t = np.clip((rel * ab).sum(axis=-1) / length2, 0.0, 1.0)
    nearest = a + t[..., None] * ab
    out: Array = np.sqrt(((points[..., None, :] - nearest) ** 2).sum(axis=-1)).min(axis=-1)
    return out


def _clear_along(outline: Array, shift: Array, direction: Array, pieces: Array, clearance: float) -> float:
    """How far out along a line an arrow's end must be to clear a mark's outline.

    The line runs from ``shift`` (relative to the mark's centre) in ``direction``
    (a unit vector pointing away from the mark). ``pieces`` are the points of the
    arrow's end relative to its end point, as ``(along, sideways)`` pairs. Returns
    the least ``t`` such that, at ``t`` and everywhere further out, every piece is
    at least ``clearance`` from the outline.
    """
    normal = np.array([-direction[1], direction[0]])
    offsets = pieces[:, :1] * direction + pieces[:, 1:] * normal  # (k, 2)
    far = float(np.hypot(outline[:, 0], outline[:, 1]).max()) + clearance + 1.0

    def last_bad(ts: Array) -> float | None:
        points = shift + ts[:, None, None] * direction + offsets[None, :, :]
        bad = (_distance(points, outline) < clearance).any(axis=1)
        return float(ts[bad].max()) if bad.any() else None

    coarse = last_bad(np.arange(0.0, far + 0.25, 0.25))
    if coarse is None:
        return 0.0
    fine = last_bad(np.arange(coarse, coarse + 0.26, 0.01))
    return round((fine if fine is not None else coarse) + 0.01, 2)


def name_distances(outline: Array, w: float, h: float) -> dict[str, float]:
    """For each side, the least distance of a ``w`` x ``h`` name's anchor that keeps it clear of
    its mark's ``outline`` (never nearer than for a round mark)."""
    out = {}
    dense = _dense(outline, 0.1)
    for side in SIDES:
        distance = RADIUS + GAP
        while True:
            box = label_box(side, 0.0, 0.0, w, h, distance)
            inside = (
                (dense[:, 0] > box[0] - NAME_CLEAR)
                & (dense[:, 0] < box[2] + NAME_CLEAR)
                & (dense[:, 1] > box[1] - NAME_CLEAR)
                & (dense[:, 1] < box[3] + NAME_CLEAR)
            )
            if not inside.any():
                break
            distance += 0.25
        out[side] = distance
    return out


def _dense(outline: Array, step: float) -> Array:
    """Points along the closed polygon ``outline``, at most ``step`` apart."""
    a, b = _segments(outline)
    parts = []
    for p, q in zip(a, b, strict=True):
        k = max(1, math.ceil(float(np.hypot(*(q - p))) / step))
        parts.append(p + np.linspace(0.0, 1.0, k, endpoint=False)[:, None] * (q - p))
    return np.vstack(parts)


# --- arrows -----------------------------------------------------------------------------------------


def offsets(arrows: Sequence[Arrow]) -> list[float]:
    """Sideways shift of each arrow: arrows between the same two marks are drawn side by side."""
    pairs: dict[tuple[int, int], list[int]] = {}
    for k, arrow in enumerate(arrows):
        pairs.setdefault((min(arrow.source, arrow.target), max(arrow.source, arrow.target)), []).append(k)
    out = [0.0] * len(arrows)
    for (lo, _hi), group in pairs.items():
        for rank, k in enumerate(group):
            out[k] = (rank - (len(group) - 1) / 2) * PARALLEL * (1 if arrows[k].source == lo else -1)
    return out


def _head_pieces(arrow: Arrow) -> Array:
    """The head's corners relative to its tip, as (along the arrow, away from the tip; sideways)."""
    length, half = HEAD_LENGTH * arrow.head, HEAD_HALF_WIDTH * arrow.head
    return np.array([(0.0, 0.0), (length, half), (length, -half)])


def _end(
    outline: Array, centre: Array, shift: Array, direction: Array, pieces: Array, clearance: float
) -> Array:
    """An arrow's end near the mark at ``centre``: on the line through ``centre + shift`` along
    ``direction`` (away from the mark), as near as its ``pieces`` may come (see
    :func:`_clear_along`), rounded to 1/100 point without coming nearer."""
    t = _clear_along(outline, shift, direction, pieces, clearance)
    normal = np.array([-direction[1], direction[0]])
    offsets = pieces[:, :1] * direction + pieces[:, 1:] * normal
    while True:
        point: Array = np.round(centre + shift + direction * t, 2)
        if _distance(point - centre + offsets, outline).min() >= clearance or t > 1000.0:
            return point
        t += 0.01


def arrow_ends(
    pos: Array, arrows: Sequence[Arrow], outlines: Sequence[Array]
) -> tuple[list[Array], list[Array], list[Box]]:
    """Where each arrow starts, where its tip is, and its head's box (head and stub, with strokes)."""
    starts, tips, heads = [], [], []
    for arrow, offset in zip(arrows, offsets(arrows), strict=True):
        p, q = pos[arrow.source], pos[arrow.target]
        d = q - p
        length = float(np.hypot(*d))
        u = d / length if length > 1e-9 else np.array([0.0, 1.0])
        normal = np.array([-u[1], u[0]])
        shift = normal * offset
        corners = np.array([(0.0, arrow.width / 2), (0.0, -arrow.width / 2)])  # of the line's butt end
        start = _end(outlines[arrow.source], p, shift, u, corners, START_CLEAR)
        tip = _end(outlines[arrow.target], q, shift, -u, _head_pieces(arrow), TIP_CLEAR)
        half = HEAD_HALF_WIDTH * arrow.head
        base = tip - u * HEAD_LENGTH * arrow.head
        points = np.array([tip, tip - u * arrow.head, base + normal * half, base - normal * half])
        reach = HEAD_EDGE / 2
        starts.append(start)
        tips.append(tip)
        heads.append(
            (
                float(points[:, 0].min() - reach),
                float(points[:, 1].min() - reach),
                float(points[:, 0].max() + reach),
                float(points[:, 1].max() + reach),
            )
        )
    return starts, tips, heads


# --- names --------------------------------------------------------------------------------------------


def _shifted(box: Box, x: float, y: float) -> Box:
    return (box[0] + x, box[1] + y, box[2] + x, box[3] + y)


def choose_names(
    pos: Array,
    sizes: Sizes,
    nearest: list[dict[str, float]],
    arrows: Sequence[Arrow],
    ends: tuple[list[Array], list[Array], list[Box]],
    marks: list[Box],
    frame: Box,
) -> list[Name]:
    """For each mark, the cheapest place of its name (see the ``COST_`` constants)."""
    starts, tips, heads = ends
    p = np.array(starts).reshape(-1, 2)
    q = np.array(tips).reshape(-1, 2)
    head_boxes = np.array(heads).reshape(-1, 4)
    targets = np.array([a.target for a in arrows], dtype=int)
    mark_boxes = np.array([_shifted(m, *pos[i]) for i, m in enumerate(marks)]).reshape(-1, 4)
    chosen: list[Box] = []
    out: list[Name] = []
    for i, (w, h) in enumerate(sizes):
        x, y = float(pos[i][0]), float(pos[i][1])
        candidates = [
            (rank, level, side, nearest[i][side] + level * LEVEL)
            for level in range(LEVELS)
            for rank, side in enumerate(SIDES)
        ]
        boxes = np.array([label_box(side, x, y, w, h, dist) for _, _, side, dist in candidates])
        own = targets == i
        hits = boxes_overlap(boxes, head_boxes, 2.0)
        cost = COST_OWN_HEAD * hits[:, own].sum(axis=1)
        cost += COST_CLASH * hits[:, ~own].sum(axis=1)
        others = np.delete(mark_boxes, i, axis=0)
        cost += COST_CLASH * boxes_overlap(boxes, others, 2.0).sum(axis=1)
        if chosen:
            cost += COST_CLASH * boxes_overlap(boxes, np.array(chosen), 2.0).sum(axis=1)
        cost += COST_CROSSING * segments_hit(p, q, boxes).sum(axis=1)
        cost += COST_OUTSIDE * ~(
            (boxes[:, 0] >= frame[0])
            & (boxes[:, 1] >= frame[1])
            & (boxes[:, 2] <= frame[2])
            & (boxes[:, 3] <= frame[3])
        )
        cost += np.array([COST_RANK * rank + COST_LEVEL * level for rank, level, _, _ in candidates])
        best = int(np.argmin(cost))  # the first of equals: the preferred side, nearest
        _, _, side, dist = candidates[best]
        out.append(Name(side, dist))
        chosen.append(tuple(float(v) for v in boxes[best]))  # type: ignore[arg-type]
    return out


# --- the whole map ------------------------------------------------------------------------------------


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


def _mark_box(outline: Array) -> Box:
    reach = MARK_EDGE / 2
    (x0, y0), (x1, y1) = outline.min(axis=0), outline.max(axis=0)
    return (float(x0) - reach, float(y0) - reach, float(x1) + reach, float(y1) + reach)


def clashes(
    labels: list[Box], marks: list[Box], heads: list[Box], arrows: Sequence[Arrow], pad: float = CHECK_PAD
) -> list[tuple[str, int, int]]:
    """What touches what (closer than ``pad``): ``("head-label", arrow, mark)``, ``("head-mark",
    arrow, mark)`` (not its own target, which the arrow's end keeps clear of), ``("label-label",
    mark, mark)`` and ``("label-mark", mark, mark)``."""
    out: list[tuple[str, int, int]] = []
    for k, head in enumerate(heads):
        out += [("head-label", k, i) for i, label in enumerate(labels) if overlaps(head, label, pad / 2)]
        out += [
            ("head-mark", k, i)
            for i, mark in enumerate(marks)
            if i != arrows[k].target and overlaps(head, mark, pad / 2)
        ]
    for i, label in enumerate(labels):
        out += [
            ("label-label", i, j) for j in range(i + 1, len(labels)) if overlaps(label, labels[j], pad / 2)
        ]
        out += [
            ("label-mark", i, j) for j, mark in enumerate(marks) if j != i and overlaps(label, mark, pad / 2)
        ]
    return out


def fit(sizes: Sizes, arrows: Sequence[Arrow], outlines: Sequence[Array], map_w: float) -> Layout:
    """Place the marks, their names and the arrows' ends on a map ``map_w`` points wide.

    ``sizes`` are the names' text sizes, ``outlines`` the marks' outlines (polygons
    relative to their centres, without their strokes). The map is as tall as it
    needs to be for nothing to clash (see :func:`clashes`).
    """
    n = len(sizes)
    pos, map_h = initial_positions(sizes, [(a.source, a.target) for a in arrows], map_w)
    nearest = [name_distances(outlines[i], *sizes[i]) for i in range(n)]
    local_marks = [_mark_box(o) for o in outlines]
    targets = [a.target for a in arrows]
    layout: Layout | None = None
    for _ in range(ATTEMPTS):
        frame: Box = (0.0, 0.0, map_w, map_h)
        fitted = False
        for _ in range(ROUNDS):
            ends = arrow_ends(pos, arrows, outlines)
            names = choose_names(pos, sizes, nearest, arrows, ends, local_marks, frame)
            pieces: list[Box] = list(local_marks)
            owners = list(range(n))
            for i, (name, (w, h)) in enumerate(zip(names, sizes, strict=True)):
                pieces.append(label_box(name.side, 0.0, 0.0, w, h, name.distance))
                owners.append(i)
            for head, target in zip(ends[2], targets, strict=True):
                pieces.append(_shifted(head, -pos[target][0], -pos[target][1]))
                owners.append(target)
            pos, fitted = separate(pos, pieces, frame, pad=PAD, owners=owners)
        starts, tips, heads = arrow_ends(pos, arrows, outlines)
        names = choose_names(pos, sizes, nearest, arrows, (starts, tips, heads), local_marks, frame)
        labels = [
            label_box(name.side, float(x), float(y), w, h, name.distance)
            for name, (x, y), (w, h) in zip(names, pos, sizes, strict=True)
        ]
        marks = [_shifted(m, float(x), float(y)) for m, (x, y) in zip(local_marks, pos, strict=True)]
        found = clashes(labels, marks, heads, arrows)
        layout = Layout(pos, names, labels, marks, starts, tips, heads, map_h, found)
        if fitted and not found:
            break
        pos = pos.copy()
        pos[:, 1] *= GROW
        map_h *= GROW
    assert layout is not None
    return layout
