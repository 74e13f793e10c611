"""Rendering a :class:`~surveillance_ties.release.diff.PackageDiff` as text, JSON or Markdown.

The Markdown is meant for a pull-request comment: a summary table, then one
collapsed ``<details>`` section per changed table. GitHub refuses comments
over 65,536 characters, so each list of rows stops after ``max_rows`` entries
and says how many more there are.
"""

from __future__ import annotations

import json
from typing import Any

from surveillance_ties.release.diff import (
    FIELD_ADDED,
    FIELD_REMOVED,
    FIELD_RENAMED,
    FIELDS_REORDERED,
    TYPE_CHANGED,
    MetadataChange,
    PackageDiff,
    RowChange,
    SchemaChange,
    TableDiff,
)

FORMATS = ("text", "json", "markdown")
MARKDOWN_LIMIT = 60_000


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def describe_schema_change(change: SchemaChange) -> str:
    """One line saying what a schema change is, e.g. ``field country: type string -> integer``."""
    f = change.field
    if change.kind == FIELD_ADDED:
        return f"field {f} added ({change.new['type']}, position {change.new['position']})"
    if change.kind == FIELD_REMOVED:
        return f"field {f} removed (was {change.old['type']}, position {change.old['position']})"
    if change.kind == FIELD_RENAMED:
        return f"field {change.old} renamed to {change.new}"
    if change.kind == FIELDS_REORDERED:
        return f"fields reordered: {', '.join(change.old)} -> {', '.join(change.new)}"
    if change.kind == TYPE_CHANGED:
        return f"field {f}: type {change.old} -> {change.new}"
    if change.kind.startswith("constraint-"):
        how = change.kind.removeprefix("constraint-")
        return f"field {f}: constraint {change.detail} {how} ({_value(change.old)} -> {_value(change.new)})"
    if change.kind == "primary-key-changed":
        return f"primary key {_value(change.old)} -> {_value(change.new)}"
    if change.kind in ("foreign-key-added", "foreign-key-removed"):
        fk = change.new if change.kind == "foreign-key-added" else change.old
        ref = fk["reference"]
        verb = change.kind.removeprefix("foreign-key-")
        return f"foreign key {','.join(fk['fields'])} -> {ref['resource']}({','.join(ref['fields'])}) {verb}"
    if change.kind == "field-metadata-changed":
        return f"field {f}: {change.detail} changed ({_value(change.old)} -> {_value(change.new)})"
    return f"schema {change.detail} changed ({_value(change.old)} -> {_value(change.new)})"


def describe_metadata_change(change: MetadataChange) -> str:
    """One line for a changed descriptor key."""
    if change.change == "added":
        return f"{change.key} added: {_value(change.new)}"
    if change.change == "removed":
        return f"{change.key} removed (was {_value(change.old)})"
    return f"{change.key}: {_value(change.old)} -> {_value(change.new)}"


def _key(row: RowChange | dict[str, str], pk: list[str]) -> str:
    if isinstance(row, RowChange):
        return ", ".join(f"{k}={v}" for k, v in row.key.items())
    if pk:
        return ", ".join(f"{k}={row.get(k, '')}" for k in pk)
    return ", ".join(f"{k}={v}" for k, v in row.items())


def _row_values(row: dict[str, str], pk: list[str]) -> str:
    return "; ".join(f"{k}={_value(v)}" for k, v in row.items() if k not in pk and v != "")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def table_summary(table: TableDiff) -> str:
    """``"2 rows added, 1 removed, 3 changed; 1 schema change"`` for one table."""
    if table.status == "added":
        return f"new table, {_n(table.rows_new, 'row')}"
    if table.status == "removed":
        return f"table removed (had {_n(table.rows_old, 'row')})"
    parts = [
        f"{_n(len(table.added), 'row')} added, {len(table.removed)} removed, {len(table.changed)} changed"
    ]
    if table.schema:
        parts.append(_n(len(table.schema), "schema change"))
    if table.metadata:
        parts.append(_n(len(table.metadata), "metadata change"))
    prefix = f"renamed from {table.old_name}; " if table.status == "renamed" else ""
    return prefix + "; ".join(parts)


def _more(count: int, limit: int | None) -> int:
    return count - limit if limit is not None and count > limit else 0


class _Written(str):
    """JSON text already written at the indentation where it goes."""


_NESTED = (dict, list, _Written)  # a value holding one of these is written over several lines


