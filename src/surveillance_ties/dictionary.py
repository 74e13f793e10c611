"""The data dictionary (``DATA.md``), generated from ``datapackage.json`` and ``schemas/``.

Nothing here names a table or a field: every resource of the descriptor gets
a section, so a new table or column appears in the dictionary without a code
change. Allowed values are documented once, in the field's ``description`` in
its Table Schema, as lines of the form ``- `value`: meaning``; an ``enum``
value without such a line (or such a line without an ``enum`` value) is an
error, so the dictionary can never show an undocumented value.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveillance_ties.descriptor import DescriptorError, descriptor_path, read_descriptor

FILENAME = "DATA.md"

# "- `value`: meaning" inside a field description.
VALUE_LINE = re.compile(r"^- `(?P<value>[^`]+)`: (?P<meaning>.+)$")
VALUES_HEADING = re.compile(r"^allowed values:?$", re.IGNORECASE)

# Constraints shown in this order; any other constraint follows, sorted by name.
_CONSTRAINT_ORDER = [
    "unique",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "pattern",
    "enum",
]
# Field properties that the dictionary shows in their own column or not at all.
_SHOWN_ELSEWHERE = {"name", "type", "description", "constraints", "title"}


class DictionaryError(Exception):
    """The descriptor or a schema cannot be documented; the message names the place and the fix."""


class UndocumentedValueError(DictionaryError):
    """A schema allows a value that its description does not explain (or explains one it does not allow)."""


@dataclass(frozen=True)
class FieldDoc:
    """What the dictionary says about one field."""

    name: str
    type: str
    required: bool
    constraints: list[str]
    description: str
    values: list[tuple[str, str]]  # (allowed value, meaning), in enum order


def allowed_values(description: str) -> tuple[str, dict[str, str]]:
    """Split a field description into its prose and its documented values.

    Returns the description without the ``Allowed values:`` block, and a
    mapping from each value of the lines ``- `value`: meaning`` to its meaning.

    >>> allowed_values("Kind.\\n\\nAllowed values:\\n- `a`: the first\\n- `b`: the second")
    ('Kind.', {'a': 'the first', 'b': 'the second'})
    """
    prose: list[str] = []
    values: dict[str, str] = {}
    for line in description.splitlines():
        match = VALUE_LINE.match(line.strip())
        if match:
            values[match["value"]] = match["meaning"].strip()
        elif not VALUES_HEADING.match(line.strip()):
            prose.append(line)
    return " ".join(" ".join(prose).split()), values


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    # A backtick inside the value needs a longer fence.
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table (pipes escaped, one line)."""
    return " ".join(text.split()).replace("|", "\\|")


def _constraint_texts(constraints: dict[str, Any]) -> list[str]:
    names = [c for c in _CONSTRAINT_ORDER if c in constraints]
    names += sorted(c for c in constraints if c not in _CONSTRAINT_ORDER and c != "required")
    out: list[str] = []
    for name in names:
        value = constraints[name]
        if name == "unique":
            if value:
                out.append("unique")
        elif name == "enum":
            out.append(f"one of {len(value)} values (below)")
        else:
            out.append(f"{name} {_code(value)}")
    return out


def field_doc(field: dict[str, Any], primary_key: list[str], where: str) -> FieldDoc:
    """Document one Table Schema field; ``where`` names the schema for error messages."""
    name = str(field.get("name", ""))
    constraints: dict[str, Any] = dict(field.get("constraints", {}))
    prose, documented = allowed_values(str(field.get("description", "")))
    enum = constraints.get("enum")
    values: list[tuple[str, str]] = []
    if enum is not None:
        for value in enum:
            key = value if isinstance(value, str) else json.dumps(value)
            if key not in documented:
                raise UndocumentedValueError(
                    f"{where}: field `{name}`: the allowed value `{key}` is not documented; "
                    f'add a line "- `{key}`: <meaning>" to the field\'s description'
                )
            values.append((key, documented[key]))
        extra = sorted(set(documented) - {v for v, _ in values})
        if extra:
            raise UndocumentedValueError(
                f"{where}: field `{name}`: the description documents `{extra[0]}`, which is not in "
                "its enum; add it to `constraints.enum` or remove the line"
            )
    elif documented:
        raise UndocumentedValueError(
            f"{where}: field `{name}`: the description lists allowed values but the field has no "
            "`constraints.enum`; add one with exactly those values"
        )
    texts = _constraint_texts(constraints)
    texts += [f"{k} {_code(field[k])}" for k in sorted(field) if k not in _SHOWN_ELSEWHERE]
    return FieldDoc(
        name=name,
        type=str(field.get("type", "any")),
        required=bool(constraints.get("required")) or name in primary_key,
        constraints=texts,
        description=prose,
        values=values,
    )


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DictionaryError(f"{path}: no such file ({what}); fix the path in datapackage.json") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DictionaryError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict):
        raise DictionaryError(f"{path}: {what} must be a JSON object")
    return data


