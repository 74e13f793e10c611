"""``build`` (issue 5): a reproducible release zip and exports, swapped in all at once, refused when
invalid, and read only through the package layer (no link or special file reaches a release)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import frictionless
import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.datapackage import (
    HashMismatchError,
    UnsafePathError,
    WriteError,
    dumps,
    open_package,
)
from surveillance_ties.datapackage.descriptor import refreshed
from surveillance_ties.documents.dictionary import data_dictionary
from surveillance_ties.release import export
from surveillance_ties.release.build import (
    BuildError,
    BuildResult,
    InvalidPackageError,
    build,
    write_zip,
    zip_entries,
)

from .conftest import FIXTURE, descriptor, resource_names
from .release_fixtures import copy_package, edit_table, row

STEM = f"surveillance-ties-{descriptor()['version']}"
RESOURCE_NAMES = resource_names()
FILES = sorted(
    [f"{STEM}.zip", f"{STEM}.sqlite", f"{STEM}.metadata.json", f"{STEM}.SHA256SUMS"]
    + [f"{STEM}-{name}.parquet" for name in RESOURCE_NAMES]
)
#: The order in which a build moves its files into place (zip, SQLite, Datasette metadata, Parquet,
#: checksums).
MOVE_ORDER = [f"{STEM}.zip", f"{STEM}.sqlite", f"{STEM}.metadata.json"]
MOVE_ORDER += [f"{STEM}-{n}.parquet" for n in RESOURCE_NAMES]
MOVE_ORDER.append(f"{STEM}.SHA256SUMS")
SECRET = "the-secret-outside-the-package-7f3a9c"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry in ``folder`` (hidden ones too) and its bytes (``None`` for a folder)."""
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.iterdir())}


def passing(root: Path) -> Any:
    """A validator that finds nothing wrong (to reach the build's own checks)."""
    return SimpleNamespace(valid=True, errors=[], error_count=0)


def amazon_renamed(dest: Path) -> Path:
    """A valid copy of the fixture whose build differs from the fixture's (one value changed)."""
    package = copy_package(dest)
    edit_table(package, "organizations", lambda rows: row(rows, "amazon").__setitem__(1, "Amazon.com"))
    return package


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(FIXTURE, tmp_path_factory.mktemp("dist"))


def test_build_writes_the_release_files(built: BuildResult) -> None:
    assert sorted(p.name for p in built.zip.parent.iterdir()) == FILES  # no staging folder left
    assert (built.zip.name, built.sqlite.name, built.datasette.name) == (
        f"{STEM}.zip",
        f"{STEM}.sqlite",
        f"{STEM}.metadata.json",
    )
    assert [p.name for p in built.parquet] == [f"{STEM}-{name}.parquet" for name in RESOURCE_NAMES]
    sums = built.sums.read_text(encoding="utf-8").splitlines()
    assert sums == [f"{sha(built.zip.parent / name)}  {name}" for name in FILES if not name.endswith("SUMS")]
    assert {name: digest for digest, name in (line.split("  ") for line in sums)} == built.sha256
    assert {p.name: p.stat().st_mode & 0o777 for p in built.zip.parent.iterdir()} == dict.fromkeys(
        FILES, 0o644
    )


def test_the_datasette_metadata_names_the_sqlite_file(built: BuildResult) -> None:
    with open_package(FIXTURE) as pkg:
        expected = dumps(export.datasette_metadata(pkg, STEM)).encode("utf-8")
    assert built.datasette.read_bytes() == expected
    assert list(json.loads(expected)["databases"]) == [built.sqlite.stem]  # datasette names it so


def test_two_builds_and_a_copy_elsewhere_give_the_same_bytes(built: BuildResult, tmp_path: Path) -> None:
    again = build(FIXTURE, tmp_path / "again")
    assert again.sha256 == built.sha256
    copy = copy_package(tmp_path / "elsewhere" / "checkout")
    for path in copy.rglob("*"):  # other timestamps and permissions must not matter
        os.utime(path, (1_700_000_000, 1_700_000_000))
        if path.is_file():
            path.chmod(0o600)
    moved = build(copy, tmp_path / "elsewhere" / "dist")
    assert moved.sha256 == built.sha256
    assert sha(moved.zip) == sha(built.zip)


