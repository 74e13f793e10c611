"""Reading a Table Schema: check the shape of every value, then build the typed model.

:func:`parse_schema` returns the :class:`~surveillance_ties.datapackage.model.TableSchema` and the
problems found. A schema with problems that make its table uncheckable (a field without a name,
an unknown type, a constraint of the wrong type, a key naming a field it does not have) gives
``None`` and says why; every value of a schema that is returned has its documented type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from surveillance_ties.datapackage.model import (
    FALSE_VALUES,
    TRUE_VALUES,
    Field,
    ForeignKey,
    Problem,
    Scalar,
    TableSchema,
)

__all__ = ["TYPES", "parse_schema"]

#: The field types of Table Schema (v1 and v2).
TYPES = frozenset(
    {
        "string", "number", "integer", "boolean", "object", "array", "list", "date", "time",
        "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any",
    }
)  # fmt: skip
_NUMERIC = frozenset({"integer", "number", "year"})
_FIELD_STRINGS = (
    "type",
    "format",
    "title",
    "description",
    "decimalChar",
    "groupChar",
    "delimiter",
    "itemType",
)
_FIELD_STRING_LISTS = ("trueValues", "falseValues", "missingValues")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _field_problem(f: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of a field descriptor (beyond its constraints), or None."""
    for key in _FIELD_STRINGS:
        if key in f and not isinstance(f[key], str):
            return f"`{key}` must be a string, not {f[key]!r}"
    for key in _FIELD_STRING_LISTS:
        if key in f and (not isinstance(f[key], list) or not all(isinstance(v, str) for v in f[key])):
            return f"`{key}` must be a list of strings"
    if "bareNumber" in f and not isinstance(f["bareNumber"], bool):
        return "`bareNumber` must be true or false"
    for key in ("decimalChar", "groupChar", "delimiter"):
        if key in f and not f[key]:
            return f"`{key}` must not be empty"
    return None


def _constraint_problem(c: Mapping[str, Any], ftype: str) -> str | None:
    """What is wrong with a field's constraints, or None."""
    if "enum" in c and not isinstance(c["enum"], list):
        return "`enum` must be a list"
    pattern = c.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            return "`pattern` must be a string"
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            return f"`pattern` {pattern!r} is not a valid regular expression ({exc})"
    for key in ("minimum", "maximum"):
        if key in c:
            value = c[key]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if ftype in _NUMERIC and not number:
                return f"`{key}` must be a number, not {value!r}"
            if ftype not in _NUMERIC and not (number or isinstance(value, str)):
                return f"`{key}` must be a value of the field's type, not {value!r}"
    for key in ("minLength", "maxLength"):
        if key in c and (not _is_int(c[key]) or c[key] < 0):
            return f"`{key}` must be a whole number of at least 0, not {c[key]!r}"
    enum = c.get("enum")
    if enum is not None and not all(isinstance(v, str | int | float) for v in enum):
        return "`enum` must list strings, numbers or booleans"
    for key in ("required", "unique"):
        if key in c and not isinstance(c[key], bool):
            return f"`{key}` must be true or false, not {c[key]!r}"
    return None


