"""The data dictionary (``DATA.md``), generated from ``datapackage.json`` and ``schemas/``.

Nothing here names a table or a field: every resource of the descriptor gets
a section, so a new table or column appears in the dictionary without a code
change. Allowed values are documented once, in the field's ``description`` in
its Table Schema, as lines of the form ``- `value`: meaning``; an ``enum``
value without such a line (or such a line without an ``enum`` value) is an
error, so the dictionary can never show an undocumented value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from surveillance_ties.datapackage import DataError, DescriptorError, Field, Package, Resource
from surveillance_ties.datapackage.tables import read_text

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


class DictionaryError(DescriptorError):
    """The descriptor or a schema cannot be documented; the message names the place and the fix."""


class UndocumentedValueError(DictionaryError, DataError):
    """A schema allows a value that its description does not explain (or explains one it does not allow)."""

    exit_code = 1  # the schema is invalid data, not an unreadable package


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


def _constraint_texts(constraints: Mapping[str, Any]) -> list[str]:
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


def field_doc(field: Field, primary_key: list[str], where: str) -> FieldDoc:
    """Document one Table Schema field; ``where`` names the schema for error messages."""
    name = field.name
    constraints: dict[str, Any] = dict(field.constraints)
    prose, documented = allowed_values(field.description)
    enum = field.enum
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
    raw = field.descriptor
    texts += [f"{k} {_code(raw[k])}" for k in sorted(raw) if k not in _SHOWN_ELSEWHERE]
    return FieldDoc(
        name=name,
        type=field.type,
        required=field.required or name in primary_key,
        constraints=texts,
        description=prose,
        values=values,
    )


def _licence(licence: Mapping[str, Any]) -> str:
    name = str(licence.get("name") or licence.get("title") or "")
    text = f"[{name}]({licence['path']})" if licence.get("path") else name
    title = licence.get("title")
    return f"{text}: {title}" if title and title != name else text


def _resource_section(pkg: Package, resource: Resource, rows: int) -> Iterator[str]:
    name = resource.name
    schema = resource.table_schema
    where = resource.schema_path or f"datapackage.json: resource `{name}`"
    primary_key = list(schema.primary_key)
    path = resource.path

    yield f"## `{name}`"
    yield ""
    description = " ".join(resource.description.split())
    yield f"**{resource.title}.** {description}" if resource.title else description
    yield ""
    yield f"- File: [`{path}`]({path}), {rows} rows"
    if resource.schema_path:
        yield f"- Schema: [`{resource.schema_path}`]({resource.schema_path})"
    if primary_key:
        yield "- Primary key: " + ", ".join(f"`{k}`" for k in primary_key)
    if schema.foreign_keys:
        yield "- Foreign keys:"
        for fk in schema.foreign_keys:
            own = ", ".join(f"`{f}`" for f in fk.fields)
            ref = ", ".join(f"`{f}`" for f in fk.reference_fields)
            yield f"  - {own} → {ref} of [`{fk.resource}`](#{fk.resource})"
    shown = ", ".join("an empty cell" if m == "" else _code(m) for m in schema.missing_values)
    yield f"- Missing values: {shown}"
    yield ""
    docs = [field_doc(f, primary_key, where) for f in schema.fields]
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


def data_dictionary(pkg: Package) -> str:
    """The text of ``DATA.md`` for the package ``pkg``.

    Raises :class:`DictionaryError` when an allowed value is undocumented, and the package
    layer's errors when a table cannot be read.
    """
    d = pkg.descriptor
    lines = [
        f"# Data dictionary: {pkg.title or pkg.name}",
        "",
        "<!-- Generated by `surveillance-ties docs` from datapackage.json and schemas/; "
        "do not edit by hand. -->",
        "",
        " ".join(str(d.get("description", "")).split()),
        "",
    ]
    for label, key in (("Name", "name"), ("Version", "version"), ("Homepage", "homepage")):
        value = d.get(key)
        if isinstance(value, str) and value:
            lines.append(f"- {label}: " + (value if key == "homepage" else f"`{value}`"))
    for licence in pkg.items("licenses"):
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
    for resource in pkg.resources:
        rows = read_text(pkg, resource.name).num_rows
        lines.append(f"| [`{resource.name}`](#{resource.name}) | {rows} | {_cell(resource.description)} |")
        sections.extend(_resource_section(pkg, resource, rows))
    return "\n".join([*lines, "", *sections]).rstrip("\n") + "\n"
