"""``build``: the release files of one version, reproducible to the byte and written atomically.

:func:`build` validates the package, then writes into ``out`` (``dist/``):

- ``<name>-<version>.zip``: ``datapackage.json`` (with the current ``hash`` and
  ``bytes`` of every resource), everything under ``data/``, ``schemas/`` and
  ``seeds/``, and ``README.md``, ``CHANGELOG.md``, ``LICENSE``,
  ``LICENSE-DATA`` and ``CITATION.cff``. ``datapackage.json`` sits at the top
  of the archive, so ``frictionless validate <zip>`` reads it as a package.
- ``<name>-<version>.sqlite``: one table per resource (see :mod:`surveillance_ties.export`).
- ``<name>-<version>-<table>.parquet``: one Parquet file per table.
- ``<name>-<version>.SHA256SUMS``: the sha256 of each of those files, in the
  format of ``sha256sum`` (check a download with ``sha256sum -c``).

The zip is the same bytes on any machine: entries sorted by name, every
timestamp 1980-01-01 00:00, permissions 0644, no extra attributes, no
directory entries, and no compression (``ZIP_STORED``): deflate output
differs between zlib builds (zlib and zlib-ng), stored bytes do not. The
SQLite and Parquet files are deterministic for given SQLite and pyarrow
versions.

Atomic: every file is written into a hidden staging folder inside ``out``,
flushed to disk, and only then moved into place with :func:`os.replace`. A
failure at any step removes the staging folder and leaves ``out`` as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveillance_ties.descriptor import descriptor_path, dumps, read_descriptor, refreshed
from surveillance_ties.tableio import table_resources

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644  # regular file, rw-r--r--
FOLDERS = ("data", "schemas", "seeds")
TOP_FILES = ("README.md", "CHANGELOG.md", "LICENSE", "LICENSE-DATA", "CITATION.cff")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class BuildError(Exception):
    """The package cannot be built; the message says what to fix."""


class InvalidPackageError(BuildError):
    """The package does not validate; ``errors`` holds the validator's errors."""

    def __init__(self, message: str, errors: list[Any]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass
class BuildResult:
    """The files a build wrote (paths inside ``out``) and the sha256 of each."""

    zip: Path
    sqlite: Path
    parquet: list[Path]
    sums: Path
    sha256: dict[str, str] = field(default_factory=dict)


def _describe(error: Any) -> str:
    where = ":".join(
        str(p)
        for p in (getattr(error, "file", None), getattr(error, "row", None), getattr(error, "column", None))
        if p not in (None, "")
    )
    message = getattr(error, "message", str(error))
    return f"{where}: {message}" if where else str(message)


def check_valid(root: Path, validator: Callable[[Path], Any] | None = None) -> None:
    """Raise :class:`InvalidPackageError` naming the errors when the package does not validate."""
    if validator is None:
        import surveillance_ties

        validator = surveillance_ties.validate
    report = validator(root)
    if report.valid:
        return
    errors = list(report.errors)
    count = getattr(report, "error_count", len(errors))
    shown = "\n".join(f"  {_describe(e)}" for e in errors[:20])
    more = f"\n  ... and {count - 20} more" if count > 20 else ""
    raise InvalidPackageError(
        f"{root}: the package is invalid ({count} error{'s' if count != 1 else ''}), nothing was built; "
        f"fix these and run `surveillance-ties validate`:\n{shown}{more}",
        errors,
    )


def artifact_names(descriptor: dict[str, Any]) -> tuple[str, str]:
    """``(name, version)`` of the package, checked to be safe in file names."""
    name, version = descriptor.get("name"), descriptor.get("version")
    if not isinstance(name, str) or not NAME.match(name):
        raise BuildError(
            f"datapackage.json: `name` {name!r} must be a lowercase name such as surveillance-ties"
        )
    if not isinstance(version, str) or not VERSION.match(version):
        raise BuildError(f"datapackage.json: `version` {version!r} must be MAJOR.MINOR.PATCH, such as 0.1.0")
    return name, version


def zip_entries(root: Path, descriptor: dict[str, Any]) -> dict[str, bytes | Path]:
    """Archive name -> content (bytes, or the file to copy) of the release zip, for a package folder."""
    missing = [name for name in TOP_FILES if not (root / name).is_file()]
    if missing:
        raise BuildError(f"{root}: missing {', '.join(missing)} (a release carries them; add them first)")
    entries: dict[str, bytes | Path] = {
        "datapackage.json": dumps(refreshed(descriptor, root)).encode("utf-8")
    }
    for name in TOP_FILES:
        entries[name] = root / name
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and not any(
                part.startswith(".") or part == "__pycache__" for part in rel.parts
            ):
                entries[rel.as_posix()] = path
    for resource in table_resources(descriptor):  # a resource or schema outside the usual folders
        for key in ("path", "schema"):
            value = resource.get(key)
            if isinstance(value, str) and (root / value).is_file():
                entries.setdefault(Path(value).as_posix(), root / value)
    return entries


def write_zip(entries: dict[str, bytes | Path], target: Path) -> None:
    """Write a reproducible zip: sorted entries, fixed dates and modes, stored uncompressed."""
    with open(target, "wb") as fh, zipfile.ZipFile(fh, "w") as archive:
        for name in sorted(entries):
            content = entries[name]
            data = content if isinstance(content, bytes) else content.read_bytes()
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # Unix, so that external_attr holds a Unix mode
            info.external_attr = ZIP_MODE << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
        fh.flush()
        os.fsync(fh.fileno())


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build(
    path: str | os.PathLike[str] = ".",
    out: str | os.PathLike[str] = "dist",
    *,
    validator: Callable[[Path], Any] | None = None,
) -> BuildResult:
    """Validate the package at ``path`` and write its release files into ``out``.

    Raises :class:`InvalidPackageError` when the package is invalid (nothing is
    written), :class:`BuildError` when it cannot be built, and
    :class:`surveillance_ties.descriptor.DescriptorError` when there is no
    readable ``datapackage.json``.
    """
    from surveillance_ties import export  # pyarrow loads only for a build

    root = descriptor_path(path).parent
    descriptor = read_descriptor(root)
    check_valid(root, validator)
    name, version = artifact_names(descriptor)
    stem = f"{name}-{version}"
    entries = zip_entries(root, descriptor)
    out_dir = Path(out)
    created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]  # deepest first
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{stem}-", suffix=".tmp", dir=out_dir))
    try:
        files: list[str] = [f"{stem}.zip", f"{stem}.sqlite"]
        write_zip(entries, staging / files[0])
        export.write_sqlite(descriptor, root, staging / files[1])
        for resource in table_resources(descriptor):
            files.append(f"{stem}-{resource['name']}.parquet")
            export.write_parquet(resource, root, staging / files[-1])
        sums = {f: sha256(staging / f) for f in files}
        files.append(f"{stem}.SHA256SUMS")
        (staging / files[-1]).write_text("".join(f"{sums[f]}  {f}\n" for f in sorted(sums)), encoding="utf-8")
        for f in files:
            os.chmod(staging / f, 0o644)
            _fsync(staging / f)
        for f in files:
            os.replace(staging / f, out_dir / f)
        _fsync(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # remove the folders this build made, if still empty
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        zip=out_dir / files[0],
        sqlite=out_dir / files[1],
        parquet=[out_dir / f for f in files[2:-1]],
        sums=out_dir / files[-1],
        sha256=sums,
    )
