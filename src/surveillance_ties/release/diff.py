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
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from surveillance_ties.datapackage import (
    ForeignKey,
    Package,
    PackageError,
    Resource,
    TableSchema,
    open_package,
)
from surveillance_ties.datapackage.hashing import digest_stream
from surveillance_ties.datapackage.tables import read_text

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

_T = TypeVar("_T")
_J = TypeVar("_J")

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

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready dicts and lists, in the order of the fields."""
        return {
            "name": self.name,
            "status": self.status,
            "old_name": self.old_name,
            "primary_key": list(self.primary_key),
            "rows_old": self.rows_old,
            "rows_new": self.rows_new,
            "added": self.added,
            "removed": self.removed,
            "changed": [
                {"key": c.key, "cells": [{"field": x.field, "old": x.old, "new": x.new} for x in c.cells]}
                for c in self.changed
            ],
            "schema": [asdict(c) for c in self.schema],
            "metadata": [asdict(m) for m in self.metadata],
        }


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
        """The diff as JSON-ready dicts and lists (the ``--format json`` structure).

        The rows are the diff's own dicts, not copies (``asdict`` would deep-copy every one).
        """
        out: dict[str, Any] = {
            "old": self.old,
            "new": self.new,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "metadata": [asdict(m) for m in self.metadata],
            "tables": [t.to_dict() for t in self.tables],
        }
        out["resources_added"] = self.resources_added
        out["resources_removed"] = self.resources_removed
        out["resources_renamed"] = [[t.old_name, t.name] for t in self.tables if t.status == "renamed"]
        return out


def _metadata_changes(old: Mapping[str, Any], new: Mapping[str, Any], skip: set[str]) -> list[MetadataChange]:
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


def _fk_dict(fk: ForeignKey) -> dict[str, Any]:
    return {
        "fields": list(fk.fields),
        "reference": {"resource": fk.resource, "fields": list(fk.reference_fields)},
    }


def _schema_changes(old: TableSchema, new: TableSchema) -> tuple[list[SchemaChange], dict[str, str]]:
    """The schema changes and the renamed fields (old name -> new name)."""
    old_fields = {f.name: dict(f.descriptor) for f in old.fields}
    new_fields = {f.name: dict(f.descriptor) for f in new.fields}
    old_order, new_order = old.field_names, new.field_names
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
    old_pk = [renames.get(n, n) for n in old.primary_key]
    if old_pk != list(new.primary_key):
        changes.append(SchemaChange(PRIMARY_KEY_CHANGED, None, list(old.primary_key), list(new.primary_key)))

    def fk_key(fk: dict[str, Any]) -> str:
        return json.dumps(fk, sort_keys=True)

    old_fks = []
    for old_fk in old.foreign_keys:
        d = _fk_dict(old_fk)
        d["fields"] = [renames.get(n, n) for n in d["fields"]]
        if d["reference"]["resource"] == old.name:  # a self-reference follows a renamed table
            d["reference"]["resource"] = new.name
        old_fks.append(d)
    new_fks = [_fk_dict(fk) for fk in new.foreign_keys]
    new_keys = {fk_key(fk) for fk in new_fks}
    old_keys = {fk_key(fk) for fk in old_fks}
    for fk in old_fks:
        if fk_key(fk) not in new_keys:
            changes.append(SchemaChange(FOREIGN_KEY_REMOVED, ",".join(fk["fields"]), old=fk))
    for fk in new_fks:
        if fk_key(fk) not in old_keys:
            changes.append(SchemaChange(FOREIGN_KEY_ADDED, ",".join(fk["fields"]), new=fk))
    skip = {"fields", "primaryKey", "foreignKeys"}
    old_raw, new_raw = dict(old.descriptor), dict(new.descriptor)
    for key in sorted((set(old_raw) | set(new_raw)) - skip):
        if old_raw.get(key) != new_raw.get(key):
            changes.append(
                SchemaChange(SCHEMA_METADATA_CHANGED, None, old_raw.get(key), new_raw.get(key), key)
            )
    return changes, renames


# -- rows --------------------------------------------------------------------------------------


def _codes(old: pa.ChunkedArray, new: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the cells of one column in both versions: equal text, equal code."""
    import numpy as np
    import pyarrow as pa

    both = pa.chunked_array(list(old.chunks) + list(new.chunks), type=pa.string()).combine_chunks()
    from surveillance_ties.datapackage import arrow

    # arrow.numpy reads the buffer (pyarrow's to_numpy would import pandas)
    codes = arrow.numpy(both.dictionary_encode().indices).astype(np.int64)
    return codes[: len(old)], codes[len(old) :]


