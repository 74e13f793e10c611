"""The code stays clean: ruff (lint and format) over the code, mypy --strict over the package and
the tools beside it (the generator and the benchmark, outside the wheel)."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from .conftest import ROOT

PATHS = ["src", "tools", "tests", "scripts", "hatch_build.py"]
TYPED = ["src/surveillance_ties", "tools"]


def python_files(*folders: str) -> list[str]:
    return sorted(
        p.relative_to(ROOT).as_posix()
        for folder in folders
        for p in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in p.parts
    )


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", *PATHS],
        [sys.executable, "-m", "ruff", "format", "--check", *PATHS],
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff_passes(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_checks_the_package_and_the_tools() -> None:
    """``mypy`` takes its files and ``--strict`` from pyproject.toml: the package and tools/, every
    Python file of both, with no issue."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert (config["files"], config["strict"]) == (TYPED, True)
    mypy = [sys.executable, "-m", "mypy"]  # files and --strict come from pyproject.toml
    result = subprocess.run(mypy, cwd=ROOT, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"Success: no issues found in {len(python_files(*TYPED))} source files\n",
        "",
    )
