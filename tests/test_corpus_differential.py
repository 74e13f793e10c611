"""Differential test (issue 3): every error the stock frictionless reports on the corpus, we report too.

For each case of tests/corpus/, ``frictionless.Package(path).validate()`` runs
on the same package (offline: every resource has ``scheme: file``). Each error
it reports must be matched by one of ours in the same file, at the same row
and, where frictionless names one field, the same column. Frictionless's
``rowNumber`` counts rows (records), ours is the editor line: they differ after
a quoted cell that spans lines, so its row numbers are turned into the line
where that record starts (``record_lines``). The mapping of its error types to our codes:

=====================  ==========================================  =====================
frictionless type      our codes                                   where it must match
=====================  ==========================================  =====================
type-error             type                                        row, field
constraint-error       required, enum, pattern, minimum, maximum,  row, field
                       length
unique-error           unique, primary-key                         row, field
primary-key            primary-key                                 row (field if one)
foreign-key            foreign-key                                 row (field if one)
blank-row              blank-row                                   row
extra-cell             ragged-row                                  row
missing-cell           ragged-row                                  row
duplicate-label        duplicate-header, header-mismatch           header (row 1)
incorrect-label        header-mismatch                             header (row 1)
missing-label          header-mismatch                             header (row 1)
extra-label            header-mismatch                             header (row 1)
hash-count             hash                                        file
byte-count             bytes                                       file
encoding-error         encoding                                    file
source-error           empty-file, parse                           file
scheme-error           resource-missing, resource-path             file
=====================  ==========================================  =====================

A row-level error of ours (blank-row, ragged-row, parse) also matches any
frictionless error on that row: frictionless goes on to check the cells of a
blank row (a blank primary key) where we report the blank row once. A header
error matches by row 1 only: we name the first field that differs, frictionless
names each label. A resource path that is a URL is a scheme-error of that
"file" for frictionless and a resource-path error of ``datapackage.json`` for
us. Frictionless repeats the encoding, source or scheme error of a table on
every table whose foreign keys read it; those match ours in any file. Where we
report a table's schema invalid, frictionless's errors in that table (from the
same broken rule, such as a foreign key to a field that does not exist) match
that schema error. Cases that frictionless cannot even open (it raises for an
unreadable or invalid descriptor or schema, and crashes on some broken schemas)
are listed in ``CANNOT_OPEN``; for those we must report a descriptor-level
error.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path
from typing import Any

import frictionless
import pytest

from .corpus_tools import Row, built, case_names, report, snapshot

CASES = case_names()

MAPPING: dict[str, set[str]] = {
    "type-error": {"type"},
    "constraint-error": {"required", "enum", "pattern", "minimum", "maximum", "length"},
    "unique-error": {"unique", "primary-key"},
    "primary-key": {"primary-key"},
    "foreign-key": {"foreign-key"},
    "blank-row": {"blank-row"},
    "extra-cell": {"ragged-row"},
    "missing-cell": {"ragged-row"},
    "duplicate-label": {"duplicate-header", "header-mismatch"},
    "incorrect-label": {"header-mismatch"},
    "missing-label": {"header-mismatch"},
    "extra-label": {"header-mismatch"},
    "hash-count": {"hash"},
    "byte-count": {"bytes"},
    "encoding-error": {"encoding"},
    "source-error": {"empty-file", "parse"},
    "scheme-error": {"resource-missing", "resource-path"},
}
ROW_LEVEL = {"blank-row", "ragged-row", "parse"}
LABEL_ERRORS = {"duplicate-label", "incorrect-label", "missing-label", "extra-label"}
ROW_ERRORS = {"type-error", "constraint-error", "unique-error", "primary-key", "foreign-key",
              "blank-row", "extra-cell", "missing-cell"}  # fmt: skip
FILE_ERRORS = {"hash-count", "byte-count", "encoding-error", "source-error", "scheme-error"}
CASCADING = {"encoding-error", "source-error", "scheme-error"}
SCHEMA_CODES = {"schema-invalid", "schema-unknown-type"}
DESCRIPTOR_CODES = {"descriptor-missing", "descriptor-json", "descriptor-shape", "resource-path",
                    "schema-missing", "schema-invalid", "schema-unknown-type"}  # fmt: skip

# The cases whose package frictionless refuses to open (it raises instead of reporting).
CANNOT_OPEN = {
    "descriptor-missing",
    "descriptor-not-json",
    "descriptor-shape-name",
    "descriptor-shape-resources",
    "resource-path-absolute",
    "resource-path-dotdot",
    "schema-invalid",
    "schema-missing",
    "schema-type-not-string",
    "schema-unknown-type",
    # frictionless 5 crashes on these (re.error, TypeError) instead of reporting the schema
    "schema-minimum-not-number",
    "schema-pattern-invalid",
}


def record_lines(path: Path) -> list[int]:
    """The editor line where each record of a CSV starts (index 0 = the header record)."""
    starts: list[int] = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            line = 0
            for _ in reader:
                starts.append(line + 1)
                line = reader.line_num
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    return starts


def frictionless_errors(root: Path) -> list[tuple[str, str, int | None, list[str]]]:
    """``(file, type, row, field names)`` of every error frictionless reports on the package."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # frictionless's own deprecation noise is not ours to fix
        package = frictionless.Package(str(root / "datapackage.json"))
        paths = {r.name: r.path for r in package.resources}
        report = package.validate()
    assert not report.errors, [e.message for e in report.errors]
    out = []
    for task in report.tasks:
        for error in task.errors:
            fields: list[str] = []
            if getattr(error, "field_name", None):
                fields = [error.field_name]
            elif getattr(error, "field_names", None):
                fields = list(error.field_names)
            row = getattr(error, "row_number", None)
            starts = record_lines(root / paths[task.name])
            if row is not None and row <= len(starts):
                row = starts[row - 1]
            out.append((paths[task.name], error.type, row, fields))
    return out


