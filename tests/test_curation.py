"""The curation commands: `rehash` (and the lock and atomic writes every changing command shares)."""

from __future__ import annotations

import json
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

from .conftest import DISK_FULL, copy_package, disk_full


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
    disk_full(monkeypatch)
    result = CliRunner().invoke(main, ["rehash", str(pkg)])
    assert (result.exit_code, result.output) == (2, f"Error: {pkg}/datapackage.json: {DISK_FULL}\n")
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


# -- format ------------------------------------------------------------------------------------


def _cells(root: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every table's rows as tuples of exact cell text, sorted (the values format must keep)."""
    from surveillance_ties.datapackage import open_package
    from surveillance_ties.datapackage.tables import read_text

    with open_package(root, strict=False) as pkg:
        out = {}
        for r in pkg.resources:
            table = read_text(pkg, r.name)
            rows = zip(*(c.to_pylist() for c in table.columns), strict=True)
            out[r.name] = sorted(row for row in rows if any(row))  # a row of empty cells holds nothing
    return out


def test_format_writes_the_canonical_form_and_keeps_every_value(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    orgs = pkg / "data/organizations.csv"
    lines = orgs.read_bytes().split(b"\n")
    # a record appended at the end, as a spreadsheet user would; CRLF; a BOM; needless quotes; no final LF
    added = b'zz-new,"Zed Corp",,company,,,"A company.",'
    orgs.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join([lines[0], added, *lines[1:-1]]))
    cells = pkg / "data/citations.csv"
    cells.write_bytes(
        cells.read_bytes()
        + b"zz-new-1,organizations,zz-new,,techcrunch-2026-02-13-ring-cancels-flock-partnership,"
        + b'"Ring, the Amazon-owned home security company"'
    )
    before = _cells(pkg)
    result = CliRunner().invoke(main, ["format", str(pkg)])
    assert (result.exit_code, result.output) == (
        0,
        "formatted data/organizations.csv\nformatted data/citations.csv\nformatted datapackage.json\n",
    )
    assert _cells(pkg) == before
    text = orgs.read_text(encoding="utf-8")
    assert text.startswith("org_id,name,aliases,")
    assert "\r" not in text and text.endswith("\n")
    assert "zz-new,Zed Corp,,company,,,A company.,\n" in text
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == sorted(
        line.split(",")[0] for line in text.splitlines()[1:]
    )
    from surveillance_ties.validation import validate

    report = validate(pkg)
    assert (report.valid, dict(report.counts)) == (True, {})
    again = CliRunner().invoke(main, ["format", str(pkg)])
    assert (again.exit_code, again.output) == (0, "every table is in its canonical form\n")


def test_format_check_reports_and_writes_nothing(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "data/regulatory_actions.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    snapshot = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["format", "--check", str(pkg)])
    assert (result.exit_code, result.output) == (
        1,
        "not in canonical form: data/regulatory_actions.csv\n"
        "Error: 1 file(s) not in canonical form; run `surveillance-ties format`\n",
    )
    assert {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()} == snapshot


def test_format_refuses_a_table_it_cannot_read_and_changes_nothing(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "data/regulatory_actions.csv"
    path.write_bytes(path.read_bytes() + b"one,two\n")
    snapshot = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["format", str(pkg)])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: {pkg}/data/regulatory_actions.csv: a value does not fit its field's type (CSV parse error: "
        "Expected 9 columns, got 2: one,two)"
    )
    assert {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()} == snapshot


def test_format_is_canonical_idempotent_and_value_preserving_on_the_corpus(tmp_path: Path) -> None:
    """Every corpus package format can read comes out canonical (validate reports none of the byte
    and order codes), with the same cells, and a second run changes nothing."""
    import shutil

    from surveillance_ties.curation import format_package
    from surveillance_ties.datapackage import SurveillanceTiesError
    from surveillance_ties.validation import validate

    from .corpus_tools import built, case_names

    layout = {"not-canonical", "bom", "line-ending", "blank-row", "hash", "bytes"}
    refused = []
    for name in case_names():
        root = shutil.copytree(built(name)[0], tmp_path / name, symlinks=True)
        try:
            format_package(root, check=True)
        except SurveillanceTiesError:
            refused.append(name)  # a package or table format cannot read: validate says why
            continue
        before = _cells(root)
        format_package(root)
        assert _cells(root) == before, name
        assert layout & set(validate(root).counts) == set(), name
        assert format_package(root).changed == [], name
    # the cases whose descriptor, schema or table cannot be read (not CSV text, a ragged row, a header
    # that differs from the schema): format changes nothing there
    assert refused == [
        "descriptor-missing", "descriptor-not-json", "descriptor-shape-name", "descriptor-shape-resources",
        "dialect-unsupported", "empty-file", "encoding-later-line", "encoding-latin1", "header-duplicate",
        "header-mismatch", "ragged-row-extra-cell", "ragged-row-missing-cell", "resource-missing",
        "resource-path-absolute", "resource-path-backslash", "resource-path-dotdot", "resource-path-symlink",
        "resource-path-url", "schema-foreign-key-unknown-field", "schema-invalid",
        "schema-minimum-not-number", "schema-missing", "schema-pattern-invalid", "schema-type-not-string",
        "schema-unknown-type",
        "wrong-delimiter",
    ]  # fmt: skip
