"""What changed between two copies of the data package, as plain data.

:func:`diff` compares two package folders; :func:`diff_sources` opens any two
copies first (folders, ``datapackage.json`` files, release zips or git
revisions, see :mod:`surveillance_ties.revisions`). The result is a
:class:`PackageDiff` of dataclasses; :meth:`PackageDiff.to_dict` gives the
JSON structure and :mod:`surveillance_ties.diff_render` turns it into text,
JSON or Markdown.

Rows are matched by the new schema's primary key (through renamed fields) and
compared on the fields both versions have, cell by cell, as the exact text of
the CSV. A table without a primary key is compared as a multiset of rows, so
it has rows added and removed but never changed.

Schema changes, each a :class:`SchemaChange` with a ``kind``:

- ``field-added``, ``field-removed``; ``field-renamed`` when a removed and an
  added field sit at the same position with the same type (a heuristic: a
  rename that also moves the field shows as removed plus added);
- ``fields-reordered`` when the fields both versions have come in another order;
- ``type-changed`` (``type``, and ``format`` written as ``type/format``);
- ``constraint-tightened`` and ``constraint-loosened``, ``detail`` naming the
  constraint: adding ``required``, ``unique``, ``enum``, ``pattern``, a
  minimum or maximum, removing an allowed value or narrowing a bound tightens;
  the opposite loosens; a changed ``pattern`` cannot be ordered and counts as
  tightened;
- ``primary-key-changed``, ``foreign-key-added``, ``foreign-key-removed``;
- ``field-metadata-changed`` (``title``, ``description``, the order of an
  ``enum``...) and ``schema-metadata-changed`` (schema keys other than
  ``fields``, ``primaryKey`` and ``foreignKeys``).

Metadata changes are descriptor keys that differ: at the package level every
key but ``resources``; at the resource level every key but ``name``, ``hash``,
``bytes`` and an inline ``schema``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from surveillance_ties.descriptor import file_stats, read_descriptor
from surveillance_ties.revisions import open_package
from surveillance_ties.tableio import (
    field_names,
    foreign_keys,
    primary_key,
    read_text_table,
    resource_schema,
    table_resources,
)

FIELD_ADDED = "field-added"
FIELD_REMOVED = "field-removed"
FIELD_RENAMED = "field-renamed"
FIELDS_REORDERED = "fields-reordered"
TYPE_CHANGED = "type-changed"
CONSTRAINT_TIGHTENED = "constraint-tightened"
CONSTRAINT_LOOSENED = "constraint-loosened"
PRIMARY_KEY_CHANGED = "primary-key-changed"
FOREIGN_KEY_ADDED = "foreign-key-added"
FOREIGN_KEY_REMOVED = "foreign-key-removed"
FIELD_METADATA_CHANGED = "field-metadata-changed"
SCHEMA_METADATA_CHANGED = "schema-metadata-changed"

# Resource keys that are not metadata: identity, and figures that follow from the file.
_RESOURCE_SKIP = {"name", "hash", "bytes"}
_LOWER_BOUNDS = {"minimum", "exclusiveMinimum", "minLength"}
_UPPER_BOUNDS = {"maximum", "exclusiveMaximum", "maxLength"}
_FLAGS = {"required", "unique"}

TableStatus = Literal["added", "removed", "renamed", "changed", "unchanged"]


@dataclass(frozen=True)
class MetadataChange:
    """A descriptor key whose value differs; ``old``/``new`` are ``None`` when the key is absent."""

    key: str
    change: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class CellChange:
    """One changed cell of a row: the field (its new name) and the old and new text."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """A row present in both versions (same primary key) whose cells differ."""

    key: dict[str, str]
    cells: list[CellChange]


@dataclass(frozen=True)
class SchemaChange:
    """A change of a Table Schema; see the module docstring for the kinds."""

    kind: str
    field: str | None = None
    old: Any = None
    new: Any = None
    detail: str | None = None


@dataclass
class TableDiff:
    """What changed in one table (resource)."""

    name: str
    status: TableStatus
    old_name: str | None = None
    primary_key: list[str] = field(default_factory=list)
    rows_old: int = 0
    rows_new: int = 0
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    schema: list[SchemaChange] = field(default_factory=list)
    metadata: list[MetadataChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when nothing in the table changed."""
        return self.status == "unchanged"


