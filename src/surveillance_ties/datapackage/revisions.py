"""Git revisions of the repository around a package: is a name a revision, and the release tags.

The package as it is in a revision is read by :class:`~surveillance_ties.datapackage.stores.GitStore`
blob by blob; nothing is checked out or extracted.
"""

from __future__ import annotations

import re
from pathlib import Path

from surveillance_ties.datapackage.stores import git

__all__ = ["TAG_PATTERN", "git_location", "is_revision", "release_tags"]

TAG_PATTERN = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


def _folder(base: Path) -> Path:
    return base if base.is_dir() else base.parent


def git_location(base: Path) -> tuple[Path, str] | None:
    """``(repository top folder, prefix of base inside it)``, or ``None`` outside a git work tree."""
    folder = _folder(base)
    if not folder.is_dir():
        return None
    top = git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        return None
    prefix = git(["rev-parse", "--show-prefix"], folder)
    return Path(top.stdout.decode().strip()), prefix.stdout.decode().strip()


def is_revision(spec: str, base: Path) -> bool:
    """Whether ``spec`` names a commit of the git repository around ``base``."""
    if not spec or spec.startswith("-") or "\x00" in spec or git_location(base) is None:
        return False
    result = git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}"], _folder(base)
    )
    return result.returncode == 0


def release_tags(base: Path) -> list[tuple[tuple[int, int, int], str]]:
    """The ``vX.Y.Z`` tags reachable from HEAD of the repository around ``base``, oldest first."""
    if git_location(base) is None:
        return []
    result = git(["tag", "--list", "v*", "--merged", "HEAD"], _folder(base))
    if result.returncode != 0:
        return []
    tags = []
    for line in result.stdout.decode(errors="replace").split():
        match = TAG_PATTERN.match(line)
        if match:
            major, minor, patch = (int(g) for g in match.groups())
            tags.append(((major, minor, patch), line))
    return sorted(tags)
