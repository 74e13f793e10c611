"""The typed loaders (issue 4) of ``surveillance_ties.loading`` and the public face ``surveillance_ties``:
load (pandas, polars and pyarrow backends), load_all, tables, schema, package, citations, and source=.

Every test of the loader's code reads the fixture package (``source=FIXTURE``, a copy of it or a
zip of it), never the live tables. Expected dtypes and values are derived here from the schemas
and CSVs, independently of the library's own type map (``surveillance_ties.datapackage.typemap``).
Downloads (``source="https://…"``) are tested against a real HTTPS server in ``test_fetch.py``;
here only what needs no network: refused URLs, and a checked copy already in the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import surveillance_ties as st
from surveillance_ties import loading
from surveillance_ties.curation import rehash
from surveillance_ties.datapackage import dumps, fetch, open_package, package_root
from surveillance_ties.datapackage.descriptor import refreshed
from surveillance_ties.datapackage.errors import (
    DataError,
    FetchError,
    HashMismatchError,
    MissingDependencyError,
    PackageError,
    UnknownRecordError,
    UnknownTableError,
)
from surveillance_ties.datapackage.model import Field, ForeignKey
from surveillance_ties.datapackage.open import HINT
from surveillance_ties.loading.dates import bounds, date_bounds, precision

from .conftest import (
    FIXTURE,
    ROOT,
    copy_package,
    descriptor,
    read_rows,
    read_schema,
    resource_names,
    with_claims,
)

NAMES = resource_names()
TABLES_LINE = ", ".join(NAMES)
VERSION = descriptor()["version"]
CITED = ["organizations", "partnerships", "features", "regulatory_actions"]


# -- expectations derived from the schemas ---------------------------------------------------------


def enum_of(field: dict[str, Any]) -> list[str] | None:
    enum = field.get("constraints", {}).get("enum")
    return enum if field["type"] == "string" else None


def expected_pandas_dtype(field: dict[str, Any]) -> Any:
    if enum_of(field) is not None:
        return pd.CategoricalDtype(enum_of(field), ordered=False)
    return {
        "string": pd.StringDtype(),
        "integer": pd.Int64Dtype(),
        "number": pd.Float64Dtype(),
        "boolean": pd.BooleanDtype(),
    }[field["type"]]


def expected_polars_dtype(field: dict[str, Any]) -> Any:
    import polars as pl

    if enum_of(field) is not None:
        return pl.Enum(enum_of(field))
    return {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean}[
        field["type"]
    ]


def expected_arrow_type(field: dict[str, Any]) -> pa.DataType:
    if enum_of(field) is not None:
        return pa.dictionary(pa.int32(), pa.string())
    return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}[
        field["type"]
    ]


def expected_value(field: dict[str, Any], text: str) -> Any:
    """The Python value a CSV cell stands for; None for an empty (missing) cell."""
    if text == "":
        return None
    if field["type"] == "integer":
        return int(text)
    if field["type"] == "number":
        return float(text)
    if field["type"] == "boolean":
        return {"true": True, "false": False}[text]
    return text


def cells(frame: pd.DataFrame, column: str) -> list[Any]:
    return [
        None if v is pd.NA or v is None or (isinstance(v, float) and v != v) else v for v in frame[column]
    ]


def citation(name: str | None = None, version: str = VERSION) -> str:
    table = f", table {name}" if name else ""
    return (
        f"The surveillance-ties contributors (2026). Surveillance Ties, version {version} [data set]{table}. "
        "https://github.com/surveillance-ties/surveillance-ties. Licence: CC-BY-4.0."
    )


def make_zip(
    target: Path,
    root: Path = FIXTURE,
    prefix: str = "",
    edit: dict[str, bytes] | None = None,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """A release-like zip of the package at ``root`` (hashes refreshed), optionally altered.

    ``edit`` maps a path inside the package to new bytes written *after* the descriptor was
    hashed, so the zip no longer matches its descriptor; ``change`` edits the refreshed descriptor.
    """
    with open_package(root) as pkg:
        fresh = refreshed(pkg)
    if change is not None:
        change(fresh)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(prefix + "datapackage.json", dumps(fresh))
        for folder in ("data", "schemas", "seeds"):
            for path in sorted((root / folder).rglob("*")):
                if path.is_file():
                    rel = path.relative_to(root).as_posix()
                    archive.writestr(prefix + rel, (edit or {}).get(rel, path.read_bytes()))
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- load: types, values, attrs --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_dtypes_follow_the_schema(name: str) -> None:
    fields = read_schema(name)["fields"]
    frame = st.load(name, source=FIXTURE)
    assert list(frame.columns) == [f["name"] for f in fields]
    assert dict(frame.dtypes) == {f["name"]: expected_pandas_dtype(f) for f in fields}
    # pd.StringDtype() ("string", missing = pd.NA), not pandas 3's default "str"
    assert {str(t) for t in frame.dtypes} <= {"string", "category", "Int64", "Float64", "boolean"}


@pytest.mark.parametrize("name", NAMES)
def test_values_equal_the_csv_cells(name: str) -> None:
    fields = read_schema(name)["fields"]
    rows = read_rows(name)
    frame = st.load(name, source=FIXTURE)
    assert len(frame) == len(rows)
    for field in fields:
        assert cells(frame, field["name"]) == [expected_value(field, r[field["name"]]) for r in rows], field[
            "name"
        ]


def test_numbers_booleans_and_missing_cells_are_typed() -> None:
    actions = st.load("regulatory_actions", source=FIXTURE)
    assert actions["amount"].tolist() == [5800000.0]
    assert actions["amount"].dtype == pd.Float64Dtype()
    features = st.load("features", source=FIXTURE)
    assert dict(zip(features["feature_id"], cells(features, "uses_biometrics"), strict=True)) == {
        "clearview-ai-facial-recognition": True,
        "flock-safety-camera-network": None,
        "flock-safety-natural-language-search": None,
        "ring-familiar-faces": True,
        "ring-law-enforcement-footage-sharing": None,
        "ring-search-party": None,
    }
    assert features["uses_biometrics"].isna().sum() == 4
    organizations = st.load("organizations", source=FIXTURE).set_index("org_id")
    assert organizations.loc["ring", "parent_org_id"] == "amazon"
    assert organizations.loc["amazon", "parent_org_id"] is pd.NA


def test_categories_follow_the_schema_order() -> None:
    status = st.load("partnerships", source=FIXTURE)["status"]
    assert list(status.cat.categories) == [
        "announced",
        "active",
        "ended",
        "cancelled",
        "disputed",
        "reported",
    ]
    assert status.cat.ordered is False
    assert status.value_counts(sort=False).to_dict() == {
        "announced": 0,
        "active": 2,
        "ended": 0,
        "cancelled": 1,
        "disputed": 1,
        "reported": 3,
    }


def test_partial_dates_stay_exact_strings_and_date_bounds_filters_them() -> None:
    partnerships = st.load("partnerships", source=FIXTURE).set_index("partnership_id")
    assert partnerships["announced"].dtype == pd.StringDtype()
    assert partnerships.loc["ring-flock-safety-footage-sharing", ["announced", "ended"]].tolist() == [
        "2025-10-16",
        "2026-02-12",
    ]
    assert st.date_bounds is date_bounds
    found = st.date_bounds(pd.Series(["2025", "2025-10", "2025-10-16", pd.NA], dtype=pd.StringDtype()))
    assert [[None if pd.isna(v) else v.date().isoformat() for v in row] for row in found.values.tolist()] == [
        ["2025-01-01", "2025-12-31"],
        ["2025-10-01", "2025-10-31"],
        ["2025-10-16", "2025-10-16"],
        [None, None],
    ]
    announced = st.date_bounds(partnerships["announced"])
    in_2025 = partnerships[(announced["first"] >= "2025-01-01") & (announced["last"] <= "2025-12-31")]
    assert list(in_2025.index) == [
        "ring-flock-safety-footage-sharing",
        "y-combinator-flock-safety-affiliation",
    ]


def test_date_bounds_of_a_polars_column_agree_with_bounds() -> None:
    pl = pytest.importorskip("polars")
    values = [
        "2025",
        "2025-02",
        "2024-02",
        "2023-12",
        "2025-10-16",
        None,
        "2025-02-30",
        "2025-13",
        "16/10/2025",
    ]
    found = st.date_bounds(pl.Series(values))
    assert isinstance(found, pl.DataFrame)
    assert found.schema == {"first": pl.Date, "last": pl.Date}

    def expected(value: str | None) -> tuple[dt.date | None, dt.date | None]:
        try:
            return bounds(value) if value is not None else (None, None)
        except ValueError:
            return None, None

    assert found.rows() == [expected(v) for v in values]
    assert found.rows()[:3] == [
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ]
    partnerships = st.load("partnerships", source=FIXTURE, backend="polars")
    assert st.date_bounds(partnerships["announced"]).height == partnerships.height


def test_bounds_and_precision_of_one_partial_date() -> None:
    assert [precision(v) for v in ("2024", "2024-02", "2024-02-29")] == ["year", "month", "day"]
    assert bounds("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert bounds("2023-12") == (dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    assert bounds("2024-02-29") == (dt.date(2024, 2, 29), dt.date(2024, 2, 29))
    with pytest.raises(ValueError) as info:
        bounds("2025-13")
    assert str(info.value) == "'2025-13' is not a real date"
    with pytest.raises(ValueError) as info:
        bounds("16/10/2025")
    assert str(info.value) == "'16/10/2025' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"


@pytest.mark.parametrize("name", NAMES)
def test_attrs_carry_schema_and_citation(name: str) -> None:
    frame = st.load(name, source=FIXTURE)
    assert frame.attrs == {
        "table": name,
        "version": VERSION,
        "schema": read_schema(name),
        "citation": citation(name),
    }


def test_tables_and_load_all_follow_the_descriptor() -> None:
    assert st.tables(source=FIXTURE) == NAMES
    frames = st.load_all(source=FIXTURE)
    assert list(frames) == NAMES
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, st.load(name, source=FIXTURE))


def test_default_source_is_the_installed_package() -> None:
    """Without ``source=``, the copy installed with the library is read (its descriptor only here)."""
    installed = [r["name"] for r in descriptor(package_root())["resources"]]
    assert st.tables() == installed
    assert loading.schema(installed[0]).name == installed[0]
    for resource in descriptor(package_root())["resources"]:
        assert (package_root() / resource["path"]).is_file()
        assert (package_root() / resource["schema"]).is_file()


def test_unknown_table_lists_the_valid_names() -> None:
    with pytest.raises(UnknownTableError) as info:
        st.load("partnership", source=FIXTURE)
    assert isinstance(info.value, KeyError) and isinstance(info.value, PackageError)
    assert info.value.exit_code == 2
    assert str(info.value) == f"no table 'partnership' in {FIXTURE}; the tables are: {TABLES_LINE}"
    with pytest.raises(UnknownTableError) as info:
        st.schema("nope", source=FIXTURE)
    assert str(info.value) == f"no table 'nope' in {FIXTURE}; the tables are: {TABLES_LINE}"


def test_unknown_backend_is_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        st.load("features", source=FIXTURE, backend="arrow")  # type: ignore[call-overload]
    assert str(info.value) == "backend must be one of 'pandas', 'polars', 'pyarrow', not 'arrow'"


# -- schema, package, citations --------------------------------------------------------------------


def test_schema_is_a_typed_summary_of_the_table_schema() -> None:
    s = st.schema("partnerships", source=FIXTURE)
    raw = read_schema("partnerships")
    assert (s.name, s.title) == ("partnerships", "Partnerships and other ties")
    assert s.field_names == [f["name"] for f in raw["fields"]]
    assert [(f.name, f.type) for f in s.fields][:4] == [
        ("partnership_id", "string"),
        ("org_id", "string"),
        ("partner_org_id", "string"),
        ("relationship_type", "string"),
    ]
    assert s.field("relationship_type").enum == (
        "footage_sharing",
        "network_access",
        "technology_supply",
        "investment",
        "affiliation",
    )
    assert s.field("relationship_type").is_categorical
    assert s.field("partnership_id") == Field(
        name="partnership_id",
        type="string",
        description=raw["fields"][0]["description"],
        required=True,
        unique=True,
        pattern="^[a-z0-9]+(-[a-z0-9]+)*$",
    )
    assert s.field("announced").enum is None
    assert s.primary_key == ("partnership_id",)
    assert s.foreign_keys == (
        ForeignKey(("org_id",), "organizations", ("org_id",)),
        ForeignKey(("partner_org_id",), "organizations", ("org_id",)),
    )
    assert s.missing_values == ("",)
    assert s.descriptor == raw
    assert st.schema("regulatory_actions", source=FIXTURE).field("amount").type == "number"
    with pytest.raises(KeyError) as info:
        s.field("stat")
    assert info.value.args[0] == (
        "partnerships has no field 'stat'; its fields are: partnership_id, org_id, partner_org_id, "
        "relationship_type, status, announced, ended, description, notes"
    )


def test_public_names_are_the_functions_of_the_wings() -> None:
    """``st.package`` is the loader's function, not the ``surveillance_ties.datapackage`` sub-package
    (which ``import surveillance_ties`` imports), and likewise for every lazy name."""
    code = (
        "import surveillance_ties as st\n"
        "from surveillance_ties import loading, validation\n"
        "from surveillance_ties.loading import dates, names\n"
        "from surveillance_ties.datapackage import errors\n"
        "print([name for name, wing in [('load', loading), ('load_all', loading), ('tables', loading),\n"
        "    ('schema', loading), ('package', loading), ('citations', loading), ('date_bounds', dates),\n"
        "    ('TableName', names), ('validate', validation), ('Report', validation), ('DataError', errors)]\n"
        "    if getattr(st, name) is not getattr(wing, name)])\n"
        "print(st.SourceError is errors.PackageError)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\nTrue\n"


def test_package_is_the_frictionless_package() -> None:
    pkg = st.package(source=FIXTURE)
    assert type(pkg).__module__.startswith("frictionless")
    assert pkg.resource_names == NAMES
    assert pkg.version == VERSION


def test_package_from_a_zip_is_not_extracted_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = make_zip(tmp_path / "release.zip", prefix="surveillance-ties-0.1.0/")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    pkg = loading.package(source=release)
    assert pkg.resource_names == NAMES
    assert pkg.version == VERSION
    basepath = Path(pkg.basepath or "").resolve()
    assert basepath != cwd.resolve() and not basepath.is_relative_to(tmp_path.resolve())
    assert (basepath / "data" / "partnerships.csv").read_bytes() == (
        FIXTURE / "data/partnerships.csv"
    ).read_bytes()
    assert os.listdir(cwd) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "release.zip"]


def test_citations_join_quotes_with_their_sources() -> None:
    frame = st.citations("regulatory_actions", "ftc-ring-2023-settlement", source=FIXTURE)
    sources = {r["source_id"]: r for r in read_rows("sources")}
    expected = [
        {
            "citation_id": c["citation_id"],
            "field": c["field"] or None,
            "quote": c["quote"],
            "source_id": c["source_id"],
            **{k: sources[c["source_id"]][k] or None for k in ("title", "publisher", "published", "url")},
            "cited_by": sources[c["source_id"]]["cited_by"] or None,
        }
        for c in read_rows("citations")
        if (c["record_table"], c["record_id"]) == ("regulatory_actions", "ftc-ring-2023-settlement")
    ]
    assert [r["citation_id"] for r in expected] == [
        "ftc-ring-2023-settlement-1",
        "ftc-ring-2023-settlement-2",
    ]
    assert list(frame.columns) == list(expected[0])
    assert [
        {k: (None if v is pd.NA else v) for k, v in row.items()} for row in frame.to_dict("records")
    ] == expected
    assert frame.loc[1, "cited_by"] == "techcrunch-2026-02-13-ring-cancels-flock-partnership"
    assert frame.attrs == {
        "table": "regulatory_actions",
        "record_id": "ftc-ring-2023-settlement",
        "citation": citation(),
    }


def test_citations_show_whose_claim_each_quote_is(tmp_path: Path) -> None:
    """The citations' own columns beyond the record and the quote (here ``claim`` and
    ``claimant_org_id``) come between ``field`` and ``quote``; a dispute shows as two claims."""
    pkg = with_claims(copy_package(tmp_path / "pkg"))
    path = pkg / "data/citations.csv"
    text = path.read_text(encoding="utf-8")
    old = "flock-safety-blog-does-flock-share-data-with-ice,own_reporting,,"
    assert text.count(old) == 1
    path.write_text(
        text.replace(old, "flock-safety-blog-does-flock-share-data-with-ice,party_statement,flock-safety,")
    )
    rehash(pkg)
    frame = st.citations("partnerships", "flock-safety-ice-network-access", source=pkg)
    assert list(frame.columns) == [
        "citation_id", "field", "claim", "claimant_org_id", "quote", "source_id",
        "title", "publisher", "published", "url", "cited_by",
    ]  # fmt: skip
    assert [
        (r["citation_id"], r["claim"], None if r["claimant_org_id"] is pd.NA else r["claimant_org_id"])
        for r in frame.to_dict("records")
    ] == [
        ("flock-safety-ice-network-access-1", "own_reporting", None),
        ("flock-safety-ice-network-access-2", "party_statement", "flock-safety"),
    ]
    assert list(frame["claim"].cat.categories) == [
        "own_reporting",
        "party_statement",
        "other_outlet",
        "linked_url",
    ]


def test_citations_reject_unknown_records_and_uncited_tables() -> None:
    with pytest.raises(UnknownRecordError) as info:
        st.citations("partnerships", "no-such-tie", source=FIXTURE)
    assert str(info.value) == "partnerships has no record whose partnership_id is 'no-such-tie'"
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownTableError) as info2:
        st.citations("sources", "techcrunch-2026-02-13-ring-cancels-flock-partnership", source=FIXTURE)
    assert str(info2.value) == (
        f"no citations point at table 'sources'; the cited tables are: {', '.join(CITED)}"
    )


@pytest.mark.parametrize("table", CITED)
def test_citations_of_the_first_record_of_each_cited_table(table: str) -> None:
    key = read_schema(table)["primaryKey"][0]
    first = read_rows(table)[0][key]
    frame = st.citations(table, first, source=FIXTURE)
    expected = [
        c["citation_id"]
        for c in read_rows("citations")
        if (c["record_table"], c["record_id"]) == (table, first)
    ]
    assert expected != []
    assert frame["citation_id"].tolist() == expected
    urls = {r["source_id"]: r["url"] for r in read_rows("sources")}
    assert frame["url"].tolist() == [urls[s] for s in frame["source_id"]]


# -- source=: folders, descriptors, zips, URLs ------------------------------------------------------


def test_source_folder_and_descriptor(tmp_path: Path) -> None:
    copy = copy_package(tmp_path / "pkg")
    expected = st.load("features", source=FIXTURE)
    for source in (copy, str(copy), copy / "datapackage.json", str(copy / "datapackage.json")):
        pd.testing.assert_frame_equal(st.load("features", source=source), expected)
    assert st.tables(source=copy) == NAMES
    with pytest.raises(UnknownTableError) as info:
        st.load("nope", source=copy)
    assert str(info.value) == f"no table 'nope' in {copy}; the tables are: {TABLES_LINE}"


def test_source_errors_name_the_source_and_the_fix(tmp_path: Path) -> None:
    assert HINT == "give a package folder, its datapackage.json, a release zip, or an https:// URL of one"
    with pytest.raises(PackageError) as info:
        st.load("features", source=tmp_path / "missing")
    assert str(info.value) == (
        f"{tmp_path / 'missing'}: no such file or folder; {HINT}, or a release version (v0.1.0)"
    )
    with pytest.raises(PackageError) as info:
        st.load("features", source=tmp_path)
    assert str(info.value) == f"{tmp_path}: this folder has no datapackage.json; {HINT}"
    copy = copy_package(tmp_path / "pkg")
    with pytest.raises(PackageError) as info:
        st.load("features", source=copy / "data")
    assert str(info.value) == (
        f"{copy / 'data'}: this folder has no datapackage.json (the package above it is {copy}: give that "
        f"folder); {HINT}"
    )
    with pytest.raises(PackageError) as info:
        st.load("features", source=copy / "data" / "features.csv")
    assert str(info.value) == (
        f"{copy / 'data' / 'features.csv'}: not a package folder, a datapackage.json or a release zip; {HINT}"
    )
    assert st.SourceError is PackageError  # the name of version 0.1.0


TAG = "a release version is its tag, v<MAJOR>.<MINOR>.<PATCH>"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("0.2.0", f"0.2.0: no such file or folder, nor a release version ({TAG}): give v0.2.0"),
        ("v0.2", f"v0.2: no such file or folder, nor a release version ({TAG}, such as v0.1.0)"),
        ("V0.2.0", f"V0.2.0: no such file or folder, nor a release version ({TAG}, such as v0.1.0)"),
        ("v01.2.3", f"v01.2.3: no such file or folder, nor a release version ({TAG}, such as v0.1.0)"),
        (
            "v0.2.0-rc.1",
            f"v0.2.0-rc.1: no such file or folder, nor a release version ({TAG}, such as v0.1.0)",
        ),
    ],
)
def test_source_that_is_not_a_release_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, message: str
) -> None:
    """A source meant as a version but not written as a release's tag: refused before any download
    (the releases' address is one no download can reach)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(fetch.RELEASES_ENV, "https://127.0.0.1:9/nothing")
    monkeypatch.setenv(fetch.CACHE_ENV, str(tmp_path / "cache"))
    with pytest.raises(PackageError) as info:
        st.load("features", source=source)
    assert type(info.value) is PackageError
    assert str(info.value) == message
    assert info.value.exit_code == 2
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/surveillance-ties-0.1.0.zip",
        "ftp://example.org/surveillance-ties-0.1.0.zip",
        "file:///tmp/surveillance-ties-0.1.0.zip",
    ],
)
def test_source_url_that_is_not_https_is_refused(url: str) -> None:
    with pytest.raises(FetchError) as info:
        st.load("features", source=url)
    assert str(info.value) == (
        f"{url}: only https:// URLs of release zips are downloaded; use https, or give a local path"
    )
    assert info.value.exit_code == 2


