"""The package layer on its own: stores, the descriptor's problems, checked zips, atomic writes."""

from __future__ import annotations

import errno
import json
import os
import zipfile
from pathlib import Path

import pytest

import surveillance_ties as st
from surveillance_ties.datapackage import (
    HashMismatchError,
    MissingFileError,
    Problem,
    UnsafePathError,
    WriteError,
    dumps,
    open_package,
)
from surveillance_ties.datapackage.descriptor import load_json, refreshed
from surveillance_ties.datapackage.stores import FolderStore, unsafe_reason
from surveillance_ties.datapackage.writing import write_all, write_atomic

from .conftest import FIXTURE, RELEASE_PARTS, copy_package


def _zip(root: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return target


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "is empty"),
        ("data/x\x00.csv", "contains a NUL character"),
        ("https://example.org/x.csv", "is a URL or a drive (the package is read from local files only)"),
        ("file:///etc/passwd", "is a URL or a drive (the package is read from local files only)"),
        ("C:/x.csv", "is a URL or a drive (the package is read from local files only)"),
        ("//server/x.csv", "is a URL or a drive (the package is read from local files only)"),
        ("/etc/passwd", "is not a relative path with forward slashes"),
        ("data\\x.csv", "is not a relative path with forward slashes"),
        ("data/../../x.csv", "contains `..`"),
        ("data/x.csv", None),
        ("data/..x.csv", None),
    ],
)
def test_unsafe_reason(path: str, why: str | None) -> None:
    assert unsafe_reason(path) == why


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            b'{"a": 1, "a": 2}',
            Problem("descriptor-shape", "d.json", "the key 'a' appears twice in one object; keep one"),
        ),
        (
            b'{"a": NaN}',
            Problem("descriptor-shape", "d.json", "NaN is not a JSON value; write a number or a string"),
        ),
        (b'{"a": \xff}', Problem("descriptor-json", "d.json", "byte 6 is not UTF-8", row=1)),
        (
            b'{\n"a": }',
            Problem("descriptor-json", "d.json", "not valid JSON: Expecting value (column 6)", row=2),
        ),
        (b"[" * 33 + b"]" * 33, Problem("descriptor-shape", "d.json", "nested more than 32 levels deep")),
        (b"[" * 100_000, Problem("descriptor-shape", "d.json", "nested more than 32 levels deep")),
    ],
)
def test_load_json_refuses_what_it_cannot_trust(text: bytes, problem: Problem) -> None:
    assert load_json(text, "d.json", "descriptor-json", "descriptor-shape") == (None, problem)


def test_load_json_keeps_what_is_fine() -> None:
    assert load_json(b"[" * 32 + b"]" * 32, "d.json", "descriptor-json") [1] is None  # fmt: skip


def test_folder_store_reads_regular_files_inside_only(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg")
    (tmp_path / "outside.txt").write_text("outside\n", encoding="utf-8")
    (root / "data" / "out.txt").symlink_to(tmp_path / "outside.txt")
    (root / "data" / "in.txt").symlink_to(root / "data" / "features.csv")
    os.mkfifo(root / "data" / "pipe")
    store = FolderStore(root)
    assert store.read_bytes("data/in.txt") == (root / "data" / "features.csv").read_bytes()
    with pytest.raises(UnsafePathError) as outside:
        store.read_bytes("data/out.txt")
    assert str(outside.value) == (
        f"{root}/data/out.txt: leads outside the package through a link; "
        "replace the link with the file itself"
    )
    with pytest.raises(UnsafePathError) as pipe:
        store.read_bytes("data/pipe")
    assert str(pipe.value).endswith(
        "is not a regular file (a FIFO, socket or device); a package holds regular files only"
    )
    with pytest.raises(UnsafePathError):
        store.read_bytes("data")
    with pytest.raises(MissingFileError):
        store.read_bytes("data/none.csv")
    assert store.walk("data") == (
        ["data/citations.csv", "data/features.csv", "data/organizations.csv", "data/partnerships.csv",
         "data/regulatory_actions.csv", "data/sources.csv"],
        ["data/in.txt", "data/out.txt", "data/pipe"],
    )  # fmt: skip


def test_a_zip_rewritten_to_the_same_size_is_read_again(tmp_path: Path) -> None:
    """No cache between calls can hand back bytes that were not checked: each opening checks again."""
    root = copy_package(tmp_path / "pkg", RELEASE_PARTS)
    archive = _zip(root, tmp_path / "p.zip")
    assert st.load("organizations", source=archive)["name"].tolist()[0] == "Amazon"
    orgs = root / "data" / "organizations.csv"
    orgs.write_bytes(orgs.read_bytes().replace(b"amazon,Amazon,", b"amazon,Amazom,", 1))
    with open_package(root, strict=False) as pkg:
        (root / "datapackage.json").write_text(dumps(refreshed(pkg)), encoding="utf-8")
    size = archive.stat().st_size
    _zip(root, archive)
    assert archive.stat().st_size == size
    assert st.load("organizations", source=archive)["name"].tolist()[0] == "Amazom"


def test_a_zip_member_larger_than_declared_is_refused_before_it_is_read(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg", RELEASE_PARTS)
    data = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    data["resources"][0]["bytes"] = 10
    (root / "datapackage.json").write_text(json.dumps(data), encoding="utf-8")
    archive = _zip(root, tmp_path / "p.zip")
    size = (root / "data" / "organizations.csv").stat().st_size
    with pytest.raises(HashMismatchError) as info:
        open_package(archive)
    assert str(info.value) == (
        f"{archive}:data/organizations.csv: has {size} bytes, not the 10 its descriptor gives; "
        "the copy is damaged or was altered: get it again"
    )


def test_write_atomic_keeps_the_old_file_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old\n", encoding="utf-8")

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(WriteError) as info:
        write_atomic(target, b"new\n")
    assert str(info.value) == (
        f"{target}: cannot write (Read-only file system); nothing was changed; "
        "make the folder writable (or give another one) and run the command again"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert target.read_text(encoding="utf-8") == "old\n"


def test_write_all_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        tmp_path / "a.txt": b"new a\n",
        tmp_path / "sub" / "b.txt": b"new b\n",
        tmp_path / "c.txt": b"c\n",
    }
    (tmp_path / "a.txt").write_bytes(b"old a\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_bytes(b"old b\n")
    real = os.replace
    calls: list[str] = []

    def fail_on_c(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(dst).name)
        if Path(dst).name == "c.txt":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_c)
    with pytest.raises(WriteError) as info:
        write_all(files)
    assert str(info.value).startswith(f"{tmp_path / 'c.txt'}: cannot write (No space left on device)")
    assert (tmp_path / "a.txt").read_bytes() == b"old a\n"
    assert (tmp_path / "sub" / "b.txt").read_bytes() == b"old b\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "a.txt",
        "sub",
        "sub/b.txt",
    ]
    monkeypatch.setattr(os, "replace", real)
    write_all(files)
    assert [p.read_bytes() for p in files] == list(files.values())


def test_the_fixture_opens_without_problems() -> None:
    with open_package(FIXTURE) as pkg:
        assert (pkg.problems, pkg.readable, pkg.table_names) == (
            (),
            True,
            ["organizations", "partnerships", "features", "regulatory_actions", "sources", "citations"],
        )
        assert [r.dialect.delimiter for r in pkg.resources] == [","] * 6
