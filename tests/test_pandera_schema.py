"""``st.pandera_schema(name)`` (issue 13, item 8): a pandera schema derived from the Table Schema.

It must accept what the validator accepts and reject what it rejects, field by field: on every
case of the defect corpus (``tests/corpus/``) and on a small package with a field of each type,
pandera's failures are mapped to the validator's codes and compared cell by cell. A value that is
not of its field's type or not one of its ``enum`` cannot reach pandera through ``st.load``: the
loader refuses the table with a ``DataError``, which counts as a rejection. Exact failure cases
are pinned on frames of the fixture package.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import surveillance_ties as st
from surveillance_ties.datapackage.errors import (
    DataError,
    DescriptorError,
    MissingDependencyError,
    PackageError,
    UnknownTableError,
)
from surveillance_ties.loading.pandera_schema import from_table_schema
from surveillance_ties.validation import validate

from .conftest import FIXTURE, ROOT, descriptor, read_schema, resource_names
from .corpus_tools import Row, built, case_names, load_case

pa = pytest.importorskip("pandera.pandas")

NAMES = resource_names()
CASES = case_names()
#: pandera's name of pandas' string dtype: string[pyarrow] or string[python] (pandas' string_storage)
TEXT = str(pa.Column(pd.StringDtype()).dtype)

#: The validator's codes of one cell checked against its own field (or a key of the table).
FIELD_LEVEL = {"type", "required", "enum", "pattern", "minimum", "maximum", "length", "unique", "primary-key"}
_CHECKS = {
    "not_nullable": "required",
    "field_uniqueness": "unique",
    "unique": "unique",
    "multiple_fields_uniqueness": "primary-key",
}
_PREFIXES = {
    "dtype(": "type",
    "isin(": "enum",
    "str_matches(": "pattern",
    "str_length(": "length",
    "greater_than_or_equal_to(": "minimum",
    "less_than_or_equal_to(": "maximum",
}


def code_of(check: str) -> str:
    """The validator's code for a pandera check (its name or error text)."""
    if check in _CHECKS:
        return _CHECKS[check]
    return next(code for prefix, code in _PREFIXES.items() if check.startswith(prefix))


def record_lines(path: Path) -> list[int]:
    """The editor line on which each record of a CSV file starts (a record may span lines)."""
    lines: list[int] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        before = reader.line_num
        for row in reader:
            if row:  # an empty line is no record (the loader skips it too)
                lines.append(before + 1)
            before = reader.line_num
    return lines


def table_file(root: Path, table: str) -> str:
    return str(next(r["path"] for r in descriptor(root)["resources"] if r["name"] == table))


def pandera_errors(root: Path, table: str, frame: pd.DataFrame | None = None) -> set[Row]:
    """pandera's verdict on ``st.load(table, root)`` as the validator's ``(code, file, line, column)``."""
    file = table_file(root, table)
    frame = st.load(table, root) if frame is None else frame
    key = st.schema(table, root).primary_key
    try:
        st.pandera_schema(table, root).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        lines = record_lines(root / file)
        out: set[Row] = set()
        for case in exc.failure_cases.to_dict("records"):
            code = code_of(case["check"])
            column = None if code == "primary-key" and len(key) > 1 else case["column"]
            out.add((code, file, lines[int(case["index"])], column))
        return out
    return set()


# -- the defect corpus ------------------------------------------------------------------------------

