"""Where a package is read from: the installed copy, a folder, a ``datapackage.json`` or a release zip.

A release zip is read in place (nothing is extracted) after every resource in
it has been checked against the ``hash`` (and ``bytes``) that the zip's own
``datapackage.json`` gives. An ``https://`` URL of a release zip is downloaded
once into the user's cache folder (see :mod:`surveillance_ties.fetch`).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from surveillance_ties.resources import DESCRIPTOR, package_root

SourceLike = str | os.PathLike[str] | None
HINT = "give a package folder, its datapackage.json, a release zip, or an https:// URL of one"


class SourceError(ValueError):
    """A package source cannot be read; the message names it and says how to fix it."""


class HashMismatchError(SourceError):
    """A file in a release zip does not match the ``hash`` or ``bytes`` in the zip's descriptor."""


@dataclass(frozen=True)
class PackageSource:
    """A readable copy of the package: a folder (``zip_path is None``) or a zip read in place.

    ``root`` is the folder of ``datapackage.json``; for a zip, ``prefix`` is
    the folder inside the zip that holds it (``""`` or ``"name/"``).
    """

    label: str
    descriptor: dict[str, Any]
    root: Path
    zip_path: Path | None = None
    prefix: str = ""

    def where(self, relpath: str) -> str:
        """How messages name a file of the package."""
        if self.zip_path is not None:
            return f"{self.label}:{self.prefix}{relpath}"
        return str(self.root / relpath)

    @contextmanager
    def open(self, relpath: str) -> Iterator[IO[bytes]]:
        """A binary stream of a file of the package (``relpath`` as in the descriptor)."""
        _check_relpath(relpath, self.label)
        if self.zip_path is None:
            try:
                with open(self.root / relpath, "rb") as fh:
                    yield fh
            except FileNotFoundError:
                raise SourceError(f"{self.where(relpath)}: no such file (the descriptor lists it)") from None
            return
        with zipfile.ZipFile(self.zip_path) as archive:
            try:
                member = archive.open(self.prefix + relpath)
            except KeyError:
                raise SourceError(f"{self.where(relpath)}: not in the zip, though listed") from None
            with member:
                yield member

    def csv_input(self, relpath: str) -> str | bytes:
        """What the CSV reader parses: a file's path (read natively by pyarrow), or a zip member's bytes."""
        _check_relpath(relpath, self.label)
        if self.zip_path is None:
            path = self.root / relpath
            if not path.is_file():
                raise SourceError(f"{self.where(relpath)}: no such file (the descriptor lists it)")
            return str(path)
        with self.open(relpath) as member:
            return member.read()

    def read_json(self, relpath: str) -> dict[str, Any]:
        """A JSON object stored in the package, such as a Table Schema."""
        with self.open(relpath) as fh:
            raw = fh.read()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(f"{self.where(relpath)}: not valid UTF-8 JSON ({exc})") from None
        if not isinstance(data, dict):
            raise SourceError(f"{self.where(relpath)}: must hold a JSON object")
        return data


def _check_relpath(relpath: str, label: str) -> None:
    if (
        not relpath
        or "://" in relpath
        or relpath.startswith(("/", "\\"))
        or ".." in relpath.replace("\\", "/").split("/")
    ):
        raise SourceError(
            f"{label}: {relpath!r} is not a path inside the package "
            "(resource and schema paths must be relative, without `..`)"
        )


