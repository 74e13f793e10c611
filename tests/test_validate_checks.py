"""The validator's check families, each on a copy of the fixture package with one defect.

Every test pins the exact (code, file, row, column) tuples the defect must produce, and nothing
else; the fixture itself validates with zero errors.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from surveillance_ties.validation import validate

from .conftest import FIXTURE
from .validate_helpers import copy_package, edit, found, tree_digest, write

P = "data/partnerships.csv"
ORG = "data/organizations.csv"
F = "data/features.csv"
R = "data/regulatory_actions.csv"
S = "data/sources.csv"
C = "data/citations.csv"


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def test_the_fixture_package_is_valid() -> None:
    report = validate(FIXTURE)
    assert (report.valid, report.error_count, report.errors, dict(report.counts)) == (True, 0, (), {})


def test_the_descriptor_path_or_its_folder(pkg: Path) -> None:
    assert validate(pkg / "datapackage.json").valid
    assert validate(str(pkg)).valid


# descriptor ---------------------------------------------------------------------------------


def test_missing_descriptor(tmp_path: Path) -> None:
    report = validate(tmp_path / "nothing-here")
    assert found(report) == [("descriptor-missing", "datapackage.json", None, None)]
    assert not report.readable


def test_descriptor_that_is_not_json(pkg: Path) -> None:
    (pkg / "datapackage.json").write_text('{\n  "name": "x",\n  "resources": [\n}\n', encoding="utf-8")
    report = validate(pkg)
    assert found(report) == [("descriptor-json", "datapackage.json", 4, None)]
    assert not report.readable


def test_descriptor_without_resources(pkg: Path) -> None:
    (pkg / "datapackage.json").write_text('{"name": "x", "resources": {}}', encoding="utf-8")
    assert found(validate(pkg)) == [("descriptor-shape", "datapackage.json", None, None)]


def _set_resource(pkg: Path, name: str, key: str, value: object) -> None:
    path = pkg / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in data["resources"] if r["name"] == name)[key] = value
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


@pytest.mark.parametrize(
    "value",
    ["../organizations.csv", "https://example.org/regulatory_actions.csv", "/etc/passwd", "data\\x.csv"],
)
def test_unsafe_resource_paths(pkg: Path, value: str) -> None:
    _set_resource(pkg, "regulatory_actions", "path", value)
    assert found(validate(pkg)) == [("resource-path", "datapackage.json", None, None)]


def test_missing_table_file(pkg: Path) -> None:
    (pkg / R).unlink()
    assert found(validate(pkg)) == [("resource-missing", R, None, None)]


def test_missing_schema_file_and_unknown_type(pkg: Path) -> None:
    _set_resource(pkg, "regulatory_actions", "schema", "schemas/nope.schema.json")
    schema = json.loads((pkg / "schemas/features.schema.json").read_text(encoding="utf-8"))
    schema["fields"][7]["type"] = "bool"
    (pkg / "schemas/features.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    assert found(validate(pkg)) == [
        ("schema-missing", "schemas/nope.schema.json", None, None),
        ("schema-unknown-type", "schemas/features.schema.json", None, "uses_biometrics"),
    ]


# hygiene ------------------------------------------------------------------------------------


def test_bom_and_crlf(pkg: Path) -> None:
    write(pkg, ORG, b"\xef\xbb\xbf" + (pkg / ORG).read_bytes())
    write(pkg, R, (pkg / R).read_bytes().replace(b"\n", b"\r\n"))
    assert found(validate(pkg)) == [("bom", ORG, 1, None), ("line-ending", R, 1, None)]


def test_latin1_byte(pkg: Path) -> None:
    write(pkg, F, (pkg / F).read_bytes().replace(b"Familiar Faces,", b"Familiar F\xe4ces,"))
    assert found(validate(pkg)) == [("encoding", F, 5, None)]


def test_blank_lines_and_ragged_rows(pkg: Path) -> None:
    edit(pkg, R, "\nftc-ring", "\n\nftc-ring")
    edit(pkg, P, "navy,network_access,reported,,,", "navy,network_access,reported,,")
    assert found(validate(pkg)) == [("blank-row", R, 2, None), ("ragged-row", P, 4, None)]


def test_whitespace_and_formula_but_not_a_negative_number(pkg: Path) -> None:
    edit(pkg, ORG, "axon,Axon,,company", "axon,=Axon,,company ")
    edit(pkg, R, ",5800000,USD,", ",-5800000,USD,")
    assert found(validate(pkg)) == [
        ("enum", ORG, 3, "org_type"),
        ("formula", ORG, 3, "name"),
        ("minimum", R, 2, "amount"),
        ("whitespace", ORG, 3, "org_type"),
    ]


def test_line_numbers_count_line_breaks_inside_quotes(pkg: Path) -> None:
    edit(pkg, ORG, '"Company that owns Ring, according', '"Company that owns Ring,\naccording')
    edit(pkg, ORG, "ring,Ring,,company,amazon", "ring,Ring,,company,amazone")
    assert found(validate(pkg)) == [("foreign-key", ORG, 10, "parent_org_id")]


# header -------------------------------------------------------------------------------------


def test_header_mismatch_and_duplicate(pkg: Path) -> None:
    edit(pkg, R, "action_id,regulator_org_id", "action_id,regulator")
    edit(pkg, F, "description,notes\n", "description,description\n")
    assert found(validate(pkg)) == [
        ("duplicate-header", F, 1, "description"),
        ("header-mismatch", F, 1, "notes"),
        ("header-mismatch", R, 1, "regulator_org_id"),
    ]


# cells --------------------------------------------------------------------------------------


def test_type_required_enum_pattern(pkg: Path) -> None:
    edit(pkg, R, ",5800000,", ",5.8m,")
    edit(pkg, ORG, "axon,Axon,", "axon,,")
    edit(pkg, F, ",facial_recognition,active,2025-12-09,,true,", ",face,active,2025-12,,yes,")
    edit(pkg, P, ",cancelled,2025-10-16,", ",cancelled,16/10/2025,")
    assert found(validate(pkg)) == [
        ("enum", F, 5, "category"),
        ("pattern", P, 7, "announced"),
        ("required", ORG, 3, "name"),
        ("type", F, 5, "uses_biometrics"),
        ("type", R, 2, "amount"),
    ]


def test_an_enum_of_numbers_skips_empty_and_mistyped_cells(pkg: Path) -> None:
    """A number field with an ``enum``: an empty cell is no enum error (it crashed the validator
    once), a mistyped one is a type error only, another number an enum error."""
    schema = pkg / "schemas/regulatory_actions.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    amount = next(f for f in doc["fields"] if f["name"] == "amount")
    amount["constraints"] = {"enum": [5800000, 100]}
    schema.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    edit(pkg, R, ",5800000,USD,", ",,USD,")
    assert found(validate(pkg)) == []
    edit(pkg, R, ",,USD,", ",5.8m,USD,")
    assert found(validate(pkg)) == [("type", R, 2, "amount")]
    edit(pkg, R, ",5.8m,USD,", ",7,USD,")
    report = validate(pkg)
    assert found(report) == [("enum", R, 2, "amount")]
    assert report.errors[0].message == '"7" is not one of: 5800000, 100'


def test_keys_foreign_keys_and_citations(pkg: Path) -> None:
    rows = (pkg / R).read_text(encoding="utf-8")
    write(pkg, R, rows + rows.split("\n")[1] + "\n")  # the action twice
    edit(
        pkg,
        P,
        "flock-safety-navy-network-access,flock-safety,navy,",
        "flock-safety-navy-network-access,flock-safety,marines,",
    )
    edit(pkg, C, "axon-1,organizations,axon,,", "axon-1,organizations,axn,field_x,")
    assert found(validate(pkg)) == [
        ("citation-field", C, 3, "field"),
        ("citation-record", C, 3, "record_id"),
        ("foreign-key", P, 4, "partner_org_id"),
        ("primary-key", R, 3, "action_id"),
        ("uncited-record", ORG, 3, "org_id"),
    ]


# integrity ----------------------------------------------------------------------------------


def test_stale_hash_and_bytes(pkg: Path) -> None:
    edit(pkg, ORG, "Axon,,company", "Axon Enterprise,,company", refresh=False)
    report = validate(pkg)
    assert found(report) == [("bytes", ORG, None, None), ("hash", ORG, None, None)]
    assert (
        report.errors[0].hint
        == "run `surveillance-ties format` after editing a table, then commit datapackage.json"
    )


# provenance ---------------------------------------------------------------------------------


def test_quotes_archives_and_citations(pkg: Path) -> None:
    edit(pkg, C, "with Axon, a company similar to Flock.", "with Axon, a company like Flock.")
    edit(pkg, C, "Ring’s Super Bowl ad](https", "Ring's  Super\nBowl ad](https")  # folds: still found
    edit(pkg, S, "seeds/000_0181fdb78757befa.txt", "seeds/001_missing.txt")
    report = validate(pkg)
    assert ("quote-not-found", C, 3, "quote") not in found(report)  # no archive: quotes not checked
    assert found(report) == [("archive-missing", S, 13, "archive_path")]


def test_quote_not_found(pkg: Path) -> None:
    edit(pkg, C, "with Axon, a company similar to Flock.", "with Axon, a company like Flock.")
    edit(pkg, C, "Ring’s Super Bowl ad](https", "Ring's  Super\nBowl ad](https")  # folds: still found
    assert found(validate(pkg)) == [("quote-not-found", C, 3, "quote")]


# meaning ------------------------------------------------------------------------------------


def test_meaning_rules(pkg: Path) -> None:
    edit(pkg, P, "cancelled,2025-10-16,2026-02-12", "cancelled,2025-10-16,2025-09")  # ended before
    edit(
        pkg,
        P,
        "flock-safety,navy,network_access,reported",
        "flock-safety,flock-safety,network_access,reported",
    )
    edit(pkg, F, ",active,2025-12-09,,", ",active,2025-02-30,2026,")  # not real; active with an end
    edit(pkg, R, ",5800000,USD,", ",5800000,,")
    assert found(validate(pkg)) == [
        ("amount-currency", R, 2, "currency"),
        ("date-invalid", F, 5, "launched"),
        ("date-order", P, 7, "ended"),
        ("self-tie", P, 4, "partner_org_id"),
        ("status-end-date", F, 5, "discontinued"),
    ]


def test_status_without_end_date_and_duplicate_tie(pkg: Path) -> None:
    edit(pkg, P, "cancelled,2025-10-16,2026-02-12", "cancelled,2025-10-16,")
    line = (pkg / P).read_text(encoding="utf-8").split("\n")[3]  # flock-safety -> navy
    rows = (pkg / P).read_text(encoding="utf-8")
    write(pkg, P, rows + line.replace("flock-safety-navy-network-access,", "flock-safety-navy-2,", 1) + "\n")
    edit(
        pkg,
        C,
        "\nflock-safety-secret",
        "\nx-1,partnerships,flock-safety-navy-2,,404media-ice-secret-service-navy-"
        "access-to-flock,Secret Service\nflock-safety-secret",
    )
    assert found(validate(pkg)) == [
        ("duplicate-tie", P, 9, None),
        ("not-canonical", C, 16, None),  # the added rows are out of key order: `format` sorts them
        ("not-canonical", P, 9, None),
        ("status-end-date", P, 7, "ended"),
    ]


# the report ---------------------------------------------------------------------------------


def test_counts_stay_exact_when_locations_are_capped(pkg: Path) -> None:
    text = (pkg / ORG).read_text(encoding="utf-8")
    write(pkg, ORG, text.replace(",company,", ",Company,"))  # 5 enum errors
    full = validate(pkg)
    capped = validate(pkg, max_errors=2)
    assert (full.error_count, capped.error_count, dict(capped.counts)) == (5, 5, {"enum": 5})
    assert [e.row for e in capped.errors] == [2, 3]
    assert (capped.truncated, full.truncated) == (True, False)
    assert capped.to_dict()["shown"] == 2


def test_to_dict_is_the_documented_structure(pkg: Path) -> None:
    edit(pkg, R, ",5800000,", ",5.8m,")
    data = validate(pkg).to_dict()
    assert list(data) == [
        "format",
        "path",
        "valid",
        "readable",
        "error_count",
        "counts",
        "shown",
        "truncated",
        "errors",
    ]
    assert data["errors"] == [
        {
            "code": "type",
            "file": R,
            "row": 2,
            "column": "amount",
            "value": "5.8m",
            "message": '"5.8m" is not a number',
            "hint": "write the value in the field's type as the Table Schema defines it",
        }
    ]
    assert json.loads(json.dumps(data)) == data


def test_validate_never_writes_and_never_connects(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the validator opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    edit(pkg, ORG, "axon,Axon,,company", "axon,=Axon,,company ", refresh=False)
    _set_resource(pkg, "sources", "path", "https://example.org/sources.csv")
    before = tree_digest(pkg)
    report = validate(pkg)
    assert tree_digest(pkg) == before
    assert dict(report.counts) == {
        "resource-path": 1,
        "whitespace": 1,
        "formula": 1,
        "enum": 1,
        "hash": 1,
        "bytes": 1,
    }


def test_composite_primary_and_foreign_keys(pkg: Path) -> None:
    path = pkg / "schemas/partnerships.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["primaryKey"] = ["org_id", "partner_org_id", "relationship_type"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    path = pkg / "schemas/regulatory_actions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["foreignKeys"].append(
        {
            "fields": ["regulator_org_id", "target_org_id"],
            "reference": {"resource": "partnerships", "fields": ["org_id", "partner_org_id"]},
        }
    )
    path.write_text(json.dumps(schema), encoding="utf-8")
    rows = (pkg / P).read_text(encoding="utf-8")
    line = rows.split("\n")[3].replace("flock-safety-navy-network-access,", "flock-safety-navy-again,", 1)
    write(pkg, P, rows + line + "\n")
    cite = "x-1,partnerships,flock-safety-navy-again,,ring-blog-ring-and-flock-cancel-partnership,Ring wrote"
    edit(pkg, C, "\nflock-safety-secret", f"\n{cite}\nflock-safety-secret")
    assert found(validate(pkg)) == [
        ("duplicate-tie", P, 9, None),
        ("foreign-key", R, 2, None),  # (ftc, ring) is no (org_id, partner_org_id) of partnerships
        ("not-canonical", C, 16, None),  # the added rows are out of key order
        ("not-canonical", P, 9, None),
        ("primary-key", P, 9, None),
    ]


# the quote-not-found message: where the quote stops matching, and which text was searched -------

SEED = "seeds/000_0181fdb78757befa.txt"
ARTICLE = "techcrunch-2026-02-13-ring-cancels-flock-partnership"


def _quote_message(pkg: Path, old: str, new: str) -> str:
    edit(pkg, C, old, new)
    [error] = validate(pkg).errors
    assert (error.code, error.column) == ("quote-not-found", "quote")
    return error.message


def test_quote_with_a_dropped_character_says_where_it_breaks(pkg: Path) -> None:
    assert _quote_message(
        pkg, "with Axon, a company similar to Flock.", "with Axon, a company simlar to Flock."
    ) == (
        f'"with Axon, a company simlar to Flock." is not in the archived text of its source {ARTICLE} '
        f'({SEED}): after "with Axon, a company sim" the text has "ilar to Flock. …" where the quote has '
        '"lar to Flock."'
    )


def test_quote_with_another_kind_of_curly_quote(pkg: Path) -> None:
    # the archive writes “Familiar Faces,”; „ is not one of the curly quotes that fold to "
    assert _quote_message(pkg, "called “Familiar Faces,”", "called „Familiar Faces,”") == (
        '"Ring even rolled out [a facial recognition](https://techcrunch.com/2025/12/09/amazons-ring-rolls-out-'
        "controversial-ai-powered-facial-recognition-feature-to-video-doorbells/) feature in December called "
        "„Familiar Faces,” which allows users to catalog the faces of people who often visit their homes — that "
        "way, they might get a notification that says “Mom at Front Door,” rather than “a person is at your "
        f'door.”" is not in the archived text of its source {ARTICLE} ({SEED}): after "…/) feature in December '
        'called " the text has ""Familiar Faces…" where the quote has "„Familiar Faces…"'
    )


def test_quote_without_the_markdown_link_of_the_archived_text(pkg: Path) -> None:
    message = _quote_message(
        pkg,
        "As reported by [404 Media](https://www.404media.co/ice-secret-service-navy-all-had-access-to-flocks-"
        "nationwide-network-of-cameras/), Flock’s footage has been used by Immigration and Customs Enforcement "
        "(ICE), the Secret Service, and the Navy, which all have had access to Flock’s tens of thousands of "
        'AI-enabled cameras."\nflock-safety-ice-network-access-2',
        "As reported by 404 Media, Flock’s footage has been used by Immigration and Customs Enforcement (ICE), "
        'the Secret Service, and the Navy."\nflock-safety-ice-network-access-2',
    )
    assert message == (
        '"As reported by 404 Media, Flock’s footage has been used by Immigration and Customs Enforcement (ICE), '
        f'the Secret Service, and the Navy." is not in the archived text of {ARTICLE} ({SEED}), which links to '
        'its source 404media-ice-secret-service-navy-access-to-flock: after "As reported by " the text has '
        '"[404 Media](htt…" where the quote has "404 Media, Floc…"'
    )


def test_a_quote_of_nothing_like_the_text(pkg: Path) -> None:
    assert _quote_message(pkg, "with Axon, a company similar to Flock.", "Qx, Qy Qz") == (
        f'"Qx, Qy Qz" is not in the archived text of its source {ARTICLE} ({SEED}): not even its first words are '
        "there"
    )
