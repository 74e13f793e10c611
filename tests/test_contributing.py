"""The contributor's path: the examples of CONTRIBUTING.md are real, and the loop it describes
(format, docs, validate, pytest) passes for a valid new record and fails with one clear message for a
typo, on a copy of the whole repository, without touching a test."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main

from .conftest import ROOT, copy_package

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
NESTED = "SURVEILLANCE_TIES_IN_A_COPY"  # set in the copy's own test run, so that it does not recurse


def _block(language: str, starting: str) -> str:
    """The fenced block of ``language`` whose text starts with ``starting``."""
    blocks = re.findall(rf"```{language}\n(.*?)```", CONTRIBUTING, re.S)
    [block] = [b for b in blocks if b.startswith(starting)]
    return block


@pytest.mark.live_data
def test_the_cite_example_is_real_output(tmp_path: Path) -> None:
    """On a copy of the live package, whose schemas the example's options follow; the number of the
    new citation depends on the record's other citations, so it is not compared."""
    pkg = copy_package(tmp_path / "pkg", source=ROOT)
    command = shlex.split(_block("sh", "surveillance-ties cite ").replace("\\\n", " "))
    assert command[:2] == ["surveillance-ties", "cite"]
    result = CliRunner().invoke(main, [*command[1:], "--path", str(pkg)])
    number = re.compile(rf"\b{re.escape(command[3])}-\d+\b")
    shown = number.sub("<id>", _block("text", "added citation "))
    assert (result.exit_code, number.sub("<id>", result.output)) == (0, shown)


def test_the_validate_example_is_real_output(tmp_path: Path) -> None:
    from .validate_helpers import edit

    pkg = copy_package(tmp_path / "pkg")
    edit(pkg, "data/partnerships.csv", "cancelled,2025-10-16,2026-02-12", "cancelled,2025-10-16,2026-02-30")
    result = CliRunner().invoke(main, ["validate", str(pkg)])
    assert result.exit_code == 1
    assert result.output.startswith(_block("text", "== data/partnerships.csv"))


def test_the_loop_is_the_four_commands() -> None:
    assert _block("sh", "surveillance-ties format").splitlines() == [
        "surveillance-ties format      # every table in its canonical form; "
        "hashes and sizes in datapackage.json",
        "surveillance-ties docs        # regenerate DATA.md, docs/CLI.md and the figures from the data",
        "surveillance-ties validate    # the gate: exit code 0 when everything holds",
        "python3 -m pytest             # the tests (install them with: python3 -m pip install -e '.[test]')",
    ]


# -- the loop on a copy of the repository ----------------------------------------------------------

ORG = (
    "404-media,404 Media,,other,,,News outlet that the article names as the source of a report on the "
    "access of three agencies to Flock's cameras.,\n"
)


def _copy_repository(dest: Path) -> Path:
    """The files git tracks, as they are in the working tree (uncommitted changes included).

    Skips the test where there is no git checkout to copy (an unpacked sdist, or git missing).
    """
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    except FileNotFoundError:
        pytest.skip("git is not installed: the loop copies the files git tracks")
    if listed.returncode != 0:
        pytest.skip("not a git checkout (an unpacked sdist): the loop copies the files git tracks")
    files = listed.stdout
    for rel in files.decode().split("\0"):
        if rel and (ROOT / rel).is_file() and not (ROOT / rel).is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    return dest


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, NESTED: "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=1800)


def _loop(repo: Path) -> list[subprocess.CompletedProcess[str]]:
    cli = [sys.executable, "-m", "surveillance_ties"]
    return [
        _run([*cli, "format"], repo / "data"),  # from a subfolder: the package is found above it
        _run([*cli, "docs"], repo),
        _run([*cli, "validate"], repo),
        _run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], repo),  # the README's test command
    ]


def _add_the_organization(repo: Path, org_type: str) -> None:
    with open(repo / "data/organizations.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(ORG.replace(",other,", f",{org_type},"))
    result = _run(
        [sys.executable, "-m", "surveillance_ties", "cite", "organizations", "404-media",
         "404media-ice-secret-service-navy-access-to-flock", "--quote", "As reported by [404 Media]",
         "--claim", "own_reporting"],
        repo,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow_copy
@pytest.mark.skipif(os.environ.get(NESTED) == "1", reason="already inside a copy of the repository")
def test_a_valid_new_record_passes_the_whole_loop_without_touching_a_test(tmp_path: Path) -> None:
    repo = _copy_repository(tmp_path / "repo")
    _add_the_organization(repo, "other")
    results = _loop(repo)
    assert [r.returncode for r in results] == [0, 0, 0, 0], "\n".join(
        r.stdout[-3000:] + r.stderr[-3000:] for r in results
    )
    assert results[2].stdout == f"{repo}: valid, no errors\n"
    assert "404-media,404 Media," in (repo / "data/organizations.csv").read_text(encoding="utf-8")


@pytest.mark.slow_copy
@pytest.mark.skipif(os.environ.get(NESTED) == "1", reason="already inside a copy of the repository")
def test_a_typo_gives_one_clear_message_in_a_short_test_run(tmp_path: Path) -> None:
    repo = _copy_repository(tmp_path / "repo")
    _add_the_organization(repo, "compnay")
    results = _loop(repo)
    assert [r.returncode for r in results] == [0, 0, 1, 1]
    line = (
        'data/organizations.csv:2:org_type: "compnay" is not one of: company, investor, law_enforcement, '
        "government_agency, military, regulator, nonprofit, other [enum]"
    )
    assert line in results[2].stdout.splitlines()
    output = results[3].stdout + results[3].stderr
    assert f"  {line}" in output.splitlines()  # the validator's own line, in the header of the run
    assert output.count("compnay") == 1  # once, not once per test
    assert len(output.splitlines()) < 100, output


def test_the_copy_of_the_repository_needs_a_git_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From an unpacked sdist (no .git) the two loop tests skip with a reason instead of failing."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(pytest.skip.Exception, match=r"^not a git checkout \(an unpacked sdist\)"):
        _copy_repository(tmp_path / "copy")
