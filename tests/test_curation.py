"""The curation commands: `rehash` (and the lock and atomic writes every changing command shares)."""

from __future__ import annotations

import errno
import json
import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.curation import rehash
from surveillance_ties.datapackage import WriteError
from surveillance_ties.datapackage.hashing import digest_stream
from surveillance_ties.datapackage.writing import locked

from .conftest import copy_package


def stats(path: Path) -> tuple[str, int]:
    with open(path, "rb") as fh:
        digest, size = digest_stream(fh)
    return str(digest), size


def test_rehash_updates_only_the_changed_resource(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    before = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    with open(pkg / "data/features.csv", "a", encoding="utf-8") as fh:
        fh.write("x\n")
    assert rehash(pkg) == ["features"]
    after = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    changed = [r["name"] for r, a in zip(before["resources"], after["resources"], strict=True) if r != a]
    assert changed == ["features"]
    features = after["resources"][2]
    assert (features["hash"], features["bytes"]) == stats(pkg / "data/features.csv")
    assert features["bytes"] == before["resources"][2]["bytes"] + 2
    before["resources"][2].update(hash=features["hash"], bytes=features["bytes"])
    assert after == before
    assert (pkg / "datapackage.json").stat().st_mode & 0o777 == 0o644
    assert rehash(pkg / "datapackage.json") == []
    assert sorted(p.name for p in pkg.iterdir()) == ["data", "datapackage.json", "schemas", "seeds"]


def test_rehash_cli(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    runner = CliRunner()
    result = runner.invoke(main, ["rehash", str(pkg)])
    assert (result.exit_code, result.output) == (0, "hash and bytes already current\n")
    (pkg / "data/citations.csv").write_bytes((pkg / "data/citations.csv").read_bytes() + b"\n")
    result = runner.invoke(main, ["rehash", str(pkg)])
    assert (result.exit_code, result.output) == (0, "updated hash and bytes of: citations\n")


def test_rehash_cli_without_a_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rehash", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {tmp_path}: this folder has no datapackage.json; give a package folder, its "
        "datapackage.json, a release zip, or an https:// URL of one\n",
    )
    (tmp_path / "datapackage.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["rehash", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {tmp_path}/datapackage.json:1: not valid JSON: Expecting property name enclosed in double "
        "quotes (column 2); fix it (`surveillance-ties validate` lists every problem)\n",
    )


def test_rehash_refuses_a_table_that_is_a_link_out_of_the_package(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    secret = tmp_path / "secret.csv"
    secret.write_text("the secret\n", encoding="utf-8")
    (pkg / "data/features.csv").unlink()
    (pkg / "data/features.csv").symlink_to(secret)
    before = (pkg / "datapackage.json").read_bytes()
    result = CliRunner().invoke(main, ["rehash", str(pkg)])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {pkg}/datapackage.json: resource 'features': 'data/features.csv' points outside the "
        "package; fix it (`surveillance-ties validate` lists every problem)\n",
    )
    assert (pkg / "datapackage.json").read_bytes() == before


def test_a_failed_write_leaves_the_descriptor_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = copy_package(tmp_path / "pkg")
    (pkg / "data/features.csv").write_bytes((pkg / "data/features.csv").read_bytes() + b"x\n")
    before = (pkg / "datapackage.json").read_bytes()

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    result = CliRunner().invoke(main, ["rehash", str(pkg)])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {pkg}/datapackage.json: cannot write (No space left on device); nothing was changed; "
        "free some disk space and run the command again\n",
    )
    assert (pkg / "datapackage.json").read_bytes() == before
    assert sorted(p.name for p in pkg.iterdir()) == ["data", "datapackage.json", "schemas", "seeds"]
    with pytest.raises(WriteError):
        rehash(pkg)


def test_rehash_waits_for_the_lock_of_another_command(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    (pkg / "data/features.csv").write_bytes((pkg / "data/features.csv").read_bytes() + b"x\n")
    done: list[list[str]] = []
    with locked(pkg):
        worker = threading.Thread(target=lambda: done.append(rehash(pkg)))
        worker.start()
        time.sleep(0.5)
        assert done == []  # still waiting: the descriptor is another command's until it lets go
    worker.join(timeout=30)
    assert done == [["features"]]
