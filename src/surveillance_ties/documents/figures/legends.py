"""Several titled legends under a plot, laid out left to right and wrapped like words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

COLUMN_GAP = 14.0  # points between two legends side by side


def flow_legends(
    ax: Axes,
    renderer: RendererBase,
    groups: Sequence[tuple[str, Sequence[Artist]]],
    width: float,
    height: float,
    gap: float,
    x0: float = 0.0,
    **kwargs: Any,
) -> float:
    """Put one legend per ``(title, handles)`` group under ``ax``; return the height they take (points).

    ``ax`` spans ``width`` x ``height`` points, and keeps that size when the
    figure is resized afterwards; the legends hang ``gap`` points below it,
    each as wide as it needs, wrapping to a new row when the next would not fit.
    ``x0`` moves the first column (points from the left of ``ax``; negative
    to start left of it).
    """
    from matplotlib.legend import Legend

    scale = 72.0 / ax.figure.dpi
    x = y = row_h = 0.0
    for title, handles in groups:
        legend = Legend(
            ax,
            list(handles),
            [str(h.get_label()) for h in handles],
            title=title,
            loc="upper left",
            alignment="left",
            borderaxespad=0.0,
            borderpad=0.2,
            handlelength=2.6,
            handletextpad=0.6,
            labelspacing=0.45,
            frameon=False,
            **kwargs,
        )
        legend.set_gid("legend-" + title.split(" ")[0].lower())
        ax.add_artist(legend)
        box = legend.get_window_extent(renderer)
        w, h = box.width * scale, box.height * scale
        if x > 0 and x0 + x + w > width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        legend.set_bbox_to_anchor(((x0 + x) / width, -(gap + y) / height), transform=ax.transAxes)
        x += w + COLUMN_GAP
        row_h = max(row_h, h)
    return y + row_h
