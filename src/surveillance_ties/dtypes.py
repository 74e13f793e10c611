"""The column types of a table, derived from its Table Schema (never inferred from the data).

=====================  ======================  ======================  ===================
Table Schema field     Arrow (read)            pandas                  polars
=====================  ======================  ======================  ===================
string with ``enum``   string                  ``CategoricalDtype``    ``pl.Enum``
                                               (schema order)          (schema order)
string, other types    string                  ``"string"``            ``pl.String``
integer, year          int64                   ``Int64``               ``pl.Int64``
number                 float64                 ``Float64``             ``pl.Float64``
boolean                bool                    ``boolean``             ``pl.Boolean``
date                   timestamp[s]            ``datetime64[s]``       ``pl.Datetime``
datetime               timestamp[s, UTC]       ``datetime64[s, UTC]``  ``pl.Datetime(UTC)``
=====================  ======================  ======================  ===================

Partial dates (``2025``, ``2025-10``, ``2025-10-16``) are ``string`` fields with
a date ``pattern``: they stay exact strings; see
:func:`surveillance_ties.dates.date_bounds` to filter them by date. Any other
type (``time``, ``yearmonth``, ``duration``, ``object``, ``array``, ``any``...)
is read as a string. An ``enum`` on a non-string field keeps the field's type.
pyarrow, pandas and polars are imported by the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.tableschema import Field

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import polars as pl
    import pyarrow as pa

# Table Schema's default lexical values of a boolean.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")


def is_categorical(field: Field) -> bool:
    """True when the field becomes a categorical (pandas) or ``pl.Enum`` (polars) column."""
    return field.enum is not None and field.type == "string"


def categories(field: Field) -> list[str]:
    """The allowed values of a categorical field, in the schema's order."""
    return [str(v) for v in field.enum or ()]


def _has_default_format(field: Field) -> bool:
    return field.format in (None, "default", "any")


def arrow_type(field: Field) -> pa.DataType:
    """The Arrow type a field's CSV cells are parsed into.

    A ``date`` or ``datetime`` with a custom ``format`` is read as a string
    and parsed afterwards (see :func:`strptime_format`).
    """
    import pyarrow as pa

    kind = field.type
    if kind in ("integer", "year"):
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "date" and _has_default_format(field):
        return pa.timestamp("s")
    if kind == "datetime" and _has_default_format(field):
        return pa.timestamp("s", tz="UTC")
    return pa.string()


def strptime_format(field: Field) -> str | None:
    """The ``strptime`` format of a ``date``/``datetime`` field with a custom ``format``, else ``None``."""
    if field.type in ("date", "datetime") and not _has_default_format(field):
        return field.format
    return None


def final_arrow_type(field: Field) -> pa.DataType:
    """The Arrow type of the column once read (custom-format dates parsed)."""
    import pyarrow as pa

    if strptime_format(field) is not None:
        return pa.timestamp("s", tz="UTC") if field.type == "datetime" else pa.timestamp("s")
    return arrow_type(field)


def pandas_dtype(field: Field) -> pd.api.extensions.ExtensionDtype | np.dtype[Any]:
    """The pandas dtype of a field's column (see the table in this module's docstring)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if is_categorical(field):
        return pd.CategoricalDtype(categories(field), ordered=False)
    kind = final_arrow_type(field)
    if pa.types.is_timestamp(kind):
        return pd.DatetimeTZDtype("s", "UTC") if kind.tz else np.dtype("datetime64[s]")
    return pandas_types_mapper()[kind]


def pandas_types_mapper() -> dict[pa.DataType, pd.api.extensions.ExtensionDtype]:
    """``types_mapper`` for ``pyarrow.Table.to_pandas``: Arrow types to pandas' nullable dtypes."""
    import pandas as pd
    import pyarrow as pa

    return {
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }


def polars_dtype(field: Field) -> pl.DataType:
    """The polars dtype of a field's column (see the table in this module's docstring)."""
    import polars as pl
    import pyarrow as pa

    if is_categorical(field):
        return pl.Enum(categories(field))
    kind = final_arrow_type(field)
    if pa.types.is_timestamp(kind):
        return pl.Datetime("ms", time_zone="UTC" if kind.tz else None)
    by_arrow: dict[str, pl.DataType] = {
        "string": pl.String(),
        "int64": pl.Int64(),
        "double": pl.Float64(),
        "bool": pl.Boolean(),
    }
    return by_arrow[str(kind)]
