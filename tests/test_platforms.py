"""A clone on any platform is the same package: git converts no line ends (``.gitattributes``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from surveillance_ties.validation import validate

from .conftest import ROOT

pytestmark = pytest.mark.live_data


def _git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_clone_with_autocrlf_is_byte_exact_and_valid(tmp_path: Path) -> None:
    """Git for Windows clones with ``core.autocrlf=true``: without ``* -text`` every CSV, schema and
    document would get CRLF line ends, and the hashes, sizes and canonical form would all fail. The
    clone is of the committed HEAD."""
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout (an unpacked sdist): nothing to clone")
    clone = tmp_path / "clone"
    done = _git("-c", "core.autocrlf=true", "clone", "-q", "--no-hardlinks", "-c", "core.autocrlf=true",
                str(ROOT), str(clone))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _git("config", "core.autocrlf", cwd=clone).stdout.strip() == "true"
    tracked = _git("ls-files", "-z", cwd=clone).stdout.split("\0")
    crlf = [rel for rel in tracked if rel and b"\r\n" in (clone / rel).read_bytes()]
    committed = [
        rel for rel in crlf if b"\r\n" in subprocess.run(
            ["git", "show", f"HEAD:{rel}"], cwd=clone, capture_output=True, check=True
        ).stdout
    ]  # fmt: skip
    assert crlf == committed, "git converted line ends in the clone"
    report = validate(clone)
    assert (report.valid, [e.code for e in report.errors]) == (True, [])

    from frictionless import Package, system

    with system.use_context(trusted=False):
        stock = Package(str(clone / "datapackage.json")).validate()
    assert stock.flatten(["resourceName", "rowNumber", "fieldName", "type"]) == []
