"""The SQLite and Parquet exports of ``surveillance_ties.release.export`` (issue 5): typed from the
schemas like ``st.load(..., backend="pyarrow")``, row for row equal to the CSVs.

The exports are made from the fixture package and from a one-table package with a field of every
Table Schema type; expected types and values are derived here from the schemas and CSVs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import surveillance_ties as st
from surveillance_ties.datapackage import DataError, DescriptorError, Field, TableSchema, open_package
from surveillance_ties.datapackage.typemap import arrow_type, pandas_dtype, pandas_metadata, sqlite_type
from surveillance_ties.release.export import (
    METADATA_DDL,
    PARQUET_COMPRESSION,
    datasette_metadata,
    sqlite_ddl,
    write_parquet,
    write_sqlite,
)

from .conftest import FIXTURE, copy_package, descriptor, read_rows, read_schema, resource_names

NAMES = resource_names()
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
ENUM = pa.dictionary(pa.int32(), pa.string())


def enum_of(field: dict[str, Any]) -> list[str] | None:
    enum = field.get("constraints", {}).get("enum")
    return enum if field["type"] == "string" else None


def expected_arrow_type(field: dict[str, Any]) -> pa.DataType:
    if enum_of(field) is not None:
        return ENUM
    return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}[
        field["type"]
    ]


def typed(value: str, kind: str) -> Any:
    """A CSV cell as the export must hold it: empty -> None, else by the Table Schema type."""
    if value == "":
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return {"true": True, "false": False}[value]
    return value


def expected_rows(name: str) -> list[tuple[Any, ...]]:
    fields = read_schema(name)["fields"]
    return [tuple(typed(r[f["name"]], f["type"]) for f in fields) for r in read_rows(name)]


def export(source: Path | str, out: Path) -> Path:
    """The SQLite file and one Parquet file per table of the package at ``source``, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with open_package(source) as pkg:
        write_sqlite(pkg, out / "package.sqlite")
        for name in pkg.table_names:
            write_parquet(pkg, name, out / f"{name}.parquet")
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(FIXTURE, tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def db(exports: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(exports / "package.sqlite")
    yield con
    con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- SQLite ----------------------------------------------------------------------------------------


def test_sqlite_has_one_table_per_resource(db: sqlite3.Connection) -> None:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    assert names == [*NAMES, "_metadata", "_tables", "_columns"]  # the data, then what describes it


def test_sqlite_holds_the_package_metadata(db: sqlite3.Connection) -> None:
    d = descriptor()
    assert db.execute('SELECT key, value FROM "_metadata" ORDER BY rowid').fetchall() == [
        ("name", "surveillance-ties"),
        ("title", "Surveillance Ties"),
        ("description", d["description"]),
        ("version", "0.1.0"),
        ("created", "2026-11-26T00:00:00Z"),
        ("homepage", "https://github.com/surveillance-ties/surveillance-ties"),
        ("license", "CC-BY-4.0"),
        ("license_url", "https://creativecommons.org/licenses/by/4.0/"),
        ("licenses", json.dumps(d["licenses"], ensure_ascii=False)),
        (
            "citation",
            "The surveillance-ties contributors (2026). Surveillance Ties, version 0.1.0 [data set]. "
            "https://github.com/surveillance-ties/surveillance-ties. Licence: CC-BY-4.0.",
        ),
    ]
    assert db.execute("SELECT value FROM _metadata WHERE key = 'license'").fetchone() == ("CC-BY-4.0",)
    assert db.execute('SELECT table_name, title, description FROM "_tables" ORDER BY rowid').fetchall() == [
        (r["name"], r["title"], r["description"]) for r in d["resources"]
    ]


@pytest.mark.parametrize("name", NAMES)
def test_sqlite_holds_the_column_descriptions(db: sqlite3.Connection, name: str) -> None:
    rows = db.execute(
        'SELECT column_name, position, type, title, description FROM "_columns" WHERE table_name = ? '
        "ORDER BY position",
        (name,),
    ).fetchall()
    assert rows == [
        (f["name"], i, f["type"], None, f["description"])
        for i, f in enumerate(read_schema(name)["fields"], start=1)
    ]
    assert all(r[4] for r in rows)  # the fixture describes every column


def test_sqlite_metadata_tables_ddl(db: sqlite3.Connection) -> None:
    stored = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_%' ESCAPE '\\' "
        "ORDER BY rowid"
    ).fetchall()
    assert stored == list(METADATA_DDL.items())
    assert METADATA_DDL["_columns"] == (
        'CREATE TABLE "_columns" (\n'
        '  "table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"),\n'
        '  "column_name" TEXT NOT NULL,\n'
        '  "position" INTEGER NOT NULL,\n'
        '  "type" TEXT NOT NULL,\n'
        '  "title" TEXT,\n'
        '  "description" TEXT,\n'
        '  PRIMARY KEY ("table_name", "column_name")\n'
        ")"
    )


def test_a_table_named_like_a_metadata_table_is_refused(tmp_path: Path) -> None:
    copy = copy_package(tmp_path / "pkg")
    raw = descriptor(copy)
    raw["resources"][3]["name"] = "_tables"  # regulatory_actions, which no foreign key refers to
    (copy / "datapackage.json").write_text(json.dumps(raw), encoding="utf-8")
    with open_package(copy) as pkg, pytest.raises(DescriptorError) as info:
        write_sqlite(pkg, tmp_path / "package.sqlite")
    assert str(info.value) == (
        f"{copy}: a table is named _tables, a name the SQLite export keeps for itself; rename it"
    )
    assert info.value.exit_code == 2


@pytest.mark.parametrize("name", NAMES)
def test_sqlite_rows_equal_the_csv(db: sqlite3.Connection, name: str) -> None:
    rows = db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
    expected = [
        tuple(int(v) if isinstance(v, bool) else v for v in row) for row in expected_rows(name)
    ]  # SQLite stores booleans as 0 and 1
    assert rows == expected
    assert len(rows) == len(read_rows(name))


@pytest.mark.parametrize("name", NAMES)
def test_sqlite_columns_types_keys(db: sqlite3.Connection, name: str) -> None:
    schema = read_schema(name)
    info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
    pk = schema["primaryKey"]
    assert [(c[1], c[2], c[3], c[5]) for c in info] == [
        (
            f["name"],
            SQLITE_TYPES[f["type"]],
            int(bool(f.get("constraints", {}).get("required")) or f["name"] in pk),
            pk.index(f["name"]) + 1 if f["name"] in pk else 0,
        )
        for f in schema["fields"]
    ]
    fks = db.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
    declared = sorted(
        (fk["reference"]["resource"] or name, fk["fields"][0], fk["reference"]["fields"][0])
        for fk in schema["foreignKeys"]
    )
    assert sorted((r[2], r[3], r[4]) for r in fks) == declared
    indexes = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY rowid",
        (name,),
    ).fetchall()
    assert [r[0] for r in indexes] == [f"idx_{name}_{'_'.join(fk['fields'])}" for fk in schema["foreignKeys"]]


