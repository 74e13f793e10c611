"""The typed loaders (issue 4): load, load_all, tables, schema, package, citations, and source=.

Expected dtypes and values are derived here from the schemas and CSVs
independently of the library's own mapping (surveillance_ties.dtypes).
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import subprocess
import sys
import urllib.error
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import surveillance_ties as st
from surveillance_ties import fetch
from surveillance_ties.dates import date_bounds
from surveillance_ties.descriptor import dumps, refreshed
from surveillance_ties.frames import DataError
from surveillance_ties.loader import MissingBackendError, UnknownRecordError, UnknownTableError
from surveillance_ties.resources import package_root
from surveillance_ties.source import HINT, HashMismatchError, SourceError
from surveillance_ties.tableschema import Field, ForeignKey

from . import conftest
from .conftest import DESCRIPTOR, RESOURCE_NAMES, RESOURCES, ROOT, read_rows, read_schema

PACKAGE_FILES = ["datapackage.json", "data", "schemas", "seeds"]
TABLES_LINE = "organizations, partnerships, features, regulatory_actions, sources, citations"


# -- expectations derived from the schemas ---------------------------------------------------------


def expected_pandas_dtype(field: dict[str, Any]) -> Any:
    enum = field.get("constraints", {}).get("enum")
    if field["type"] == "string" and enum is not None:
        return pd.CategoricalDtype(enum, ordered=False)
    return {
        "string": pd.StringDtype(),
        "integer": pd.Int64Dtype(),
        "number": pd.Float64Dtype(),
        "boolean": pd.BooleanDtype(),
    }[field["type"]]


def expected_polars_dtype(field: dict[str, Any]) -> Any:
    import polars as pl

    enum = field.get("constraints", {}).get("enum")
    if field["type"] == "string" and enum is not None:
        return pl.Enum(enum)
    return {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean}[
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


def make_zip(target: Path, root: Path = ROOT, prefix: str = "", edit: dict[str, bytes] | None = None) -> Path:
    """A release-like zip of the package at ``root`` (hashes refreshed), optionally with files replaced.

    ``edit`` maps a path inside the package to new bytes written *after* the
    descriptor was hashed, so the zip no longer matches its descriptor.
    """
    descriptor = refreshed(json.loads((root / "datapackage.json").read_text(encoding="utf-8")), root)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(prefix + "datapackage.json", dumps(descriptor))
        for folder in PACKAGE_FILES[1:]:
            for path in sorted((root / folder).rglob("*")):
                if path.is_file():
                    rel = path.relative_to(root).as_posix()
                    data = (edit or {}).get(rel, path.read_bytes())
                    archive.writestr(prefix + rel, data)
    return target


def copy_package(target: Path) -> Path:
    return conftest.copy_package(target)


# -- load: types, values, attrs --------------------------------------------------------------------


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_dtypes_follow_the_schema(name: str) -> None:
    fields = read_schema(name)["fields"]
    frame = st.load(name)
    assert list(frame.columns) == [f["name"] for f in fields]
    assert dict(frame.dtypes) == {f["name"]: expected_pandas_dtype(f) for f in fields}
    # pd.StringDtype() ("string", missing = pd.NA), not pandas 3's default "str"
    assert {str(t) for t in frame.dtypes} <= {"string", "category", "Int64", "Float64", "boolean"}


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_values_equal_the_csv_cells(name: str) -> None:
    fields = read_schema(name)["fields"]
    rows = read_rows(name)
    frame = st.load(name)
    assert len(frame) == len(rows)
    for field in fields:
        assert cells(frame, field["name"]) == [expected_value(field, r[field["name"]]) for r in rows], field[
            "name"
        ]


def test_numbers_booleans_and_missing_cells_are_typed() -> None:
    actions = st.load("regulatory_actions")
    assert actions["amount"].tolist() == [5800000.0]
    assert actions["amount"].dtype == pd.Float64Dtype()
    features = st.load("features")
    assert dict(zip(features["feature_id"], cells(features, "uses_biometrics"), strict=True)) == {
        "clearview-ai-facial-recognition": True,
        "flock-safety-camera-network": None,
        "flock-safety-natural-language-search": None,
        "ring-familiar-faces": True,
        "ring-law-enforcement-footage-sharing": None,
        "ring-search-party": None,
    }
    assert features["uses_biometrics"].isna().sum() == 4
    organizations = st.load("organizations").set_index("org_id")
    assert organizations.loc["ring", "parent_org_id"] == "amazon"
    assert organizations.loc["amazon", "parent_org_id"] is pd.NA


def test_categories_follow_the_schema_order() -> None:
    status = st.load("partnerships")["status"]
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
    partnerships = st.load("partnerships").set_index("partnership_id")
    assert partnerships["announced"].dtype == pd.StringDtype()
    assert partnerships.loc["ring-flock-safety-footage-sharing", ["announced", "ended"]].tolist() == [
        "2025-10-16",
        "2026-02-12",
    ]
    assert st.date_bounds is date_bounds
    bounds = st.date_bounds(pd.Series(["2025", "2025-10", "2025-10-16", pd.NA], dtype=pd.StringDtype()))
    assert [
        [None if pd.isna(v) else v.date().isoformat() for v in row] for row in bounds.values.tolist()
    ] == [
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


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_attrs_carry_schema_and_citation(name: str) -> None:
    frame = st.load(name)
    assert frame.attrs == {
        "table": name,
        "version": DESCRIPTOR["version"],
        "schema": read_schema(name),
        "citation": (
            f"The surveillance-ties contributors (2026). Surveillance Ties, version {DESCRIPTOR['version']} "
            f"[data set], table {name}. https://github.com/surveillance-ties/surveillance-ties. "
            "Licence: CC-BY-4.0."
        ),
    }


def test_tables_and_load_all_follow_the_descriptor() -> None:
    assert st.tables() == RESOURCE_NAMES
    frames = st.load_all()
    assert list(frames) == RESOURCE_NAMES
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, st.load(name))


def test_unknown_table_lists_the_valid_names() -> None:
    with pytest.raises(UnknownTableError) as info:
        st.load("partnership")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    assert str(info.value) == f"no table 'partnership' in {package_root()}; the tables are: {TABLES_LINE}"
    with pytest.raises(UnknownTableError, match="the tables are: organizations, "):
        st.schema("nope")


def test_unknown_backend_is_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        st.load("features", backend="arrow")  # type: ignore[call-overload]
    assert str(info.value) == "backend must be one of 'pandas', 'polars', not 'arrow'"


# -- schema, package, citations --------------------------------------------------------------------


def test_schema_is_a_typed_summary_of_the_table_schema() -> None:
    s = st.schema("partnerships")
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
    assert s.descriptor == raw
    assert st.schema("regulatory_actions").field("amount").type == "number"
    with pytest.raises(KeyError, match="partnerships has no field 'stat'; its fields are: partnership_id, "):
        s.field("stat")


def test_package_is_the_frictionless_package() -> None:
    pkg = st.package()
    assert type(pkg).__module__.startswith("frictionless")
    assert pkg.resource_names == RESOURCE_NAMES
    assert pkg.version == DESCRIPTOR["version"]


def test_package_from_a_zip_is_not_extracted_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = make_zip(tmp_path / "release.zip")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    pkg = st.package(source=release)
    assert pkg.resource_names == RESOURCE_NAMES
    assert Path(pkg.basepath or "").resolve() != cwd.resolve()
    assert os.listdir(cwd) == []


def test_citations_join_quotes_with_their_sources() -> None:
    frame = st.citations("regulatory_actions", "ftc-ring-2023-settlement")
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
        if (c["table"], c["record_id"]) == ("regulatory_actions", "ftc-ring-2023-settlement")
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


def test_citations_reject_unknown_records_and_uncited_tables() -> None:
    with pytest.raises(UnknownRecordError) as info:
        st.citations("partnerships", "no-such-tie")
    assert str(info.value) == "partnerships has no record whose partnership_id is 'no-such-tie'"
    with pytest.raises(UnknownTableError) as info2:
        st.citations("sources", "techcrunch-2026-02-13-ring-cancels-flock-partnership")
    assert str(info2.value) == (
        "no citations point at table 'sources'; the cited tables are: "
        "organizations, partnerships, features, regulatory_actions"
    )


@pytest.mark.parametrize("table", ["organizations", "partnerships", "features", "regulatory_actions"])
def test_every_record_has_citations(table: str) -> None:
    key = read_schema(table)["primaryKey"][0]
    first = read_rows(table)[0][key]
    frame = st.citations(table, first)
    assert len(frame) >= 1
    assert frame["quote"].notna().all() and frame["url"].notna().all()


# -- source=: folders, descriptors, zips, URLs ------------------------------------------------------


def test_source_folder_and_descriptor(tmp_path: Path) -> None:
    copy = copy_package(tmp_path / "pkg")
    for source in (copy, str(copy), copy / "datapackage.json"):
        pd.testing.assert_frame_equal(st.load("features", source=source), st.load("features"))
    assert st.tables(source=copy) == RESOURCE_NAMES
    with pytest.raises(UnknownTableError) as info:
        st.load("nope", source=copy)
    assert str(info.value) == f"no table 'nope' in {copy}; the tables are: {TABLES_LINE}"


def test_source_errors_name_the_source_and_the_fix(tmp_path: Path) -> None:
    assert HINT == "give a package folder, its datapackage.json, a release zip, or an https:// URL of one"
    with pytest.raises(SourceError) as info:
        st.load("features", source=tmp_path / "missing")
    assert str(info.value) == f"{tmp_path / 'missing'}: no such file or folder; {HINT}"
    with pytest.raises(SourceError) as info:
        st.load("features", source=tmp_path)
    assert str(info.value) == f"{tmp_path}: this folder has no datapackage.json; {HINT}"
    with pytest.raises(SourceError) as info:
        st.load("features", source="http://example.org/surveillance-ties-0.1.0.zip")
    assert str(info.value) == (
        "http://example.org/surveillance-ties-0.1.0.zip: only https:// URLs of release zips are downloaded "
        "(or give a local path)"
    )


@pytest.mark.parametrize("prefix", ["", "surveillance-ties-0.1.0/"])
def test_source_zip_is_read_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str) -> None:
    release = make_zip(tmp_path / "release.zip", prefix=prefix)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    frames = st.load_all(source=release)
    assert list(frames) == RESOURCE_NAMES
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, st.load(name))
    assert st.schema("citations", source=release) == st.schema("citations")
    assert sorted(os.listdir(cwd)) == []  # nothing extracted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "release.zip"]


def test_source_zip_with_a_changed_file_is_refused(tmp_path: Path) -> None:
    original = (ROOT / "data/partnerships.csv").read_bytes()
    release = make_zip(
        tmp_path / "bad.zip", edit={"data/partnerships.csv": original.replace(b"active", b"ACTIVE", 1)}
    )
    expected_hash = refreshed(DESCRIPTOR, ROOT)["resources"][RESOURCE_NAMES.index("partnerships")]["hash"]
    with pytest.raises(HashMismatchError) as info:
        st.load("organizations", source=release)
    message = str(info.value)
    assert message.startswith(
        f"{release}: data/partnerships.csv does not match its hash in the zip's datapackage.json "
        f"(expected {expected_hash}, found sha256:"
    )
    assert message.endswith("); the zip is damaged or was altered: download the release again")


def test_source_zip_without_hashes_is_refused(tmp_path: Path) -> None:
    descriptor = json.loads(dumps(DESCRIPTOR))
    del descriptor["resources"][0]["hash"]
    release = tmp_path / "nohash.zip"
    with zipfile.ZipFile(release, "w") as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor))
        archive.write(ROOT / "data/organizations.csv", "data/organizations.csv")
    with pytest.raises(SourceError) as info:
        st.load("organizations", source=release)
    assert str(info.value) == (
        f"{release}: resource 'organizations' has no `hash` in the zip's datapackage.json, so "
        "data/organizations.csv cannot be checked (build release zips with `surveillance-ties build`, or run "
        "`surveillance-ties rehash` before zipping)"
    )


def test_source_broken_zip(tmp_path: Path) -> None:
    release = make_zip(tmp_path / "release.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(release.read_bytes()[:-200])
    with pytest.raises(SourceError) as info:
        st.load("features", source=broken)
    assert str(info.value) == f"{broken}: not a readable zip file (File is not a zip file); {HINT}"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(fetch.CACHE_ENV, str(folder))
    return folder


def test_source_file_url_is_cached_atomically(tmp_path: Path, cache: Path) -> None:
    release = make_zip(tmp_path / "surveillance-ties-0.1.0.zip")
    url = release.as_uri()
    pd.testing.assert_frame_equal(st.load("sources", source=url), st.load("sources"))
    cached = fetch.cached_path(url)
    assert cached.parent == cache
    assert cached.name.endswith("-surveillance-ties-0.1.0.zip")
    assert sorted(p.name for p in cache.iterdir()) == [cached.name]  # no partial download left
    release.unlink()  # offline from now on: the cached copy is used
    pd.testing.assert_frame_equal(st.load("sources", source=url), st.load("sources"))


class FakeOpener:
    """Serves one zip for any URL, counting calls (no network in tests)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.calls: list[str] = []

    def __call__(self, url: str, timeout: float) -> io.BytesIO:
        self.calls.append(url)
        return io.BytesIO(self.data)