#: Where pandera, given the frame ``st.load`` makes, cannot agree with the validator, and why.
KNOWN: dict[str, tuple[str, set[Row]]] = {
    "blank-row-commas": (
        "a row of empty cells is a blank row to the validator, a record of missing values to the "
        "loader, so pandera finds its required fields empty on the line the validator calls blank",
        {
            ("required", "data/organizations.csv", 4, column)
            for column in ("org_id", "name", "org_type", "description")
        },
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_pandera_agrees_with_the_validator_on_the_corpus(name: str) -> None:
    case = load_case(name)
    root, _ = built(name)
    expected = {e for e in case.expected if e[0] in FIELD_LEVEL}
    try:
        tables = st.tables(root)
    except PackageError:  # no table can be loaded: the validator rejects the descriptor or a schema
        assert case.exit_code != 0 and case.expected != [] and expected == set()
        return
    found: set[Row] = set()
    refused: set[str] = set()
    for table in tables:
        try:
            found |= pandera_errors(root, table)
        except (DataError, PackageError):  # a value not of its type or enum, a bad header, no file
            refused.add(table_file(root, table))
    assert refused <= {file for _, file, _, _ in case.expected}  # the validator rejects them too
    if name in KNOWN:
        assert case.expected == [("blank-row", "data/organizations.csv", 4, None)]
        expected = KNOWN[name][1]
    if name == "minimum-nan" and st.load("regulatory_actions", root)["amount"].isna().all():
        expected = set()  # pandas reads NaN in a Float64 column as missing: see the test below
    assert found == {e for e in expected if e[1] not in refused}


def test_the_corpus_exercises_every_field_level_code() -> None:
    used = {code for name in CASES for code, *_ in load_case(name).expected}
    assert used >= FIELD_LEVEL


def test_nan_below_the_minimum_is_caught_where_pandas_keeps_nan() -> None:
    root, _ = built("minimum-nan")
    try:
        pd.get_option("future.distinguish_nan_and_na")
    except pd.errors.OptionError:
        pytest.skip("this pandas has no future.distinguish_nan_and_na option")
    assert st.load("regulatory_actions", root)["amount"].isna().tolist() == [True]
    with pd.option_context("future.distinguish_nan_and_na", True):
        frame = st.load("regulatory_actions", root)
        assert frame["amount"].isna().tolist() == [False]
        assert pandera_errors(root, "regulatory_actions", frame) == {
            ("minimum", "data/regulatory_actions.csv", 2, "amount")
        }


# -- a package with a field of each type ------------------------------------------------------------

TYPED_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"pattern": "[a-z]+"}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0, "maximum": 10}},
        {"name": "k", "type": "integer", "constraints": {"enum": [1, 2, 3]}},
        {"name": "x", "type": "number", "constraints": {"minimum": 0.5, "maximum": 2}},
        {"name": "d", "type": "date", "constraints": {"minimum": "2020-01-01", "maximum": "2025-12-31"}},
        {"name": "dt", "type": "datetime", "constraints": {"minimum": "2020-01-01T00:00:00Z"}},
        {"name": "y", "type": "year", "constraints": {"minimum": 2000}},
        {"name": "ym", "type": "yearmonth", "constraints": {"maximum": "2025-06"}},
        {"name": "code", "type": "string", "constraints": {"minLength": 2, "maxLength": 3, "unique": True}},
        {"name": "ok", "type": "boolean", "constraints": {"required": True, "enum": [True]}},
    ],
    "primaryKey": ["id"],
}
TYPED_HEADER = "id,n,k,x,d,dt,y,ym,code,ok\n"
TYPED_GOOD = (
    "ab,0,1,0.5,2020-01-01,2020-01-01T00:00:00Z,2000,2025-06,ab,true\n"
    "cd,10,3,2,2025-12-31,2026-01-01T00:00:00Z,2030,,,true\n"
    "ef,,2,,,,,,,true\n"
)
TYPED_BAD = (
    "ab,0,1,0.5,2020-01-01,2020-01-01T00:00:00Z,2000,2025-06,ab,true\n"
    "ab1,11,4,0.4,2019-12-31,2019-12-31T23:59:59Z,1999,2025-07,a,false\n"
    "ab,-1,0,2.5,2026-01-01,,,,abcd,\n"
    "cd,,2,,,,,,ab,true\n"
)


def typed_package(folder: Path, rows: str) -> Path:
    folder.mkdir()
    resource = {"name": "things", "path": "things.csv", "schema": TYPED_SCHEMA}
    package = {"name": "typed", "version": "1.0.0", "resources": [resource]}
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (folder / "things.csv").write_text(TYPED_HEADER + rows, encoding="utf-8")
    return folder


