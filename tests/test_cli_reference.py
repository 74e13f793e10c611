"""docs/CLI.md and `surveillance-ties docs` (issue 7): the reference is current and complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import COMMANDS, main
from surveillance_ties.docs import cli_reference, regenerate

from . import conftest
from .conftest import ROOT

SECTION = re.compile(r"^## `([^`]+)`\n\n```text\n(.*?)\n```$", re.MULTILINE | re.DOTALL)


def sections() -> dict[str, str]:
    return dict(SECTION.findall(cli_reference()))


def test_committed_reference_is_current() -> None:
    # Regenerate with `surveillance-ties docs` after adding or changing a command.
    assert (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8") == cli_reference()


def test_every_command_has_a_section_and_a_link() -> None:
    text = cli_reference()
    assert list(sections()) == ["surveillance-ties"] + [
        f"surveillance-ties {name}" for name in sorted(COMMANDS)
    ]
    for name in COMMANDS:
        assert f"- [`surveillance-ties {name}`](#surveillance-ties-{name})\n" in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_section_is_what_help_prints_on_an_80_column_terminal(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not CliRunner: it forces a width of 80 where a terminal of 80 columns wraps at 78.
    monkeypatch.setenv("COLUMNS", "80")
    assert main.main([name, "--help"], prog_name="surveillance-ties", standalone_mode=False) == 0
    assert sections()[f"surveillance-ties {name}"] == capsys.readouterr().out.rstrip("\n")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_explains_itself(name: str) -> None:
    help_text = sections()[f"surveillance-ties {name}"]
    usage, _, rest = help_text.partition("\n\n")
    assert usage.startswith(f"Usage: surveillance-ties {name} ")
    summary = rest.split("\n\n")[0].strip()
    assert summary.endswith(".") and len(summary) > 20, summary


def test_group_section_lists_every_command() -> None:
    commands = sections()["surveillance-ties"].split("Commands:\n")[1]
    assert [line.split()[0] for line in commands.splitlines()] == sorted(COMMANDS)


def copy_package(tmp_path: Path) -> Path:
    return conftest.copy_package(tmp_path / "pkg", ("datapackage.json", "DATA.md", "data", "schemas", "docs"))


def test_docs_check_passes_on_the_repository() -> None:
    assert regenerate(ROOT, check=True) == []


def test_docs_check_names_stale_files_and_docs_rewrites_them(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    (root / "docs" / "CLI.md").write_text("old\n", encoding="utf-8")
    (root / "DATA.md").unlink()
    runner = CliRunner()

    check = runner.invoke(main, ["docs", str(root), "--check"])
    assert check.exit_code == 1
    assert check.output == (
        f"out of date: {root / 'DATA.md'}\n"
        f"out of date: {root / 'docs' / 'CLI.md'}\n"
        "Error: 2 generated file(s) out of date; run `surveillance-ties docs` and commit them\n"
    )
    assert not (root / "DATA.md").exists()

    write = runner.invoke(main, ["docs", str(root)])
    assert write.exit_code == 0
    assert write.output == f"wrote {root / 'DATA.md'}\nwrote {root / 'docs' / 'CLI.md'}\n"
    assert (root / "DATA.md").read_bytes() == (ROOT / "DATA.md").read_bytes()

    again = runner.invoke(main, ["docs", str(root), "--check"])
    assert again.exit_code == 0
    assert again.output == "DATA.md, docs/CLI.md and the figures are up to date\n"


def test_docs_refuses_an_undocumented_value_with_exit_code_1(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    schema = root / "schemas" / "partnerships.schema.json"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('"affiliation"\n', '"affiliation",\n"merger"\n')
    )
    result = CliRunner().invoke(main, ["docs", str(root)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: schemas/partnerships.schema.json: field `relationship_type`: the allowed value `merger` "
        'is not documented; add a line "- `merger`: <meaning>" to the field\'s description\n'
    )
    assert (root / "DATA.md").read_bytes() == (ROOT / "DATA.md").read_bytes()


def test_docs_on_a_folder_without_a_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["docs", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {tmp_path / 'datapackage.json'}: no such file "
        "(give a package folder or its datapackage.json)\n"
    )


def test_readme_shows_the_generated_documents() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("docs/network.svg", "docs/timeline.svg"):
        assert f"]({target})" in readme and (ROOT / target).is_file()
    for target in ("DATA.md", "docs/CLI.md", "docs/network.png", "docs/timeline.png"):
        assert f"]({target})" in readme and (ROOT / target).is_file()
    quickstart = readme.split("<!-- quickstart:test -->\n")[1].split("<!-- /quickstart:test -->")[0]
    assert quickstart == "```sh\npython3 -m pip install -e '.[test]' && python3 -m pytest\n```\n"


def test_readme_dtypes_example_is_real_output() -> None:
    import surveillance_ties as st

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ python3 -c \"import surveillance_ties as st; print(st.load('partnerships').dtypes)\"\n"
    shown = readme.split(command)[1].split("\n```")[0]
    assert shown == str(st.load("partnerships").dtypes)
