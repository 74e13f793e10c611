"""surveillance-ties: the surveillance-technology business and its ties to police and government.

A Frictionless Data Package of curated tables (organizations, partnerships, features,
regulatory actions, sources, citations), every record backed by a verbatim quote. This module
stays light to import: pandas, pyarrow and frictionless load only when a function needs them.

The public face, re-exported from the wings that do the work: loading (:func:`load`,
:func:`load_all`, :func:`tables`, :func:`schema`, :func:`citations`, :func:`package`,
:func:`date_bounds`, :func:`graph`, :func:`pandera_schema`, and :data:`TableName`, the table
names as a type), validation (:func:`validate`, :class:`Report`) and the exception family of the
package layer (:class:`SurveillanceTiesError` and its subclasses).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from surveillance_ties.datapackage.errors import (
    DataError,
    DescriptorError,
    FetchError,
    HashMismatchError,
    MissingDependencyError,
    PackageError,
    SurveillanceTiesError,
    UnknownRecordError,
    UnknownTableError,
    UnsafePathError,
    WriteError,
)
from surveillance_ties.datapackage.installed import package_root

if TYPE_CHECKING:  # pragma: no cover - what type checkers see; at run time the names load lazily
    from surveillance_ties.loading import citations, load, load_all, package, schema, tables
    from surveillance_ties.loading.dates import date_bounds
    from surveillance_ties.loading.graph import graph
    from surveillance_ties.loading.names import TableName
    from surveillance_ties.loading.pandera_schema import pandera_schema
    from surveillance_ties.validation import Report, validate

    __version__: str

#: The name of :class:`PackageError` in version 0.1.0.
SourceError = PackageError

__all__ = [
    "DataError",
    "DescriptorError",
    "FetchError",
    "HashMismatchError",
    "MissingDependencyError",
    "PackageError",
    "Report",
    "SourceError",
    "SurveillanceTiesError",
    "TableName",
    "UnknownRecordError",
    "UnknownTableError",
    "UnsafePathError",
    "WriteError",
    "__version__",
    "citations",
    "date_bounds",
    "graph",
    "load",
    "load_all",
    "package",
    "pandera_schema",
    "schema",
    "tables",
    "validate",
]


def _version() -> str:
    """The version in the package's ``datapackage.json`` (the version of the data package is the
    version of this distribution); where that cannot be read (a contributor's half-edited copy, a
    broken install), the installed distribution's, so that importing never fails on it and
    ``surveillance-ties validate`` can say what is wrong."""
    from importlib.metadata import PackageNotFoundError, version

    from surveillance_ties.datapackage.open import open_package

    try:  # through the package layer: a linked, special or huge descriptor is refused, not read
        with open_package(package_root(), strict=False) as package:
            found = package.version
    except PackageError:
        found = ""
    if found:
        return found
    try:
        return version("surveillance-ties")
    except PackageNotFoundError:
        return "0+unknown"


_LAZY: dict[str, str] = {
    "load": "surveillance_ties.loading",
    "load_all": "surveillance_ties.loading",
    "tables": "surveillance_ties.loading",
    "schema": "surveillance_ties.loading",
    "package": "surveillance_ties.loading",
    "citations": "surveillance_ties.loading",
    "date_bounds": "surveillance_ties.loading.dates",
    "TableName": "surveillance_ties.loading.names",
    "graph": "surveillance_ties.loading.graph",
    "pandera_schema": "surveillance_ties.loading.pandera_schema",
    "validate": "surveillance_ties.validation",
    "Report": "surveillance_ties.validation",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name == "__version__":
            globals()[name] = version = _version()
            return version
        if name in _LAZY:
            value = getattr(importlib.import_module(_LAZY[name]), name)
            globals()[name] = value
            return value
        raise AttributeError(f"module 'surveillance_ties' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
