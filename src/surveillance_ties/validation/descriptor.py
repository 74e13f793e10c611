"""Descriptor checks: ``datapackage.json`` and its Table Schemas, read without any network access.

:func:`read_package` returns the resources that can be checked further, each with its parsed
schema, and adds descriptor-*, resource-*, and schema-* errors to the collector. A path that is
a URL is reported, never fetched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from surveillance_ties.validation.report import Collector

DESCRIPTOR = "datapackage.json"

#: The field types of Table Schema (v1 and v2).
TYPES = frozenset(
    {
        "string", "number", "integer", "boolean", "object", "array", "list", "date", "time",
        "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any",
    }
)  # fmt: skip

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_STRING_KEYS = ("name", "id", "title", "description", "version", "homepage", "created", "image", "$schema")
_LIST_KEYS = ("keywords", "licenses", "contributors", "sources")
_RESOURCE_STRING_KEYS = ("title", "description", "format", "mediatype", "encoding", "hash", "type", "scheme")


@dataclass
class Resource:
    """A table resource of the package, with its parsed schema when that is usable."""

    name: str
    path: str  # package-relative, as written in the descriptor
    file: Path
    schema: dict[str, Any] | None
    schema_file: str  # where schema errors point (the schema file, or the descriptor)
    hash: str | None = None
    bytes: int | None = None
    fields: list[str] = field(default_factory=list)


@dataclass
class Package:
    """What the descriptor check learned: the root, the descriptor's name and the resources."""

    root: Path
    descriptor: str
    resources: list[Resource]
    readable: bool
    names: set[str] = field(default_factory=set)  # every resource named in the descriptor


def locate(path: str | Path) -> tuple[Path, str]:
    """The package root and the descriptor's file name for a folder or descriptor path."""
    p = Path(path)
    if p.is_dir() or (not p.exists() and p.suffix != ".json"):
        return p, DESCRIPTOR
    return p.parent, p.name


def unsafe(path: str) -> str | None:
    """Why a resource path is unsafe (URL, absolute, ``..``, backslash), or None when it is fine."""
    if not path:
        return "is empty"
    if _URL.match(path) or path.startswith("//"):
        return "is a URL (the validator never loads remote files)"
    if path.startswith("/") or "\\" in path:
        return "is not a relative POSIX path"
    if ".." in PurePosixPath(path).parts:
        return "contains `..`"
    return None


def read_package(path: str | Path, out: Collector) -> Package:
    """Check the descriptor and the schemas; return the resources worth checking further."""
    root, name = locate(path)
    out.order_file(name)
    package = Package(root, name, [], readable=False)
    file = root / name
    if not file.is_file():
        out.add(
            "descriptor-missing",
            name,
            f"{file} does not exist (give a package folder or its datapackage.json)",
        )
        return package
    try:
        raw = file.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        out.add("descriptor-json", name, f"byte {exc.start} is not UTF-8", row=line)
        return package
    except json.JSONDecodeError as exc:
        out.add("descriptor-json", name, f"not valid JSON: {exc.msg} (column {exc.colno})", row=exc.lineno)
        return package
    except OSError as exc:
        out.add("descriptor-missing", name, f"{file} cannot be read ({exc.strerror})")
        return package
    if not isinstance(data, dict):
        out.add("descriptor-shape", name, "the descriptor must be a JSON object")
        return package
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources:
        out.add("descriptor-shape", name, "`resources` must be a non-empty list of resources")
        return package
    package.readable = True
    _check_package_keys(data, name, out)
    seen: set[str] = set()
    candidates: list[tuple[int, dict[str, Any]]] = []
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            out.add("descriptor-shape", name, f"{where} must be an object")
            continue
        rname = res.get("name")
        if not isinstance(rname, str) or not rname:
            out.add("descriptor-shape", name, f"{where} needs a `name` (a string)")
            continue
        if rname in seen:
            out.add("descriptor-shape", name, f"{where}: the name {rname!r} is used twice")
            continue
        seen.add(rname)
        package.names.add(rname)
        if _check_resource_keys(res, where, name, out):
            candidates.append((i, res))
    names = {res["name"] for _, res in candidates}
    for _, res in candidates:
        resource = _resource(res, root, name, names, out)
        if resource is not None:
            package.resources.append(resource)
    _check_references(package.resources, out)
    return package


