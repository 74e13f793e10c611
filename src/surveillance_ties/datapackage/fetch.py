"""Downloading a release zip once into the user's cache folder, within bounds, and checked.

``load(name, source="https://…/surveillance-ties-X.Y.Z.zip")`` downloads the zip the first time
and reads the cached copy afterwards, so it works offline from then on. Every download:

- uses ``https`` only, through every redirect (a redirect to ``http`` is refused);
- has a total deadline (:data:`TIMEOUT`, 300 s, or ``SURVEILLANCE_TIES_DOWNLOAD_TIMEOUT``) that
  covers connecting, the headers and the body, however slowly a server sends them, and is
  stopped sooner if the server sends nothing for 30 s;
- has a size cap (:data:`MAX_BYTES`, 1 GiB, or ``SURVEILLANCE_TIES_DOWNLOAD_MAX_BYTES``);
- is written to a temporary file that no other process sees (an unnamed file where the system
  has them; elsewhere a ``.part-<pid>-…`` file that the next download removes once its process
  is gone), checked, and only then moved into the cache;
- is checked against the sha256 the release publishes (its ``SHA256SUMS`` file, fetched from
  beside the zip) or a ``sha256=`` the caller gives, which covers every byte of the zip,
  schemas included; and every table in it against its descriptor ``hash``.

A cached zip is checked again each time it is opened; one that fails is downloaded once more,
and if that fails too the message names the cache file. The cache folder is
``platformdirs.user_cache_dir("surveillance-ties")`` unless ``SURVEILLANCE_TIES_CACHE_DIR``
names another. Proxies come from the usual ``https_proxy`` variables.

A release is also found by its version (``load(name, source="v0.2.0")``, see
:func:`fetch_release`): its zip is ``<homepage>/releases/download/v0.2.0/surveillance-ties-0.2.0.zip``,
the address of a GitHub release's files (``homepage`` and the name come from the installed
``datapackage.json``), with ``surveillance-ties-0.2.0.SHA256SUMS`` beside it, as
:mod:`surveillance_ties.release.build` names them. ``SURVEILLANCE_TIES_RELEASES_URL`` replaces
``<homepage>/releases/download`` (a mirror, or a test server).
"""

from __future__ import annotations

import hashlib
import http.client
import math
import os
import re
import shutil
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from surveillance_ties.datapackage.errors import FetchError, HashMismatchError, PackageError, WriteError
from surveillance_ties.datapackage.hashing import BLOCK

__all__ = [
    "CACHE_ENV",
    "MAX_BYTES",
    "MAX_BYTES_ENV",
    "RELEASES_ENV",
    "TIMEOUT",
    "TIMEOUT_ENV",
    "cache_dir",
    "cached_path",
    "fetch",
    "fetch_bytes",
    "fetch_release",
    "published_sha256",
    "release_url",
]

CACHE_ENV = "SURVEILLANCE_TIES_CACHE_DIR"
TIMEOUT_ENV = "SURVEILLANCE_TIES_DOWNLOAD_TIMEOUT"
MAX_BYTES_ENV = "SURVEILLANCE_TIES_DOWNLOAD_MAX_BYTES"
#: The folder URL of every release's files (``<it>/v<version>/<name>-<version>.zip``), unless the
#: installed descriptor's ``homepage`` + ``/releases/download`` (a GitHub repository's).
RELEASES_ENV = "SURVEILLANCE_TIES_RELEASES_URL"
#: Seconds a whole download may take (connecting, headers and body), unless set otherwise.
TIMEOUT = 300.0
#: Bytes a download may have, unless set otherwise.
MAX_BYTES = 1 << 30
#: The largest SHA256SUMS file that is read.
SUMS_LIMIT = 1 << 16
#: Seconds a server may send nothing (while connecting or sending) before the download is stopped.
_STALL = 30.0
_READ = 64 << 10
_PART = re.compile(r"^\.part-(\d+)-")


def _setting(env: str, default: float, what: str) -> float:
    text = os.environ.get(env)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):  # "nan" and "inf" parse as floats too
        raise FetchError(f"{env}={text!r}: {what} must be a positive number")
    return value


def cache_dir() -> Path:
    """The folder that holds downloaded release zips."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("surveillance-ties"))


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def cached_path(url: str) -> Path:
    """Where the zip of ``url`` is cached: a digest of the URL, then its file name."""
    name = _basename(urllib.parse.urlparse(url).path) or "package.zip"
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80]
    return cache_dir() / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}-{safe}"


def check_url(url: str) -> str:
    """``url`` if it is a well-formed ``https://`` URL; :class:`FetchError` otherwise."""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise FetchError(
            f"{url!r}: not a valid URL (it holds a space or a control character); "
            "encode it (%20 for a space) or check it"
        )
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise FetchError(f"{url}: not a valid URL ({exc})") from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise FetchError(
            f"{url}: only https:// URLs of release zips are downloaded; use https, or give a local path"
        )
    return url


