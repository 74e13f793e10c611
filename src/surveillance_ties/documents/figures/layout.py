"""Deterministic placement: a force-directed graph layout and box overlap removal.

No random numbers: the start is a sunflower spiral with the best-connected
nodes in the middle, and every loop runs a fixed number of times, so the same
graph always gets the same positions. Positions are rounded to 1/100 of a
point, so that floating-point noise cannot change the saved bytes.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (points)
Array = NDArray[np.float64]


def overlaps(a: Box, b: Box, pad: float = 0.0) -> bool:
    """Whether two boxes, each grown by ``pad`` on every side, overlap."""
    return (
        a[0] - pad < b[2] + pad
        and b[0] - pad < a[2] + pad
        and a[1] - pad < b[3] + pad
        and b[1] - pad < a[3] + pad
    )


def inside(a: Box, frame: Box) -> bool:
    """Whether ``a`` lies within ``frame``."""
    return a[0] >= frame[0] and a[1] >= frame[1] and a[2] <= frame[2] and a[3] <= frame[3]


def segment_hits(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether the segment from ``p`` to ``q`` passes through ``box`` (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in (
        (-dx, p[0] - box[0]),
        (dx, box[2] - p[0]),
        (-dy, p[1] - box[1]),
        (dy, box[3] - p[1]),
    ):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def force_layout(n: int, edges: list[tuple[int, int]], iterations: int = 500) -> Array:
    """Fruchterman-Reingold positions of ``n`` nodes in the unit square.

    A weak pull to the centre keeps parts of the graph that are not connected
    to each other near the rest. Returns an ``(n, 2)`` array.
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.full((1, 2), 0.5)
    degree = np.zeros(n)
    adjacency = np.zeros((n, n))
    for a, b in edges:
        if a != b:
            adjacency[a, b] = adjacency[b, a] = 1.0
    degree = adjacency.sum(axis=1)
    order = sorted(range(n), key=lambda i: (-degree[i], i))
    golden = math.pi * (3 - math.sqrt(5))
    pos = np.zeros((n, 2))
    for rank, node in enumerate(order):
        radius = math.sqrt((rank + 0.5) / n)
        pos[node] = (radius * math.cos(rank * golden), radius * math.sin(rank * golden))
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=-1), 0.01)
        force = k * k / distance**2 - adjacency * distance / k
        displacement = np.einsum("ijk,ij->ik", delta, force) - 0.15 * pos
        length = np.maximum(np.linalg.norm(displacement, axis=-1), 0.01)
        pos = pos + displacement * (temperature / length)[:, None]
        temperature -= cooling
    low, high = pos.min(axis=0), pos.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    out: Array = np.round((pos - low) / span, 6)
    return out


def components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components, largest first (ties broken by their smallest node)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def shelf_pack(sizes: list[tuple[float, float]], width: float, gap: float) -> tuple[list[Box], float]:
    """Place boxes of the given sizes in rows ``width`` wide, in order; return them and the total height.

    Rows are filled from the top down (y grows upwards, so the first row has the largest y).
    """
    rows: list[list[int]] = []
    x = width + 1.0
    for i, (w, _h) in enumerate(sizes):
        if x + w > width and (not rows or x > 0):
            rows.append([])
            x = 0.0
        rows[-1].append(i)
        x += w + gap
    heights = [max(sizes[i][1] for i in row) for row in rows]
    total = sum(heights) + gap * (len(rows) - 1)
    out: list[Box] = [(0.0, 0.0, 0.0, 0.0)] * len(sizes)
    top = total
    for row, h in zip(rows, heights, strict=True):
        used = sum(sizes[i][0] for i in row) + gap * (len(row) - 1)
        x = (width - used) / 2  # centred
        for i in row:
            w, hi = sizes[i]
            y0 = top - h + (h - hi) / 2
            out[i] = (x, y0, x + w, y0 + hi)
            x += w + gap
        top -= h + gap
    return out, total


