"""The one type map: each Table Schema field type as Arrow, pandas, polars and SQLite types.

``st.load`` (every backend), the Parquet files and the SQLite file of a release all take their
column types from here, so they agree (a test checks it for a schema with one field of each type).

=====================  ===========================  ======================  ====================  ========
Table Schema field     Arrow                        pandas                  polars                SQLite
=====================  ===========================  ======================  ====================  ========
string with ``enum``   dictionary<int32, string>    ``CategoricalDtype``    ``pl.Enum``           TEXT
                       (schema order)               (schema order)          (schema order)
string, other types    string                       ``string``              ``pl.String``         TEXT
integer, year          int64                        ``Int64``               ``pl.Int64``          INTEGER
number                 float64                      ``Float64``             ``pl.Float64``        REAL
boolean                bool                         ``boolean``             ``pl.Boolean``        INTEGER
date                   date32                       ``datetime64[s]``       ``pl.Date``           TEXT
datetime               timestamp[ms, UTC]           ``datetime64[ms, UTC]`` ``pl.Datetime(UTC)``  TEXT
=====================  ===========================  ======================  ====================  ========

Parquet stores no timestamp in seconds, so a ``datetime`` is in milliseconds everywhere. A
release's Parquet files carry the ``pandas`` metadata of :func:`pandas_metadata`, so that
``pd.read_parquet`` gives the pandas dtypes above too (but for ``date``: pandas reads an Arrow
``date32`` column as ``datetime.date`` objects whatever the metadata says). Every
column is nullable: an empty cell (a ``missingValues`` value) is a null. Partial dates
(``2025``, ``2025-10``, ``2025-10-16``) are ``string`` fields with a date ``pattern`` and stay
exact strings (see :func:`surveillance_ties.loading.dates.date_bounds`). Any other type
(``time``, ``yearmonth``, ``duration``, ``object``, ``array``, ``any``...) is text. An ``enum``
on a non-string field keeps the field's type. pyarrow, pandas and polars are imported by the
functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage.model import Field

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "arrow_type",
    "pandas_dtype",
    "pandas_metadata",
    "parse_type",
    "polars_dtype",
    "sqlite_type",
    "strptime_format",
]

_SQLITE = {"integer": "INTEGER", "year": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
# (pandas_type, numpy_type) in pandas' Parquet metadata, as pyarrow writes them for these dtypes.
_PANDAS_METADATA = {
    "integer": ("int64", "Int64"),
    "year": ("int64", "Int64"),
    "number": ("float64", "Float64"),
    "boolean": ("bool", "boolean"),
    "date": ("date", "object"),
}


def strptime_format(field: Field) -> str | None:
    """The ``strptime`` format of a ``date``/``datetime`` field with a custom ``format``, else ``None``."""
    if field.type in ("date", "datetime") and not field.has_default_format:
        return field.format.replace("%-", "%")
    return None


def parse_type(field: Field) -> pa.DataType:
    """The Arrow type the CSV reader parses a field's cells into (before enums are encoded and
    custom-format dates parsed)."""
    import pyarrow as pa

    kind = field.type
    if kind in ("integer", "year"):
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if strptime_format(field) is not None:
        return pa.string()
    if kind == "date":
        return pa.date32()
    if kind == "datetime":
        return pa.timestamp("ms", tz="UTC")
    return pa.string()


def arrow_type(field: Field) -> pa.DataType:
    """The Arrow type of a field's column as loaded (see the table in this module's docstring)."""
    import pyarrow as pa

    if field.is_categorical:
        return pa.dictionary(pa.int32(), pa.string())
    if field.type == "date":
        return pa.date32()
    if field.type == "datetime":
        return pa.timestamp("ms", tz="UTC")
    return parse_type(field)


def pandas_dtype(field: Field) -> pd.api.extensions.ExtensionDtype | np.dtype[Any]:
    """The pandas dtype of a field's column."""
    import numpy as np
    import pandas as pd

    if field.is_categorical:
        return pd.CategoricalDtype(field.categories, ordered=False)
    if field.type == "date":
        return np.dtype("datetime64[s]")
    if field.type == "datetime":
        return pd.DatetimeTZDtype("ms", "UTC")
    return {
        "integer": pd.Int64Dtype(),
        "year": pd.Int64Dtype(),
        "number": pd.Float64Dtype(),
        "boolean": pd.BooleanDtype(),
    }.get(field.type, pd.StringDtype())


def pandas_metadata(field: Field) -> dict[str, Any]:
    """The entry of a field's column in the ``pandas`` metadata of an Arrow schema or Parquet file
    (the format pyarrow writes: https://pandas.pydata.org/docs/development/developer.html), naming
    the dtype of :func:`pandas_dtype` so that ``pyarrow``'s ``to_pandas`` and ``pd.read_parquet``
    restore it."""
    metadata: dict[str, Any] | None = None
    if field.is_categorical:  # numpy_type: the dtype of the codes, the dictionary's indices (int32)
        pandas_type, numpy_type = "categorical", "int32"
        metadata = {"num_categories": len(field.categories), "ordered": False}
    elif field.type == "datetime":
        pandas_type, numpy_type, metadata = "datetimetz", "datetime64[ms]", {"timezone": "UTC"}
    else:
        pandas_type, numpy_type = _PANDAS_METADATA.get(field.type, ("object", "string"))
    return {
        "name": field.name,
        "field_name": field.name,
        "pandas_type": pandas_type,
        "numpy_type": numpy_type,
        "metadata": metadata,
    }


def polars_dtype(field: Field) -> pl.DataType:
    """The polars dtype of a field's column."""
    import polars as pl

    if field.is_categorical:
        return pl.Enum(field.categories)
    if field.type == "date":
        return pl.Date()
    if field.type == "datetime":
        return pl.Datetime("ms", time_zone="UTC")
    return {
        "integer": pl.Int64(),
        "year": pl.Int64(),
        "number": pl.Float64(),
        "boolean": pl.Boolean(),
    }.get(field.type, pl.String())


def sqlite_type(field: Field) -> str:
    """The SQLite column type of a field (dates and times are ISO 8601 text)."""
    return _SQLITE.get(field.type, "TEXT")
