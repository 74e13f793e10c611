"""The one exception family of surveillance-ties.

Every error the library raises on purpose is a :class:`SurveillanceTiesError`. Its
``exit_code`` is what the command line exits with, so the CLI maps errors to codes in
one place:

- :class:`PackageError` (exit 2): this copy of the package cannot be read or opened: a
  missing or malformed descriptor, an unsafe path, a file that does not match its hash, a
  download that failed, an unknown table. Its subclasses say which.
- :class:`WriteError` (exit 2): a file could not be written (read-only folder, full disk);
  nothing was left half-written.
- :class:`MissingDependencyError` (exit 2): an optional library (polars, matplotlib,
  networkx, pandera) is needed and not installed.
- :class:`DataError` (exit 1): the package was read, but its data is invalid.

Every message is one sentence that names the place and says how to fix it.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "DataError",
    "DescriptorError",
    "FetchError",
    "HashMismatchError",
    "MissingDependencyError",
    "MissingFileError",
    "PackageError",
    "RevisionError",
    "SurveillanceTiesError",
    "UnknownRecordError",
    "UnknownTableError",
    "UnsafePathError",
    "WriteError",
]


class SurveillanceTiesError(Exception):
    """Base of every error raised on purpose; ``exit_code`` is the command line's exit status."""

    exit_code: ClassVar[int] = 2

    def __str__(self) -> str:  # KeyError subclasses would show the message in quotes
        return str(self.args[0]) if self.args else ""


class PackageError(SurveillanceTiesError):
    """This copy of the package cannot be read; the message names it and says how to fix it."""


class DescriptorError(PackageError):
    """``datapackage.json`` or a Table Schema is missing or malformed."""


class UnsafePathError(PackageError):
    """A path leaves the package (``..``, absolute, a URL, a link out) or is not a regular file."""


class MissingFileError(PackageError):
    """A file the descriptor lists is not there."""


class HashMismatchError(PackageError):
    """A file does not match the ``hash`` or ``bytes`` its descriptor (or a checksum) gives."""


class FetchError(PackageError):
    """A download failed, was too large or too slow, or left https; the message names the URL."""


class RevisionError(PackageError):
    """A git revision cannot be found or read."""


class UnknownTableError(PackageError, KeyError):
    """No table of that name in the package; the message lists the valid names."""


class UnknownRecordError(PackageError, KeyError):
    """No record with that primary key in the table."""


class WriteError(SurveillanceTiesError):
    """A file could not be written; the previous file, if any, is left whole."""


class MissingDependencyError(SurveillanceTiesError, ImportError):
    """An optional library is needed; the message says how to install it."""


class DataError(SurveillanceTiesError, ValueError):
    """The package was read but its data is invalid; the message says where."""

    exit_code: ClassVar[int] = 1
