"""Reading a table of the package into Arrow: typed from its schema, or as its exact text.

:func:`read_table` parses the CSV once with ``pyarrow.csv``, every column with the type of
:mod:`surveillance_ties.datapackage.typemap` (no inference), in the resource's dialect and encoding;
``enum`` columns become dictionary columns whose dictionary is the schema's allowed values in
order. It is what ``st.load`` and the release files are made from. A value that does not fit its
type or its ``enum``, or a header that differs from the schema, raises
:class:`~surveillance_ties.datapackage.errors.DataError` naming the file (run
``surveillance-ties validate`` for every problem at once).

:func:`read_text` gives every cell as the exact text of the CSV (an empty cell is ``""``), for
what compares or shows cells as they are written (``diff``, ``format``, the figures).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage.descriptor import Package
from surveillance_ties.datapackage.errors import DataError
from surveillance_ties.datapackage.model import Resource, TableSchema
from surveillance_ties.datapackage.stores import FolderStore
from surveillance_ties.datapackage.typemap import parse_type, strptime_format

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["read_table", "read_text", "text_rows"]


def _source(package: Package, resource: Resource) -> Any:
    """What pyarrow reads: a memory map of a checked file on disk, or a stream from a zip or git."""
    import pyarrow as pa

    if isinstance(package.store, FolderStore):
        local = package.store.local_path(resource.path)
        assert local is not None
        return pa.memory_map(str(local))
    return package.store.open(resource.path)


def _read(
    package: Package, resource: Resource, types: dict[str, Any] | None, null_values: list[str], **convert: Any
) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    schema = resource.table_schema
    names = schema.field_names
    where = package.where(resource.path)
    dialect = resource.dialect
    with _source(package, resource) as source:
        header = _header(source, resource, where)
        if header != names:
            missing = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            detail = (
                f"missing {', '.join(missing)}"
                if missing
                else f"unexpected {', '.join(extra)}"
                if extra
                else "the same columns in another order"
            )
            raise DataError(
                f"{where}: the header does not match the fields of its Table Schema ({detail}); "
                f"expected: {','.join(names)}"
            )
        source.seek(0)
        try:
            return pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(encoding=resource.encoding, column_names=names, skip_rows=1),
                parse_options=pacsv.ParseOptions(
                    delimiter=dialect.delimiter, quote_char=dialect.quote_char, newlines_in_values=True
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types or {n: pa.string() for n in names},
                    null_values=null_values,
                    **convert,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, LookupError, OSError) as exc:
            raise DataError(
                f"{where}: a value does not fit its field's type ({exc}); run `surveillance-ties validate` "
                "to see every problem"
            ) from None


def _header(source: Any, resource: Resource, where: str) -> list[str]:
    """The header's cells, parsed from the start of the file in the resource's dialect."""
    import codecs
    import csv
    import io

    head = source.read(1 << 20)
    try:
        text = codecs.decode(head, resource.encoding, errors="replace").lstrip("\ufeff")
    except LookupError:
        raise DataError(f"{where}: the encoding {resource.encoding!r} is unknown; fix `encoding`") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=resource.dialect.delimiter,
                        quotechar=resource.dialect.quote_char)  # fmt: skip
    try:
        return next(reader, [])
    except csv.Error as exc:
        raise DataError(f"{where}: the header cannot be read ({exc})") from None


def _boolean_values(schema: TableSchema) -> tuple[list[str], list[str]]:
    true_values: set[str] = set()
    false_values: set[str] = set()
    for f in schema.fields:
        if f.type == "boolean":
            true_values.update(f.true_values)
            false_values.update(f.false_values)
    return sorted(true_values) or ["true"], sorted(false_values) or ["false"]


def read_table(package: Package, name: str) -> pa.Table:
    """The table ``name`` as an Arrow table typed from its schema (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    resource = package.resource(name)
    schema = resource.table_schema
    true_values, false_values = _boolean_values(schema)
    table = _read(
        package,
        resource,
        {f.name: parse_type(f) for f in schema.fields},
        list(schema.missing_values),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        true_values=true_values,
        false_values=false_values,
    )
    where = package.where(resource.path)
    for i, field in enumerate(schema.fields):
        fmt = strptime_format(field)
        if fmt is not None:
            target = pa.timestamp("ms", tz="UTC") if field.type == "datetime" else pa.timestamp("s")
            try:
                parsed = pc.strptime(table.column(i), format=fmt, unit="s").cast(target)
            except pa.ArrowInvalid as exc:
                raise DataError(
                    f"{where}: field {field.name} does not match its format {fmt!r} ({exc})"
                ) from None
            if field.type == "date":
                parsed = parsed.cast(pa.date32())
            table = table.set_column(i, field.name, parsed)
        if field.is_categorical:
            table = table.set_column(
                i, field.name, _encode(table.column(i), field.name, field.categories, where)
            )
    return table


def _encode(column: pa.ChunkedArray, name: str, allowed: list[str], where: str) -> pa.ChunkedArray:
    """The column as a dictionary column whose dictionary is ``allowed`` (in that order)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from surveillance_ties.datapackage import arrow

    dictionary = arrow.strings(allowed)
    codes = pc.index_in(column, value_set=dictionary)
    bad = pc.and_(pc.is_null(codes), pc.is_valid(column))
    count = int(arrow.numpy(bad).sum())
    if count:
        first = int(arrow.numpy(bad).argmax())
        more = f" (and {count - 1} more rows)" if count > 1 else ""
        raise DataError(
            f"{where}: row {first + 2}: {name} is {column[first].as_py()!r}, not one of its allowed values "
            f"({', '.join(allowed)}){more}"
        )
    indices = (
        codes.cast(pa.int32()).combine_chunks()
        if isinstance(codes, pa.ChunkedArray)
        else codes.cast(pa.int32())
    )
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)])


def read_text(package: Package, name: str) -> pa.Table:
    """The table ``name`` with every cell as its exact text (empty cells ``""``, never null)."""
    resource = package.resource(name)
    return _read(package, resource, None, [], strings_can_be_null=False, quoted_strings_can_be_null=False)


def text_rows(package: Package, name: str) -> list[dict[str, str]]:
    """The rows of the table ``name`` as dicts of exact cell text, in file order."""
    table = read_text(package, name)
    return table.to_pylist()  # type: ignore[no-any-return]