def _flat(value: Any) -> bool:
    """A value written on one line: a scalar, or a list or dict of scalars (the types are
    collected by C code, one set per value: no Python call per cell)."""
    if isinstance(value, dict):
        return set(map(type, value.values())).isdisjoint(_NESTED)
    if isinstance(value, list):
        return set(map(type, value)).isdisjoint(_NESTED)
    return True


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one encoder (json.dumps builds one per call)
_encode = _ENCODER.encode
# The same output, but items are separated by ",\0": NUL inside a string is written \u0000, so a
# raw NUL is always a separator, and one followed by "{" starts the next dict of a list.
_MARKED = json.JSONEncoder(ensure_ascii=False, separators=(",\0", ": "))


def _lines(dicts: list[dict[str, Any]]) -> list[str]:
    """Each flat dict as one line of JSON, all written by one encoder call (a raw \\x01 cannot be
    in the text either: it is written \\u0001)."""
    if not dicts:
        return []
    text: str = _MARKED.encode(dicts)[1:-1]
    return text.replace(",\0{", "\x01{").replace(",\0", ", ").split("\x01")


def _changed(items: list[dict[str, Any]], indent: str) -> _Written:
    """The ``changed`` list of a table (:meth:`TableDiff.to_dict`), as :func:`_json` writes it: each
    row change a block with its key on one line and one line per cell. Two encoder calls in all:
    one for every key, one for every cell."""
    inner, cell = indent + "  ", indent + "    "
    keys = _lines([item["key"] for item in items])
    cells = iter(_lines([c for item in items for c in item["cells"]]))
    blocks = []
    for item, key in zip(items, keys, strict=True):
        mine = [next(cells) for _ in item["cells"]]
        listed = f"[\n{cell}" + (",\n" + cell).join(mine) + f"\n{inner}]" if mine else "[]"
        blocks.append(f'{{\n{inner}"key": {key},\n{inner}"cells": {listed}\n{indent}}}')
    return _listed(blocks, indent)


def _listed(items: list[str], indent: str) -> _Written:
    """A JSON list of items already written, one per line at ``indent``."""
    return _Written("[\n" + indent + (",\n" + indent).join(items) + "\n" + indent[:-2] + "]")


def _json(value: Any, indent: str, out: list[str]) -> None:
    """Append ``value`` as JSON to ``out`` in pieces (joined once at the end: a big list is not
    copied again at every level around it)."""
    if isinstance(value, _Written):
        out.append(value)
    elif _flat(value):
        out.append(_encode(value))
    elif isinstance(value, dict):
        inner = indent + "  "
        out.append("{\n")
        for i, (k, v) in enumerate(value.items()):
            out.append((",\n" if i else "") + inner + _encode(k) + ": ")
            _json(v, inner, out)
        out.append("\n" + indent + "}")
    elif set(map(type, value)) == {dict} and all(map(_flat, value)):
        out.append(_listed(_lines(value), indent + "  "))
    else:
        inner = indent + "  "
        out.append("[\n")
        for i, v in enumerate(value):
            out.append(f",\n{inner}" if i else inner)
            _json(v, inner, out)
        out.append("\n" + indent + "]")


def render_json(result: PackageDiff) -> str:
    """The diff as JSON (the structure of :meth:`PackageDiff.to_dict`), indented by two spaces down
    to the rows: each row, cell change or schema change is one line (written by the C encoder, so
    a diff of many thousand rows renders in about the time it takes to read them)."""
    data = result.to_dict()
    rows = " " * 8  # the depth of the items of a table's row lists
    for table in data["tables"]:
        for name in ("added", "removed"):
            if table[name]:
                table[name] = _listed(_lines(table[name]), rows)
        if table["changed"]:
            table["changed"] = _changed(table["changed"], rows)
    out: list[str] = []
    _json(data, "", out)
    out.append("\n")
    return "".join(out)


def render_text(result: PackageDiff, max_rows: int | None = None) -> str:
    """A plain-text report: one block per changed table, rows marked ``+``, ``-`` and ``~``."""
    lines = [f"{result.old} ({result.old_version}) -> {result.new} ({result.new_version})"]
    if result.is_empty:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    for change in result.metadata:
        lines.append(f"metadata: {describe_metadata_change(change)}")
    for table in result.tables:
        if table.is_empty:
            continue
        lines.append(f"{table.name}: {table_summary(table)}")
        for m in table.metadata:
            lines.append(f"  metadata: {describe_metadata_change(m)}")
        for s in table.schema:
            lines.append(f"  schema: {describe_schema_change(s)}")
        pk = table.primary_key
        for row in table.added[:max_rows]:
            lines.append(f"  + {_key(row, pk)}: {_row_values(row, pk)}" if pk else f"  + {_key(row, pk)}")
        if n := _more(len(table.added), max_rows):
            lines.append(f"  + ... and {n} more rows added")
        for row in table.removed[:max_rows]:
            lines.append(f"  - {_key(row, pk)}")
        if n := _more(len(table.removed), max_rows):
            lines.append(f"  - ... and {n} more rows removed")
        for changed in table.changed[:max_rows]:
            cells = "; ".join(f"{c.field}: {_value(c.old)} -> {_value(c.new)}" for c in changed.cells)
            lines.append(f"  ~ {_key(changed, pk)}: {cells}")
        if n := _more(len(table.changed), max_rows):
            lines.append(f"  ~ ... and {n} more rows changed")
    return "\n".join(lines) + "\n"


