"""Shared fixtures, and the line between testing the code and testing the data.

- The code is tested on **fixture packages**: :data:`FIXTURE` (``tests/fixtures/package``, a
  frozen copy of the package) and small packages the tests make. Tests of the code never read
  the live tables, so adding or correcting a record in ``data/`` breaks none of them.
- The live data (:data:`ROOT`) is tested by rules (``test_live_rules.py``: it validates, every
  record is cited, the truth rules) and by pinned curated facts (``test_live_facts.py``), and the
  generated documents are checked for staleness against it (``test_live_documents.py``). Those
  tests carry the ``live_data`` marker.
- When the live package is invalid, the run says so once, at the top, with the validator's own
  output, and every ``live_data`` test is skipped with one reason: one message per data error,
  not a failure per test.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "package"
PACKAGE_PARTS = ("datapackage.json", "data", "schemas", "seeds")
RELEASE_PARTS = (*PACKAGE_PARTS, "README.md", "CHANGELOG.md", "LICENSE", "LICENSE-DATA", "CITATION.cff")


def copy_package(dest: Path, names: tuple[str, ...] = PACKAGE_PARTS, source: Path = FIXTURE) -> Path:
    """A writable copy of top-level files and folders of a package (by default the fixture's
    descriptor, data, schemas and seeds) in ``dest``, with plain 0644/0755 permissions."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


#: The end of the one-line message of a write that found the disk full.
DISK_FULL = (
    "cannot write (No space left on device); nothing was changed; "
    "free some disk space and run the command again"
)


def disk_full(monkeypatch: pytest.MonkeyPatch, at: Path | None = None) -> list[Path]:
    """Make ``os.replace`` (the last step of every write) fail with ENOSPC: on its first move onto
    ``at``, or on every move when ``at`` is ``None``. Returns the destinations of the moves tried."""
    real = os.replace
    tried: list[Path] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str], **kwargs: Any) -> None:
        tried.append(Path(dst))
        if at is None or (Path(dst) == at and tried.count(at) == 1):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return tried


CLAIMS = ("own_reporting", "party_statement", "other_outlet", "linked_url")


def with_claims(pkg: Path, claim: str = "own_reporting") -> Path:
    """The package folder ``pkg`` (a copy of the fixture) with the citations' ``claim`` and
    ``claimant_org_id`` columns, which the frozen fixture predates: every citation gets ``claim``,
    no claimant; the descriptor is refreshed."""
    from surveillance_ties.curation import format_package

    path = pkg / "schemas/citations.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    at = [f["name"] for f in schema["fields"]].index("quote")
    schema["fields"][at:at] = [
        {"name": "claim", "type": "string", "description": "Whose claim the quote carries.",
         "constraints": {"required": True, "enum": list(CLAIMS)}},
        {"name": "claimant_org_id", "type": "string", "description": "The party of a party_statement."},
    ]  # fmt: skip
    schema["foreignKeys"].append(
        {"fields": ["claimant_org_id"], "reference": {"resource": "organizations", "fields": ["org_id"]}}
    )
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    rows = read_rows("citations", pkg)
    with open(pkg / "data/citations.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [f["name"] for f in schema["fields"]], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "claim": claim, "claimant_org_id": ""} for row in rows)
    format_package(pkg)
    return pkg


def descriptor(root: Path = FIXTURE) -> dict[str, Any]:
    """The ``datapackage.json`` of a package folder."""
    data: dict[str, Any] = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return data


def resource_names(root: Path = FIXTURE) -> list[str]:
    """The table names of a package folder, in descriptor order."""
    return [r["name"] for r in descriptor(root)["resources"]]


def read_rows(name: str, root: Path = FIXTURE) -> list[dict[str, str]]:
    """The rows of a table as dicts of strings (empty cells as "")."""
    resource = next(r for r in descriptor(root)["resources"] if r["name"] == name)
    with open(root / resource["path"], encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_schema(name: str, root: Path = FIXTURE) -> dict[str, Any]:
    """The Table Schema of a table, as the JSON object in its file."""
    resource = next(r for r in descriptor(root)["resources"] if r["name"] == name)
    schema: dict[str, Any] = json.loads((root / resource["schema"]).read_text(encoding="utf-8"))
    return schema


# -- the live data ---------------------------------------------------------------------------


@cache
def live_report() -> tuple[bool, str]:
    """``(valid, the validator's text output)`` for the live package, computed once per run."""
    from surveillance_ties.validation import validate
    from surveillance_ties.validation.render import render

    report = validate(ROOT, max_errors=50)
    return report.valid, render(report, "text")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "live_data: a test of the live tables (skipped, with one reason, when they are invalid)"
    )
    config.addinivalue_line(
        "markers", "slow_copy: runs the whole suite on a copy of the repository (never inside that copy)"
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    valid, text = live_report()
    if valid:
        return ["live data package: valid"]
    return [
        "live data package: INVALID; `surveillance-ties validate` says:",
        *("  " + line for line in text.splitlines()),
        "fix the data (the lines above say where and how); the live_data tests are skipped until then",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    valid, _ = live_report()
    if valid:
        return
    skip = pytest.mark.skip(reason="the live data package is invalid: see `surveillance-ties validate` above")
    for item in items:
        if "live_data" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """An invalid live package fails the run, once, even though its tests were skipped."""
    valid, _ = live_report()
    if not valid and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    valid, text = live_report()
    if not valid:
        if config.get_verbosity() < 0:  # a quiet run has no header: the validator's output goes here
            for line in text.splitlines():
                terminalreporter.write_line(f"  {line}")
        terminalreporter.write_line(
            "FAILED: the live data package is invalid; run `surveillance-ties validate` and fix what it "
            "lists (the live_data tests were skipped)",
            red=True,
        )
