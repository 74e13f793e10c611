"""Helpers for the build, export, diff and release tests: copies of the fixture package, edited in place."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from surveillance_ties.curation import rehash
from surveillance_ties.datapackage import dumps

from . import conftest

PACKAGE_FILES = conftest.RELEASE_PARTS


def copy_package(dst: Path) -> Path:
    """A copy of the fixture package (and the files a release carries) in ``dst``."""
    return conftest.copy_package(dst, PACKAGE_FILES)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def edit_table(root: Path, table: str, edit: Callable[[list[list[str]]], object]) -> None:
    """Apply ``edit`` to the rows (header first) of ``data/<table>.csv`` and refresh the hashes."""
    path = root / "data" / f"{table}.csv"
    rows = read_csv(path)
    edit(rows)
    write_csv(path, rows)
    rehash(root)


def edit_json(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(dumps(data), encoding="utf-8")


def edit_schema(root: Path, table: str, edit: Callable[[dict[str, Any]], None]) -> None:
    edit_json(root / "schemas" / f"{table}.schema.json", edit)


def edit_descriptor(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    edit_json(root / "datapackage.json", edit)


def field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in schema["fields"] if f["name"] == name)


def row(rows: list[list[str]], key: str) -> list[str]:
    """The row whose first cell (the primary key in every table here) is ``key``."""
    return next(r for r in rows if r[0] == key)


def set_version(root: Path, version: str, *, changelog: bool = True) -> None:
    """Set the version in datapackage.json and CITATION.cff; add a CHANGELOG section unless told not to."""
    edit_descriptor(root, lambda d: d.update(version=version))
    citation = root / "CITATION.cff"
    lines = [
        f"version: {version}" if line.startswith("version:") else line
        for line in citation.read_text().splitlines()
    ]
    citation.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if changelog:
        log = root / "CHANGELOG.md"
        text = log.read_text(encoding="utf-8")
        log.write_text(
            text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{version}] - 2026-12-01\n", 1)
        )


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity; the standard output."""
    command = [
        "git",
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.org",
        "-c",
        "commit.gpgsign=false",
    ]
    result = subprocess.run([*command, *args], cwd=repo, check=True, capture_output=True, text=True)
    return result.stdout


def git_repo(path: Path) -> Path:
    """A throwaway git repository holding a copy of the package, committed and tagged v0.1.0."""
    copy_package(path)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "v0.1.0")
    git(path, "tag", "v0.1.0")
    return path


def make_package(
    root: Path,
    tables: dict[str, tuple[list[dict[str, Any]], list[str], list[list[str]]]],
    version: str = "0.1.0",
) -> Path:
    """A small package of its own in ``root``: ``tables`` maps a name to ``(fields, primary key,
    rows with the header first)``; the descriptor gets the current hashes."""
    (root / "data").mkdir(parents=True)
    (root / "schemas").mkdir()
    resources = []
    for name, (fields, primary_key, rows) in tables.items():
        write_csv(root / "data" / f"{name}.csv", rows)
        schema: dict[str, Any] = {"fields": fields}
        if primary_key:
            schema["primaryKey"] = primary_key
        (root / "schemas" / f"{name}.schema.json").write_text(dumps(schema), encoding="utf-8")
        resources.append(
            {
                "name": name,
                "type": "table",
                "path": f"data/{name}.csv",
                "schema": f"schemas/{name}.schema.json",
            }
        )
    descriptor = {"name": "small", "version": version, "resources": resources}
    (root / "datapackage.json").write_text(dumps(descriptor), encoding="utf-8")
    rehash(root)
    return root


def strings(*names: str) -> list[dict[str, Any]]:
    """Table Schema fields of type string."""
    return [{"name": name, "type": "string"} for name in names]
