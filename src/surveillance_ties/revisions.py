"""Opening any copy of the package: a folder, a ``datapackage.json``, a release zip or a git revision.

:func:`open_package` yields the folder that holds ``datapackage.json``. A zip
is extracted, and a git revision of the repository around ``base`` is
exported with ``git archive``, into a temporary folder that is removed when
the ``with`` block ends. Nothing is ever written into the repository.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DESCRIPTOR = "datapackage.json"
TAG_PATTERN = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


class PackageSourceError(Exception):
    """A package copy cannot be found or opened; the message says which and what to give instead."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise PackageSourceError(
            "git is not installed; give a package folder or a release zip instead"
        ) from None


def git_location(base: Path) -> tuple[Path, str] | None:
    """``(repository top folder, prefix of base inside it)``, or ``None`` outside a git work tree."""
    folder = base if base.is_dir() else base.parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        return None
    prefix = _git(["rev-parse", "--show-prefix"], folder)
    return Path(top.stdout.decode().strip()), prefix.stdout.decode().strip()


def is_revision(spec: str, base: Path) -> bool:
    """Whether ``spec`` names a commit of the git repository around ``base``."""
    if not spec or spec.startswith("-") or git_location(base) is None:
        return False
    folder = base if base.is_dir() else base.parent
    result = _git(["rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"], folder)
    return result.returncode == 0


def release_tags(base: Path) -> list[tuple[tuple[int, int, int], str]]:
    """The ``vX.Y.Z`` tags reachable from HEAD of the repository around ``base``, oldest version first."""
    if git_location(base) is None:
        return []
    folder = base if base.is_dir() else base.parent
    result = _git(["tag", "--list", "v*", "--merged", "HEAD"], folder)
    if result.returncode != 0:
        return []
    tags = []
    for line in result.stdout.decode().split():
        match = TAG_PATTERN.match(line)
        if match:
            major, minor, patch = (int(g) for g in match.groups())
            tags.append(((major, minor, patch), line))
    return sorted(tags)


def _package_folder(extracted: Path, what: str) -> Path:
    if (extracted / DESCRIPTOR).is_file():
        return extracted
    entries = [p for p in extracted.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and (entries[0] / DESCRIPTOR).is_file():
        return entries[0]
    raise PackageSourceError(f"{what}: holds no {DESCRIPTOR} at its top level")


def _extract_zip(path: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(into)  # strips absolute paths and `..`
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageSourceError(f"{path}: not a readable zip file ({exc})") from None
    return _package_folder(into, str(path))


def _export_revision(spec: str, base: Path, into: Path) -> Path:
    location = git_location(base)
    assert location is not None
    top, prefix = location
    treeish = f"{spec}:{prefix}" if prefix else f"{spec}^{{tree}}"
    result = _git(["archive", "--format=tar", treeish], top)
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        why = lines[-1] if lines else "git failed"
        raise PackageSourceError(f"git revision {spec!r}: cannot export {prefix or 'the package'} ({why})")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            archive.extractall(into)
    if not (into / DESCRIPTOR).is_file():
        raise PackageSourceError(f"git revision {spec!r}: has no {prefix}{DESCRIPTOR}")
    return into


@contextmanager
def open_package(spec: str | Path, base: str | Path = ".") -> Iterator[Path]:
    """Yield the folder holding the ``datapackage.json`` of ``spec``.

    ``spec`` is a package folder, a ``datapackage.json``, a release zip, or a
    git revision (``HEAD~1``, ``v0.1.0``, ``origin/main``) of the repository
    around ``base``; for a revision, the package is the one at ``base``'s place
    in the repository. An existing path wins over a revision of the same name.
    """
    text = str(spec)
    path = Path(text)
    base_path = Path(base)
    if path.is_dir():
        if not (path / DESCRIPTOR).is_file():
            raise PackageSourceError(f"{path}: no {DESCRIPTOR} in this folder (give a package folder)")
        yield path
        return
    if path.is_file():
        if path.name == DESCRIPTOR or path.suffix == ".json":
            yield path.parent
            return
        if zipfile.is_zipfile(path):
            with tempfile.TemporaryDirectory(prefix="surveillance-ties-") as tmp:
                yield _extract_zip(path, Path(tmp))
            return
        raise PackageSourceError(f"{path}: not a package folder, a {DESCRIPTOR} or a release zip")
    if is_revision(text, base_path):
        with tempfile.TemporaryDirectory(prefix="surveillance-ties-") as tmp:
            yield _export_revision(text, base_path, Path(tmp))
        return
    raise PackageSourceError(
        f"{text}: no such file, folder or git revision "
        f"(give a package folder, a {DESCRIPTOR}, a release zip or a revision such as HEAD~1 or v0.1.0)"
    )