def _check_references(resources: list[Resource], out: Collector) -> None:
    """Every foreign key names fields that its target resource's schema has."""
    by_name = {r.name: r for r in resources}
    for r in resources:
        for j, fk in enumerate((r.schema or {}).get("foreignKeys", [])):
            _, target, remote = fk_parts(fk, r.name)
            ref = by_name.get(target)
            if ref is None or ref.schema is None:
                continue
            unknown = [f for f in remote if f not in ref.fields]
            if unknown:
                out.add(
                    "schema-invalid",
                    r.schema_file,
                    f"foreignKeys[{j}] refers to {', '.join(map(repr, unknown))}, "
                    f"which {target} does not have",
                )
                r.schema = None


def _check_package_keys(data: dict[str, Any], name: str, out: Collector) -> None:
    for key in _STRING_KEYS:
        if key in data and not isinstance(data[key], str):
            out.add("descriptor-shape", name, f"`{key}` must be a string")
    for key in _LIST_KEYS:
        if key in data and not isinstance(data[key], list):
            out.add("descriptor-shape", name, f"`{key}` must be a list")
        elif key != "keywords" and key in data:
            for j, item in enumerate(data[key]):
                if not isinstance(item, dict):
                    out.add("descriptor-shape", name, f"`{key}[{j}]` must be an object")
    if isinstance(data.get("keywords"), list) and not all(isinstance(k, str) for k in data["keywords"]):
        out.add("descriptor-shape", name, "`keywords` must be a list of strings")


def _check_resource_keys(res: dict[str, Any], where: str, name: str, out: Collector) -> bool:
    ok = True
    for key in _RESOURCE_STRING_KEYS:
        if key in res and not isinstance(res[key], str):
            out.add("descriptor-shape", name, f"{where}.{key} must be a string")
    if "bytes" in res and (not isinstance(res["bytes"], int) or isinstance(res["bytes"], bool)):
        out.add("descriptor-shape", name, f"{where}.bytes must be an integer")
    path = res.get("path")
    if not isinstance(path, str):
        out.add("descriptor-shape", name, f"{where} needs a `path` (one string, the table's file)")
        ok = False
    elif (why := unsafe(path)) is not None:
        out.add("resource-path", name, f"{where}.path {path!r} {why}")
        ok = False
    if "schema" in res and not isinstance(res["schema"], str | dict):
        out.add("descriptor-shape", name, f"{where}.schema must be a path or an object")
    return ok


def _resource(res: dict[str, Any], root: Path, name: str, names: set[str], out: Collector) -> Resource | None:
    path: str = res["path"]
    file = root / path
    try:
        inside = file.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside:
        out.add("resource-path", name, f"resource {res['name']!r}: {path!r} points outside the package")
        return None
    schema_ref = res.get("schema")
    schema: dict[str, Any] | None = None
    schema_file = name
    if schema_ref is None:
        out.add("schema-missing", name, f"resource {res['name']!r} has no `schema`")
    elif isinstance(schema_ref, dict):
        schema = schema_ref
    elif isinstance(schema_ref, str):
        why = unsafe(schema_ref)
        sfile = root / schema_ref
        if why is not None or not sfile.resolve().is_relative_to(root.resolve()):
            out.add(
                "resource-path",
                name,
                f"resource {res['name']!r}: schema {schema_ref!r} {why or 'is outside'}",
            )
        elif not sfile.is_file():
            out.order_file(schema_ref)
            out.add("schema-missing", schema_ref, f"{schema_ref} does not exist")
        else:
            schema_file = schema_ref
            out.order_file(schema_ref)
            try:
                loaded = json.loads(sfile.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, OSError) as exc:
                out.add("schema-invalid", schema_ref, f"{schema_ref} is not valid JSON ({exc})")
            else:
                if isinstance(loaded, dict):
                    schema = loaded
                else:
                    out.add("schema-invalid", schema_ref, f"{schema_ref} must hold a JSON object")
    if schema is not None and not check_schema(schema, schema_file, res["name"], names, out):
        schema = None
    h = res.get("hash") if isinstance(res.get("hash"), str) else None
    b = res.get("bytes") if isinstance(res.get("bytes"), int) else None
    resource = Resource(res["name"], path, file, schema, schema_file, h, b)
    if schema is not None:
        resource.fields = [f["name"] for f in schema["fields"]]
    out.order_file(path, resource.fields)
    return resource


