"""Reading ``datapackage.json``: safe JSON, the shape of every value, and the :class:`Package` model.

:func:`read_package` reads a descriptor from a :class:`~surveillance_ties.datapackage.stores.Store`
and never raises for what the descriptor says: every problem (not JSON, nested too deep, a key
given twice, a value of the wrong type at any level, an unsafe path, a broken schema, a dialect
the project does not read) is a :class:`~surveillance_ties.datapackage.model.Problem` of the
returned :class:`Package`. The validator reports them all; :meth:`Package.require_valid` (what
every other command calls, through :func:`surveillance_ties.datapackage.open_package`) raises a
:class:`~surveillance_ties.datapackage.errors.DescriptorError` for the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from surveillance_ties.datapackage.errors import DescriptorError, PackageError, UnknownTableError
from surveillance_ties.datapackage.model import DESCRIPTOR, Dialect, Problem, Resource
from surveillance_ties.datapackage.schema import parse_schema
from surveillance_ties.datapackage.stores import JSON_LIMIT, FolderStore, Store, unsafe_reason

__all__ = ["MAX_DEPTH", "Package", "dumps", "load_json", "read_package", "refreshed"]

#: How deeply a descriptor or schema may nest objects and lists.
MAX_DEPTH = 32
_STRING_KEYS = ("name", "id", "title", "description", "version", "homepage", "created", "image", "$schema")
_LIST_KEYS = ("keywords", "licenses", "contributors", "sources")
_RESOURCE_STRING_KEYS = ("title", "description", "format", "mediatype", "encoding", "hash", "type", "scheme")
_ITEM_STRING_KEYS = ("name", "title", "path", "email", "role")
#: Dialect keys and the values surveillance-ties reads (anything else is refused).
_DIALECT_DEFAULTS: dict[str, Any] = {
    "delimiter": ",",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
    "lineTerminator": "\n",
    "skipInitialSpace": False,
}
_DIALECT_IGNORED = {"$schema", "title", "description", "caseSensitiveHeader"}


class _DuplicateKey(ValueError):
    pass


class _Constant(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise _Constant(name)


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def load_json(data: bytes, file: str, code: str, shape_code: str | None = None) -> tuple[Any, Problem | None]:
    """Parse JSON text safely: ``(value, None)``, or ``(None, problem)``.

    The problem has ``code`` for text that is not JSON, ``shape_code`` (default ``code``) for JSON
    that is refused: a key given twice, ``NaN``/``Infinity``, nesting deeper than :data:`MAX_DEPTH`.

    """
    shape = shape_code or code
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(code, file, f"byte {exc.start} is not UTF-8", row=line)
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        return None, Problem(code, file, f"not valid JSON: {exc.msg} (column {exc.colno})", row=exc.lineno)
    except _DuplicateKey as exc:
        return None, Problem(shape, file, f"the key {str(exc)!r} appears twice in one object; keep one")
    except _Constant as exc:
        return None, Problem(shape, file, f"{exc} is not a JSON value; write a number or a string")
    except RecursionError:
        return None, Problem(shape, file, f"nested more than {MAX_DEPTH} levels deep")
    if _too_deep(value):
        return None, Problem(shape, file, f"nested more than {MAX_DEPTH} levels deep")
    return value, None


def dumps(descriptor: Mapping[str, Any]) -> str:
    """The canonical text of a descriptor: two-space indent, UTF-8, final newline."""
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


@dataclass
class Package:
    """One copy of the data package, read from a :class:`Store`.

    ``resources`` are the tables worth reading (a safe path; ``schema`` ``None`` only when it
    is broken, which ``problems`` then say); ``names`` are every resource name in the
    descriptor. ``readable`` is false when there is no usable descriptor at all. Use it as a
    context manager, or call :meth:`close`, to release an open zip.
    """

    store: Store
    descriptor_file: str = DESCRIPTOR
    descriptor: dict[str, Any] = field(default_factory=dict)
    resources: tuple[Resource, ...] = ()
    problems: tuple[Problem, ...] = ()
    names: frozenset[str] = frozenset()
    readable: bool = False

    # -- identity -----------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """How messages name this copy."""
        return self.store.label

    def _text(self, key: str) -> str:
        value = self.descriptor.get(key)
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        return self._text("name")

    @property
    def version(self) -> str:
        return self._text("version")

    @property
    def title(self) -> str:
        return self._text("title")

    def items(self, key: str) -> list[Mapping[str, Any]]:
        """The objects of a list key (``licenses``, ``contributors``, ``sources``)."""
        value = self.descriptor.get(key)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    # -- resources ----------------------------------------------------------------------------
    @property
    def table_names(self) -> list[str]:
        """The names of the tables, in descriptor order."""
        return [r.name for r in self.resources]

    def resource(self, name: str) -> Resource:
        """The table ``name``; :class:`UnknownTableError` listing the valid names otherwise."""
        for r in self.resources:
            if r.name == name:
                return r
        raise UnknownTableError(
            f"no table {name!r} in {self.label}; the tables are: {', '.join(self.table_names)}"
        )

    def require_valid(self) -> Package:
        """This package, or :class:`DescriptorError` for its first descriptor or schema problem."""
        if self.problems:
            first = self.problems[0]
            line = f":{first.row}" if first.row else ""
            if first.code == "descriptor-missing":  # the store's message says what to do
                raise DescriptorError(f"{self.store.where(first.file)}: {first.message}")
            more = len(self.problems) - 1
            also = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
            raise DescriptorError(
                f"{self.store.where(first.file)}{line}: {first.message}{also}; "
                "fix it (`surveillance-ties validate` lists every problem)"
            )
        return self

    # -- files --------------------------------------------------------------------------------
    def read_bytes(self, rel: str, limit: int | None = None) -> bytes:
        return self.store.read_bytes(rel, limit)

    def open(self, rel: str) -> IO[bytes]:
        return self.store.open(rel)

    def where(self, rel: str) -> str:
        return self.store.where(rel)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_items(data: Mapping[str, Any], file: str, problems: list[Problem]) -> None:
    def bad(message: str) -> None:
        problems.append(Problem("descriptor-shape", file, message))

    for key in _STRING_KEYS:
        if key in data and not isinstance(data[key], str):
            bad(f"`{key}` must be a string")
    for key in _LIST_KEYS:
        if key not in data:
            continue
        if not isinstance(data[key], list):
            bad(f"`{key}` must be a list")
        elif key == "keywords":
            if not all(isinstance(k, str) for k in data[key]):
                bad("`keywords` must be a list of strings")
        else:
            for j, item in enumerate(data[key]):
                if not isinstance(item, dict):
                    bad(f"`{key}[{j}]` must be an object")
                    continue
                for sub in _ITEM_STRING_KEYS:
                    if sub in item and not isinstance(item[sub], str):
                        bad(f"`{key}[{j}].{sub}` must be a string")


def _dialect(raw: Any, where: str, file: str, problems: list[Problem]) -> Dialect | None:
    if raw is None:
        return Dialect()
    if not isinstance(raw, dict):
        problems.append(Problem("descriptor-shape", file, f"{where}.dialect must be an object"))
        return None
    values = dict(_DIALECT_DEFAULTS)
    for key, value in raw.items():
        if key in _DIALECT_IGNORED:
            continue
        if key not in _DIALECT_DEFAULTS:
            problems.append(
                Problem(
                    "dialect-unsupported",
                    file,
                    f"{where}.dialect.{key} is not read by surveillance-ties; remove it "
                    f"(supported: {', '.join(_DIALECT_DEFAULTS)})",
                )
            )
            return None
        values[key] = value
    why = None
    delimiter, quote = values["delimiter"], values["quoteChar"]
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        why = f"delimiter {delimiter!r} must be one character other than a quote or a line break"
    elif not isinstance(quote, str) or len(quote) != 1 or quote in "\r\n" or quote == delimiter:
        why = f"quoteChar {quote!r} must be one character other than the delimiter or a line break"
    elif values["doubleQuote"] is not True:
        why = "doubleQuote must be true (a quote inside a quoted cell is written twice)"
    elif values["header"] is not True:
        why = "header must be true (every table starts with its header line)"
    elif values["lineTerminator"] not in ("\n", "\r\n"):
        why = f'lineTerminator {values["lineTerminator"]!r} must be "\\n" (or "\\r\\n")'
    elif values["skipInitialSpace"] is not False:
        why = "skipInitialSpace must be false (white space is part of a cell)"
    if why is not None:
        problems.append(Problem("dialect-unsupported", file, f"{where}.dialect: {why}"))
        return None
    return Dialect(delimiter, quote, True, True, values["lineTerminator"], descriptor=raw)


def _resource_keys_ok(res: Mapping[str, Any], where: str, file: str, problems: list[Problem]) -> bool:
    ok = True
    for key in _RESOURCE_STRING_KEYS:
        if key in res and not isinstance(res[key], str):
            problems.append(Problem("descriptor-shape", file, f"{where}.{key} must be a string"))
    if "bytes" in res and (not isinstance(res["bytes"], int) or isinstance(res["bytes"], bool)):
        problems.append(Problem("descriptor-shape", file, f"{where}.bytes must be an integer"))
    path = res.get("path")
    if not isinstance(path, str):
        problems.append(
            Problem("descriptor-shape", file, f"{where} needs a `path` (one string, the table's file)")
        )
        ok = False
    elif (why := unsafe_reason(path)) is not None:
        problems.append(Problem("resource-path", file, f"{where}.path {path!r} {why}"))
        ok = False
    if "schema" in res and not isinstance(res["schema"], str | dict):
        problems.append(Problem("descriptor-shape", file, f"{where}.schema must be a path or an object"))
    return ok


def _outside(store: Store, rel: str) -> bool:
    """Whether a syntactically safe path still leads out of a folder package (through a link)."""
    if not isinstance(store, FolderStore):
        return False
    try:
        store.local_path(rel)
    except PackageError as exc:
        return "outside the package" in str(exc)
    return False


def _resource(
    res: Mapping[str, Any], index: int, store: Store, file: str, names: set[str], problems: list[Problem]
) -> Resource | None:
    name: str = res["name"]
    path: str = res["path"]
    where = f"resources[{index}]"
    if _outside(store, path):
        problems.append(
            Problem("resource-path", file, f"resource {name!r}: {path!r} points outside the package")
        )
        return None
    dialect = _dialect(res.get("dialect"), where, file, problems)
    if dialect is None:  # a file written in a way this reader does not follow is not read at all
        return None
    schema_ref = res.get("schema")
    raw_schema: Any = None
    schema_path: str | None = None
    schema_file = file
    if schema_ref is None:
        problems.append(Problem("schema-missing", file, f"resource {name!r} has no `schema`"))
    elif isinstance(schema_ref, dict):
        raw_schema = schema_ref
    elif isinstance(schema_ref, str):
        why = unsafe_reason(schema_ref)
        if why is not None or _outside(store, schema_ref):
            why = why or "points outside the package"
            problems.append(Problem("resource-path", file, f"resource {name!r}: schema {schema_ref!r} {why}"))
        elif not store.is_file(schema_ref):
            problems.append(Problem("schema-missing", schema_ref, f"{schema_ref} does not exist"))
            schema_path = schema_ref
        else:
            schema_path = schema_file = schema_ref
            try:
                data = store.read_bytes(schema_ref, JSON_LIMIT)
            except PackageError as exc:
                problems.append(Problem("schema-invalid", schema_ref, str(exc)))
            else:
                raw_schema, problem = load_json(data, schema_ref, "schema-invalid")
                if problem is not None:
                    problems.append(
                        Problem(
                            "schema-invalid",
                            schema_ref,
                            f"{schema_ref} is not valid JSON ({problem.message})",
                            row=problem.row,
                        )
                    )
                elif not isinstance(raw_schema, dict):
                    problems.append(
                        Problem("schema-invalid", schema_ref, f"{schema_ref} must hold a JSON object")
                    )
                    raw_schema = None
    schema = None
    if raw_schema is not None:
        schema, found = parse_schema(
            raw_schema,
            schema_file,
            name,
            names,
            title=res.get("title", "") if isinstance(res.get("title"), str) else "",
            description=res.get("description", "") if isinstance(res.get("description"), str) else "",
        )
        problems.extend(found)

    def text(key: str, default: str = "") -> str:
        value = res.get(key)
        return value if isinstance(value, str) else default

    size = res.get("bytes")
    return Resource(
        name=name,
        path=path,
        schema=schema,
        schema_path=schema_path,
        dialect=dialect,
        encoding=text("encoding", "utf-8"),
        hash=text("hash") or None,
        bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
        title=text("title"),
        description=text("description"),
        descriptor=res,
    )


def _check_references(resources: list[Resource], problems: list[Problem]) -> list[Resource]:
    """Every foreign key names fields that its target's schema has; a schema that does not is dropped."""
    by_name = {r.name: r for r in resources}
    out: list[Resource] = []
    for r in resources:
        keep = r
        for j, fk in enumerate(r.schema.foreign_keys if r.schema is not None else ()):
            ref = by_name.get(fk.resource)
            if ref is None or ref.schema is None:
                continue
            unknown = [f for f in fk.reference_fields if f not in ref.schema.field_names]
            if unknown:
                problems.append(
                    Problem(
                        "schema-invalid",
                        r.schema_file,
                        f"foreignKeys[{j}] refers to {', '.join(map(repr, unknown))}, "
                        f"which {fk.resource} does not have",
                    )
                )
                keep = Resource(**{**_fields_of(r), "schema": None})
        out.append(keep)
    return out