def _row_ids(columns: list[tuple[np.ndarray, np.ndarray]], n_old: int) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row, equal for rows whose codes are equal in every column (both versions)."""
    import numpy as np

    key: np.ndarray | None = None
    for old, new in columns:
        codes = np.concatenate([old, new])
        if key is None:
            key = codes
            continue
        combined = key * (int(codes.max(initial=0)) + 1) + codes
        key = np.unique(combined, return_inverse=True)[1].astype(np.int64)
    if key is None:
        key = np.zeros(n_old + (len(columns[0][1]) if columns else 0), dtype=np.int64)
    return key[:n_old], key[n_old:]


def _occurrence(ids: np.ndarray) -> np.ndarray:
    """For each row, how many earlier rows have the same id (0 for the first)."""
    import numpy as np

    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
    group_start = np.repeat(starts, np.diff(np.concatenate((starts, [len(ids)]))))
    out = np.empty(len(ids), dtype=np.int64)
    out[order] = np.arange(len(ids)) - group_start
    return out


def _dicts(table: pa.Table, idx: np.ndarray) -> list[dict[str, str]]:
    from surveillance_ties.datapackage import arrow

    if not len(idx):
        return []
    rows: list[dict[str, str]] = table.take(arrow.ints(idx)).to_pylist()
    return rows


def _old_rows_of(old_key: list[pa.ChunkedArray], new_key: list[pa.ChunkedArray]) -> np.ndarray | None:
    """For each new row, the position of the old row with the same primary key (-1: none); None
    when a key is not unique in one of the versions.

    One hash pass per key field: the cells of both versions get integer codes together.
    """
    import numpy as np

    n_old = len(old_key[0])
    okey, nkey = _row_ids([_codes(o, n) for o, n in zip(old_key, new_key, strict=True)], n_old)
    size = int(max(okey.max(initial=-1), nkey.max(initial=-1))) + 1
    if (
        max(
            np.bincount(okey, minlength=size).max(initial=0), np.bincount(nkey, minlength=size).max(initial=0)
        )
        > 1
    ):
        return None
    position = np.full(size, -1, dtype=np.int64)
    position[okey] = np.arange(n_old)
    out: np.ndarray = position[nkey]
    return out


def _rows_diff(table: TableDiff, old: pa.Table, new: pa.Table, renames: Mapping[str, str]) -> None:
    """Fill ``added``, ``removed``, ``changed`` and the row counts of ``table``.

    Rows are matched by primary key (a hash join on the key columns); the matched pairs are then
    compared column by column on the whole columns at once, so no row becomes a Python object
    unless it is reported.
    """
    import numpy as np
    import pyarrow.compute as pc

    from surveillance_ties.datapackage import arrow

    table.rows_old, table.rows_new = old.num_rows, new.num_rows
    back = {n: o for o, n in renames.items()}
    common = [(back.get(n, n), n) for n in new.column_names if back.get(n, n) in old.column_names]
    names = dict((n, o) for o, n in common)
    pk = table.primary_key
    before = None
    if pk and all(n in names for n in pk):
        before = _old_rows_of([old.column(names[n]) for n in pk], [new.column(n) for n in pk])
    if before is None:  # a multiset of rows: an extra copy of a row is added, a missing one removed
        table.primary_key = []
        codes = [_codes(old.column(o), new.column(n)) for o, n in common]
        old_ids, new_ids = _row_ids(codes, old.num_rows)
        size = int(max(old_ids.max(initial=-1), new_ids.max(initial=-1))) + 1
        old_count = np.bincount(old_ids, minlength=size)
        new_count = np.bincount(new_ids, minlength=size)
        table.added = _dicts(new, np.flatnonzero(_occurrence(new_ids) >= old_count[new_ids]))
        table.removed = _dicts(old, np.flatnonzero(_occurrence(old_ids) >= new_count[old_ids]))
        return
    matched = before >= 0
    seen = np.zeros(old.num_rows, dtype=bool)
    seen[before[matched]] = True
    table.added = _dicts(new, np.flatnonzero(~matched))
    table.removed = _dicts(old, np.flatnonzero(~seen))
    pairs_new = np.flatnonzero(matched)
    pairs_old = before[pairs_new]
    in_place = len(pairs_new) == old.num_rows == new.num_rows and bool((pairs_old == pairs_new).all())
    take_old, take_new = arrow.ints(pairs_old), arrow.ints(pairs_new)

    def differ(pair: tuple[str, str]) -> np.ndarray:
        was, now = old.column(pair[0]), new.column(pair[1])
        if not in_place:  # one chunk first: taking from many chunks costs twice the copy
            was, now = was.combine_chunks().take(take_old), now.combine_chunks().take(take_new)
        return arrow.numpy(pc.not_equal(was, now))

    with ThreadPoolExecutor(max_workers=2) as pool:  # two columns at a time (no GIL held)
        differs = dict(zip([n for _, n in common], pool.map(differ, common), strict=True))
    changed = np.zeros(len(pairs_new), dtype=bool)
    for mask in differs.values():
        changed |= mask
    rows = np.flatnonzero(changed)
    if not len(rows):
        return
    old_rows = _dicts(old, pairs_old[rows])
    new_rows = _dicts(new, pairs_new[rows])
    for k, (was_row, now_row) in enumerate(zip(old_rows, new_rows, strict=True)):
        cells = [CellChange(n, was_row[o], now_row[n]) for o, n in common if differs[n][rows[k]]]
        table.changed.append(RowChange({f: now_row[f] for f in pk}, cells))


def _released(value: _T) -> _T:
    """``value``, once the memory Arrow has freed is handed back to the system: the CSV reader's
    working memory is about twice the table it reads, two tables are diffed at a time, and the
    allocator would otherwise keep what each one freed."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    return value


