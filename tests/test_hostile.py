"""Every hostile package (``tests/hostile.py``) through every command and loader function.

For each pair: the exact exit code (or exception) and first line of the message, no traceback,
the planted secret's content in no output and no written file, and no byte of the package
changed by a command that refused it. The FIFO case runs each command in a child process with a
time limit: nothing may hang.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import surveillance_ties as st
from surveillance_ties.cli import main

from .conftest import FIXTURE
from .hostile import CASES, SECRET, build_case, zip_with_dotdot, zip_with_dotdot_member

FIX = "; fix it (`surveillance-ties validate` lists every problem)"
COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "validate": lambda r, t: ["validate", str(r)],
    "rehash": lambda r, t: ["rehash", str(r)],
    "docs": lambda r, t: ["docs", str(r)],
    "figures": lambda r, t: ["figures", str(r), "--out", str(t / "figs")],
    "build": lambda r, t: ["build", str(r), "--out", str(t / "dist")],
    "diff-old": lambda r, t: ["diff", str(r), str(FIXTURE)],
    "diff-new": lambda r, t: ["diff", str(FIXTURE), str(r)],
    "release-check": lambda r, t: ["release", str(r), "--check", "--against", str(FIXTURE)],
    "release-bump": lambda r, t: ["release", str(r), "--bump", "--against", str(FIXTURE)],
}
LOADERS: dict[str, Callable[[Path], Any]] = {
    "load": lambda r: st.load("organizations", source=r),
    "load_all": lambda r: st.load_all(source=r),
    "package": lambda r: st.package(source=r),
    "citations": lambda r: st.citations("organizations", "amazon", source=r),
}

# case -> (validate: exit code, second output line), (every other command: exit code, first line),
# the loaders' exception (None: they never read the file the case is about); {root} and {secret}
# stand for the case's package folder and secret file.
REFUSED: dict[str, tuple[tuple[int, str], str, str | None]] = {
    "absolute-path": (
        (1, "datapackage.json: resources[2].path '{secret}' is not a relative path with forward slashes [resource-path]"),
        "Error: {root}/datapackage.json: resources[2].path '{secret}' is not a relative path with forward slashes" + FIX,
        "DescriptorError",
    ),
    "file-url-path": (
        (1, "datapackage.json: resources[2].path 'file://{secret}' is a URL or a drive (the package is read from local "
            "files only) [resource-path]"),
        "Error: {root}/datapackage.json: resources[2].path 'file://{secret}' is a URL or a drive (the package is read "
        "from local files only)" + FIX,
        "DescriptorError",
    ),
    "dotdot-path": (
        (1, "datapackage.json: resources[2].path '../../../../../../../../../../../..{secret}' contains `..` "
            "[resource-path]"),
        "Error: {root}/datapackage.json: resources[2].path '../../../../../../../../../../../..{secret}' contains `..`"
        + FIX,
        "DescriptorError",
    ),
    "table-link": (
        (1, "datapackage.json: resource 'features': 'data/features.csv' points outside the package [resource-path]"),
        "Error: {root}/datapackage.json: resource 'features': 'data/features.csv' points outside the package" + FIX,
        "DescriptorError",
    ),
    "schema-link": (
        (1, "datapackage.json: resource 'features': schema 'schemas/features.schema.json' points outside the package "
            "[resource-path]"),
        "Error: {root}/datapackage.json: resource 'features': schema 'schemas/features.schema.json' points outside "
        "the package" + FIX,
        "DescriptorError",
    ),
    "descriptor-link": (
        (2, "datapackage.json: leads outside the package through a link; replace the link with the file itself "
            "[descriptor-missing]"),
        "Error: {root}/datapackage.json: leads outside the package through a link; replace the link with the file "
        "itself",
        "DescriptorError",
    ),
    "deep-nesting": (
        (2, "datapackage.json: nested more than 32 levels deep [descriptor-shape]"),
        "Error: {root}/datapackage.json: nested more than 32 levels deep" + FIX,
        "DescriptorError",
    ),
    "resources-a-string": (
        (2, "datapackage.json: `resources` must be a non-empty list of resources [descriptor-shape]"),
        "Error: {root}/datapackage.json: `resources` must be a non-empty list of resources" + FIX,
        "DescriptorError",
    ),
    "resource-an-integer": (
        (1, "datapackage.json: resources[0] must be an object [descriptor-shape]"),
        "Error: {root}/datapackage.json: resources[0] must be an object" + FIX,
        "DescriptorError",
    ),
    "duplicate-keys": (
        (2, "datapackage.json: the key 'name' appears twice in one object; keep one [descriptor-shape]"),
        "Error: {root}/datapackage.json: the key 'name' appears twice in one object; keep one" + FIX,
        "DescriptorError",
    ),
    "wrong-types": (
        (1, "datapackage.json: `licenses[0].name` must be a string [descriptor-shape]"),
        "Error: {root}/datapackage.json: `licenses[0].name` must be a string (and 1 more problem)" + FIX,
        "DescriptorError",
    ),
}  # fmt: skip
FIFO = "Error: {root}/data/features.csv: is not a regular file (a FIFO, socket or device); a package holds regular files only"
# the cases that only some commands refuse: command -> (exit code, first line); others succeed
PARTLY: dict[str, dict[str, tuple[int, str]]] = {
    "changelog-link": {  # CHANGELOG.md is never read: it counts as missing
        "build": (2, "Error: {root}: missing CHANGELOG.md (or not regular files); a release carries them: add them first"),
        "release-check": (1, "version 0.1.0, last release {fixture} (0.1.0)"),
    },
    "stray-link": {  # a link in data/ that no resource names: validate flags it, build refuses it
        "validate": (1, "data/notes.txt: data/notes.txt is a link or a special file, not a regular file [unsafe-file]"),
        "build": (2, "Error: {root}: data/notes.txt is a link or special file; a release holds regular files only: "
                     "replace each with the file itself"),
    },
    "fifo-table": {
        "validate": (1, "datapackage.json: resource 'features': data/features.csv is not a regular file (a FIFO, socket "
                        "or device); a package holds regular files only [resource-path]"),
        **{name: (2, FIFO) for name in ("rehash", "docs", "figures", "build", "diff-old", "diff-new", "release-check",
                                        "release-bump")},
    },
}  # fmt: skip
PARTLY_LOADERS: dict[str, dict[str, str]] = {"fifo-table": {"load_all": "UnsafePathError"}}


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry of the package: a file's bytes, a link's target (FIFOs are never opened)."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            out[rel] = f"-> {os.readlink(path)}"
        elif stat.S_ISREG(mode):
            out[rel] = path.read_bytes()
        else:
            out[rel] = stat.filemode(mode)
    return out


def _written(tmp: Path, root: Path, secret: Path) -> list[str]:
    """Files under ``tmp`` (outside the package and the secret's folder) holding the secret."""
    return [
        str(p)
        for p in tmp.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and secret.parent not in p.parents
        and SECRET.encode() in p.read_bytes()
    ]


def _run(args: list[str], child: bool) -> tuple[int, str, bool]:
    """``(exit code, output, traceback?)`` of the command, in this process or a child one."""
    if child:
        done = subprocess.run(
            [sys.executable, "-m", "surveillance_ties", *args], capture_output=True, text=True, timeout=60
        )
        output = done.stdout + done.stderr
        return done.returncode, output, "Traceback" in output
    result = CliRunner().invoke(main, args)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return result.exit_code, result.output, crashed


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_hostile_case_through_a_command(case: str, command: str, tmp_path: Path) -> None:
    root, secret = build_case(case, tmp_path)
    before = _snapshot(root)
    code, output, crashed = _run(COMMANDS[command](root, tmp_path), child=case == "fifo-table")
    assert not crashed and "Traceback" not in output, output
    assert SECRET not in output
    assert _written(tmp_path, root, secret) == []
    if case in REFUSED:
        (v_code, v_line), line, _ = REFUSED[case]
        expected: tuple[int, str] | None = (v_code, v_line) if command == "validate" else (2, line)
    else:
        expected = PARTLY[case].get(command)
    if expected is None:
        assert code == 0, output
        return
    lines = output.splitlines()
    shown = lines[1] if command == "validate" else lines[0]
    assert (code, shown) == (expected[0], expected[1].format(root=root, secret=secret, fixture=FIXTURE))
    if code != 0:
        assert _snapshot(root) == before


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("case", CASES)
def test_hostile_case_through_the_loader(case: str, loader: str, tmp_path: Path) -> None:
    root, secret = build_case(case, tmp_path)
    before = _snapshot(root)
    expected = REFUSED[case][2] if case in REFUSED else PARTLY_LOADERS.get(case, {}).get(loader)
    if expected is None:
        LOADERS[loader](root)
    else:
        with pytest.raises(st.SurveillanceTiesError) as info:
            LOADERS[loader](root)
        assert type(info.value).__name__ == expected
        assert SECRET not in str(info.value)
        assert info.value.exit_code == 2
    assert _snapshot(root) == before


@pytest.mark.parametrize("make", [zip_with_dotdot, zip_with_dotdot_member])
def test_hostile_zips(make: Callable[[Path], tuple[Path, Path]], tmp_path: Path) -> None:
    archive, _ = make(tmp_path)
    why = (
        "resources[2].path '../../../../../../../../../../../..{secret}' contains `..`" + FIX
        if make is zip_with_dotdot
        else "the archive member '../../secret.txt' contains `..`; this is not a release zip"
    )
    _, secret = archive, tmp_path / "outside" / "secret.txt"
    where = f"{archive}:datapackage.json: " if make is zip_with_dotdot else f"{archive}: "
    message = where + why.format(secret=secret)
    for args in (["diff", str(archive), str(FIXTURE)], ["validate", str(archive)]):
        code, output, crashed = _run(args, child=False)
        assert not crashed and SECRET not in output
        assert code in (1, 2)
    code, output, _ = _run(["diff", str(archive), str(FIXTURE)], child=False)
    assert (code, output.splitlines()[0]) == (2, f"Error: {message}")
    for loader in LOADERS.values():
        with pytest.raises(st.PackageError) as info:
            loader(archive)
        assert str(info.value) == message