#: The release zip of the fixture: (name, Unix mode, MS-DOS attributes), in archive order.
FILE, FOLDER = (0o100644, 0), (0o40755, 0x10)
ZIP_LAYOUT = [
    ("CHANGELOG.md", *FILE),
    ("CITATION.cff", *FILE),
    ("DATA.md", *FILE),
    ("LICENSE", *FILE),
    ("LICENSE-DATA", *FILE),
    ("README.md", *FILE),
    ("data/", *FOLDER),
    ("data/citations.csv", *FILE),
    ("data/features.csv", *FILE),
    ("data/organizations.csv", *FILE),
    ("data/partnerships.csv", *FILE),
    ("data/regulatory_actions.csv", *FILE),
    ("data/sources.csv", *FILE),
    ("datapackage.json", *FILE),
    ("schemas/", *FOLDER),
    ("schemas/citations.schema.json", *FILE),
    ("schemas/features.schema.json", *FILE),
    ("schemas/organizations.schema.json", *FILE),
    ("schemas/partnerships.schema.json", *FILE),
    ("schemas/regulatory_actions.schema.json", *FILE),
    ("schemas/sources.schema.json", *FILE),
    ("seeds/", *FOLDER),
    ("seeds/000_0181fdb78757befa.txt", *FILE),
]


def test_zip_layout_and_fixed_attributes(built: BuildResult) -> None:
    with zipfile.ZipFile(built.zip) as archive, open_package(FIXTURE) as pkg:
        infos = archive.infolist()
        assert [(i.filename, i.external_attr >> 16, i.external_attr & 0xFFFF) for i in infos] == ZIP_LAYOUT
        for info in infos:
            assert (info.date_time, info.create_system, info.compress_type, info.extra, info.comment) == (
                (1980, 1, 1, 0, 0, 0),
                3,
                zipfile.ZIP_STORED,
                b"",
                b"",
            )
            if info.is_dir():
                assert (info.file_size, info.compress_size, info.CRC) == (0, 0, 0)
            elif info.filename == "DATA.md":  # generated from the package, as `surveillance-ties docs` does
                assert archive.read(info) == data_dictionary(pkg).encode("utf-8")
            elif info.filename != "datapackage.json":
                assert archive.read(info) == (FIXTURE / info.filename).read_bytes()
        zipped = archive.read("datapackage.json").decode("utf-8")
        assert zipped == dumps(refreshed(pkg))
        for resource in json.loads(zipped)["resources"]:
            data = archive.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert (resource["bytes"], (FIXTURE / resource["path"]).stat().st_size) == (len(data), len(data))


