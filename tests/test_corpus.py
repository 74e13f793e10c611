"""The defect corpus (issue 3): every package in tests/corpus/ is flagged at the exact cell.

Each case is the small valid base package with one defect (see
``tests/corpus_tools.py`` for how a case is built). For every case the test
pins the exact set of ``(code, file, row, column)`` that
:func:`surveillance_ties.validate` reports, the exit code of
``surveillance-ties validate``, that the text, JSON and GitHub outputs name the
same files and lines, and that validating wrote nothing into the package and
opened no network connection.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from surveillance_ties.cli import main
from surveillance_ties.validation import codes

from .corpus_tools import CORPUS, Row, built, case_names, load_case, no_network, report, snapshot

CASES = case_names()
FORMATS = ("text", "json", "github")
_GITHUB = re.compile(r"^::error file=(?P<file>[^,:]+)(?:,line=(?P<line>\d+))?[,:]", re.MULTILINE)


def _key(row: Row) -> tuple[str, str, int, str]:
    code, file, line, column = row
    return (file, code, -1 if line is None else line, column or "")


def found(report: Any) -> list[Row]:
    """The report's errors as sorted ``(code, file, row, column)`` tuples."""
    return sorted(((e.code, e.file, e.row, e.column) for e in report.errors), key=_key)


def invoke(root: Path, fmt: str) -> Result:
    """``surveillance-ties validate ROOT --format FMT``, run in-process."""
    return CliRunner().invoke(main, ["validate", str(root), "--format", fmt])


def places_in_text(output: str, files: set[str]) -> set[tuple[str, int | None]]:
    """``(file, line)`` of every error line of the text output (``file:line:...`` or ``file: ...``)."""
    places: set[tuple[str, int | None]] = set()
    for line in output.splitlines():
        for file in files:
            if line.startswith(f"{file}:"):
                m = re.match(r"(\d+):", line[len(file) + 1 :])
                places.add((file, int(m.group(1)) if m else None))
    return places


def errors_in_json(output: str) -> list[Row]:
    """The errors of the JSON output as sorted ``(code, file, row, column)`` tuples."""
    data = json.loads(output)
    assert data["error_count"] == len(data["errors"]) and data["valid"] == (not data["errors"])
    return sorted(((e["code"], e["file"], e["row"], e["column"]) for e in data["errors"]), key=_key)


def places_in_github(output: str) -> set[tuple[str, int | None]]:
    return {(m["file"], int(m["line"]) if m["line"] else None) for m in _GITHUB.finditer(output)}


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name: str) -> None:
    case = load_case(name)
    root, before = built(name)

    assert found(report(name)) == sorted(case.expected, key=_key)

    places = {(file, row) for _, file, row, _ in case.expected}
    files = {file for file, _ in places}
    with no_network() as attempts:
        results = {fmt: invoke(root, fmt) for fmt in FORMATS}
    assert attempts == []
    for fmt, result in results.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (fmt, result.output)
        assert "Traceback" not in result.output, fmt
        assert result.exit_code == case.exit_code, (fmt, result.output)
    assert places_in_text(results["text"].stdout, files) == places
    assert errors_in_json(results["json"].stdout) == sorted(case.expected, key=_key)
    assert places_in_github(results["github"].stdout) == places
    assert snapshot(root) == before, "validate wrote into the package"


def test_corpus_covers_every_code() -> None:
    """Every error code of the validator is exercised by at least one case."""
    used = {code for name in CASES for code, *_ in load_case(name).expected}
    assert sorted(set(codes.CODES) - used) == []
    assert sorted(used - set(codes.CODES)) == []


def test_corpus_has_thirty_defects() -> None:
    defects = [name for name in CASES if load_case(name).expected]
    assert len(defects) >= 30
    assert (CORPUS / "base" / "data").is_dir()
