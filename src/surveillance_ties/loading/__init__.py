"""Typed loaders: every table of the package as a DataFrame, with the types of its Table Schema.

Driven by ``datapackage.json``: a table added there is loadable at once, no code needed.
Re-exported by the package itself::

    import surveillance_ties as st

    st.tables()                      # ['organizations', 'partnerships', ...]
    df = st.load("partnerships")     # typed pandas DataFrame
    df.attrs["schema"], df.attrs["citation"]
    st.schema("partnerships").field("status").enum
    st.citations("partnerships", "ring-flock-safety-footage-sharing")

Column types come from :mod:`surveillance_ties.datapackage.typemap`: strings are pandas ``string``,
``enum`` fields categoricals whose categories follow the schema's order, integers ``Int64``,
numbers ``Float64``, booleans ``boolean``; an empty cell is missing (``pd.NA``). Dates of the
curated tables are *partial* ISO dates (``2025``, ``2025-10``, ``2025-10-16``) and stay exact
strings; :func:`surveillance_ties.date_bounds` turns such a column into its first and last
possible day, for filtering between two dates::

    bounds = st.date_bounds(df["announced"])
    df[(bounds["first"] >= "2025-01-01") & (bounds["last"] <= "2025-12-31")]

Every copy is opened through :func:`surveillance_ties.datapackage.open_package`, so a folder, a
release zip and an https URL are read with the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from surveillance_ties.datapackage import (
    Package,
    SourceLike,
    TableSchema,
    UnknownRecordError,
    UnknownTableError,
    open_package,
)
from surveillance_ties.datapackage.model import RECORD_ID, RECORD_TABLE
from surveillance_ties.loading.names import TableName

if TYPE_CHECKING:
    import frictionless
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "BACKENDS",
    "Backend",
    "TableName",
    "citation_text",
    "citations",
    "load",
    "load_all",
    "package",
    "schema",
    "tables",
]

Backend = Literal["pandas", "polars", "pyarrow"]
BACKENDS = ("pandas", "polars", "pyarrow")


def citation_text(descriptor: Mapping[str, Any], table: str | None = None) -> str:
    """How to cite the package (and one of its tables), from its descriptor.

    >>> citation_text({"title": "Surveillance Ties", "version": "0.1.0", "created": "2026-11-26",
    ...                "contributors": [{"title": "The contributors"}], "homepage": "https://example.org",
    ...                "licenses": [{"name": "CC-BY-4.0"}]}, "partnerships")
    'The contributors (2026). Surveillance Ties, version 0.1.0 [data set], table partnerships. https://example.org. Licence: CC-BY-4.0.'
    """  # noqa: E501

    def text(key: str) -> str:
        value = descriptor.get(key)
        return value if isinstance(value, str) else ""

    def items(key: str) -> list[Mapping[str, Any]]:
        value = descriptor.get(key)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    authors = "; ".join(str(c["title"]) for c in items("contributors") if isinstance(c.get("title"), str))
    title = text("title") or text("name") or "Data package"
    year = text("created")[:4]
    out = f"{authors} ({year}). " if authors and year else f"{authors}. " if authors else ""
    out += f"{title}, version {text('version') or 'unknown'} [data set]"
    if table:
        out += f", table {table}"
    out += "."
    if text("homepage"):
        out += f" {text('homepage')}."
    licences = [str(x["name"]) for x in items("licenses") if isinstance(x.get("name"), str)]
    if licences:
        out += f" Licence: {', '.join(licences)}."
    return out


def _frame(pkg: Package, name: str, backend: str) -> Any:
    from surveillance_ties.datapackage.tables import read_table

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}")
    resource = pkg.resource(name)
    table_schema = resource.table_schema
    if backend == "polars":
        from surveillance_ties.loading.frames import to_polars

        try:
            import polars  # noqa: F401
        except ImportError:
            from surveillance_ties.datapackage import MissingDependencyError

            raise MissingDependencyError(
                "backend='polars' needs polars: pip install 'surveillance-ties[polars]'"
            ) from None
    table = read_table(pkg, name)
    attrs = {
        "table": name,
        "version": pkg.version,
        "citation": citation_text(pkg.descriptor, name),
    }
    if backend == "pyarrow":
        import json

        meta = {b"surveillance_ties." + k.encode(): v.encode() for k, v in attrs.items()}
        meta[b"surveillance_ties.schema"] = json.dumps(table_schema.descriptor).encode()
        return table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    if backend == "polars":
        return to_polars(table, table_schema)
    from surveillance_ties.loading.frames import to_pandas

    frame = to_pandas(table, table_schema)
    frame.attrs = {"schema": dict(table_schema.descriptor)}
    frame.attrs.update(attrs)
    return frame


@overload
def load(
    name: TableName, source: SourceLike = ..., backend: Literal["pandas"] = ..., *, sha256: str | None = ...
) -> pd.DataFrame: ...
@overload
def load(
    name: TableName, source: SourceLike = ..., *, backend: Literal["polars"], sha256: str | None = ...
) -> pl.DataFrame: ...
@overload
def load(
    name: TableName, source: SourceLike = ..., *, backend: Literal["pyarrow"], sha256: str | None = ...
) -> pa.Table: ...
def load(
    name: TableName, source: SourceLike = None, backend: Backend = "pandas", *, sha256: str | None = None
) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """One table, typed from its Table Schema.

    ``name`` is a table of :func:`tables`; another name raises
    :class:`~surveillance_ties.datapackage.errors.UnknownTableError` (a ``KeyError``) listing the
    valid names. Its type is :data:`~surveillance_ties.TableName`, the ``Literal`` of the installed
    package's tables, so a type checker catches a misspelt name; a name held in a ``str``
    variable needs ``typing.cast(st.TableName, name)`` (the names of :func:`tables` are typed).

    ``source`` is where the package is read from: ``None`` (default) for the copy installed with
    this library, which needs no network; a package folder; a ``datapackage.json``; a release zip
    (read in place after every table is checked against the ``hash`` in its descriptor); a
    release version, ``"v0.1.0"``, whose zip is downloaded once from the project's GitHub
    releases; or an ``https://`` URL of a release zip. A downloaded zip is kept in the user's
    cache folder and checked against the release's ``SHA256SUMS`` (see
    :mod:`surveillance_ties.datapackage.fetch`), so it is read offline afterwards. ``sha256``
    checks a zip, version or URL against a sha256 you trust instead.

    With ``backend="pandas"`` (default) the columns are: strings ``pd.StringDtype()``
    (``"string"``), ``enum`` fields ``pd.CategoricalDtype(<allowed values in schema order>)``,
    integers ``Int64``, numbers ``Float64``, booleans ``boolean``, ``date`` fields
    ``datetime64[s]`` and ``datetime`` fields ``datetime64[s, UTC]``; empty cells are missing
    (``pd.NA``). ``df.attrs`` holds ``"table"``, ``"version"``, ``"schema"`` (the Table Schema as
    a dict) and ``"citation"`` (how to cite this version).

    With ``backend="polars"`` (``pip install 'surveillance-ties[polars]'``) the same columns are
    ``pl.String``, ``pl.Enum(<allowed values>)``, ``pl.Int64``, ``pl.Float64``, ``pl.Boolean``,
    ``pl.Date`` and ``pl.Datetime``; with ``backend="pyarrow"`` a ``pyarrow.Table`` whose
    ``enum`` fields are dictionary columns (see :mod:`surveillance_ties.datapackage.typemap`) and
    whose schema metadata holds the table, version, citation and Table Schema.

    Partial dates (``2025``, ``2025-10``, ``2025-10-16``) stay exact strings;
    :func:`surveillance_ties.date_bounds` gives the first and last possible day of each.

    Raises :class:`~surveillance_ties.datapackage.errors.PackageError` for a source that cannot be
    read (:class:`~surveillance_ties.datapackage.errors.HashMismatchError` when a file does not match
    its hash), and :class:`~surveillance_ties.datapackage.errors.DataError` when a file does not fit
    its schema (a value that is not of its type or not one of its ``enum``).
    """
    with open_package(source, sha256=sha256) as pkg:
        result: pd.DataFrame | pl.DataFrame | pa.Table = _frame(pkg, name, backend)
    return result


@overload
def load_all(
    source: SourceLike = ..., backend: Literal["pandas"] = ..., *, sha256: str | None = ...
) -> dict[TableName, pd.DataFrame]: ...
@overload
def load_all(
    source: SourceLike = ..., *, backend: Literal["polars"], sha256: str | None = ...
) -> dict[TableName, pl.DataFrame]: ...
@overload
def load_all(
    source: SourceLike = ..., *, backend: Literal["pyarrow"], sha256: str | None = ...
) -> dict[TableName, pa.Table]: ...
def load_all(
    source: SourceLike = None, backend: Backend = "pandas", *, sha256: str | None = None
) -> dict[TableName, pd.DataFrame] | dict[TableName, pl.DataFrame] | dict[TableName, pa.Table]:
    """Every table, as ``{name: frame}`` in the order of ``datapackage.json`` (the copy is
    opened and checked once)."""
    with open_package(source, sha256=sha256) as pkg:
        frames: dict[Any, Any] = {name: _frame(pkg, name, backend) for name in pkg.table_names}
    return frames


def tables(source: SourceLike = None) -> list[TableName]:
    """The names of the tables, in the order of ``datapackage.json``.

    Typed as :data:`~surveillance_ties.TableName` (the installed package's tables), so
    ``for name in st.tables(): st.load(name)`` type-checks; another ``source`` may list other
    names, which load all the same.
    """
    with open_package(source) as pkg:
        names: list[Any] = pkg.table_names
    return names


def schema(name: TableName, source: SourceLike = None) -> TableSchema:
    """The schema of one table: its fields (name, type, description, allowed values), keys and title.

    >>> s = schema("partnerships")
    >>> s.primary_key
    ('partnership_id',)
    >>> s.field("status").enum
    ('announced', 'active', 'ended', 'cancelled', 'disputed', 'reported')
    """
    with open_package(source) as pkg:
        return pkg.resource(name).table_schema


def package(source: SourceLike = None) -> frictionless.Package:
    """The package as a ``frictionless.Package`` (frictionless is imported only here).

    A folder is handed to frictionless as it is (after the same checks as :func:`load`); a zip
    or URL is checked like in :func:`load`, then its regular files are copied into a temporary
    folder that is removed when Python exits.
    """
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    import frictionless

    from surveillance_ties.datapackage.stores import FolderStore

    with open_package(source) as pkg:
        if isinstance(pkg.store, FolderStore):
            return frictionless.Package(str(pkg.store.root / pkg.descriptor_file))
        folder = Path(tempfile.mkdtemp(prefix="surveillance-ties-"))
        atexit.register(shutil.rmtree, folder, True)
        paths = [pkg.descriptor_file]
        for sub in ("data", "schemas", "seeds"):
            paths += pkg.store.walk(sub)[0]
        for rel in paths:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pkg.read_bytes(rel))
        return frictionless.Package(str(folder / pkg.descriptor_file))


#: The columns of :func:`citations`: the citation's, then its source's. Any other column of the
#: citations table (``claim``, ``claimant_org_id``) comes between ``field`` and ``quote``.
CITATION_COLUMNS = [
    "citation_id",
    "field",
    "quote",
    "source_id",
    "title",
    "publisher",
    "published",
    "url",
    "cited_by",
]
_JOIN_COLUMNS = (RECORD_TABLE, RECORD_ID)


def citations(table: TableName, record_id: str, source: SourceLike = None) -> pd.DataFrame:
    """The quotes behind one record, each with its source, as a DataFrame.

    Columns: ``citation_id``, ``field`` (the field the quote backs; missing means the whole
    record), ``claim`` (whose claim the quote carries: the publication's own reporting, a party's
    statement, another outlet's report, or only a linked URL) and ``claimant_org_id`` (the party
    of a statement), ``quote``, ``source_id`` and the source's ``title``, ``publisher``,
    ``published``, ``url`` and ``cited_by``; one row per citation, in the order of
    ``citations.csv``. Citations of different claims on one record show a dispute. A source
    that is not archived is quoted from the archived source that links to it, whose
    ``source_id`` is in ``cited_by``.

    Raises :class:`~surveillance_ties.datapackage.errors.UnknownTableError` for a table that has no
    citations and :class:`~surveillance_ties.datapackage.errors.UnknownRecordError` when the table
    has no record ``record_id``.
    """
    with open_package(source) as pkg:
        cited = pkg.resource("citations").table_schema.field(RECORD_TABLE).categories
        if table not in cited:
            raise UnknownTableError(
                f"no citations point at table {table!r}; the cited tables are: {', '.join(cited)}"
            )
        records: pd.DataFrame = _frame(pkg, table, "pandas")
        key = pkg.resource(table).table_schema.primary_key
        if len(key) == 1 and not (records[key[0]] == record_id).any():
            raise UnknownRecordError(f"{table} has no record whose {key[0]} is {record_id!r}")
        quotes: pd.DataFrame = _frame(pkg, "citations", "pandas")
        quotes = quotes[(quotes[RECORD_TABLE] == table) & (quotes[RECORD_ID] == record_id)]
        sources: pd.DataFrame = _frame(pkg, "sources", "pandas")
        out = quotes.merge(
            sources, on="source_id", how="left", validate="many_to_one", suffixes=("", "_source")
        )
        extra = [c for c in quotes.columns if c not in (*CITATION_COLUMNS, *_JOIN_COLUMNS)]
        columns = [*CITATION_COLUMNS[:2], *extra, *CITATION_COLUMNS[2:]]
        out = out[columns].reset_index(drop=True)
        out.attrs = {"table": table, "record_id": record_id, "citation": citation_text(pkg.descriptor)}
    return out
