"""The code stays clean: ruff (lint and format) over the code, mypy --strict over the package."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

PATHS = ["src", "tests", "scripts", "hatch_build.py"]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", *PATHS],
        [sys.executable, "-m", "ruff", "format", "--check", *PATHS],
        [sys.executable, "-m", "mypy"],  # files and --strict come from pyproject.toml
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_tool_passes(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
