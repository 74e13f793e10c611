"""Curation: the commands a contributor runs on a package folder to keep it in shape.

- :func:`rehash`: write the current ``hash`` and ``bytes`` of every table into ``datapackage.json``.

Each changes the package only under the package's lock (see
:func:`surveillance_ties.datapackage.writing.locked`) and through atomic writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from surveillance_ties.datapackage import Package, PackageError, default_root, dumps, open_package
from surveillance_ties.datapackage.descriptor import refreshed
from surveillance_ties.datapackage.stores import FolderStore
from surveillance_ties.datapackage.writing import locked, write_atomic

__all__ = ["package_folder", "rehash"]


def package_folder(path: str | os.PathLike[str] | None) -> Path:
    """The folder of the package at ``path`` (default: around the current folder), which must be a
    folder (a zip or URL cannot be changed)."""
    with open_package(path if path is not None else default_root(), strict=False) as pkg:
        if not isinstance(pkg.store, FolderStore):
            raise PackageError(f"{pkg.label}: only a package folder can be changed, not a zip")
        return pkg.store.root


def _changed(old: Package, new: dict[str, Any]) -> list[str]:
    before = {
        r["name"]: (r.get("hash"), r.get("bytes"))
        for r in old.descriptor.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    }
    after = [r for r in new.get("resources", []) if isinstance(r, dict)]
    return [str(r["name"]) for r in after if before.get(r.get("name")) != (r.get("hash"), r.get("bytes"))]


def rehash(path: str | os.PathLike[str] | None = None) -> list[str]:
    """Rewrite ``hash`` and ``bytes`` of every table in the descriptor (atomically, under the lock).

    Returns the names of the tables whose figures changed; nothing else in the descriptor is
    touched. Raises :class:`~surveillance_ties.datapackage.errors.PackageError` when the descriptor
    cannot be read and :class:`~surveillance_ties.datapackage.errors.WriteError` when it cannot be
    written.
    """
    root = package_folder(path)
    with locked(root), open_package(root) as pkg:
        new = refreshed(pkg)
        changed = _changed(pkg, new)
        if changed:
            write_atomic(root / pkg.descriptor_file, dumps(new).encode("utf-8"), root=root)
    return changed
