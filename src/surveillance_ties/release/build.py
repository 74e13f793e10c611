"""``build``: the release files of one version, reproducible to the byte and swapped in all at once.

:func:`build` validates the package, then writes into ``out`` (``dist/``):

- ``<name>-<version>.zip``: ``datapackage.json`` (with the current ``hash`` and ``bytes`` of
  every resource), everything under ``data/``, ``schemas/`` and ``seeds/``, ``README.md``,
  ``CHANGELOG.md``, ``LICENSE``, ``LICENSE-DATA`` and ``CITATION.cff``, and ``DATA.md``, the data
  dictionary generated from the zipped descriptor and schemas (so it always describes the data
  beside it; see :mod:`surveillance_ties.documents.dictionary`; a schema whose description leaves
  an allowed value unexplained stops the build). ``datapackage.json`` sits at the
  top of the archive, so ``frictionless validate <zip>`` reads it as a package.
- ``<name>-<version>.sqlite``: one table per resource, and the package's licence, version and
  column descriptions in its ``_metadata``, ``_tables`` and ``_columns`` tables (see
  :mod:`surveillance_ties.release.export`).
- ``<name>-<version>.metadata.json``: Datasette's metadata for that file (titles, descriptions,
  licence, source, foreign-key labels): ``datasette <name>-<version>.sqlite -m
  <name>-<version>.metadata.json``.
- ``<name>-<version>-<table>.parquet``: one Parquet file per table, with the field descriptions,
  the package's name, version and licence, and the pandas dtypes of ``st.load`` in its metadata.
- ``<name>-<version>.SHA256SUMS``: the sha256 of each of those files, in the format of
  ``sha256sum`` (check a download with ``sha256sum -c``).

Every file comes through the package layer: only regular files inside the package are read, and
a link, FIFO or device in the package folders stops the build (a release never holds them).

The zip is the same bytes on any machine: entries sorted by name, every timestamp 1980-01-01
00:00, no extra attributes, and no compression (``ZIP_STORED``): deflate output differs between
zlib builds (zlib and zlib-ng), stored bytes do not. Files have the Unix mode 0644; every folder
that holds a file has its own directory entry (``data/``, ``schemas/``, ``seeds/``...; mode 0755
and the MS-DOS directory flag), placed before what it holds, as clients that unpack a zip entry by
entry need (the npm ``datapackage`` client fails with ENOENT without them). The SQLite and Parquet
files are deterministic for given SQLite and pyarrow versions.

All or nothing: every file is written into a hidden staging folder inside ``out`` and flushed to
disk; then they replace their targets together (see
:func:`surveillance_ties.datapackage.writing.replace_all`). A failure at any step leaves ``out``
exactly as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveillance_ties.datapackage import (
    DataError,
    Package,
    PackageError,
    UnsafePathError,
    default_root,
    dumps,
    open_package,
)
from surveillance_ties.datapackage.descriptor import refreshed
from surveillance_ties.datapackage.hashing import digest_stream
from surveillance_ties.datapackage.stores import FolderStore
from surveillance_ties.datapackage.writing import fsync, replace_all, write_error

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644  # regular file, rw-r--r--
ZIP_DIR_MODE = 0o40755  # directory, rwxr-xr-x
_MSDOS_DIRECTORY = 0x10  # the directory flag in the low (MS-DOS) byte of external_attr
FOLDERS = ("data", "schemas", "seeds")
TOP_FILES = ("README.md", "CHANGELOG.md", "LICENSE", "LICENSE-DATA", "CITATION.cff")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

__all__ = [
    "BuildError",
    "BuildResult",
    "InvalidPackageError",
    "build",
    "release_entries",
    "write_zip",
    "zip_entries",
]


class BuildError(PackageError):
    """The package cannot be built; the message says what to fix."""


class InvalidPackageError(DataError):
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
    datasette: Path  # the Datasette metadata of the SQLite file
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
        from surveillance_ties.validation import validate

        validator = validate
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


def artifact_names(pkg: Package) -> tuple[str, str]:
    """``(name, version)`` of the package, checked to be safe in file names."""
    name, version = pkg.descriptor.get("name"), pkg.descriptor.get("version")
    if not isinstance(name, str) or not NAME.match(name):
        raise BuildError(
            f"datapackage.json: `name` {name!r} must be a lowercase name such as surveillance-ties"
        )
    if not isinstance(version, str) or not VERSION.match(version):
        raise BuildError(f"datapackage.json: `version` {version!r} must be MAJOR.MINOR.PATCH, such as 0.1.0")
    return name, version


def zip_entries(pkg: Package) -> dict[str, bytes]:
    """Archive name -> content of the files of ``pkg`` that its release zip carries (regular files
    of the package only). :func:`release_entries` adds the data dictionary; :func:`write_zip` the
    directory entries."""
    store = pkg.store
    missing = [name for name in TOP_FILES if not store.is_file(name)]
    if missing:
        raise BuildError(
            f"{pkg.label}: missing {', '.join(missing)} (or not regular files); "
            "a release carries them: add them first"
        )
    entries: dict[str, bytes] = {pkg.descriptor_file: dumps(refreshed(pkg)).encode("utf-8")}
    for name in TOP_FILES:
        entries[name] = pkg.read_bytes(name)
    refused: list[str] = []
    for folder in FOLDERS:
        files, links = store.walk(folder)
        refused += links
        for rel in files:
            entries[rel] = pkg.read_bytes(rel)
    if refused:
        what = "is a link or special file" if len(refused) == 1 else "are links or special files"
        raise UnsafePathError(
            f"{pkg.label}: {', '.join(refused)} {what}; "
            "a release holds regular files only: replace each with the file itself"
        )
    for resource in pkg.resources:  # a resource or schema outside the usual folders
        for extra in (resource.path, resource.schema_path):
            if extra is not None and extra not in entries:
                entries[extra] = pkg.read_bytes(extra)
    return entries


def _with_dictionary(pkg: Package, entries: dict[str, bytes]) -> dict[str, bytes]:
    from surveillance_ties.documents.dictionary import FILENAME, data_dictionary

    return {**entries, FILENAME: data_dictionary(pkg).encode("utf-8")}


def release_entries(pkg: Package) -> dict[str, bytes]:
    """What :func:`build` zips: :func:`zip_entries` and ``DATA.md``, the data dictionary generated
    from the package (raises
    :class:`~surveillance_ties.documents.dictionary.UndocumentedValueError` when a schema's
    description leaves an allowed value unexplained)."""
    return _with_dictionary(pkg, zip_entries(pkg))


def _folders(names: Iterable[str]) -> set[str]:
    """Every folder (``a/``, ``a/b/``) that holds one of the archive ``names``."""
    folders: set[str] = set()
    for name in names:
        parts = name.split("/")[:-1]
        folders.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    return folders


def write_zip(entries: dict[str, bytes], target: Path) -> None:
    """Write a reproducible zip of ``entries`` and a directory entry for each of their folders:
    sorted by name (a folder before what it holds), fixed dates and modes, stored uncompressed."""
    folders = _folders(entries)
    with open(target, "wb") as fh, zipfile.ZipFile(fh, "w") as archive:
        for name in sorted([*entries, *folders]):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # Unix, so that external_attr holds a Unix mode
            info.compress_type = zipfile.ZIP_STORED
            if name in folders:
                info.external_attr = ZIP_DIR_MODE << 16 | _MSDOS_DIRECTORY
                info.file_size = info.compress_size = info.CRC = 0
                archive.mkdir(info)
            else:
                info.external_attr = ZIP_MODE << 16
                archive.writestr(info, entries[name])
        fh.flush()
        os.fsync(fh.fileno())


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return digest_stream(fh)[0].hexdigest


def build(
    path: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = "dist",
    *,
    validator: Callable[[Path], Any] | None = None,
) -> BuildResult:
    """Validate the package at ``path`` (default: the package around the current folder) and write
    its release files into ``out``.

    Raises :class:`InvalidPackageError` when the package is invalid (nothing is written),
    :class:`BuildError` (a :class:`~surveillance_ties.datapackage.errors.PackageError`) when it
    cannot be built, and :class:`~surveillance_ties.datapackage.errors.WriteError` when ``out``
    cannot be written; in every case ``out`` is left as it was.
    """
    from surveillance_ties.release import export  # pyarrow loads only for a build

    with open_package(path if path is not None else default_root()) as pkg:
        if not isinstance(pkg.store, FolderStore):
            raise BuildError(f"{pkg.label}: a release is built from a package folder")
        root = pkg.store.root
        entries = zip_entries(pkg)  # refuses a link or special file before anything else
        check_valid(root, validator)
        entries = _with_dictionary(pkg, entries)  # refuses an undocumented allowed value
        name, version = artifact_names(pkg)
        stem = f"{name}-{version}"
        out_dir = Path(out)
        created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]  # deepest first
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{stem}-", suffix=".tmp", dir=out_dir))
        except OSError as exc:
            raise write_error(out_dir, exc) from None
        try:
            files: list[str] = [f"{stem}.zip", f"{stem}.sqlite", f"{stem}.metadata.json"]
            write_zip(entries, staging / files[0])
            export.write_sqlite(pkg, staging / files[1])
            (staging / files[2]).write_bytes(dumps(export.datasette_metadata(pkg, stem)).encode("utf-8"))
            for resource in pkg.resources:
                files.append(f"{stem}-{resource.name}.parquet")
                export.write_parquet(pkg, resource.name, staging / files[-1])
            sums = {f: _sha256(staging / f) for f in files}
            files.append(f"{stem}.SHA256SUMS")
            (staging / files[-1]).write_text(
                "".join(f"{sums[f]}  {f}\n" for f in sorted(sums)), encoding="utf-8"
            )
            for f in files:
                os.chmod(staging / f, 0o644)
                fsync(staging / f)
            replace_all({out_dir / f: staging / f for f in files})
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            for folder in created:  # remove the folders this build made, if still empty
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            if isinstance(exc, OSError):
                raise write_error(out_dir, exc) from None
            raise
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        zip=out_dir / files[0],
        sqlite=out_dir / files[1],
        datasette=out_dir / files[2],
        parquet=[out_dir / f for f in files[3:-1]],
        sums=out_dir / files[-1],
        sha256=sums,
    )
