"""`surveillance-ties validate`: the three output formats and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main

from .conftest import FIXTURE, ROOT
from .validate_helpers import copy_package, edit

P = "data/partnerships.csv"


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    root = copy_package(tmp_path / "pkg")
    edit(root, P, "cancelled,2025-10-16,2026-02-12", "cancelled,2025-02-30,2026-02-12")
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_valid_package_exits_0() -> None:
    code, output = run(str(FIXTURE))
    assert (code, output) == (0, f"{FIXTURE}: valid, no errors\n")


def test_without_path_the_package_around_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_package(tmp_path / "pkg")
    monkeypatch.chdir(root / "data")
    assert run() == (0, f"{root}: valid, no errors\n")
    monkeypatch.chdir(tmp_path)
    code, output = run()
    assert (code, output.splitlines()[1]) == (
        2,
        f"datapackage.json: no datapackage.json in {tmp_path} or any folder above it; run the command "
        "inside a package folder, or give the folder (or its datapackage.json) as PATH [descriptor-missing]",
    )


def test_a_folder_without_descriptor_names_the_package_above(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg")
    code, output = run(str(root / "data"))
    assert code == 2
    assert output.splitlines()[1] == (
        f"datapackage.json: {root / 'data'}: this folder has no datapackage.json (the package above it is "
        f"{root}: give that folder); give a package folder, its datapackage.json, a release zip, or an "
        "https:// URL of one [descriptor-missing]"
    )


def test_control_characters_of_a_cell_are_escaped_in_text_output(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg")
    edit(root, "data/organizations.csv", "axon,Axon,,company", "axon,Axon,,\x1b[2J\x08\u202ecompany")
    code, output = run(str(root))
    assert code == 1
    assert "\x1b" not in output and "\x08" not in output and "\u202e" not in output
    assert output.splitlines()[1] == (
        'data/organizations.csv:3:org_type: "\\x1b[2J\\x08\\u202ecompany" is not one of: company, investor, '
        "law_enforcement, government_agency, military, regulator, nonprofit, other [enum]"
    )


def test_text_groups_errors_by_file_with_hints(bad: Path) -> None:
    code, output = run(str(bad))
    assert code == 1
    assert output.splitlines() == [
        f"== {P}",
        f'{P}:7:announced: "2025-02-30" is not a real date (use YYYY, YYYY-MM or YYYY-MM-DD with a month and '
        "day that exist) [date-invalid]",
        "    hint: use a real date as YYYY, YYYY-MM or YYYY-MM-DD "
        "(months 01-12, days that exist in that month)",
        "",
        "1 error: 1 date-invalid",
    ]


def test_json_is_report_to_dict(bad: Path) -> None:
    code, output = run(str(bad), "--format", "json")
    data = json.loads(output)
    assert code == 1
    assert (data["valid"], data["error_count"], data["counts"], data["truncated"]) == (
        False, 1, {"date-invalid": 1}, False
    )  # fmt: skip
    assert [(e["code"], e["file"], e["row"], e["column"], e["value"]) for e in data["errors"]] == [
        ("date-invalid", P, 7, "announced", "2025-02-30")
    ]


def test_github_annotations(bad: Path) -> None:
    code, output = run(str(bad), "--format", "github")
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == (
        f'::error file={P},line=7,title=date-invalid::announced: "2025-02-30" is not a real date (use YYYY, '
        "YYYY-MM or YYYY-MM-DD with a month and day that exist) (hint: use a real date as YYYY, YYYY-MM or "
        "YYYY-MM-DD (months 01-12, days that exist in that month))"
    )
    assert lines[1:] == ["1 error: 1 date-invalid"]


def test_max_errors_caps_locations_not_counts(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg")
    path = root / "data/organizations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",company,", ",Company,"), encoding="utf-8")
    code, output = run(str(root), "--max-errors", "1", "--format", "json")
    data = json.loads(output)
    assert (code, data["shown"], data["truncated"], data["counts"]) == (1, 1, True, {"enum": 5, "hash": 1})


def test_unreadable_package_exits_2(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    code, output = run(str(tmp_path))
    assert code == 2
    assert "datapackage.json:1: not valid JSON" in output
    assert "Traceback" not in output


def test_usage_error_exits_2() -> None:
    code, output = run(str(FIXTURE), "--format", "xml")
    assert code == 2
    assert "Invalid value for '--format'" in output


def test_python_dash_m_and_no_frictionless_import() -> None:
    code = (
        "import sys, runpy; sys.argv = ['surveillance-ties', 'validate', sys.argv[1]];"
        "\ntry:\n    runpy.run_module('surveillance_ties', run_name='__main__')"
        "\nexcept SystemExit as e:"
        "\n    print('exit', e.code, 'frictionless' in sys.modules, 'polars' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURE)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.splitlines() == [f"{FIXTURE}: valid, no errors", "exit 0 False False"]


def test_the_validator_imports_neither_pandas_nor_pandera() -> None:
    code = (
        "import sys\nfrom surveillance_ties.validation import validate\n"
        "validate(sys.argv[1])\nprint(sorted(m for m in ('pandas', 'pandera', 'frictionless', 'polars') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURE)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out == "[]\n"


def test_pre_commit_runs_the_validator() -> None:
    # The CI workflow's run of the validator is pinned in tests/test_workflows.py.
    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "surveillance-ties-validate",
        "surveillance-ties validate",
        "python",
        False,
    )
    assert hook["files"] == r"^(data/|schemas/|seeds/|datapackage\.json$)"