@dataclass
class PackageDiff:
    """Everything that changed between two copies of the package."""

    old: str
    new: str
    old_version: str | None
    new_version: str | None
    metadata: list[MetadataChange] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)

    @property
    def resources_added(self) -> list[str]:
        """Names of the tables only the new version has."""
        return [t.name for t in self.tables if t.status == "added"]

    @property
    def resources_removed(self) -> list[str]:
        """Names of the tables only the old version has."""
        return [t.name for t in self.tables if t.status == "removed"]

    @property
    def is_empty(self) -> bool:
        """True when the two versions hold the same data, schemas and metadata."""
        return not self.metadata and all(t.is_empty for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready dicts and lists (the ``--format json`` structure)."""
        out = asdict(self)
        out["resources_added"] = self.resources_added
        out["resources_removed"] = self.resources_removed
        out["resources_renamed"] = [[t.old_name, t.name] for t in self.tables if t.status == "renamed"]
        return out


def _metadata_changes(old: dict[str, Any], new: dict[str, Any], skip: set[str]) -> list[MetadataChange]:
    changes = []
    for key in sorted((set(old) | set(new)) - skip):
        if key not in new:
            changes.append(MetadataChange(key, "removed", old=old[key]))
        elif key not in old:
            changes.append(MetadataChange(key, "added", new=new[key]))
        elif old[key] != new[key]:
            changes.append(MetadataChange(key, "changed", old=old[key], new=new[key]))
    return changes


def _type(f: dict[str, Any]) -> str:
    kind = str(f.get("type", "any"))
    fmt = f.get("format")
    return f"{kind}/{fmt}" if fmt and fmt != "default" else kind


def _direction(key: str, old: Any, new: Any) -> Literal["tightened", "loosened"] | None:
    """How a constraint moved; ``None`` when it did not really change or only an enum's order did."""
    if key in _FLAGS:
        if bool(old) == bool(new):
            return None
        return "tightened" if new else "loosened"
    if old is None:
        return "tightened"
    if new is None:
        return "loosened"
    if key == "enum":
        if not isinstance(old, list) or not isinstance(new, list):
            return "tightened"
        old_set, new_set = {json.dumps(v) for v in old}, {json.dumps(v) for v in new}
        if old_set == new_set:
            return None
        return "loosened" if new_set >= old_set else "tightened"
    if key in _LOWER_BOUNDS or key in _UPPER_BOUNDS:
        try:
            raised = bool(new > old)
        except TypeError:
            return "tightened"
        return "tightened" if raised == (key in _LOWER_BOUNDS) else "loosened"
    return "tightened"  # a changed pattern or unknown constraint: assume the worst


def _field_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[SchemaChange]:
    changes: list[SchemaChange] = []
    if _type(old) != _type(new):
        changes.append(SchemaChange(TYPE_CHANGED, name, _type(old), _type(new)))
    old_c = old.get("constraints") or {}
    new_c = new.get("constraints") or {}
    for key in sorted(set(old_c) | set(new_c)):
        o, n = old_c.get(key), new_c.get(key)
        if o == n:
            continue
        direction = _direction(key, o, n)
        if direction is None:
            if key == "enum":
                changes.append(SchemaChange(FIELD_METADATA_CHANGED, name, o, n, "constraints.enum order"))
            continue
        changes.append(SchemaChange(f"constraint-{direction}", name, o, n, key))
    for key in sorted((set(old) | set(new)) - {"name", "type", "format", "constraints"}):
        if old.get(key) != new.get(key):
            changes.append(SchemaChange(FIELD_METADATA_CHANGED, name, old.get(key), new.get(key), key))
    return changes


def _schema_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[SchemaChange], dict[str, str]]:
    """The schema changes and the renamed fields (old name -> new name)."""
    old_fields = {str(f.get("name")): f for f in old.get("fields", []) if isinstance(f, dict)}
    new_fields = {str(f.get("name")): f for f in new.get("fields", []) if isinstance(f, dict)}
    old_order, new_order = field_names(old), field_names(new)
    gone = [n for n in old_order if n not in new_fields]
    fresh = [n for n in new_order if n not in old_fields]
    renames: dict[str, str] = {}
    for name in gone:
        position = old_order.index(name)
        if position < len(new_order):
            candidate = new_order[position]
            if candidate in fresh and _type(old_fields[name]) == _type(new_fields[candidate]):
                renames[name] = candidate
    changes: list[SchemaChange] = []
    for name in gone:
        if name not in renames:
            info = {"type": _type(old_fields[name]), "position": old_order.index(name) + 1}
            changes.append(SchemaChange(FIELD_REMOVED, name, old=info))
    for old_name, new_name in renames.items():
        changes.append(SchemaChange(FIELD_RENAMED, new_name, old=old_name, new=new_name))
    for name in fresh:
        if name not in renames.values():
            info = {"type": _type(new_fields[name]), "position": new_order.index(name) + 1}
            changes.append(SchemaChange(FIELD_ADDED, name, new=info))
    kept = [renames.get(n, n) for n in old_order if n in new_fields or n in renames]
    kept_set = set(kept)
    if kept != [n for n in new_order if n in kept_set]:
        changes.append(SchemaChange(FIELDS_REORDERED, None, kept, [n for n in new_order if n in kept_set]))
    for old_name in old_order:
        new_name = renames.get(old_name, old_name)
        if new_name in new_fields and (old_name in new_fields or old_name in renames):
            changes.extend(_field_changes(new_name, old_fields[old_name], new_fields[new_name]))
    old_pk = [renames.get(n, n) for n in primary_key(old)]
    if old_pk != primary_key(new):
        changes.append(SchemaChange(PRIMARY_KEY_CHANGED, None, primary_key(old), primary_key(new)))

    def fk_key(fk: dict[str, Any]) -> str:
        return json.dumps(fk, sort_keys=True)

    old_fks = []
    for fk in foreign_keys(old):
        fk["fields"] = [renames.get(n, n) for n in fk["fields"]]
        old_fks.append(fk)
    new_fks = foreign_keys(new)
    new_keys = {fk_key(fk) for fk in new_fks}
    old_keys = {fk_key(fk) for fk in old_fks}
    for fk in old_fks:
        if fk_key(fk) not in new_keys:
            changes.append(SchemaChange(FOREIGN_KEY_REMOVED, ",".join(fk["fields"]), old=fk))
    for fk in new_fks:
        if fk_key(fk) not in old_keys:
            changes.append(SchemaChange(FOREIGN_KEY_ADDED, ",".join(fk["fields"]), new=fk))
    skip = {"fields", "primaryKey", "foreignKeys"}
    for key in sorted((set(old) | set(new)) - skip):
        if old.get(key) != new.get(key):
            changes.append(SchemaChange(SCHEMA_METADATA_CHANGED, None, old.get(key), new.get(key), key))
    return changes, renames


