"""The canonical form of a table and of the descriptor: what ``format`` writes and ``validate`` expects.

A table is canonical when its file is exactly what :func:`table_bytes` writes for its cells:

- UTF-8 without a byte order mark;
- one record a line, every line ended by a line feed (LF) alone, the last one too; no blank lines
  and no row whose every cell is empty;
- the header, then the rows in primary-key order (by the text of the key's cells, compared as
  Unicode code points; rows with equal keys keep their order; a table without a primary key keeps
  its order);
- cells separated by the dialect's delimiter and quoted only where a quote is needed
  (:func:`needs_quotes`), a quote inside a quoted cell doubled.

Formatting never changes a cell's value: the cells are read with the package's own reader and
written back as they are. The descriptor is canonical when it is :func:`~.descriptor.dumps` of
itself with every table's current ``hash`` and ``bytes``.

The validator checks the same rule on whole columns (``validation.canonical``); a test holds the
two to agreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from surveillance_ties.datapackage.model import Dialect, Resource

if TYPE_CHECKING:
    import pyarrow as pa

    from surveillance_ties.datapackage.descriptor import Package

__all__ = ["needs_quotes", "sorted_rows", "table_bytes", "table_text"]


def needs_quotes(cell: str, dialect: Dialect, alone: bool = False) -> bool:
    """Whether a cell must be quoted: it holds the delimiter, the quote character, a line feed or a
    carriage return, or it is the empty only cell of its row (``alone``), which would be a blank line."""
    return (
        dialect.delimiter in cell
        or dialect.quote_char in cell
        or "\n" in cell
        or "\r" in cell
        or (alone and cell == "")
    )


def _line(cells: Sequence[str], dialect: Dialect) -> str:
    quote = dialect.quote_char
    alone = len(cells) == 1
    return (
        dialect.delimiter.join(
            quote + c.replace(quote, quote + quote) + quote if needs_quotes(c, dialect, alone) else c
            for c in cells
        )
        + "\n"
    )


def table_text(header: Sequence[str], rows: Iterable[Sequence[str]], dialect: Dialect) -> str:
    """The canonical text of a table (header, then the rows in the order given)."""
    return _line(header, dialect) + "".join(_line(row, dialect) for row in rows)


def sorted_rows(table: pa.Table, resource: Resource) -> list[list[str]]:
    """The rows of a text table (every cell a string) in primary-key order (stable), without the
    rows whose every cell is empty (they hold no value; the validator calls them blank rows)."""
    names = table.column_names
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [list(row) for row in zip(*columns, strict=True) if any(row)] if columns else []
    key = list(resource.schema.primary_key) if resource.schema is not None else []
    if key and all(k in names for k in key):
        index = [names.index(k) for k in key]
        rows.sort(key=lambda row: tuple(row[i] for i in index))
    return rows


def table_bytes(package: Package, resource: Resource, extra: Sequence[Sequence[str]] = ()) -> bytes:
    """The canonical bytes of a table of ``package``, with the rows ``extra`` added (raises the
    reader's :class:`~surveillance_ties.datapackage.errors.DataError` when the table cannot be read)."""
    import pyarrow as pa

    from surveillance_ties.datapackage import arrow
    from surveillance_ties.datapackage.tables import read_text

    table = read_text(package, resource.name)
    if extra:
        added = pa.table(
            {n: arrow.strings([row[i] for row in extra]) for i, n in enumerate(table.column_names)}
        )
        table = pa.concat_tables([table, added])
    return table_text(table.column_names, sorted_rows(table, resource), resource.dialect).encode("utf-8")
