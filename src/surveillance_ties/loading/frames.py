"""An Arrow table of :func:`surveillance_ties.datapackage.tables.read_table` as a pandas or polars frame.

The column types come from :mod:`surveillance_ties.datapackage.typemap` (the one type map), so
``st.load`` agrees with the release's Parquet and SQLite files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveillance_ties.datapackage import MissingDependencyError, TableSchema
from surveillance_ties.datapackage.typemap import pandas_dtype, polars_dtype

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["to_pandas", "to_polars"]


def to_pandas(table: pa.Table, schema: TableSchema) -> pd.DataFrame:
    """The table as a pandas frame with the schema's dtypes (nullable, categoricals in schema order)."""
    import pandas as pd
    import pyarrow as pa

    mapper = {
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame: pd.DataFrame = table.to_pandas(types_mapper=mapper.get, date_as_object=False)
    for field in schema.fields:
        wanted = pandas_dtype(field)
        if frame[field.name].dtype != wanted:
            frame[field.name] = frame[field.name].astype(wanted)
    return frame


def to_polars(table: pa.Table, schema: TableSchema) -> pl.DataFrame:
    """The table as a polars frame with the schema's dtypes (``pl.Enum`` in schema order)."""
    try:
        import polars as pl
    except ImportError:
        raise MissingDependencyError(
            "backend='polars' needs polars: pip install 'surveillance-ties[polars]'"
        ) from None
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns([pl.col(f.name).cast(polars_dtype(f)) for f in schema.fields])
