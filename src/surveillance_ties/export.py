"""The package as a SQLite database and as Parquet files, typed from the Table Schemas.

Every column's type comes from its field in ``schemas/*.json``; nothing here
names a table. Table Schema types map as follows (anything else stays text):

============  ==============  =========================
Table Schema  Parquet (Arrow)  SQLite
============  ==============  =========================
string        string          TEXT
integer       int64           INTEGER
year          int64           INTEGER
number        float64         REAL
boolean       bool            INTEGER (0 or 1)
date          date32          TEXT (``YYYY-MM-DD``)
============  ==============  =========================

Empty cells (the schema's ``missingValues``, by default ``""``) become nulls.
In SQLite each resource is one table, in the CSV's row order, with
``NOT NULL`` for required fields, ``UNIQUE``, the ``PRIMARY KEY`` and every
``FOREIGN KEY`` declared, and an index on each foreign key. Each Parquet file
holds one table. Both outputs are deterministic: the same package gives the
same bytes with the same SQLite and pyarrow versions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from surveillance_ties.tableio import csv_options, foreign_keys, primary_key, resource_schema, table_resources

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "year": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}
_SQLITE_TYPES = {"integer": "INTEGER", "year": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]
PARQUET_COMPRESSION = "zstd"


class ExportError(Exception):
    """A table cannot be converted; the message names the file and the reason."""


def arrow_type(field: dict[str, Any]) -> pa.DataType:
    """The Arrow type of a Table Schema field (string for types without a mapping)."""
    if field.get("type") == "date" and field.get("format", "default") != "default":
        return pa.string()  # a custom date format: keep the text
    return _ARROW_TYPES.get(str(field.get("type", "string")), pa.string())


def sqlite_type(field: dict[str, Any]) -> str:
    """The SQLite column type of a Table Schema field."""
    return _SQLITE_TYPES.get(str(field.get("type", "string")), "TEXT")


def arrow_table(resource: dict[str, Any], root: Path) -> pa.Table:
    """A resource's CSV read into an Arrow table with the schema's column types, in schema order."""
    schema = resource_schema(resource, root)
    fields = [f for f in schema.get("fields", []) if isinstance(f, dict)]
    types = {str(f["name"]): arrow_type(f) for f in fields}
    true_values = sorted(
        {v for f in fields if f.get("type") == "boolean" for v in f.get("trueValues", _TRUE)}
    )
    false_values = sorted(
        {v for f in fields if f.get("type") == "boolean" for v in f.get("falseValues", _FALSE)}
    )
    encoding, delimiter, quotechar = csv_options(resource)
    path = root / str(resource["path"])
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=quotechar, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=list(types),
                null_values=list(schema.get("missingValues", [""])),
                strings_can_be_null=True,
                true_values=true_values or _TRUE,
                false_values=false_values or _FALSE,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, OSError) as exc:
        raise ExportError(f"{resource['path']}: cannot be read with its schema's types ({exc})") from None
    return table


def write_parquet(resource: dict[str, Any], root: Path, target: Path) -> None:
    """Write one resource as a Parquet file at ``target`` (overwritten)."""
    pq.write_table(
        arrow_table(resource, root),
        target,
        compression=PARQUET_COMPRESSION,
        use_dictionary=True,
        write_statistics=True,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_ddl(name: str, schema: dict[str, Any]) -> list[str]:
    """The ``CREATE TABLE`` statement of a resource and the ``CREATE INDEX`` of its foreign keys."""
    pk = primary_key(schema)
    columns = []
    for f in schema.get("fields", []):
        constraints = f.get("constraints", {}) or {}
        column = f"{_quote(str(f['name']))} {sqlite_type(f)}"
        if constraints.get("required") or f["name"] in pk:
            column += " NOT NULL"
        if constraints.get("unique") and [f["name"]] != pk:
            column += " UNIQUE"
        columns.append(column)
    if pk:
        columns.append(f"PRIMARY KEY ({', '.join(_quote(p) for p in pk)})")
    indexes = []
    for fk in foreign_keys(schema):
        ref = fk["reference"]
        target = ref["resource"] or name
        own = ", ".join(_quote(c) for c in fk["fields"])
        columns.append(
            f"FOREIGN KEY ({own}) REFERENCES {_quote(target)} ({', '.join(_quote(c) for c in ref['fields'])})"
        )
        index = _quote(f"idx_{name}_{'_'.join(fk['fields'])}")
        indexes.append(f"CREATE INDEX {index} ON {_quote(name)} ({own})")
    body = ",\n  ".join(columns)
    return [f"CREATE TABLE {_quote(name)} (\n  {body}\n)", *indexes]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_sqlite(descriptor: dict[str, Any], root: Path, target: Path) -> None:
    """Write every table resource into a new SQLite database at ``target`` (overwritten)."""
    if target.exists():
        target.unlink()
    con = sqlite3.connect(target, isolation_level=None)
    try:
        con.execute("PRAGMA page_size = 4096")
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("BEGIN")
        for resource in table_resources(descriptor):
            name = str(resource["name"])
            for statement in sqlite_ddl(name, resource_schema(resource, root)):
                con.execute(statement)
            table = arrow_table(resource, root)
            columns = ", ".join(_quote(c) for c in table.column_names)
            marks = ", ".join("?" for _ in table.column_names)
            insert = f"INSERT INTO {_quote(name)} ({columns}) VALUES ({marks})"
            lists = [column.to_pylist() for column in table.columns]
            rows = ([_sqlite_value(v) for v in row] for row in zip(*lists, strict=True))
            try:
                con.executemany(insert, rows)
            except sqlite3.IntegrityError as exc:
                raise ExportError(f"{resource['path']}: violates its schema in SQLite ({exc})") from None
        con.execute("COMMIT")
    finally:
        con.close()
