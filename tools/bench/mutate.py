"""A changed copy of a synthetic package, for the benchmark of ``surveillance-ties diff`` (issue 14).

:func:`mutate` copies a package and, in every table, removes a share ``rate``
of the rows, edits another ``rate`` (one free-text cell each) and adds ``rate``
new rows (copies of existing rows under a new primary key, at the end of the
file). It records which keys it removed, edited and added, so the benchmark can
check that the diff reports exactly those rows (:func:`tools.bench.checks.diff_check`).

The copy is a package the diff reads like any other: the same descriptor with the
``hash`` and ``bytes`` of the new tables, the same schemas and archived texts;
its keys stay unique. It is not meant to be valid (a new key may break its
pattern, and an added record has no citation). Tables are read as exact text
with :func:`surveillance_ties.datapackage.tables.read_text` and written with the
generator's CSV writer (UTF-8, LF, quoted only where needed), so an untouched
row keeps its bytes. The same source, ``seed`` and ``rate`` give the same bytes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ADDED_SUFFIX", "EDIT_MARK", "MUTATION", "Mutation", "MutationError", "TableMutation", "mutate"]

#: The manifest written into the copy: what was removed, edited and added in each table.
MUTATION = "mutation.json"
#: Appended to the first key field of an added row (``org-0000042`` -> ``org-0000042-added``).
ADDED_SUFFIX = "-added"
#: Appended to an edited cell (an empty cell becomes ``(edited)``).
EDIT_MARK = " (edited)"


class MutationError(ValueError):
    """The package cannot be mutated as asked (the message says why)."""


@dataclass(frozen=True)
class TableMutation:
    """What :func:`mutate` did to one table; keys are tuples of the primary key's cells."""

    rows_old: int
    rows_new: int
    primary_key: tuple[str, ...]
    removed: tuple[tuple[str, ...], ...]
    changed: tuple[tuple[str, ...], ...]
    changed_fields: tuple[str, ...]  # the field edited in each row of ``changed``, in the same order
    added: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """As plain data (keys as lists)."""
        return {
            "rows_old": self.rows_old,
            "rows_new": self.rows_new,
            "primary_key": list(self.primary_key),
            "removed": [list(k) for k in self.removed],
            "changed": [list(k) for k in self.changed],
            "changed_fields": list(self.changed_fields),
            "added": [list(k) for k in self.added],
        }

    def counts(self) -> dict[str, int]:
        """Rows removed, changed and added."""
        return {"removed": len(self.removed), "changed": len(self.changed), "added": len(self.added)}


