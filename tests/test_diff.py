"""``diff`` (issue 5): rows, schema and metadata changes between two copies of the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from surveillance_ties.build import write_zip, zip_entries
from surveillance_ties.cli import main
from surveillance_ties.descriptor import read_descriptor, rehash
from surveillance_ties.diff import CellChange, RowChange, SchemaChange, diff, diff_sources
from surveillance_ties.diff_render import render, render_json, render_markdown, render_text
from surveillance_ties.revisions import PackageSourceError, open_package, release_tags

from .release_fixtures import (
    copy_package,
    edit_descriptor,
    edit_schema,
    edit_table,
    field,
    git,
    git_repo,
    read_csv,
    row,
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
    result = diff(old, new)
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
    result = diff(old, new)
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
            read_descriptor(old)["keywords"],
            [*read_descriptor(old)["keywords"], "license plates"],
        ),
        ("title", "changed", "Surveillance Ties", "Surveillance ties"),
        ("version", "changed", "0.1.0", "1.0.0"),
    ]


def test_identical_copies_have_no_changes(tmp_path: Path) -> None:
    result = diff(copy_package(tmp_path / "a"), copy_package(tmp_path / "b"), old_label="a", new_label="b")
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
    result = diff(*small, old_label="v0.1.0", new_label="HEAD")
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


def test_markdown_caps_long_lists(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    edit_table(new, "citations", lambda rows: [r.__setitem__(5, r[5] + ".") for r in rows[1:]])
    text = render_markdown(diff(old, new), max_rows=3)
    assert text.count("| `citation_id=") == 3
    assert "| … and 36 more rows | | | |" in text


def test_rename_heuristic_needs_same_position_and_type(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")

    def schema(s: dict[str, Any]) -> None:
        field(s, "amount").update(name="sum", type="integer")

    edit_schema(new, "regulatory_actions", schema)
    edit_table(new, "regulatory_actions", lambda rows: rows[0].__setitem__(5, "sum"))
    (table,) = [t for t in diff(old, new).tables if t.name == "regulatory_actions"]
    assert [(s.kind, s.field) for s in table.schema] == [("field-removed", "amount"), ("field-added", "sum")]
    assert table.changed == []


def test_table_without_primary_key_compares_rows_as_a_multiset(tmp_path: Path) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    for root in (old, new):
        edit_schema(root, "organizations", lambda s: s.pop("primaryKey"))
    edit_table(new, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon.com"))
    (table,) = [t for t in diff(old, new).tables if t.name == "organizations"]
    assert table.primary_key == [] and table.changed == []
    assert [(r["org_id"], r["name"]) for r in table.added] == [("amazon", "Amazon.com")]
    assert [(r["org_id"], r["name"]) for r in table.removed] == [("amazon", "Amazon")]


def test_release_zip_input_equals_its_folder(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    archive = tmp_path / "new.zip"
    write_zip(zip_entries(new, read_descriptor(new)), archive)
    from_zip = diff_sources(str(old), str(archive))
    assert from_zip.new == str(archive)
    assert {**from_zip.to_dict(), "new": "x"} == {**diff(old, new, old_label=str(old)).to_dict(), "new": "x"}
    assert (
        diff_sources(str(old / "datapackage.json"), str(new)).to_dict()["tables"]
        == diff(old, new).to_dict()["tables"]
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
    with open_package("HEAD~1", package) as root:
        assert (root / "datapackage.json").is_file() and (root / "seeds").is_dir()


def test_unreadable_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(PackageSourceError) as excinfo, open_package("no-such-thing", tmp_path):
        pass
    assert str(excinfo.value) == (
        "no-such-thing: no such file, folder or git revision (give a package folder, a datapackage.json, "
        "a release zip or a revision such as HEAD~1 or v0.1.0)"
    )
    (tmp_path / "empty").mkdir()
    with (
        pytest.raises(PackageSourceError, match="no datapackage.json in this folder"),
        open_package(tmp_path / "empty"),
    ):
        pass
    (tmp_path / "bad.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    with (
        pytest.raises(PackageSourceError, match="holds no datapackage.json"),
        open_package(tmp_path / "bad.zip"),
    ):
        pass


def test_cli_diff_formats_and_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo")
    edit_table(repo, "features", lambda rows: rows.remove(row(rows, "clearview-ai-facial-recognition")))
    git(repo, "commit", "-qam", "drop a feature")
    monkeypatch.chdir(repo)
    runner = CliRunner()
    result = runner.invoke(main, ["diff", "v0.1.0", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (table,) = [t for t in data["tables"] if t["status"] != "unchanged"]
    assert (table["name"], [r["feature_id"] for r in table["removed"]]) == (
        "features",
        ["clearview-ai-facial-recognition"],
    )
    text = runner.invoke(main, ["diff", "v0.1.0"])  # NEW defaults to the current folder
    assert text.exit_code == 0
    assert text.output.splitlines()[1:] == [
        "features: 0 rows added, 1 removed, 0 changed",
        "  - feature_id=clearview-ai-facial-recognition",
    ]
    markdown = runner.invoke(main, ["diff", "v0.1.0", "HEAD", "--format", "markdown"])
    assert markdown.output.startswith("### Data changes: `v0.1.0` (0.1.0) → `HEAD` (0.1.0)\n")
    missing = runner.invoke(main, ["diff", "v9.9.9", "HEAD"])
    assert missing.exit_code == 2
    assert "v9.9.9: no such file, folder or git revision" in missing.output
    assert "Traceback" not in missing.output
    bad = runner.invoke(main, ["diff", "v0.1.0", "HEAD", "--format", "xml"])
    assert bad.exit_code == 2
