"""Figures of the data package: a network map and a timeline, as SVG and PNG.

They need the optional ``figures`` extra (matplotlib):
``pip install 'surveillance-ties[figures]'``. Nothing here imports matplotlib
until a figure is drawn, so the loader works without it.

>>> from surveillance_ties.figures import render_figures
>>> render_figures(".", "docs")  # doctest: +SKIP
[PosixPath('docs/network.svg'), PosixPath('docs/network.png'), PosixPath('docs/timeline.svg'), ...]
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from surveillance_ties.figures.data import FigureDataError, Package, read_package

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURES", "FigureDataError", "FiguresUnavailable", "figure", "render_figures"]

INSTALL_HINT = "pip install 'surveillance-ties[figures]'"

# figure name -> "module:function" under surveillance_ties.figures; each gives <name>.svg and <name>.png
FIGURES: dict[str, str] = {
    "network": "network:network_figure",
    "timeline": "timeline:timeline_figure",
}


class FiguresUnavailable(Exception):
    """matplotlib, which the figures need, is not installed; the message says how to install it."""


def _has_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def require_matplotlib() -> None:
    """Raise :class:`FiguresUnavailable` unless matplotlib can be imported."""
    if not _has_matplotlib():
        raise FiguresUnavailable(
            f"drawing the figures needs matplotlib, which is not installed; install it with: {INSTALL_HINT}"
        )


def figure(name: str, package: Package) -> Figure:
    """Draw the figure ``name`` (a key of :data:`FIGURES`) of ``package``."""
    require_matplotlib()
    module, function = FIGURES[name].split(":")
    draw: Callable[[Package], Figure] = getattr(
        importlib.import_module(f"surveillance_ties.figures.{module}"), function
    )
    return draw(package)


def render_figures(
    path: str | os.PathLike[str] = ".", out: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Draw every figure of the package at ``path`` into ``out`` (default: ``docs/`` beside the descriptor).

    Writes ``<name>.svg`` and ``<name>.png`` for each figure and returns the
    paths written. The same data always gives the same bytes. Raises
    :class:`FiguresUnavailable` without matplotlib and :class:`FigureDataError`
    when the package cannot be read.
    """
    require_matplotlib()
    from surveillance_ties.figures.style import save

    package = read_package(path)
    target = Path(out) if out is not None else package.root / "docs"
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in FIGURES:
        written += save(figure(name, package), target / name)
    return written
