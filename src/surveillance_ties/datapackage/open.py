"""Opening any copy of the package: the one entry point every command and loader uses.

:func:`open_package` accepts

- ``None``: the copy installed with this library (offline);
- a package folder, or its ``datapackage.json``;
- a release zip (read in place), optionally checked against a ``sha256``;
- an ``https://`` URL of a release zip (downloaded once into the cache, see
  :mod:`surveillance_ties.datapackage.fetch`);
- a release version, ``"v0.2.0"``: that release's zip, downloaded once from the project's GitHub
  releases into the same cache and checked against the release's ``SHA256SUMS`` (see
  :func:`surveillance_ties.datapackage.fetch.fetch_release`); a file or folder of that name
  wins, and with ``revisions=True`` the string is a git revision (the tag) instead;
- with ``revisions=True``, a git revision (``HEAD~1``, ``v0.1.0``, ``origin/main``) of the
  repository around ``base``: the package at ``base``'s place in that revision.

A zip or URL is opened only once every table in it matches the ``hash`` and ``bytes`` of its
descriptor (read as a stream, the declared size checked first). :func:`find_root` finds the
package folder above a folder, as git finds ``.git``.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from surveillance_ties.datapackage.descriptor import Package, read_package
from surveillance_ties.datapackage.errors import HashMismatchError, PackageError
from surveillance_ties.datapackage.hashing import Digest, digest_stream
from surveillance_ties.datapackage.installed import package_root
from surveillance_ties.datapackage.model import DESCRIPTOR
from surveillance_ties.datapackage.revisions import git_location, is_revision
from surveillance_ties.datapackage.stores import FolderStore, GitStore, Store, ZipStore

__all__ = ["HINT", "RELEASE_TAG", "SourceLike", "find_root", "open_package", "verify_tables"]

SourceLike = str | os.PathLike[str] | None
HINT = "give a package folder, its datapackage.json, a release zip, or an https:// URL of one"
#: A release version as a source: ``v`` and ``MAJOR.MINOR.PATCH``, the tag of the release.
RELEASE_TAG = re.compile(r"v((?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))")
# What may be meant as a version: numbers and dots, maybe a v before, maybe a pre-release after.
_VERSIONISH = re.compile(r"[vV]?[0-9]+(?:\.[0-9]+)*(?:[-+][0-9A-Za-z.+-]*)?")
_TAG = "a release version is its tag, v<MAJOR>.<MINOR>.<PATCH>"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``datapackage.json``, or ``None``."""
    here = start.absolute()
    for folder in (here, *here.parents):
        if (folder / DESCRIPTOR).is_file():
            return folder
    return None


def default_root() -> Path:
    """The package around the current folder (searched upwards); :class:`PackageError` if none."""
    cwd = Path.cwd()
    root = find_root(cwd)
    if root is None:
        raise PackageError(
            f"no {DESCRIPTOR} in {cwd} or any folder above it; run the command inside a package "
            "folder, or give the folder (or its datapackage.json) as PATH"
        )
    return root


def verify_tables(package: Package) -> None:
    """Check every table of ``package`` against its descriptor's ``bytes`` and ``hash``.

    The declared size is compared with the stored size before a byte is read; the hash is
    computed on a stream. Raises :class:`HashMismatchError` naming the file.
    """
    store = package.store
    for resource in package.resources:
        where = store.where(resource.path)
        if resource.hash is None:
            raise HashMismatchError(
                f"{where}: has no `hash` in the descriptor, so it cannot be checked (build release zips "
                "with `surveillance-ties build`)"
            )
        expected = Digest.parse(resource.hash)
        if not expected.computable:
            raise HashMismatchError(f"{where}: its hash algorithm {expected.algorithm!r} cannot be computed")
        size = store.size(resource.path)
        if resource.bytes is not None and resource.bytes != size:
            raise HashMismatchError(
                f"{where}: has {size} bytes, not the {resource.bytes} its descriptor gives; "
                "the copy is damaged or was altered: get it again"
            )
        with store.open(resource.path) as stream:
            actual, _ = digest_stream(stream, expected.algorithm)
        if actual.hexdigest != expected.hexdigest:
            raise HashMismatchError(
                f"{where}: does not match its hash in the descriptor (expected {expected}, found "
                f"{expected.algorithm}:{actual.hexdigest}); the copy is damaged or was altered: get it again"
            )


def _zip(path: Path, label: str, sha256: str | None) -> Package:
    if sha256 is not None:
        with open(path, "rb") as fh:
            actual, _ = digest_stream(fh, "sha256")
        if actual.hexdigest != sha256.lower():
            raise HashMismatchError(
                f"{label}: its sha256 is {actual.hexdigest}, not {sha256.lower()}; do not use this copy"
            )
    store = ZipStore(path, DESCRIPTOR, label)
    package = read_package(store)
    try:
        package.require_valid()
        verify_tables(package)
    except PackageError:
        store.close()
        raise
    return package