def _names(value: Any) -> list[str] | None:
    """A field-name list from a string or a list of strings; None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _fk_problem(fk: Any, fields: set[str], resource: str, names: set[str]) -> str | None:
    if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
        return "must be an object with `fields` and `reference`"
    local = _names(fk.get("fields"))
    ref = fk["reference"]
    target = ref.get("resource", "")
    remote = _names(ref.get("fields"))
    if local is None or not local or not all(x in fields for x in local):
        return f"names fields that are not in the schema: {fk.get('fields')!r}"
    if remote is None or len(remote) != len(local):
        return "must give as many reference fields as fields"
    if not isinstance(target, str) or (target and target != resource and target not in names):
        return f"refers to the unknown resource {target!r}"
    return None


def _field(f: Mapping[str, Any]) -> Field:
    c: Mapping[str, Any] = f.get("constraints", {})
    enum = c.get("enum")
    return Field(
        name=f["name"],
        type=f.get("type", "any"),
        format=f.get("format", "default"),
        title=f.get("title", ""),
        description=f.get("description", ""),
        required=c.get("required", False),
        unique=c.get("unique", False),
        enum=tuple(enum) if enum is not None else None,
        pattern=c.get("pattern"),
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        true_values=tuple(f.get("trueValues", TRUE_VALUES)),
        false_values=tuple(f.get("falseValues", FALSE_VALUES)),
        decimal_char=f.get("decimalChar", "."),
        group_char=f.get("groupChar"),
        bare_number=f.get("bareNumber", True),
        item_type=f.get("itemType"),
        delimiter=f.get("delimiter", ","),
        constraints=dict(c),
        descriptor=f,
    )


def parse_schema(
    raw: Any, file: str, resource: str, names: set[str], *, title: str = "", description: str = ""
) -> tuple[TableSchema | None, list[Problem]]:
    """Check the Table Schema ``raw`` of ``resource`` (``file`` is where problems point; ``names``
    are the package's table names) and build its model, or ``None`` when it is too broken."""
    problems: list[Problem] = []

    def bad(message: str, column: str | None = None) -> None:
        problems.append(Problem("schema-invalid", file, message, column=column))

    if not isinstance(raw, dict):
        bad("a Table Schema must be a JSON object")
        return None, problems
    fields = raw.get("fields")
    if not isinstance(fields, list) or not fields:
        bad("`fields` must be a non-empty list of field objects")
        return None, problems
    ok = True
    seen: set[str] = set()
    for j, f in enumerate(fields):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            bad(f"fields[{j}] must be an object with a `name` (a string)")
            ok = False
            continue
        fname = f["name"]
        if fname in seen:
            bad(f"field {fname!r} is defined twice", fname)
            ok = False
        seen.add(fname)
        if (problem := _field_problem(f)) is not None:
            bad(f"field {fname!r}: {problem}", fname)
            ok = False
            continue
        ftype = f.get("type", "any")
        if ftype not in TYPES:
            problems.append(
                Problem(
                    "schema-unknown-type",
                    file,
                    f"field {fname!r} has the unknown type {ftype!r}",
                    column=fname,
                )
            )
            ok = False
        constraints = f.get("constraints", {})
        if not isinstance(constraints, dict):
            bad(f"field {fname!r}: `constraints` must be an object", fname)
            ok = False
        elif (problem := _constraint_problem(constraints, ftype)) is not None:
            bad(f"field {fname!r}: {problem}", fname)
            ok = False
    if not ok:
        return None, problems
    missing = raw.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        bad("`missingValues` must be a list of strings")
        return None, problems
    pk_raw = raw.get("primaryKey")
    pk: list[str] = []
    if pk_raw is not None:
        keys = _names(pk_raw)
        if not keys or not all(k in seen for k in keys):
            bad(f"`primaryKey` {pk_raw!r} must name fields of the schema")
            return None, problems
        pk = keys
    fks = raw.get("foreignKeys", [])
    if not isinstance(fks, list):
        bad("`foreignKeys` must be a list")
        return None, problems
    foreign_keys: list[ForeignKey] = []
    for j, fk in enumerate(fks):
        problem = _fk_problem(fk, seen, resource, names)
        if problem:
            bad(f"foreignKeys[{j}] {problem}")
            return None, problems
        local = _names(fk["fields"]) or []
        remote = _names(fk["reference"]["fields"]) or []
        target = fk["reference"].get("resource") or resource
        foreign_keys.append(ForeignKey(tuple(local), target, tuple(remote)))
    for key in ("title", "description"):
        if key in raw and not isinstance(raw[key], str):
            bad(f"`{key}` must be a string")
            return None, problems
    schema = TableSchema(
        name=resource,
        title=title,
        description=description,
        fields=tuple(_field(f) for f in fields),
        primary_key=tuple(pk),
        foreign_keys=tuple(foreign_keys),
        missing_values=tuple(missing),
        descriptor=raw,
    )
    return schema, problems


def enum_text(value: Scalar) -> str:
    """An enum value as it is written in a CSV cell (``true``/``false`` for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
