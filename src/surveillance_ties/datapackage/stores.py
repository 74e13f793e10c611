"""Where the bytes of a package copy come from: a folder, a zip read in place, or a git revision.

A :class:`Store` is the only thing in surveillance-ties that turns a package-relative path into
a file handle, and it does so safely, whatever the descriptor or the archive says:

- the path must be relative, with forward slashes, without ``..``, a URL scheme or a drive
  (:func:`unsafe_reason`);
- in a folder, the file must resolve inside the package folder (no link out of it) and be a
  regular file (no folder, FIFO or device: such files are opened without blocking, then
  refused), so nothing outside the package is ever read and nothing can hang the reader;
- in a zip, the member must be a regular file under the package's folder in the archive;
- in a git revision, the blob must be a regular file (a link or a submodule is refused).

Reads can be bounded (``limit``): a descriptor or a schema larger than :data:`JSON_LIMIT` is
refused before it is read.
"""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import zipfile
import zlib
from abc import ABC, abstractmethod
from pathlib import Path, PurePosixPath
from typing import IO

from surveillance_ties.datapackage.errors import (
    MissingFileError,
    PackageError,
    RevisionError,
    UnsafePathError,
)

__all__ = [
    "JSON_LIMIT",
    "FolderStore",
    "GitStore",
    "Store",
    "ZipStore",
    "check_relpath",
    "unsafe_reason",
]

#: The largest descriptor or Table Schema that is read (bytes).
JSON_LIMIT = 16 << 20
#: Seconds a git command may take.
GIT_TIMEOUT = 120
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
    | getattr(os, "O_NOFOLLOW", 0)  # the resolved path holds no link; refuse one swapped in
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def unsafe_reason(path: str) -> str | None:
    """Why ``path`` is not a safe package-relative path, or ``None`` when it is one."""
    if not path:
        return "is empty"
    if "\x00" in path:
        return "contains a NUL character"
    if _SCHEME.match(path) or path.startswith("//"):
        return "is a URL or a drive (the package is read from local files only)"
    if path.startswith("/") or "\\" in path:
        return "is not a relative path with forward slashes"
    if ".." in PurePosixPath(path).parts:
        return "contains `..`"
    return None


def check_relpath(path: str, where: str) -> None:
    """Raise :class:`UnsafePathError` naming ``where`` unless ``path`` is a safe relative path."""
    why = unsafe_reason(path)
    if why is not None:
        raise UnsafePathError(
            f"{where}: the path {path!r} {why}; use a relative path inside the package, "
            "such as data/organizations.csv"
        )


def _too_large(where: str, size: int, limit: int) -> PackageError:
    return PackageError(
        f"{where}: {size} bytes is more than the {limit} this file may have; is it the right file?"
    )


class Store(ABC):
    """Read-only access to the files of one copy of a package (paths relative to its root)."""

    #: How messages name this copy (a folder, a zip, a URL, ``git revision X``).
    label: str

    def where(self, rel: str) -> str:
        """How messages name the file ``rel`` of this copy."""
        return f"{self.label}/{rel}" if self.label else rel

    @abstractmethod
    def size(self, rel: str) -> int:
        """The size in bytes of the regular file ``rel`` (checked like a read)."""

    @abstractmethod
    def open(self, rel: str) -> IO[bytes]:
        """A binary stream of the regular file ``rel``; the caller closes it."""

    def read_bytes(self, rel: str, limit: int | None = None) -> bytes:
        """The bytes of ``rel``; :class:`PackageError` when it has more than ``limit``."""
        if limit is not None:
            size = self.size(rel)
            if size > limit:
                raise _too_large(self.where(rel), size, limit)
        with self.open(rel) as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise _too_large(self.where(rel), len(data), limit)
        return data

    def is_file(self, rel: str) -> bool:
        """Whether ``rel`` is a safe path to a regular file of this copy (never raises)."""
        try:
            self.size(rel)
        except PackageError:
            return False
        return True

    @abstractmethod
    def walk(self, folder: str) -> tuple[list[str], list[str]]:
        """``(regular files, refused entries)`` under ``folder``, as sorted relative paths.

        Refused entries are links, FIFOs, devices and other non-regular files: a release never
        holds them. Hidden entries (``.x``) and ``__pycache__`` are left out of both lists.
        """

    def _walk_listing(self, names: list[str], folder: str) -> tuple[list[str], list[str]]:
        """:meth:`walk` over the listing of an archive (every path it holds)."""
        check_relpath(folder, self.where(folder))
        files: list[str] = []
        refused: list[str] = []
        for rel in sorted(names):
            if rel.startswith(folder.rstrip("/") + "/") and not _hidden(rel):
                (files if self.is_file(rel) else refused).append(rel)
        return files, refused

    def local_path(self, rel: str) -> Path | None:
        """The checked real path of ``rel`` on disk, for readers that open files by path
        (``None`` for copies that are not a folder)."""
        return None

    def close(self) -> None:  # noqa: B027 - most stores hold nothing open
        """Release what the store holds open."""


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in PurePosixPath(rel).parts)