class _NotFound(FetchError):
    """The server has no such file (HTTP 404 or 410): for a release, no release of that version."""


class _Watchdog:
    """Closes every connection of a download when its deadline passes, so no read can outlast it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.connections: list[http.client.HTTPConnection] = []
        # The connected sockets, kept here too: urllib takes a connection's socket away from it
        # (conn.sock = None) once the headers are read, and the response reads the body from it.
        self.sockets: list[socket.socket] = []
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        socks = [*self.sockets, *(getattr(conn, "sock", None) for conn in list(self.connections))]
        for sock in socks:
            if sock is not None:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.001)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class _Connection(http.client.HTTPSConnection):
    """A connection that its download's watchdog can close, and that does not start once it fired."""

    def __init__(self, watchdog: _Watchdog, host: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self.watchdog = watchdog
        watchdog.connections.append(self)

    def connect(self) -> None:
        super().connect()
        self.watchdog.sockets.append(self.sock)
        # The watchdog may have fired while this socket was being made, before it could see it.
        if self.watchdog.fired:
            raise TimeoutError("the download's deadline passed")


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog, context: ssl.SSLContext | None) -> None:
        super().__init__(context=context)
        self._watchdog = watchdog
        self._ctx = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        watchdog = self._watchdog

        def connection(host: str, **kwargs: Any) -> http.client.HTTPSConnection:
            # Each wait on the socket ends after _STALL seconds of silence, or at the deadline.
            kwargs["timeout"] = min(_STALL, watchdog.remaining())
            if self._ctx is not None:
                kwargs["context"] = self._ctx
            return _Connection(watchdog, host, **kwargs)

        return self.do_open(connection, req)


class _HTTPSOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        target = urllib.parse.urljoin(req.full_url, newurl)
        if urllib.parse.urlsplit(target).scheme.lower() != "https":
            fp.close()
            raise FetchError(
                f"{req.full_url}: the server redirects to {target}, which is not https; "
                "refused (download it yourself over https and give its path)"
            )
        return super().redirect_request(req, fp, code, msg, headers, target)


def _opener(watchdog: _Watchdog, context: ssl.SSLContext | None) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_HTTPSHandler(watchdog, context), _HTTPSOnlyRedirects())


def _download(
    url: str, out: IO[bytes], *, timeout: float, max_bytes: int, context: ssl.SSLContext | None
) -> int:
    """Write the body of ``url`` into ``out`` within the deadline and the size cap; its size."""
    watchdog = _Watchdog(timeout)
    hint = "check the address and the connection, or download the zip yourself and give its path"
    size = 0
    with watchdog:
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "surveillance-ties"})
            with _opener(watchdog, context).open(request, timeout=min(_STALL, timeout)) as response:
                declared = response.headers.get("Content-Length")
                length = int(declared) if declared and declared.isdigit() and not response.chunked else None
                if length is not None and length > max_bytes:
                    raise FetchError(
                        f"{url}: the server announces {length} bytes, more than the "
                        f"{max_bytes} allowed (set {MAX_BYTES_ENV} to allow more)"
                    )
                while True:
                    block = response.read1(_READ)
                    # Checked after each read: the watchdog ends a read by closing the socket,
                    # which the read may report as the end of the body.
                    if watchdog.fired or time.monotonic() > watchdog.deadline:
                        raise TimeoutError
                    if not block:
                        break
                    size += len(block)
                    if size > max_bytes:
                        raise FetchError(
                            f"{url}: more than {max_bytes} bytes; stopped (set {MAX_BYTES_ENV} to allow more)"
                        )
                    out.write(block)
                if length is not None and size != length:
                    # http.client returns a short body as if it were whole
                    raise FetchError(
                        f"{url}: download failed (the connection closed after {size} of {length} "
                        f"bytes); {hint}"
                    )
        except FetchError:
            raise
        except urllib.error.HTTPError as exc:
            exc.close()
            error = _NotFound if exc.code in (404, 410) else FetchError
            raise error(f"{url}: download failed (HTTP {exc.code} {exc.reason}); {hint}") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            if watchdog.fired or time.monotonic() >= watchdog.deadline:
                raise FetchError(
                    f"{url}: the download took more than {watchdog.seconds:g} s and was stopped "
                    f"(set {TIMEOUT_ENV} to allow more); {hint}"
                ) from None
            if isinstance(reason, TimeoutError):  # a socket's wait of _STALL s, well before the deadline
                raise FetchError(
                    f"{url}: the server sent nothing for {_STALL:g} s and the download was stopped; {hint}"
                ) from None
            raise FetchError(f"{url}: download failed ({reason}); {hint}") from None
    out.flush()
    return size