def test_the_fixture_layout_is_every_file_and_folder() -> None:
    """ZIP_LAYOUT above lists the fixture's files as they are (a new fixture file must be added there)."""
    files = [p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*") if p.is_file()]
    folders = [p.relative_to(FIXTURE).as_posix() + "/" for p in FIXTURE.rglob("*") if p.is_dir()]
    assert sorted([*files, *folders, "DATA.md"]) == [name for name, *_ in ZIP_LAYOUT]


def test_zip_folders_of_every_depth(tmp_path: Path) -> None:
    """A folder entry for each folder of each depth, before what it holds; sorted by bytes, so
    ``a-b/`` (``-`` sorts before ``/``) comes before ``a/``, and unpacking in order always works."""
    target = tmp_path / "nested.zip"
    write_zip({"x": b"1", "a/b/c/d.txt": b"2", "a/e.txt": b"3", "a-b/f": b"4"}, target)
    with zipfile.ZipFile(target) as archive:
        assert [(i.filename, i.external_attr >> 16) for i in archive.infolist()] == [
            ("a-b/", 0o40755),
            ("a-b/f", 0o100644),
            ("a/", 0o40755),
            ("a/b/", 0o40755),
            ("a/b/c/", 0o40755),
            ("a/b/c/d.txt", 0o100644),
            ("a/e.txt", 0o100644),
            ("x", 0o100644),
        ]
        assert archive.testzip() is None
        archive.extractall(tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == [
        "a", "a-b", "a-b/f", "a/b", "a/b/c", "a/b/c/d.txt", "a/e.txt", "x",
    ]  # fmt: skip


def test_the_zipped_descriptor_carries_the_current_hashes(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    stale = descriptor(package)
    stale["resources"][0]["hash"] = "sha256:" + "0" * 64
    stale["resources"][0]["bytes"] = 1
    (package / "datapackage.json").write_text(dumps(stale), encoding="utf-8")
    with open_package(package) as pkg:
        entries = zip_entries(pkg)
    zipped = json.loads(entries["datapackage.json"])
    assert zipped == descriptor(FIXTURE)  # the fixture's figures are the true ones
    assert zipped["resources"][0]["bytes"] == len(entries["data/organizations.csv"])


def test_stock_frictionless_accepts_the_zip(built: BuildResult, tmp_path: Path) -> None:
    report = frictionless.Package(str(built.zip)).validate()
    assert report.valid, report.flatten(["type", "note"])
    with open_package(FIXTURE) as pkg:
        entries = zip_entries(pkg)
    entries["data/organizations.csv"] = (
        (FIXTURE / "data/organizations.csv").read_bytes().replace(b"Amazon", b"Amazin")
    )
    tampered = tmp_path / "tampered.zip"
    write_zip(entries, tampered)  # the descriptor keeps the true hash: frictionless must notice
    flagged = frictionless.Package(str(tampered)).validate()
    assert not flagged.valid
    assert "hash-count" in {e[0] for e in flagged.flatten(["type"])}
    with pytest.raises(HashMismatchError, match=r"data/organizations.csv: does not match its hash"):
        open_package(tampered)  # and so does the package layer


def test_refuses_an_invalid_package(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    edit_table(package, "organizations", lambda rows: row(rows, "amazon").__setitem__(3, "corporation"))
    out = tmp_path / "dist"
    with pytest.raises(InvalidPackageError) as excinfo:
        build(package, out)
    assert str(excinfo.value) == (
        f"{package}: the package is invalid (1 error), nothing was built; "
        "fix these and run `surveillance-ties validate`:\n"
        '  data/organizations.csv:2:org_type: "corporation" is not one of: company, investor, '
        "law_enforcement, government_agency, military, regulator, nonprofit, other"
    )
    assert [(e.code, e.file, e.row, e.column) for e in excinfo.value.errors] == [
        ("enum", "data/organizations.csv", 2, "org_type")
    ]
    assert not out.exists()
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == f"Error: {excinfo.value}\n"
    assert not out.exists()


def test_refuses_a_package_whose_dictionary_leaves_a_value_unexplained(tmp_path: Path) -> None:
    """The zip's DATA.md explains every allowed value; the validator does not check descriptions."""
    package = copy_package(tmp_path / "pkg")
    path = package / "schemas" / "organizations.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "org_type")
    field["description"] = field["description"].rsplit("\n", 1)[0]  # drop the line of `other`
    path.write_text(dumps(schema), encoding="utf-8")
    message = (
        "schemas/organizations.schema.json: field `org_type`: the allowed value `other` is not documented; "
        'add a line "- `other`: <meaning>" to the field\'s description'
    )
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(out)])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert not out.exists()


def test_a_failed_export_leaves_dist_as_it_was(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built.zip.parent, dist)
    (dist / "notes.txt").write_text("someone else's file\n")
    before = snapshot(dist)
    package = amazon_renamed(tmp_path / "pkg")  # a valid change, so a finished build would replace files
    calls: list[str] = []
    real = export.write_parquet

    def fail_halfway(pkg: Any, name: str, target: Path) -> None:
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        real(pkg, name, target)

    monkeypatch.setattr(export, "write_parquet", fail_halfway)
    with pytest.raises(WriteError) as excinfo:
        build(package, dist)
    assert str(excinfo.value) == (
        f"{dist}: cannot write (disk full); nothing was changed; check the folder and run the command again"
    )
    assert calls == RESOURCE_NAMES[:3]
    assert snapshot(dist) == before  # same names (no staging folder left) and same bytes

    fresh = tmp_path / "fresh" / "dist"
    calls.clear()
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(fresh)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {fresh}: cannot write (disk full); nothing was changed; "
        "check the folder and run the command again\n"
    )
    assert not fresh.parent.exists()  # nor the folder above it, which the build had to create


def test_a_failed_move_puts_the_previous_files_back(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``replace_all``: the third ``os.replace`` fails; the one file already swapped in goes back."""
    dist = tmp_path / "dist"
    shutil.copytree(built.zip.parent, dist)
    (dist / "notes.txt").write_text("someone else's file\n")
    before = snapshot(dist)
    package = amazon_renamed(tmp_path / "pkg")
    real = os.replace
    moves: list[tuple[str, str]] = []

    def third_fails(src: Any, dst: Any, **kwargs: Any) -> None:
        moves.append((Path(src).name, Path(dst).name))
        if len(moves) == 3:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", third_fails)
    with pytest.raises(WriteError) as excinfo:
        build(package, dist)
    zip_name, sqlite_name = MOVE_ORDER[:2]
    assert str(excinfo.value) == (
        f"{dist / sqlite_name}: cannot write (Input/output error); nothing was changed; "
        "check the folder and run the command again"
    )
    pid = os.getpid()
    assert moves == [
        (zip_name, f".{zip_name}.{pid}.previous"),  # the old zip set aside, beside it
        (zip_name, zip_name),  # the new zip in place
        (sqlite_name, f".{sqlite_name}.{pid}.previous"),  # fails
        (f".{zip_name}.{pid}.previous", zip_name),  # the old zip put back
    ]
    assert snapshot(dist) == before  # exactly the previous files, with their previous bytes

    moves.clear()
    fresh = tmp_path / "fresh" / "dist"  # nothing to put back: the moved files are removed
    with pytest.raises(WriteError):
        build(package, fresh)
    assert moves == [(name, name) for name in MOVE_ORDER[:3]]
    assert not fresh.parent.exists()

    monkeypatch.setattr(os, "replace", real)
    done = build(package, dist)  # without the failure the files are replaced (the test above meant it)
    assert sorted(snapshot(dist)) == sorted([*FILES, "notes.txt"])
    assert done.sha256[zip_name] != built.sha256[zip_name]
    assert (dist / "notes.txt").read_text() == "someone else's file\n"


def link_outside(package: Path, rel: str, tmp_path: Path) -> Path:
    """Make ``rel`` in ``package`` a symbolic link to a secret file outside the package."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    (package / rel).symlink_to(secret)
    return secret


def test_cli_build_refuses_a_link_out_of_the_package(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    link_outside(package, "data/notes.txt", tmp_path)
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(out)])
    assert SECRET not in result.output
    assert not out.exists()
    # The build's own refusal (UnsafePathError: the package cannot be read safely, exit 2), not the
    # validator's `unsafe-file` data error (exit 1) that check_valid turns into InvalidPackageError.
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {package}: data/notes.txt is a link or special file; "
        "a release holds regular files only: replace each with the file itself\n",
    )


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("data/notes.txt", "link-outside"),
        ("schemas/extra.schema.json", "link-inside"),
        ("seeds/pipe.txt", "fifo"),
    ],
)
def test_build_reads_regular_files_only(tmp_path: Path, rel: str, kind: str) -> None:
    package = copy_package(tmp_path / "pkg")
    if kind == "link-outside":
        link_outside(package, rel, tmp_path)
    elif kind == "link-inside":
        (package / rel).symlink_to(package / "schemas" / "organizations.schema.json")
    else:
        os.mkfifo(package / rel)  # a reader that opened it would wait for ever
    out = tmp_path / "dist"
    with pytest.raises(UnsafePathError) as excinfo:
        build(package, out, validator=passing)  # past validation, to the build's own walk
    assert str(excinfo.value) == (
        f"{package}: {rel} is a link or special file; "
        "a release holds regular files only: replace each with the file itself"
    )
    assert excinfo.value.exit_code == 2
    assert SECRET not in str(excinfo.value)
    assert not out.exists()


