"""`surveillance-ties rehash`: refreshes hash and bytes, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.descriptor import file_stats, rehash

from .conftest import copy_package


def test_rehash_updates_only_the_changed_resource(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    before = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    (pkg / "datapackage.json").chmod(0o644)
    with open(pkg / "data/features.csv", "a", encoding="utf-8") as fh:
        fh.write("x\n")
    assert rehash(pkg) == ["features"]
    after = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    changed = [r["name"] for r, a in zip(before["resources"], after["resources"], strict=True) if r != a]
    assert changed == ["features"]
    features = after["resources"][2]
    assert (features["hash"], features["bytes"]) == file_stats(pkg / "data/features.csv")
    assert features["bytes"] == before["resources"][2]["bytes"] + 2
    before["resources"][2].update(hash=features["hash"], bytes=features["bytes"])
    assert after == before
    assert (pkg / "datapackage.json").stat().st_mode & 0o777 == 0o644
    assert rehash(pkg / "datapackage.json") == []


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
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {tmp_path}/datapackage.json: no such file (give a package folder or its datapackage.json)\n"
    )
    (tmp_path / "datapackage.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["rehash", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {tmp_path}/datapackage.json:1:2: not valid JSON "
        "(Expecting property name enclosed in double quotes)\n"
    )