def _text(package: Package, name: str) -> pa.Table:
    """:func:`read_text`, then :func:`_released`."""
    return _released(read_text(package, name))


def _same_file(old: Package, old_res: Resource, new: Package, new_res: Resource) -> bool:
    """Whether the two versions of a table are the same bytes (sizes first, then sha256)."""
    if old.store.size(old_res.path) != new.store.size(new_res.path):
        return False
    with old.open(old_res.path) as a, new.open(new_res.path) as b:
        return digest_stream(a)[0] == digest_stream(b)[0]


def _table_diff(
    name: str, old: tuple[Package, Resource] | None, new: tuple[Package, Resource] | None
) -> TableDiff:
    if old is None:
        assert new is not None
        pkg, res = new
        table = TableDiff(name, "added", primary_key=list(res.table_schema.primary_key))
        table.rows_new = _text(pkg, res.name).num_rows
        return table
    if new is None:
        pkg, res = old
        table = TableDiff(name, "removed", primary_key=list(res.table_schema.primary_key))
        table.rows_old = _text(pkg, res.name).num_rows
        return table
    old_pkg, old_res = old
    new_pkg, new_res = new
    status: TableStatus = "renamed" if old_res.name != name else "changed"
    table = TableDiff(
        name,
        status,
        old_name=old_res.name if status == "renamed" else None,
        primary_key=list(new_res.table_schema.primary_key),
    )
    table.schema, renames = _schema_changes(old_res.table_schema, new_res.table_schema)
    skip = set(_RESOURCE_SKIP)
    if isinstance(old_res.descriptor.get("schema"), dict) or isinstance(
        new_res.descriptor.get("schema"), dict
    ):
        skip.add("schema")
    table.metadata = _metadata_changes(dict(old_res.descriptor), dict(new_res.descriptor), skip)
    if not table.schema and _same_file(old_pkg, old_res, new_pkg, new_res):
        table.rows_old = table.rows_new = _text(new_pkg, name).num_rows
    else:
        _rows_diff(table, _text(old_pkg, old_res.name), _text(new_pkg, name), renames)
    if status == "changed" and not (
        table.schema or table.metadata or table.added or table.removed or table.changed
    ):
        table.status = "unchanged"
    return table