@pytest.mark.parametrize("prefix", ["", "surveillance-ties-0.1.0/"])
def test_source_zip_is_read_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str) -> None:
    release = make_zip(tmp_path / "release.zip", prefix=prefix)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    frames = st.load_all(source=release)
    assert list(frames) == NAMES
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, st.load(name, source=FIXTURE))
    assert st.schema("citations", source=release) == st.schema("citations", source=FIXTURE)
    assert st.tables(source=str(release)) == NAMES
    assert os.listdir(cwd) == []  # nothing extracted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "release.zip"]


def test_source_zip_checked_against_a_given_sha256(tmp_path: Path) -> None:
    release = make_zip(tmp_path / "release.zip")
    digest = sha256(release)
    pd.testing.assert_frame_equal(
        st.load("features", source=release, sha256=digest.upper()), st.load("features", source=FIXTURE)
    )
    wrong = "0" * 64
    with pytest.raises(HashMismatchError) as info:
        st.load("features", source=release, sha256=wrong)
    assert str(info.value) == f"{release}: its sha256 is {digest}, not {wrong}; do not use this copy"


def test_source_zip_with_a_changed_file_is_refused(tmp_path: Path) -> None:
    original = (FIXTURE / "data/partnerships.csv").read_bytes()
    changed = original.replace(b",active,", b",ACTIVE,", 1)
    assert len(changed) == len(original) and changed != original
    release = make_zip(tmp_path / "bad.zip", edit={"data/partnerships.csv": changed})
    expected_hash = descriptor()["resources"][NAMES.index("partnerships")]["hash"]
    with pytest.raises(HashMismatchError) as info:
        st.load("organizations", source=release)  # every table is checked, not only the one loaded
    assert str(info.value) == (
        f"{release}:data/partnerships.csv: does not match its hash in the descriptor (expected "
        f"{expected_hash}, found sha256:{hashlib.sha256(changed).hexdigest()}); the copy is damaged or was "
        "altered: get it again"
    )


