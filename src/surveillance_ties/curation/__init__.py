"""Curation: the commands a contributor runs on a package folder to keep it in shape.

- :func:`format_package`: every table in its canonical form, and the descriptor refreshed;
- :func:`rehash`: only the ``hash`` and ``bytes`` of every table in ``datapackage.json``.

Each changes the package only under the package's lock (see
:func:`surveillance_ties.datapackage.writing.locked`) and through atomic writes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveillance_ties.datapackage import DataError, Package, PackageError, default_root, dumps, open_package
from surveillance_ties.datapackage.canonical import table_bytes
from surveillance_ties.datapackage.descriptor import refreshed
from surveillance_ties.datapackage.hashing import digest_bytes
from surveillance_ties.datapackage.stores import FolderStore
from surveillance_ties.datapackage.writing import locked, write_all, write_atomic

__all__ = ["FormatResult", "format_package", "package_folder", "rehash"]


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


@dataclass
class FormatResult:
    """What :func:`format_package` found (and, unless ``check``, rewrote): package-relative paths."""

    root: Path
    changed: list[str] = field(default_factory=list)
    written: bool = False


def _canonical(
    pkg: Package, extra: dict[str, list[list[str]]] | None = None
) -> tuple[dict[str, bytes], list[str]]:
    """The canonical bytes of every table (with ``extra`` rows by table path) and of the descriptor
    that goes with them, and the paths whose bytes differ from the package's."""
    wanted: dict[str, bytes] = {}
    for resource in pkg.resources:
        encoding = resource.encoding.replace("_", "-").lower()
        if encoding not in ("utf-8", "utf8"):
            raise DataError(
                f"{pkg.where(resource.path)}: its encoding is {resource.encoding}, and format writes "
                "UTF-8 only; convert the file to UTF-8 and set `encoding` to utf-8"
            )
        wanted[resource.path] = table_bytes(pkg, resource, (extra or {}).get(resource.path, []))
    changed = [rel for rel, data in wanted.items() if pkg.read_bytes(rel) != data]
    descriptor = json.loads(json.dumps(pkg.descriptor))
    for entry in descriptor["resources"]:
        table = entry.get("path") if isinstance(entry, dict) else None
        if isinstance(table, str) and table in wanted:
            entry["hash"], entry["bytes"] = str(digest_bytes(wanted[table])), len(wanted[table])
    wanted[pkg.descriptor_file] = dumps(descriptor).encode("utf-8")
    if pkg.read_bytes(pkg.descriptor_file) != wanted[pkg.descriptor_file]:
        changed.append(pkg.descriptor_file)
    return wanted, changed


def format_package(path: str | os.PathLike[str] | None = None, *, check: bool = False) -> FormatResult:
    """Write every table of the package in its canonical form, then refresh the descriptor.

    The canonical form is :mod:`surveillance_ties.datapackage.canonical`'s: rows in primary-key
    order, LF line ends, UTF-8 without a byte order mark, quotes only where needed; no cell's
    value changes. Then every table's ``hash`` and ``bytes`` are written into
    ``datapackage.json``, in its canonical text. It is idempotent: a second run changes nothing.
    With ``check`` nothing is written and ``changed`` lists what would change.

    All files are written together (or none, on a failure), under the package's lock. Raises
    :class:`~surveillance_ties.datapackage.errors.DataError` naming a table that cannot be read
    as CSV (fix what ``validate`` lists there first), and the package layer's errors.
    """
    root = package_folder(path)
    result = FormatResult(root)
    with locked(root), open_package(root) as pkg:
        wanted, result.changed = _canonical(pkg)
        if result.changed and not check:
            write_all({root / rel: wanted[rel] for rel in result.changed}, root=root)
            result.written = True
    return result
