"""``st.graph()`` (issue 13, item 8): organizations as nodes; ownership, partnerships and regulatory
actions as edges keyed by their record ids, with every column and the citation ids.

The code is tested on the fixture package (exact nodes, edges and attributes); the live data only
by rules (every partnership, action and ownership is one edge between two organizations).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import surveillance_ties as st
from surveillance_ties.curation import rehash
from surveillance_ties.datapackage.errors import DataError, MissingDependencyError

from .conftest import FIXTURE, ROOT, copy_package, descriptor, read_rows

nx = pytest.importorskip("networkx")

EDGES = [
    ("amazon", "ring", "ring", "ownership"),
    ("clearview-ai", "ice", "clearview-ai-ice-technology-supply", "partnership"),
    ("flock-safety", "ice", "flock-safety-ice-network-access", "partnership"),
    ("flock-safety", "navy", "flock-safety-navy-network-access", "partnership"),
    ("flock-safety", "secret-service", "flock-safety-secret-service-network-access", "partnership"),
    ("ftc", "ring", "ftc-ring-2023-settlement", "regulatory_action"),
    ("ring", "axon", "ring-axon-footage-sharing", "partnership"),
    ("ring", "flock-safety", "ring-flock-safety-footage-sharing", "partnership"),
    ("y-combinator", "flock-safety", "y-combinator-flock-safety-affiliation", "partnership"),
]


def test_graph_of_the_fixture_has_every_organization_and_tie() -> None:
    g = st.graph(FIXTURE)
    assert isinstance(g, nx.MultiDiGraph)
    assert sorted(g.nodes) == [
        "amazon", "axon", "clearview-ai", "flock-safety", "ftc", "ice", "navy", "ring",
        "secret-service", "y-combinator",
    ]  # fmt: skip
    assert sorted((u, v, k, kind) for u, v, k, kind in g.edges(keys=True, data="kind")) == EDGES
    version = descriptor()["version"]
    assert g.graph == {
        "name": "surveillance-ties",
        "version": version,
        "citation": (
            f"The surveillance-ties contributors (2026). Surveillance Ties, version {version} [data set]. "
            "https://github.com/surveillance-ties/surveillance-ties. Licence: CC-BY-4.0."
        ),
    }


def test_a_node_holds_its_row_with_none_for_empty_cells() -> None:
    g = st.graph(FIXTURE)
    assert g.nodes["ring"] == {
        "org_id": "ring",
        "name": "Ring",
        "aliases": None,
        "org_type": "company",
        "parent_org_id": "amazon",
        "country": None,
        "description": "Home security company owned by Amazon whose products include video doorbells.",
        "notes": None,
    }
    rows = {r["org_id"]: r for r in read_rows("organizations")}
    for org_id, attrs in g.nodes(data=True):
        assert attrs == {k: v or None for k, v in rows[org_id].items()}


def test_a_partnership_edge_holds_its_row_and_citations() -> None:
    g = st.graph(FIXTURE)
    key = "ring-flock-safety-footage-sharing"
    row = next(r for r in read_rows("partnerships") if r["partnership_id"] == key)
    assert g.edges["ring", "flock-safety", "ring-flock-safety-footage-sharing"] == {
        "kind": "partnership",
        "partnership_id": "ring-flock-safety-footage-sharing",
        "org_id": "ring",
        "partner_org_id": "flock-safety",
        "relationship_type": "footage_sharing",
        "status": "cancelled",
        "announced": "2025-10-16",
        "ended": "2026-02-12",
        "description": row["description"],
        "notes": row["notes"],
        "citations": [f"ring-flock-safety-footage-sharing-{i}" for i in range(1, 7)],
    }


def test_a_regulatory_action_edge_is_typed_from_its_schema() -> None:
    g = st.graph(FIXTURE)
    attrs = g.edges["ftc", "ring", "ftc-ring-2023-settlement"]
    assert attrs["kind"] == "regulatory_action"
    assert attrs["amount"] == 5800000.0 and isinstance(attrs["amount"], float)
    assert (attrs["action_type"], attrs["currency"]) == ("settlement", "USD")
    assert attrs["citations"] == ["ftc-ring-2023-settlement-1", "ftc-ring-2023-settlement-2"]


def test_an_ownership_edge_is_cited_by_the_quotes_behind_parent_org_id_or_the_whole_record() -> None:
    g = st.graph(FIXTURE)
    attrs = g.edges["amazon", "ring", "ring"]
    # ring-2 backs the description, not the parent
    assert attrs == {"kind": "ownership", **g.nodes["ring"], "citations": ["ring-1"]}
    cited = [r["citation_id"] for r in read_rows("citations") if r["record_id"] == "ring"]
    assert cited == ["ring-1", "ring-2"]


def test_every_edge_carries_every_citation_of_its_record() -> None:
    g = st.graph(FIXTURE)
    tables = {"partnership": "partnerships", "regulatory_action": "regulatory_actions"}
    for _, _, key, attrs in g.edges(keys=True, data=True):
        if attrs["kind"] in tables:
            expected = [
                r["citation_id"]
                for r in read_rows("citations")
                if (r["record_table"], r["record_id"]) == (tables[attrs["kind"]], key)
            ]
            assert expected != [] and attrs["citations"] == expected


def _edit(pkg: Path, table: str, old: str, new: str) -> None:
    path = pkg / "data" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    rehash(pkg)


def test_an_edge_to_an_unknown_organization_is_a_data_error(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    _edit(pkg, "partnerships", "ring,axon,footage_sharing", "ring,nobody,footage_sharing")
    with pytest.raises(DataError) as info:
        st.graph(pkg)
    assert str(info.value) == (
        f"{pkg / 'data' / 'partnerships.csv'}: row 6: partner_org_id is 'nobody', which is not an org_id of "
        "organizations; run `surveillance-ties validate` to see every problem"
    )
    pkg = copy_package(tmp_path / "pkg2")
    _edit(pkg, "organizations", "company,amazon,", "company,amazon-inc,")
    with pytest.raises(DataError) as info:
        st.graph(pkg)
    assert str(info.value) == (
        f"{pkg / 'data' / 'organizations.csv'}: row 9: parent_org_id is 'amazon-inc', which is not an org_id "
        "of organizations; run `surveillance-ties validate` to see every problem"
    )


def test_an_empty_endpoint_or_a_table_without_a_key_is_a_data_error(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    _edit(pkg, "partnerships", "ring,axon,footage_sharing", "ring,,footage_sharing")
    with pytest.raises(DataError) as info:
        st.graph(pkg)
    assert str(info.value) == (
        f"{pkg / 'data' / 'partnerships.csv'}: row 6: partner_org_id is empty, which is not an org_id of "
        "organizations; run `surveillance-ties validate` to see every problem"
    )
    pkg = copy_package(tmp_path / "pkg2")
    path = pkg / "schemas" / "organizations.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    del schema["primaryKey"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(DataError) as info:
        st.graph(pkg)
    assert str(info.value) == f"{path}: st.graph() needs a primary key of one field in organizations"


def test_a_repeated_record_id_is_a_data_error_not_a_lost_edge(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "data" / "regulatory_actions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[1]]), encoding="utf-8")
    rehash(pkg)
    with pytest.raises(DataError) as info:
        st.graph(pkg)
    assert str(info.value) == (
        f"{pkg}: two edges from 'ftc' to 'ring' have the key 'ftc-ring-2023-settlement'; "
        "run `surveillance-ties validate` to see every problem"
    )


def test_networkx_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "networkx", None)  # makes `import networkx` fail
    with pytest.raises(MissingDependencyError) as info:
        st.graph(FIXTURE)
    assert str(info.value) == "st.graph() needs networkx: pip install 'surveillance-ties[graph]'"
    assert info.value.exit_code == 2


def test_the_public_names_load_neither_networkx_nor_pandera() -> None:
    script = (
        "import json, sys\nimport surveillance_ties as st\nst.graph, st.pandera_schema\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    heavy = {"networkx", "pandera", "pandas", "pyarrow", "numpy", "polars", "frictionless"}
    assert [m for m in json.loads(out.stdout) if m in heavy] == []
    assert {"graph", "pandera_schema"} <= set(dir(st))


@pytest.mark.live_data
def test_live_graph_has_every_tie_between_organizations() -> None:
    g = st.graph(ROOT)
    orgs = read_rows("organizations", ROOT)
    assert set(g.nodes) == {r["org_id"] for r in orgs}
    expected = {
        (r["parent_org_id"], r["org_id"], r["org_id"], "ownership") for r in orgs if r["parent_org_id"]
    }
    expected |= {
        (r["org_id"], r["partner_org_id"], r["partnership_id"], "partnership")
        for r in read_rows("partnerships", ROOT)
    }
    expected |= {
        (r["regulator_org_id"], r["target_org_id"], r["action_id"], "regulatory_action")
        for r in read_rows("regulatory_actions", ROOT)
    }
    edges = [(u, v, k, kind) for u, v, k, kind in g.edges(keys=True, data="kind")]
    assert len(edges) == len(set(edges)) and set(edges) == expected
    citations = read_rows("citations", ROOT)
    for u, v, k, attrs in g.edges(keys=True, data=True):
        assert u in g.nodes and v in g.nodes
        table = {"partnership": "partnerships", "regulatory_action": "regulatory_actions"}.get(attrs["kind"])
        if table is not None:  # every record is cited (the validator's uncited-record rule)
            assert attrs["citations"] == [
                r["citation_id"] for r in citations if (r["record_table"], r["record_id"]) == (table, k)
            ]
            assert attrs["citations"] != []