class FolderStore(Store):
    """A package folder on disk."""

    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = root
        self.label = label if label is not None else str(root)
        self._real_root = os.path.realpath(root)

    def where(self, rel: str) -> str:
        return str(self.root / rel)

    def _real(self, rel: str) -> str:
        check_relpath(rel, self.where(rel))
        real = os.path.realpath(self.root / rel)
        if not Path(real).is_relative_to(self._real_root):
            raise UnsafePathError(
                f"{self.where(rel)}: leads outside the package through a link; "
                "replace the link with the file itself"
            )
        return real

    def _fd(self, rel: str) -> int:
        real = self._real(rel)
        try:
            fd = os.open(real, _OPEN_FLAGS)
        except FileNotFoundError:
            raise MissingFileError(
                f"{self.where(rel)}: no such file; add it, or correct the path that names it"
            ) from None
        except OSError as exc:
            raise PackageError(f"{self.where(rel)}: cannot be read ({exc.strerror})") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            kind = (
                "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, socket or device)"
            )
            raise UnsafePathError(f"{self.where(rel)}: is {kind}; a package holds regular files only")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return fd

    def size(self, rel: str) -> int:
        fd = self._fd(rel)
        try:
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def open(self, rel: str) -> IO[bytes]:
        return os.fdopen(self._fd(rel), "rb")

    def local_path(self, rel: str) -> Path | None:
        self.size(rel)  # the same checks as a read
        return Path(self._real(rel))

    def walk(self, folder: str) -> tuple[list[str], list[str]]:
        check_relpath(folder, self.where(folder))
        base = self.root / folder
        if base.is_symlink() or not base.is_dir():
            return [], ([folder] if base.is_symlink() else [])
        files: list[str] = []
        refused: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            here = Path(dirpath)
            for name in sorted(dirnames):
                if (here / name).is_symlink():
                    rel = (here / name).relative_to(self.root).as_posix()
                    if not _hidden(rel):
                        refused.append(rel)
            dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink())
            for name in filenames:
                rel = (here / name).relative_to(self.root).as_posix()
                if _hidden(rel):
                    continue
                mode = os.lstat(here / name).st_mode
                (files if stat.S_ISREG(mode) else refused).append(rel)
        return sorted(files), sorted(refused)