def count_rows(path: Path) -> int:
    """Data rows of a CSV file (records, not lines: quoted newlines count once)."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    except FileNotFoundError:
        raise DictionaryError(f"{path}: no such file; fix the resource's path in datapackage.json") from None
    except UnicodeDecodeError as exc:
        raise DictionaryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _licence(licence: dict[str, Any]) -> str:
    name = str(licence.get("name") or licence.get("title") or "")
    text = f"[{name}]({licence['path']})" if licence.get("path") else name
    title = licence.get("title")
    return f"{text}: {title}" if title and title != name else text


def _resource_section(resource: dict[str, Any], root: Path) -> Iterator[str]:
    name = str(resource.get("name", ""))
    schema_ref = resource.get("schema", {})
    if isinstance(schema_ref, str):
        schema = _read_json(root / schema_ref, f"the Table Schema of resource `{name}`")
        where = schema_ref
    else:
        schema, where = dict(schema_ref), f"datapackage.json: resource `{name}`"
    primary_key = _as_list(schema.get("primaryKey"))
    path = str(resource.get("path", ""))

    yield f"## `{name}`"
    yield ""
    title = resource.get("title")
    description = " ".join(str(resource.get("description", "")).split())
    yield f"**{title}.** {description}" if title else description
    yield ""
    yield f"- File: [`{path}`]({path}), {count_rows(root / path)} rows"
    if isinstance(schema_ref, str):
        yield f"- Schema: [`{schema_ref}`]({schema_ref})"
    if primary_key:
        yield "- Primary key: " + ", ".join(f"`{k}`" for k in primary_key)
    foreign_keys = schema.get("foreignKeys", [])
    if foreign_keys:
        yield "- Foreign keys:"
        for fk in foreign_keys:
            reference = fk.get("reference", {})
            target = reference.get("resource") or name
            own = ", ".join(f"`{f}`" for f in _as_list(fk.get("fields")))
            ref = ", ".join(f"`{f}`" for f in _as_list(reference.get("fields")))
            yield f"  - {own} → {ref} of [`{target}`](#{target})"
    missing = schema.get("missingValues", [""])
    shown = ", ".join("an empty cell" if m == "" else _code(m) for m in missing)
    yield f"- Missing values: {shown}"
    yield ""
    docs = [field_doc(f, primary_key, where) for f in schema.get("fields", [])]
    yield "| field | type | required | constraints | description |"
    yield "|---|---|---|---|---|"
    for doc in docs:
        cells = [
            f"`{doc.name}`",
            doc.type,
            "yes" if doc.required else "no",
            "; ".join(doc.constraints) or "",
            doc.description,
        ]
        yield "| " + " | ".join(_cell(c) for c in cells) + " |"
    for doc in docs:
        if doc.values:
            yield ""
            yield f"Allowed values of `{name}.{doc.name}`:"
            yield ""
            yield "| value | meaning |"
            yield "|---|---|"
            for value, meaning in doc.values:
                yield f"| {_cell(_code(value))} | {_cell(meaning)} |"
    yield ""


def data_dictionary(path: str | os.PathLike[str] = ".") -> str:
    """The text of ``DATA.md`` for the package at ``path`` (a folder or its ``datapackage.json``).

    Raises :class:`DictionaryError` when the descriptor, a schema or a table
    cannot be read, or when an allowed value is undocumented.
    """
    try:
        descriptor = read_descriptor(path)
        root = descriptor_path(path).parent
    except DescriptorError as exc:
        raise DictionaryError(str(exc)) from None
    resources = [r for r in descriptor.get("resources", []) if isinstance(r, dict)]
    lines = [
        f"# Data dictionary: {descriptor.get('title') or descriptor.get('name', '')}",
        "",
        "<!-- Generated by `surveillance-ties docs` from datapackage.json and schemas/; "
        "do not edit by hand. -->",
        "",
        " ".join(str(descriptor.get("description", "")).split()),
        "",
    ]
    for label, key in (("Name", "name"), ("Version", "version"), ("Homepage", "homepage")):
        if descriptor.get(key):
            value = descriptor[key]
            lines.append(f"- {label}: " + (value if key == "homepage" else f"`{value}`"))
    for licence in descriptor.get("licenses", []):
        lines.append(f"- Licence: {_licence(licence)}")
    lines += [
        "",
        "Every table is a CSV file (UTF-8, comma-separated, one header row). Its columns, types and "
        "constraints are defined once, in its Table Schema, and listed here.",
        "",
        "## Tables",
        "",
        "| table | rows | description |",
        "|---|---:|---|",
    ]
    sections: list[str] = []
    for resource in resources:
        name = str(resource.get("name", ""))
        rows = count_rows(root / str(resource.get("path", "")))
        description = _cell(str(resource.get("description", "")))
        lines.append(f"| [`{name}`](#{name}) | {rows} | {description} |")
        sections.extend(_resource_section(resource, root))
    return "\n".join([*lines, "", *sections]).rstrip("\n") + "\n"


def write_data_dictionary(
    path: str | os.PathLike[str] = ".", out: str | os.PathLike[str] | None = None
) -> Path:
    """Write ``DATA.md`` (default: beside ``datapackage.json``) and return its path."""
    text = data_dictionary(path)
    target = Path(out) if out is not None else descriptor_path(path).parent / FILENAME
    target.write_text(text, encoding="utf-8", newline="\n")
    return target