def test_source_zip_with_a_file_of_another_size_is_refused(tmp_path: Path) -> None:
    prefix = "surveillance-ties-0.1.0/"
    release = make_zip(tmp_path / "bad.zip", prefix=prefix, edit={"data/features.csv": b"feature_id\n"})
    size = descriptor()["resources"][NAMES.index("features")]["bytes"]
    with pytest.raises(HashMismatchError) as info:
        st.load("features", source=release)
    assert str(info.value) == (
        f"{release}:{prefix}data/features.csv: has 11 bytes, not the {size} its descriptor gives; "
        "the copy is damaged or was altered: get it again"
    )


def test_source_zip_without_hashes_is_refused(tmp_path: Path) -> None:
    def drop_hash(fresh: dict[str, Any]) -> None:
        del fresh["resources"][0]["hash"]

    release = make_zip(tmp_path / "nohash.zip", change=drop_hash)
    with pytest.raises(HashMismatchError) as info:
        st.load("features", source=release)
    assert str(info.value) == (
        f"{release}:data/organizations.csv: has no `hash` in the descriptor, so it cannot be checked "
        "(build release zips with `surveillance-ties build`)"
    )


def test_source_broken_zip(tmp_path: Path) -> None:
    release = make_zip(tmp_path / "release.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(release.read_bytes()[:-200])
    with pytest.raises(PackageError) as info:
        st.load("features", source=broken)
    assert str(info.value) == f"{broken}: not a readable zip file (File is not a zip file)"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(fetch.CACHE_ENV, str(folder))
    return folder


def test_source_url_reads_its_checked_copy_in_the_cache(tmp_path: Path, cache: Path) -> None:
    """A release already downloaded (with the sha256 it was checked against) is read offline.

    The host ``example.invalid`` never resolves: a download attempt would fail with a FetchError.
    """
    url = "https://example.invalid/releases/download/v0.1.0/surveillance-ties-0.1.0.zip"
    cached = fetch.cached_path(url)
    assert cached.parent == cache
    assert cached.name.endswith("-surveillance-ties-0.1.0.zip")
    cache.mkdir()
    make_zip(cached, prefix="surveillance-ties-0.1.0/")
    cached.with_name(cached.name + ".sha256").write_text(sha256(cached) + "\n", encoding="ascii")
    frames = st.load_all(source=url)
    assert list(frames) == NAMES
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, st.load(name, source=FIXTURE))
    assert st.tables(source=url) == NAMES
    with pytest.raises(UnknownTableError) as info:
        st.load("nope", source=url)
    assert str(info.value) == f"no table 'nope' in {url}; the tables are: {TABLES_LINE}"
    assert sorted(p.name for p in cache.iterdir()) == [cached.name, cached.name + ".sha256"]


