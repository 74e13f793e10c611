"""The package as a SQLite database and as Parquet files, typed like ``st.load``.

Every table is read once by :func:`surveillance_ties.datapackage.tables.read_table`, so its column
types come from the one type map (:mod:`surveillance_ties.datapackage.typemap`) that ``st.load``
uses too; nothing here names a table.

In SQLite each resource is one table, in the CSV's row order, with ``NOT NULL`` for required
fields, ``UNIQUE``, the ``PRIMARY KEY`` and every ``FOREIGN KEY`` declared, and an index on each
foreign key; booleans are 0 and 1, dates and times ISO 8601 text. Each Parquet file holds one
table. Both outputs are deterministic: the same package gives the same bytes with the same
SQLite and pyarrow versions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from surveillance_ties.datapackage import Package, TableSchema
from surveillance_ties.datapackage.tables import read_table
from surveillance_ties.datapackage.typemap import sqlite_type

PARQUET_COMPRESSION = "zstd"

__all__ = ["PARQUET_COMPRESSION", "sqlite_ddl", "write_parquet", "write_sqlite"]


def write_parquet(pkg: Package, name: str, target: Path) -> None:
    """Write the table ``name`` as a Parquet file at ``target`` (overwritten)."""
    pq.write_table(
        read_table(pkg, name),
        target,
        compression=PARQUET_COMPRESSION,
        use_dictionary=True,
        write_statistics=True,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_ddl(schema: TableSchema) -> list[str]:
    """The ``CREATE TABLE`` statement of a table and the ``CREATE INDEX`` of its foreign keys."""
    name = schema.name
    pk = list(schema.primary_key)
    columns = []
    for f in schema.fields:
        column = f"{_quote(f.name)} {sqlite_type(f)}"
        if f.required or f.name in pk:
            column += " NOT NULL"
        if f.unique and [f.name] != pk:
            column += " UNIQUE"
        columns.append(column)
    if pk:
        columns.append(f"PRIMARY KEY ({', '.join(_quote(p) for p in pk)})")
    indexes = []
    for fk in schema.foreign_keys:
        own = ", ".join(_quote(c) for c in fk.fields)
        remote = ", ".join(_quote(c) for c in fk.reference_fields)
        columns.append(f"FOREIGN KEY ({own}) REFERENCES {_quote(fk.resource)} ({remote})")
        index = _quote(f"idx_{name}_{'_'.join(fk.fields)}")
        indexes.append(f"CREATE INDEX {index} ON {_quote(name)} ({own})")
    body = ",\n  ".join(columns)
    return [f"CREATE TABLE {_quote(name)} (\n  {body}\n)", *indexes]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


def write_sqlite(pkg: Package, target: Path) -> None:
    """Write every table into a new SQLite database at ``target`` (overwritten)."""
    if target.exists():
        target.unlink()
    con = sqlite3.connect(target, isolation_level=None)
    try:
        con.execute("PRAGMA page_size = 4096")
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("BEGIN")
        for resource in pkg.resources:
            schema = resource.table_schema
            for statement in sqlite_ddl(schema):
                con.execute(statement)
            table = read_table(pkg, resource.name)
            columns = ", ".join(_quote(c) for c in table.column_names)
            marks = ", ".join("?" for _ in table.column_names)
            insert = f"INSERT INTO {_quote(resource.name)} ({columns}) VALUES ({marks})"
            lists = [_plain(column).to_pylist() for column in table.columns]
            rows = ([_sqlite_value(v) for v in row] for row in zip(*lists, strict=True))
            try:
                con.executemany(insert, rows)
            except sqlite3.IntegrityError as exc:
                from surveillance_ties.datapackage import DataError

                raise DataError(
                    f"{pkg.where(resource.path)}: violates its schema in SQLite ({exc})"
                ) from None
        con.execute("COMMIT")
    finally:
        con.close()
