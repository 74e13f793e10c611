"""The SQLite and Parquet exports (issue 5): typed from the schemas, row for row equal to the CSVs."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from surveillance_ties.export import arrow_type, sqlite_ddl, write_parquet, write_sqlite

from .conftest import DESCRIPTOR, RESOURCE_NAMES, RESOURCES, ROOT, read_rows, read_schema

SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}


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


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    write_sqlite(DESCRIPTOR, ROOT, out / "package.sqlite")
    for resource in RESOURCES:
        write_parquet(resource, ROOT, out / f"{resource['name']}.parquet")
    return out


@pytest.fixture(scope="module")
def db(exports: Path) -> sqlite3.Connection:
    con = sqlite3.connect(exports / "package.sqlite")
    yield con
    con.close()


def test_sqlite_has_one_table_per_resource(db: sqlite3.Connection) -> None:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    assert names == RESOURCE_NAMES


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_sqlite_rows_equal_the_csv(db: sqlite3.Connection, name: str) -> None:
    rows = db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
    expected = [
        tuple(int(v) if isinstance(v, bool) else v for v in row) for row in expected_rows(name)
    ]  # SQLite stores booleans as 0 and 1
    assert rows == expected
    assert len(rows) == len(read_rows(name))


@pytest.mark.parametrize("name", RESOURCE_NAMES)
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
        (fk["reference"]["resource"], fk["fields"][0], fk["reference"]["fields"][0])
        for fk in schema["foreignKeys"]
    )
    assert sorted((r[2], r[3], r[4]) for r in fks) == declared


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
    con.close()


def test_sqlite_ddl_of_partnerships() -> None:
    resource = next(r for r in RESOURCES if r["name"] == "partnerships")
    assert sqlite_ddl("partnerships", read_schema("partnerships")) == [
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
    assert resource["schema"] == "schemas/partnerships.schema.json"


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_parquet_rows_and_types_equal_the_csv(exports: Path, name: str) -> None:
    table = pq.read_table(exports / f"{name}.parquet")
    fields = read_schema(name)["fields"]
    assert [(f.name, f.type) for f in table.schema] == [(f["name"], ARROW_TYPES[f["type"]]) for f in fields]
    assert [tuple(r.values()) for r in table.to_pylist()] == expected_rows(name)


def test_parquet_typed_values_pinned(exports: Path) -> None:
    actions = pq.read_table(exports / "regulatory_actions.parquet")
    assert actions.column("amount").to_pylist() == [5800000.0]
    assert actions.schema.field("amount").type == pa.float64()
    features = pq.read_table(exports / "features.parquet")
    assert features.column("uses_biometrics").type == pa.bool_()
    assert features.column("uses_biometrics").null_count == sum(
        r["uses_biometrics"] == "" for r in read_rows("features")
    )


def test_arrow_type_mapping() -> None:
    assert arrow_type({"name": "a", "type": "integer"}) == pa.int64()
    assert arrow_type({"name": "a", "type": "year"}) == pa.int64()
    assert arrow_type({"name": "a", "type": "date"}) == pa.date32()
    assert arrow_type({"name": "a", "type": "date", "format": "%d/%m/%Y"}) == pa.string()
    assert arrow_type({"name": "a", "type": "geojson"}) == pa.string()


def test_exports_are_deterministic(exports: Path, tmp_path: Path) -> None:
    write_sqlite(DESCRIPTOR, ROOT, tmp_path / "again.sqlite")
    assert _sha(tmp_path / "again.sqlite") == _sha(exports / "package.sqlite")
    for resource in RESOURCES:
        write_parquet(resource, ROOT, tmp_path / "again.parquet")
        assert _sha(tmp_path / "again.parquet") == _sha(exports / f"{resource['name']}.parquet")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
