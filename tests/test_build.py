"""``build`` (issue 5): a reproducible release zip and exports, written atomically, refused when invalid."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import frictionless
import pytest
from click.testing import CliRunner

from surveillance_ties import export
from surveillance_ties.build import (
    BuildError,
    BuildResult,
    InvalidPackageError,
    build,
    write_zip,
    zip_entries,
)
from surveillance_ties.cli import main
from surveillance_ties.descriptor import dumps, file_stats, refreshed

from .conftest import DESCRIPTOR, RESOURCE_NAMES, ROOT
from .release_fixtures import copy_package, edit_table, row

STEM = f"surveillance-ties-{DESCRIPTOR['version']}"
FILES = sorted(
    [f"{STEM}.zip", f"{STEM}.sqlite", f"{STEM}.SHA256SUMS"]
    + [f"{STEM}-{name}.parquet" for name in RESOURCE_NAMES]
)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones too) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(ROOT, tmp_path_factory.mktemp("dist"))


def test_build_writes_the_release_files(built: BuildResult) -> None:
    assert sorted(p.name for p in built.zip.parent.iterdir()) == FILES
    assert built.zip.name == f"{STEM}.zip"
    assert [p.name for p in built.parquet] == [f"{STEM}-{name}.parquet" for name in RESOURCE_NAMES]
    sums = built.sums.read_text(encoding="utf-8").splitlines()
    assert sums == [f"{sha(built.zip.parent / name)}  {name}" for name in FILES if not name.endswith("SUMS")]
    assert {name: digest for digest, name in (line.split("  ") for line in sums)} == built.sha256


def test_two_builds_and_a_copy_elsewhere_give_the_same_bytes(built: BuildResult, tmp_path: Path) -> None:
    again = build(ROOT, tmp_path / "again")
    assert again.sha256 == built.sha256
    copy = copy_package(tmp_path / "elsewhere" / "checkout")
    for path in copy.rglob("*"):  # other timestamps and permissions must not matter
        os.utime(path, (1_700_000_000, 1_700_000_000))
        if path.is_file():
            path.chmod(0o600)
    moved = build(copy, tmp_path / "elsewhere" / "dist")
    assert moved.sha256 == built.sha256
    assert sha(moved.zip) == sha(built.zip)


def test_zip_layout_and_fixed_attributes(built: BuildResult) -> None:
    expected = sorted(
        ["datapackage.json", "README.md", "CHANGELOG.md", "LICENSE", "LICENSE-DATA", "CITATION.cff"]
        + [
            p.relative_to(ROOT).as_posix()
            for folder in ("data", "schemas", "seeds")
            for p in (ROOT / folder).iterdir()
        ]
    )
    with zipfile.ZipFile(built.zip) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == expected
        for info in infos:
            assert (info.date_time, info.external_attr >> 16, info.create_system) == (
                (1980, 1, 1, 0, 0, 0),
                0o100644,
                3,
            )
            assert (info.compress_type, info.extra, info.comment) == (zipfile.ZIP_STORED, b"", b"")
            if info.filename != "datapackage.json":
                assert archive.read(info) == (ROOT / info.filename).read_bytes()
        zipped = archive.read("datapackage.json").decode("utf-8")
        assert zipped == dumps(refreshed(DESCRIPTOR, ROOT))
        for resource in json.loads(zipped)["resources"]:
            data = archive.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert (resource["bytes"], file_stats(ROOT / resource["path"])[1]) == (len(data), len(data))


def test_stock_frictionless_accepts_the_zip(built: BuildResult, tmp_path: Path) -> None:
    report = frictionless.Package(str(built.zip)).validate()
    assert report.valid, report.flatten(["type", "note"])
    entries = zip_entries(ROOT, DESCRIPTOR)
    entries["data/organizations.csv"] = (
        (ROOT / "data/organizations.csv").read_bytes().replace(b"Amazon", b"Amazin")
    )
    tampered = tmp_path / "tampered.zip"
    write_zip(entries, tampered)  # the descriptor keeps the true hash: frictionless must notice
    flagged = frictionless.Package(str(tampered)).validate()
    assert not flagged.valid
    assert "hash-count" in {e[0] for e in flagged.flatten(["type"])}


def test_refuses_an_invalid_package(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    edit_table(package, "organizations", lambda rows: row(rows, "amazon").__setitem__(3, "corporation"))
    out = tmp_path / "dist"
    with pytest.raises(InvalidPackageError) as excinfo:
        build(package, out)
    message = str(excinfo.value)
    assert message.startswith(f"{package}: the package is invalid (1 error), nothing was built; ")
    assert "\n  data/organizations.csv:2:org_type: " in message
    assert [(e.code, e.file, e.row, e.column) for e in excinfo.value.errors] == [
        ("enum", "data/organizations.csv", 2, "org_type")
    ]
    assert not out.exists()
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(out)])
    assert result.exit_code == 1
    assert "data/organizations.csv:2:org_type: " in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_failed_build_leaves_dist_as_it_was(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built.zip.parent, dist)
    (dist / "notes.txt").write_text("someone else's file\n")
    before = snapshot(dist)
    package = copy_package(tmp_path / "pkg")  # a valid change, so a finished build would replace the files
    edit_table(package, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon.com"))
    calls: list[str] = []
    real = export.write_parquet

    def fail_halfway(resource: dict[str, Any], root: Path, target: Path) -> None:
        calls.append(str(resource["name"]))
        if len(calls) == 3:
            raise OSError("disk full")
        real(resource, root, target)

    monkeypatch.setattr(export, "write_parquet", fail_halfway)
    with pytest.raises(OSError, match="disk full"):
        build(package, dist)
    assert calls == RESOURCE_NAMES[:3]
    assert snapshot(dist) == before  # same names (no temporary file left) and same bytes

    fresh = tmp_path / "fresh" / "dist"
    calls.clear()
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(fresh)])
    assert result.exit_code == 1
    assert result.output == f"Error: build failed, {fresh} left as it was: disk full\n"
    assert not fresh.parent.exists()  # nor the folder above it, which the build had to create


def test_missing_release_files_are_named(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    (package / "CITATION.cff").unlink()
    (package / "LICENSE").unlink()
    with pytest.raises(BuildError) as excinfo:
        zip_entries(package, DESCRIPTOR)
    assert (
        str(excinfo.value)
        == f"{package}: missing LICENSE, CITATION.cff (a release carries them; add them first)"
    )


def test_cli_build(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(ROOT), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"wrote 9 files into {out} (checksums in {STEM}.SHA256SUMS)"
    assert lines[:-1] == [f"{sha(out / name)}  {out / name}" for name in FILES if not name.endswith("SUMS")]
