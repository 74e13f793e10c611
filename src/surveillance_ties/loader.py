"""Typed loaders: every table of the package as a DataFrame, with the types of its Table Schema.

Driven by ``datapackage.json``: a table added there is loadable at once, no
code needed. Re-exported by the package itself::

    import surveillance_ties as st

    st.tables()                      # ['organizations', 'partnerships', ...]
    df = st.load("partnerships")     # typed pandas DataFrame
    df.attrs["schema"], df.attrs["citation"]
    st.schema("partnerships").field("status").enum
    st.citations("partnerships", "ring-flock-safety-footage-sharing")

Column types (see :mod:`surveillance_ties.dtypes`): strings are pandas
``string`` (``pd.StringDtype()``), ``enum`` fields are categoricals whose
categories follow the schema's order, integers ``Int64``, numbers ``Float64``,
booleans ``boolean``, ``date``/``datetime`` fields ``datetime64``; an empty
cell is missing (``pd.NA``). Dates of the curated tables are *partial* ISO
dates (``2025``, ``2025-10``, ``2025-10-16``) and stay exact strings;
:func:`surveillance_ties.date_bounds` turns such a column into its first and
last possible day, for filtering between two dates::

    bounds = st.date_bounds(df["announced"])
    df[(bounds["first"] >= "2025-01-01") & (bounds["last"] <= "2025-12-31")]

The module is named ``loader`` (not ``load``) so that importing it never
shadows the function ``surveillance_ties.load``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from surveillance_ties.source import PackageSource, SourceError, SourceLike, open_source
from surveillance_ties.tableschema import TableSchema, parse_schema

if TYPE_CHECKING:
    import frictionless
    import pandas as pd
    import polars as pl

Backend = Literal["pandas", "polars"]
BACKENDS = ("pandas", "polars")


class UnknownTableError(KeyError, ValueError):
    """No table of that name in the package; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class UnknownRecordError(KeyError, ValueError):
    """No record with that primary key in the table."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MissingBackendError(ImportError):
    """The library of the requested backend is not installed; the message says how to install it."""


def _table_resources(src: PackageSource) -> list[dict[str, Any]]:
    return [
        r
        for r in src.descriptor.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("path"), str) and "schema" in r and "name" in r
    ]


def _resource(src: PackageSource, name: str) -> dict[str, Any]:
    resources = _table_resources(src)
    for resource in resources:
        if resource["name"] == name:
            return resource
    valid = ", ".join(str(r["name"]) for r in resources)
    raise UnknownTableError(f"no table {name!r} in {src.label}; the tables are: {valid}")


def _schema(src: PackageSource, resource: dict[str, Any]) -> TableSchema:
    raw = resource["schema"]
    if isinstance(raw, str):
        raw = src.read_json(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        raise SourceError(f"{src.label}: the schema of {resource['name']!r} needs a `fields` list")
    return parse_schema(resource, raw)


def citation_text(descriptor: dict[str, Any], table: str | None = None) -> str:
    """How to cite the package (and one of its tables), from its descriptor.

    >>> citation_text({"title": "Surveillance Ties", "version": "0.1.0", "created": "2026-11-26",
    ...                "contributors": [{"title": "The contributors"}], "homepage": "https://example.org",
    ...                "licenses": [{"name": "CC-BY-4.0"}]}, "partnerships")
    'The contributors (2026). Surveillance Ties, version 0.1.0 [data set], table partnerships. https://example.org. Licence: CC-BY-4.0.'
    """  # noqa: E501
    authors = "; ".join(
        str(c.get("title"))
        for c in descriptor.get("contributors", [])
        if isinstance(c, dict) and c.get("title")
    )
    title = str(descriptor.get("title") or descriptor.get("name") or "Data package")
    year = str(descriptor.get("created", ""))[:4]
    text = f"{authors} ({year}). " if authors and year else f"{authors}. " if authors else ""
    text += f"{title}, version {descriptor.get('version', 'unknown')} [data set]"
    if table:
        text += f", table {table}"
    text += "."
    if descriptor.get("homepage"):
        text += f" {descriptor['homepage']}."
    licences = [
        str(x.get("name")) for x in descriptor.get("licenses", []) if isinstance(x, dict) and x.get("name")
    ]
    if licences:
        text += f" Licence: {', '.join(licences)}."
    return text


def _load(src: PackageSource, name: str, backend: str) -> Any:
    from surveillance_ties.frames import read_arrow, to_pandas, to_polars

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}")
    resource = _resource(src, name)
    table_schema = _schema(src, resource)
    if backend == "polars":
        try:
            import polars  # noqa: F401
        except ImportError:
            raise MissingBackendError(
                "backend='polars' needs polars: pip install 'surveillance-ties[polars]'"
            ) from None
    path = str(resource["path"])
    table = read_arrow(
        src.csv_input(path),
        table_schema,
        where=src.where(path),
        dialect=resource.get("dialect") if isinstance(resource.get("dialect"), dict) else None,
        encoding=str(resource.get("encoding", "utf-8")),
    )
    if backend == "polars":
        return to_polars(table, table_schema)
    frame = to_pandas(table, table_schema)
    frame.attrs = {
        "table": name,
        "version": str(src.descriptor.get("version", "")),
        "schema": table_schema.descriptor,
        "citation": citation_text(src.descriptor, name),
    }
    return frame


@overload
def load(name: str, source: SourceLike = ..., backend: Literal["pandas"] = ...) -> pd.DataFrame: ...
@overload
def load(name: str, source: SourceLike = ..., *, backend: Literal["polars"]) -> pl.DataFrame: ...
def load(name: str, source: SourceLike = None, backend: Backend = "pandas") -> pd.DataFrame | pl.DataFrame:
    """One table as a DataFrame typed from its Table Schema.

    ``name`` is a table of :func:`tables`; another name raises
    :class:`UnknownTableError` (a ``KeyError`` and a ``ValueError``) listing
    the valid names. ``source`` is where the package is read from: ``None``
    (default) for the copy installed with this library, which needs no
    network; a package folder; a ``datapackage.json``; a release zip (read in
    place after every file is checked against the ``hash`` in its descriptor);
    or an ``https://`` URL of a release zip, downloaded once into the user's
    cache folder (see :mod:`surveillance_ties.fetch`) and checked the same way.

    With ``backend="pandas"`` (default) the columns are: strings
    ``pd.StringDtype()`` (``"string"``), ``enum`` fields
    ``pd.CategoricalDtype(<allowed values in schema order>)``, integers
    ``Int64``, numbers ``Float64``, booleans ``boolean``, ``date`` and
    ``datetime`` fields ``datetime64``; empty cells are missing (``pd.NA``).
    ``df.attrs`` holds ``"table"``, ``"version"``, ``"schema"`` (the Table
    Schema as a dict) and ``"citation"`` (how to cite this version).

    With ``backend="polars"`` (``pip install 'surveillance-ties[polars]'``)
    the same columns are ``pl.String``, ``pl.Enum(<allowed values>)``,
    ``pl.Int64``, ``pl.Float64``, ``pl.Boolean`` and ``pl.Datetime``.

    Partial dates (``2025``, ``2025-10``, ``2025-10-16``) stay exact strings;
    :func:`surveillance_ties.date_bounds` gives the first and last possible
    day of each, so ``2025-10`` can be filtered between two dates.

    Raises :class:`~surveillance_ties.source.SourceError` for a source that
    cannot be read (:class:`~surveillance_ties.source.HashMismatchError` when
    a zip's file does not match its hash), and
    :class:`~surveillance_ties.frames.DataError` when a file does not fit
    its schema (a value that is not of its type or not one of its ``enum``).
    """
    result: pd.DataFrame | pl.DataFrame = _load(open_source(source), name, backend)
    return result


@overload
def load_all(source: SourceLike = ..., backend: Literal["pandas"] = ...) -> dict[str, pd.DataFrame]: ...
@overload
def load_all(source: SourceLike = ..., *, backend: Literal["polars"]) -> dict[str, pl.DataFrame]: ...
def load_all(
    source: SourceLike = None, backend: Backend = "pandas"
) -> dict[str, pd.DataFrame] | dict[str, pl.DataFrame]:
    """Every table, as ``{name: DataFrame}`` in the order of ``datapackage.json``.

    Each frame is what :func:`load` gives for that name; a zip ``source`` is
    checked once.
    """
    src = open_source(source)
    frames: dict[str, Any] = {r["name"]: _load(src, r["name"], backend) for r in _table_resources(src)}
    return frames


def tables(source: SourceLike = None) -> list[str]:
    """The names of the tables, in the order of ``datapackage.json``."""
    return [str(r["name"]) for r in _table_resources(open_source(source))]


def schema(name: str, source: SourceLike = None) -> TableSchema:
    """The schema of one table: its fields (name, type, description, allowed values), keys and title.

    >>> s = schema("partnerships")
    >>> s.primary_key
    ('partnership_id',)
    >>> s.field("status").enum
    ('announced', 'active', 'ended', 'cancelled', 'disputed', 'reported')
    """
    src = open_source(source)
    return _schema(src, _resource(src, name))


def package(source: SourceLike = None) -> frictionless.Package:
    """The package as a ``frictionless.Package`` (frictionless is imported only here).

    A zip is checked like in :func:`load`, then extracted into a temporary
    folder that is removed when Python exits.
    """
    import frictionless

    from surveillance_ties.resources import DESCRIPTOR

    src = open_source(source)
    if src.zip_path is None:
        return frictionless.Package(str(src.root / DESCRIPTOR))
    import atexit
    import shutil
    import tempfile
    import zipfile

    folder = tempfile.mkdtemp(prefix="surveillance-ties-")
    atexit.register(shutil.rmtree, folder, True)
    with zipfile.ZipFile(src.zip_path) as archive:
        archive.extractall(folder)  # zipfile drops absolute paths and `..`
    return frictionless.Package(f"{folder}/{src.prefix}{DESCRIPTOR}")


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


def citations(table: str, record_id: str, source: SourceLike = None) -> pd.DataFrame:
    """The quotes behind one record, each with its source, as a DataFrame.

    Columns: ``citation_id``, ``field`` (the field the quote backs; missing
    means the whole record), ``quote``, ``source_id`` and the source's
    ``title``, ``publisher``, ``published``, ``url`` and ``cited_by``; one
    row per citation, in the order of ``citations.csv``. A source that is not
    archived is quoted from the archived source that links to it, whose
    ``source_id`` is in ``cited_by``.

    Raises :class:`UnknownTableError` for a table that has no citations and
    :class:`UnknownRecordError` when the table has no record ``record_id``.
    """
    src = open_source(source)
    cited = _schema(src, _resource(src, "citations")).field("table").enum or ()
    if table not in cited:
        raise UnknownTableError(
            f"no citations point at table {table!r}; the cited tables are: {', '.join(map(str, cited))}"
        )
    records: pd.DataFrame = _load(src, table, "pandas")
    key = _schema(src, _resource(src, table)).primary_key
    if len(key) == 1 and not (records[key[0]] == record_id).any():
        raise UnknownRecordError(f"{table} has no record whose {key[0]} is {record_id!r}")
    quotes: pd.DataFrame = _load(src, "citations", "pandas")
    quotes = quotes[(quotes["table"] == table) & (quotes["record_id"] == record_id)]
    sources: pd.DataFrame = _load(src, "sources", "pandas")
    out = quotes.merge(sources, on="source_id", how="left", validate="many_to_one", suffixes=("", "_source"))
    out = out[CITATION_COLUMNS].reset_index(drop=True)
    out.attrs = {"table": table, "record_id": record_id, "citation": citation_text(src.descriptor)}
    return out