def _cell(row: list[str], i: int) -> str:
    return row[i] if i < len(row) else ""


def _as_dict(header: list[str], row: list[str]) -> dict[str, str]:
    return {name: _cell(row, i) for i, name in enumerate(header)}


def _count(rows: Iterator[list[str]]) -> int:
    return sum(1 for _ in rows)


def _rows_diff(
    table: TableDiff,
    old: tuple[dict[str, Any], Path],
    new: tuple[dict[str, Any], Path],
    renames: dict[str, str],
) -> None:
    """Fill ``added``, ``removed``, ``changed`` and the row counts of ``table``."""
    old_header, old_rows = read_text_table(*old)
    new_header, new_rows = read_text_table(*new)
    back = {n: o for o, n in renames.items()}
    old_index = {name: i for i, name in enumerate(old_header)}
    common = [
        (old_index[back.get(n, n)], j, n) for j, n in enumerate(new_header) if back.get(n, n) in old_index
    ]
    new_index = {name: j for j, name in enumerate(new_header)}
    pk = table.primary_key
    keyed = bool(pk) and all(n in new_index and back.get(n, n) in old_index for n in pk)
    if not keyed:
        table.primary_key = []
        old_list = list(old_rows)
        table.rows_old = len(old_list)
        counts = Counter(tuple(_cell(r, i) for i, _, _ in common) for r in old_list)
        for row in new_rows:
            table.rows_new += 1
            values = tuple(_cell(row, j) for _, j, _ in common)
            if counts[values] > 0:
                counts[values] -= 1
            else:
                table.added.append(_as_dict(new_header, row))
        for row in old_list:
            values = tuple(_cell(row, i) for i, _, _ in common)
            if counts[values] > 0:
                counts[values] -= 1
                table.removed.append(_as_dict(old_header, row))
        return
    old_key_idx = [old_index[back.get(n, n)] for n in pk]
    new_key_idx = [new_index[n] for n in pk]
    by_key: dict[tuple[str, ...], list[str]] = {}
    for row in old_rows:
        table.rows_old += 1
        by_key[tuple(_cell(row, i) for i in old_key_idx)] = row
    seen: set[tuple[str, ...]] = set()
    for row in new_rows:
        table.rows_new += 1
        key = tuple(_cell(row, j) for j in new_key_idx)
        seen.add(key)
        before = by_key.get(key)
        if before is None:
            table.added.append(_as_dict(new_header, row))
            continue
        cells = [
            CellChange(name, _cell(before, i), _cell(row, j))
            for i, j, name in common
            if _cell(before, i) != _cell(row, j)
        ]
        if cells:
            table.changed.append(RowChange(dict(zip(pk, key, strict=True)), cells))
    table.removed = [_as_dict(old_header, row) for key, row in by_key.items() if key not in seen]


