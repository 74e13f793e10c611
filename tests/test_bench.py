"""The benchmark of issue 14 (``tools/bench``, run by ``python3 scripts/bench.py``) on made-up figures and
small packages: medians, the read floor it picks, each target's measured value and verdict, the
rendering, the checks of the validator's and the diff's reports, the mutated copy the diff is timed
on, the profile summary and the launcher. No timing here: speed is measured by the script, never
asserted in tests.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tools.bench import checks, targets
from tools.bench.mutate import ADDED_SUFFIX, MUTATION, MutationError, mutate, share
from tools.synth import SynthResult, generate

from .validate_helpers import tree_digest

MIB = 2**20
ROWS = 3000
TABLE_ORDER = ["organizations", "partnerships", "features", "regulatory_actions", "sources", "citations"]


def _run(wall: float, cpu: float = 1.0, rss: float = 100 * MIB) -> dict[str, float]:
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": rss, "exit_code": 0}


def _cmd(*walls: float, rss: float = 100 * MIB) -> dict[str, Any]:
    runs = [_run(w, cpu=w / 2, rss=rss) for w in walls]
    return {"argv": ["x"], "runs": runs, "median": targets.median_of(runs)}


def _results() -> dict[str, Any]:
    """A run at 12k and 120k rows with made-up figures: some targets met, some missed."""
    return {
        "settings": {"sizes": [120_000, 12_000], "repeat": 3, "max_errors": 1000, "floor_note": None},
        "cases": {
            "12k-valid": {
                "commands": {
                    "validate": _cmd(1.0, 1.2, 0.8),
                    "floor-pyarrow": _cmd(0.2, 0.2, 0.2),
                    "build": _cmd(4.0, 4.0, 4.0),
                }
            },
            "120k-valid": {
                "commands": {
                    "validate": _cmd(3.0, 2.9, 3.1, rss=900 * MIB),
                    "floor-pyarrow": _cmd(0.5, 0.6, 0.4),  # faster: the floor
                    "floor-polars": _cmd(0.8, 0.75, 0.7),
                    "frictionless": _cmd(150.0),
                    "build": _cmd(10.0, 11.0, 12.0),
                }
            },
            "120k-defects": {
                "commands": {
                    "validate": _cmd(2.0, 2.2, 2.1),
                    "floor-pyarrow": _cmd(0.6, 0.6, 0.6),
                    "floor-polars": _cmd(0.5, 0.5, 0.5),  # faster: the floor
                }
            },
            "120k-diff": {
                "commands": {
                    "diff": _cmd(4.0, 3.9, 4.1, rss=1100 * MIB),
                    "floor-pyarrow": _cmd(1.0, 1.0, 1.0),  # polars not measured here
                }
            },
            "real-loader": {"commands": {"load_all": _cmd(1.2, 1.1, 1.3), "pandas": _cmd(1.0, 1.0, 1.0)}},
            "real-validate": {
                "commands": {"validate": _cmd(0.6, 0.55, 0.65, rss=141 * MIB), "frictionless": _cmd(0.8)}
            },
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
        "diff_check": {"120k-diff": {"wrong": 2, "tables": {}, "examples": []}},
    }


def test_bench_medians_ratios_and_verdicts() -> None:
    assert [targets.label(n) for n in (3000, 12_000, 120_000, 1_200_000)] == ["3k", "12k", "120k", "1.2M"]
    assert targets.median_of([_run(3.0, 1.0, 10), _run(1.0, 2.0, 30), _run(2.0, 3.0, 20)]) == {
        "wall_s": 2.0,
        "cpu_s": 2.0,
        "peak_rss_bytes": 20.0,
        "n": 3,
    }
    assert targets.median_of([_run(1.0), _run(2.0)])["wall_s"] == 1.5
    assert targets.ratio(3.0, 1.5) == 2.0 and targets.ratio(None, 1.0) is None
    assert targets.ratio(1.0, 0.0) is None
    assert [
        targets.verdict(3.0, "<=", 3.0),
        targets.verdict(3.01, "<=", 3.0),
        targets.verdict(40.0, ">=", 40.0),
        targets.verdict(None, "<=", 1.0),
        targets.verdict(5.0, "reported", None),
        targets.verdict(None, "reported", None),
    ] == ["pass", "fail", "pass", "n/a", "reported", "n/a"]
    with pytest.raises(ValueError, match="no runs"):
        targets.median_of([])
    with pytest.raises(ValueError, match="needs a limit"):
        targets.verdict(1.0, "<=", None)


def test_bench_read_floor_is_the_faster_of_pyarrow_and_polars() -> None:
    def case(**floors: float) -> dict[str, Any]:
        commands = {f"floor-{name}": _cmd(wall) for name, wall in floors.items()}
        return {"settings": {"floor_note": None}, "cases": {"c": {"commands": commands}}}

    assert targets.floor(case(pyarrow=0.4, polars=0.5), "c") == ("pyarrow", 0.4)
    assert targets.floor(case(pyarrow=0.5, polars=0.4), "c") == ("polars", 0.4)
    assert targets.floor(case(pyarrow=0.5, polars=0.5), "c") == ("pyarrow", 0.5)  # a tie: pyarrow
    assert targets.floor(case(polars=0.7), "c") == ("polars", 0.7)
    assert targets.floor(case(), "c") == (None, None)
    assert targets.floor(case(), "elsewhere") == (None, None)


def test_bench_targets_from_given_numbers() -> None:
    got = {
        t.id: (
            None if t.measured is None else round(t.measured, 4),
            t.op,
            t.limit,
            t.verdict,
            t.floor,
            t.note,
        )
        for t in targets.evaluate(_results())
    }
    assert got == {
        "real-vs-frictionless": (0.75, "<=", 0.6, "fail", None, ""),  # 0.6 / 0.8
        "real-peak-rss": (141 * MIB, "<=", 100 * MIB, "fail", None, ""),
        "valid-vs-floor": (
            6.0,  # 3.0 / 0.5 (pyarrow)
            "<=",
            3.0,
            "fail",
            "pyarrow",
            "floor: pyarrow 0.50 s; polars 0.75 s; aim 2×: not met",
        ),
        "defects-vs-floor": (4.2, "<=", 4.0, "fail", "polars", "floor: polars 0.50 s; pyarrow 0.60 s"),
        "valid-vs-frictionless": (50.0, ">=", 40.0, "pass", None, ""),  # 150 / 3.0
        "valid-peak-rss": (900 * MIB, "<=", 1_500_000_000, "pass", None, ""),
        "growth": (3.0, "<=", 12.0, "pass", None, ""),  # 3.0 / 1.0, for 10x the rows
        "diff-vs-floor": (4.0, "<=", 4.0, "pass", "pyarrow", "floor: pyarrow 1.00 s"),  # at the limit
        "diff-peak-rss": (1100 * MIB, "<=", 1_000_000_000, "fail", None, ""),
        "diff-counts": (2.0, "<=", 0, "fail", None, ""),
        "build-vs-floor": (
            22.0,  # 11 / 0.5
            "reported",
            None,
            "reported",
            "pyarrow",
            "floor: pyarrow 0.50 s; polars 0.75 s",
        ),
        "build-growth": (2.75, "reported", None, "reported", None, ""),  # 11 / 4
        "defects-reported-12k": (0.0, "<=", 0, "pass", None, ""),
        "defects-reported-120k": (3.0, "<=", 0, "fail", None, ""),  # 2 missing + 1 unexpected
        "defects-output-capped": (1000.0, "<=", 1000.0, "pass", None, ""),
        "loader-vs-pandas": (1.2, "<=", 1.3, "pass", None, ""),
    }


def test_bench_targets_name_the_floor_and_the_aim() -> None:
    """The aim of 2x is reported as met; without polars the note says so; the titles follow the size."""
    results = _results()
    results["settings"]["floor_note"] = "polars is not installed: no polars floor"
    results["cases"]["120k-valid"]["commands"]["validate"] = _cmd(0.9, 0.9, 0.9)
    by_id = {t.id: t for t in targets.evaluate(results)}
    assert (by_id["valid-vs-floor"].measured, by_id["valid-vs-floor"].note) == (
        1.8,
        "floor: pyarrow 0.50 s; polars 0.75 s; aim 2×: met",
    )
    assert by_id["diff-vs-floor"].note == "floor: pyarrow 1.00 s; polars is not installed: no polars floor"
    assert [t.title for t in by_id.values() if t.floor is not None] == [
        "120k valid: validate / read floor",
        "120k with defects: validate / read floor",
        "120k diff (1% of rows removed, edited, added): diff / read floor of both packages",
        "120k build: build / read floor",
    ]


def test_bench_targets_of_a_run_with_one_size_and_nothing_measured() -> None:
    """No growth without a second size; every figure the run lacks is "n/a", never a pass."""
    got = [(t.id, t.verdict) for t in targets.evaluate({"settings": {"sizes": [5000]}, "cases": {}})]
    assert got == [
        ("real-vs-frictionless", "n/a"),
        ("real-peak-rss", "n/a"),
        ("valid-vs-floor", "n/a"),
        ("defects-vs-floor", "n/a"),
        ("valid-vs-frictionless", "n/a"),
        ("valid-peak-rss", "n/a"),
        ("diff-vs-floor", "n/a"),
        ("diff-peak-rss", "n/a"),
        ("diff-counts", "n/a"),
        ("build-vs-floor", "n/a"),
        ("defects-reported-5k", "n/a"),
        ("defects-output-capped", "n/a"),
        ("loader-vs-pandas", "n/a"),
    ]


def test_bench_ratios_pair_each_command_with_each_floor() -> None:
    got = {(r["case"], r["ratio"]): round(r["wall"], 4) for r in targets.ratios(_results())}
    assert got == {
        ("12k-valid", "validate / floor-pyarrow"): 5.0,
        ("12k-valid", "build / floor-pyarrow"): 20.0,
        ("120k-valid", "validate / floor-pyarrow"): 6.0,
        ("120k-valid", "validate / floor-polars"): 4.0,
        ("120k-valid", "build / floor-pyarrow"): 22.0,
        ("120k-valid", "build / floor-polars"): 14.6667,
        ("120k-valid", "frictionless / validate"): 50.0,
        ("120k-defects", "validate / floor-pyarrow"): 3.5,
        ("120k-defects", "validate / floor-polars"): 4.2,
        ("120k-diff", "diff / floor-pyarrow"): 4.0,
        ("real-loader", "load_all / pandas"): 1.2,
        ("real-validate", "validate / frictionless"): 0.75,
        ("valid growth", "validate 120k / validate 12k"): 3.0,
        ("valid growth", "build 120k / build 12k"): 2.75,
    }


def _rendered(results: dict[str, Any]) -> str:
    from tools.bench.render import markdown

    results["targets"] = [t.to_dict() for t in targets.evaluate(results)]
    results["causes"] = {"valid-vs-floor": "70% in quote checks", "build-vs-floor": "40% in write_sqlite"}
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
        "libraries": {"polars": "2.1.0", "networkx": None},
        "load_average": [1.0, 1.0, 1.0],
    }
    results["load_average_end"] = [2.0, 1.5, 1.25]
    return markdown(results)


def test_bench_markdown_names_every_target_its_floor_and_each_miss_with_its_cause() -> None:
    results = _results()
    results["diff_check"]["120k-diff"] = {
        "wrong": 2,
        "tables": {
            "organizations": {
                "expected": {"removed": 2, "changed": 2, "added": 2},
                "reported": {"removed": 2, "changed": 1, "added": 3},
                "other_changes": 0,
                "wrong": 2,
            }
        },
        "examples": ["organizations changed o-1: not listed", "organizations added o-9: listed, not made"],
    }
    text = _rendered(results)
    lines = text.splitlines()
    assert lines[0] == "# Benchmark results (issue 14)"
    assert "> **PRELIMINARY.** busy machine" in lines
    assert "Written by `python scripts/bench.py` on 2026-11-26 (git abc)." in lines
    assert (
        "- Machine: 2 CPUs (cpu), 1.0 GiB memory, Linux; load average at start 1.00 / 1.00 / 1.00, "
        "at end 2.00 / 1.50 / 1.25." in lines
    )
    assert "- Python 3.11; polars 2.1.0." in lines
    table = lines[
        lines.index("## Targets") + 3 : lines.index("### Missed targets and their measured causes") - 1
    ]
    assert table == [
        "|---|---:|---:|---|---|",
        "| real package: validate / stock frictionless validate | 0.75× | <= 0.6× | ❌ miss |  |",
        "| real package: validate peak memory | 141 MiB | <= 100 MiB | ❌ miss |  |",
        "| 120k valid: validate / read floor | 6.00× | <= 3× | ❌ miss "
        "| floor: pyarrow 0.50 s; polars 0.75 s; aim 2×: not met |",
        "| 120k with defects: validate / read floor | 4.20× | <= 4× | ❌ miss "
        "| floor: polars 0.50 s; pyarrow 0.60 s |",
        "| 120k valid: stock frictionless / validate | 50.00× | >= 40× | ✅ pass |  |",
        "| 120k valid: validate peak memory | 900 MiB | <= 1.5 GB (1431 MiB) | ✅ pass |  |",
        "| growth: validate 120k / validate 12k (valid) | 3.00× | <= 12× | ✅ pass |  |",
        "| 120k diff (1% of rows removed, edited, added): diff / read floor of both packages | 4.00× "
        "| <= 4× | ✅ pass | floor: pyarrow 1.00 s |",
        "| 120k diff: peak memory | 1100 MiB | <= 1 GB (954 MiB) | ❌ miss |  |",
        "| 120k diff: reports exactly the rows removed, edited and added | 2 | <= 0 | ❌ miss |  |",
        "| 120k build: build / read floor | 22.00× | reported (no limit) | reported "
        "| floor: pyarrow 0.50 s; polars 0.75 s |",
        "| growth: build 120k / build 12k | 2.75× | reported (no limit) | reported |  |",
        "| 12k with defects: every injected defect reported at its place | 0 | <= 0 | ✅ pass |  |",
        "| 120k with defects: every injected defect reported at its place | 3 | <= 0 | ❌ miss |  |",
        "| 120k with defects: output capped by --max-errors | 1000 | <= 1000 | ✅ pass |  |",
        "| real package: load_all / pandas.read_csv | 1.20× | <= 1.3× | ✅ pass |  |",
    ]
    assert "- **120k valid: validate / read floor** (6.00×, limit <= 3×): 70% in quote checks" in lines
    assert (
        "- **120k diff: peak memory** (1100 MiB, limit <= 1 GB (954 MiB)): not profiled in this run" in lines
    )
    assert "- **120k build: build / read floor** (22.00×): 40% in write_sqlite" in lines
    assert "| 120k-valid | frictionless (one run) | 1 | 150.00 | 75.00 | 100 | 150.00 |" in lines
    assert "| 120k-defects | validate / floor-polars | 4.20× | 4.20× |" in lines
    assert "| valid growth | build 120k / build 12k | 2.75× | 2.75× |" in lines
    assert "| organizations | 2 / 2 | 2 / 1 | 2 / 3 | 0 | 2 |" in lines
    assert (
        "Examples: organizations changed o-1: not listed; organizations added o-9: listed, not made." in lines
    )


def test_bench_markdown_says_when_polars_is_missing() -> None:
    results = _results()
    results["settings"]["floor_note"] = "polars is not installed: no polars floor"
    text = _rendered(results)
    assert (
        "- The read floor of a case is the faster (median wall) of two fresh processes that only read every "
        "CSV of the case: `pyarrow.csv.read_csv` (floor-pyarrow) and `polars.read_csv` (floor-polars); each "
        "floor target names the one it used (polars is not installed: no polars floor)." in text.splitlines()
    )


# --------------------------------------------------------------------------- the checks of what was reported


def test_defect_check_counts_missing_and_unexpected_errors() -> None:
    manifest = {
        "defects": [
            {"code": "type", "file": "data/a.csv", "row": 3, "column": "x"},
            {"code": "enum", "file": "data/a.csv", "row": 5, "column": "y"},
        ],
        "defect_counts": {"enum": 1, "type": 1},
    }
    full = {
        "errors": [
            {"code": "type", "file": "data/a.csv", "row": 3, "column": "x"},
            {"code": "enum", "file": "data/a.csv", "row": 6, "column": "y"},
        ]
    }
    capped = {"counts": {"enum": 1, "type": 1}, "error_count": 2, "shown": 1, "truncated": True}
    assert checks.defect_check(manifest, capped, full, 321) == {
        "expected": 2,
        "expected_counts": {"enum": 1, "type": 1},
        "reported_counts": {"enum": 1, "type": 1},
        "error_count": 2,
        "reported": 1,
        "missing": 1,
        "unexpected": 1,
        "missing_examples": [("enum", "data/a.csv", 5, "y")],
        "unexpected_examples": [("enum", "data/a.csv", 6, "y")],
        "shown": 1,
        "truncated": True,
        "stdout_bytes": 321,
    }


_MUTATION = {
    "tables": {
        "orgs": {
            "primary_key": ["id"],
            "removed": [["a"]],
            "changed": [["b"], ["c"]],
            "changed_fields": ["name", "notes"],
            "added": [["d-added"]],
        },
        "ties": {
            "primary_key": ["id"],
            "removed": [["t1"]],
            "changed": [],
            "changed_fields": [],
            "added": [],
        },
    }
}


def _table(name: str, **rows: list[Any]) -> dict[str, Any]:
    base: dict[str, Any] = {"name": name, "status": "changed", "schema": [], "metadata": []}
    base.update({"removed": [], "changed": [], "added": []})
    base.update(rows)
    return base


def _changed(key: str, *fields: str) -> dict[str, Any]:
    return {"key": {"id": key}, "cells": [{"field": f, "old": "x", "new": "x (edited)"} for f in fields]}


def test_diff_check_accepts_exactly_what_the_mutation_made() -> None:
    diff = {
        "metadata": [],
        "tables": [
            _table(
                "orgs",
                removed=[{"id": "a", "name": "A"}],
                changed=[_changed("b", "name"), _changed("c", "notes")],
                added=[{"id": "d-added", "name": "D"}],
            ),
            _table("ties", removed=[{"id": "t1"}]),
        ],
    }
    assert checks.diff_check(diff, _MUTATION) == {
        "tables": {
            "orgs": {
                "expected": {"removed": 1, "changed": 2, "added": 1},
                "reported": {"removed": 1, "changed": 2, "added": 1},
                "other_changes": 0,
                "wrong": 0,
            },
            "ties": {
                "expected": {"removed": 1, "changed": 0, "added": 0},
                "reported": {"removed": 1, "changed": 0, "added": 0},
                "other_changes": 0,
                "wrong": 0,
            },
        },
        "package_metadata_changes": 0,
        "wrong": 0,
        "examples": [],
    }


def test_diff_check_counts_every_row_and_change_the_diff_gets_wrong() -> None:
    diff = {
        "metadata": [{"key": "title", "change": "changed", "old": "a", "new": "b"}],
        "tables": [
            _table(
                "orgs",
                removed=[{"id": "a"}, {"id": "x"}],  # x was not removed: 1
                changed=[_changed("b", "name"), _changed("c", "notes", "name")],  # c: another cell too: 1
                added=[],  # d-added left out: 1
            ),
            _table(
                "ties",
                removed=[{"id": "t1"}, {"id": "t1"}],  # listed twice: 1
                schema=[{"kind": "field-added", "field": "z"}],  # 1
            ),
            _table("feats", status="added", added=[{"id": "f1"}, {"id": "f2"}]),  # 2 rows
        ],
    }
    got = checks.diff_check(diff, _MUTATION)
    assert (got["wrong"], got["package_metadata_changes"]) == (8, 1)
    assert {name: (t["reported"], t["other_changes"], t["wrong"]) for name, t in got["tables"].items()} == {
        "orgs": ({"removed": 2, "changed": 2, "added": 0}, 0, 3),
        "ties": ({"removed": 2, "changed": 0, "added": 0}, 1, 2),
    }
    assert got["examples"] == [
        "orgs removed x: listed, not made",
        "orgs added d-added: not listed",
        "orgs changed c: cells ['notes', 'name'], edited notes",
        "feats: a table the mutation did not touch",
        "1 package metadata changes",
    ]


def test_diff_check_counts_a_table_the_diff_leaves_out() -> None:
    got = checks.diff_check({"metadata": [], "tables": []}, _MUTATION)
    assert {name: t["wrong"] for name, t in got["tables"].items()} == {"orgs": 5, "ties": 2}
    assert got["wrong"] == 7  # 4 rows and "absent" for orgs, 1 row and "absent" for ties
    assert got["examples"][-1] == "ties: reported as 'absent'"


# --------------------------------------------------------------------------- the mutated copy for the diff


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("synthetic") / "pkg", ROWS, seed=11)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_share_of_rows_to_change() -> None:
    assert [share(n, 0.01) for n in (0, 1, 2, 30, 90, 150, 240, 1050, 1440)] == [0, 0, 1, 1, 1, 2, 2, 11, 14]
    assert [share(3, 0.4), share(10, 0.3), share(10, 0.05), share(10, 0.0)] == [1, 3, 1, 0]


def test_mutate_removes_edits_and_adds_one_percent_of_each_table(
    synthetic: SynthResult, tmp_path: Path
) -> None:
    mutation = mutate(synthetic.root, tmp_path / "copy", seed=5)
    assert list(mutation.tables) == TABLE_ORDER
    assert {name: (t.rows_old, t.rows_new, t.counts()) for name, t in mutation.tables.items()} == {
        "organizations": (150, 150, {"removed": 2, "changed": 2, "added": 2}),
        "partnerships": (1050, 1050, {"removed": 11, "changed": 11, "added": 11}),
        "features": (90, 90, {"removed": 1, "changed": 1, "added": 1}),
        "regulatory_actions": (30, 30, {"removed": 1, "changed": 1, "added": 1}),
        "sources": (240, 240, {"removed": 2, "changed": 2, "added": 2}),
        "citations": (1440, 1440, {"removed": 14, "changed": 14, "added": 14}),
    }
    for name, made in mutation.tables.items():
        (pk,) = made.primary_key
        old = {r[pk]: r for r in _rows(synthetic.tables[name])}
        new_rows = _rows(tmp_path / "copy" / "data" / f"{name}.csv")
        new = {r[pk]: r for r in new_rows}
        assert len(new) == len(new_rows)  # keys unique
        removed = {k for (k,) in made.removed}
        changed = dict(zip([k for (k,) in made.changed], made.changed_fields, strict=True))
        added = [k for (k,) in made.added]
        assert not removed & set(changed) and removed <= set(old) and not removed & set(new)
        # the kept rows in their order, then the added ones at the end
        assert [r[pk] for r in new_rows] == [k for k in old if k not in removed] + added
        for key in added:
            source = old[key.removesuffix(ADDED_SUFFIX)]
            assert new[key] == {**source, pk: key}
        for key, row in new.items():
            if key in changed:
                was = old[key][changed[key]]
                assert row == {**old[key], changed[key]: f"{was} (edited)" if was else "(edited)"}, key
            elif key in old:
                assert row == old[key]
        assert [f for f in changed.values() if f in {pk, "org_id", "source_id", "record_id"}] == []


def test_mutated_copy_is_a_package_with_the_new_hashes_and_its_manifest(
    synthetic: SynthResult, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    mutation = mutate(synthetic.root, out, seed=5)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    original = json.loads(synthetic.descriptor.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        raw = (out / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest()
        assert resource["bytes"] == len(raw)
    volatile = ("hash", "bytes")
    assert [{k: v for k, v in r.items() if k not in volatile} for r in descriptor["resources"]] == [
        {k: v for k, v in r.items() if k not in volatile} for r in original["resources"]
    ]
    assert {k: v for k, v in descriptor.items() if k != "resources"} == {
        k: v for k, v in original.items() if k != "resources"
    }
    old_tree, new_tree = tree_digest(synthetic.root), tree_digest(out)
    assert sorted(set(old_tree) ^ set(new_tree)) == [MUTATION, "synth.json"]
    assert sorted(p for p in old_tree if p in new_tree and old_tree[p] != new_tree[p]) == sorted(
        ["datapackage.json", *(f"data/{name}.csv" for name in TABLE_ORDER)]
    )
    assert json.loads((out / MUTATION).read_text(encoding="utf-8")) == mutation.to_dict()


def test_mutate_gives_the_same_bytes_for_a_seed_and_replaces_an_earlier_copy(
    synthetic: SynthResult, tmp_path: Path
) -> None:
    first = mutate(synthetic.root, tmp_path / "a", seed=5)
    mutate(synthetic.root, tmp_path / "b", seed=6)
    again = mutate(synthetic.root, tmp_path / "b", seed=5)  # replaces the seed-6 copy
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert again.to_dict() == first.to_dict()
    other = mutate(synthetic.root, tmp_path / "c", seed=6)
    citations = "data/citations.csv"
    assert tree_digest(tmp_path / "c")[citations] != tree_digest(tmp_path / "a")[citations]
    assert other.tables["citations"].removed != first.tables["citations"].removed


def test_diff_reports_exactly_the_rows_the_mutation_changed(synthetic: SynthResult, tmp_path: Path) -> None:
    """The check the benchmark makes, here on the library's diff rendered as the CLI's JSON."""
    from surveillance_ties.release.diff import diff_sources
    from surveillance_ties.release.diff_render import render

    mutation = mutate(synthetic.root, tmp_path / "copy", seed=5)
    report = json.loads(render(diff_sources(str(synthetic.root), str(tmp_path / "copy")), "json"))
    got = checks.diff_check(report, mutation.to_dict())
    assert (got["wrong"], got["package_metadata_changes"], got["examples"]) == (0, 0, [])
    assert {name: t["reported"] for name, t in got["tables"].items()} == {
        name: t.counts() for name, t in mutation.tables.items()
    }


def test_steps_of_validate_and_diff_are_timed_on_every_thread(synthetic: SynthResult, tmp_path: Path) -> None:
    from tools.bench.phases import STEPS, describe, phases

    got = phases("validate", [str(synthetic.root)])
    calls = {r["function"]: r["calls"] for r in got["steps"]}
    assert [r["function"] for r in got["steps"]] == [name for _, name, _ in STEPS["validate"]]
    assert calls == {
        "read_table": 6, "empty_rows": 6, "check_archives": 1, "check_quotes": 1, "check_canonical": 6,
        "check_header": 6, "check_cells": 6, "check_fields": 6, "check_primary_key": 6, "check_meaning": 6,
        "check_foreign_keys": 6, "record_links": 1, "check_citations": 1, "check_uncited": 1,
    }  # fmt: skip
    assert all(r["cpu_s"] >= 0 for r in got["steps"]) and got["rest_cpu_s"] >= 0
    assert got["cpu_s"] >= sum(r["cpu_s"] for r in got["steps"])

    mutate(synthetic.root, tmp_path / "copy", seed=5)
    got = phases("diff", [str(synthetic.root), str(tmp_path / "copy")])
    assert {r["function"]: r["calls"] for r in got["steps"]} == {
        "_text": 12, "_old_rows_of": 6, "_rows_diff": 6, "_dicts": 24, "render": 1,
    }  # fmt: skip

    made = {
        "cpu_s": 3.0, "wall_s": 2.0, "imports_cpu_s": 0.5, "rest_cpu_s": 1.25,
        "steps": [{"step": "b", "cpu_s": 0.25}, {"step": "a", "cpu_s": 1.5}, {"step": "z", "cpu_s": 0.001}],
    }  # fmt: skip
    assert describe("x validate", made) == (
        "CPU by step of one in-process run of `x validate` (3.00 s of CPU in 2.00 s of wall time after "
        "0.50 s of imports; on 2 cores the wall time cannot be below half the CPU time): a 1.50 s; b 0.25 s; "
        "the rest (CSV parsing and hashing on helper threads, the report) 1.25 s"
    )


def test_mutate_refuses_what_it_cannot_do_before_writing(synthetic: SynthResult, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(MutationError) as info:
        mutate(synthetic.root, tmp_path / "busy")
    assert str(info.value) == f"{tmp_path / 'busy'}: not a new or empty folder, nor an earlier mutated copy"
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["notes.txt"]
    with pytest.raises(MutationError, match=r"^rate must be above 0 and below 0.5 \(got 0.5\)$"):
        mutate(synthetic.root, tmp_path / "new", rate=0.5)
    keyless = tmp_path / "keyless"
    keyless.mkdir()
    for part in ("datapackage.json", "data", "schemas", "seeds"):
        source = synthetic.root / part
        if source.is_dir():
            shutil.copytree(source, keyless / part)
        else:
            (keyless / part).write_bytes(source.read_bytes())
    schema = json.loads((keyless / "schemas/features.schema.json").read_text(encoding="utf-8"))
    del schema["primaryKey"]
    (keyless / "schemas/features.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(MutationError) as info:
        mutate(keyless, tmp_path / "new")
    assert str(info.value) == "features: the table has no primary key, so rows cannot be edited"
    assert not (tmp_path / "new").exists()


# --------------------------------------------------------------------------- floors, profiles, launcher


def test_polars_floor_reads_a_file_whose_later_rows_break_the_inferred_types(tmp_path: Path) -> None:
    """polars infers types from the first 100 rows; a defect after them must not stop the floor."""
    pl = pytest.importorskip("polars")
    from tools.bench import _FLOORS

    path = tmp_path / "t.csv"
    path.write_text("flag\n" + "true\n" * 150 + "yes\n", encoding="utf-8")
    with pytest.raises(pl.exceptions.ComputeError, match="could not parse `yes` as dtype `bool`"):
        pl.read_csv(path)  # the witness: the plain call fails
    result = subprocess.run(
        [sys.executable, "-c", _FLOORS["floor-polars"], str(path)], capture_output=True, text=True
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_floors_leave_out_polars_when_it_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import tools.bench as bench

    assert [c.name for c in bench._floors([Path("a.csv")], 3)] == ["floor-pyarrow", "floor-polars"]
    monkeypatch.setattr(bench, "polars_available", lambda: False)
    floors = bench._floors([Path("a.csv"), Path("b.csv")], 3)
    assert [(c.name, c.argv[-2:], c.runs) for c in floors] == [("floor-pyarrow", ["a.csv", "b.csv"], 3)]


def test_profile_target_runs_the_measured_subcommand_under_the_module() -> None:
    from tools.bench import _LOADER, profile_target

    results = {
        "cases": {
            "1.2M-valid": {
                "commands": {
                    "validate": {
                        "argv": ["/v/bin/surveillance-ties", "validate", "/w/p", "--format", "json"]
                    },
                    "build": {"argv": ["/v/bin/surveillance-ties", "build", "/w/p", "--out", "/w/d"]},
                }
            },
            "1.2M-diff": {"commands": {"diff": {"argv": ["st", "diff", "/w/a", "/w/b", "--format", "json"]}}},
            "real-loader": {"commands": {"load_all": {"argv": ["python", "-c", "..."]}}},
        }
    }
    assert profile_target(results, "1.2M-valid", "validate") == [
        "-m",
        "surveillance_ties",
        "validate",
        "/w/p",
        "--format",
        "json",
    ]
    assert profile_target(results, "1.2M-valid", "build") == [
        "-m",
        "surveillance_ties",
        "build",
        "/w/p",
        "--out",
        "/w/d",
    ]
    assert profile_target(results, "1.2M-diff", "diff") == [
        "-m",
        "surveillance_ties",
        "diff",
        "/w/a",
        "/w/b",
        "--format",
        "json",
    ]
    assert profile_target(results, "real-loader", "load_all") == ["-c", _LOADER]
    assert profile_target(results, "1.2M-defects", "validate") is None


def test_bench_profile_summary_attributes_time_to_our_functions_and_imports() -> None:
    from tools.bench.profile import summarise

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
    from tools.bench.measure import Launcher

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