# -- data that does not fit its schema -------------------------------------------------------------


def _edit_csv(tmp_path: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    copy = copy_package(tmp_path / "pkg")
    path = copy / "data" / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return copy


def test_value_outside_enum_is_an_error(tmp_path: Path) -> None:
    copy = _edit_csv(tmp_path, "partnerships", ",disputed,", ",denied,")
    with pytest.raises(DataError) as info:
        st.load("partnerships", source=copy)
    assert isinstance(info.value, ValueError) and info.value.exit_code == 1
    assert str(info.value) == (
        f"{copy / 'data/partnerships.csv'}: row 3: status is 'denied', not one of its allowed values "
        "(announced, active, ended, cancelled, disputed, reported)"
    )


def test_values_outside_enum_are_counted(tmp_path: Path) -> None:
    rows = read_rows("partnerships")
    reported = [i + 2 for i, r in enumerate(rows) if r["status"] == "reported"]
    assert len(reported) == 3
    copy = _edit_csv(tmp_path, "partnerships", ",reported,", ",rumoured,", count=-1)
    for backend in ("pandas", "pyarrow"):
        with pytest.raises(DataError) as info:
            st.load("partnerships", source=copy, backend=backend)  # type: ignore[call-overload]
        assert str(info.value) == (
            f"{copy / 'data/partnerships.csv'}: row {reported[0]}: status is 'rumoured', not one of its "
            "allowed values (announced, active, ended, cancelled, disputed, reported) (and 2 more rows)"
        )


def test_unparseable_number_is_an_error(tmp_path: Path) -> None:
    copy = _edit_csv(tmp_path, "regulatory_actions", ",5800000,", ",5.8 million,")
    with pytest.raises(DataError) as info:
        st.load("regulatory_actions", source=copy)
    message = str(info.value)
    assert message.startswith(
        f"{copy / 'data/regulatory_actions.csv'}: a value does not fit its field's type ("
    )
    assert "invalid value '5.8 million'" in message
    assert message.endswith("); run `surveillance-ties validate` to see every problem")


@pytest.mark.parametrize(
    ("new", "detail"),
    [
        ("action_id,regulator,target_org_id,", "missing regulator_org_id"),
        ("action_id,target_org_id,regulator_org_id,", "the same columns in another order"),
    ],
    ids=["renamed", "reordered"],
)
def test_header_that_differs_from_the_schema_is_an_error(tmp_path: Path, new: str, detail: str) -> None:
    copy = _edit_csv(tmp_path, "regulatory_actions", "action_id,regulator_org_id,target_org_id,", new)
    with pytest.raises(DataError) as info:
        st.load("regulatory_actions", source=copy)
    assert str(info.value) == (
        f"{copy / 'data/regulatory_actions.csv'}: the header does not match the fields of its Table Schema "
        f"({detail}); expected: "
        "action_id,regulator_org_id,target_org_id,action_type,action_date,amount,currency,description,notes"
    )


def test_extra_header_column_is_an_error(tmp_path: Path) -> None:
    copy = _edit_csv(tmp_path, "regulatory_actions", ",description,notes\n", ",description,notes,extra\n")
    with pytest.raises(DataError) as info:
        st.load("regulatory_actions", source=copy)
    assert str(info.value) == (
        f"{copy / 'data/regulatory_actions.csv'}: the header does not match the fields of its Table Schema "
        "(unexpected extra); expected: "
        "action_id,regulator_org_id,target_org_id,action_type,action_date,amount,currency,description,notes"
    )


# -- every Table Schema type, in every backend ------------------------------------------------------


def _typed_package(folder: Path) -> Path:
    """A one-table package with a field of every type the loader maps, and custom missing/true values."""
    folder.mkdir()
    schema = {
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "n", "type": "integer"},
            {"name": "x", "type": "number"},
            {"name": "ok", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
            {"name": "d", "type": "date"},
            {"name": "dt", "type": "datetime"},
            {"name": "y", "type": "year"},
            {"name": "dd", "type": "date", "format": "%d/%m/%Y"},
            {"name": "kind", "type": "string", "constraints": {"enum": ["b", "a"]}},
            {"name": "ym", "type": "yearmonth"},
        ],
        "missingValues": ["", "NA"],
    }
    package = {
        "name": "typed",
        "version": "2.0.0",
        "resources": [{"name": "things", "path": "things.csv", "schema": schema}],
    }
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (folder / "things.csv").write_text(
        "id,n,x,ok,d,dt,y,dd,kind,ym\n"
        "r1,-3,1.5,yes,2025-10-16,2025-10-16T12:30:00Z,2025,16/10/2025,a,2025-10\n"
        "NA,NA,,no,,,,,,\n",
        encoding="utf-8",
    )
    return folder


