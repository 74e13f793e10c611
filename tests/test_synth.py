"""The synthetic package generator (issue 6) at small size: shape, determinism, validity, defects found.

No timing here: speed is measured by scripts/bench.py, not asserted in tests.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from surveillance_ties.synth import DEFECT_KINDS, MANIFEST, SynthError, SynthResult, counts, generate
from surveillance_ties.synth.defects import per_kind

ROWS = 3000
TABLE_ORDER = ["organizations", "partnerships", "features", "regulatory_actions", "sources", "citations"]


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("valid") / "pkg", ROWS, seed=11)


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("defective") / "pkg", ROWS, seed=12, defects=2)


def test_counts_share_the_rows_and_cite_every_record() -> None:
    assert counts(1_200_000) == {
        "organizations": 60_000, "partnerships": 420_000, "features": 36_000, "regulatory_actions": 12_000,
        "sources": 96_000, "citations": 576_000,
    }
    assert counts(3000) == {"organizations": 150, "partnerships": 1050, "features": 90,
                            "regulatory_actions": 30, "sources": 240, "citations": 1440}
    with pytest.raises(SynthError, match="at least 1000"):
        counts(999)


def test_valid_package_files_and_shape(valid: SynthResult) -> None:
    root = valid.root
    assert valid.rows == counts(ROWS) and valid.total_rows == ROWS
    names = sorted(p.name for p in root.iterdir())
    assert names == ["data", "datapackage.json", "schemas", "seeds", MANIFEST]
    assert [p.name for p in valid.archives] == [p.name for p in sorted((root / "seeds").iterdir())]
    assert len(valid.archives) == 1  # 240 sources: one archived text per ~1,000 sources
    descriptor = json.loads(valid.descriptor.read_text(encoding="utf-8"))
    assert descriptor["name"] == "surveillance-ties-synthetic"
    assert [r["name"] for r in descriptor["resources"]] == TABLE_ORDER
    for resource in descriptor["resources"]:
        raw = (root / resource["path"]).read_bytes()
        assert resource["bytes"] == len(raw)
        assert resource["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest()
        assert b"\r" not in raw and raw.endswith(b"\n") and not raw.startswith(b"\xef\xbb\xbf")
        schema = json.loads((root / resource["schema"]).read_text(encoding="utf-8"))
        with open(root / resource["path"], encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == [f["name"] for f in schema["fields"]]
        assert len(rows) - 1 == valid.rows[resource["name"]]
        keys = [r[0] for r in rows[1:]]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path, defective: SynthResult) -> None:
    again = generate(tmp_path / "again", ROWS, seed=12, defects=2)
    assert _tree(again.root) == _tree(defective.root)
    assert again.defects == defective.defects
    other = generate(tmp_path / "other", ROWS, seed=13, defects=2)
    assert _tree(other.root)["data/partnerships.csv"] != _tree(defective.root)["data/partnerships.csv"]


def test_valid_package_passes_the_validator(valid: SynthResult) -> None:
    from surveillance_ties import validate

    report = validate(valid.root)
    assert [(e.code, e.file, e.row, e.column) for e in report.errors] == []
    assert report.valid


def test_valid_package_passes_stock_frictionless(valid: SynthResult) -> None:
    import frictionless

    report = frictionless.validate(str(valid.descriptor))
    assert report.flatten(["type", "rowNumber", "fieldName"]) == []
    assert report.valid


def test_manifest_lists_each_kind_in_its_own_row(defective: SynthResult) -> None:
    kinds = {d.kind for d in defective.defects}
    assert kinds == set(DEFECT_KINDS)
    assert defective.defect_counts() == {code: 2 for code in sorted(DEFECT_KINDS.values())}
    places = {(d.file, d.row): d.kind for d in defective.defects}
    assert len(places) == len(defective.defects) == 2 * len(DEFECT_KINDS)  # no two defects share a row
    manifest = json.loads((defective.root / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["defect_counts"] == defective.defect_counts()
    assert len(manifest["defects"]) == len(defective.defects)


def test_validator_reports_exactly_the_injected_defects(defective: SynthResult) -> None:
    from surveillance_ties import validate

    report = validate(defective.root)
    found = sorted((e.code, e.file, e.row, e.column) for e in report.errors)
    expected = sorted((d.code, d.file, d.row, d.column) for d in defective.defects)
    assert found == expected
    assert dict(report.counts) == {code: n for code, n in defective.defect_counts().items()}


def test_injected_cells_hold_the_listed_values(defective: SynthResult) -> None:
    for d in defective.defects:
        if d.column is None or d.kind == "uncited-record":
            continue
        with open(defective.root / d.file, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        cell = rows[d.row - 2][d.column]
        assert cell == (d.value or ""), d


def test_rate_spreads_defects_evenly_over_the_kinds() -> None:
    want = per_kind(0.01, 1_200_000)
    assert sum(want.values()) == 12_000
    assert set(want) == set(DEFECT_KINDS)
    assert max(want.values()) - min(want.values()) <= 1
    assert per_kind({"self-tie": 3, "type": 0}, 5000) == {"self-tie": 3}
    assert per_kind(None, 5000) == {} and per_kind(0, 5000) == {}
    with pytest.raises(SynthError, match="unknown defect kinds"):
        per_kind({"typo": 1}, 5000)
    with pytest.raises(SynthError, match="between 0 and 1"):
        per_kind(1.5, 5000)


def test_too_many_defects_for_the_rows_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SynthError, match="cannot inject 100 defects of kind 'amount-currency'"):
        generate(tmp_path / "p", 3000, defects={"amount-currency": 100})


def test_refuses_a_folder_that_is_not_a_synthetic_package(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SynthError, match="not empty and holds no synthetic package"):
        generate(tmp_path, 3000)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_replaces_an_earlier_synthetic_package(tmp_path: Path) -> None:
    generate(tmp_path, 3000, seed=1)
    second = generate(tmp_path, 3000, seed=2)
    assert [p.name for p in (tmp_path / "seeds").iterdir()] == [p.name for p in second.archives]
