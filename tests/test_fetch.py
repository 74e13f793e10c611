"""Downloads of release zips (surveillance_ties.datapackage.fetch) against a real local HTTPS server.

Each test starts its own ``ThreadingHTTPServer`` on 127.0.0.1, wrapped with TLS, whose certificate
is signed by a ``trustme`` CA that only the test's ``ssl.SSLContext`` trusts. Routes are handlers
that each test defines; the server records every path it is asked for. Tests that provoke
slowness set the total timeout to 2 s and check only that the call ended within it (plus a
generous margin for a loaded machine).
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import trustme

import surveillance_ties as st
from surveillance_ties.datapackage import dumps, open_package
from surveillance_ties.datapackage import fetch as fetch_module
from surveillance_ties.datapackage.descriptor import refreshed
from surveillance_ties.datapackage.errors import (
    FetchError,
    HashMismatchError,
    PackageError,
    UnknownTableError,
)
from surveillance_ties.datapackage.fetch import cached_path, fetch

from .conftest import FIXTURE, copy_package, resource_names

NAME = "surveillance-ties-1.0.0"
TIMEOUT_ENV = "SURVEILLANCE_TIES_DOWNLOAD_TIMEOUT"
MAX_BYTES_ENV = "SURVEILLANCE_TIES_DOWNLOAD_MAX_BYTES"
MARGIN = 3.0  # seconds a slow call may run past its bound on a loaded machine
HINT = "check the address and the connection, or download the zip yourself and give its path"


def make_zip(text: str = "good") -> bytes:
    """A small zip, the same bytes on every call (a fixed entry date, not the clock's)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = zipfile.ZipInfo(f"{NAME}/datapackage.json", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(entry, json.dumps({"name": text}))
    return buffer.getvalue()


GOOD = make_zip()
BROKEN = b"PK\x03\x04 this is not a zip"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sums(data: bytes, name: str = f"{NAME}.zip") -> bytes:
    return f"{sha256(b'another file')}  other.zip\n{sha256(data)}  {name}\n".encode()


class Checker:
    """The ``check`` of :func:`fetch`: a readable zip, or a :class:`PackageError`; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> None:
        self.calls += 1
        try:
            with zipfile.ZipFile(path) as archive:
                archive.testzip()
        except zipfile.BadZipFile:
            raise PackageError("not a readable zip") from None


# -- the server ----------------------------------------------------------------------------------

Route = Callable[["Handler"], None]


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
        else:
            route(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.tls = tls
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.stop = threading.Event()  # set at teardown: endless handlers return
        self.base = f"https://127.0.0.1:{self.server_address[1]}"

    def finish_request(self, request: socket.socket, client_address: object) -> None:
        # The TLS handshake runs in the request's own thread, so a slow client blocks nobody.
        with self.tls.wrap_socket(request, server_side=True) as conn:
            super().finish_request(conn, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up mid-response are what these tests provoke

    def release(self, data: bytes = GOOD, checksums: bytes | None = None, folder: str = "/rel") -> str:
        """Serve ``data`` as ``<folder>/<NAME>.zip`` with its SHA256SUMS beside it; the zip's URL."""
        self.routes[f"{folder}/{NAME}.zip"] = respond(data)
        self.routes[f"{folder}/{NAME}.SHA256SUMS"] = respond(sums(data) if checksums is None else checksums)
        return f"{self.base}{folder}/{NAME}.zip"


def respond(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    def route(handler: Handler) -> None:
        handler.send_response(status)
        for key, value in (headers or {"Content-Length": str(len(body))}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    return route


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def context(ca: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts the test CA (and nothing else)."""
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the certificate and host name
    ca.configure_trust(client)
    return client


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    """The server's side: a certificate for 127.0.0.1 signed by the test CA."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(tls)
    return tls


@pytest.fixture
def server(server_tls: ssl.SSLContext) -> Iterator[Server]:
    httpd = Server(server_tls)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SURVEILLANCE_TIES_CACHE_DIR", str(folder))
    for name in (TIMEOUT_ENV, MAX_BYTES_ENV, "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return folder


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def cached(url: str) -> list[str]:
    """The names a good download of ``url`` leaves in the cache folder: the zip and its sidecar."""
    name = cached_path(url).name
    return [name, f"{name}.sha256"]


def silent(handler: Handler) -> None:
    """Send nothing at all, until the client hangs up or the test ends."""
    handler.server.stop.wait(30)


def drip(handler: Handler, data: bytes) -> None:
    """Send ``data`` one byte a second, until the client hangs up or the test ends."""
    for byte in data:
        handler.wfile.write(bytes([byte]))
        if handler.server.stop.wait(1):
            return


# -- 1. a good release, then the cache ------------------------------------------------------------


def test_good_release_is_downloaded_once_then_read_from_the_cache(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release()
    check = Checker()
    path = fetch(url, check, context=context)
    assert path == cached_path(url)
    assert path.read_bytes() == GOOD
    assert server.requests == [f"/rel/{NAME}.SHA256SUMS", f"/rel/{NAME}.zip"]
    assert files(cache) == cached(url)
    assert (cache / f"{path.name}.sha256").read_text() == sha256(GOOD) + "\n"

    assert fetch(url, check, context=context) == path
    assert server.requests == [f"/rel/{NAME}.SHA256SUMS", f"/rel/{NAME}.zip"]  # nothing more asked
    assert path.read_bytes() == GOOD
    assert check.calls == 2  # the download, then the cached copy
    assert files(cache) == cached(url)


def test_checksum_line_in_binary_mode_is_read(server: Server, cache: Path, context: ssl.SSLContext) -> None:
    # `sha256sum -b` writes "<hex> *<name>" (one space, then a star).
    url = server.release(checksums=f"{sha256(GOOD)} *{NAME}.zip\n".encode())
    assert fetch(url, Checker(), context=context).read_bytes() == GOOD
    assert files(cache) == cached(url)


# -- 2, 3. slow servers and the total timeout -------------------------------------------------------


def timed_out(url: str, seconds: int) -> str:
    return (
        f"{url}: the download took more than {seconds} s and was stopped "
        f"(set {TIMEOUT_ENV} to allow more); {HINT}"
    )


@pytest.mark.parametrize("length", [None, 1000], ids=["no-length", "content-length"])
def test_slow_body_is_stopped_at_the_total_timeout(
    server: Server, cache: Path, context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch, length: int | None
) -> None:
    def slow(handler: Handler) -> None:
        handler.send_response(200)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        if not handler.server.stop.wait(0.5):  # so the deadline comes while the client waits for a byte
            drip(handler, bytes(10_000))

    server.routes["/slow.zip"] = slow
    url = f"{server.base}/slow.zip"
    monkeypatch.setenv(TIMEOUT_ENV, "2")
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert time.monotonic() - start < 2 + MARGIN
    assert str(info.value) == timed_out(url, 2)
    assert files(cache) == []


def test_slow_status_line_is_stopped_at_the_total_timeout(
    server: Server, cache: Path, context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/slow.zip"] = lambda handler: drip(handler, b"HTTP/1.0 200 OK\r\n" * 100)
    url = f"{server.base}/slow.zip"
    monkeypatch.setenv(TIMEOUT_ENV, "2")
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert time.monotonic() - start < 2 + MARGIN
    assert str(info.value) == timed_out(url, 2)
    assert files(cache) == []


def test_silent_server_is_stopped_after_the_stall_limit(
    server: Server, cache: Path, context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Silence shorter than the total timeout is reported as silence, not as the total timeout.
    server.routes["/silent.zip"] = silent
    url = f"{server.base}/silent.zip"
    monkeypatch.setattr(fetch_module, "_STALL", 0.5)
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert time.monotonic() - start < 0.5 + MARGIN
    assert str(info.value) == f"{url}: the server sent nothing for 0.5 s and the download was stopped; {HINT}"
    assert files(cache) == []


# -- 4. size limits ----------------------------------------------------------------------------------


def test_endless_body_is_stopped_at_the_size_limit(
    server: Server, cache: Path, context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def endless(handler: Handler) -> None:
        handler.send_response(200)
        handler.end_headers()
        while not handler.server.stop.is_set():
            handler.wfile.write(bytes(64 << 10))

    server.routes["/endless.zip"] = endless
    url = f"{server.base}/endless.zip"
    monkeypatch.setenv(MAX_BYTES_ENV, "100000")
    monkeypatch.setenv(TIMEOUT_ENV, "10")
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert str(info.value) == (f"{url}: more than 100000 bytes; stopped (set {MAX_BYTES_ENV} to allow more)")
    assert files(cache) == []


def test_announced_size_over_the_limit_is_refused_before_the_body(
    server: Server, cache: Path, context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def huge(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(10**9))
        handler.end_headers()
        handler.server.stop.wait(30)  # sends no body: a client that waited for it would time out

    server.routes["/huge.zip"] = huge
    url = f"{server.base}/huge.zip"
    monkeypatch.setenv(MAX_BYTES_ENV, "100000")
    monkeypatch.setenv(TIMEOUT_ENV, "2")
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert str(info.value) == (
        f"{url}: the server announces 1000000000 bytes, more than the 100000 allowed "
        f"(set {MAX_BYTES_ENV} to allow more)"
    )
    assert files(cache) == []


def test_body_shorter_than_announced_is_a_fetch_error(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    server.routes["/short.zip"] = respond(GOOD[:10], headers={"Content-Length": str(len(GOOD))})
    url = f"{server.base}/short.zip"
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert str(info.value) == (
        f"{url}: download failed (the connection closed after 10 of {len(GOOD)} bytes); {HINT}"
    )
    assert files(cache) == []


@pytest.mark.parametrize("value", ["0", "-1", "ten", "nan", "inf"])
@pytest.mark.parametrize("env", [TIMEOUT_ENV, MAX_BYTES_ENV])
def test_bad_settings_are_refused(cache: Path, monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    what = "the timeout" if env == TIMEOUT_ENV else "the size limit"
    with pytest.raises(FetchError) as info:
        fetch(f"https://127.0.0.1:1/{NAME}.zip", Checker(), sha256=sha256(GOOD))
    assert str(info.value) == f"{env}={value!r}: {what} must be a positive number"
    assert files(cache) == []


def test_cache_folder_that_cannot_be_made_is_a_fetch_error(
    server: Server, cache: Path, context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    (cache.parent / "file").write_bytes(b"")
    folder = cache.parent / "file" / "cache"
    monkeypatch.setenv("SURVEILLANCE_TIES_CACHE_DIR", str(folder))
    url = server.release()
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert str(info.value) == (
        f"{folder}: cannot create the cache folder (Not a directory); "
        "set SURVEILLANCE_TIES_CACHE_DIR to a writable folder"
    )
    assert server.requests == []


# -- 5. redirects ----------------------------------------------------------------------------------------


def test_redirect_to_http_is_refused(server: Server, cache: Path, context: ssl.SSLContext) -> None:
    target = f"http://127.0.0.1:{server.server_address[1]}/rel/{NAME}.zip"
    server.routes["/moved.zip"] = respond(b"", 302, {"Location": target, "Content-Length": "0"})
    url = f"{server.base}/moved.zip"
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert str(info.value).startswith(f"{url}: the server redirects to {target}, which is not https; refused")
    assert server.requests == ["/moved.zip"]
    assert files(cache) == []


def test_redirect_to_https_is_followed(server: Server, cache: Path, context: ssl.SSLContext) -> None:
    server.release()
    location = f"{server.base}/rel/{NAME}.zip"
    server.routes[f"/old/{NAME}.zip"] = respond(b"", 301, {"Location": location, "Content-Length": "0"})
    url = f"{server.base}/old/{NAME}.zip"
    path = fetch(url, Checker(), sha256=sha256(GOOD), context=context)
    assert path.read_bytes() == GOOD
    assert server.requests == [f"/old/{NAME}.zip", f"/rel/{NAME}.zip"]
    assert files(cache) == cached(url)


def test_untrusted_certificate_is_refused(server: Server, cache: Path) -> None:
    url = server.release()
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD))  # the system's trust store: not the test CA
    assert str(info.value).startswith(f"{url}: download failed ([SSL: CERTIFICATE_VERIFY_FAILED]")
    assert files(cache) == []


# -- 6. checksums -------------------------------------------------------------------------------------


def test_zip_not_matching_its_sha256sums_is_refused(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release(GOOD, checksums=sums(make_zip("other")))
    check = Checker()
    with pytest.raises(HashMismatchError) as info:
        fetch(url, check, context=context)
    assert str(info.value) == (
        f"{url}: the download's sha256 is {sha256(GOOD)}, not the published {sha256(make_zip('other'))}; "
        "the file was altered or damaged on the way: do not use it"
    )
    assert check.calls == 0
    assert files(cache) == []


def test_missing_sha256sums_asks_for_sha256(server: Server, cache: Path, context: ssl.SSLContext) -> None:
    url = server.release()
    del server.routes[f"/rel/{NAME}.SHA256SUMS"]
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), context=context)
    assert str(info.value) == (
        f"{server.base}/rel/{NAME}.SHA256SUMS: download failed (HTTP 404 Not Found); {HINT}; "
        "a release zip is checked against the release's SHA256SUMS: give sha256=<hex> to check it "
        "against a checksum you trust instead"
    )
    assert server.requests == [f"/rel/{NAME}.SHA256SUMS"]
    assert files(cache) == []


def test_sha256sums_without_the_zip_asks_for_sha256(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release(checksums=sums(GOOD, name="surveillance-ties-0.9.0.zip"))
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), context=context)
    assert str(info.value) == (
        f"{server.base}/rel/{NAME}.SHA256SUMS: gives no sha256 for {NAME}.zip; "
        "give sha256=<hex> to check the zip"
    )
    assert files(cache) == []


def test_sha256_argument_is_used_without_sha256sums(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release(checksums=b"")
    path = fetch(url, Checker(), sha256=sha256(GOOD).upper(), context=context)
    assert path.read_bytes() == GOOD
    assert server.requests == [f"/rel/{NAME}.zip"]
    assert files(cache) == cached(url)


def test_zip_not_matching_the_sha256_given_says_whose_sha256_it_was(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release(checksums=b"")
    other = sha256(make_zip("other"))
    with pytest.raises(HashMismatchError) as info:
        fetch(url, Checker(), sha256=other, context=context)
    assert str(info.value) == (
        f"{url}: the download's sha256 is {sha256(GOOD)}, not the {other} given (sha256=); "
        "it is another file than the one you named, or it was altered on the way: do not use it"
    )
    assert files(cache) == []


def test_sha256sums_beside_a_zip_url_with_a_query(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release() + "?from=/elsewhere/x"
    server.routes[f"/rel/{NAME}.zip?from=/elsewhere/x"] = server.routes[f"/rel/{NAME}.zip"]
    assert fetch(url, Checker(), context=context).read_bytes() == GOOD
    assert server.requests == [f"/rel/{NAME}.SHA256SUMS", f"/rel/{NAME}.zip?from=/elsewhere/x"]
    assert files(cache) == cached(url)


def test_bad_sha256_argument_is_refused_and_keeps_the_cache(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release()
    fetch(url, Checker(), context=context)
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256="abc", context=context)
    assert str(info.value) == "sha256='abc': not a sha256 (64 hexadecimal digits)"
    assert files(cache) == cached(url)
    assert len(server.requests) == 2


# -- 7. a damaged cache --------------------------------------------------------------------------------


def test_damaged_cached_zip_is_downloaded_again_once(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    url = server.release()
    path = fetch(url, Checker(), context=context)
    path.write_bytes(BROKEN)
    server.requests.clear()
    assert fetch(url, Checker(), context=context) == path
    assert path.read_bytes() == GOOD
    assert server.requests == [f"/rel/{NAME}.SHA256SUMS", f"/rel/{NAME}.zip"]
    assert files(cache) == cached(url)


@pytest.mark.parametrize("published", ["broken", "good"], ids=["sums-match-broken", "sums-match-good"])
def test_damaged_cache_and_broken_download_names_the_cache_file(
    server: Server, cache: Path, context: ssl.SSLContext, published: str
) -> None:
    url = server.release()
    path = fetch(url, Checker(), context=context)
    path.write_bytes(BROKEN)
    server.release(BROKEN, checksums=sums(BROKEN if published == "broken" else GOOD))
    with pytest.raises(PackageError) as info:
        fetch(url, Checker(), context=context)
    note = f" (the cached copy {path} failed too and was removed)"
    if published == "broken":  # the download matches its SHA256SUMS, the check refuses it
        assert type(info.value) is PackageError
        assert str(info.value) == f"not a readable zip{note}"
    else:
        assert type(info.value) is HashMismatchError
        assert str(info.value).startswith(f"{url}: the download's sha256 is {sha256(BROKEN)}")
        assert str(info.value).endswith(f"do not use it{note}")
    assert files(cache) == []


# -- 8. temporary files ----------------------------------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)
    return child.pid


def test_part_files_of_dead_processes_are_removed(
    server: Server, cache: Path, context: ssl.SSLContext
) -> None:
    cache.mkdir()
    dead = f".part-{dead_pid()}-abc.zip"
    live = f".part-{os.getppid()}-def.zip"
    own = f".part-{os.getpid()}-ghi.zip"  # another download of this process, in another thread
    absurd = f".part-{10**30}-jkl.zip"  # no process can have it
    for name in (dead, live, own, absurd):
        (cache / name).write_bytes(b"partial")
    url = server.release()
    fetch(url, Checker(), context=context)
    assert files(cache) == sorted([live, own, *cached(url)])


@pytest.mark.parametrize("case", ["good", "mismatch", "timeout"])
def test_named_temporary_files_are_removed(
    server: Server,
    cache: Path,
    context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    # Where the system has no unnamed files, the download goes to a visible .part-<pid>-… file.
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    monkeypatch.setenv(TIMEOUT_ENV, "2")
    made: list[str] = []

    def slow(handler: Handler) -> None:
        made.extend(files(cache))  # what the cache folder holds while the download runs
        drip(handler, b"HTTP/1.0 200 OK\r\n")

    server.routes["/slow.zip"] = slow
    url = server.release(checksums=sums(make_zip("other")) if case == "mismatch" else None)
    if case == "good":
        fetch(url, Checker(), context=context)
        assert files(cache) == cached(url)
    elif case == "mismatch":
        with pytest.raises(HashMismatchError):
            fetch(url, Checker(), context=context)
        assert files(cache) == []
    else:
        with pytest.raises(FetchError):
            fetch(f"{server.base}/slow.zip", Checker(), sha256=sha256(GOOD), context=context)
        assert len(made) == 1 and made[0].startswith(f".part-{os.getpid()}-")  # there while downloading
        assert files(cache) == []


# -- 9. URLs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"https://127.0.0.1/{NAME} copy.zip",
        f"https://127.0.0.1/{NAME}\x01.zip",
        f"https://127.0.0.1/{NAME}.zip\r\nX-Injected: 1",
        f"https://127.0.0.1/\x7f{NAME}.zip",
    ],
)
def test_url_with_a_space_or_control_character_is_not_valid(cache: Path, url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD))
    assert str(info.value).startswith(f"{url!r}: not a valid URL (it holds a space or a control character)")
    assert files(cache) == []


def test_url_with_a_bad_port_is_not_valid(cache: Path) -> None:
    url = f"https://127.0.0.1:99999/{NAME}.zip"
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD))
    assert str(info.value).startswith(f"{url}: not a valid URL (")


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1/{NAME}.zip",
        f"file:///tmp/{NAME}.zip",
        f"ftp://127.0.0.1/{NAME}.zip",
    ],
)
def test_only_https_is_downloaded(cache: Path, url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(url, Checker(), sha256=sha256(GOOD))
    assert str(info.value) == (
        f"{url}: only https:// URLs of release zips are downloaded; use https, or give a local path"
    )
    assert files(cache) == []


# -- 9. a release by its version: st.load(name, source="v0.1.0") -------------------------------------

RELEASES_ENV = "SURVEILLANCE_TIES_RELEASES_URL"
GITHUB = "https://github.com/surveillance-ties/surveillance-ties"


def fixture_zip(version: str | None = None) -> bytes:
    """A release zip of the fixture package (hashes refreshed), like `surveillance-ties build` makes;
    ``version`` replaces the descriptor's."""
    with open_package(FIXTURE) as pkg:
        fresh = refreshed(pkg)
    if version is not None:
        fresh["version"] = version
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", dumps(fresh))
        for folder in ("data", "schemas", "seeds"):
            for path in sorted((FIXTURE / folder).rglob("*")):
                if path.is_file():
                    archive.writestr(path.relative_to(FIXTURE).as_posix(), path.read_bytes())
    return buffer.getvalue()


@pytest.fixture
def releases(
    server: Server, cache: Path, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Server:
    """The test server as the project's releases: RELEASES_ENV points at it, and the system's
    trust store (which `st.load` uses) is the test CA."""
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    monkeypatch.setenv(RELEASES_ENV, f"{server.base}/releases/download")
    return server


def serve_release(server: Server, version: str, data: bytes, checksums: bytes | None = None) -> str:
    """Serve ``data`` as the zip of release ``version``, with its SHA256SUMS; the zip's URL."""
    stem = f"surveillance-ties-{version}"
    folder = f"/releases/download/v{version}"
    server.routes[f"{folder}/{stem}.zip"] = respond(data)
    server.routes[f"{folder}/{stem}.SHA256SUMS"] = respond(
        sums(data, f"{stem}.zip") if checksums is None else checksums
    )
    return f"{server.base}{folder}/{stem}.zip"


def test_release_url_follows_the_homepage_unless_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RELEASES_ENV, raising=False)
    assert fetch_module.release_url("surveillance-ties", "0.2.0", GITHUB + "/") == (
        f"{GITHUB}/releases/download/v0.2.0/surveillance-ties-0.2.0.zip"
    )
    monkeypatch.setenv(RELEASES_ENV, "https://mirror.example/st/")
    assert fetch_module.release_url("surveillance-ties", "0.2.0", GITHUB) == (
        "https://mirror.example/st/v0.2.0/surveillance-ties-0.2.0.zip"
    )


def test_release_version_is_downloaded_once_then_read_from_the_cache(releases: Server, cache: Path) -> None:
    data = fixture_zip()
    url = serve_release(releases, "0.1.0", data)
    asked = [
        "/releases/download/v0.1.0/surveillance-ties-0.1.0.SHA256SUMS",
        "/releases/download/v0.1.0/surveillance-ties-0.1.0.zip",
    ]
    frame = st.load("features", source="v0.1.0")
    pd.testing.assert_frame_equal(frame, st.load("features", source=FIXTURE))
    assert frame.attrs["version"] == "0.1.0"
    assert releases.requests == asked
    zip_name = f"{hashlib.sha256(url.encode()).hexdigest()[:16]}-surveillance-ties-0.1.0.zip"
    assert files(cache) == [zip_name, f"{zip_name}.sha256"]
    assert (cache / zip_name).read_bytes() == data
    assert (cache / f"{zip_name}.sha256").read_text(encoding="ascii") == sha256(data) + "\n"

    # Read again (another table, every table, the names): from the cache, nothing asked of the server.
    assert list(st.load_all(source="v0.1.0")) == resource_names()
    assert st.tables("v0.1.0") == resource_names()
    assert st.schema("features", "v0.1.0") == st.schema("features", FIXTURE)
    assert releases.requests == asked
    with pytest.raises(UnknownTableError) as info:
        st.load("nope", source="v0.1.0")  # type: ignore[call-overload]
    assert str(info.value).startswith(f"no table 'nope' in {url}; the tables are: organizations, ")


def test_default_cache_folder_is_the_user_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform != "linux":
        pytest.skip("the user cache folder is XDG_CACHE_HOME on Linux only")
    monkeypatch.delenv("SURVEILLANCE_TIES_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fetch_module.cache_dir() == tmp_path / "xdg" / "surveillance-ties"
    url = f"{GITHUB}/releases/download/v0.2.0/surveillance-ties-0.2.0.zip"
    assert cached_path(url) == (
        tmp_path / "xdg" / "surveillance-ties" / f"{sha256(url.encode())[:16]}-surveillance-ties-0.2.0.zip"
    )


def test_release_not_matching_its_sha256sums_is_refused(releases: Server, cache: Path) -> None:
    data = fixture_zip()
    other = data + b"\0"  # another zip
    url = serve_release(releases, "0.1.0", data, checksums=sums(other, "surveillance-ties-0.1.0.zip"))
    with pytest.raises(HashMismatchError) as info:
        st.load("features", source="v0.1.0")
    assert str(info.value) == (
        f"{url}: the download's sha256 is {sha256(data)}, not the published {sha256(other)}; "
        "the file was altered or damaged on the way: do not use it"
    )
    assert files(cache) == []


def test_release_the_server_does_not_have_names_the_url(releases: Server, cache: Path) -> None:
    with pytest.raises(FetchError) as info:
        st.load("features", source="v9.9.9")
    url = f"{releases.base}/releases/download/v9.9.9/surveillance-ties-9.9.9.zip"
    assert str(info.value) == (
        f"v9.9.9: no such release ({url} is not on the server); the releases are listed at {GITHUB}/releases"
    )
    assert releases.requests == ["/releases/download/v9.9.9/surveillance-ties-9.9.9.SHA256SUMS"]
    assert files(cache) == []


def test_release_zip_missing_beside_its_sha256sums_names_the_url(releases: Server, cache: Path) -> None:
    url = serve_release(releases, "0.1.0", fixture_zip())
    del releases.routes["/releases/download/v0.1.0/surveillance-ties-0.1.0.zip"]
    with pytest.raises(FetchError) as info:
        st.tables("v0.1.0")
    assert str(info.value) == (
        f"v0.1.0: no such release ({url} is not on the server); the releases are listed at {GITHUB}/releases"
    )
    assert files(cache) == []


def test_release_holding_another_version_is_refused(releases: Server, cache: Path) -> None:
    url = serve_release(releases, "0.3.0", fixture_zip())  # the fixture is version 0.1.0
    with pytest.raises(PackageError) as info:
        st.tables("v0.3.0")
    assert str(info.value) == (
        f"{url}: holds version 0.1.0, not 0.3.0; the release files were mixed up: report it"
    )
    assert files(cache) == []


def test_folder_named_like_a_version_is_read_as_a_folder(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RELEASES_ENV, "https://127.0.0.1:9/nothing")  # a download would fail
    copy_package(tmp_path / "v0.1.0")
    monkeypatch.chdir(tmp_path)
    assert st.tables("v0.1.0") == resource_names()
    assert files(cache) == []


def test_release_checked_against_a_given_sha256_needs_no_sha256sums(releases: Server, cache: Path) -> None:
    data = fixture_zip()
    serve_release(releases, "0.1.0", data)
    del releases.routes["/releases/download/v0.1.0/surveillance-ties-0.1.0.SHA256SUMS"]
    frame = st.load("features", source="v0.1.0", sha256=sha256(data))
    pd.testing.assert_frame_equal(frame, st.load("features", source=FIXTURE))
    assert releases.requests == ["/releases/download/v0.1.0/surveillance-ties-0.1.0.zip"]
    assert st.tables("v0.1.0") == resource_names()  # the cached copy, checked against that sha256
    assert releases.requests == ["/releases/download/v0.1.0/surveillance-ties-0.1.0.zip"]