def test_every_type_and_constraint_agrees_with_the_validator(tmp_path: Path) -> None:
    good = typed_package(tmp_path / "good", TYPED_GOOD)
    assert validate(good).errors == ()
    frame = st.load("things", good)
    pd.testing.assert_frame_equal(st.pandera_schema("things", good).validate(frame), frame)
    assert pandera_errors(good, "things") == set()

    bad = typed_package(tmp_path / "bad", TYPED_BAD)
    by_validator = {(e.code, e.file, e.row, e.column) for e in validate(bad).errors if e.code in FIELD_LEVEL}
    assert (
        pandera_errors(bad, "things")
        == by_validator
        == {
            ("pattern", "things.csv", 3, "id"),
            ("maximum", "things.csv", 3, "n"),
            ("enum", "things.csv", 3, "k"),
            ("minimum", "things.csv", 3, "x"),
            ("minimum", "things.csv", 3, "d"),
            ("minimum", "things.csv", 3, "dt"),
            ("minimum", "things.csv", 3, "y"),
            ("maximum", "things.csv", 3, "ym"),
            ("length", "things.csv", 3, "code"),
            ("enum", "things.csv", 3, "ok"),
            ("primary-key", "things.csv", 4, "id"),
            ("minimum", "things.csv", 4, "n"),
            ("enum", "things.csv", 4, "k"),
            ("maximum", "things.csv", 4, "x"),
            ("maximum", "things.csv", 4, "d"),
            ("length", "things.csv", 4, "code"),
            ("required", "things.csv", 4, "ok"),
            ("unique", "things.csv", 5, "code"),  # the two empty codes are not repeats
        }
    )


def test_a_bound_or_enum_value_not_of_its_type_is_a_descriptor_error(tmp_path: Path) -> None:
    folder = typed_package(tmp_path / "pkg", TYPED_GOOD)
    path = folder / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    fields = package["resources"][0]["schema"]["fields"]
    fields[4]["constraints"]["minimum"] = "soon"
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DescriptorError) as info:
        st.pandera_schema("things", folder)  # type: ignore[arg-type]
    assert str(info.value) == f"{path}: field 'd': 'soon' is not a valid date; fix the schema"
    fields[4]["constraints"]["minimum"] = "2020-01-01"
    fields[2]["constraints"]["enum"] = [1, "two"]
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DescriptorError) as info:
        st.pandera_schema("things", folder)  # type: ignore[arg-type]
    assert str(info.value) == f"{path}: field 'k': 'two' is not a valid integer; fix the schema"


def test_the_checks_of_each_type() -> None:
    from surveillance_ties.datapackage.schema import parse_schema

    table_schema, problems = parse_schema(TYPED_SCHEMA, "things.csv", "things", {"things"})
    assert problems == [] and table_schema is not None
    schema = from_table_schema(table_schema)
    assert {n: (str(c.dtype), c.nullable, c.unique, [k.error or k.name for k in c.checks])
            for n, c in schema.columns.items()} == {
        "id": (TEXT, False, False, ["str_matches('(?:[a-z]+)\\Z')"]),
        "n": ("Int64", True, False, ["greater_than_or_equal_to(0)", "less_than_or_equal_to(10)"]),
        "k": ("Int64", True, False, ["isin([1, 2, 3])"]),
        "x": ("Float64", True, False, [
            "greater_than_or_equal_to(0.5)", "less_than_or_equal_to(2.0)"
        ]),
        "d": ("datetime64[ns]", True, False, [  # pandera's name; it takes datetime64[s] too
            "greater_than_or_equal_to(2020-01-01 00:00:00)", "less_than_or_equal_to(2025-12-31 00:00:00)"
        ]),
        "dt": ("datetime64[ms, UTC]", True, False, [
            "greater_than_or_equal_to(2020-01-01 00:00:00+00:00)"
        ]),
        "y": ("Int64", True, False, ["greater_than_or_equal_to(2000)"]),
        "ym": (TEXT, True, False, ["less_than_or_equal_to(2025-06)"]),
        "code": (TEXT, True, False, ["str_length(2, 3)", "unique"]),
        "ok": ("boolean", False, False, ["isin([True])"]),
    }  # fmt: skip
    assert (schema.unique, schema.report_duplicates, schema.strict, schema.ordered) == (
        ["id"],
        "exclude_first",
        True,
        True,
    )


# -- the fixture ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_table_passes_its_schema(name: str) -> None:
    frame = st.load(name, FIXTURE)
    pd.testing.assert_frame_equal(st.pandera_schema(name, FIXTURE).validate(frame), frame)


