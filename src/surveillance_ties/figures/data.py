"""What the figures draw, read from a data package with the standard library only.

The tables are read through ``datapackage.json`` with :mod:`csv` (every cell a
string, empty cells ``""``), so this module needs neither pandas nor
matplotlib. The timeline's events are found from the schemas, not from a list
of column names: every partial-date field (a ``string`` whose pattern is the
partial ISO 8601 date) of a table that refers to ``organizations`` is an event.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from surveillance_ties.dates import bounds, precision
from surveillance_ties.descriptor import DescriptorError, descriptor_path, read_descriptor

ORGANIZATIONS = "organizations"


class FigureDataError(Exception):
    """The package cannot be drawn; the message names the file and the fix."""


@dataclass(frozen=True)
class Package:
    """The descriptor, each table's schema and rows, in descriptor order, and the package folder."""

    descriptor: dict[str, Any]
    schemas: dict[str, dict[str, Any]]
    tables: dict[str, list[dict[str, str]]]
    root: Path

    @property
    def title(self) -> str:
        """``"<title> <version>"`` of the package."""
        d = self.descriptor
        return f"{d.get('title') or d.get('name', '')} {d.get('version', '')}".strip()

    @property
    def credit(self) -> str:
        """``"Data: <title> <version>, <licence>"`` for the corner of a figure."""
        licences = [str(x.get("name") or x.get("title")) for x in self.descriptor.get("licenses", [])]
        return f"Data: {self.title}" + (f", {', '.join(licences)}" if licences else "")

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of a table, or ``[]`` when the package has no such table."""
        return self.tables.get(name, [])

    def enum(self, table: str, field: str) -> list[str]:
        """The allowed values of a field, in schema order (``[]`` if it has no enum)."""
        for f in self.schemas.get(table, {}).get("fields", []):
            if f.get("name") == field:
                return [str(v) for v in f.get("constraints", {}).get("enum", [])]
        return []

    def org_names(self) -> dict[str, str]:
        """``org_id`` -> name."""
        return {r["org_id"]: r.get("name") or r["org_id"] for r in self.rows(ORGANIZATIONS)}


@dataclass(frozen=True)
class Event:
    """One dated value of a record: a tie announced, a feature launched, an action taken."""

    table: str
    record_id: str
    field: str
    value: str  # the partial date exactly as stored
    first: date
    last: date
    record_label: str
    status: str  # the record's ``status`` ("" when the table has none)

    @property
    def precision(self) -> str:
        """``"year"``, ``"month"`` or ``"day"``."""
        return precision(self.value)

    @property
    def gid(self) -> str:
        """The id of the event's mark in the SVG: ``event-<table>-<record id>-<field>``."""
        return f"event-{self.table}-{self.record_id}-{self.field}"


def read_package(path: str | os.PathLike[str] = ".") -> Package:
    """Read every table of the package at ``path`` (a folder or its ``datapackage.json``)."""
    try:
        descriptor = read_descriptor(path)
        root = descriptor_path(path).parent
    except DescriptorError as exc:
        raise FigureDataError(str(exc)) from None
    schemas: dict[str, dict[str, Any]] = {}
    tables: dict[str, list[dict[str, str]]] = {}
    for resource in descriptor.get("resources", []):
        name = str(resource.get("name", ""))
        schema = resource.get("schema", {})
        if isinstance(schema, str):
            try:
                schema = json.loads((root / schema).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise FigureDataError(
                    f"{root / resource['schema']}: cannot read the Table Schema ({exc})"
                ) from None
        schemas[name] = schema
        file = root / str(resource.get("path", ""))
        try:
            with open(file, encoding="utf-8", newline="") as fh:
                tables[name] = [{k: (v or "") for k, v in row.items()} for row in csv.DictReader(fh)]
        except (OSError, UnicodeDecodeError) as exc:
            raise FigureDataError(
                f"{file}: cannot read the table ({exc}); fix the file or its path"
            ) from None
    return Package(descriptor, schemas, tables, root)


def _is_partial_date(field: dict[str, Any]) -> bool:
    pattern = str(field.get("constraints", {}).get("pattern", ""))
    return field.get("type") == "string" and pattern.startswith("^[0-9]{4}(-(0[1-9]|1[0-2])")


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _humanize(value: str) -> str:
    return value.replace("_", " ")


def record_label(package: Package, table: str, row: dict[str, str]) -> str:
    """A short label for a record: the organizations it refers to, then what it is.

    ``Ring → Flock Safety: footage sharing``, ``Ring: Familiar Faces``,
    ``FTC → Ring: settlement``. Built from the schema (foreign keys to
    ``organizations``, then the ``name`` field or the first field with an enum).
    """
    schema = package.schemas.get(table, {})
    names = package.org_names()
    parties = [
        names.get(row.get((_as_list(fk.get("fields")) or [""])[0], ""), "")
        for fk in schema.get("foreignKeys", [])
        if fk.get("reference", {}).get("resource") == ORGANIZATIONS
    ]
    what = row.get("name", "")
    if not what:
        enums = [f["name"] for f in schema.get("fields", []) if "enum" in f.get("constraints", {})]
        what = _humanize(row.get(enums[0], "")) if enums else ""
    head = " → ".join(p for p in parties if p)
    return f"{head}: {what}" if head and what else head or what


def events(package: Package) -> list[Event]:
    """Every dated value in the tables that refer to organizations, sorted by date."""
    out: list[Event] = []
    for table, schema in package.schemas.items():
        refers = any(
            fk.get("reference", {}).get("resource") == ORGANIZATIONS for fk in schema.get("foreignKeys", [])
        )
        if table == ORGANIZATIONS or not refers:
            continue
        key = schema.get("primaryKey", [])
        key_field = key[0] if isinstance(key, list) and key else str(key)
        date_fields = [str(f["name"]) for f in schema.get("fields", []) if _is_partial_date(f)]
        for row in package.rows(table):
            for field in date_fields:
                value = row.get(field, "")
                if not value:
                    continue
                try:
                    first, last = bounds(value)
                except ValueError as exc:
                    raise FigureDataError(
                        f"{table}: record {row.get(key_field, '')!r}, field {field!r}: {exc}; "
                        "run `surveillance-ties validate` and fix the date"
                    ) from None
                out.append(
                    Event(
                        table=table,
                        record_id=row.get(key_field, ""),
                        field=field,
                        value=value,
                        first=first,
                        last=last,
                        record_label=record_label(package, table, row),
                        status=row.get("status", ""),
                    )
                )
    return sorted(out, key=lambda e: (e.first, e.last, e.table, e.record_id, e.field))