TYPED_ARROW = pa.schema(
    [
        ("id", pa.string()),
        ("n", pa.int64()),
        ("x", pa.float64()),
        ("ok", pa.bool_()),
        ("d", pa.date32()),
        ("dt", pa.timestamp("ms", tz="UTC")),
        ("y", pa.int64()),
        ("dd", pa.date32()),
        ("kind", pa.dictionary(pa.int32(), pa.string())),
        ("ym", pa.string()),
    ]
)


def test_every_table_schema_type_is_mapped(tmp_path: Path) -> None:
    folder = _typed_package(tmp_path / "typed")
    frame = st.load("things", source=folder)
    assert dict(frame.dtypes) == {
        "id": pd.StringDtype(),
        "n": pd.Int64Dtype(),
        "x": pd.Float64Dtype(),
        "ok": pd.BooleanDtype(),
        "d": "datetime64[s]",
        "dt": pd.DatetimeTZDtype("ms", "UTC"),
        "y": pd.Int64Dtype(),
        "dd": "datetime64[s]",
        "kind": pd.CategoricalDtype(["b", "a"]),
        "ym": pd.StringDtype(),
    }
    assert frame.iloc[0].tolist() == [
        "r1",
        -3,
        1.5,
        True,
        pd.Timestamp("2025-10-16"),
        pd.Timestamp("2025-10-16T12:30:00Z"),
        2025,
        pd.Timestamp("2025-10-16"),
        "a",
        "2025-10",
    ]
    assert frame.iloc[1].isna().tolist() == [True, True, True, False, True, True, True, True, True, True]
    assert frame["ok"].tolist() == [True, False]
    assert frame.attrs["schema"]["missingValues"] == ["", "NA"]
    assert frame.attrs["version"] == "2.0.0"