def fetch_bytes(url: str, limit: int, *, context: ssl.SSLContext | None = None) -> bytes:
    """A small file (such as ``SHA256SUMS``) downloaded into memory, with the same bounds."""
    import io

    check_url(url)
    buffer = io.BytesIO()
    _download(
        url, buffer, timeout=_setting(TIMEOUT_ENV, TIMEOUT, "the timeout"), max_bytes=limit, context=context
    )
    return buffer.getvalue()


def published_sha256(zip_url: str, *, context: ssl.SSLContext | None = None) -> str:
    """The sha256 that the release's ``SHA256SUMS`` file (beside the zip) gives for the zip."""
    parts = urllib.parse.urlsplit(zip_url)
    name = _basename(parts.path)
    if not name.endswith(".zip"):
        raise FetchError(
            f"{zip_url}: not a release zip URL (…/<name>-<version>.zip), so its SHA256SUMS cannot be "
            "found; give sha256=<the zip's sha256> to check it"
        )
    # Beside the zip: its folder, without the zip URL's query or fragment (which may hold a "/").
    folder = parts.path.rstrip("/").rsplit("/", 1)[0]
    sums_url = urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, f"{folder}/{name[: -len('.zip')]}.SHA256SUMS", "", "")
    )
    try:
        text = fetch_bytes(sums_url, SUMS_LIMIT, context=context).decode("utf-8", errors="replace")
    except FetchError as exc:
        raise type(exc)(
            f"{exc}; a release zip is checked against the release's SHA256SUMS: give sha256=<hex> "
            "to check it against a checksum you trust instead"
        ) from None
    for line in text.splitlines():
        # "<hex>  <name>" (text mode) or "<hex> *<name>" (binary mode, as `sha256sum -b` writes)
        match = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](.+)", line.strip())
        if match is not None and match.group(2) == name:
            return match.group(1).lower()
    raise FetchError(f"{sums_url}: gives no sha256 for {name}; give sha256=<hex> to check the zip")


def _sweep(folder: Path) -> None:
    """Remove ``.part-<pid>-…`` files left by downloads whose process is gone."""
    with suppress(OSError):
        for entry in folder.iterdir():
            match = _PART.match(entry.name)
            if match is None or _alive(int(match.group(1))):
                continue
            with suppress(OSError):
                entry.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        # os.kill(pid, 0) would end that process there; and a file that its process still has
        # open cannot be removed there, so trying to remove it is safe.
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: no process can have that id
        return False
    except OSError:
        return True
    return True