def test_source_https_url_downloads_once(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opener = FakeOpener(make_zip(tmp_path / "r.zip").read_bytes())
    monkeypatch.setattr(fetch, "urlopen", opener)
    url = "https://example.org/releases/download/v0.1.0/surveillance-ties-0.1.0.zip"
    frames = st.load_all(source=url)
    assert list(frames) == RESOURCE_NAMES
    pd.testing.assert_frame_equal(st.load("partnerships", source=url), st.load("partnerships"))
    assert opener.calls == [url]
    assert [p.name for p in cache.iterdir()] == [fetch.cached_path(url).name]


def test_source_https_url_with_a_bad_file_is_not_cached(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = make_zip(tmp_path / "bad.zip", edit={"data/features.csv": b"feature_id\n"}).read_bytes()
    monkeypatch.setattr(fetch, "urlopen", FakeOpener(bad))
    url = "https://example.org/surveillance-ties-0.1.0.zip"
    with pytest.raises(HashMismatchError) as info:
        st.load("features", source=url)
    assert str(info.value).startswith(f"{url}: data/features.csv does not match its hash")
    assert list(cache.iterdir()) == []


def test_source_download_failure(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str, timeout: float) -> io.BytesIO:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(fetch, "urlopen", offline)
    url = "https://example.org/surveillance-ties-0.1.0.zip"
    with pytest.raises(fetch.FetchError) as info:
        st.load("features", source=url)
    assert str(info.value) == (
        f"{url}: download failed ([Errno -3] Temporary failure in name resolution); check the address and "
        "the connection, or download the zip yourself and give its path"
    )
    assert list(cache.iterdir()) == []


# -- data that does not fit its schema -------------------------------------------------------------


def _edit_csv(tmp_path: Path, name: str, old: str, new: str) -> Path:
    copy = copy_package(tmp_path / "pkg")
    path = copy / "data" / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_value_outside_enum_is_an_error(tmp_path: Path) -> None:
    copy = _edit_csv(tmp_path, "partnerships", ",disputed,", ",denied,")
    with pytest.raises(DataError) as info:
        st.load("partnerships", source=copy)
    assert str(info.value) == (
        f"{copy / 'data/partnerships.csv'}: row 3: status is 'denied', not one of its allowed values "
        "(announced, active, ended, cancelled, disputed, reported)"
    )


def test_unparseable_number_is_an_error(tmp_path: Path) -> None:
    copy = _edit_csv(tmp_path, "regulatory_actions", ",5800000,", ",5.8 million,")
    with pytest.raises(DataError) as info:
        st.load("regulatory_actions", source=copy)
    message = str(info.value)
    assert message.startswith(f"{copy / 'data/regulatory_actions.csv'}: ")
    assert "invalid value '5.8 million'" in message


def test_header_that_differs_from_the_schema_is_an_error(tmp_path: Path) -> None:
    copy = _edit_csv(tmp_path, "regulatory_actions", "action_id,regulator_org_id,", "action_id,regulator,")
    with pytest.raises(DataError) as info:
        st.load("regulatory_actions", source=copy)
    assert str(info.value) == (
        f"{copy / 'data/regulatory_actions.csv'}: the header does not match the fields of its Table Schema "
        "(missing regulator_org_id, unexpected regulator); expected: "
        "action_id,regulator_org_id,target_org_id,action_type,date,amount,currency,description,notes"
    )


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
    descriptor = {"name": "typed", "resources": [{"name": "things", "path": "things.csv", "schema": schema}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (folder / "things.csv").write_text(
        "id,n,x,ok,d,dt,y,dd,kind,ym\n"
        "r1,-3,1.5,yes,2025-10-16,2025-10-16T12:30:00Z,2025,16/10/2025,a,2025-10\n"
        "NA,NA,,no,,,,,,\n",
        encoding="utf-8",
    )
    return folder


def test_every_table_schema_type_is_mapped(tmp_path: Path) -> None:
    folder = _typed_package(tmp_path / "typed")
    frame = st.load("things", source=folder)
    assert dict(frame.dtypes) == {
        "id": pd.StringDtype(),
        "n": pd.Int64Dtype(),
        "x": pd.Float64Dtype(),
        "ok": pd.BooleanDtype(),
        "d": "datetime64[s]",
        "dt": pd.DatetimeTZDtype("s", "UTC"),
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


def test_every_table_schema_type_is_mapped_in_polars(tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    frame = st.load("things", source=_typed_package(tmp_path / "typed"), backend="polars")
    assert dict(frame.schema) == {
        "id": pl.String,
        "n": pl.Int64,
        "x": pl.Float64,
        "ok": pl.Boolean,
        "d": pl.Datetime("ms"),
        "dt": pl.Datetime("ms", "UTC"),
        "y": pl.Int64,
        "dd": pl.Datetime("ms"),
        "kind": pl.Enum(["b", "a"]),
        "ym": pl.String,
    }
    assert frame.row(1) == (None, None, None, False, None, None, None, None, None, None)


# -- polars -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_polars_backend_has_the_same_columns_and_types(name: str) -> None:
    pl = pytest.importorskip("polars")
    fields = read_schema(name)["fields"]
    frame = st.load(name, backend="polars")
    assert isinstance(frame, pl.DataFrame)
    assert dict(frame.schema) == {f["name"]: expected_polars_dtype(f) for f in fields}
    rows = read_rows(name)
    for field in fields:
        assert frame[field["name"]].to_list() == [expected_value(field, r[field["name"]]) for r in rows]


def test_polars_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)  # makes `import polars` fail
    with pytest.raises(MissingBackendError) as info:
        st.load("features", backend="polars")
    assert isinstance(info.value, ImportError)
    assert str(info.value) == "backend='polars' needs polars: pip install 'surveillance-ties[polars]'"


# -- import cost, versions, installation -----------------------------------------------------------

HEAVY = ("pandas", "pyarrow", "polars", "frictionless", "pandera", "numpy")


def _modules_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [m for m in json.loads(out.stdout) if m in HEAVY]


def test_import_is_light() -> None:
    assert _modules_after("import surveillance_ties") == []
    assert _modules_after("import surveillance_ties as st; st.tables(); st.schema('features')") == []
    assert _modules_after("import surveillance_ties as st; st.load('features')") == [
        "numpy",
        "pandas",
        "pyarrow",
    ]


def test_importing_the_loader_module_does_not_shadow_load() -> None:
    code = "import surveillance_ties.loader, surveillance_ties as st; print(st.load is st.loader.load)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "True\n"


def test_one_version() -> None:
    assert st.__version__ == DESCRIPTOR["version"] == importlib.metadata.version("surveillance-ties")


def test_editable_install_reads_the_repository() -> None:
    if not Path(st.__file__).resolve().is_relative_to(ROOT / "src"):
        pytest.skip("surveillance_ties is not imported from this repository's src/")
    assert package_root() == ROOT
    files = importlib.metadata.distribution("surveillance-ties").files or []
    assert [str(f) for f in files if "_data" in str(f)] == []  # no stale copy in site-packages


def test_resources_paths_exist() -> None:
    assert [r["name"] for r in RESOURCES] == st.tables()
    for resource in RESOURCES:
        assert (package_root() / resource["path"]).is_file()
        assert (package_root() / resource["schema"]).is_file()
