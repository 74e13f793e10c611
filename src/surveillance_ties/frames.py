"""Reading one CSV table with the types of its Table Schema, into pandas or polars.

The CSV is parsed once by ``pyarrow.csv`` with an explicit type for every
column (no type inference), then handed to pandas or polars. Values outside an
``enum`` are an error here rather than a silent missing value.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from surveillance_ties.dtypes import (
    FALSE_VALUES,
    TRUE_VALUES,
    arrow_type,
    categories,
    is_categorical,
    pandas_types_mapper,
    polars_dtype,
    strptime_format,
)
from surveillance_ties.tableschema import TableSchema

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa


class DataError(ValueError):
    """A table does not fit its Table Schema closely enough to be typed; the message says where."""


def _boolean_values(schema: TableSchema) -> tuple[list[str], list[str]]:
    true_values: list[str] = []
    false_values: list[str] = []
    for raw in schema.descriptor.get("fields", []):
        if raw.get("type") == "boolean":
            true_values += [str(v) for v in raw.get("trueValues", TRUE_VALUES)]
            false_values += [str(v) for v in raw.get("falseValues", FALSE_VALUES)]
    return sorted(set(true_values)) or list(TRUE_VALUES), sorted(set(false_values)) or list(FALSE_VALUES)


def read_arrow(
    csv: str | bytes | IO[bytes],
    schema: TableSchema,
    where: str,
    dialect: dict[str, Any] | None = None,
    encoding: str = "utf-8",
) -> pa.Table:
    """Parse a CSV (a file path, the file's bytes or a binary stream) into an Arrow table
    whose column types come from ``schema``.

    Missing values (the schema's ``missingValues``, by default the empty
    cell) become nulls in every column. Raises :class:`DataError` naming
    ``where`` when the header differs from the schema's fields, a cell cannot
    be parsed as its field's type, or a value is not one of its field's
    ``enum`` values.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    dialect = dialect or {}
    names = schema.field_names
    header = bool(dialect.get("header", True))
    true_values, false_values = _boolean_values(schema)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(csv) if isinstance(csv, bytes) else csv,
            read_options=pacsv.ReadOptions(encoding=encoding, column_names=None if header else names),
            parse_options=pacsv.ParseOptions(
                delimiter=str(dialect.get("delimiter", ",")),
                quote_char=str(dialect.get("quoteChar", '"')),
                double_quote=bool(dialect.get("doubleQuote", True)),
                newlines_in_values=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: arrow_type(f) for f in schema.fields},
                null_values=list(schema.missing_values),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                true_values=true_values,
                false_values=false_values,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataError(f"{where}: {exc}") from None
    if table.column_names != names:
        missing = [n for n in names if n not in table.column_names]
        extra = [n for n in table.column_names if n not in names]
        detail = (
            f"missing {', '.join(missing) or 'nothing'}, unexpected {', '.join(extra) or 'nothing'}"
            if missing or extra
            else "same columns in another order"
        )
        raise DataError(
            f"{where}: the header does not match the fields of its Table Schema ({detail}); "
            f"expected: {','.join(names)}"
        )
    for field in schema.fields:
        fmt = strptime_format(field)
        if fmt is not None:
            index = names.index(field.name)
            unit_type = pa.timestamp("s", tz="UTC") if field.type == "datetime" else pa.timestamp("s")
            try:
                parsed = pc.strptime(table.column(index), format=fmt, unit="s").cast(unit_type)
            except pa.ArrowInvalid as exc:
                raise DataError(
                    f"{where}: field {field.name} does not match its format {fmt!r} ({exc})"
                ) from None
            table = table.set_column(index, field.name, parsed)
        if is_categorical(field):
            _check_enum(table.column(field.name), field.name, categories(field), where)
    return table


def _check_enum(column: pa.ChunkedArray, name: str, allowed: list[str], where: str) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = pc.index_in(column, value_set=pa.array(allowed, pa.string()))
    bad = pc.and_(pc.is_null(codes), pc.is_valid(column))
    count = pc.sum(bad).as_py() or 0
    if count:
        first = pc.indices_nonzero(bad)[0].as_py()
        more = f" (and {count - 1} more rows)" if count > 1 else ""
        raise DataError(
            f"{where}: row {first + 2}: {name} is {column[first].as_py()!r}, not one of its allowed values "
            f"({', '.join(allowed)}){more}"
        )


def to_pandas(table: pa.Table, schema: TableSchema) -> pd.DataFrame:
    """An Arrow table from :func:`read_arrow` as a pandas frame with the schema's dtypes."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    frame: pd.DataFrame = table.to_pandas(types_mapper=pandas_types_mapper().get)
    for field in schema.fields:
        if is_categorical(field):
            allowed = categories(field)
            codes = pc.index_in(table.column(field.name), value_set=pa.array(allowed, pa.string()))
            frame[field.name] = pd.Categorical.from_codes(
                pc.fill_null(codes, -1).to_numpy(), dtype=pd.CategoricalDtype(allowed, ordered=False)
            )
    return frame


def to_polars(table: pa.Table, schema: TableSchema) -> pl.DataFrame:
    """An Arrow table from :func:`read_arrow` as a polars frame with the schema's dtypes."""
    import polars as pl

    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(
        [pl.col(f.name).cast(polars_dtype(f)) for f in schema.fields if is_categorical(f)]
    )