def _parse_descriptor(raw: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{where}: not valid UTF-8 JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise SourceError(f"{where}: a data package descriptor needs a `resources` list")
    return data


def folder_source(descriptor_file: Path) -> PackageSource:
    """The package whose descriptor is ``descriptor_file``; paths resolve against its folder."""
    try:
        raw = descriptor_file.read_bytes()
    except OSError as exc:
        raise SourceError(f"{descriptor_file}: cannot be read ({exc.strerror}); {HINT}") from None
    return PackageSource(
        label=str(descriptor_file.parent),
        descriptor=_parse_descriptor(raw, str(descriptor_file)),
        root=descriptor_file.parent,
    )


def _descriptor_member(names: list[str], zip_path: str) -> str:
    if DESCRIPTOR in names:
        return DESCRIPTOR
    nested = [n for n in names if n.count("/") == 1 and n.endswith("/" + DESCRIPTOR)]
    if len(nested) == 1:
        return nested[0]
    raise SourceError(
        f"{zip_path}: holds no {DESCRIPTOR} at its top level or in one top-level folder; {HINT}"
    )


def _digest(algorithm: str, stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.new(algorithm)
    size = 0
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def _check_member(archive: zipfile.ZipFile, member: str, resource: dict[str, Any], zip_path: str) -> None:
    name = resource.get("name")
    expected = resource.get("hash")
    if not isinstance(expected, str) or not expected:
        raise SourceError(
            f"{zip_path}: resource {name!r} has no `hash` in the zip's {DESCRIPTOR}, so {member} cannot "
            "be checked (build release zips with `surveillance-ties build`, or run `surveillance-ties "
            "rehash` before zipping)"
        )
    algorithm, _, hexdigest = expected.rpartition(":")
    algorithm = algorithm or "md5"  # Frictionless: a bare hash is an md5 hash
    if algorithm not in hashlib.algorithms_available:
        raise SourceError(f"{zip_path}: resource {name!r} has a {algorithm!r} hash, which cannot be computed")
    try:
        with archive.open(member) as stream:
            actual, size = _digest(algorithm, stream)
    except KeyError:
        raise SourceError(f"{zip_path}: {member} is not in the zip, though listed") from None
    if actual != hexdigest.lower():
        raise HashMismatchError(
            f"{zip_path}: {member} does not match its hash in the zip's {DESCRIPTOR} "
            f"(expected {algorithm}:{hexdigest}, found {algorithm}:{actual}); the zip is damaged or was "
            "altered: download the release again"
        )
    if isinstance(resource.get("bytes"), int) and resource["bytes"] != size:
        raise HashMismatchError(
            f"{zip_path}: {member} has {size} bytes, not the {resource['bytes']} its {DESCRIPTOR} gives; "
            "download the release again"
        )


# (resolved path, size, mtime) -> checked source, so that load_all() checks a zip once.
_CHECKED: dict[tuple[str, int, int], PackageSource] = {}


def zip_source(zip_path: Path, label: str | None = None) -> PackageSource:
    """A release zip, read in place once every resource in it matches its ``hash``.

    Raises :class:`HashMismatchError` when a file does not match, and
    :class:`SourceError` when the zip is unreadable or has no descriptor.
    Messages name the zip as ``label`` (default: its path).
    """
    name = label or str(zip_path)
    try:
        stat = zip_path.stat()
        key = (str(zip_path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key in _CHECKED:
            return _CHECKED[key]
        with zipfile.ZipFile(zip_path) as archive:
            member = _descriptor_member(archive.namelist(), name)
            prefix = member[: -len(DESCRIPTOR)]
            descriptor = _parse_descriptor(archive.read(member), f"{name}:{member}")
            for resource in descriptor["resources"]:
                path = resource.get("path") if isinstance(resource, dict) else None
                if isinstance(path, str):
                    _check_relpath(path, name)
                    _check_member(archive, prefix + path, resource, name)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{name}: not a readable zip file ({exc}); {HINT}") from None
    source = PackageSource(
        label=name, descriptor=descriptor, root=Path(prefix or "."), zip_path=zip_path, prefix=prefix
    )
    _CHECKED[key] = source
    return source


def open_source(source: SourceLike = None) -> PackageSource:
    """Resolve ``source=`` of the loaders.

    ``None`` is the package installed with this library. Otherwise a folder
    holding ``datapackage.json``, a descriptor file, a release zip (path), or
    an ``https://`` (or ``file://``) URL of a release zip, downloaded once to
    :func:`surveillance_ties.fetch.cache_dir` and checked like a local zip.
    """
    if source is None:
        return folder_source(package_root() / DESCRIPTOR)
    text = os.fspath(source)
    if "://" in text:
        from surveillance_ties.fetch import fetch

        cached = fetch(text, check=lambda downloaded: zip_source(downloaded, label=text))
        return zip_source(cached, label=text)
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / DESCRIPTOR).is_file():
            raise SourceError(f"{path}: this folder has no {DESCRIPTOR}; {HINT}")
        return folder_source(path / DESCRIPTOR)
    if path.is_file():
        if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
            return zip_source(path)
        return folder_source(path)
    raise SourceError(f"{path}: no such file or folder; {HINT}")