@dataclass(frozen=True)
class Mutation:
    """The changed copy: where it is, how it was made, and what changed in each table."""

    root: Path
    source: Path
    seed: int
    rate: float
    tables: dict[str, TableMutation] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (the content of :data:`MUTATION`)."""
        return {
            "source": str(self.source),
            "seed": self.seed,
            "rate": self.rate,
            "tables": {name: t.to_dict() for name, t in self.tables.items()},
        }


def share(rows: int, rate: float) -> int:
    """Rows to remove (and to edit, and to add) in a table of ``rows`` rows: ``rate`` of them,
    rounded half up, at least one, and at most half (the removed and the edited rows are distinct)."""
    if rows < 2 or rate <= 0:
        return 0
    return min(max(1, int(rows * rate + 0.5)), rows // 2)


def _prepare(dst: Path, files: set[str]) -> Callable[[str, list[str]], set[str]]:
    """Make ``dst`` free for the copy (new, empty or an earlier copy); the copytree filter."""
    if dst.exists():
        if not dst.is_dir() or (any(dst.iterdir()) and not (dst / MUTATION).is_file()):
            raise MutationError(f"{dst}: not a new or empty folder, nor an earlier mutated copy")
        shutil.rmtree(dst)

    skip = {Path(f).resolve() for f in files}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if (Path(folder) / n).resolve() in skip}

    return ignore


def _editable(resource: Any) -> list[str]:
    """The fields an edit may touch: free text (string, not a key, no enum, pattern or reference)."""
    schema = resource.table_schema
    keys = set(schema.primary_key) | {f for fk in schema.foreign_keys for f in fk.fields}
    free = [
        f.name
        for f in schema.fields
        if f.type == "string" and f.name not in keys and f.enum is None and f.pattern is None
    ]
    return free or [f.name for f in schema.fields if f.name not in set(schema.primary_key)]


def _keys(table: Any, pk: list[str], rows: Any) -> tuple[tuple[str, ...], ...]:
    if not len(rows):
        return ()
    part = table.select(pk).take(rows)
    columns = [part.column(n).to_pylist() for n in pk]
    return tuple(zip(*columns, strict=True))


def _mutate_table(
    table: Any, resource: Any, rng: np.random.Generator, rate: float
) -> tuple[Any, TableMutation]:
    import pyarrow as pa
    import pyarrow.compute as pc

    pk = list(resource.table_schema.primary_key)
    n = table.num_rows
    k = share(n, rate)
    picked = rng.choice(n, size=2 * k, replace=False) if k else np.zeros(0, dtype=np.int64)
    removed = np.sort(picked[:k]).astype(np.int64)
    edited = np.sort(picked[k:]).astype(np.int64)
    editable = _editable(resource)
    if k and not editable:
        raise MutationError(f"{resource.name}: every field is part of the primary key; nothing to edit")
    which = rng.integers(max(len(editable), 1), size=k)
    copied = np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64) if k else removed[:0]

    columns = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        if name in editable:
            mask = np.zeros(n, dtype=bool)
            mask[edited[which == editable.index(name)]] = True
            marked = pc.if_else(
                pc.equal(column, ""),
                pa.scalar(EDIT_MARK.strip()),
                pc.binary_join_element_wise(column, pa.scalar(EDIT_MARK), ""),
            )
            column = pc.if_else(pa.array(mask), marked, column)
        columns[name] = column
    edited_table = pa.table(columns)
    keep = np.ones(n, dtype=bool)
    keep[removed] = False
    added = table.take(pa.array(copied))
    first = pk[0]
    added = added.set_column(
        added.column_names.index(first),
        first,
        pc.binary_join_element_wise(added.column(first), pa.scalar(ADDED_SUFFIX), ""),
    )
    out = pa.concat_tables([edited_table.filter(pa.array(keep)), added]).combine_chunks()
    key = (
        out.column(first)
        if len(pk) == 1
        else pc.binary_join_element_wise(*[out.column(c) for c in pk], "\x1f")
    )
    if pc.count_distinct(key).as_py() != out.num_rows:
        raise MutationError(f"{resource.name}: the added rows' keys are not unique")
    report = TableMutation(
        rows_old=n,
        rows_new=out.num_rows,
        primary_key=tuple(pk),
        removed=_keys(table, pk, pa.array(removed)),
        changed=_keys(table, pk, pa.array(edited)),
        changed_fields=tuple(editable[int(i)] for i in which),
        added=_keys(out, pk, pa.array(np.arange(n - k, out.num_rows, dtype=np.int64))),
    )
    return out, report


def _check(resource: Any) -> None:
    """Refuse a table this copy cannot change: no primary key, or not the generator's CSV."""
    encoding = resource.encoding.lower().replace("_", "-")
    dialect = (resource.dialect.delimiter, resource.dialect.quote_char)
    if encoding not in ("utf-8", "utf8") or dialect != (",", '"'):
        raise MutationError(f"{resource.name}: only UTF-8 CSV with commas and double quotes is copied")
    if not resource.table_schema.primary_key:
        raise MutationError(f"{resource.name}: the table has no primary key, so rows cannot be edited")


def mutate(src: str | Path, dst: str | Path, *, seed: int = 1, rate: float = 0.01) -> Mutation:
    """Write into ``dst`` a copy of the package ``src`` with ``rate`` of each table's rows removed,
    ``rate`` edited and ``rate`` added (see the module docstring); return what changed.

    ``dst`` must be new, empty or an earlier copy (replaced). Raises :class:`MutationError`, before
    writing anything, for a rate outside (0, 0.5), a table without a primary key or a dialect other
    than the generator's (UTF-8, comma, double quote); and the package layer's errors for a package
    that cannot be read.
    """
    from surveillance_ties.datapackage import dumps, open_package
    from surveillance_ties.datapackage.descriptor import refreshed
    from surveillance_ties.datapackage.tables import read_text
    from tools.synth.columns import write_csv
    from tools.synth.model import MANIFEST

    if not 0 < rate < 0.5:
        raise MutationError(f"rate must be above 0 and below 0.5 (got {rate!r})")
    source, out = Path(src), Path(dst)
    tables: dict[str, TableMutation] = {}
    with open_package(source) as pkg:
        for resource in pkg.resources:
            _check(resource)
        skip = {str(source / r.path) for r in pkg.resources} | {str(source / MANIFEST)}
        shutil.copytree(source, out, ignore=_prepare(out, skip))
        for i, resource in enumerate(pkg.resources):
            rng = np.random.default_rng([seed, i])
            table, tables[resource.name] = _mutate_table(read_text(pkg, resource.name), resource, rng, rate)
            target = out / resource.path
            target.parent.mkdir(parents=True, exist_ok=True)
            write_csv(
                target, table.column_names, {n: table.column(n).combine_chunks() for n in table.column_names}
            )
    with open_package(out, strict=False) as written:
        (out / "datapackage.json").write_text(dumps(refreshed(written)), encoding="utf-8", newline="\n")
    result = Mutation(root=out, source=source, seed=seed, rate=rate, tables=tables)
    text = json.dumps(result.to_dict(), ensure_ascii=False) + "\n"
    (out / MUTATION).write_text(text, encoding="utf-8", newline="\n")
    return result
