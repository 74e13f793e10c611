"""Helpers for the validator's unit tests: copies of the fixture package with one defect each."""

from __future__ import annotations

import hashlib
from pathlib import Path

from surveillance_ties.curation import rehash
from surveillance_ties.validation import Report

from .conftest import FIXTURE, copy_package  # noqa: F401  (re-exported for the validate tests)

Found = tuple[str, str, int | None, str | None]


def edit(root: Path, file: str, old: str, new: str, *, refresh: bool = True) -> None:
    """Replace the one occurrence of ``old`` in ``file`` (then refresh hash and bytes)."""
    path = root / file
    text = path.read_bytes().decode("utf-8")
    assert text.count(old) == 1, (file, old)
    path.write_bytes(text.replace(old, new).encode("utf-8"))
    if refresh:
        rehash(root)


def write(root: Path, file: str, data: bytes | str, *, refresh: bool = True) -> None:
    """Overwrite ``file`` with ``data`` (text is written as UTF-8; then refresh hash and bytes)."""
    (root / file).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if refresh:
        rehash(root)


def line_of(root: Path, file: str, needle: str) -> int:
    """The editor line (1-based) of the first line of ``file`` that contains ``needle``."""
    for number, line in enumerate((root / file).read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def found(report: Report) -> list[Found]:
    """The report's errors as sorted ``(code, file, row, column)`` tuples."""
    return sorted(
        ((e.code, e.file, e.row, e.column) for e in report.errors),
        key=lambda f: (f[0], f[1], f[2] or 0, f[3] or ""),
    )


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (to prove nothing was written)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
