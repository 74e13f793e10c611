"""Each table against its Table Schema: header, types, constraints, keys, citations.

All checks work on whole columns (pyarrow compute, numpy); a loop runs per field, per key or
per cited table, never per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import Field, arrow
from surveillance_ties.datapackage.model import RECORD_FIELD, RECORD_ID, RECORD_TABLE
from surveillance_ties.datapackage.schema import enum_text
from surveillance_ties.validation import strings, types
from surveillance_ties.validation.read import Table, positions
from surveillance_ties.validation.report import Collector

if TYPE_CHECKING:
    import numpy as np

_SEP = "\x1f"  # joins the cells of a composite key


def short(value: str | None, size: int = 60) -> str:
    """A cell value for a message: quoted, shortened when long."""
    text = "" if value is None else value
    if len(text) > size:
        text = text[: size - 1] + "…"
    return '"' + text.replace("\n", "\\n") + '"'


def says(text: str) -> Callable[[str | None], str]:
    """A message function: the cell value, then ``text``."""
    return lambda v: f"{short(v)} {text}"


def fixed(text: str) -> Callable[[str | None], str]:
    """A message function that does not show the value."""
    return lambda v: text


def check_header(t: Table, out: Collector) -> None:
    """``duplicate-header`` and ``header-mismatch`` (both on line 1)."""
    seen: set[str] = set()
    for name in t.header:
        if name in seen:
            out.add("duplicate-header", t.file, f'the header names "{name}" twice', row=1, column=name)
        seen.add(name)
    fields = t.resource.field_names
    if t.header != fields:
        i = next((i for i, (h, f) in enumerate(zip(t.header, fields, strict=False)) if h != f), None)
        if i is None:
            i = min(len(t.header), len(fields))
        if i < len(fields) and i < len(t.header):
            msg = f'column {i + 1} of the header is "{t.header[i]}"; the schema expects "{fields[i]}"'
            column = fields[i]
        elif i < len(fields):
            msg = f'the header ends after {len(t.header)} columns; the schema expects "{fields[i]}" next'
            column = fields[i]
        else:
            msg = f'the header has an extra column "{t.header[i]}" that the schema does not define'
            column = t.header[i]
        out.add("header-mismatch", t.file, msg, row=1, column=column)


def check_fields(t: Table, out: Collector) -> None:
    """required, type, enum, pattern, minimum/maximum, minLength/maxLength and unique, per field."""
    import pyarrow.compute as pc

    schema = t.resource.schema
    if schema is None:
        return
    pk = set(schema.primary_key)
    for field in schema.fields:
        name = field.name
        if name not in t.columns:
            continue
        col = t.columns[name]
        missing = t.missing(name)
        if field.required or name in pk:
            t.emit(out, "required", name, missing, lambda v: "the cell is empty but the field is required")
        bad = types.invalid(col, field)
        ok = pc.invert(missing)
        if bad is not None:
            bad = pc.and_(bad, ok)
            t.emit(out, "type", name, bad, _type_message(field))
            ok = pc.and_(ok, pc.invert(bad))
        _constraints(t, out, field, col, ok)


def _type_message(field: Field) -> Any:
    ftype = field.type
    fmt = field.format
    what = f"{ftype} in the format {fmt}" if not field.has_default_format else ftype
    if ftype == "boolean":
        what = "boolean (true or false)"
    return lambda v: f"{short(v)} is not a {what}"


def _constraints(t: Table, out: Collector, field: Field, col: Any, ok: Any) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    name = field.name
    if field.enum is not None:
        enum = field.enum
        allowed = ", ".join(str(e) for e in enum)
        # only the cells that passed the type check are read as numbers (an empty cell is not one)
        values = types.comparable(pc.if_else(ok, col, arrow.scalar(_zero(field))), field)
        if values is not None and field.type in ("integer", "number", "year"):
            nums = [float(e) for e in enum if isinstance(e, int | float | str) and _is_float(e)]
            inside = pc.is_in(values, value_set=pa.array(nums, pa.float64()))
        else:
            inside = pc.is_in(col, value_set=arrow.strings([enum_text(e) for e in enum]))
        t.emit(
            out,
            "enum",
            name,
            pc.and_(ok, pc.invert(inside)),
            lambda v: f"{short(v)} is not one of: {allowed}",
        )
    pattern = field.pattern
    if pattern is not None:
        t.emit(
            out,
            "pattern",
            name,
            pc.and_(ok, pc.invert(_matches(col, pattern))),
            lambda v: f"{short(v)} does not match the pattern {pattern}",
        )
    for limit_value, code, op, word in (
        (field.minimum, "minimum", pc.greater_equal, "less than the minimum"),
        (field.maximum, "maximum", pc.less_equal, "more than the maximum"),
    ):
        if limit_value is not None:
            values = types.comparable(pc.if_else(ok, col, arrow.scalar(_zero(field))), field)
            if values is not None:
                limit = arrow.scalar(types.bound(limit_value, field))
                failed = pc.fill_null(op(values, limit), arrow.scalar(False))  # NaN fails both
                mask = pc.and_(ok, pc.invert(failed))
                t.emit(out, code, name, mask, says("is " + word + " " + str(limit_value)))
    if field.min_length is not None or field.max_length is not None:
        length = pc.utf8_length(col)
        lo, hi = field.min_length, field.max_length
        mask = pc.and_(
            ok,
            pc.or_(
                pc.less(length, arrow.scalar(lo or 0)),
                pc.greater(length, arrow.scalar(hi if hi is not None else 2**31)),
            ),
        )
        t.emit(
            out,
            "length",
            name,
            mask,
            lambda v: (
                f"{short(v)} has {len(v or '')} characters; allowed: "
                f"{lo if lo is not None else 0} to {hi if hi is not None else 'any number'}"
            ),
        )
    if field.unique and t.primary_key != [name]:  # else: primary-key
        dup = duplicates([col], pc.invert(ok) if ok is not None else None)
        t.emit(out, "unique", name, dup, lambda v: f"{short(v)} occurs more than once in this column")


def _zero(field: Field) -> str:
    return {"date": "2000-01-01", "datetime": "2000-01-01T00:00:00", "time": "00:00:00"}.get(field.type, "0")


def _is_float(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _matches(col: Any, pattern: str) -> Any:
    """Mask of the cells that ``pattern`` matches as a whole (RE2; Python ``re`` if RE2 refuses)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.match_substring_regex(col, f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        import re

        regex = re.compile(f"^(?:{pattern})$")
        distinct = pc.unique(col).to_pylist()  # once per distinct value
        good = [v for v in distinct if regex.match(v)]
        return pc.is_in(col, value_set=arrow.strings(good))


def codes_of(cols: list[Any]) -> np.ndarray:
    """One integer per row, equal for rows whose cells in ``cols`` are equal (a factorization)."""
    import numpy as np
    import pyarrow as pa

    key: np.ndarray | None = None
    for col in cols:
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        enc = arr.dictionary_encode()
        codes = arrow.numpy(enc.indices).astype(np.int64)
        if key is None:
            key = codes
        else:
            combined = key * (len(enc.dictionary) + 1) + codes
            key = np.unique(combined, return_inverse=True)[1].astype(np.int64)
    assert key is not None
    return key


def duplicates(cols: list[Any], skip: Any = None) -> np.ndarray:
    """Mask of the rows whose key (``cols``) occurred on an earlier row; rows in ``skip`` ignored."""
    import numpy as np
    import pyarrow.compute as pc

    n = len(cols[0])
    if len(cols) == 1 and n > 1:  # sorted tables (the usual case) need no hashing
        col = cols[0]
        before, after = col.slice(0, n - 1), col.slice(1)
        if pc.all(pc.less(before, after)).as_py():
            return np.zeros(n, dtype=bool)
        if pc.all(pc.less_equal(before, after)).as_py():  # sorted with repeats: a repeat follows its twin
            repeat = np.concatenate(([False], arrow.numpy(pc.equal(before, after))))
            if skip is not None:
                repeat[positions(skip)] = False
            return repeat
    key = codes_of(cols)
    out = np.zeros(len(key), dtype=bool)
    if skip is not None:
        skipped = positions(skip)
        key[skipped] = -1
    live = key >= 0
    counts = np.bincount(key[live]) if live.any() else np.zeros(1, dtype=np.int64)
    if counts.max(initial=0) <= 1:
        return out
    cand = np.flatnonzero(live & (counts[np.maximum(key, 0)] > 1))
    _, first = np.unique(key[cand], return_index=True)
    out[np.delete(cand, first)] = True
    return out


def check_primary_key(t: Table, out: Collector) -> None:
    """Rows whose primary key repeats an earlier row's (composite keys included)."""
    import pyarrow.compute as pc

    pk = t.primary_key
    if not pk or not all(f in t.columns for f in pk):
        return
    skip = None
    for f in pk:
        skip = t.missing(f) if skip is None else pc.or_(skip, t.missing(f))
    dup = duplicates([t.columns[f] for f in pk], skip)
    if len(pk) == 1:
        t.emit(
            out,
            "primary-key",
            pk[0],
            dup,
            lambda v: f"the primary key {short(v)} is already used by an earlier row",
        )
    else:
        t.emit(
            out,
            "primary-key",
            None,
            dup,
            lambda v: f"the primary key ({', '.join(pk)}) repeats an earlier row's",
        )


def key_column(t: Table, fields: list[str]) -> Any:
    """The cells of ``fields`` joined into one text column (the column itself for one field)."""
    import pyarrow.compute as pc

    if len(fields) == 1:
        return t.columns[fields[0]]
    return pc.binary_join_element_wise(*[t.columns[f] for f in fields], _SEP)


def check_foreign_keys(t: Table, tables: dict[str, Table], out: Collector) -> None:
    """Every foreign key (self-references included): each non-empty key exists in the target."""
    import pyarrow.compute as pc

    if t.resource.schema is None:
        return
    for fk in t.resource.schema.foreign_keys:
        local, target, remote = list(fk.fields), fk.resource, list(fk.reference_fields)
        ref = tables.get(target)
        if ref is None or not all(f in t.columns for f in local) or not all(f in ref.columns for f in remote):
            continue
        empty = None
        for f in local:
            empty = t.missing(f) if empty is None else pc.or_(empty, t.missing(f))
        ref_present = None
        for f in remote:
            m = pc.invert(ref.missing(f))
            ref_present = m if ref_present is None else pc.and_(ref_present, m)
        values = pc.filter(key_column(ref, remote), ref_present)
        found = pc.is_in(key_column(t, local), value_set=values.combine_chunks())
        mask = pc.and_(pc.invert(empty), pc.invert(found))
        where = f"{ref.file} ({', '.join(remote)})"
        if len(local) == 1:
            t.emit(out, "foreign-key", local[0], mask, says(f"is not in {where}"))
        else:
            t.emit(
                out,
                "foreign-key",
                None,
                mask,
                fixed(f"({', '.join(local)}) not found in {where}"),
            )


def groups(col: Any) -> dict[str, np.ndarray]:
    """Row positions per distinct value of a text column (one hash pass, one stable sort)."""
    import numpy as np

    enc = (col.combine_chunks() if hasattr(col, "combine_chunks") else col).dictionary_encode()
    codes = arrow.numpy(enc.indices)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(enc.dictionary) + 1))
    return {
        str(value): order[bounds[i] : bounds[i + 1]] for i, value in enumerate(enc.dictionary.to_pylist())
    }