def test_missing_release_files_are_named(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    (package / "CITATION.cff").unlink()
    (package / "LICENSE").unlink()
    link_outside(package, "LICENSE", tmp_path)  # a link out of the package is not the file
    message = (
        f"{package}: missing LICENSE, CITATION.cff (or not regular files); "
        "a release carries them: add them first"
    )
    with open_package(package) as pkg, pytest.raises(BuildError) as excinfo:
        zip_entries(pkg)
    assert str(excinfo.value) == message
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(package), "--out", str(out)])
    assert (result.exit_code, result.output) == (2, f"Error: {message}\n")
    assert SECRET not in result.output
    assert not out.exists()


def test_a_release_is_built_from_a_folder(built: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    with pytest.raises(BuildError) as excinfo:
        build(built.zip, out)
    assert str(excinfo.value) == f"{built.zip}: a release is built from a package folder"
    assert not out.exists()


def test_cli_build(built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(FIXTURE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"wrote 10 files into {out} (checksums in {STEM}.SHA256SUMS)"
    assert lines[:-1] == [f"{sha(out / name)}  {out / name}" for name in FILES if not name.endswith("SUMS")]
    assert snapshot(out) == snapshot(built.zip.parent)

    package = copy_package(tmp_path / "pkg")  # without PATH: the package around the current folder
    (package / "docs").mkdir()
    monkeypatch.chdir(package / "docs")
    here = CliRunner().invoke(main, ["build", "--out", "release"])
    assert here.exit_code == 0, here.output
    assert here.output.splitlines()[-1] == f"wrote 10 files into release (checksums in {STEM}.SHA256SUMS)"
    assert snapshot(package / "docs" / "release") == snapshot(out)
