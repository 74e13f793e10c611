"""The package files (issue 2): schema/CSV agreement, file hygiene, keys, and the stock validator."""

from __future__ import annotations

import csv
import io
import json

import pytest

from surveillance_ties.descriptor import file_stats

from .conftest import DESCRIPTOR, RESOURCE_NAMES, RESOURCES, ROOT, read_rows, read_schema


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_header_equals_schema_fields_in_order(name) -> None:
    resource = next(r for r in RESOURCES if r["name"] == name)
    with open(ROOT / resource["path"], encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [f["name"] for f in read_schema(name)["fields"]]


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_csv_hygiene(name) -> None:
    resource = next(r for r in RESOURCES if r["name"] == name)
    raw = (ROOT / resource["path"]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n")
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(r) == len(rows[0]) for r in rows)
    for row in rows[1:]:
        for cell in row:
            assert cell == cell.strip(), (name, cell)
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_rows_sorted_by_primary_key(name) -> None:
    key = read_schema(name)["primaryKey"]
    keys = [tuple(r[k] for k in key) for r in read_rows(name)]
    assert keys == sorted(keys)


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_hash_and_bytes_are_current(name) -> None:
    resource = next(r for r in RESOURCES if r["name"] == name)
    assert (resource["hash"], resource["bytes"]) == file_stats(ROOT / resource["path"])


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_foreign_keys_resolve(name) -> None:
    for fk in read_schema(name).get("foreignKeys", []):
        target = fk["reference"]["resource"] or name
        targets = {tuple(r[f] for f in fk["reference"]["fields"]) for r in read_rows(target)}
        for row in read_rows(name):
            value = tuple(row[f] for f in fk["fields"])
            if all(value):
                assert value in targets, (name, fk["fields"], value)


def test_every_controlled_vocabulary_value_is_documented() -> None:
    for name in RESOURCE_NAMES:
        for field in read_schema(name)["fields"]:
            for value in field.get("constraints", {}).get("enum", []):
                assert f"- `{value}`: " in field["description"], (name, field["name"], value)


def test_every_field_is_documented() -> None:
    for name in RESOURCE_NAMES:
        for field in read_schema(name)["fields"]:
            assert len(field.get("description", "")) > 20, (name, field["name"])


def test_descriptor_metadata() -> None:
    assert DESCRIPTOR["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert DESCRIPTOR["name"] == "surveillance-ties"
    assert DESCRIPTOR["version"] == "0.1.0"
    assert [lic["name"] for lic in DESCRIPTOR["licenses"]] == ["CC-BY-4.0"]
    assert RESOURCE_NAMES == [
        "organizations",
        "partnerships",
        "features",
        "regulatory_actions",
        "sources",
        "citations",
    ]
    for r in RESOURCES:
        assert r["path"] == f"data/{r['name']}.csv"
        assert r["schema"] == f"schemas/{r['name']}.schema.json"
    # The descriptor is stored in its canonical form (what `surveillance-ties rehash` writes).
    text = (ROOT / "datapackage.json").read_text(encoding="utf-8")
    assert text == json.dumps(DESCRIPTOR, indent=2, ensure_ascii=False) + "\n"


def test_stock_frictionless_validation_passes() -> None:
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package(str(ROOT / "datapackage.json")).validate()
    assert report.flatten(["resourceName", "rowNumber", "fieldName", "type"]) == []
    assert report.valid is True
    assert [task.name for task in report.tasks] == RESOURCE_NAMES