def check_schema(schema: dict[str, Any], file: str, resource: str, names: set[str], out: Collector) -> bool:
    """Check a Table Schema; False when it is too broken to check a table against."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        out.add("schema-invalid", file, "`fields` must be a non-empty list of field objects")
        return False
    ok = True
    seen: set[str] = set()
    for j, f in enumerate(fields):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            out.add("schema-invalid", file, f"fields[{j}] must be an object with a `name` (a string)")
            ok = False
            continue
        fname = f["name"]
        if fname in seen:
            out.add("schema-invalid", file, f"field {fname!r} is defined twice", column=fname)
            ok = False
        seen.add(fname)
        ftype = f.get("type", "string")
        if (problem := _field_problem(f)) is not None:
            out.add("schema-invalid", file, f"field {fname!r}: {problem}", column=fname)
            ok = False
            continue
        if ftype not in TYPES:
            out.add(
                "schema-unknown-type", file, f"field {fname!r} has the unknown type {ftype!r}", column=fname
            )
            ok = False
        constraints = f.get("constraints", {})
        if not isinstance(constraints, dict):
            out.add("schema-invalid", file, f"field {fname!r}: `constraints` must be an object", column=fname)
            ok = False
        elif "enum" in constraints and not isinstance(constraints["enum"], list):
            out.add("schema-invalid", file, f"field {fname!r}: `enum` must be a list", column=fname)
            ok = False
        elif (problem := _constraint_problem(constraints, ftype)) is not None:
            out.add("schema-invalid", file, f"field {fname!r}: {problem}", column=fname)
            ok = False
    if not ok:
        return False
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        out.add("schema-invalid", file, "`missingValues` must be a list of strings")
        return False
    pk = schema.get("primaryKey")
    if pk is not None:
        keys = [pk] if isinstance(pk, str) else pk
        if not isinstance(keys, list) or not keys or not all(k in seen for k in keys):
            out.add("schema-invalid", file, f"`primaryKey` {pk!r} must name fields of the schema")
            return False
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        out.add("schema-invalid", file, "`foreignKeys` must be a list")
        return False
    for j, fk in enumerate(fks):
        problem = _fk_problem(fk, seen, resource, names)
        if problem:
            out.add("schema-invalid", file, f"foreignKeys[{j}] {problem}")
            return False
    return True


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


def _field_problem(f: dict[str, Any]) -> str | None:
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


def _constraint_problem(c: dict[str, Any], ftype: str) -> str | None:
    """What is wrong with a field's constraints, or None."""
    pattern = c.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            return "`pattern` must be a string"
        try:
            re.compile(pattern)
        except re.error as exc:
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
        if key in c and (not isinstance(c[key], int) or isinstance(c[key], bool) or c[key] < 0):
            return f"`{key}` must be a whole number of at least 0, not {c[key]!r}"
    enum = c.get("enum")
    if enum is not None and not all(isinstance(v, str | int | float) for v in enum):
        return "`enum` must list strings, numbers or booleans"
    for key in ("required", "unique"):
        if key in c and not isinstance(c[key], bool):
            return f"`{key}` must be true or false, not {c[key]!r}"
    return None


def _fk_problem(fk: Any, fields: set[str], resource: str, names: set[str]) -> str | None:
    if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
        return "must be an object with `fields` and `reference`"
    local = fk.get("fields")
    ref = fk["reference"]
    target = ref.get("resource", "")
    remote = ref.get("fields")
    local = [local] if isinstance(local, str) else local
    remote = [remote] if isinstance(remote, str) else remote
    if not isinstance(local, list) or not all(isinstance(x, str) and x in fields for x in local):
        return f"names fields that are not in the schema: {fk.get('fields')!r}"
    if not isinstance(remote, list) or len(remote) != len(local):
        return "must give as many reference fields as fields"
    if not isinstance(target, str) or (target and target != resource and target not in names):
        return f"refers to the unknown resource {target!r}"
    return None


def fk_parts(fk: dict[str, Any], resource: str) -> tuple[list[str], str, list[str]]:
    """``(local fields, referenced resource name, referenced fields)`` of a checked foreign key."""
    local = fk["fields"]
    remote = fk["reference"]["fields"]
    target = fk["reference"].get("resource") or resource
    return (
        [local] if isinstance(local, str) else list(local),
        target,
        [remote] if isinstance(remote, str) else list(remote),
    )


def primary_key(schema: dict[str, Any]) -> list[str]:
    """The primary-key fields of a schema (empty when it has none)."""
    pk = schema.get("primaryKey")
    if pk is None:
        return []
    return [pk] if isinstance(pk, str) else list(pk)
