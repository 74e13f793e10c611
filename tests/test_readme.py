"""The README's examples are real: each shown output is what the code prints.

- The examples that show the contents of the live tables (two ties, the quotes behind one, a date's
  bounds) are documents of curated records, named by id like the pins of ``test_live_facts.py``:
  they run against the installed (live) package and carry the ``live_data`` marker. Adding records
  never changes them; correcting one of those records changes the README with it.
- Everything else the README shows is checked without the live tables: the column types (on a
  package with the repository's schemas and no rows), the validator's output (on the fixture
  package with the README's two typos), the citation text (from the repository's descriptor) and
  the tables it lists.
"""

from __future__ import annotations

import contextlib
import csv
import doctest
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import surveillance_ties as st
from surveillance_ties.curation import rehash
from surveillance_ties.loading import citation_text

from .conftest import FIXTURE, ROOT, copy_package, descriptor, read_schema, resource_names

README = (ROOT / "README.md").read_text(encoding="utf-8")
REPOSITORY = "https://github.com/surveillance-ties/surveillance-ties"
PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def printed_as_pandas_3(dtypes: pd.Series) -> str:
    """``print(dtypes)`` as the README shows it, which is how pandas 3 prints it: pandas 2 (the
    declared floor is 2.2) prints the same string dtype as ``string[python]``."""
    shown = {column: "string" if isinstance(t, pd.StringDtype) else t for column, t in dtypes.items()}
    return f"{pd.Series(shown, dtype=object)}\n"


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``surveillance-ties ARGS`` run in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "surveillance_ties", *args], capture_output=True, text=True, cwd=cwd
    )


# -- the live examples --------------------------------------------------------------------------------


@pytest.mark.live_data
def test_python_example_prints_the_output_shown() -> None:
    code, shown = re.search(r"```python\n(.*?)```\n\n```text\n(.*?)```", README, re.S).groups()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == shown


@pytest.mark.live_data
def test_pycon_examples_pass_as_doctests() -> None:
    blocks = re.findall(r"```pycon\n(.*?)```", README, re.S)
    assert len(blocks) == 3
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {"st": st}, f"README-{i}", "README.md", 0)
        runner.run(test)
    assert (runner.failures, runner.tries) == (0, 7)


# -- independent of the data --------------------------------------------------------------------------


def test_dtypes_shown_are_the_types_of_the_schema(tmp_path: Path) -> None:
    """The types shown are what the loader gives the repository's partnerships schema, whatever the rows:
    the example's table is loaded from a package with the repository's schemas and no rows at all."""
    console = re.search(r"```console\n\$ python3 -c \"(.*?)\"\n(.*?)```", README, re.S)
    code, shown = console.groups()
    assert code == "import surveillance_ties as st; print(st.load('partnerships').dtypes)"
    package = copy_package(tmp_path / "package", ("datapackage.json", "schemas"), source=ROOT)
    (package / "data").mkdir()
    for resource in descriptor(package)["resources"]:
        header = [f["name"] for f in read_schema(resource["name"], package)["fields"]]
        with open(package / resource["path"], "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerow(header)
    rehash(package)
    frame = st.load("partnerships", source=package)
    assert len(frame) == 0
    assert printed_as_pandas_3(frame.dtypes) == shown
    if PANDAS_3:
        assert f"{frame.dtypes}\n" == shown


def test_validate_example_prints_the_output_shown(tmp_path: Path) -> None:
    """The README's two typos, made in a copy of the fixture package and rehashed as the README says,
    give the output it shows, with exit code 1."""
    shown = re.search(r"```console\n\$ surveillance-ties validate\n(.*?)```", README, re.S).group(1)
    edits = {
        (int(line), column): value
        for line, column, value in re.findall(r'^data/partnerships\.csv:(\d+):(\w+): "(.*?)"', shown, re.M)
    }
    assert edits == {(7, "status"): "canceled", (7, "ended"): "2026-13-12"}
    package = copy_package(tmp_path / "package")
    path = package / "data" / "partnerships.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for (line, column), value in edits.items():
        rows[line - 1][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    rehashed = command("rehash", cwd=package)
    assert (rehashed.returncode, rehashed.stdout) == (0, "updated hash and bytes of: partnerships\n")
    result = command("validate", cwd=package)
    assert (result.returncode, result.stdout, result.stderr) == (1, shown, "")
    assert "(exit code 1; 2 when the package cannot be read at all)" in README


def test_validate_exit_codes_the_readme_gives(tmp_path: Path) -> None:
    """What the README says of the exit codes: a valid package prints `<folder>: valid, no errors`
    and exits with 0; a package that cannot be read at all exits with 2."""
    assert "On a valid package it prints `<folder>: valid, no errors` and exits\nwith 0." in README
    package = copy_package(tmp_path / "package")
    valid = command("validate", cwd=package)
    assert (valid.returncode, valid.stdout, valid.stderr) == (0, f"{package}: valid, no errors\n", "")
    (package / "datapackage.json").write_text("{not json", encoding="utf-8")
    unreadable = command("validate", cwd=package)
    assert (unreadable.returncode, unreadable.stdout, unreadable.stderr) == (
        2,
        "== datapackage.json\n"
        "datapackage.json:1: not valid JSON: Expecting property name enclosed in double quotes (column 2) "
        "[descriptor-json]\n"
        "    hint: fix the JSON syntax of datapackage.json (a missing comma, quote or bracket)\n"
        "\n"
        "1 error: 1 descriptor-json\n",
        "",
    )


def test_citation_shown_is_the_one_the_package_gives() -> None:
    """The text under "Cite a version" is the citation of the repository's descriptor, for its version,
    and every loaded table carries it with the table's name added."""
    version, *shown = re.search(r"For version (\S+):\n\n> (.*?)\n> (.*?)\n", README).groups()
    repository = descriptor(ROOT)
    assert version == repository["version"] == st.__version__
    assert " ".join(shown) == citation_text(repository)
    frame = st.load("organizations", source=FIXTURE)
    assert frame.attrs["citation"] == citation_text(descriptor()).replace(
        " [data set].", " [data set], table organizations."
    )
    assert frame.attrs["version"] == descriptor()["version"]


def test_tables_listed_are_the_tables_of_the_package() -> None:
    """Both tables of tables (what a row is, where to download it) list every table of the descriptor,
    in its order, with its documentation anchor and the address of its CSV on main."""
    names = resource_names(ROOT)
    documented = re.findall(
        rf"^\| \[`(\w+)`\]\({re.escape(REPOSITORY)}/blob/main/DATA\.md#(\w+)\) \|", README, re.M
    )
    assert documented == [(name, name) for name in names]
    downloads = re.findall(r"^\| `(\w+)` \| (\S+) \|$", README, re.M)
    assert downloads == [
        (r["name"], f"{REPOSITORY}/raw/main/{r['path']}") for r in descriptor(ROOT)["resources"]
    ]
    assert descriptor(ROOT)["homepage"] == REPOSITORY