class ZipStore(Store):
    """A release zip, read in place: the package is the folder of the archive that holds
    ``datapackage.json`` (its top level, or one folder under it)."""

    def __init__(self, path: Path, descriptor: str, label: str | None = None) -> None:
        self.path = path
        self.label = label or str(path)
        try:
            self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise PackageError(f"{self.label}: cannot be read ({exc.strerror})") from None
        try:
            self._zip = zipfile.ZipFile(self._file)
            self._members = self._index(descriptor)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            self.close()
            raise PackageError(f"{self.label}: not a readable zip file ({exc})") from None
        except PackageError:
            self.close()
            raise

    def _index(self, descriptor: str) -> dict[str, zipfile.ZipInfo]:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            name = info.filename
            why = unsafe_reason(name.rstrip("/")) if name.rstrip("/") else "is empty"
            if why is not None:
                raise UnsafePathError(
                    f"{self.label}: the archive member {name!r} {why}; this is not a release zip"
                )
            if name in members:
                raise PackageError(
                    f"{self.label}: the archive holds {name!r} twice; this is not a release zip"
                )
            members[name] = info
        if descriptor in members:
            self.prefix = ""
        else:
            nested = [n for n in members if n.count("/") == 1 and n.endswith("/" + descriptor)]
            if len(nested) != 1:
                raise MissingFileError(
                    f"{self.label}: holds no {descriptor} at its top level or in one top-level folder; "
                    "give a release zip of the package"
                )
            self.prefix = nested[0][: -len(descriptor)]
        return {
            n[len(self.prefix) :]: info
            for n, info in members.items()
            if n.startswith(self.prefix) and not info.is_dir()
        }

    def where(self, rel: str) -> str:
        return f"{self.label}:{self.prefix}{rel}"

    def _info(self, rel: str) -> zipfile.ZipInfo:
        check_relpath(rel, self.where(rel))
        info = self._members.get(rel)
        if info is None:
            raise MissingFileError(f"{self.where(rel)}: not in the zip")
        kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
        if kind and kind != stat.S_IFREG:  # zip tools often store the permissions alone (no kind)
            raise UnsafePathError(f"{self.where(rel)}: is a link or special file, not a regular file")
        return info

    def size(self, rel: str) -> int:
        return int(self._info(rel).file_size)

    def open(self, rel: str) -> IO[bytes]:
        info = self._info(rel)
        try:
            return self._zip.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
            raise PackageError(f"{self.where(rel)}: cannot be read from the zip ({exc})") from None

    def read_bytes(self, rel: str, limit: int | None = None) -> bytes:
        try:
            return super().read_bytes(rel, limit)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise PackageError(f"{self.where(rel)}: cannot be read from the zip ({exc})") from None

    def walk(self, folder: str) -> tuple[list[str], list[str]]:
        return self._walk_listing(list(self._members), folder)

    def close(self) -> None:
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()
        fh = getattr(self, "_file", None)
        if fh is not None:
            fh.close()


def git(args: list[str], cwd: Path, *, timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    """Run ``git`` with ``args`` in ``cwd`` (no prompt, bounded in time)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, timeout=timeout, env=env
        )
    except FileNotFoundError:
        raise RevisionError("git is not installed; give a package folder or a release zip instead") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {args[0]} took more than {timeout:.0f} s in {cwd}; try again") from None


class GitStore(Store):
    """The package as it is in a git revision, read blob by blob (nothing is checked out)."""

    def __init__(self, top: Path, revision: str, prefix: str) -> None:
        self.top = top
        self.revision = revision
        self.prefix = prefix
        self.label = f"git revision {revision}"
        listing = git(["ls-tree", "-r", "-z", "-l", "--full-tree", f"{revision}^{{commit}}"], top)
        if listing.returncode != 0:
            why = listing.stderr.decode(errors="replace").strip().splitlines()
            raise RevisionError(f"{self.label}: cannot be listed ({why[-1] if why else 'git failed'})")
        self._entries: dict[str, tuple[str, str, int]] = {}
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, path_bytes = record.partition(b"\t")
            mode, kind, obj, size = meta.decode().split()
            path = path_bytes.decode("utf-8", errors="replace")
            if path.startswith(prefix):
                self._entries[path[len(prefix) :]] = (mode, obj, int(size) if size.isdigit() else 0)

    def where(self, rel: str) -> str:
        return f"{self.revision}:{self.prefix}{rel}"

    def _entry(self, rel: str) -> tuple[str, str, int]:
        check_relpath(rel, self.where(rel))
        entry = self._entries.get(rel)
        if entry is None:
            raise MissingFileError(f"{self.where(rel)}: no such file in that revision")
        if entry[0] not in ("100644", "100755"):
            raise UnsafePathError(f"{self.where(rel)}: is a link or a submodule, not a regular file")
        return entry

    def size(self, rel: str) -> int:
        return self._entry(rel)[2]

    def open(self, rel: str) -> IO[bytes]:
        _, obj, _ = self._entry(rel)
        blob = git(["cat-file", "blob", obj], self.top)
        if blob.returncode != 0:
            raise RevisionError(f"{self.where(rel)}: cannot be read from git")
        return io.BytesIO(blob.stdout)

    def walk(self, folder: str) -> tuple[list[str], list[str]]:
        return self._walk_listing(list(self._entries), folder)
