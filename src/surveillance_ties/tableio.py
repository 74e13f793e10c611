"""Reading a package's tables and Table Schemas generically, from any copy of the package.

Used by ``diff`` (cells as the exact text of the CSV) and ``export`` (the
schema's types). Nothing here knows a table by name: everything comes from
the resource entries of ``datapackage.json``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class TableReadError(Exception):
    """A table or its schema cannot be read; the message names the file and the fix."""


def table_resources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of a descriptor that are tables with a local ``path`` (in descriptor order)."""
    out: list[dict[str, Any]] = []
    for resource in descriptor.get("resources", []):
        if isinstance(resource, dict) and isinstance(resource.get("path"), str) and "schema" in resource:
            out.append(resource)
    return out


def resource_schema(resource: dict[str, Any], root: Path) -> dict[str, Any]:
    """The Table Schema of a resource: inline, or read from its path relative to ``root``."""
    schema = resource.get("schema")
    if isinstance(schema, dict):
        return schema
    if not isinstance(schema, str):
        raise TableReadError(f"resource {resource.get('name')!r}: `schema` must be a path or an object")
    path = root / schema
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TableReadError(
            f"{schema}: no such schema file (fix `schema` of {resource.get('name')!r})"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TableReadError(f"{schema}: not a readable JSON Table Schema ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise TableReadError(f"{schema}: a Table Schema needs a `fields` list")
    return data


def field_names(schema: dict[str, Any]) -> list[str]:
    """The names of a schema's fields, in order."""
    return [str(f.get("name")) for f in schema.get("fields", []) if isinstance(f, dict)]


def primary_key(schema: dict[str, Any]) -> list[str]:
    """The schema's primary key as a list of field names (empty when it has none)."""
    pk = schema.get("primaryKey")
    if isinstance(pk, str):
        return [pk]
    if isinstance(pk, list):
        return [str(p) for p in pk]
    return []


def foreign_keys(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema's foreign keys, each with ``fields`` and ``reference`` fields as lists."""
    out: list[dict[str, Any]] = []
    for fk in schema.get("foreignKeys", []) or []:
        if not isinstance(fk, dict):
            continue
        ref = fk.get("reference", {}) or {}
        fields = fk.get("fields", [])
        ref_fields = ref.get("fields", [])
        out.append(
            {
                "fields": [fields] if isinstance(fields, str) else list(fields),
                "reference": {
                    "resource": str(ref.get("resource", "")),
                    "fields": [ref_fields] if isinstance(ref_fields, str) else list(ref_fields),
                },
            }
        )
    return out


def csv_options(resource: dict[str, Any]) -> tuple[str, str, str]:
    """``(encoding, delimiter, quote character)`` of a CSV resource (defaults: utf-8, comma, ")."""
    dialect = resource.get("dialect") if isinstance(resource.get("dialect"), dict) else {}
    assert isinstance(dialect, dict)
    encoding = str(resource.get("encoding") or "utf-8")
    return encoding, str(dialect.get("delimiter", ",")), str(dialect.get("quoteChar", '"'))


def read_text_table(resource: dict[str, Any], root: Path) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator over the rows of a CSV resource, cells as their exact text.

    The caller must exhaust or drop the iterator; the file is closed when it ends.
    """
    path = root / str(resource["path"])
    encoding, delimiter, quotechar = csv_options(resource)
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the generator
    except FileNotFoundError:
        raise TableReadError(
            f"{resource['path']}: no such file (resource {resource.get('name')!r})"
        ) from None
    reader = csv.reader(fh, delimiter=delimiter, quotechar=quotechar)
    try:
        header = next(reader, [])
    except (UnicodeDecodeError, csv.Error) as exc:
        fh.close()
        raise TableReadError(f"{resource['path']}: cannot read the header ({exc})") from None

    def rows() -> Iterator[list[str]]:
        with fh:
            try:
                yield from reader
            except (UnicodeDecodeError, csv.Error) as exc:
                raise TableReadError(f"{resource['path']}:{reader.line_num}: cannot read ({exc})") from None

    return header, rows()
