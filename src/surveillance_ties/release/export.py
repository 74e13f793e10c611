"""The package as a SQLite database and as Parquet files, typed like ``st.load``, described inside.

Every table is read once by :func:`surveillance_ties.datapackage.tables.read_table`, so its column
types come from the one type map (:mod:`surveillance_ties.datapackage.typemap`) that ``st.load``
uses too; nothing here names a table.

In SQLite each resource is one table, in the CSV's row order, with ``NOT NULL`` for required
fields, ``UNIQUE``, the ``PRIMARY KEY`` and every ``FOREIGN KEY`` declared, and an index on each
foreign key; booleans are 0 and 1, dates and times ISO 8601 text. Three more tables describe
them (:data:`METADATA_DDL`):

- ``_metadata`` (``key``, ``value``): the package's ``name``, ``title``, ``description``,
  ``version``, ``created``, ``homepage``, ``license``, ``license_url``, ``licenses`` (JSON) and
  ``citation`` (:func:`package_metadata`);
- ``_tables`` (``table_name``, ``title``, ``description``): one row per data table;
- ``_columns`` (``table_name``, ``column_name``, ``position``, ``type``, ``title``,
  ``description``): one row per column, ``type`` being its Table Schema type.

``SELECT value FROM _metadata WHERE key = 'license'`` gives the licence. :func:`datasette_metadata`
is the same description for Datasette (``datasette x.sqlite -m x.metadata.json``).

Each Parquet file holds one table, with the field descriptions, the package's name, title,
version and licences, and the pandas metadata that makes ``pd.read_parquet`` give ``st.load``'s
dtypes (:func:`parquet_table`). Both outputs are deterministic: the same package gives the same
bytes with the same SQLite and pyarrow versions.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from surveillance_ties.datapackage import DataError, DescriptorError, Package, TableSchema
from surveillance_ties.datapackage.tables import read_table
from surveillance_ties.datapackage.typemap import pandas_metadata, sqlite_type

PARQUET_COMPRESSION = "zstd"

__all__ = [
    "LABEL_FIELDS",
    "METADATA_DDL",
    "PARQUET_COMPRESSION",
    "datasette_metadata",
    "package_metadata",
    "parquet_table",
    "sqlite_ddl",
    "write_parquet",
    "write_sqlite",
]


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("ascii")  # as st.load(..., backend="pyarrow") writes its schema


def parquet_table(pkg: Package, name: str) -> pa.Table:
    """The table ``name`` as its Parquet file holds it: the columns of ``st.load(name,
    backend="pyarrow")``, each field's ``description`` (and ``title``) in its Arrow field metadata,
    and in the schema's key-value metadata:

    - ``surveillance_ties.name``, ``.title``, ``.version``, ``.table``: the package's name, title
      and version and the table's name;
    - ``surveillance_ties.licenses``: the package's ``licenses`` (JSON, as in ``datapackage.json``);
    - ``surveillance_ties.citation`` and ``.schema``: how to cite the table and its Table Schema
      (JSON), as ``st.load(..., backend="pyarrow")`` gives them;
    - ``pandas``: the pandas metadata (:func:`~surveillance_ties.datapackage.typemap.pandas_metadata`),
      so that ``pd.read_parquet`` gives the dtypes of ``st.load`` and, in ``DataFrame.attrs``, its
      ``schema``, ``table``, ``version`` and ``citation``.
    """
    from surveillance_ties.loading import citation_text

    table = read_table(pkg, name)
    schema = pkg.resource(name).table_schema
    fields = []
    for arrow_field, field in zip(table.schema, schema.fields, strict=True):
        about = {"title": field.title, "description": field.description}
        fields.append(arrow_field.with_metadata({k: v for k, v in about.items() if v}))
    citation = citation_text(pkg.descriptor, name)
    attrs = {"schema": dict(schema.descriptor), "table": name, "version": pkg.version, "citation": citation}
    pandas = {
        "index_columns": [],
        "column_indexes": [],
        "columns": [pandas_metadata(f) for f in schema.fields],
        "attributes": attrs,
    }
    metadata = {
        "surveillance_ties.name": pkg.name.encode("utf-8"),
        "surveillance_ties.title": pkg.title.encode("utf-8"),
        "surveillance_ties.version": pkg.version.encode("utf-8"),
        "surveillance_ties.table": name.encode("utf-8"),
        "surveillance_ties.licenses": _json(pkg.items("licenses")),
        "surveillance_ties.citation": citation.encode("utf-8"),
        "surveillance_ties.schema": _json(dict(schema.descriptor)),
        "pandas": _json(pandas),
    }
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields, metadata=metadata))


def write_parquet(pkg: Package, name: str, target: Path) -> None:
    """Write the table ``name`` as a Parquet file at ``target`` (overwritten): see
    :func:`parquet_table`."""
    pq.write_table(
        parquet_table(pkg, name),
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


#: The tables that describe the package inside its SQLite file, after the data tables.
METADATA_DDL = {
    "_metadata": 'CREATE TABLE "_metadata" (\n  "key" TEXT NOT NULL PRIMARY KEY,\n  "value" TEXT NOT NULL\n)',
    "_tables": (
        'CREATE TABLE "_tables" (\n  "table_name" TEXT NOT NULL PRIMARY KEY,\n  "title" TEXT,\n'
        '  "description" TEXT\n)'
    ),
    "_columns": (
        'CREATE TABLE "_columns" (\n  "table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"),\n'
        '  "column_name" TEXT NOT NULL,\n  "position" INTEGER NOT NULL,\n  "type" TEXT NOT NULL,\n'
        '  "title" TEXT,\n  "description" TEXT,\n  PRIMARY KEY ("table_name", "column_name")\n)'
    ),
}
#: A table's label in Datasette (what a foreign key to it shows): its first field of these names.
LABEL_FIELDS = ("name", "title")


def _licence(pkg: Package) -> dict[str, str]:
    """``license`` (the names of the package's licences) and, for one licence, its ``license_url``."""
    licences = pkg.items("licenses")
    names = [str(x.get("name") or x.get("title") or "") for x in licences]
    out = {"license": ", ".join(n for n in names if n)}
    if len(licences) == 1 and isinstance(licences[0].get("path"), str):
        out["license_url"] = licences[0]["path"]
    return {k: v for k, v in out.items() if v}


def package_metadata(pkg: Package) -> dict[str, str]:
    """The rows of the ``_metadata`` table: the package's name, title, description, version,
    created, homepage, licences (``license``, ``license_url``, and ``licenses``: the JSON of
    ``datapackage.json``) and how to cite it; a key whose value is empty is left out."""
    from surveillance_ties.loading import citation_text

    d = pkg.descriptor
    text = {k: d.get(k) for k in ("name", "title", "description", "version", "created", "homepage")}
    out = {k: v for k, v in text.items() if isinstance(v, str) and v}
    out.update(_licence(pkg))
    if pkg.items("licenses"):
        out["licenses"] = json.dumps(pkg.items("licenses"), ensure_ascii=False)
    out["citation"] = citation_text(d)
    return out


def _label_column(schema: TableSchema) -> str | None:
    return next((n for n in LABEL_FIELDS if n in schema.field_names), None)


def datasette_metadata(pkg: Package, database: str) -> dict[str, Any]:
    """Datasette's metadata (``datasette <database>.sqlite -m <file>``) for the SQLite file of
    :func:`write_sqlite`, named ``database`` (the file name without ``.sqlite``): the package's
    title, description, licence (``license``, ``license_url``) and source (``source``: its title,
    ``source_url``: its homepage); each table's title, description and column descriptions; the
    ``label_column`` of each table with a field called ``name`` or ``title`` (so that Datasette
    shows a foreign key by that label); the ``_metadata``, ``_tables`` and ``_columns`` tables
    hidden."""
    about = package_metadata(pkg)
    top: dict[str, Any] = {k: about[k] for k in ("title", "description") if k in about}
    top.update(_licence(pkg))
    if "title" in about or "name" in about:
        top["source"] = about.get("title", about.get("name"))
    if "homepage" in about:
        top["source_url"] = about["homepage"]
    tables: dict[str, Any] = {}
    for resource in pkg.resources:
        schema = resource.table_schema
        table: dict[str, Any] = {"title": resource.title, "description": resource.description}
        table = {k: v for k, v in table.items() if v}
        columns = {f.name: f.description for f in schema.fields if f.description}
        if columns:
            table["columns"] = columns
        label = _label_column(schema)
        if label is not None:
            table["label_column"] = label
        tables[resource.name] = table
    for name in METADATA_DDL:
        tables[name] = {"hidden": True}
    title = " ".join(x for x in (about.get("title", about.get("name", "")), about.get("version", "")) if x)
    database_meta: dict[str, Any] = {"title": title} if title else {}
    return {**top, "databases": {database: {**database_meta, "tables": tables}}}


def _write_metadata_tables(pkg: Package, con: sqlite3.Connection) -> None:
    for statement in METADATA_DDL.values():
        con.execute(statement)
    con.executemany('INSERT INTO "_metadata" VALUES (?, ?)', package_metadata(pkg).items())
    for resource in pkg.resources:
        con.execute(
            'INSERT INTO "_tables" VALUES (?, ?, ?)',
            (resource.name, resource.title or None, resource.description or None),
        )
        con.executemany(
            'INSERT INTO "_columns" VALUES (?, ?, ?, ?, ?, ?)',
            [
                (resource.name, f.name, i, f.type, f.title or None, f.description or None)
                for i, f in enumerate(resource.table_schema.fields, start=1)
            ],
        )


def write_sqlite(pkg: Package, target: Path) -> None:
    """Write every table into a new SQLite database at ``target`` (overwritten), then the tables
    that describe them (see the module docstring)."""
    clash = [name for name in pkg.table_names if name in METADATA_DDL]
    if clash:
        raise DescriptorError(
            f"{pkg.label}: a table is named {clash[0]}, a name the SQLite export keeps for itself; rename it"
        )
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
            lists = []
            for column in table.columns:  # converted per column: only dates and times need it
                plain = _plain(column)
                values = plain.to_pylist()
                if pa.types.is_temporal(plain.type):
                    values = [_sqlite_value(v) for v in values]
                lists.append(values)
            rows = zip(*lists, strict=True)
            try:
                con.executemany(insert, rows)
            except sqlite3.IntegrityError as exc:
                raise DataError(
                    f"{pkg.where(resource.path)}: violates its schema in SQLite ({exc})"
                ) from None
        _write_metadata_tables(pkg, con)
        con.execute("COMMIT")
    finally:
        con.close()
