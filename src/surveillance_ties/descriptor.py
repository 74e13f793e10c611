"""Reading ``datapackage.json`` and keeping each resource's ``hash`` and ``bytes`` current."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

DESCRIPTOR = "datapackage.json"


class DescriptorError(Exception):
    """The descriptor cannot be found or read; the message says where and how to fix it."""


def descriptor_path(path: str | os.PathLike[str] = ".") -> Path:
    """The ``datapackage.json`` for a package folder or a descriptor path."""
    p = Path(path)
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.is_file():
        raise DescriptorError(f"{p}: no such file (give a package folder or its datapackage.json)")
    return p


def read_descriptor(path: str | os.PathLike[str] = ".") -> dict[str, Any]:
    """The parsed descriptor; :class:`DescriptorError` when it is missing or not JSON."""
    p = descriptor_path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DescriptorError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DescriptorError(f"{p}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise DescriptorError(f"{p}: the descriptor must be a JSON object")
    descriptor: dict[str, Any] = data
    return descriptor


def file_stats(path: str | os.PathLike[str]) -> tuple[str, int]:
    """``("sha256:<hex>", size in bytes)`` of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return f"sha256:{digest.hexdigest()}", size


def dumps(descriptor: dict[str, Any]) -> str:
    """The canonical text of a descriptor: two-space indent, UTF-8, final newline."""
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


def refreshed(descriptor: dict[str, Any], root: Path) -> dict[str, Any]:
    """A copy of ``descriptor`` whose resources carry the current ``hash`` and ``bytes``."""
    out: dict[str, Any] = json.loads(json.dumps(descriptor))
    for resource in out.get("resources", []):
        path = resource.get("path")
        if isinstance(path, str) and (root / path).is_file():
            resource["hash"], resource["bytes"] = file_stats(root / path)
    return out


def rehash(path: str | os.PathLike[str] = ".") -> list[str]:
    """Rewrite ``hash`` and ``bytes`` of every resource in place (atomically).

    Returns the names of the resources whose figures changed. Nothing else in
    the descriptor is touched.
    """
    p = descriptor_path(path)
    old = read_descriptor(p)
    new = refreshed(old, p.parent)
    changed = [
        str(n.get("name"))
        for o, n in zip(old.get("resources", []), new.get("resources", []), strict=True)
        if (o.get("hash"), o.get("bytes")) != (n.get("hash"), n.get("bytes"))
    ]
    if changed:
        mode = p.stat().st_mode & 0o777
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".datapackage.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(dumps(new))
        os.chmod(tmp, mode)  # keep the file's permissions (mkstemp creates 0600)
        os.replace(tmp, p)
    return changed
