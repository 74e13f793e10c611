"""Property tests (issue 3): random corruptions of the real package never crash the validator.

Each example copies the real package into a temporary folder, applies one to
three random corruptions (a cell set to random text with quotes, commas, line
breaks and any Unicode; a line deleted or duplicated; a file cut at a random
byte; random bytes flipped or inserted; the same to ``datapackage.json``) and
validates it in-process and through the CLI. It must never raise or print a
traceback, the exit code must be 0 or 1 (2 only when the descriptor itself was
corrupted), every error must point into the package, and not a byte of the
input may change. Any change to a table's bytes leaves its hash stale, so the
package must then be reported invalid. A second test sets schema rules (type,
format, pattern, minimum, ...) to random JSON values: reported, never a crash.
The examples are derandomized, so every run tries the same ones; a failing one
is shown as found (no shrinking, which would take minutes here).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from surveillance_ties.cli import main
from surveillance_ties.validation import codes, validate

from . import conftest
from .corpus_tools import ROOT, snapshot

DESCRIPTOR = "datapackage.json"
RESOURCES = json.loads((ROOT / DESCRIPTOR).read_text("utf-8"))["resources"]
TABLES: list[str] = [r["path"] for r in RESOURCES]
SCHEMAS: list[str] = [r["schema"] for r in RESOURCES]

# Cell text: the characters that break CSV and spreadsheets, and any other Unicode.
cell_text = st.text(
    st.one_of(st.sampled_from(list("\",;\n\r\t =+-@\\'")), st.characters(codec="utf-8")),
    max_size=24,
)
position = st.integers(min_value=0, max_value=10**6)


@dataclass(frozen=True)
class Corruption:
    """One change to one file; positions are taken modulo the file's length when applied."""

    kind: str
    file: str
    at: int = 0
    text: str = ""
    data: bytes = b""
    column: int = 0


def corruption(files: list[str]) -> st.SearchStrategy[Corruption]:
    file = st.sampled_from(files)
    return st.one_of(
        st.builds(Corruption, kind=st.just("cell"), file=file, at=position, column=position, text=cell_text),
        st.builds(Corruption, kind=st.sampled_from(["delete-line", "duplicate-line", "truncate"]),
                  file=file, at=position),
        st.builds(Corruption, kind=st.sampled_from(["flip", "insert"]), file=file, at=position,
                  data=st.binary(min_size=1, max_size=4)),
    )  # fmt: skip


corruptions = st.lists(
    st.one_of(corruption(TABLES), corruption(TABLES), corruption(TABLES), corruption([DESCRIPTOR])),
    min_size=1,
    max_size=3,
)


# A schema rule set to a random JSON value: broken regular expressions, numbers as text, wrong types.
RULES = ["type", "format", "name", "pattern", "minimum", "maximum", "minLength", "maxLength", "enum",
         "required", "unique"]  # fmt: skip
json_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False),
    st.sampled_from(["[A-Z", "(", "*", "a{2,1}", "(?P<x", "\\", "^[a-z]+$", "string", "integer", "nope"]),
    cell_text,
    st.lists(cell_text, max_size=3),
)
schema_changes = st.lists(
    st.tuples(st.sampled_from(SCHEMAS), position, st.sampled_from(RULES), json_value), min_size=1, max_size=2
)


def set_rule(root: Path, schema: str, at: int, rule: str, value: object) -> None:
    """Set ``rule`` of the field at position ``at`` (modulo) of a schema (a constraint or a property)."""
    path = root / schema
    data = json.loads(path.read_text(encoding="utf-8"))
    field = data["fields"][at % len(data["fields"])]
    if rule in ("type", "format", "name"):
        field[rule] = value
    else:
        field.setdefault("constraints", {})[rule] = value
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def copy_package(tmp: str) -> Path:
    """A copy of the fixture package (descriptor, data, schemas, seeds) under ``tmp``."""
    return conftest.copy_package(Path(tmp) / "pkg")


def apply(root: Path, c: Corruption) -> None:
    """Apply one corruption to the package in ``root``."""
    path = root / c.file
    raw = path.read_bytes()
    if c.kind == "cell":
        try:
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error):
            return  # an earlier corruption already broke the file; leave it as it is
        if len(rows) < 2 or not rows[1]:
            return
        row = rows[1 + c.at % (len(rows) - 1)]
        if row:
            row[c.column % len(row)] = c.text
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-8"))
        return
    lines = raw.splitlines(keepends=True)
    if c.kind in ("delete-line", "duplicate-line") and lines:
        i = c.at % len(lines)
        if c.kind == "delete-line":
            del lines[i]
        else:
            lines.insert(i, lines[i])
        path.write_bytes(b"".join(lines))
    elif c.kind == "truncate":
        path.write_bytes(raw[: c.at % (len(raw) + 1)])
    elif c.kind == "flip" and raw:
        i = c.at % len(raw)
        path.write_bytes(raw[:i] + bytes([raw[i] ^ (c.data[0] or 0xFF)]) + raw[i + 1 :])
    elif c.kind == "insert":
        i = c.at % (len(raw) + 1)
        path.write_bytes(raw[:i] + c.data + raw[i:])


@settings(
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, quickly
)
@given(changes=corruptions, fmt=st.sampled_from(["text", "json", "github"]))
def test_random_corruptions_never_crash_or_write(changes: list[Corruption], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_package(tmp)
        original = snapshot(root)
        for change in changes:
            apply(root, change)
        before = snapshot(root)

        report = validate(root)
        result = CliRunner().invoke(main, ["validate", str(root), "--format", fmt])

        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output
        descriptor_changed = before[DESCRIPTOR] != original[DESCRIPTOR]
        assert result.exit_code in ({0, 1, 2} if descriptor_changed else {0, 1}), result.output
        assert (result.exit_code == 2) == (not report.readable)
        if result.exit_code == 2:  # unreadable: only the descriptor can be the reason
            assert {codes.CODES[e.code].family for e in report.errors} == {"descriptor"}, report.errors
        else:
            assert result.exit_code == (1 if report.errors else 0)
        tables_changed = [t for t in TABLES if before[t] != original[t]]
        if tables_changed and not descriptor_changed:
            assert result.exit_code == 1
            flagged = {e.file for e in report.errors if e.code in ("hash", "bytes")}
            assert flagged >= set(tables_changed)
        for e in report.errors:
            assert e.code in codes.CODES
            assert not Path(e.file).is_absolute() and ".." not in Path(e.file).parts, e
            if e.row is not None:
                assert e.row >= 1, e
                target = root / e.file
                if target.is_file():
                    assert e.row <= target.read_bytes().count(b"\n") + 1, e
        assert snapshot(root) == before, "validate wrote into the package"


@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, quickly
)
@given(changes=schema_changes)
def test_random_schema_rules_never_crash_or_write(changes: list[tuple[str, int, str, object]]) -> None:
    """A schema rule of any JSON value is reported (schema-invalid or cell errors), never a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_package(tmp)
        for schema, at, rule, value in changes:
            set_rule(root, schema, at, rule, value)
        before = snapshot(root)

        report = validate(root)
        result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])

        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code == (1 if report.errors else 0), result.output
        assert [e.code for e in report.errors if e.code not in codes.CODES] == []
        assert snapshot(root) == before, "validate wrote into the package"
