"""The typed model of a data package: what every part of surveillance-ties works on.

A :class:`~surveillance_ties.datapackage.descriptor.Package` holds :class:`Resource` objects, each
with its :class:`Dialect` and its :class:`TableSchema` of :class:`Field` objects and
:class:`ForeignKey` objects. They are built once, from ``datapackage.json`` and the Table
Schemas, by :mod:`surveillance_ties.datapackage.descriptor`, which checks the shape of every value
first: a value here always has the type its annotation says. ``descriptor`` attributes keep the
JSON object each was read from (for documents and diffs that show every key).

A :class:`Problem` is something wrong with the descriptor or a schema, as data: the validator
reports each one, every other command refuses the package on the first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARCHIVE_PATH",
    "CITED_BY",
    "CLAIM",
    "CLAIMANT",
    "DESCRIPTOR",
    "FALSE_VALUES",
    "PARTY_STATEMENT",
    "QUOTE",
    "RECORD_FIELD",
    "RECORD_ID",
    "RECORD_TABLE",
    "SOURCE_ID",
    "TRUE_VALUES",
    "Dialect",
    "Field",
    "ForeignKey",
    "Problem",
    "Resource",
    "Scalar",
    "TableSchema",
]

#: The file name of a package's descriptor.
DESCRIPTOR = "datapackage.json"
#: Table Schema's default lexical values of a boolean.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")

Scalar = str | int | float | bool

#: The field names by which the provenance tables are recognised (nothing names a table): the
#: *sources* table has :data:`SOURCE_ID` and :data:`ARCHIVE_PATH` (and :data:`CITED_BY` for a
#: source quoted from the archived source that links to it); the *citations* table has
#: :data:`SOURCE_ID` and :data:`QUOTE`, and :data:`RECORD_TABLE` (whose ``enum`` lists the cited
#: tables), :data:`RECORD_ID` and :data:`RECORD_FIELD` for the record a quote backs, and may have
#: :data:`CLAIM` (whose claim the quote carries) and :data:`CLAIMANT` (the party, for a
#: :data:`PARTY_STATEMENT`).
SOURCE_ID = "source_id"
ARCHIVE_PATH = "archive_path"
CITED_BY = "cited_by"
QUOTE = "quote"
RECORD_TABLE = "record_table"
RECORD_ID = "record_id"
RECORD_FIELD = "field"
CLAIM = "claim"
CLAIMANT = "claimant_org_id"
PARTY_STATEMENT = "party_statement"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the descriptor or a Table Schema.

    ``code`` is one of the validator's error codes (``descriptor-json``, ``descriptor-shape``,
    ``resource-path``, ``schema-missing``, ``schema-invalid``, ``schema-unknown-type``,
    ``dialect-unsupported``...); ``file`` is package-relative; ``row`` a line of a JSON file,
    ``column`` a field name, when known.
    """

    code: str
    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.row}" if self.row is not None else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Field:
    """One column of a table: its name, Table Schema type and format, constraints and options."""

    name: str
    type: str = "any"
    format: str = "default"
    title: str = dataclasses.field(default="", repr=False)
    description: str = dataclasses.field(default="", repr=False)
    required: bool = False
    unique: bool = False
    enum: tuple[Scalar, ...] | None = None
    """The allowed values in the schema's order, or ``None`` when any value is allowed."""
    pattern: str | None = None
    minimum: Scalar | None = None
    maximum: Scalar | None = None
    min_length: int | None = None
    max_length: int | None = None
    true_values: tuple[str, ...] = dataclasses.field(default=TRUE_VALUES, repr=False)
    false_values: tuple[str, ...] = dataclasses.field(default=FALSE_VALUES, repr=False)
    decimal_char: str = dataclasses.field(default=".", repr=False)
    group_char: str | None = dataclasses.field(default=None, repr=False)
    bare_number: bool = dataclasses.field(default=True, repr=False)
    item_type: str | None = dataclasses.field(default=None, repr=False)
    delimiter: str = dataclasses.field(default=",", repr=False)
    constraints: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)
    descriptor: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def is_categorical(self) -> bool:
        """A string field with an ``enum``: a categorical (pandas), ``pl.Enum`` or dictionary column."""
        return self.enum is not None and self.type == "string"

    @property
    def categories(self) -> list[str]:
        """The allowed values as text, in the schema's order (``[]`` without an enum)."""
        return [str(v) for v in self.enum or ()]

    @property
    def has_default_format(self) -> bool:
        return self.format in ("default", "any")


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this table refer to ``reference_fields`` of ``resource`` (its name, resolved:
    a self-reference names the table itself)."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """The Table Schema of one table of the package."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = ("",)
    descriptor: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)

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

    def has(self, *names: str) -> bool:
        """Whether the schema has every one of the fields ``names``."""
        mine = set(self.field_names)
        return all(n in mine for n in names)


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written (the part of CSV Dialect that surveillance-ties reads)."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    header: bool = True
    line_terminator: str = "\n"
    descriptor: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Resource:
    """A table of the package: its file, encoding, dialect, schema and declared hash and size.

    ``schema`` is ``None`` only in a package read leniently for validation, when the schema is
    missing or too broken to check a table against (its problems say why).
    """

    name: str
    path: str
    schema: TableSchema | None
    schema_path: str | None = None  # the schema's file; None when it is inline
    dialect: Dialect = dataclasses.field(default_factory=Dialect)
    encoding: str = "utf-8"
    hash: str | None = None
    bytes: int | None = None
    title: str = ""
    description: str = ""
    descriptor: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @property
    def schema_file(self) -> str:
        """Where problems of the schema point: its file, or the descriptor for an inline schema."""
        return self.schema_path or DESCRIPTOR

    @property
    def field_names(self) -> list[str]:
        return self.schema.field_names if self.schema is not None else []

    @property
    def table_schema(self) -> TableSchema:
        """The schema (a package opened strictly always has one)."""
        assert self.schema is not None, f"resource {self.name!r} has no usable schema"
        return self.schema