def _store(spec: str, *, revisions: bool, base: Path) -> tuple[Store, str] | Path:
    """The store and descriptor name of a local ``spec``, or the path of a zip to open."""
    path = Path(spec).expanduser()
    if path.is_dir():
        if (path / DESCRIPTOR).exists() or (path / DESCRIPTOR).is_symlink():
            return FolderStore(path), DESCRIPTOR
        above = find_root(path)
        extra = f" (the package above it is {above}: give that folder)" if above is not None else ""
        raise PackageError(f"{path}: this folder has no {DESCRIPTOR}{extra}; {HINT}")
    if path.is_file():
        if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
            return path
        if path.suffix.lower() == ".json":
            return FolderStore(path.parent), path.name
        raise PackageError(f"{path}: not a package folder, a {DESCRIPTOR} or a release zip; {HINT}")
    if path.is_symlink() or path.exists():
        raise PackageError(f"{path}: not a regular file or folder; {HINT}")
    if revisions and is_revision(spec, base):
        location = git_location(base)
        assert location is not None
        top, prefix = location
        store = GitStore(top, spec, prefix)
        if not store.is_file(DESCRIPTOR):
            raise PackageError(f"git revision {spec}: has no {prefix}{DESCRIPTOR}")
        return store, DESCRIPTOR
    what = "file, folder or git revision" if revisions else "file or folder"
    revision_hint = (
        " or a revision such as HEAD~1 or v0.1.0" if revisions else ", or a release version (v0.1.0)"
    )
    if not revisions and _VERSIONISH.fullmatch(spec):
        fix = f"): give v{spec}" if RELEASE_TAG.fullmatch(f"v{spec}") else ", such as v0.1.0)"
        raise PackageError(f"{spec}: no such file or folder, nor a release version ({_TAG}{fix}")
    raise PackageError(f"{spec}: no such {what}; {HINT}{revision_hint}")


def _release(version: str, sha256: str | None) -> Package:
    """The zip of release ``version`` (``X.Y.Z``), from the cache or downloaded (see
    :func:`~surveillance_ties.datapackage.fetch.fetch_release`); it must hold that version."""
    from surveillance_ties.datapackage.fetch import fetch_release, release_url

    with read_package(FolderStore(package_root())) as installed:
        name, homepage = installed.name, installed.descriptor.get("homepage")
    if not name or not isinstance(homepage, str) or not homepage:
        raise PackageError(
            f"v{version}: the installed {DESCRIPTOR} has no `name` or `homepage`, so the release "
            "cannot be found; give the https:// URL of its zip"
        )
    label = release_url(name, version, homepage)

    def check(path: Path) -> None:
        with _zip(path, label, None) as pkg:
            if pkg.version != version:
                raise PackageError(
                    f"{label}: holds version {pkg.version or '(none)'}, not {version}; "
                    "the release files were mixed up: report it"
                )

    url, cached = fetch_release(name, version, homepage, check, sha256=sha256)
    return _zip(cached, url, None)


def open_package(
    source: SourceLike = None,
    *,
    revisions: bool = False,
    base: str | os.PathLike[str] = ".",
    sha256: str | None = None,
    strict: bool = True,
) -> Package:
    """Open a copy of the package (see the module docstring); close it when done.

    With ``strict`` (the default) a descriptor or schema problem raises
    :class:`~surveillance_ties.datapackage.errors.DescriptorError`; with ``strict=False`` (what the
    validator uses) the problems are returned in :attr:`Package.problems`. Every failure to
    open is a :class:`~surveillance_ties.datapackage.errors.PackageError` whose message names the
    copy and says what to give instead.
    """
    if source is None:
        package = read_package(FolderStore(package_root()))
        return package.require_valid() if strict else package
    text = os.fspath(source)
    if "://" in text:
        from surveillance_ties.datapackage.fetch import fetch

        def check(path: Path) -> None:
            _zip(path, text, None).close()

        cached = fetch(text, check, sha256=sha256)
        return _zip(cached, text, None)
    tag = RELEASE_TAG.fullmatch(text)
    if tag is not None and not revisions and not os.path.lexists(text):
        return _release(tag.group(1), sha256)
    found = _store(text, revisions=revisions, base=Path(base))
    if isinstance(found, Path):
        return _zip(found, str(found), sha256) if strict else read_package(ZipStore(found, DESCRIPTOR))
    store, descriptor = found
    package = read_package(store, descriptor)
    if strict:
        try:
            package.require_valid()
        except PackageError:
            store.close()
            raise
    return package
