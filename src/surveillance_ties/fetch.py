"""Downloading a release zip once into the user's cache folder.

``load(name, source="https://.../surveillance-ties-0.1.0.zip")`` downloads the
zip the first time and reads the cached copy afterwards, so it works offline
from then on. The cache folder is ``platformdirs.user_cache_dir("surveillance-ties")``
unless the ``SURVEILLANCE_TIES_CACHE_DIR`` environment variable names another.
A download is written to a temporary file beside its final name, checked,
and only then renamed into place: the cache never holds a partial or
unchecked zip. Proxies come from the usual ``https_proxy`` variables.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from surveillance_ties.source import SourceError

CACHE_ENV = "SURVEILLANCE_TIES_CACHE_DIR"
TIMEOUT = 60  # seconds without data before a download fails


class FetchError(SourceError):
    """A release zip could not be downloaded; the message names the URL and the cause."""


def cache_dir() -> Path:
    """The folder that holds downloaded release zips."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("surveillance-ties"))


def cached_path(url: str) -> Path:
    """Where the zip of ``url`` is cached: a digest of the URL, then its file name."""
    name = _basename(urllib.parse.urlparse(url).path) or "package.zip"
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return cache_dir() / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}-{safe}"


def _basename(path: str) -> str:
    """The last segment of a URL path."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def urlopen(url: str, timeout: float) -> IO[bytes]:
    """Open ``url`` for reading (the single place that touches the network)."""
    response: IO[bytes] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - scheme checked by fetch()
    return response


def fetch(url: str, check: Callable[[Path], Any]) -> Path:
    """The cached copy of the release zip at ``url``, downloaded first when it is not cached.

    ``check(path)`` runs on the downloaded file before it enters the cache
    and raises when the file is not acceptable; the download is then deleted.
    Only ``https://`` URLs (and ``file://`` ones, for local mirrors) are accepted.
    """
    scheme = urllib.parse.urlparse(url).scheme.lower()
    if scheme not in ("https", "file"):
        raise SourceError(f"{url}: only https:// URLs of release zips are downloaded (or give a local path)")
    target = cached_path(url)
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(
            f"{target.parent}: cannot create the cache folder ({exc.strerror}); "
            f"set {CACHE_ENV} to a writable folder"
        ) from None
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".download-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urlopen(url, TIMEOUT) as response:
                    shutil.copyfileobj(response, out, 1 << 20)
            except OSError as exc:  # URLError, HTTPError, timeouts and resets are all OSErrors
                reason = getattr(exc, "reason", None) or exc
                raise FetchError(
                    f"{url}: download failed ({reason}); check the address and the connection, "
                    "or download the zip yourself and give its path"
                ) from None
        check(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