def separate(
    centres: Array,
    extents: list[Box],
    frame: Box,
    pad: float = 4.0,
    rounds: int = 400,
    owners: list[int] | None = None,
) -> tuple[Array, bool]:
    """Move boxes apart until none overlap, keeping them inside ``frame``.

    ``extents`` gives each box relative to its owner's centre, ``(dx0, dy0, dx1,
    dy1)``; without ``owners`` box ``i`` belongs to centre ``i``, with them box
    ``k`` belongs to centre ``owners[k]`` (a centre may own several boxes, or
    none), and boxes of the same owner may overlap. Each round pushes the owners
    of every overlapping pair apart along the axis where the boxes overlap least.
    Returns the new centres and whether all overlaps are gone.
    """
    pos = centres.astype(float).copy()
    n = len(pos)
    ext = np.array(extents, dtype=float).reshape(-1, 4)
    own = np.arange(n) if owners is None else np.asarray(owners, dtype=int)
    low = np.full((n, 2), np.inf)
    high = np.full((n, 2), -np.inf)
    np.minimum.at(low, own, ext[:, :2])
    np.maximum.at(high, own, ext[:, 2:])
    low[~np.isfinite(low)] = 0.0
    high[~np.isfinite(high)] = 0.0

    def clamp() -> None:
        pos[:, 0] = np.clip(pos[:, 0], frame[0] - low[:, 0], frame[2] - high[:, 0])
        pos[:, 1] = np.clip(pos[:, 1], frame[1] - low[:, 1], frame[3] - high[:, 1])

    clamp()
    pairs = np.triu(np.ones((len(ext), len(ext)), dtype=bool), k=1) & (own[:, None] != own[None, :])
    for _ in range(rounds):
        x0, y0 = pos[own, 0] + ext[:, 0], pos[own, 1] + ext[:, 1]
        x1, y1 = pos[own, 0] + ext[:, 2], pos[own, 1] + ext[:, 3]
        ox = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :]) + pad
        oy = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :]) + pad
        i, j = np.nonzero((ox > 0) & (oy > 0) & pairs)
        if len(i) == 0:
            return np.round(pos, 2), True
        along_x = ox[i, j] < oy[i, j]
        middle = ((x0 + x1) / 2, (y0 + y1) / 2)

        push = np.zeros((n, 2))
        for axis, amount in (
            (0, np.where(along_x, ox[i, j] / 2, 0.0)),
            (1, np.where(along_x, 0.0, oy[i, j] / 2)),
        ):
            a, b = middle[axis][i], middle[axis][j]
            before = (a < b) | ((a == b) & (own[i] < own[j]))  # i's owner moves back, j's forward
            signed = amount * np.where(before, 1.0, -1.0)
            np.add.at(push[:, axis], own[i], -signed)
            np.add.at(push[:, axis], own[j], signed)
        pos += push
        clamp()
    return np.round(pos, 2), False


def boxes_overlap(a: Array, b: Array, pad: float = 0.0) -> NDArray[np.bool_]:
    """``(len(a), len(b))``: whether box ``a[i]`` and box ``b[j]`` (rows ``x0, y0, x1, y1``), each
    grown by ``pad``, overlap."""
    a = np.asarray(a, dtype=float).reshape(-1, 4)
    b = np.asarray(b, dtype=float).reshape(-1, 4)
    out: NDArray[np.bool_] = (
        (a[:, None, 0] - pad < b[None, :, 2] + pad)
        & (b[None, :, 0] - pad < a[:, None, 2] + pad)
        & (a[:, None, 1] - pad < b[None, :, 3] + pad)
        & (b[None, :, 1] - pad < a[:, None, 3] + pad)
    )
    return out


def segments_hit(p: Array, q: Array, boxes: Array) -> NDArray[np.bool_]:
    """``(len(boxes), len(p))``: whether the segment from ``p[s]`` to ``q[s]`` passes through box
    ``boxes[k]`` (:func:`segment_hits` for many at once)."""
    p = np.asarray(p, dtype=float).reshape(-1, 2)
    q = np.asarray(q, dtype=float).reshape(-1, 2)
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    d = q - p
    t0 = np.zeros((len(boxes), len(p)))
    t1 = np.ones((len(boxes), len(p)))
    hit = np.ones((len(boxes), len(p)), dtype=bool)
    for axis, lo, hi in ((0, 0, 2), (1, 1, 3)):
        step = d[None, :, axis]
        near = boxes[:, None, lo] - p[None, :, axis]  # where the slab begins, from p
        far = boxes[:, None, hi] - p[None, :, axis]
        flat = step == 0
        hit &= ~(flat & ((near > 0) | (far < 0)))  # parallel to the slab and outside it
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ta, tb = near / step, far / step
        enter = np.where(flat, -np.inf, np.minimum(ta, tb))
        leave = np.where(flat, np.inf, np.maximum(ta, tb))
        t0 = np.maximum(t0, enter)
        t1 = np.minimum(t1, leave)
    out: NDArray[np.bool_] = hit & (t0 <= t1)
    return out
