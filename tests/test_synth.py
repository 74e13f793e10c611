"""The synthetic package generator (issue 6) at small size: shape, determinism, validity, defects found;
and the arguments of its script and the benchmark's (the benchmark itself: tests/test_bench.py).

Both live in ``tools/`` (beside the library, outside the wheel) and are run with
``python3 scripts/synth.py`` and ``python3 scripts/bench.py``. The generator writes the package's own
schemas (those of the installed copy) with invented records, so nothing here depends on the live tables.
No timing here: speed is measured by scripts/bench.py, not asserted in tests.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from surveillance_ties.datapackage import package_root
from tools.synth import DEFECT_KINDS, MANIFEST, SynthError, SynthResult, counts, generate
from tools.synth.defects import per_kind
from tools.synth.vocabulary import CITE_FIELDS

from .conftest import ROOT, copy_package, read_schema
from .validate_helpers import tree_digest

ROWS = 3000
SCRIPTS = ROOT / "scripts"
TABLE_ORDER = ["organizations", "partnerships", "features", "regulatory_actions", "sources", "citations"]


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("valid") / "pkg", ROWS, seed=11)


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("defective") / "pkg", ROWS, seed=12, defects=2)


def test_counts_share_the_rows_and_cite_every_record() -> None:
    assert counts(1_200_000) == {
        "organizations": 60_000,
        "partnerships": 420_000,
        "features": 36_000,
        "regulatory_actions": 12_000,
        "sources": 96_000,
        "citations": 576_000,
    }
    assert counts(3000) == {
        "organizations": 150,
        "partnerships": 1050,
        "features": 90,
        "regulatory_actions": 30,
        "sources": 240,
        "citations": 1440,
    }
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


def test_valid_package_has_the_real_schemas_and_descriptor(valid: SynthResult) -> None:
    """The schemas are the installed package's, byte for byte; the descriptor is the real one with
    a synthetic name, title and description and the hash and size of the synthetic tables."""
    real_root = package_root()
    schemas = {p.name: p.read_bytes() for p in sorted((valid.root / "schemas").iterdir())}
    assert schemas == {p.name: p.read_bytes() for p in sorted((real_root / "schemas").iterdir())}
    real = json.loads((real_root / "datapackage.json").read_text(encoding="utf-8"))
    synthetic = json.loads(valid.descriptor.read_text(encoding="utf-8"))
    assert synthetic["name"] == f"{real['name']}-synthetic"
    assert synthetic["title"] == f"{real['title']} (synthetic: {ROWS} rows, seed 11)"
    assert synthetic["description"] == (
        "A synthetic package written by tools.synth for benchmarks and tests, "
        "with the real schemas; its records and archived texts are invented."
    )
    plain = ("name", "title", "description", "resources")
    assert {k: v for k, v in synthetic.items() if k not in plain} == {
        k: v for k, v in real.items() if k not in plain
    }
    volatile = ("hash", "bytes")
    assert [{k: v for k, v in r.items() if k not in volatile} for r in synthetic["resources"]] == [
        {k: v for k, v in r.items() if k not in volatile} for r in real["resources"]
    ]


def test_field_level_citations_name_fields_of_their_record_table(valid: SynthResult) -> None:
    """A second citation of a record backs one of the record's own fields (the renamed columns too)."""
    schemas = {
        r["name"]: json.loads((valid.root / r["schema"]).read_text(encoding="utf-8"))
        for r in json.loads(valid.descriptor.read_text(encoding="utf-8"))["resources"]
    }
    with open(valid.tables["citations"], encoding="utf-8", newline="") as fh:
        cited = {(row["record_table"], row["field"]) for row in csv.DictReader(fh) if row["field"]}
    assert sorted({table for table, _ in cited}) == [
        "features",
        "organizations",
        "partnerships",
        "regulatory_actions",
    ]
    assert (
        sorted(
            (table, field)
            for table, field in cited
            if field not in {f["name"] for f in schemas[table]["fields"]}
        )
        == []
    )
    # every field the generator may cite is a column of its table (regulatory_actions.action_date)
    assert {
        table: [field for field in fields if field not in {f["name"] for f in schemas[table]["fields"]}]
        for table, fields in CITE_FIELDS.items()
    } == dict.fromkeys(CITE_FIELDS, [])