def test_every_table_schema_type_is_mapped_in_polars(tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    frame = st.load("things", source=_typed_package(tmp_path / "typed"), backend="polars")
    assert dict(frame.schema) == {
        "id": pl.String,
        "n": pl.Int64,
        "x": pl.Float64,
        "ok": pl.Boolean,
        "d": pl.Date,
        "dt": pl.Datetime("ms", "UTC"),
        "y": pl.Int64,
        "dd": pl.Date,
        "kind": pl.Enum(["b", "a"]),
        "ym": pl.String,
    }
    assert frame.row(0) == (
        "r1",
        -3,
        1.5,
        True,
        dt.date(2025, 10, 16),
        dt.datetime(2025, 10, 16, 12, 30, tzinfo=dt.UTC),
        2025,
        dt.date(2025, 10, 16),
        "a",
        "2025-10",
    )
    assert frame.row(1) == (None, None, None, False, None, None, None, None, None, None)


def test_every_table_schema_type_is_mapped_in_pyarrow(tmp_path: Path) -> None:
    table = st.load("things", source=_typed_package(tmp_path / "typed"), backend="pyarrow")
    assert table.schema.remove_metadata() == TYPED_ARROW
    assert table.to_pylist() == [
        {
            "id": "r1",
            "n": -3,
            "x": 1.5,
            "ok": True,
            "d": dt.date(2025, 10, 16),
            "dt": dt.datetime(2025, 10, 16, 12, 30, tzinfo=dt.UTC),
            "y": 2025,
            "dd": dt.date(2025, 10, 16),
            "kind": "a",
            "ym": "2025-10",
        },
        {"id": None, "n": None, "x": None, "ok": False, "d": None, "dt": None, "y": None, "dd": None,
         "kind": None, "ym": None},
    ]  # fmt: skip
    assert table.column("kind").chunk(0).dictionary.to_pylist() == ["b", "a"]


# -- pyarrow ----------------------------------------------------------------------------------------

METADATA_KEYS = [
    b"surveillance_ties.table",
    b"surveillance_ties.version",
    b"surveillance_ties.citation",
    b"surveillance_ties.schema",
]


def test_pyarrow_backend_gives_an_arrow_table_with_the_schema_types_and_metadata() -> None:
    table = st.load("features", source=FIXTURE, backend="pyarrow")
    assert isinstance(table, pa.Table)
    enum = pa.dictionary(pa.int32(), pa.string())
    assert table.schema.remove_metadata() == pa.schema(
        [
            ("feature_id", pa.string()),
            ("org_id", pa.string()),
            ("name", pa.string()),
            ("category", enum),
            ("status", enum),
            ("launched", pa.string()),
            ("discontinued", pa.string()),
            ("uses_biometrics", pa.bool_()),
            ("description", pa.string()),
            ("notes", pa.string()),
        ]
    )
    assert all(field.nullable for field in table.schema)
    metadata = table.schema.metadata
    assert list(metadata) == METADATA_KEYS
    assert metadata[b"surveillance_ties.table"] == b"features"
    assert metadata[b"surveillance_ties.version"] == VERSION.encode()
    assert metadata[b"surveillance_ties.citation"].decode() == citation("features")
    assert json.loads(metadata[b"surveillance_ties.schema"]) == read_schema("features")
    category = table.column("category")
    assert [chunk.dictionary.to_pylist() for chunk in category.chunks] == [
        ["camera_network", "footage_sharing", "facial_recognition", "video_search", "other"]
    ]
    assert table.column("uses_biometrics").to_pylist() == [True, None, None, True, None, None]
    assert table.column("uses_biometrics").null_count == 4


@pytest.mark.parametrize("name", NAMES)
def test_pyarrow_backend_has_the_same_columns_types_and_values(name: str) -> None:
    fields = read_schema(name)["fields"]
    table = st.load(name, source=FIXTURE, backend="pyarrow")
    assert [(f.name, f.type) for f in table.schema] == [(f["name"], expected_arrow_type(f)) for f in fields]
    for field in fields:
        column = table.column(field["name"])
        if enum_of(field) is not None:
            assert {tuple(chunk.dictionary.to_pylist()) for chunk in column.chunks} == {tuple(enum_of(field))}
    rows = read_rows(name)
    assert table.to_pylist() == [{f["name"]: expected_value(f, r[f["name"]]) for f in fields} for r in rows]
    assert list(table.schema.metadata) == METADATA_KEYS


def test_pyarrow_backend_of_load_all_and_of_a_zip(tmp_path: Path) -> None:
    release = make_zip(tmp_path / "release.zip")
    tables = st.load_all(source=release, backend="pyarrow")
    assert list(tables) == NAMES
    for name, table in tables.items():
        assert table.equals(st.load(name, source=FIXTURE, backend="pyarrow"), check_metadata=True)


# -- polars -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_polars_backend_has_the_same_columns_and_types(name: str) -> None:
    pl = pytest.importorskip("polars")
    fields = read_schema(name)["fields"]
    frame = st.load(name, source=FIXTURE, backend="polars")
    assert isinstance(frame, pl.DataFrame)
    assert dict(frame.schema) == {f["name"]: expected_polars_dtype(f) for f in fields}
    rows = read_rows(name)
    for field in fields:
        assert frame[field["name"]].to_list() == [expected_value(field, r[field["name"]]) for r in rows]


def test_polars_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)  # makes `import polars` fail
    with pytest.raises(MissingDependencyError) as info:
        st.load("features", source=FIXTURE, backend="polars")
    assert isinstance(info.value, ImportError) and info.value.exit_code == 2
    assert str(info.value) == "backend='polars' needs polars: pip install 'surveillance-ties[polars]'"


