"""What a type checker sees of ``import surveillance_ties as st``, and the public face at run time.

- mypy (through ``mypy.api.run``, strict) rejects a misspelt function (``st.laod``) and a
  misspelt table name (the names are the ``Literal`` ``st.TableName``), and reveals the frame
  types of ``st.load``; correct code, including a loop over ``st.tables()``, passes.
- ``st.TableName`` is generated from ``datapackage.json`` by
  ``python -m surveillance_ties.loading.generate`` and kept current here.
- ``dir(st)`` holds the public names only, and every exception a public docstring names is
  importable from ``st``.

mypy's cache is kept in pytest's cache folder, so only the first run checks pandas' stubs.
"""

from __future__ import annotations

import builtins
import inspect
import re
import types
import typing
from pathlib import Path

import pytest

import surveillance_ties as st
from surveillance_ties.datapackage.errors import SurveillanceTiesError
from surveillance_ties.loading.generate import COMMAND, NAMES_FILE, main, names_module, write_names
from surveillance_ties.loading.names import TableName

from .conftest import ROOT, copy_package, resource_names

#: The table names as mypy writes their type.
LITERAL = "Literal[" + ", ".join(repr(name) for name in typing.get_args(TableName)) + "]"

WRONG = """\
import surveillance_ties as st

st.laod("organizations")
df = st.load("organizations")
reveal_type(df)
st.load("organisations")
st.schema("partnership")
st.citations("organisation", "ring")
st.load_all()["organisations"]
st.json
"""

RIGHT = """\
from typing import cast

import pandas as pd

import surveillance_ties as st

frames: dict[st.TableName, pd.DataFrame] = st.load_all()
for name in st.tables():
    frame: pd.DataFrame = st.load(name)
table: st.TableName = "partnerships"
reveal_type(st.schema(table).primary_key)
reveal_type(st.citations("partnerships", "ring", source="v0.1.0"))
text = "features"
reveal_type(st.load(cast(st.TableName, text), backend="polars"))
try:
    st.load("organizations", source="v0.1.0")
except st.UnknownRecordError:
    pass
"""


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> list[str]:
    """mypy's lines on ``wrong.py`` and ``right.py``, checked together (one run), each path
    shortened to the file name."""
    api = pytest.importorskip("mypy.api")
    folder = tmp_path_factory.mktemp("typing")
    (folder / "wrong.py").write_text(WRONG, encoding="utf-8")
    (folder / "right.py").write_text(RIGHT, encoding="utf-8")
    (folder / "mypy.ini").write_text("[mypy]\nstrict = True\n", encoding="utf-8")
    cache = getattr(request.config, "cache", None)
    cache_dir = cache.mkdir("mypy") if cache is not None else folder / ".mypy_cache"
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(folder / "mypy.ini"),
            "--cache-dir",
            str(cache_dir),
            "--no-error-summary",
            "--no-color-output",
            "--show-error-codes",
            str(folder / "wrong.py"),
            str(folder / "right.py"),
        ]
    )
    assert (stderr, status) == ("", 1)
    # A file that did not change keeps the messages (and the folder) of the run that cached it.
    return [re.sub(r"^\S*/(?=(?:wrong|right)\.py:)", "", line) for line in stdout.splitlines()]


def test_misspelt_names_are_type_errors(mypy_output: list[str]) -> None:
    """Every line of ``wrong.py`` but the correct call is an error; the overload variants that mypy
    lists after a failed call to ``st.load`` are left out."""
    lines = [line for line in mypy_output if line.startswith("wrong.py") and "note:     def " not in line]
    assert lines == [
        'wrong.py:3: error: Module has no attribute "laod"  [attr-defined]',
        'wrong.py:5: note: Revealed type is "pandas.core.frame.DataFrame"',
        'wrong.py:6: error: No overload variant of "load" matches argument type "str"  [call-overload]',
        "wrong.py:6: note: Possible overload variants:",
        f'wrong.py:7: error: Argument 1 to "schema" has incompatible type "Literal[\'partnership\']"; '
        f'expected "{LITERAL}"  [arg-type]',
        f'wrong.py:8: error: Argument 1 to "citations" has incompatible type "Literal[\'organisation\']"; '
        f'expected "{LITERAL}"  [arg-type]',
        f"wrong.py:9: error: Invalid index type \"Literal['organisations']\" for "
        f'"dict[{LITERAL}, DataFrame]"; expected type "{LITERAL}"  [index]',
        'wrong.py:10: error: Module has no attribute "json"  [attr-defined]',
    ]