def _fields_of(r: Resource) -> dict[str, Any]:
    return {f: getattr(r, f) for f in r.__dataclass_fields__}


def read_package(store: Store, descriptor_file: str = DESCRIPTOR) -> Package:
    """Read and check the descriptor of the copy in ``store`` (never raises for its content)."""
    package = Package(store, descriptor_file)
    problems: list[Problem] = []
    try:
        raw = store.read_bytes(descriptor_file, JSON_LIMIT)
    except PackageError as exc:
        reason = str(exc).removeprefix(store.where(descriptor_file) + ": ")
        package.problems = (Problem("descriptor-missing", descriptor_file, reason),)
        return package
    data, problem = load_json(raw, descriptor_file, "descriptor-json", "descriptor-shape")
    if problem is not None:
        package.problems = (problem,)
        return package
    if not isinstance(data, dict):
        package.problems = (
            Problem("descriptor-shape", descriptor_file, "the descriptor must be a JSON object"),
        )
        return package
    package.descriptor = data
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources:
        package.problems = (
            Problem("descriptor-shape", descriptor_file, "`resources` must be a non-empty list of resources"),
        )
        return package
    package.readable = True
    _check_items(data, descriptor_file, problems)
    seen: set[str] = set()
    candidates: list[tuple[int, Mapping[str, Any]]] = []
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            problems.append(Problem("descriptor-shape", descriptor_file, f"{where} must be an object"))
            continue
        rname = res.get("name")
        if not isinstance(rname, str) or not rname:
            problems.append(
                Problem("descriptor-shape", descriptor_file, f"{where} needs a `name` (a string)")
            )
            continue
        if rname in seen:
            problems.append(
                Problem("descriptor-shape", descriptor_file, f"{where}: the name {rname!r} is used twice")
            )
            continue
        seen.add(rname)
        if _resource_keys_ok(res, where, descriptor_file, problems):
            candidates.append((i, res))
    names = set(seen)  # a key may name a table whose own entry is broken: that is reported there
    tables: list[Resource] = []
    for i, res in candidates:
        resource = _resource(res, i, store, descriptor_file, names, problems)
        if resource is not None:
            tables.append(resource)
    package.resources = tuple(_check_references(tables, problems))
    package.names = frozenset(seen)
    package.problems = tuple(problems)
    return package


def walk_descriptor(package: Package) -> Iterator[str]:
    """Every package-relative path the descriptor names for a table or a schema file."""
    for r in package.resources:
        yield r.path
        if r.schema_path:
            yield r.schema_path


def refreshed(package: Package) -> dict[str, Any]:
    """A copy of the descriptor whose table resources carry the current ``hash`` (sha256) and
    ``bytes`` of their files (read through the store, so only regular files inside the package;
    a table file that is missing or cannot be read raises the store's
    :class:`~surveillance_ties.datapackage.errors.PackageError`)."""
    from surveillance_ties.datapackage.hashing import digest_stream

    out: dict[str, Any] = json.loads(json.dumps(package.descriptor))
    paths = {r.name: r.path for r in package.resources}
    for resource in out.get("resources", []):
        name = resource.get("name") if isinstance(resource, dict) else None
        path = paths.get(name) if isinstance(name, str) else None
        if path is None:
            continue
        with package.open(path) as stream:
            digest, size = digest_stream(stream)
        resource["hash"], resource["bytes"] = str(digest), size
    return out
