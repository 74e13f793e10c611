"""The synthetic package generator (issue 6) at small size: shape, determinism, validity, defects found.

No timing here: speed is measured by scripts/bench.py, not asserted in tests.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from surveillance_ties.synth import DEFECT_KINDS, MANIFEST, SynthError, SynthResult, counts, generate
from surveillance_ties.synth.defects import per_kind

ROWS = 3000
TABLE_ORDER = ["organizations", "partnerships", "features", "regulatory_actions", "sources", "citations"]


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


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


# --------------------------------------------------------------------------- the benchmark's arithmetic


def _run(wall: float, cpu: float = 1.0, rss: int = 100 * 2**20) -> dict[str, float]:
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": rss, "exit_code": 0}


def _cmd(*walls: float, rss: int = 100 * 2**20) -> dict[str, Any]:
    from surveillance_ties.bench.targets import median_of

    runs = [_run(w, cpu=w / 2, rss=rss) for w in walls]
    return {"argv": ["x"], "runs": runs, "median": median_of(runs)}


def _results() -> dict[str, Any]:
    """A run at 12k and 120k rows with made-up figures: some targets met, some missed."""
    return {
        "settings": {"sizes": [120_000, 12_000], "repeat": 3, "max_errors": 1000},
        "cases": {
            "12k-valid": {"commands": {"validate": _cmd(1.0, 1.2, 0.8), "floor": _cmd(0.2, 0.2, 0.2)}},
            "120k-valid": {
                "commands": {
                    "validate": _cmd(3.0, 2.9, 3.1),
                    "floor": _cmd(0.5, 0.6, 0.4),
                    "frictionless": _cmd(150.0),
                }
            },
            "120k-defects": {"commands": {"validate": _cmd(2.0, 2.2, 2.1), "floor": _cmd(0.5, 0.5, 0.5)}},
            "real-loader": {"commands": {"load_all": _cmd(1.2, 1.1, 1.3), "pandas": _cmd(1.0, 1.0, 1.0)}},
            "real-validate": {"commands": {"validate": _cmd(1.5, 1.4, 1.6), "pandera": _cmd(1.0, 1.0, 1.0)}},
        },
        "defects": {
            "12k-defects": {
                "missing": 0,
                "unexpected": 0,
                "shown": 120,
                "error_count": 120,
                "expected": 120,
                "stdout_bytes": 4000,
            },
            "120k-defects": {
                "missing": 2,
                "unexpected": 1,
                "shown": 1000,
                "error_count": 1199,
                "expected": 1200,
                "stdout_bytes": 40000,
            },
        },
    }


def test_bench_medians_ratios_and_verdicts() -> None:
    from surveillance_ties.bench.targets import label, median_of, ratio, verdict

    assert [label(n) for n in (3000, 12_000, 120_000, 1_200_000)] == ["3k", "12k", "120k", "1.2M"]
    assert median_of([_run(3.0, 1.0, 10), _run(1.0, 2.0, 30), _run(2.0, 3.0, 20)]) == {
        "wall_s": 2.0,
        "cpu_s": 2.0,
        "peak_rss_bytes": 20.0,
        "n": 3,
    }
    assert median_of([_run(1.0), _run(2.0)])["wall_s"] == 1.5
    assert ratio(3.0, 1.5) == 2.0 and ratio(None, 1.0) is None and ratio(1.0, 0.0) is None
    assert [
        verdict(3.0, "<=", 3.0),
        verdict(3.01, "<=", 3.0),
        verdict(40.0, ">=", 40.0),
        verdict(None, "<=", 1.0),
    ] == ["pass", "fail", "pass", "n/a"]
    with pytest.raises(ValueError, match="no runs"):
        median_of([])


def test_bench_targets_from_given_numbers() -> None:
    from surveillance_ties.bench.targets import evaluate

    got = {
        t.id: (None if t.measured is None else round(t.measured, 4), t.limit, t.verdict)
        for t in evaluate(_results())
    }
    assert got == {
        "valid-vs-floor": (6.0, 3.0, "fail"),  # 3.0 / 0.5
        "valid-vs-frictionless": (50.0, 40.0, "pass"),  # 150 / 3.0
        "valid-peak-rss": (100 * 2**20, 1_500_000_000, "pass"),
        "defects-vs-floor": (4.2, 4.0, "fail"),  # 2.1 / 0.5
        "defects-reported-12k": (0.0, 0, "pass"),
        "defects-reported-120k": (3.0, 0, "fail"),  # 2 missing + 1 unexpected
        "defects-output-capped": (1000.0, 1000.0, "pass"),
        "growth": (3.0, 12.0, "pass"),  # 3.0 / 1.0, for 10x the rows
        "loader-vs-pandas": (1.2, 1.3, "pass"),
        "validate-vs-pandera": (1.5, 1.3, "fail"),
    }


def test_bench_markdown_names_every_miss_with_its_cause() -> None:
    from surveillance_ties.bench.render import markdown
    from surveillance_ties.bench.targets import evaluate

    results = _results()
    results["targets"] = [t.to_dict() for t in evaluate(results)]
    results["causes"] = {"valid-vs-floor": "70% in quote checks"}
    results["packages"] = {}
    results["preliminary"], results["note"] = True, "busy machine"
    results["settings"].update(seed=1, defect_rate=0.01, frictionless_once_from=1_000_000)
    results["machine"] = {
        "date": "2026-11-26",
        "git_commit": "abc",
        "cpu_count": 2,
        "cpu_model": "cpu",
        "memory_bytes": 2**30,
        "system": "Linux",
        "python": "3.11",
        "libraries": {},
        "load_average": [1.0, 1.0, 1.0],
    }
    text = markdown(results)
    assert "> **PRELIMINARY.** busy machine" in text
    assert "| 120k valid: validate / read floor | 6.00× | <= 3× | ❌ miss |" in text
    assert "| 120k valid: stock frictionless / validate | 50.00× | >= 40× | ✅ pass |" in text
    assert "- **120k valid: validate / read floor** (6.00×, limit <= 3×): 70% in quote checks" in text
    assert "- **real package: validate / import pandera.pandas** (1.50×, limit <= 1.3×): not profiled" in text
    assert "| 120k-valid | frictionless (one run) | 1 | 150.00 | 75.00 | 100 | 150.00 |" in text
    assert "| 120k-valid | validate / floor | 6.00× | 6.00× |" in text


def test_bench_profile_summary_attributes_time_to_our_functions_and_imports() -> None:
    from surveillance_ties.bench.profile import summarise

    def frame(function: str, path: str, time: float, *children: dict[str, Any]) -> dict[str, Any]:
        return {
            "function": function,
            "file_path_short": path,
            "file_path": "/x/" + path,
            "time": time,
            "children": list(children),
        }

    root = frame(
        "<module>",
        "surveillance_ties/__main__.py",
        10.0,
        frame("<module>", "pandas/__init__.py", 3.0, frame("<module>", "numpy/__init__.py", 1.0)),
        frame(
            "validate",
            "surveillance_ties/validation/run.py",
            7.0,
            frame(
                "check",
                "surveillance_ties/validation/cells.py",
                5.0,
                frame("take", "pyarrow/compute.py", 4.0),
            ),
        ),
    )
    summary = summarise({"duration": 10.0, "root_frame": root}, top=3)
    assert summary["imports_s"] == 3.0
    assert [(h["function"], h["seconds"]) for h in summary["ours"]] == [
        ("check", 5.0),
        ("(imports)", 3.0),
        ("validate", 2.0),
    ]
    assert [(h["function"], h["seconds"]) for h in summary["imports"]] == [("pandas", 2.0), ("numpy", 1.0)]
    assert [(h["function"], h["seconds"]) for h in summary["hot"]] == [
        ("take", 4.0),
        ("<module>", 2.0),
        ("validate", 2.0),
    ]


def test_bench_launcher_measures_the_child_alone(tmp_path: Path) -> None:
    import sys

    from surveillance_ties.bench.measure import Launcher

    ballast = bytearray(300 * 2**20)  # the parent's memory must not count as the child's
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    with Launcher() as launch:
        quiet = launch.run(["true"])
        failed = launch.run(
            [sys.executable, "-c", "import sys; print('out'); sys.exit('boom')"], stdout=tmp_path / "out.txt"
        )
        missing = launch.run([str(tmp_path / "no-such-program")])
    assert quiet.exit_code == 0 and quiet.peak_rss_bytes < 100 * 2**20 and quiet.stderr_tail == ""
    assert (failed.exit_code, failed.stderr_tail) == (1, "boom\n")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "out\n"
    assert missing.exit_code == 127
    del ballast