def test_the_schema_of_partnerships() -> None:
    schema = st.pandera_schema("partnerships", FIXTURE)
    slug = "str_matches('(?:^[a-z0-9]+(-[a-z0-9]+)*$)\\Z')"
    date = "str_matches('(?:^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$)\\Z')"
    columns = schema.columns
    relationship = ["footage_sharing", "network_access", "technology_supply", "investment", "affiliation"]
    status = ["announced", "active", "ended", "cancelled", "disputed", "reported"]
    assert {n: (str(c.dtype), c.nullable, [k.error for k in c.checks]) for n, c in columns.items()} == {
        "partnership_id": (TEXT, False, [slug]),
        "org_id": (TEXT, False, []),
        "partner_org_id": (TEXT, False, []),
        "relationship_type": ("category", False, [f"isin({relationship})"]),
        "status": ("category", False, [f"isin({status})"]),
        "announced": (TEXT, True, [date]),
        "ended": (TEXT, True, [date]),
        "description": (TEXT, False, []),
        "notes": (TEXT, True, []),
    }
    fields = {f["name"]: f for f in read_schema("partnerships")["fields"]}
    assert {n: c.description for n, c in columns.items()} == {n: f["description"] for n, f in fields.items()}
    assert status == fields["status"]["constraints"]["enum"]
    assert relationship == fields["relationship_type"]["constraints"]["enum"]
    assert list(columns["status"].dtype.type.categories) == status
    assert list(columns["relationship_type"].dtype.type.categories) == relationship
    assert (schema.name, schema.unique, schema.strict, schema.ordered) == (
        "partnerships",
        ["partnership_id"],
        True,
        True,
    )


def failures(name: str, frame: pd.DataFrame) -> list[dict[str, object]]:
    with pytest.raises(pa.errors.SchemaErrors) as info:
        st.pandera_schema(name, FIXTURE).validate(frame, lazy=True)
    cases = info.value.failure_cases[["column", "check", "failure_case", "index"]]
    return [dict(r) for r in cases.to_dict("records")]


def test_a_value_outside_the_enum_fails_isin() -> None:
    frame = st.load("partnerships", FIXTURE)
    frame["status"] = frame["status"].astype("string")  # as a frame read another way would hold it
    frame.loc[1, "status"] = "paused"
    isin = "isin(['announced', 'active', 'ended', 'cancelled', 'disputed', 'reported'])"
    cases = failures("partnerships", frame)
    # the dtype failure's failure_case and index differ between pandera versions
    assert [(c["column"], c["check"]) for c in cases if str(c["check"]).startswith("dtype(")] == [
        ("status", "dtype('category')")
    ]
    assert [c for c in cases if not str(c["check"]).startswith("dtype(")] == [
        {"column": "status", "check": isin, "failure_case": "paused", "index": 1},
    ]


def test_pattern_required_and_primary_key_failures() -> None:
    frame = st.load("organizations", FIXTURE)
    frame.loc[0, "org_id"] = "Amazon"
    frame.loc[1, "org_id"] = "axon\n"  # the whole value must match: no trailing line break
    frame.loc[2, "country"] = "us"
    frame.loc[3, "name"] = pd.NA
    frame.loc[5, "org_id"] = "ring"  # row 7 is ring
    slug = "str_matches('(?:^[a-z0-9]+(-[a-z0-9]+)*$)\\Z')"
    assert failures("organizations", frame) == [
        {"column": "org_id", "check": "multiple_fields_uniqueness", "failure_case": "ring", "index": 7},
        {"column": "org_id", "check": slug, "failure_case": "Amazon", "index": 0},
        {"column": "org_id", "check": slug, "failure_case": "axon\n", "index": 1},
        {"column": "name", "check": "not_nullable", "failure_case": None, "index": 3},
        {"column": "country", "check": "str_matches('(?:^[A-Z]{2}$)\\Z')", "failure_case": "us", "index": 2},
    ]


def test_an_unknown_table_and_a_missing_pandera(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownTableError) as info:
        st.pandera_schema("ties", FIXTURE)  # type: ignore[arg-type]
    assert str(info.value) == f"no table 'ties' in {FIXTURE}; the tables are: {', '.join(NAMES)}"
    monkeypatch.setitem(sys.modules, "pandera.pandas", None)  # makes `import pandera.pandas` fail
    with pytest.raises(MissingDependencyError) as missing:
        st.pandera_schema("organizations", FIXTURE)
    assert (
        str(missing.value)
        == "st.pandera_schema() needs pandera 0.24 or later: pip install 'surveillance-ties[pandera]'"
    )


@pytest.mark.live_data
@pytest.mark.parametrize("name", NAMES)
def test_every_live_table_passes_its_schema(name: str) -> None:
    frame = st.load(name, ROOT)
    pd.testing.assert_frame_equal(st.pandera_schema(name, ROOT).validate(frame), frame)
