"""The data dictionary DATA.md (issue 7): current, complete, manifest-driven, loud on undocumented values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveillance_ties.dictionary import (
    DictionaryError,
    allowed_values,
    count_rows,
    data_dictionary,
    field_doc,
    write_data_dictionary,
)

from . import conftest
from .conftest import RESOURCES, ROOT, read_rows, read_schema


def copy_package(tmp_path: Path) -> Path:
    return conftest.copy_package(tmp_path / "pkg", ("datapackage.json", "data", "schemas"))


def test_committed_dictionary_is_current() -> None:
    # Regenerate with `surveillance-ties docs` after changing datapackage.json, schemas/ or data/.
    assert (ROOT / "DATA.md").read_text(encoding="utf-8") == data_dictionary(ROOT)


def test_generation_is_deterministic() -> None:
    assert data_dictionary(ROOT) == data_dictionary(ROOT / "datapackage.json")


def test_header_names_package_version_and_licence() -> None:
    text = data_dictionary(ROOT)
    assert text.startswith("# Data dictionary: Surveillance Ties\n")
    assert "- Version: `0.1.0`\n" in text
    assert "- Licence: [CC-BY-4.0](https://creativecommons.org/licenses/by/4.0/): " in text


@pytest.mark.parametrize("resource", RESOURCES, ids=[r["name"] for r in RESOURCES])
def test_every_table_and_field_is_documented(resource) -> None:
    text = data_dictionary(ROOT)
    name = resource["name"]
    rows = len(read_rows(name))
    assert f"| [`{name}`](#{name}) | {rows} | " in text
    assert f"\n## `{name}`\n" in text
    assert f"- File: [`{resource['path']}`]({resource['path']}), {rows} rows\n" in text
    schema = read_schema(name)
    assert "- Primary key: " + ", ".join(f"`{k}`" for k in schema["primaryKey"]) + "\n" in text
    section = text.split(f"\n## `{name}`\n")[1].split("\n## ")[0]
    for field in schema["fields"]:
        assert f"\n| `{field['name']}` | {field['type']} | " in section
        for value in field.get("constraints", {}).get("enum", []):
            assert f"\n| `{value}` | " in section


def test_field_rows_pin_type_required_and_constraints() -> None:
    text = data_dictionary(ROOT)
    assert (
        "| `org_id` | string | yes | unique; pattern `^[a-z0-9]+(-[a-z0-9]+)*$` | Identifier of the "
        "organization. A stable lowercase slug (letters, digits, single hyphens), never reused. |"
    ) in text
    assert "| `org_type` | string | yes | one of 8 values (below) | Kind of organization. |" in text
    assert "| `amount` | number | no | minimum `0` | " in text
    # Pipes inside a pattern are escaped so the table keeps its columns.
    assert "pattern `^[0-9]{4}(-(0[1-9]\\|1[0-2])(-(0[1-9]\\|[12][0-9]\\|3[01]))?)?$`" in text
    assert "  - `partner_org_id` → `org_id` of [`organizations`](#organizations)\n" in text


def test_allowed_values_and_meanings() -> None:
    text = data_dictionary(ROOT)
    assert (
        "Allowed values of `partnerships.status`:\n\n| value | meaning |\n|---|---|\n"
        "| `announced` | announced, not yet in effect |\n"
        "| `active` | in effect at the date of the latest source |\n"
    ) in text
    assert (
        "| `disputed` | reported by a source and denied by one of the parties; both sides are cited |"
    ) in text


def test_allowed_values_parser() -> None:
    prose, values = allowed_values("Kind of tie.\n\nAllowed values:\n- `a_b`: first one\n- `c`: second: yes")
    assert prose == "Kind of tie."
    assert values == {"a_b": "first one", "c": "second: yes"}


def test_undocumented_enum_value_fails_loudly() -> None:
    field = {
        "name": "kind",
        "type": "string",
        "description": "Kind.\n\nAllowed values:\n- `a`: the first",
        "constraints": {"enum": ["a", "b"]},
    }
    with pytest.raises(DictionaryError) as exc:
        field_doc(field, [], "schemas/x.schema.json")
    assert str(exc.value) == (
        "schemas/x.schema.json: field `kind`: the allowed value `b` is not documented; "
        'add a line "- `b`: <meaning>" to the field\'s description'
    )


def test_documented_value_outside_enum_fails() -> None:
    field = {"name": "kind", "description": "- `a`: one\n- `z`: gone", "constraints": {"enum": ["a"]}}
    with pytest.raises(DictionaryError, match=r"documents `z`, which is not in its enum"):
        field_doc(field, [], "schemas/x.schema.json")


def test_undocumented_value_in_a_package_names_the_schema(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    path = root / "schemas" / "features.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][3]["constraints"]["enum"].append("drone")
    path.write_text(json.dumps(schema), encoding="utf-8")
    message = r"^schemas/features.schema.json: field `category`: the allowed value `drone` is not documented"
    with pytest.raises(DictionaryError, match=message):
        data_dictionary(root)


def test_a_new_table_appears_without_code_changes(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    (root / "data" / "products.csv").write_text('product_id,kind\np1,"a\nb"\np2,x\n', encoding="utf-8")
    (root / "schemas" / "products.schema.json").write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "product_id", "type": "string", "description": "Id."},
                    {
                        "name": "kind",
                        "type": "string",
                        "description": "Kind.\nAllowed values:\n- `x`: an x",
                        "constraints": {"enum": ["x"], "maxLength": 3},
                    },
                ],
                "primaryKey": "product_id",
            }
        ),
        encoding="utf-8",
    )
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append(
        {
            "name": "products",
            "path": "data/products.csv",
            "schema": "schemas/products.schema.json",
            "description": "Products.",
        }
    )
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    text = data_dictionary(root)
    assert "| [`products`](#products) | 2 | Products. |" in text
    assert "| `product_id` | string | yes |  | Id. |" in text
    assert "| `kind` | string | no | maxLength `3`; one of 1 values (below) | Kind. |" in text
    assert text.endswith(
        "Allowed values of `products.kind`:\n\n| value | meaning |\n|---|---|\n| `x` | an x |\n"
    )


def test_count_rows_counts_records_not_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"two\nlines"\n3,4\n', encoding="utf-8")
    assert count_rows(path) == 2


def test_missing_table_file_is_a_clear_error(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    (root / "data" / "sources.csv").unlink()
    with pytest.raises(DictionaryError) as exc:
        data_dictionary(root)
    assert str(exc.value) == (
        f"{root / 'data' / 'sources.csv'}: no such file; fix the resource's path in datapackage.json"
    )


def test_write_puts_data_md_beside_the_descriptor(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    assert write_data_dictionary(root) == root / "DATA.md"
    assert (root / "DATA.md").read_text(encoding="utf-8") == data_dictionary(root)