def diff(
    old: Package, new: Package, *, old_label: str | None = None, new_label: str | None = None
) -> PackageDiff:
    """Compare two opened copies of the package.

    Raises :class:`~surveillance_ties.datapackage.errors.PackageError` when a file cannot be read and
    :class:`~surveillance_ties.datapackage.errors.DataError` when a table does not fit its schema's header.
    """
    result = PackageDiff(
        old=old_label or old.label,
        new=new_label or new.label,
        old_version=old.version or None,
        new_version=new.version or None,
        metadata=_metadata_changes(old.descriptor, new.descriptor, {"resources"}),
    )
    old_tables = {r.name: r for r in old.resources}
    new_tables = {r.name: r for r in new.resources}
    only_old = [n for n in old_tables if n not in new_tables]
    only_new = [n for n in new_tables if n not in old_tables]
    renamed: dict[str, str] = {}  # new name -> old name, matched by an unchanged path
    for new_name in only_new:
        for old_name in only_old:
            if old_name not in renamed.values() and old_tables[old_name].path == new_tables[new_name].path:
                renamed[new_name] = old_name
                break
    jobs: list[tuple[str, tuple[Package, Resource] | None, tuple[Package, Resource] | None]] = []
    for name, resource in new_tables.items():
        old_name = renamed.get(name, name)
        before = (old, old_tables[old_name]) if old_name in old_tables else None
        jobs.append((name, before, (new, resource)))
    for name in only_old:
        if name not in renamed.values():
            jobs.append((name, (old, old_tables[name]), None))
    weights = [sum(_size(*side) for side in job[1:] if side is not None) for job in jobs]
    result.tables.extend(_two_at_a_time(lambda job: _released(_table_diff(*job)), jobs, weights))
    return result


def _size(package: Package, resource: Resource) -> int:
    """The size of a table's file in bytes (0 when it cannot be told: reading it will say why)."""
    try:
        return package.store.size(resource.path)
    except PackageError:
        return 0


#: How much more than its biggest table a diff may hold at once: the two biggest tables of a
#: package are not diffed side by side unless they are much the same size.
_HEADROOM = 1.25


def _two_at_a_time(run: Callable[[_J], _T], jobs: list[_J], weights: list[int]) -> list[_T]:
    """``[run(job) for job in jobs]`` on two threads (pyarrow's reading, hashing and comparing
    release the GIL), heaviest first, while the weight in flight stays within ``_HEADROOM`` times
    the heaviest job's: memory grows with the bytes of the tables diffed at once, so the peak stays
    near that of diffing the biggest table alone. Every job runs; the error of the first job that
    failed, in ``jobs`` order, is raised."""
    budget = max(weights, default=0) * _HEADROOM
    pending = sorted(range(len(jobs)), key=lambda i: -weights[i])
    results: dict[int, _T] = {}
    errors: dict[int, BaseException] = {}
    flight = [0]
    turn = threading.Condition()

    def worker() -> None:
        while True:
            with turn:
                while True:
                    if not pending:
                        return
                    fits = (i for i in pending if not flight[0] or flight[0] + weights[i] <= budget)
                    pick = next(fits, None)
                    if pick is not None:
                        break
                    turn.wait()
                pending.remove(pick)
                flight[0] += weights[pick]
            try:
                results[pick] = run(jobs[pick])
            except BaseException as exc:  # handed to the caller below
                errors[pick] = exc
            finally:
                with turn:
                    flight[0] -= weights[pick]
                    turn.notify_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(worker) for _ in range(2)]:
            done.result()
    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(jobs))]


def diff_sources(old: str, new: str, *, base: str | Path = ".") -> PackageDiff:
    """Open two copies of the package (folder, ``datapackage.json``, zip or git revision) and diff them.

    Raises :class:`~surveillance_ties.datapackage.errors.PackageError` when a copy cannot be opened.
    """
    with ExitStack() as stack:
        old_pkg = stack.enter_context(open_package(old, revisions=True, base=base))
        new_pkg = stack.enter_context(open_package(new, revisions=True, base=base))
        return diff(old_pkg, new_pkg, old_label=old, new_label=new)
