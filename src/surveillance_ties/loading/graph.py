"""The package as a graph: organizations as nodes, ties, ownership and regulatory actions as edges.

``st.graph()`` (``pip install 'surveillance-ties[graph]'``) returns a ``networkx.MultiDiGraph``::

    import surveillance_ties as st

    g = st.graph()
    g.nodes["ring"]["org_type"]                          # 'company'
    g.edges["ring", "flock-safety", "ring-flock-safety-footage-sharing"]["status"]
    [(u, v) for u, v, kind in g.edges(data="kind") if kind == "ownership"]

Every organization is one node, keyed by its ``org_id``, whose attributes are the columns of its
row. Every edge goes from the party that acts to the one it reaches, as the schemas' descriptions
and the network map (:mod:`surveillance_ties.documents.figures.network`) define it, and is keyed
by the id of its record:

- ``kind="ownership"``: from an organization's ``parent_org_id`` (the owner) to its ``org_id``
  (the owned), keyed by the owned organization's ``org_id``;
- ``kind="partnership"``: from a partnership's ``org_id`` (the party that provides the
  technology, network, data or backing) to its ``partner_org_id`` (the one that receives, uses
  or gets access), keyed by ``partnership_id``;
- ``kind="regulatory_action"``: from ``regulator_org_id`` to ``target_org_id``, keyed by
  ``action_id``.

An edge's attributes are ``kind``, every column of its row and ``citations``: the
``citation_id`` of every citation of the record, in the order of ``citations.csv``. An ownership
edge is the ``parent_org_id`` of the owned organization's row, so its row is that organization's
row and its ``citations`` are those that back that field or the whole record. Values are typed
from the Table Schema like ``st.load(..., backend="pyarrow")`` (text, ``float``, ``bool``,
``datetime.date``...); a missing value is ``None``. ``g.graph`` holds the package's ``name``,
``version`` and ``citation``.

networkx is imported only when :func:`graph` is called.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import (
    DataError,
    MissingDependencyError,
    Package,
    SourceLike,
    open_package,
)
from surveillance_ties.datapackage.model import RECORD_FIELD, RECORD_ID, RECORD_TABLE
from surveillance_ties.loading import citation_text

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped]  # networkx ships no type information

__all__ = ["EDGE_TABLES", "KIND", "OWNERSHIP", "graph"]

ORGANIZATIONS = "organizations"
CITATIONS = "citations"
#: The field of ``organizations`` that names the owner of an organization.
OWNERSHIP = "parent_org_id"
#: The tables whose records are edges: ``(table, kind, from field, to field)``.
EDGE_TABLES = (
    ("partnerships", "partnership", "org_id", "partner_org_id"),
    ("regulatory_actions", "regulatory_action", "regulator_org_id", "target_org_id"),
)
#: The ``kind`` of each edge, by table (``organizations`` gives the ownership edges).
KIND = {ORGANIZATIONS: "ownership", **{table: kind for table, kind, _, _ in EDGE_TABLES}}


def _rows(pkg: Package, name: str) -> list[dict[str, Any]]:
    from surveillance_ties.datapackage.tables import read_table

    rows: list[dict[str, Any]] = read_table(pkg, name).to_pylist()
    return rows


def _key(pkg: Package, table: str, *fields: str) -> str:
    """The one field of ``table``'s primary key, after checking that the table has ``fields``."""
    schema = pkg.resource(table).table_schema
    missing = [f for f in fields if not schema.has(f)]
    if len(schema.primary_key) != 1 or missing:
        needs = f"the fields {', '.join(missing)}" if missing else "a primary key of one field"
        raise DataError(f"{pkg.where(pkg.resource(table).schema_file)}: st.graph() needs {needs} in {table}")
    return schema.primary_key[0]


