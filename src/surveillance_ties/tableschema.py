"""A table's Table Schema as a small typed structure: what ``surveillance_ties.schema()`` returns.

Built from the ``schemas/<table>.schema.json`` of the package (the only place
the columns are defined); nothing here knows a table by name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Field:
    """One column: its name, Table Schema type, description and constraints."""

    name: str
    type: str
    description: str = dataclasses.field(default="", repr=False)
    format: str | None = None
    required: bool = False
    unique: bool = False
    enum: tuple[Scalar, ...] | None = None
    """The allowed values in the schema's order, or ``None`` when any value is allowed."""
    pattern: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this table refer to ``reference_fields`` of ``resource``."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """The schema of one table of the package.

    ``descriptor`` is the Table Schema itself (a plain dict, as in the JSON file).
    """

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...]
    descriptor: dict[str, Any] = dataclasses.field(compare=False, repr=False)

    @property
    def field_names(self) -> list[str]:
        """The column names, in the order of the CSV header."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called ``name``; ``KeyError`` naming the valid fields otherwise."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}; its fields are: {', '.join(self.field_names)}")


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def parse_field(raw: dict[str, Any]) -> Field:
    """A :class:`Field` from one entry of a Table Schema's ``fields``."""
    constraints = raw.get("constraints") or {}
    enum = constraints.get("enum")
    return Field(
        name=str(raw["name"]),
        type=str(raw.get("type", "any")),
        description=str(raw.get("description", "")),
        format=str(raw["format"]) if raw.get("format") is not None else None,
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(enum) if isinstance(enum, list) else None,
        pattern=str(constraints["pattern"]) if constraints.get("pattern") is not None else None,
    )


def parse_schema(resource: dict[str, Any], schema: dict[str, Any]) -> TableSchema:
    """A :class:`TableSchema` from a resource entry of ``datapackage.json`` and its Table Schema."""
    foreign_keys = []
    for fk in schema.get("foreignKeys", []):
        reference = fk.get("reference", {})
        foreign_keys.append(
            ForeignKey(
                fields=_names(fk.get("fields")),
                # An empty resource name means the table itself.
                resource=str(reference.get("resource") or resource["name"]),
                reference_fields=_names(reference.get("fields")),
            )
        )
    return TableSchema(
        name=str(resource["name"]),
        title=str(resource.get("title", "")),
        description=str(resource.get("description", "")),
        fields=tuple(parse_field(f) for f in schema.get("fields", [])),
        primary_key=_names(schema.get("primaryKey")),
        foreign_keys=tuple(foreign_keys),
        missing_values=tuple(str(v) for v in schema.get("missingValues", [""])),
        descriptor=schema,
    )
