"""surveillance-ties: the surveillance-technology business and its ties to police and government.

A Frictionless Data Package of curated tables (organizations, partnerships,
features, regulatory actions, sources, citations), every record backed by a
verbatim quote. This module stays light to import: pandas, frictionless and
pandera load only when a function needs them.
"""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any

from surveillance_ties.resources import DESCRIPTOR, package_root

if TYPE_CHECKING:  # pragma: no cover
    from surveillance_ties.dates import date_bounds
    from surveillance_ties.frames import DataError
    from surveillance_ties.loader import UnknownTableError, citations, load, load_all, package, schema, tables
    from surveillance_ties.source import SourceError
    from surveillance_ties.validation import Report, validate

__all__ = [
    "DataError",
    "Report",
    "SourceError",
    "UnknownTableError",
    "__version__",
    "citations",
    "date_bounds",
    "load",
    "load_all",
    "package",
    "schema",
    "tables",
    "validate",
]

# The version of the data package is the version of this distribution.
__version__: str = json.loads((package_root() / DESCRIPTOR).read_text(encoding="utf-8"))["version"]

_LAZY = {
    "load": "surveillance_ties.loader",
    "load_all": "surveillance_ties.loader",
    "tables": "surveillance_ties.loader",
    "schema": "surveillance_ties.loader",
    "package": "surveillance_ties.loader",
    "citations": "surveillance_ties.loader",
    "date_bounds": "surveillance_ties.dates",
    "UnknownTableError": "surveillance_ties.loader",
    "SourceError": "surveillance_ties.source",
    "DataError": "surveillance_ties.frames",
    "validate": "surveillance_ties.validation",
    "Report": "surveillance_ties.validation",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'surveillance_ties' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