def _absent(col: Any, rows: np.ndarray, allowed: Any) -> np.ndarray:
    """The positions among ``rows`` whose non-empty cell is not in ``allowed``."""
    import numpy as np
    import pyarrow.compute as pc

    cells = pc.take(col, arrow.ints(rows))
    found = arrow.numpy(pc.is_in(cells, value_set=allowed))
    empty = strings.lengths(cells) == 0
    return np.asarray(rows[~np.asarray(found, dtype=bool) & ~empty])


@dataclass
class Links:
    """The citations that name one table and, when that table has a one-field primary key, the
    record each one names: one hash lookup, shared by the citation check and the uncited check."""

    rows: np.ndarray  # positions of the citation rows whose record_table is this table
    found: np.ndarray | None = None  # per row, the position in ``keys`` of its record_id (-1: none)
    keyed: np.ndarray | None = None  # positions of the table's rows whose primary key is not missing
    keys: Any = None  # those rows' primary keys (a pyarrow string array)


def cites_records(t: Table) -> bool:
    """Whether ``t`` is a citations table: it has ``record_table`` and ``record_id``."""
    return RECORD_TABLE in t.columns and RECORD_ID in t.columns


def record_links(cites: Table, tables: dict[str, Table]) -> dict[str, Links]:
    """For each table that ``cites`` names (by ``record_table``): which of its rows name it and, for
    a table of the package with a one-field primary key, the record each one names."""
    import numpy as np
    import pyarrow.compute as pc

    links: dict[str, Links] = {}
    for target, rows in groups(cites.columns[RECORD_TABLE]).items():  # once per cited table
        links[target] = link = Links(rows)
        ref = tables.get(target)
        pk = ref.primary_key if ref is not None else []
        if ref is None or len(pk) != 1 or pk[0] not in ref.columns:
            continue
        link.keyed = np.flatnonzero(~arrow.numpy(ref.missing(pk[0])))
        col = ref.columns[pk[0]]
        whole = len(link.keyed) == ref.num_rows
        link.keys = (col if whole else pc.take(col, arrow.ints(link.keyed))).combine_chunks()
        named = pc.take(cites.columns[RECORD_ID], arrow.ints(rows))
        link.found = arrow.numpy(pc.index_in(named, value_set=link.keys), null=-1).astype(np.int64)
    return links


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    import numpy as np

    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def check_citations(
    tables: dict[str, Table],
    out: Collector,
    known: set[str] | frozenset[str] = frozenset(),
    links: dict[str, dict[str, Links]] | None = None,
) -> None:
    """For tables with ``record_table`` and ``record_id`` fields: the record exists, ``field`` is a
    field of its table.

    ``known`` names every resource of the package, readable or not: a citation into a resource that
    exists but could not be checked is not reported again. ``links`` holds :func:`record_links` of
    such tables by their names (made here for those it lacks).
    """
    import numpy as np
    import pyarrow.compute as pc

    for name, t in tables.items():
        if not cites_records(t):
            continue
        mine = links[name] if links is not None and name in links else record_links(t, tables)
        record_id = t.columns[RECORD_ID]
        for target, link in mine.items():
            ref, rows = tables.get(target), link.rows
            if ref is None:
                if target not in known:  # not a table of the package at all
                    bad = _absent(record_id, rows, arrow.strings([]))
                    for done in t.flagged.get(RECORD_TABLE, []):  # an enum error says enough
                        bad = np.setdiff1d(bad, done)
                    msg = says(f"cannot be found: the package has no table {target!r}")
                    t.emit(out, "citation-record", RECORD_ID, _mask(t.num_rows, bad), msg)
                continue
            if link.found is not None:
                empty = strings.lengths(pc.take(record_id, arrow.ints(rows))) == 0
                bad = rows[(link.found < 0) & ~empty]
                w = f"{ref.file} ({ref.primary_key[0]})"
                t.emit(out, "citation-record", RECORD_ID, _mask(t.num_rows, bad), says(f"is not in {w}"))
            if RECORD_FIELD in t.columns:
                names = arrow.strings(ref.resource.field_names)
                bad = _absent(t.columns[RECORD_FIELD], rows, names)
                t.emit(
                    out,
                    "citation-field",
                    RECORD_FIELD,
                    _mask(t.num_rows, bad),
                    says(f"is not a field of {target}"),
                )