# -- import cost, versions, installation -----------------------------------------------------------

HEAVY = ("pandas", "pyarrow", "polars", "frictionless", "pandera", "numpy")


def _modules_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [m for m in json.loads(out.stdout) if m in HEAVY]


def test_import_is_light() -> None:
    fixture = repr(str(FIXTURE))
    assert _modules_after("import surveillance_ties") == []
    assert (
        _modules_after(
            f"import surveillance_ties as st; st.tables({fixture}); st.schema('features', {fixture})"
        )
        == []
    )
    assert _modules_after(f"import surveillance_ties as st; st.load('features', {fixture})") == [
        "numpy",
        "pandas",
        "pyarrow",
    ]


def test_one_version() -> None:
    assert (
        st.__version__
        == descriptor(package_root())["version"]
        == importlib.metadata.version("surveillance-ties")
    )


def test_a_broken_descriptor_does_not_break_the_import(tmp_path: Path) -> None:
    """A contributor's half-edited datapackage.json: importing still works (the version falls back
    to the installed distribution's), so ``validate`` can say what is wrong instead of a traceback."""
    import shutil

    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "datapackage.json").write_text('{"name": "surveillance-ties", "version": ', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    code = "import surveillance_ties as st; print(st.__file__); print(st.__version__)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert (shown.returncode, shown.stderr) == (0, "")
    assert shown.stdout.splitlines() == [
        str(tmp_path / "src/surveillance_ties/__init__.py"),
        importlib.metadata.version("surveillance-ties"),
    ]
    run = [sys.executable, "-m", "surveillance_ties", "validate", str(tmp_path)]
    done = subprocess.run(run, capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stderr) == (2, "")  # 2: the package cannot be read at all
    assert done.stdout == (
        "== datapackage.json\n"
        "datapackage.json:1: not valid JSON: Expecting value (column 42) [descriptor-json]\n"
        "    hint: fix the JSON syntax of datapackage.json (a missing comma, quote or bracket)\n"
        "\n"
        "1 error: 1 descriptor-json\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_descriptor_that_is_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    """The version is read through the package layer: a FIFO in the place of datapackage.json
    (a hostile pull request) neither hangs the import nor is read."""
    import shutil

    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    os.mkfifo(tmp_path / "datapackage.json")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    code = "import surveillance_ties as st; print(st.__version__)"
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert (shown.returncode, shown.stdout, shown.stderr) == (
        0,
        importlib.metadata.version("surveillance-ties") + "\n",
        "",
    )


def test_editable_install_reads_the_repository() -> None:
    if not Path(st.__file__).resolve().is_relative_to(ROOT / "src"):
        pytest.skip("surveillance_ties is not imported from this repository's src/")
    assert package_root() == ROOT
    files = importlib.metadata.distribution("surveillance-ties").files or []
    assert [str(f) for f in files if "_data" in str(f)] == []  # no stale copy in site-packages
