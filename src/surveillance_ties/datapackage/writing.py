"""The one way files are written: atomically, inside their bounds, under a lock where it matters.

- :func:`write_atomic` writes a temporary file in the target's folder, flushes and fsyncs it,
  then renames it over the target: a reader sees the old file or the new one, never a part.
  On any failure the temporary file is removed and the old file is left whole.
- :func:`replace_all` moves a set of staged files into place together, and :func:`write_all`
  writes a set of files that way: if one move fails, the ones already moved are put back, so the
  targets are all new or all as they were.
- :func:`locked` holds an exclusive lock on a package folder while a command reads, changes and
  writes its ``datapackage.json`` or ``CITATION.cff``, so two commands cannot lose an update.

An ``OSError`` (read-only folder, full disk, permission) becomes a :class:`WriteError` with one
line that names the file and the fix.
"""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from surveillance_ties.datapackage.errors import WriteError

__all__ = ["LOCK_TIMEOUT", "fsync", "locked", "replace_all", "write_all", "write_atomic", "write_error"]

#: Seconds a command waits for another one's lock on the same package before giving up.
LOCK_TIMEOUT = 60.0
_LOCK_FILE = ".surveillance-ties.lock"  # only where the folder itself cannot be locked (Windows)


def write_error(path: Path | str, exc: OSError) -> WriteError:
    """The one-line :class:`WriteError` for an ``OSError`` while writing ``path``."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        fix = "free some disk space and run the command again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        fix = "make the folder writable (or give another one) and run the command again"
    else:
        fix = "check the folder and run the command again"
    return WriteError(f"{path}: cannot write ({reason}); nothing was changed; {fix}")


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def fsync(path: Path) -> None:
    """Flush a written file, or a folder's entries, to disk (a folder only where it can be opened)."""
    if path.is_dir() and os.name != "posix":  # pragma: no cover - folders cannot be opened on Windows
        return
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(
    path: Path | str, data: bytes, *, root: Path | str | None = None, mode: int | None = None
) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring).

    ``root``, when given, is the package folder: the target's folder must resolve inside it, so
    a link (``docs -> /elsewhere``) never leads a write out of the package. The file keeps its
    permissions (a new file gets ``mode``, default 0644).
    """
    path = Path(path)
    folder = path.parent
    if root is not None and not _inside(folder, Path(root)):
        raise WriteError(
            f"{path}: its folder leads outside the package {root} (a link?); "
            "replace the link with a real folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if mode is None:
            mode = path.stat().st_mode & 0o777 if path.is_file() and not path.is_symlink() else 0o644
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise write_error(path, exc) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise write_error(path, exc) from None
        raise
    fsync(folder)


def replace_all(staged: Mapping[Path, Path]) -> None:
    """Move each staged file onto its target (keys), all or none.

    Each staged file must be on the target's file system (in its folder, or a staging folder
    beside it). The previous targets are kept under hidden names beside them until every move
    has worked; on a failure the moved files are taken back and the previous ones restored, then
    a :class:`WriteError` names the file that could not be written.
    """
    moved: list[Path] = []
    backups: dict[Path, Path] = {}
    target = next(iter(staged), Path("."))
    try:
        for target, new in staged.items():
            if target.exists() or target.is_symlink():
                backup = target.with_name(f".{target.name}.{os.getpid()}.previous")
                os.replace(target, backup)
                backups[target] = backup
            os.replace(new, target)
            moved.append(target)
    except OSError as exc:
        for done in moved:
            with suppress(OSError):
                done.unlink()
        for original, backup in backups.items():
            with suppress(OSError):
                os.replace(backup, original)
        raise write_error(target, exc) from None
    for backup in backups.values():
        with suppress(OSError):
            backup.unlink()
    for folder in {t.parent for t in staged}:
        fsync(folder)


def write_all(files: Mapping[Path, bytes], *, root: Path | str | None = None) -> None:
    """Write several files together: all new, or (on any failure) all exactly as they were.

    Every file is first written to a temporary file in its target's folder and flushed to disk;
    only then do they replace their targets (:func:`replace_all`). ``root``, when given, is the
    package folder every target's folder must resolve inside (checked before anything is written).
    """
    paths = [Path(p) for p in files]
    if root is not None:
        for path in paths:
            if not _inside(path.parent if path.parent.exists() else Path(root), Path(root)):
                raise WriteError(
                    f"{path}: its folder leads outside the package {root} (a link?); "
                    "replace the link with a real folder"
                )
    staged: dict[Path, Path] = {}
    try:
        for path, data in zip(paths, files.values(), strict=True):
            mode = path.stat().st_mode & 0o777 if path.is_file() and not path.is_symlink() else 0o644
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged[path] = Path(name)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(name, mode)
        replace_all(staged)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        for tmp in staged.values():
            with suppress(OSError):
                tmp.unlink()


@contextmanager
def locked(folder: Path | str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (a package) for the ``with`` block.

    Another command that wants the lock waits, up to ``timeout`` seconds, then fails with a
    :class:`WriteError` saying so. On POSIX the folder itself is locked (``flock``), so no lock
    file is left behind.
    """
    folder = Path(folder)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        with _locked_file(folder, timeout):
            yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise write_error(folder, exc) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriteError(
                        f"{folder}: another surveillance-ties command has been changing this package "
                        f"for {timeout:.0f} s; wait for it to finish, then run the command again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def _locked_file(folder: Path, timeout: float) -> Iterator[None]:  # pragma: no cover - Windows
    import msvcrt

    path = folder / _LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise WriteError(
                        f"{folder}: another surveillance-ties command is changing this package; "
                        "wait for it to finish, then run the command again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
