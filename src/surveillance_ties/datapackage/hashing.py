"""The one hasher: digests of files and streams, in the ``hash`` notation of Data Package.

A descriptor writes a hash as ``"<algorithm>:<hex>"`` (``sha256:…``); a bare hex string is an
md5 hash (Frictionless v1). :class:`Digest` parses that notation; :func:`digest_stream` reads a
stream in blocks and returns the digest and the size together, so a file is read once for both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

__all__ = ["ALGORITHMS", "BLOCK", "Digest", "HashingReader", "digest_bytes", "digest_stream", "sha256_hex"]

#: The algorithms a descriptor may name (what Frictionless computes).
ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
BLOCK = 1 << 20
DEFAULT = "sha256"


@dataclass(frozen=True)
class Digest:
    """A hash as a descriptor writes it: the algorithm and the lowercase hex digest."""

    algorithm: str
    hexdigest: str
    prefixed: bool = True  # False for a bare (md5) hash

    @classmethod
    def parse(cls, text: str) -> Digest:
        """``"sha256:ab…"`` or a bare md5 ``"ab…"``; the algorithm may be one nobody computes."""
        algorithm, sep, hexdigest = text.partition(":")
        if not sep:
            return cls("md5", text.lower(), prefixed=False)
        return cls(algorithm.lower(), hexdigest.lower())

    @property
    def computable(self) -> bool:
        """Whether the algorithm is one of :data:`ALGORITHMS`."""
        return self.algorithm in ALGORITHMS

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hexdigest}" if self.prefixed else self.hexdigest


def digest_bytes(data: bytes, algorithm: str = DEFAULT) -> Digest:
    """The digest of ``data``."""
    return Digest(algorithm, hashlib.new(algorithm, data).hexdigest())


def digest_stream(stream: IO[bytes] | Iterable[bytes], algorithm: str = DEFAULT) -> tuple[Digest, int]:
    """``(digest, size)`` of everything ``stream`` yields, read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    size = 0
    blocks = iter(lambda: stream.read(BLOCK), b"") if hasattr(stream, "read") else stream
    for block in blocks:
        h.update(block)
        size += len(block)
    return Digest(algorithm, h.hexdigest()), size


def sha256_hex(data: bytes) -> str:
    """The hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class HashingReader:
    """A binary stream that hashes and counts what is read through it (hash while reading)."""

    def __init__(self, raw: IO[bytes], algorithm: str = DEFAULT, limit: int | None = None) -> None:
        self._raw = raw
        self._hash = hashlib.new(algorithm)
        self.algorithm = algorithm
        self.size = 0
        self._limit = limit

    def read(self, n: int = -1) -> bytes:
        if self._limit is not None:
            room = self._limit - self.size + 1  # one byte more shows that the limit was passed
            n = room if n is None or n < 0 else min(n, room)
        data = self._raw.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    @property
    def closed(self) -> bool:
        return bool(getattr(self._raw, "closed", False))

    def drain(self) -> None:
        """Read the rest of the stream (so the digest covers all of it)."""
        while self.read(BLOCK):
            pass

    @property
    def digest(self) -> Digest:
        return Digest(self.algorithm, self._hash.hexdigest())