def schemas_of(root: Path) -> dict[str, str]:
    """Table path -> schema path, from the package's descriptor."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"]: r["schema"] for r in descriptor["resources"] if isinstance(r.get("schema"), str)}


def dialects_of(root: Path) -> set[str]:
    """The table paths whose descriptor entry declares a CSV dialect."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"] for r in descriptor["resources"] if "dialect" in r}


def matches(
    error: tuple[str, str, int | None, list[str]],
    ours: list[Row],
    schemas: dict[str, str],
    dialects: set[str],
) -> bool:
    file, kind, row, fields = error
    assert kind in MAPPING, f"frictionless type {kind!r} has no mapping yet: {error}"
    for code, our_file, our_row, column in ours:
        if code in SCHEMA_CODES and our_file == schemas.get(file):
            return True
        if code == "dialect-unsupported" and file in dialects:  # the table is not read at all then
            return True
        if kind in CASCADING and code in MAPPING[kind]:
            return True
        if our_file != file and not (code == "resource-path" and our_file == "datapackage.json"):
            continue
        if kind in FILE_ERRORS and code in MAPPING[kind]:
            return True
        if kind in LABEL_ERRORS and code in MAPPING[kind] and our_row == 1:
            return True
        if kind in ROW_ERRORS and our_row == row:
            if code in ROW_LEVEL:
                return True
            if code in MAPPING[kind] and (len(fields) != 1 or column == fields[0]):
                return True
    return False


@pytest.mark.parametrize("name", CASES)
def test_frictionless_errors_are_reported_too(name: str) -> None:
    root, before = built(name)
    ours: list[Row] = [(e.code, e.file, e.row, e.column) for e in report(name).errors]
    try:
        theirs: list[Any] = frictionless_errors(root)
    except Exception:  # FrictionlessException, or a crash on a broken schema
        assert name in CANNOT_OPEN, f"frictionless cannot open {name}"
        assert {code for code, *_ in ours} & DESCRIPTOR_CODES
        return
    assert name not in CANNOT_OPEN, f"frictionless now opens {name}: take it out of CANNOT_OPEN"
    schemas = schemas_of(root)
    dialects = dialects_of(root)
    missed = [error for error in theirs if not matches(error, ours, schemas, dialects)]
    assert missed == []
    assert snapshot(root) == before