def _renamed_schema(tmp_path: Path) -> Path:
    """A copy of the fixture package whose regulatory_actions schema uses the column's old name."""
    real = copy_package(tmp_path / "real")
    schema = read_schema("regulatory_actions", real)
    for field in schema["fields"]:
        if field["name"] == "action_date":
            field["name"] = "date"  # the column's name before the SQL reserved words were renamed
    (real / "schemas/regulatory_actions.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    return real


def test_a_schema_the_generator_does_not_know_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the package's schemas and the generator part ways, generate() says which table to update."""
    real = _renamed_schema(tmp_path)
    monkeypatch.setattr("surveillance_ties.datapackage.package_root", lambda: real)
    with pytest.raises(SynthError) as info:
        generate(tmp_path / "out", ROWS)
    assert str(info.value) == (
        "the schema of 'regulatory_actions' (schemas/regulatory_actions.schema.json) differs from what "
        "tools.synth generates; update the generator"
    )


def test_a_refused_schema_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like every other refusal, a schema mismatch writes nothing, so the same folder can be used again."""
    real = _renamed_schema(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr("surveillance_ties.datapackage.package_root", lambda: real)
        with pytest.raises(SynthError, match="differs from what tools.synth generates"):
            generate(tmp_path / "out", ROWS)
    assert not (tmp_path / "out").exists()
    assert generate(tmp_path / "out", ROWS).total_rows == ROWS


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path, defective: SynthResult) -> None:
    again = generate(tmp_path / "again", ROWS, seed=12, defects=2)
    assert tree_digest(again.root) == tree_digest(defective.root)
    assert again.defects == defective.defects
    other = generate(tmp_path / "other", ROWS, seed=13, defects=2)
    partnerships = "data/partnerships.csv"
    assert tree_digest(other.root)[partnerships] != tree_digest(defective.root)[partnerships]


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


# --------------------------------------------------------------------------- the entry points in scripts/


def _script(name: str, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python3 scripts/NAME ARGS`` run from ``cwd``, outside the repository (tools/ is found anyway)."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_synth_script_writes_the_same_bytes_as_generate(tmp_path: Path, valid: SynthResult) -> None:
    out = tmp_path / "pkg"
    result = _script("synth.py", out, "--rows", ROWS, "--seed", 11, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    rows = ", ".join(f"{name} {n}" for name, n in counts(ROWS).items())
    assert re.fullmatch(
        re.escape(
            f"{out}: {ROWS} rows ({rows}), 1 archived texts, 0 expected errors from injected defects, in "
        )
        + r"\d+\.\d s\n",
        result.stdout,
    ), result.stdout
    assert tree_digest(out) == tree_digest(valid.root)


def test_synth_script_injects_defects_by_kind(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = _script("synth.py", out, "--rows", ROWS, "--defects", "self-tie=2,enum=1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ", 3 expected errors from injected defects, in " in result.stdout
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["defect_counts"] == {"enum": 1, "self-tie": 2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows", "999"], "synth: rows must be a whole number of at least 1000 (got 999)\n"),
        (
            ["--defects", "typo=1"],
            f"synth: unknown defect kinds ['typo']; use some of {sorted(DEFECT_KINDS)}\n",
        ),
    ],
    ids=["too-few-rows", "unknown-kind"],
)
def test_synth_script_refuses_a_request_it_cannot_satisfy(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = _script("synth.py", tmp_path / "pkg", *args, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "args", "error"),
    [
        (
            "synth.py",
            ["out", "--defects", "abc"],
            "synth.py: error: argument --defects: 'abc' is not a defect rate (0.01), a count per kind (3) "
            "or kind=count pairs (type=2,enum=5)",
        ),
        (
            "bench.py",
            ["--sizes", "999"],
            "bench.py: error: argument --sizes: '999': every size must be at least 1000 rows",
        ),
        (
            "bench.py",
            ["--sizes", "12k,many"],
            "bench.py: error: argument --sizes: '12k,many' is not a comma-separated list of row counts "
            "(such as 12000,120000,1200000 or 12k,120k,1.2M)",
        ),
        ("bench.py", ["--repeat", "0"], "bench.py: error: --repeat must be at least 1"),
    ],
    ids=["synth-defects", "bench-small-size", "bench-bad-sizes", "bench-repeat"],
)
def test_scripts_reject_bad_arguments(tmp_path: Path, name: str, args: list[str], error: str) -> None:
    result = _script(name, *args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"usage: {name} ")
    assert result.stderr.splitlines()[-1] == error
    assert list(tmp_path.iterdir()) == []