@pytest.mark.parametrize("name", NAMES)
def test_sqlite_holds_the_ddl_of_each_schema(db: sqlite3.Connection, name: str) -> None:
    with open_package(FIXTURE) as pkg:
        ddl = sqlite_ddl(pkg.resource(name).table_schema)
    stored = db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY rowid", (name,)
    ).fetchall()
    assert [r[0] for r in stored] == ddl


def test_sqlite_foreign_keys_hold_and_database_is_sound(db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_sqlite_enforces_declared_keys(exports: Path, tmp_path: Path) -> None:
    """The declared keys are real: a duplicate primary key and an orphan foreign key are refused."""
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes((exports / "package.sqlite").read_bytes())
    con = sqlite3.connect(copy)
    con.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed: organizations.org_id"):
        con.execute(
            "INSERT INTO organizations (org_id, name, org_type, description) "
            "VALUES ('ring', 'x', 'company', 'x')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        con.execute(
            "INSERT INTO features (feature_id, org_id, name, category, status, description) "
            "VALUES ('f', 'no-such-org', 'x', 'other', 'active', 'x')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL constraint failed: features.name"):
        con.execute(
            "INSERT INTO features (feature_id, org_id, category, status, description) "
            "VALUES ('f', 'ring', 'other', 'active', 'x')"
        )
    con.close()


def test_sqlite_ddl_of_partnerships() -> None:
    with open_package(FIXTURE) as pkg:
        schema = pkg.resource("partnerships").table_schema
    assert isinstance(schema, TableSchema)
    assert sqlite_ddl(schema) == [
        'CREATE TABLE "partnerships" (\n'
        '  "partnership_id" TEXT NOT NULL,\n'
        '  "org_id" TEXT NOT NULL,\n'
        '  "partner_org_id" TEXT NOT NULL,\n'
        '  "relationship_type" TEXT NOT NULL,\n'
        '  "status" TEXT NOT NULL,\n'
        '  "announced" TEXT,\n'
        '  "ended" TEXT,\n'
        '  "description" TEXT NOT NULL,\n'
        '  "notes" TEXT,\n'
        '  PRIMARY KEY ("partnership_id"),\n'
        '  FOREIGN KEY ("org_id") REFERENCES "organizations" ("org_id"),\n'
        '  FOREIGN KEY ("partner_org_id") REFERENCES "organizations" ("org_id")\n'
        ")",
        'CREATE INDEX "idx_partnerships_org_id" ON "partnerships" ("org_id")',
        'CREATE INDEX "idx_partnerships_partner_org_id" ON "partnerships" ("partner_org_id")',
    ]


def test_sqlite_refuses_a_duplicate_primary_key_as_a_data_error(tmp_path: Path) -> None:
    copy = copy_package(tmp_path / "pkg")
    csv = copy / "data" / "organizations.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    ring = next(line for line in lines if line.startswith("ring,"))
    csv.write_text("".join([*lines, ring]), encoding="utf-8")
    with open_package(copy) as pkg, pytest.raises(DataError) as info:
        write_sqlite(pkg, tmp_path / "package.sqlite")
    assert info.value.exit_code == 1
    assert str(info.value) == (
        f"{csv}: violates its schema in SQLite (UNIQUE constraint failed: organizations.org_id)"
    )


# -- Parquet ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_parquet_rows_and_types_equal_the_csv(exports: Path, name: str) -> None:
    table = pq.read_table(exports / f"{name}.parquet")
    fields = read_schema(name)["fields"]
    assert [(f.name, f.type) for f in table.schema] == [(f["name"], expected_arrow_type(f)) for f in fields]
    assert [tuple(r.values()) for r in table.to_pylist()] == expected_rows(name)
    for field in fields:
        if enum_of(field) is not None:  # every allowed value, in the schema's order, even unused ones
            chunks = table.column(field["name"]).chunks
            assert [chunk.dictionary.to_pylist() for chunk in chunks] == [enum_of(field)] * len(chunks)


@pytest.mark.parametrize("name", NAMES)
def test_parquet_equals_the_pyarrow_backend(exports: Path, name: str) -> None:
    table = pq.read_table(exports / f"{name}.parquet")
    loaded = st.load(name, source=FIXTURE, backend="pyarrow")
    assert table.schema == loaded.schema.remove_metadata()
    assert table.equals(loaded.replace_schema_metadata(None))


def test_parquet_typed_values_pinned(exports: Path) -> None:
    actions = pq.read_table(exports / "regulatory_actions.parquet")
    assert actions.column("amount").to_pylist() == [5800000.0]
    assert actions.schema.field("amount").type == pa.float64()
    assert actions.column("action_type").to_pylist() == ["settlement"]
    assert actions.schema.field("action_type").type == ENUM
    features = pq.read_table(exports / "features.parquet")
    assert features.column("uses_biometrics").type == pa.bool_()
    assert features.column("uses_biometrics").to_pylist() == [True, None, None, True, None, None]
    assert features.column("uses_biometrics").null_count == 4


def test_parquet_is_compressed_with_statistics(exports: Path) -> None:
    assert PARQUET_COMPRESSION == "zstd"
    metadata = pq.ParquetFile(exports / "partnerships.parquet").metadata
    assert metadata.num_rows == len(read_rows("partnerships"))
    columns = [metadata.row_group(0).column(i) for i in range(metadata.num_columns)]
    assert {c.compression for c in columns} == {"ZSTD"}
    assert all(c.is_stats_set for c in columns)


@pytest.mark.parametrize("name", NAMES)
def test_pandas_reads_the_parquet_with_the_dtypes_of_st_load(exports: Path, name: str) -> None:
    frame = pd.read_parquet(exports / f"{name}.parquet")
    loaded = st.load(name, source=FIXTURE)
    assert frame.dtypes.to_dict() == loaded.dtypes.to_dict()
    assert frame.equals(loaded)
    assert frame.attrs == loaded.attrs  # schema, table, version, citation


def test_pandas_reads_booleans_enums_and_strings_typed(exports: Path) -> None:
    features = pd.read_parquet(exports / "features.parquet")
    assert str(features["uses_biometrics"].dtype) == "boolean"  # not object, though it has nulls
    assert features["uses_biometrics"].tolist() == [True, pd.NA, pd.NA, True, pd.NA, pd.NA]
    assert features["category"].dtype == pd.CategoricalDtype(
        ["camera_network", "footage_sharing", "facial_recognition", "video_search", "other"]
    )  # every allowed value in schema order, "other" too, which no feature of the fixture has
    assert "other" not in set(features["category"].dropna())
    assert features["name"].dtype == pd.StringDtype()
    amount = pd.read_parquet(exports / "regulatory_actions.parquet")["amount"]
    assert (amount.dtype, amount.tolist()) == (pd.Float64Dtype(), [5800000.0])


@pytest.mark.parametrize("name", NAMES)
def test_parquet_fields_carry_their_descriptions(exports: Path, name: str) -> None:
    schema = pq.read_schema(exports / f"{name}.parquet")
    assert [(f.name, f.metadata) for f in schema] == [
        (f["name"], {b"description": f["description"].encode("utf-8")}) for f in read_schema(name)["fields"]
    ]


def test_parquet_file_metadata(exports: Path) -> None:
    metadata = pq.read_schema(exports / "organizations.parquet").metadata
    assert sorted(metadata) == [
        b"pandas",
        b"surveillance_ties.citation",
        b"surveillance_ties.licenses",
        b"surveillance_ties.name",
        b"surveillance_ties.schema",
        b"surveillance_ties.table",
        b"surveillance_ties.title",
        b"surveillance_ties.version",
    ]
    text = {k.decode(): v.decode("utf-8") for k, v in metadata.items() if k != b"pandas"}
    assert text == {
        "surveillance_ties.name": "surveillance-ties",
        "surveillance_ties.title": "Surveillance Ties",
        "surveillance_ties.version": "0.1.0",
        "surveillance_ties.table": "organizations",
        "surveillance_ties.licenses": json.dumps(descriptor()["licenses"]),
        "surveillance_ties.citation": (
            "The surveillance-ties contributors (2026). Surveillance Ties, version 0.1.0 [data set], "
            "table organizations. https://github.com/surveillance-ties/surveillance-ties. Licence: CC-BY-4.0."
        ),
        "surveillance_ties.schema": json.dumps(read_schema("organizations")),
    }
    assert json.loads(text["surveillance_ties.licenses"])[0]["name"] == "CC-BY-4.0"
    # the same as st.load(..., backend="pyarrow") gives, for the keys it sets
    loaded = st.load("organizations", source=FIXTURE, backend="pyarrow").schema.metadata
    assert {k: v for k, v in metadata.items() if k in loaded} == loaded
    pandas = json.loads(metadata[b"pandas"])
    assert (pandas["index_columns"], pandas["column_indexes"]) == ([], [])
    assert pandas["columns"][:4] == [
        {"name": "org_id", "field_name": "org_id", "pandas_type": "object", "numpy_type": "string",
         "metadata": None},
        {"name": "name", "field_name": "name", "pandas_type": "object", "numpy_type": "string",
         "metadata": None},
        {"name": "aliases", "field_name": "aliases", "pandas_type": "object", "numpy_type": "string",
         "metadata": None},
        {"name": "org_type", "field_name": "org_type", "pandas_type": "categorical", "numpy_type": "int32",
         "metadata": {"num_categories": 8, "ordered": False}},
    ]  # fmt: skip


# -- every Table Schema type -----------------------------------------------------------------------


def _typed_package(folder: Path) -> Path:
    """A one-table package with a field of every type the exports map, a unique field and custom
    missing and boolean values."""
    folder.mkdir()
    schema = {
        "fields": [
            {
                "name": "id",
                "type": "string",
                "title": "Identifier",
                "description": "The row's id.",
                "constraints": {"required": True},
            },
            {"name": "n", "type": "integer", "constraints": {"unique": True}},
            {"name": "x", "type": "number"},
            {"name": "ok", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
            {"name": "d", "type": "date"},
            {"name": "dt", "type": "datetime"},
            {"name": "y", "type": "year"},
            {"name": "dd", "type": "date", "format": "%d/%m/%Y"},
            {"name": "kind", "type": "string", "constraints": {"enum": ["b", "a", "c"]}},
            {"name": "ym", "type": "yearmonth"},
        ],
        "primaryKey": ["id"],
        "missingValues": ["", "NA"],
    }
    package = {"name": "typed", "resources": [{"name": "things", "path": "things.csv", "schema": schema}]}
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (folder / "things.csv").write_text(
        "id,n,x,ok,d,dt,y,dd,kind,ym\n"
        "r1,-3,1.5,yes,2025-10-16,2025-10-16T12:30:00Z,2025,16/10/2025,a,2025-10\n"
        "r2,NA,,no,,,,,,\n",
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
        ("kind", ENUM),
        ("ym", pa.string()),
    ]
)


@pytest.fixture(scope="module")
def typed_exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(the typed package, the folder of its exports)``."""
    base = tmp_path_factory.mktemp("typed")
    folder = _typed_package(base / "package")
    return folder, export(folder, base / "exports")


def test_parquet_of_every_type(typed_exports: tuple[Path, Path]) -> None:
    """Every column but the datetime one (see the next test) has the type and values of st.load."""
    folder, out = typed_exports
    table = pq.read_table(out / "things.parquet").drop_columns(["dt"])
    assert table.schema == TYPED_ARROW.remove(TYPED_ARROW.get_field_index("dt"))
    assert table.to_pylist() == [
        {
            "id": "r1",
            "n": -3,
            "x": 1.5,
            "ok": True,
            "d": dt.date(2025, 10, 16),
            "y": 2025,
            "dd": dt.date(2025, 10, 16),
            "kind": "a",
            "ym": "2025-10",
        },
        {"id": "r2", "n": None, "x": None, "ok": False, "d": None, "y": None, "dd": None, "kind": None,
         "ym": None},
    ]  # fmt: skip
    assert table.column("kind").chunk(0).dictionary.to_pylist() == ["b", "a", "c"]
    loaded = st.load("things", source=folder, backend="pyarrow").drop_columns(["dt"])
    assert table.equals(loaded.replace_schema_metadata(None))


def test_parquet_datetime_column_has_the_type_of_st_load(typed_exports: tuple[Path, Path]) -> None:
    folder, out = typed_exports
    column = pq.read_table(out / "things.parquet").column("dt")
    loaded = st.load("things", source=folder, backend="pyarrow").column("dt")
    assert column.to_pylist() == [dt.datetime(2025, 10, 16, 12, 30, tzinfo=dt.UTC), None]
    assert loaded.type == pa.timestamp("ms", tz="UTC")
    assert column.type == loaded.type


def test_pandas_reads_the_parquet_of_every_type(typed_exports: tuple[Path, Path]) -> None:
    """pd.read_parquet gives st.load's dtypes for every type but ``date``: pandas reads an Arrow date32
    column as ``datetime.date`` objects whatever the pandas metadata says."""
    folder, out = typed_exports
    frame = pd.read_parquet(out / "things.parquet")
    loaded = st.load("things", source=folder)
    dates = ["d", "dd"]
    assert {c: frame[c].dtype for c in dates} == {"d": object, "dd": object}
    assert frame[dates].to_dict("list") == {
        "d": [dt.date(2025, 10, 16), None],
        "dd": [dt.date(2025, 10, 16), None],
    }
    assert frame.drop(columns=dates).dtypes.to_dict() == loaded.drop(columns=dates).dtypes.to_dict()
    assert frame.drop(columns=dates).equals(loaded.drop(columns=dates))
    assert loaded.dtypes.to_dict() == {
        f.name: pandas_dtype(f) for f in st.schema("things", source=folder).fields
    }


def test_parquet_field_metadata_holds_title_and_description(typed_exports: tuple[Path, Path]) -> None:
    _, out = typed_exports
    schema = pq.read_schema(out / "things.parquet")
    assert schema.field("id").metadata == {b"title": b"Identifier", b"description": b"The row's id."}
    assert schema.field("n").metadata is None  # nothing to say: no metadata


def test_pandas_metadata_of_each_type() -> None:
    def kinds(field: Field) -> tuple[str, str, Any]:
        entry = pandas_metadata(field)
        assert (entry["name"], entry["field_name"]) == ("a", "a")
        return entry["pandas_type"], entry["numpy_type"], entry["metadata"]

    assert kinds(Field("a", "string")) == ("object", "string", None)
    assert kinds(Field("a", "string", enum=("x", "y"))) == (
        "categorical",
        "int32",
        {"num_categories": 2, "ordered": False},
    )
    assert kinds(Field("a", "integer")) == ("int64", "Int64", None)
    assert kinds(Field("a", "year")) == ("int64", "Int64", None)
    assert kinds(Field("a", "number")) == ("float64", "Float64", None)
    assert kinds(Field("a", "boolean")) == ("bool", "boolean", None)
    assert kinds(Field("a", "date")) == ("date", "object", None)
    assert kinds(Field("a", "datetime")) == ("datetimetz", "datetime64[ms]", {"timezone": "UTC"})
    assert kinds(Field("a", "yearmonth")) == ("object", "string", None)


def test_sqlite_of_every_type(typed_exports: tuple[Path, Path]) -> None:
    folder, out = typed_exports
    con = sqlite3.connect(out / "package.sqlite")
    try:
        info = con.execute('PRAGMA table_info("things")').fetchall()
        rows = con.execute('SELECT * FROM "things" ORDER BY rowid').fetchall()
        typeof = con.execute(
            'SELECT typeof(n), typeof(x), typeof(ok), typeof(d), typeof(y) FROM "things"'
        ).fetchall()
        (ddl,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'things'").fetchone()
    finally:
        con.close()
    assert [(c[1], c[2], c[3], c[5]) for c in info] == [
        ("id", "TEXT", 1, 1),
        ("n", "INTEGER", 0, 0),
        ("x", "REAL", 0, 0),
        ("ok", "INTEGER", 0, 0),
        ("d", "TEXT", 0, 0),
        ("dt", "TEXT", 0, 0),
        ("y", "INTEGER", 0, 0),
        ("dd", "TEXT", 0, 0),
        ("kind", "TEXT", 0, 0),
        ("ym", "TEXT", 0, 0),
    ]
    assert rows == [
        ("r1", -3, 1.5, 1, "2025-10-16", "2025-10-16T12:30:00Z", 2025, "2025-10-16", "a", "2025-10"),
        ("r2", None, None, 0, None, None, None, None, None, None),
    ]
    assert typeof == [
        ("integer", "real", "integer", "text", "integer"),
        ("null", "null", "integer", "null", "null"),
    ]
    assert ddl == (
        'CREATE TABLE "things" (\n'
        '  "id" TEXT NOT NULL,\n'
        '  "n" INTEGER UNIQUE,\n'
        '  "x" REAL,\n'
        '  "ok" INTEGER,\n'
        '  "d" TEXT,\n'
        '  "dt" TEXT,\n'
        '  "y" INTEGER,\n'
        '  "dd" TEXT,\n'
        '  "kind" TEXT,\n'
        '  "ym" TEXT,\n'
        '  PRIMARY KEY ("id")\n'
        ")"
    )


def test_type_map_of_the_exports() -> None:
    assert arrow_type(Field("a", "integer")) == pa.int64()
    assert arrow_type(Field("a", "year")) == pa.int64()
    assert arrow_type(Field("a", "number")) == pa.float64()
    assert arrow_type(Field("a", "boolean")) == pa.bool_()
    assert arrow_type(Field("a", "date")) == pa.date32()
    assert arrow_type(Field("a", "date", format="%d/%m/%Y")) == pa.date32()
    assert arrow_type(Field("a", "datetime")) == pa.timestamp("ms", tz="UTC")
    assert arrow_type(Field("a", "string", enum=("x", "y"))) == ENUM
    assert arrow_type(Field("a", "integer", enum=(1, 2))) == pa.int64()  # an enum keeps a non-string type
    assert arrow_type(Field("a", "geojson")) == pa.string()
    assert arrow_type(Field("a")) == pa.string()
    assert [
        sqlite_type(Field("a", t)) for t in ("string", "integer", "year", "number", "boolean", "date")
    ] == [
        "TEXT",
        "INTEGER",
        "INTEGER",
        "REAL",
        "INTEGER",
        "TEXT",
    ]


# -- determinism, and every kind of copy -----------------------------------------------------------


def test_exports_are_deterministic(exports: Path, tmp_path: Path) -> None:
    again = export(FIXTURE, tmp_path / "again")
    assert sorted(p.name for p in again.iterdir()) == sorted(
        ["package.sqlite", *(f"{n}.parquet" for n in NAMES)]
    )
    for path in again.iterdir():
        assert _sha(path) == _sha(exports / path.name), path.name


def test_exports_of_a_release_zip_equal_those_of_the_folder(exports: Path, tmp_path: Path) -> None:
    release = tmp_path / "release.zip"
    with zipfile.ZipFile(release, "w") as archive:
        for path in sorted(FIXTURE.rglob("*")):
            if path.is_file():
                archive.write(path, "surveillance-ties-0.1.0/" + path.relative_to(FIXTURE).as_posix())
    from_zip = export(release, tmp_path / "from-zip")
    for path in from_zip.iterdir():
        assert _sha(path) == _sha(exports / path.name), path.name


# -- Datasette -------------------------------------------------------------------------------------

#: Each fixture table's label in Datasette: its field called name, else title.
LABELS = {"organizations": "name", "features": "name", "sources": "title"}
DATABASE = "surveillance-ties-0.1.0"


def test_datasette_metadata_of_the_fixture() -> None:
    d = descriptor()
    tables: dict[str, Any] = {}
    for resource in d["resources"]:
        name = resource["name"]
        tables[name] = {
            "title": resource["title"],
            "description": resource["description"],
            "columns": {f["name"]: f["description"] for f in read_schema(name)["fields"]},
        }
        if name in LABELS:
            tables[name]["label_column"] = LABELS[name]
    with open_package(FIXTURE) as pkg:
        metadata = datasette_metadata(pkg, DATABASE)
    assert metadata == {
        "title": "Surveillance Ties",
        "description": d["description"],
        "license": "CC-BY-4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "Surveillance Ties",
        "source_url": "https://github.com/surveillance-ties/surveillance-ties",
        "databases": {
            DATABASE: {
                "title": "Surveillance Ties 0.1.0",
                "tables": {
                    **tables,
                    "_metadata": {"hidden": True},
                    "_tables": {"hidden": True},
                    "_columns": {"hidden": True},
                },
            }
        },
    }
    assert list(metadata["databases"][DATABASE]["tables"]) == [*NAMES, "_metadata", "_tables", "_columns"]


def test_datasette_shows_titles_descriptions_licence_and_labels(exports: Path, tmp_path: Path) -> None:
    """The SQLite file and its metadata served by Datasette itself (its Python API, no server)."""
    app = pytest.importorskip("datasette.app", reason="datasette is not installed (pip install datasette)")
    import asyncio

    database = tmp_path / f"{DATABASE}.sqlite"
    database.write_bytes((exports / "package.sqlite").read_bytes())
    with open_package(FIXTURE) as pkg:
        metadata = datasette_metadata(pkg, DATABASE)

    async def get(ds: Any, path: str) -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        return response

    async def serve() -> tuple[Any, ...]:
        ds = app.Datasette(files=[str(database)], metadata=metadata)
        urls = ds.urls
        listing = (await get(ds, urls.database(DATABASE, format="json"))).json()
        rows = (
            await get(ds, urls.table(DATABASE, "partnerships", format="json") + "?_labels=on&_shape=objects")
        ).json()
        page = (await get(ds, urls.table(DATABASE, "organizations"))).text
        top = (await get(ds, urls.instance())).text
        return listing, rows, page, top

    listing, rows, page, top = asyncio.run(serve())
    assert sorted((t["name"], t["hidden"]) for t in listing["tables"]) == sorted(
        [*((n, False) for n in NAMES), ("_columns", True), ("_metadata", True), ("_tables", True)]
    )
    flock = next(r for r in rows["rows"] if r["partnership_id"] == "ring-flock-safety-footage-sharing")
    assert (flock["org_id"], flock["partner_org_id"]) == (
        {"value": "ring", "label": "Ring"},
        {"value": "flock-safety", "label": "Flock Safety"},
    )  # foreign keys shown by the organization's name
    page = " ".join(page.split())
    assert (
        '<div class="metadata-description"> Companies, government bodies, regulators and other organizations '
        "that the sources name. </div>" in page
    )
    assert "<dt>name</dt><dd>Name of the organization as the sources give it.</dd>" in page
    assert 'Data license: <a href="https://creativecommons.org/licenses/by/4.0/">CC-BY-4.0</a>' in page
    assert (
        'Data source: <a href="https://github.com/surveillance-ties/surveillance-ties"> Surveillance Ties</a>'
        in page
    )
    assert "<h1>Surveillance Ties</h1>" in top