def _table_diff(
    name: str, old: tuple[dict[str, Any], Path] | None, new: tuple[dict[str, Any], Path] | None
) -> TableDiff:
    if old is None:
        assert new is not None
        schema = resource_schema(*new)
        table = TableDiff(name, "added", primary_key=primary_key(schema))
        table.rows_new = _count(read_text_table(*new)[1])
        return table
    if new is None:
        schema = resource_schema(*old)
        table = TableDiff(name, "removed", primary_key=primary_key(schema))
        table.rows_old = _count(read_text_table(*old)[1])
        return table
    old_res, old_root = old
    new_res, new_root = new
    old_schema, new_schema = resource_schema(*old), resource_schema(*new)
    status: TableStatus = "renamed" if old_res.get("name") != name else "changed"
    table = TableDiff(
        name,
        status,
        old_name=old_res.get("name") if status == "renamed" else None,
        primary_key=primary_key(new_schema),
    )
    table.schema, renames = _schema_changes(old_schema, new_schema)
    skip = set(_RESOURCE_SKIP)
    if isinstance(old_res.get("schema"), dict) or isinstance(new_res.get("schema"), dict):
        skip.add("schema")
    table.metadata = _metadata_changes(old_res, new_res, skip)
    try:
        same_file = file_stats(old_root / old_res["path"]) == file_stats(new_root / new_res["path"])
    except OSError:
        same_file = False  # read_text_table below names the missing file
    if same_file and not table.schema:
        table.rows_old = table.rows_new = _count(read_text_table(*new)[1])
    else:
        _rows_diff(table, old, new, renames)
    if status == "changed" and not (
        table.schema or table.metadata or table.added or table.removed or table.changed
    ):
        table.status = "unchanged"
    return table


def diff(
    old_root: str | Path, new_root: str | Path, *, old_label: str | None = None, new_label: str | None = None
) -> PackageDiff:
    """Compare the packages in two folders (each holding a ``datapackage.json``).

    Raises :class:`surveillance_ties.descriptor.DescriptorError` or
    :class:`surveillance_ties.tableio.TableReadError` when a copy cannot be read.
    """
    old_path, new_path = Path(old_root), Path(new_root)
    old_desc, new_desc = read_descriptor(old_path), read_descriptor(new_path)
    result = PackageDiff(
        old=old_label or str(old_root),
        new=new_label or str(new_root),
        old_version=old_desc.get("version"),
        new_version=new_desc.get("version"),
        metadata=_metadata_changes(old_desc, new_desc, {"resources"}),
    )
    old_tables = {str(r.get("name")): r for r in table_resources(old_desc)}
    new_tables = {str(r.get("name")): r for r in table_resources(new_desc)}
    only_old = [n for n in old_tables if n not in new_tables]
    only_new = [n for n in new_tables if n not in old_tables]
    renamed: dict[str, str] = {}  # new name -> old name, matched by an unchanged path
    for new_name in only_new:
        for old_name in only_old:
            if (
                old_name not in renamed.values()
                and old_tables[old_name]["path"] == new_tables[new_name]["path"]
            ):
                renamed[new_name] = old_name
                break
    for name, resource in new_tables.items():
        old_name = renamed.get(name, name)
        before = (old_tables[old_name], old_path) if old_name in old_tables else None
        result.tables.append(_table_diff(name, before, (resource, new_path)))
    for name in only_old:
        if name not in renamed.values():
            result.tables.append(_table_diff(name, (old_tables[name], old_path), None))
    return result


def diff_sources(old: str, new: str, *, base: str | Path = ".") -> PackageDiff:
    """Open two copies of the package (folder, ``datapackage.json``, zip or git revision) and diff them.

    Raises :class:`surveillance_ties.revisions.PackageSourceError` when a copy cannot be opened.
    """
    with ExitStack() as stack:
        old_root = stack.enter_context(open_package(old, base))
        new_root = stack.enter_context(open_package(new, base))
        return diff(old_root, new_root, old_label=old, new_label=new)
