"""``diff`` (issue 5): rows, schema and metadata changes between two copies of the package.

Rows are matched by primary key and compared column by column, as the exact text of the CSV; a
table without a usable key (none, or one that repeats) is compared as a multiset of rows.
"""

from __future__ import annotations

import csv
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.curation import rehash
from surveillance_ties.datapackage import MissingFileError, PackageError, open_package
from surveillance_ties.datapackage.revisions import release_tags
from surveillance_ties.release.build import write_zip, zip_entries
from surveillance_ties.release.diff import (
    CellChange,
    PackageDiff,
    RowChange,
    SchemaChange,
    TableDiff,
    diff,
    diff_sources,
)
from surveillance_ties.release.diff_render import render, render_json, render_markdown, render_text

from .conftest import FIXTURE, descriptor, read_rows
from .release_fixtures import (
    copy_package,
    edit_descriptor,
    edit_schema,
    edit_table,
    field,
    git,
    git_repo,
    make_package,
    read_csv,
    row,
    strings,
    write_csv,
)

ACME = ["acme", "Acme", "", "company", "", "", "A company that makes cameras.", "", "https://acme.example"]
TAGS_SCHEMA = {
    "fields": [
        {"name": "tag_id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "label", "type": "string"},
    ],
    "primaryKey": ["tag_id"],
}


def diff_folders(old: Path, new: Path, **labels: str) -> PackageDiff:
    """The diff of two package folders, opened through the package layer."""
    with open_package(old) as old_pkg, open_package(new) as new_pkg:
        return diff(old_pkg, new_pkg, **labels)


def as_dict(header: list[str], values: list[str]) -> dict[str, str]:
    return dict(zip(header, values, strict=True))


def make_new(new: Path) -> None:
    """The hand-made changes: every kind of row, schema, resource and metadata change."""

    def organizations(rows: list[list[str]]) -> None:
        rows[0][rows[0].index("notes")] = "remarks"
        for r in rows:
            r.append("website" if r is rows[0] else "")
        row(rows, "amazon")[1] = "Amazon.com"
        rows.remove(row(rows, "axon"))
        rows.append(ACME)

    edit_table(new, "organizations", organizations)

    def organizations_schema(s: dict[str, Any]) -> None:
        field(s, "notes")["name"] = "remarks"
        s["fields"].append({"name": "website", "type": "string"})
        field(s, "country")["constraints"]["pattern"] = "^[A-Z]{2,3}$"
        del field(s, "description")["constraints"]["required"]

    edit_schema(new, "organizations", organizations_schema)
    edit_table(
        new,
        "partnerships",
        lambda rows: row(rows, "flock-safety-ice-network-access").__setitem__(8, "No date."),
    )
    edit_schema(new, "partnerships", lambda s: field(s, "status")["constraints"]["enum"].remove("reported"))

    def actions_schema(s: dict[str, Any]) -> None:
        field(s, "amount")["type"] = "integer"
        field(s, "amount")["constraints"]["minimum"] = 1

    edit_schema(new, "regulatory_actions", actions_schema)

    def features(rows: list[list[str]]) -> None:
        for r in rows:
            r[5], r[6] = r[6], r[5]

    edit_table(new, "features", features)

    def features_schema(s: dict[str, Any]) -> None:
        s["fields"][5], s["fields"][6] = s["fields"][6], s["fields"][5]
        field(s, "category")["constraints"]["enum"].append("license_plate_reading")

    edit_schema(new, "features", features_schema)

    def sources_schema(s: dict[str, Any]) -> None:
        field(s, "title")["description"] = "The source's own title."
        s["foreignKeys"] = []

    edit_schema(new, "sources", sources_schema)
    (new / "data" / "citations.csv").unlink()
    (new / "schemas" / "citations.schema.json").unlink()
    write_csv(
        new / "data" / "tags.csv", [["tag_id", "label"], ["alpr", "License plate readers"], ["ice", "ICE"]]
    )
    (new / "schemas" / "tags.schema.json").write_text(json.dumps(TAGS_SCHEMA), encoding="utf-8")

    def descriptor(d: dict[str, Any]) -> None:
        d["title"] = "Surveillance ties"
        d["keywords"].append("license plates")
        d["version"] = "1.0.0"
        d["resources"] = [r for r in d["resources"] if r["name"] != "citations"]
        d["resources"].append(
            {"name": "tags", "type": "table", "path": "data/tags.csv", "schema": "schemas/tags.schema.json"}
        )
        d["resources"][0]["description"] = "Companies and government bodies."

    edit_descriptor(new, descriptor)
    rehash(new)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("pair")
    old, new = copy_package(base / "old"), copy_package(base / "new")
    make_new(new)
    return old, new


def test_hand_made_pair_rows(pair: tuple[Path, Path]) -> None:
    old, new = pair
    result = diff_folders(old, new)
    tables = {t.name: t for t in result.tables}
    assert [(t.name, t.status) for t in result.tables] == [
        ("organizations", "changed"),
        ("partnerships", "changed"),
        ("features", "changed"),
        ("regulatory_actions", "changed"),
        ("sources", "changed"),
        ("tags", "added"),
        ("citations", "removed"),
    ]
    assert result.resources_added == ["tags"] and result.resources_removed == ["citations"]
    old_orgs = read_csv(old / "data" / "organizations.csv")
    new_orgs = read_csv(new / "data" / "organizations.csv")
    orgs = tables["organizations"]
    assert (orgs.rows_old, orgs.rows_new, orgs.primary_key) == (10, 10, ["org_id"])
    assert orgs.added == [as_dict(new_orgs[0], ACME)]
    assert orgs.removed == [as_dict(old_orgs[0], row(old_orgs, "axon"))]
    assert orgs.removed[0]["name"] == "Axon"
    assert orgs.changed == [RowChange({"org_id": "amazon"}, [CellChange("name", "Amazon", "Amazon.com")])]
    ties = tables["partnerships"]
    old_notes = row(read_csv(old / "data" / "partnerships.csv"), "flock-safety-ice-network-access")[8]
    assert old_notes == "No date is given for the access."
    assert (ties.added, ties.removed) == ([], [])
    assert ties.changed == [
        RowChange(
            {"partnership_id": "flock-safety-ice-network-access"},
            [CellChange("notes", old_notes, "No date.")],
        )
    ]
    for name in ("features", "regulatory_actions", "sources"):  # schema changes only; same values
        assert (tables[name].added, tables[name].removed, tables[name].changed) == ([], [], [])
    assert (tables["tags"].rows_new, tables["tags"].primary_key) == (2, ["tag_id"])
    assert (tables["citations"].rows_old, tables["citations"].rows_new) == (39, 0)


def test_hand_made_pair_schema_and_metadata(pair: tuple[Path, Path]) -> None:
    old, new = pair
    result = diff_folders(old, new)
    tables = {t.name: t for t in result.tables}
    old_schema = json.loads((old / "schemas" / "features.schema.json").read_text())
    names = [f["name"] for f in old_schema["fields"]]
    swapped = names[:5] + [names[6], names[5]] + names[7:]
    enum = field(old_schema, "category")["constraints"]["enum"]
    old_status = field(json.loads((old / "schemas" / "partnerships.schema.json").read_text()), "status")
    assert tables["organizations"].schema == [
        SchemaChange("field-renamed", "remarks", "notes", "remarks"),
        SchemaChange("field-added", "website", new={"type": "string", "position": 9}),
        SchemaChange("constraint-tightened", "country", "^[A-Z]{2}$", "^[A-Z]{2,3}$", "pattern"),
        SchemaChange("constraint-loosened", "description", True, None, "required"),
    ]
    assert tables["partnerships"].schema == [
        SchemaChange(
            "constraint-tightened",
            "status",
            old_status["constraints"]["enum"],
            [v for v in old_status["constraints"]["enum"] if v != "reported"],
            "enum",
        )
    ]
    assert tables["regulatory_actions"].schema == [
        SchemaChange("type-changed", "amount", "number", "integer"),
        SchemaChange("constraint-tightened", "amount", 0, 1, "minimum"),
    ]
    assert tables["features"].schema == [
        SchemaChange("fields-reordered", None, names, swapped),
        SchemaChange("constraint-loosened", "category", enum, [*enum, "license_plate_reading"], "enum"),
    ]
    title_before = field(json.loads((old / "schemas" / "sources.schema.json").read_text()), "title")[
        "description"
    ]
    assert tables["sources"].schema == [
        SchemaChange(
            "field-metadata-changed", "title", title_before, "The source's own title.", "description"
        ),
        SchemaChange(
            "foreign-key-removed",
            "cited_by",
            old={"fields": ["cited_by"], "reference": {"resource": "sources", "fields": ["source_id"]}},
        ),
    ]
    assert [(m.key, m.change, m.new) for m in tables["organizations"].metadata] == [
        ("description", "changed", "Companies and government bodies.")
    ]
    assert all(not tables[n].metadata for n in ("partnerships", "features", "regulatory_actions", "sources"))
    assert [(m.key, m.change, m.old, m.new) for m in result.metadata] == [
        (
            "keywords",
            "changed",
            descriptor(old)["keywords"],
            [*descriptor(old)["keywords"], "license plates"],
        ),
        ("title", "changed", "Surveillance Ties", "Surveillance ties"),
        ("version", "changed", "0.1.0", "1.0.0"),
    ]


def test_identical_copies_have_no_changes(tmp_path: Path) -> None:
    result = diff_folders(
        copy_package(tmp_path / "a"), copy_package(tmp_path / "b"), old_label="a", new_label="b"
    )
    assert result.is_empty
    assert [t.status for t in result.tables] == ["unchanged"] * 6
    assert render_text(result) == "a (0.1.0) -> b (0.1.0)\nno changes\n"


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    edit_table(new, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon | Inc"))
    edit_table(new, "features", lambda rows: rows.remove(row(rows, "clearview-ai-facial-recognition")))
    edit_schema(new, "organizations", lambda s: field(s, "country")["constraints"].update(required=True))
    return old, new


def test_render_text_and_markdown_exactly(small: tuple[Path, Path]) -> None:
    result = diff_folders(*small, old_label="v0.1.0", new_label="HEAD")
    assert render_text(result) == (
        "v0.1.0 (0.1.0) -> HEAD (0.1.0)\n"
        "organizations: 0 rows added, 0 removed, 1 changed; 1 schema change\n"
        "  schema: field country: constraint required tightened (null -> true)\n"
        '  ~ org_id=amazon: name: "Amazon" -> "Amazon | Inc"\n'
        "features: 0 rows added, 1 removed, 0 changed\n"
        "  - feature_id=clearview-ai-facial-recognition\n"
    )
    assert render_markdown(result) == (
        "### Data changes: `v0.1.0` (0.1.0) → `HEAD` (0.1.0)\n"
        "\n"
        "| table | status | rows added | rows removed | rows changed | schema changes |\n"
        "|---|---|---:|---:|---:|---:|\n"
        "| `organizations` | changed | 0 | 0 | 1 | 1 |\n"
        "| `features` | changed | 0 | 1 | 0 | 0 |\n"
        "\n"
        "Unchanged: `partnerships`, `regulatory_actions`, `sources`, `citations`.\n"
        "\n"
        "<details>\n"
        "<summary><code>organizations</code>: 0 rows added, 0 removed, 1 changed; 1 schema change</summary>\n"
        "\n"
        "- schema: field country: constraint required tightened (null -> true)\n"
        "\n"
        "**Rows changed**\n"
        "\n"
        "| row | field | old | new |\n"
        "|---|---|---|---|\n"
        "| `org_id=amazon` | `name` | `Amazon` | `Amazon \\| Inc` |\n"
        "\n"
        "</details>\n"
        "\n"
        "<details>\n"
        "<summary><code>features</code>: 0 rows added, 1 removed, 0 changed</summary>\n"
        "\n"
        "**Rows removed**\n"
        "\n"
        "- `feature_id=clearview-ai-facial-recognition`\n"
        "\n"
        "</details>\n"
        "\n"
    )
    assert json.loads(render_json(result)) == result.to_dict()
    assert render(result, "json") == render_json(result)


def test_json_writes_one_row_per_line_whatever_its_cells_hold() -> None:
    # a NUL, a comma before a brace, a newline and a quote in cells; a schema change with a dict value
    table = TableDiff("t", "changed", primary_key=["id"], rows_old=2, rows_new=2)
    table.added = [{"id": "a,\x00{b", "note": '},{"x'}, {"id": "c", "note": "line\nbreak"}]
    table.changed = [RowChange({"id": "d"}, [CellChange("note", "", "é, {}")])]
    table.schema = [SchemaChange("foreign-key-added", "id", new={"fields": ["id"]})]
    result = PackageDiff("old", "new", "0.1.0", "0.1.1", tables=[table])
    assert render_json(result) == (
        "{\n"
        '  "old": "old",\n'
        '  "new": "new",\n'
        '  "old_version": "0.1.0",\n'
        '  "new_version": "0.1.1",\n'
        '  "metadata": [],\n'
        '  "tables": [\n'
        "    {\n"
        '      "name": "t",\n'
        '      "status": "changed",\n'
        '      "old_name": null,\n'
        '      "primary_key": ["id"],\n'
        '      "rows_old": 2,\n'
        '      "rows_new": 2,\n'
        '      "added": [\n'
        '        {"id": "a,\\u0000{b", "note": "},{\\"x"},\n'
        '        {"id": "c", "note": "line\\nbreak"}\n'
        "      ],\n"
        '      "removed": [],\n'
        '      "changed": [\n'
        "        {\n"
        '          "key": {"id": "d"},\n'
        '          "cells": [\n'
        '            {"field": "note", "old": "", "new": "é, {}"}\n'
        "          ]\n"
        "        }\n"
        "      ],\n"
        '      "schema": [\n'
        "        {\n"
        '          "kind": "foreign-key-added",\n'
        '          "field": "id",\n'
        '          "old": null,\n'
        '          "new": {\n'
        '            "fields": ["id"]\n'
        "          },\n"
        '          "detail": null\n'
        "        }\n"
        "      ],\n"
        '      "metadata": []\n'
        "    }\n"
        "  ],\n"
        '  "resources_added": [],\n'
        '  "resources_removed": [],\n'
        '  "resources_renamed": []\n'
        "}\n"
    )
    assert json.loads(render_json(result)) == result.to_dict()


def test_markdown_caps_long_lists(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    edit_table(new, "citations", lambda rows: [r.__setitem__(5, r[5] + ".") for r in rows[1:]])
    text = render_markdown(diff_folders(old, new), max_rows=3)
    assert text.count("| `citation_id=") == 3
    assert "| … and 36 more rows | | | |" in text


def test_rename_heuristic_needs_same_position_and_type(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")

    def schema(s: dict[str, Any]) -> None:
        field(s, "amount").update(name="sum", type="integer")

    edit_schema(new, "regulatory_actions", schema)
    edit_table(new, "regulatory_actions", lambda rows: rows[0].__setitem__(5, "sum"))
    (table,) = [t for t in diff_folders(old, new).tables if t.name == "regulatory_actions"]
    assert [(s.kind, s.field) for s in table.schema] == [("field-removed", "amount"), ("field-added", "sum")]
    assert table.changed == []


def test_table_without_primary_key_compares_rows_as_a_multiset(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    for root in (old, new):
        edit_schema(root, "organizations", lambda s: s.pop("primaryKey"))
    edit_table(new, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon.com"))
    (table,) = [t for t in diff_folders(old, new).tables if t.name == "organizations"]
    assert table.primary_key == [] and table.changed == []
    assert [(r["org_id"], r["name"]) for r in table.added] == [("amazon", "Amazon.com")]
    assert [(r["org_id"], r["name"]) for r in table.removed] == [("amazon", "Amazon")]


def one_table(root: Path, fields: list[dict[str, Any]], key: list[str], rows: list[list[str]]) -> Path:
    return make_package(root, {"ties": (fields, key, rows)})


def ties(result: PackageDiff) -> TableDiff:
    (table,) = result.tables
    assert table.name == "ties"
    return table


def test_composite_key_matches_rows_on_every_key_field(tmp_path: Path) -> None:
    fields = strings("a", "b", "kind", "note")
    header = ["a", "b", "kind", "note"]
    old = one_table(tmp_path / "old", fields, ["a", "b"], [
        header,
        ["x", "y", "k1", "n1"],
        ["x", "z", "k1", "n2"],
        ["y", "x", "k2", "n3"],
        ["w", "w", "k3", ""],
        ["p,q", "r", "k1", "joined"],
    ])  # fmt: skip
    new = one_table(tmp_path / "new", fields, ["a", "b"], [
        header,
        ["w", "w", "k4", ""],  # the order of the rows does not matter
        ["y", "x", "k2", "n3"],
        ["x", "y", "k1", "N1"],
        ["x", "w", "k1", "n4"],  # shares x with two old keys and w with another: a new row
        ["p", "q,r", "k1", "joined"],  # the same text joined with a comma, another key
    ])  # fmt: skip
    table = ties(diff_folders(old, new, old_label="old", new_label="new"))
    assert (table.status, table.primary_key, table.rows_old, table.rows_new) == ("changed", ["a", "b"], 5, 5)
    assert table.changed == [
        RowChange({"a": "w", "b": "w"}, [CellChange("kind", "k3", "k4")]),
        RowChange({"a": "x", "b": "y"}, [CellChange("note", "n1", "N1")]),
    ]
    assert table.added == [
        {"a": "x", "b": "w", "kind": "k1", "note": "n4"},
        {"a": "p", "b": "q,r", "kind": "k1", "note": "joined"},
    ]
    assert table.removed == [
        {"a": "x", "b": "z", "kind": "k1", "note": "n2"},
        {"a": "p,q", "b": "r", "kind": "k1", "note": "joined"},
    ]
    assert render_text(diff_folders(old, new, old_label="old", new_label="new")) == (
        "old (0.1.0) -> new (0.1.0)\n"
        "ties: 2 rows added, 2 removed, 2 changed\n"
        '  + a=x, b=w: kind="k1"; note="n4"\n'
        '  + a=p, b=q,r: kind="k1"; note="joined"\n'
        "  - a=x, b=z\n"
        "  - a=p,q, b=r\n"
        '  ~ a=w, b=w: kind: "k3" -> "k4"\n'
        '  ~ a=x, b=y: note: "n1" -> "N1"\n'
    )


@pytest.mark.parametrize("where", ["old", "new", "both"])
def test_a_repeated_key_is_compared_as_a_multiset(tmp_path: Path, where: str) -> None:
    fields = strings("id", "label")
    unique_old = [["id", "label"], ["1", "a"], ["2", "b"]]
    repeated_old = [["id", "label"], ["1", "a"], ["1", "a"], ["2", "b"]]
    unique_new = [["id", "label"], ["1", "A"], ["2", "b"], ["3", "c"]]
    repeated_new = [["id", "label"], ["1", "A"], ["2", "b"], ["2", "b"], ["3", "c"]]
    old_rows = repeated_old if where in ("old", "both") else unique_old
    new_rows = repeated_new if where in ("new", "both") else unique_new
    old = one_table(tmp_path / "old", fields, ["id"], old_rows)
    new = one_table(tmp_path / "new", fields, ["id"], new_rows)
    table = ties(diff_folders(old, new))
    assert (table.primary_key, table.changed) == ([], [])  # no key to match rows by: no "changed" row
    removed = [{"id": "1", "label": "a"}] * (2 if where in ("old", "both") else 1)
    added = [{"id": "1", "label": "A"}]
    added += [{"id": "2", "label": "b"}] if where in ("new", "both") else []  # an extra copy is added
    added += [{"id": "3", "label": "c"}]
    assert (table.removed, table.added) == (removed, added)
    assert (table.rows_old, table.rows_new) == (len(old_rows) - 1, len(new_rows) - 1)


def test_copies_of_a_row_without_a_key_count(tmp_path: Path) -> None:
    fields = strings("id", "label")
    rows = [["id", "label"], ["1", "a"], ["1", "a"], ["1", "a"], ["2", "b"]]
    old = one_table(tmp_path / "old", fields, [], rows)
    new = one_table(tmp_path / "new", fields, [], [rows[0], rows[4], rows[1], ["2", "b"]])
    table = ties(diff_folders(old, new))
    assert (table.removed, table.added, table.changed) == (
        [{"id": "1", "label": "a"}, {"id": "1", "label": "a"}],  # two of the three copies
        [{"id": "2", "label": "b"}],
        [],
    )
    assert render_text(diff_folders(old, new, old_label="old", new_label="new")) == (
        "old (0.1.0) -> new (0.1.0)\n"
        "ties: 1 row added, 2 removed, 0 changed\n"
        "  + id=2, label=b\n"  # without a key a row is named by all its cells
        "  - id=1, label=a\n"
        "  - id=1, label=a\n"
    )
    same = ties(diff_folders(old, one_table(tmp_path / "shuffled", fields, [], [rows[0], *rows[:0:-1]])))
    assert (same.status, same.added, same.removed) == ("unchanged", [], [])  # order alone is no change


def test_renamed_fields_are_compared_under_their_new_names(tmp_path: Path) -> None:
    old = one_table(tmp_path / "old", strings("id", "name", "notes"), ["id"], [
        ["id", "name", "notes"], ["1", "A", ""], ["2", "B", "b"], ["3", "C", ""],
    ])  # fmt: skip
    new = one_table(tmp_path / "new", strings("key", "title", "notes"), ["key"], [
        ["key", "title", "notes"], ["1", "A2", ""], ["2", "B", "bb"], ["4", "D", ""],
    ])  # fmt: skip
    table = ties(diff_folders(old, new))
    assert table.schema == [
        SchemaChange("field-renamed", "key", "id", "key"),
        SchemaChange("field-renamed", "title", "name", "title"),
    ]  # the key renamed with its field is no primary-key change
    assert table.primary_key == ["key"]
    assert table.changed == [
        RowChange({"key": "1"}, [CellChange("title", "A", "A2")]),
        RowChange({"key": "2"}, [CellChange("notes", "b", "bb")]),
    ]
    assert (table.removed, table.added) == (
        [{"id": "3", "name": "C", "notes": ""}],  # a removed row keeps its old field names
        [{"key": "4", "title": "D", "notes": ""}],
    )


def test_only_the_fields_both_versions_have_are_compared(tmp_path: Path) -> None:
    fields = [*strings("id", "name"), {"name": "extra", "type": "integer"}]
    old = one_table(tmp_path / "old", fields, ["id"], [
        ["id", "name", "extra"], ["1", "A", "7"], ["2", "B", "8"],
    ])  # fmt: skip
    new = one_table(tmp_path / "new", strings("id", "name", "website"), ["id"], [
        ["id", "name", "website"], ["1", "A", "https://a.example"], ["2", "B2", ""],
    ])  # fmt: skip
    table = ties(diff_folders(old, new))
    assert [(s.kind, s.field) for s in table.schema] == [
        ("field-removed", "extra"),
        ("field-added", "website"),
    ]
    assert table.changed == [RowChange({"id": "2"}, [CellChange("name", "B", "B2")])]
    assert (table.added, table.removed) == ([], [])


def test_every_row_changed(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    before = read_rows("organizations", old)

    def edit(rows: list[list[str]]) -> None:
        for r in rows[1:]:
            r[1] += " (edited)"
            r[7] = "new notes" if r[7] == "" else ""

    edit_table(new, "organizations", edit)
    (table,) = [t for t in diff_folders(old, new).tables if not t.is_empty]
    assert table.name == "organizations" and (table.added, table.removed) == ([], [])
    assert table.changed == [
        RowChange(
            {"org_id": r["org_id"]},
            [
                CellChange("name", r["name"], r["name"] + " (edited)"),
                CellChange("notes", r["notes"], "new notes" if r["notes"] == "" else ""),
            ],
        )
        for r in before
    ]
    assert len(table.changed) == table.rows_old == table.rows_new == len(before)


def test_every_row_replaced(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    edit_table(new, "organizations", lambda rows: [r.__setitem__(0, "x-" + r[0]) for r in rows[1:]])
    before = read_rows("organizations", old)
    (table,) = [t for t in diff_folders(old, new).tables if not t.is_empty]
    assert table.changed == []
    assert table.removed == before
    assert table.added == [{**r, "org_id": "x-" + r["org_id"]} for r in before]
    assert (table.rows_old, table.rows_new) == (len(before), len(before))


def test_cells_are_compared_as_text_not_as_bytes(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    path = new / "data" / "organizations.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:  # every cell quoted: other bytes, same text
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
            read_csv(old / "data" / "organizations.csv")
        )
    rehash(new)
    assert path.read_bytes() != (old / "data" / "organizations.csv").read_bytes()
    assert diff_folders(old, new).is_empty
    edit_table(new, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon "))
    (table,) = [t for t in diff_folders(old, new).tables if not t.is_empty]
    assert table.changed == [RowChange({"org_id": "amazon"}, [CellChange("name", "Amazon", "Amazon ")])]


def test_release_zip_input_equals_its_folder(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    archive = tmp_path / "new.zip"
    with open_package(new) as pkg:
        write_zip(zip_entries(pkg), archive)
    from_zip = diff_sources(str(old), str(archive))
    assert (from_zip.old, from_zip.new) == (str(old), str(archive))
    assert {**from_zip.to_dict(), "new": "x"} == {
        **diff_folders(old, new, old_label=str(old)).to_dict(),
        "new": "x",
    }
    assert (
        diff_sources(str(old / "datapackage.json"), str(new)).to_dict()["tables"]
        == diff_folders(old, new).to_dict()["tables"]
    )


def test_git_revisions(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    edit_table(repo, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon.com"))
    git(repo, "commit", "-qam", "rename amazon")
    expected = [RowChange({"org_id": "amazon"}, [CellChange("name", "Amazon", "Amazon.com")])]
    for old, new in (("v0.1.0", "HEAD"), ("HEAD~1", str(repo)), ("HEAD~1", "main")):
        result = diff_sources(old, new, base=repo)
        assert [(t.name, t.changed) for t in result.tables if not t.is_empty] == [("organizations", expected)]
    edit_table(
        repo, "organizations", lambda rows: row(rows, "ring").__setitem__(1, "Ring LLC")
    )  # uncommitted
    (table,) = [t for t in diff_sources("HEAD", str(repo), base=repo).tables if not t.is_empty]
    assert table.changed == [RowChange({"org_id": "ring"}, [CellChange("name", "Ring", "Ring LLC")])]
    assert release_tags(repo) == [((0, 1, 0), "v0.1.0")]


def test_git_revision_of_a_package_in_a_subfolder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    package = copy_package(repo / "pkg")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    edit_table(package, "organizations", lambda rows: rows.append(ACME[:8]))
    git(repo, "commit", "-qam", "two")
    result = diff_sources("HEAD~1", "HEAD", base=package)
    (table,) = [t for t in result.tables if not t.is_empty]
    assert [r["org_id"] for r in table.added] == ["acme"]
    assert (result.old, result.new) == ("HEAD~1", "HEAD")
    with open_package("HEAD~1", revisions=True, base=package) as pkg:  # read blob by blob, from pkg/
        assert pkg.label == "git revision HEAD~1"
        assert pkg.read_bytes("datapackage.json") == (FIXTURE / "datapackage.json").read_bytes()
        assert pkg.store.walk("seeds") == (
            [p.relative_to(package).as_posix() for p in (package / "seeds").iterdir()],
            [],
        )


def test_a_table_linked_out_of_the_package_is_refused(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    outside = tmp_path / "outside.csv"
    table = new / "data" / "organizations.csv"
    outside.write_bytes(table.read_bytes() + b"secret-row,SECRET-NAME,,company,,,x,\n")
    table.unlink()
    table.symlink_to(outside)
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {new / 'datapackage.json'}: resource 'organizations': 'data/organizations.csv' points "
        "outside the package; fix it (`surveillance-ties validate` lists every problem)\n",
    )
    assert "SECRET" not in result.output


def test_unreadable_sources_are_named(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    with pytest.raises(PackageError) as excinfo:
        diff_sources("no-such-thing", str(package), base=tmp_path)
    assert str(excinfo.value) == (
        "no-such-thing: no such file, folder or git revision; give a package folder, its datapackage.json, "
        "a release zip, or an https:// URL of one or a revision such as HEAD~1 or v0.1.0"
    )
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackageError) as excinfo:
        diff_sources(str(tmp_path / "empty"), str(package))
    assert str(excinfo.value).startswith(f"{tmp_path / 'empty'}: this folder has no datapackage.json; ")
    (tmp_path / "bad.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    with pytest.raises(MissingFileError) as excinfo:
        diff_sources(str(package), str(tmp_path / "bad.zip"))
    assert str(excinfo.value) == (
        f"{tmp_path / 'bad.zip'}: holds no datapackage.json at its top level or in one top-level folder; "
        "give a release zip of the package"
    )


def test_cli_diff_formats_and_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo")
    edit_table(repo, "features", lambda rows: rows.remove(row(rows, "clearview-ai-facial-recognition")))
    git(repo, "commit", "-qam", "drop a feature")
    monkeypatch.chdir(repo)
    runner = CliRunner()
    result = runner.invoke(main, ["diff", "v0.1.0", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == diff_sources("v0.1.0", "HEAD", base=repo).to_dict()
    (table,) = [t for t in data["tables"] if t["status"] != "unchanged"]
    assert (table["name"], [r["feature_id"] for r in table["removed"]]) == (
        "features",
        ["clearview-ai-facial-recognition"],
    )
    text = runner.invoke(main, ["diff", "v0.1.0"])  # NEW defaults to the package around the current folder
    assert (text.exit_code, text.output) == (
        0,
        f"v0.1.0 (0.1.0) -> {repo} (0.1.0)\n"
        "features: 0 rows added, 1 removed, 0 changed\n"
        "  - feature_id=clearview-ai-facial-recognition\n",
    )
    markdown = runner.invoke(main, ["diff", "v0.1.0", "HEAD", "--format", "markdown"])
    assert markdown.exit_code == 0
    assert markdown.output == render_markdown(diff_sources("v0.1.0", "HEAD", base=repo))
    assert markdown.output.startswith("### Data changes: `v0.1.0` (0.1.0) → `HEAD` (0.1.0)\n")
    missing = runner.invoke(main, ["diff", "v9.9.9", "HEAD"])
    assert (missing.exit_code, missing.output) == (
        2,
        "Error: v9.9.9: no such file, folder or git revision; give a package folder, its datapackage.json, "
        "a release zip, or an https:// URL of one or a revision such as HEAD~1 or v0.1.0\n",
    )
    bad = runner.invoke(main, ["diff", "v0.1.0", "HEAD", "--format", "xml"])
    assert bad.exit_code == 2
    assert "Invalid value for '--format': 'xml' is not one of 'text', 'json', 'markdown'." in bad.output


def test_cli_diff_from_a_folder_inside_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A revision names the package around the current folder, as NEW does (and ``release`` does)."""
    repo = git_repo(tmp_path / "repo")
    edit_table(repo, "features", lambda rows: rows.remove(row(rows, "clearview-ai-facial-recognition")))
    git(repo, "commit", "-qam", "drop a feature")
    monkeypatch.chdir(repo / "data")
    result = CliRunner().invoke(main, ["diff", "v0.1.0", "HEAD"])
    assert (result.exit_code, result.output) == (
        0,
        "v0.1.0 (0.1.0) -> HEAD (0.1.0)\n"
        "features: 0 rows added, 1 removed, 0 changed\n"
        "  - feature_id=clearview-ai-facial-recognition\n",
    )


def test_tables_are_diffed_two_at_a_time_within_the_weight_budget() -> None:
    from surveillance_ties.release.diff import _two_at_a_time

    lock = threading.Lock()
    running: set[str] = set()
    seen_together: list[set[str]] = []

    def run(job: str) -> str:
        with lock:
            running.add(job)
            seen_together.append(set(running))
        time.sleep(0.05)  # long enough for the other worker to start whatever the budget lets in
        with lock:
            seen_together.append(set(running))
            running.discard(job)
        return job.upper()

    jobs, weights = ["small", "big", "bigger", "tiny"], [2, 90, 100, 1]
    assert _two_at_a_time(run, jobs, weights) == ["SMALL", "BIG", "BIGGER", "TINY"]
    # 125 of weight may be in flight: "bigger" (100) and "big" (90) never run side by side
    assert not any({"big", "bigger"} <= together for together in seen_together)
    assert sorted(set().union(*seen_together)) == ["big", "bigger", "small", "tiny"]


def test_the_first_failing_table_in_package_order_is_the_error() -> None:
    from surveillance_ties.release.diff import _two_at_a_time

    done: list[str] = []

    def run(job: str) -> str:
        if job.startswith("bad"):
            raise ValueError(job)
        done.append(job)
        return job

    with pytest.raises(ValueError) as excinfo:
        _two_at_a_time(run, ["ok-1", "bad-1", "ok-2", "bad-2"], [1, 1, 5, 9])  # bad-2 runs first
    assert str(excinfo.value) == "bad-1"
    assert sorted(done) == ["ok-1", "ok-2"]  # every job ran
