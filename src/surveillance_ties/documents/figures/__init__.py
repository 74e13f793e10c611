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

from surveillance_ties.datapackage import (
    MissingDependencyError,
    Package,
    PackageError,
    default_root,
    open_package,
)
from surveillance_ties.datapackage.stores import FolderStore
from surveillance_ties.datapackage.writing import write_all
from surveillance_ties.documents.figures.data import FigureData, FigureDataError, read_package

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURES", "FigureDataError", "FiguresUnavailable", "figure", "figure_files", "render_figures"]

#: The error when matplotlib is missing (the package layer's :class:`MissingDependencyError`).
FiguresUnavailable = MissingDependencyError

INSTALL_HINT = "pip install 'surveillance-ties[figures]'"

# figure name -> "module:function" under surveillance_ties.figures; each gives <name>.svg and <name>.png
FIGURES: dict[str, str] = {
    "network": "network:network_figure",
    "timeline": "timeline:timeline_figure",
}


def _has_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def require_matplotlib() -> None:
    """Raise :class:`FiguresUnavailable` unless matplotlib can be imported."""
    if not _has_matplotlib():
        raise FiguresUnavailable(
            f"drawing the figures needs matplotlib, which is not installed; install it with: {INSTALL_HINT}"
        )


def figure(name: str, package: FigureData) -> Figure:
    """Draw the figure ``name`` (a key of :data:`FIGURES`) of ``package``."""
    require_matplotlib()
    module, function = FIGURES[name].split(":")
    draw: Callable[[FigureData], Figure] = getattr(
        importlib.import_module(f"surveillance_ties.documents.figures.{module}"), function
    )
    return draw(package)


def figure_files(pkg: Package, root: Path) -> dict[str, bytes]:
    """``{"<name>.svg": …, "<name>.png": …}`` for every figure of the package ``pkg``."""
    require_matplotlib()
    from surveillance_ties.documents.figures.style import render

    data = read_package(pkg, root)
    files: dict[str, bytes] = {}
    for name in FIGURES:
        for suffix, content in render(figure(name, data)).items():
            files[f"{name}.{suffix}"] = content
    return files


def render_figures(
    path: str | os.PathLike[str] | None = None, out: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Draw every figure of the package at ``path`` (default: the package around the current
    folder) into ``out`` (default: ``docs/`` beside the descriptor).

    Writes ``<name>.svg`` and ``<name>.png`` for each figure, atomically, and returns the paths
    written. The same data always gives the same bytes. Raises :class:`FiguresUnavailable`
    without matplotlib and the package layer's errors when the package cannot be read.
    """
    require_matplotlib()
    with open_package(path if path is not None else default_root()) as pkg:
        if not isinstance(pkg.store, FolderStore) and out is None:
            raise PackageError(f"{pkg.label}: not a package folder; give --out, the folder for the figures")
        root = pkg.store.root if isinstance(pkg.store, FolderStore) else Path(out or ".")
        files = figure_files(pkg, root)
    target = Path(out) if out is not None else root / "docs"
    written = {target / name: content for name, content in files.items()}
    write_all(written, root=root if out is None else None)
    return list(written)
