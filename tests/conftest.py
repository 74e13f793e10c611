"""Shared fixtures: the repository's own data package, read with the standard library only."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES: list[dict[str, Any]] = DESCRIPTOR["resources"]
RESOURCE_NAMES = [r["name"] for r in RESOURCES]
# Tables whose every record must be cited.
CITED_TABLES = ["organizations", "partnerships", "features", "regulatory_actions"]


PACKAGE_PARTS = ("datapackage.json", "data", "schemas", "seeds")


def copy_package(dest: Path, names: tuple[str, ...] = PACKAGE_PARTS) -> Path:
    """A writable copy of top-level files and folders of the repository (by default the data
    package: descriptor, data, schemas, seeds) in ``dest``, with plain 0644/0755 permissions."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of a table as dicts of strings (empty cells as "")."""
    resource = next(r for r in RESOURCES if r["name"] == name)
    with open(ROOT / resource["path"], encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_schema(name: str) -> dict[str, Any]:
    resource = next(r for r in RESOURCES if r["name"] == name)
    schema: dict[str, Any] = json.loads((ROOT / resource["schema"]).read_text(encoding="utf-8"))
    return schema


@pytest.fixture(scope="session")
def tables() -> dict[str, list[dict[str, str]]]:
    return {name: read_rows(name) for name in RESOURCE_NAMES}