def md(value: str) -> str:
    """Text safe inside a Markdown table cell or list item (no HTML, no line breaks, no cell breaks)."""
    text = value.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text.replace("&", "&amp;").replace("<", "&lt;")


def code(value: Any) -> str:
    """A Markdown code span showing ``value`` literally (fenced with more backticks than it holds)."""
    text = value if isinstance(value, str) else _value(value)
    if text == "":
        return "*(empty)*"
    text = text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    run = longest = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(result: PackageDiff, max_rows: int | None = 50) -> str:
    """A Markdown report for a pull-request comment: summary table, then details per table."""
    old, new = f"{code(result.old)} ({result.old_version})", f"{code(result.new)} ({result.new_version})"
    title = f"### Data changes: {old} → {new}"
    lines = [title, ""]
    if result.is_empty:
        lines.append("No changes to the data, the schemas or the metadata.")
        return "\n".join(lines) + "\n"
    lines += [
        "| table | status | rows added | rows removed | rows changed | schema changes |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for t in result.tables:
        if t.is_empty:
            continue
        added = t.rows_new if t.status == "added" else len(t.added)
        removed = t.rows_old if t.status == "removed" else len(t.removed)
        lines.append(
            f"| `{t.name}` | {t.status} | {added} | {removed} | {len(t.changed)} | {len(t.schema)} |"
        )
    unchanged = [f"`{t.name}`" for t in result.tables if t.is_empty]
    if unchanged:
        lines += ["", f"Unchanged: {', '.join(unchanged)}."]
    lines.append("")
    if result.metadata:
        lines.append("**Package metadata**")
        lines.append("")
        lines += [f"- {md(describe_metadata_change(m))}" for m in result.metadata]
        lines.append("")
    for table in result.tables:
        if table.is_empty:
            continue
        lines += [
            "<details>",
            f"<summary><code>{table.name}</code>: {md(table_summary(table))}</summary>",
            "",
        ]
        for m in table.metadata:
            lines.append(f"- metadata: {md(describe_metadata_change(m))}")
        for s in table.schema:
            lines.append(f"- schema: {md(describe_schema_change(s))}")
        if table.metadata or table.schema:
            lines.append("")
        pk = table.primary_key
        if table.added:
            lines += ["**Rows added**", ""]
            lines += [
                f"- {code(_key(r, pk))}" + (f": {md(_row_values(r, pk))}" if pk else "")
                for r in table.added[:max_rows]
            ]
            if n := _more(len(table.added), max_rows):
                lines.append(f"- … and {n} more")
            lines.append("")
        if table.removed:
            lines += ["**Rows removed**", ""]
            lines += [f"- {code(_key(r, pk))}" for r in table.removed[:max_rows]]
            if n := _more(len(table.removed), max_rows):
                lines.append(f"- … and {n} more")
            lines.append("")
        if table.changed:
            lines += ["**Rows changed**", "", "| row | field | old | new |", "|---|---|---|---|"]
            for row in table.changed[:max_rows]:
                for cell in row.cells:
                    lines.append(
                        f"| {code(_key(row, pk))} | `{cell.field}` | {code(cell.old)} | {code(cell.new)} |"
                    )
            if n := _more(len(table.changed), max_rows):
                lines.append(f"| … and {n} more rows | | | |")
            lines.append("")
        lines += ["</details>", ""]
    text = "\n".join(lines) + "\n"
    if len(text) > MARKDOWN_LIMIT:
        cut = text.rfind("\n", 0, MARKDOWN_LIMIT)
        text = text[:cut] + (
            "\n</details>" if text[:cut].count("<details>") > text[:cut].count("</details>") else ""
        )
        text += "\n\n*(truncated: run `surveillance-ties diff` locally for the full list)*\n"
    return text


def render(result: PackageDiff, fmt: str = "text") -> str:
    """The diff in one of :data:`FORMATS`."""
    if fmt == "json":
        return render_json(result)
    if fmt == "markdown":
        return render_markdown(result)
    if fmt == "text":
        return render_text(result)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