class _Scratch:
    """Where a download is written before it is checked: an unnamed file if the system has them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.named: Path | None = None
        tmpfile = getattr(os, "O_TMPFILE", 0)
        if tmpfile and Path("/proc/self/fd").is_dir():
            try:
                fd = os.open(folder, tmpfile | os.O_RDWR, 0o600)
            except OSError:
                fd = -1
            if fd >= 0:
                self.file: IO[bytes] = os.fdopen(fd, "w+b")
                self.path = Path(f"/proc/self/fd/{fd}")
                return
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".part-{os.getpid()}-", suffix=".zip")
        self.file = os.fdopen(fd, "w+b")
        self.path = self.named = Path(name)

    def publish(self, target: Path) -> None:
        """Move the checked file to ``target`` (flushed to disk first)."""
        self.file.flush()
        os.fsync(self.file.fileno())
        if self.named is None:
            self.named = self._name()
        self.file.close()  # before the move: Windows cannot move a file that is open
        os.chmod(self.named, 0o644)
        os.replace(self.named, target)
        self.named = None

    def _name(self) -> Path:
        """A name for the unnamed file: a link to it, or where linking is refused, a copy of it."""
        named = Path(tempfile.mktemp(dir=self.folder, prefix=f".part-{os.getpid()}-", suffix=".zip"))
        try:
            os.link(self.path, named, follow_symlinks=True)
            return named
        except OSError:
            pass  # some systems refuse to link through /proc (EXDEV), though they make unnamed files
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=f".part-{os.getpid()}-", suffix=".zip")
        copy = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                self.file.seek(0)
                shutil.copyfileobj(self.file, out, BLOCK)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            with suppress(OSError):
                copy.unlink()
            raise
        return copy

    def close(self) -> None:
        self.file.close()
        if self.named is not None:
            with suppress(OSError):
                self.named.unlink()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    url: str,
    check: Callable[[Path], Any],
    *,
    sha256: str | None = None,
    context: ssl.SSLContext | None = None,
) -> Path:
    """The cached copy of the release zip at ``url``, downloaded and checked first if need be.

    ``sha256`` is the zip's expected sha256 (default: the one in the release's ``SHA256SUMS``).
    ``check(path)`` runs on every copy before it is used (it raises a
    :class:`~surveillance_ties.datapackage.errors.PackageError` when the zip does not hold a valid
    package); a cached copy that fails is downloaded once more.
    """
    check_url(url)
    timeout = _setting(TIMEOUT_ENV, TIMEOUT, "the timeout")
    max_bytes = int(_setting(MAX_BYTES_ENV, MAX_BYTES, "the size limit"))
    if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256.lower()):
        raise FetchError(f"sha256={sha256!r}: not a sha256 (64 hexadecimal digits)")
    target = cached_path(url)
    expected_file = target.with_name(target.name + ".sha256")
    stale: Path | None = None
    if target.is_file() and expected_file.is_file():
        try:
            expected = expected_file.read_text(encoding="ascii").strip()
            if sha256_of(target) != expected or (sha256 and sha256.lower() != expected):
                raise HashMismatchError(f"{target}: does not match its checked sha256")
            check(target)
            return target
        except (PackageError, OSError, UnicodeDecodeError):
            for path in (target, expected_file):
                with suppress(OSError):
                    path.unlink()
            stale = target
    try:
        _store(url, check, target, expected_file, sha256, timeout, max_bytes, context)
    except PackageError as exc:
        if stale is None:
            raise
        raise type(exc)(f"{exc} (the cached copy {stale} failed too and was removed)") from None
    return target


def _store(
    url: str,
    check: Callable[[Path], Any],
    target: Path,
    expected_file: Path,
    sha256: str | None,
    timeout: float,
    max_bytes: int,
    context: ssl.SSLContext | None,
) -> None:
    """Download ``url``, check it, then move it to ``target`` and its sha256 to ``expected_file``."""
    expected = published_sha256(url, context=context) if sha256 is None else sha256.lower()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(
            f"{target.parent}: cannot create the cache folder ({exc.strerror}); "
            f"set {CACHE_ENV} to a writable folder"
        ) from None
    _sweep(target.parent)

    def cannot_store(exc: OSError) -> FetchError:
        reason = exc.strerror or exc
        return FetchError(
            f"{target}: cannot store the download ({reason}); set {CACHE_ENV} to a writable folder"
        )

    try:
        scratch = _Scratch(target.parent)
    except OSError as exc:
        raise cannot_store(exc) from None
    try:
        _download(url, scratch.file, timeout=timeout, max_bytes=max_bytes, context=context)
        actual = sha256_of(scratch.path)
        if actual != expected and sha256 is None:
            raise HashMismatchError(
                f"{url}: the download's sha256 is {actual}, not the published {expected}; "
                "the file was altered or damaged on the way: do not use it"
            )
        if actual != expected:
            raise HashMismatchError(
                f"{url}: the download's sha256 is {actual}, not the {expected} given (sha256=); "
                "it is another file than the one you named, or it was altered on the way: do not use it"
            )
        check(scratch.path)
        scratch.publish(target)
        from surveillance_ties.datapackage.writing import write_atomic

        write_atomic(expected_file, (expected + "\n").encode("ascii"))
    except OSError as exc:
        raise cannot_store(exc) from None
    except WriteError as exc:  # the sha256 beside the zip: without it the zip is not used
        with suppress(OSError):
            target.unlink()
        raise FetchError(f"{exc}; or set {CACHE_ENV} to another folder") from None
    finally:
        scratch.close()


def release_url(name: str, version: str, homepage: str) -> str:
    """The URL of the zip of release ``version`` (``X.Y.Z``) of the package ``name``.

    >>> release_url("surveillance-ties", "0.2.0", "https://github.com/surveillance-ties/surveillance-ties")
    'https://github.com/surveillance-ties/surveillance-ties/releases/download/v0.2.0/surveillance-ties-0.2.0.zip'
    """  # noqa: E501
    releases = os.environ.get(RELEASES_ENV) or f"{homepage.rstrip('/')}/releases/download"
    return f"{releases.rstrip('/')}/v{version}/{name}-{version}.zip"


def fetch_release(
    name: str,
    version: str,
    homepage: str,
    check: Callable[[Path], Any],
    *,
    sha256: str | None = None,
    context: ssl.SSLContext | None = None,
) -> tuple[str, Path]:
    """The URL (see :func:`release_url`) and the cached copy of the zip of release ``version``,
    downloaded and checked first if need be, like :func:`fetch`.

    A version the server does not have raises :class:`FetchError` naming the zip's URL and where
    the releases are listed.
    """
    url = release_url(name, version, homepage)
    try:
        return url, fetch(url, check, sha256=sha256, context=context)
    except _NotFound:
        raise FetchError(
            f"v{version}: no such release ({url} is not on the server); "
            f"the releases are listed at {homepage.rstrip('/')}/releases"
        ) from None
