"""What the figures draw, read from a data package through the package layer.

The tables are read as their exact text (every cell a string, empty cells
``""``, see :func:`surveillance_ties.datapackage.tables.text_rows`), so this module
needs neither pandas nor matplotlib. The timeline's events are found from the schemas, not from a list
of column names: every partial-date field (a ``string`` whose pattern is the
partial ISO 8601 date) of a table that refers to ``organizations`` is an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from surveillance_ties.datapackage import DataError, Field, Package, TableSchema
from surveillance_ties.datapackage.tables import text_rows
from surveillance_ties.loading.dates import bounds, precision

ORGANIZATIONS = "organizations"


class FigureDataError(DataError):
    """The package cannot be drawn; the message names the file and the fix."""


@dataclass(frozen=True)
class FigureData:
    """The descriptor, each table's schema and rows, in descriptor order, and the package folder."""

    descriptor: Mapping[str, Any]
    schemas: dict[str, TableSchema]
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
        licences = [
            str(x.get("name") or x.get("title"))
            for x in self.descriptor.get("licenses", [])
            if isinstance(x, dict) and (x.get("name") or x.get("title"))
        ]
        return f"Data: {self.title}" + (f", {', '.join(licences)}" if licences else "")

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of a table, or ``[]`` when the package has no such table."""
        return self.tables.get(name, [])

    def enum(self, table: str, field: str) -> list[str]:
        """The allowed values of a field, in schema order (``[]`` if it has no enum)."""
        schema = self.schemas.get(table)
        if schema is None or not schema.has(field):
            return []
        return schema.field(field).categories

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


def read_package(pkg: Package, root: Path) -> FigureData:
    """Every table of ``pkg`` as text rows, with the schemas; ``root`` is where ``docs/`` goes."""
    schemas = {r.name: r.table_schema for r in pkg.resources}
    tables = {r.name: text_rows(pkg, r.name) for r in pkg.resources}
    return FigureData(pkg.descriptor, schemas, tables, root)


def _is_partial_date(field: Field) -> bool:
    return field.type == "string" and (field.pattern or "").startswith("^[0-9]{4}(-(0[1-9]|1[0-2])")


def _humanize(value: str) -> str:
    return value.replace("_", " ")


def record_label(package: FigureData, table: str, row: dict[str, str]) -> str:
    """A short label for a record: the organizations it refers to, then what it is.

    ``Ring → Flock Safety: footage sharing``, ``Ring: Familiar Faces``,
    ``FTC → Ring: settlement``. Built from the schema (foreign keys to
    ``organizations``, then the ``name`` field or the first field with an enum).
    """
    schema = package.schemas.get(table)
    names = package.org_names()
    parties = [
        names.get(row.get(fk.fields[0], ""), "")
        for fk in (schema.foreign_keys if schema is not None else ())
        if fk.resource == ORGANIZATIONS
    ]
    what = row.get("name", "")
    if not what and schema is not None:
        enums = [f.name for f in schema.fields if f.enum is not None]
        what = _humanize(row.get(enums[0], "")) if enums else ""
    head = " → ".join(p for p in parties if p)
    return f"{head}: {what}" if head and what else head or what


def events(package: FigureData) -> list[Event]:
    """Every dated value in the tables that refer to organizations, sorted by date."""
    out: list[Event] = []
    for table, schema in package.schemas.items():
        refers = any(fk.resource == ORGANIZATIONS for fk in schema.foreign_keys)
        if table == ORGANIZATIONS or not refers:
            continue
        key_field = schema.primary_key[0] if schema.primary_key else ""
        date_fields = [f.name for f in schema.fields if _is_partial_date(f)]
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