def test_correct_use_type_checks_with_the_frame_types(mypy_output: list[str]) -> None:
    pytest.importorskip("polars")
    assert [line for line in mypy_output if line.startswith("right.py")] == [
        'right.py:11: note: Revealed type is "tuple[str, ...]"',
        'right.py:12: note: Revealed type is "pandas.core.frame.DataFrame"',
        'right.py:14: note: Revealed type is "polars.dataframe.frame.DataFrame"',
    ]


def test_misspelt_name_at_run_time_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError) as info:
        st.laod  # type: ignore[attr-defined]  # noqa: B018
    assert str(info.value) == "module 'surveillance_ties' has no attribute 'laod'"


# -- st.TableName, generated from datapackage.json ---------------------------------------------------


def test_names_module_text() -> None:
    assert names_module(["organizations", "regulatory_actions"]) == (
        '"""The names of the tables of the package, as a type: ``st.load("organisations")`` is a type '
        "error.\n"
        "\n"
        "Generated from datapackage.json by surveillance_ties.loading.generate.names_module; do not edit.\n"
        "After adding, renaming or removing a table, regenerate it with "
        "`python -m surveillance_ties.loading.generate`.\n"
        '"""\n'
        "\n"
        "from typing import Literal, TypeAlias\n"
        "\n"
        '__all__ = ["TableName"]\n'
        "\n"
        "#: A table of the installed package, in the order of ``datapackage.json``.\n"
        "TableName: TypeAlias = Literal[\n"
        '    "organizations",\n'
        '    "regulatory_actions",\n'
        "]\n"
    )


def test_write_names_writes_the_module_of_a_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_package(tmp_path / "repo")
    target = root / "src" / "surveillance_ties" / "loading" / "names.py"
    target.parent.mkdir(parents=True)
    target.write_text("stale\n", encoding="utf-8")
    assert write_names(root) is True
    assert target.read_text(encoding="utf-8") == names_module(resource_names())
    assert main([str(root)]) == 0
    assert capsys.readouterr() == (f"{target}: already current\n", "")
    assert main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err == (
        f"Error: {tmp_path / 'missing'}: no such file or folder; give a package folder, its "
        "datapackage.json, a release zip, or an https:// URL of one, or a release version (v0.1.0)\n"
    )


@pytest.mark.live_data
def test_table_name_is_current() -> None:
    """The ``Literal`` lists the live tables in their order; a table added to ``datapackage.json``
    fails here until the module is regenerated."""
    live = resource_names(ROOT)
    assert (ROOT / NAMES_FILE).read_text(encoding="utf-8") == names_module(live), (
        f"{NAMES_FILE} is stale: the tables of datapackage.json are {', '.join(live)}; "
        f"run `{COMMAND}` and commit it"
    )
    assert list(typing.get_args(st.TableName)) == live


# -- the public face at run time -------------------------------------------------------------------


def test_dir_lists_the_public_names_only() -> None:
    assert dir(st) == sorted(st.__all__)
    errors = {
        n for n in st.__all__ if isinstance(getattr(st, n), type) and issubclass(getattr(st, n), Exception)
    }
    assert all(issubclass(getattr(st, n), SurveillanceTiesError) for n in errors)
    lazy = set(st._LAZY)  # functions, Report and TableName, imported on first use
    assert set(st.__all__) == lazy | errors | {"__version__"}
    assert [n for n in st.__all__ if isinstance(getattr(st, n), types.ModuleType)] == []
    assert {"Any", "TYPE_CHECKING", "annotations", "importlib", "json", "package_root"}.isdisjoint(dir(st))


#: An exception a docstring names: ``:class:`~surveillance_ties.datapackage.errors.UnknownTableError```,
#: ``:exc:`DataError```, or ``DataError`` in double backquotes.
ERROR_REFERENCE = re.compile(r"(?::(?:class|exc):`~?|``)(?:[\w]+\.)*(\w+Error)`")


def test_every_exception_a_public_docstring_names_is_importable_from_st() -> None:
    documented = [st, *(getattr(st, name) for name in st.__all__ if name != "__version__")]
    named = {
        match.group(1)
        for obj in documented
        for match in ERROR_REFERENCE.finditer(inspect.getdoc(obj) or "")
        if not hasattr(builtins, match.group(1))  # ValueError, KeyError: Python's own
    }
    assert {
        "DataError",
        "HashMismatchError",
        "PackageError",
        "UnknownRecordError",
        "UnknownTableError",
    } <= named
    assert sorted(name for name in named if not hasattr(st, name)) == []