def _citations(pkg: Package) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """``(table, record id)`` -> ``[(citation_id, field or None), ...]`` in file order."""
    out: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    if CITATIONS not in pkg.table_names:
        return out
    key = _key(pkg, CITATIONS, RECORD_TABLE, RECORD_ID)
    for row in _rows(pkg, CITATIONS):
        record = (str(row[RECORD_TABLE]), str(row[RECORD_ID]))
        out.setdefault(record, []).append((str(row[key]), row.get(RECORD_FIELD)))
    return out


def _edges(
    pkg: Package, organizations: list[dict[str, Any]], nodes: set[str]
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(from, to, key, attributes)`` of every edge: ownership, then each of :data:`EDGE_TABLES`."""
    cited = _citations(pkg)

    def endpoint(table: str, i: int, row: dict[str, Any], field: str) -> str:
        value = row[field]
        if value not in nodes:
            where = pkg.where(pkg.resource(table).path)
            shown = "empty" if value is None else repr(value)
            raise DataError(
                f"{where}: row {i + 2}: {field} is {shown}, which is not an org_id of "
                f"{ORGANIZATIONS}; run `surveillance-ties validate` to see every problem"
            )
        return str(value)

    org_key = _key(pkg, ORGANIZATIONS)
    for i, row in enumerate(organizations):
        if row.get(OWNERSHIP) is None:
            continue
        owned = str(row[org_key])
        ids = [c for c, f in cited.get((ORGANIZATIONS, owned), []) if f in (None, OWNERSHIP)]
        attrs = {"kind": KIND[ORGANIZATIONS], **row, "citations": ids}
        yield endpoint(ORGANIZATIONS, i, row, OWNERSHIP), owned, owned, attrs
    for table, kind, source, target in EDGE_TABLES:
        if table not in pkg.table_names:
            continue
        key = _key(pkg, table, source, target)
        for i, row in enumerate(_rows(pkg, table)):
            record = str(row[key])
            ids = [c for c, _ in cited.get((table, record), [])]
            attrs = {"kind": kind, **row, "citations": ids}
            yield endpoint(table, i, row, source), endpoint(table, i, row, target), record, attrs


def graph(source: SourceLike = None) -> nx.MultiDiGraph:
    """The organizations and the ties between them as a directed multigraph (networkx).

    One node per organization (key ``org_id``, the row's columns as attributes) and one edge per
    ownership (owner -> owned), partnership (provider ``org_id`` -> receiver ``partner_org_id``)
    and regulatory action (regulator -> target), keyed by its record's id, with ``kind``
    (``"ownership"``, ``"partnership"`` or ``"regulatory_action"``), every column of its row and
    ``citations`` (the ids of the citations behind it); missing values are ``None``. See
    :mod:`surveillance_ties.loading.graph` for the details. ``source`` is any copy of the
    package, as in :func:`surveillance_ties.load`.

    Raises :class:`~surveillance_ties.datapackage.errors.MissingDependencyError` without
    networkx (``pip install 'surveillance-ties[graph]'``) and
    :class:`~surveillance_ties.datapackage.errors.DataError` when an edge names an organization
    that is not in ``organizations``.
    """
    try:
        import networkx as nx
    except ImportError:
        raise MissingDependencyError(
            "st.graph() needs networkx: pip install 'surveillance-ties[graph]'"
        ) from None
    with open_package(source) as pkg:
        g = nx.MultiDiGraph(name=pkg.name, version=pkg.version, citation=citation_text(pkg.descriptor))
        key = _key(pkg, ORGANIZATIONS)
        organizations = _rows(pkg, ORGANIZATIONS)
        for row in organizations:
            g.add_node(str(row[key]), **row)
        for u, v, k, attrs in _edges(pkg, organizations, set(g.nodes)):
            if g.has_edge(u, v, key=k):  # two records of one id between the same pair
                raise DataError(
                    f"{pkg.label}: two edges from {u!r} to {v!r} have the key {k!r}; "
                    "run `surveillance-ties validate` to see every problem"
                )
            g.add_edge(u, v, key=k, **attrs)
    return g
