"""The built distributions (issue 4): what the sdist and the wheel hold, and the wheel installed
in a fresh virtual environment outside the repository, imported from another folder.

The wheel carries the library and, under ``surveillance_ties/_data``, the repository's data package
byte for byte; the generator and the benchmark (``tools/``) stay out of it and ship only in the
sdist. The installed wheel is exercised on the fixture package (a folder and a release zip made
from it), so these tests hold whatever the live tables say; only the README's example, which
loads the bundled tables themselves, carries the ``live_data`` marker.

One build and one virtual environment per test session (module-scoped fixtures). The virtual
environment has no access to the repository: the wheel is installed into it with
``--no-deps --no-index``, and the libraries it needs (pandas, pyarrow, ...) are borrowed from the
environment running the tests through a ``.pth`` file listing its site-packages folders, written
*after* the install so that pip never sees (or touches) the outer environment. Unlike
``--system-site-packages``, this also works when the tests run inside a virtual environment
themselves (CI's ``.venv-ci``), and it does not process the outer ``.pth`` files, so the outer
editable install of this repository stays invisible.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pytest

from .conftest import FIXTURE, PACKAGE_PARTS, ROOT, copy_package, descriptor, read_schema, resource_names
from .test_readme import PANDAS_3, printed_as_pandas_3

VERSION = descriptor(ROOT)["version"]
DATA_FOLDERS = ["data", "schemas", "seeds"]
BIN = "Scripts" if os.name == "nt" else "bin"
DIST_INFO = f"surveillance_ties-{VERSION}.dist-info"


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output when it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def _hidden(rel: Path) -> bool:
    return any(p.startswith(".") or p == "__pycache__" for p in rel.parts)


def package_files(root: Path = ROOT) -> dict[str, bytes]:
    """The data package files of a package folder (the repository by default): relative path -> bytes."""
    files = {"datapackage.json": (root / "datapackage.json").read_bytes()}
    for folder in DATA_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not _hidden(rel):
                files[rel.as_posix()] = path.read_bytes()
    return files


def code_files(folder: str, base: Path = ROOT) -> dict[str, bytes]:
    """The Python files (and ``py.typed``) under ``base / folder``, relative to ``base``."""
    return {
        path.relative_to(base).as_posix(): path.read_bytes()
        for path in sorted((base / folder).rglob("*"))
        if path.is_file() and not _hidden(path.relative_to(base)) and path.suffix in (".py", ".typed")
    }


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path
    wheel_from_sdist: Path


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    out = tmp_path_factory.mktemp("dists")
    run(
        [
            sys.executable,
            "-c",
            f"from hatchling.build import build_sdist; build_sdist({str(out / 'sdist')!r})",
        ],
        cwd=ROOT,
    )
    (sdist,) = (out / "sdist").glob("*.tar.gz")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    run([*pip_wheel, "-w", str(out / "wheel"), str(ROOT)])
    (wheel,) = (out / "wheel").glob("*.whl")
    with tarfile.open(sdist) as archive:
        archive.extractall(out / "unpacked", filter="data")
    (unpacked,) = (out / "unpacked").iterdir()
    run([*pip_wheel, "-w", str(out / "wheel-from-sdist"), str(unpacked)])
    (wheel_from_sdist,) = (out / "wheel-from-sdist").glob("*.whl")
    return Dists(sdist, wheel, wheel_from_sdist)


def wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sdist_members(sdist: Path) -> dict[str, bytes]:
    top = f"surveillance_ties-{VERSION}/"
    with tarfile.open(sdist) as archive:
        return {
            m.name.removeprefix(top): archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile()
        }


# -- the sdist ----------------------------------------------------------------------------------------


def test_sdist_holds_the_data_package_once(dists: Dists) -> None:
    assert dists.sdist.name == f"surveillance_ties-{VERSION}.tar.gz"
    members = sdist_members(dists.sdist)
    held = {
        name: data
        for name, data in members.items()
        if name == "datapackage.json" or name.split("/")[0] in DATA_FOLDERS
    }
    assert held == package_files()
    assert {"pyproject.toml", "hatch_build.py", "README.md", "LICENSE", "LICENSE-DATA", "PKG-INFO"} <= set(
        members
    )
    assert "src/surveillance_ties/py.typed" in members
    assert [name for name in members if name.startswith("src/surveillance_ties/_data")] == []


def test_sdist_holds_the_tools_and_their_scripts(dists: Dists) -> None:
    """The generator and the benchmark ship with the source (outside the wheel), with their entry points."""
    members = sdist_members(dists.sdist)
    assert {n: d for n, d in members.items() if n.startswith("tools/")} == code_files("tools")
    assert {"tools/__init__.py", "tools/synth/__init__.py", "tools/bench/__init__.py"} <= set(members)
    assert {n: d for n, d in members.items() if n.startswith("scripts/")} == code_files("scripts")
    assert {"scripts/synth.py", "scripts/bench.py"} <= set(members)


def test_sdist_holds_the_fixture_package_for_its_tests(dists: Dists) -> None:
    """The tests run from an unpacked sdist too: it carries their frozen fixture package."""
    prefix = FIXTURE.relative_to(ROOT).as_posix() + "/"
    members = sdist_members(dists.sdist)
    inside = {n.removeprefix(prefix): d for n, d in members.items() if n.startswith(prefix)}
    held = {n: d for n, d in inside.items() if n == "datapackage.json" or n.split("/")[0] in DATA_FOLDERS}
    assert held == package_files(FIXTURE)


# -- the wheel ----------------------------------------------------------------------------------------


def test_wheel_bundles_the_data_package(dists: Dists) -> None:
    assert dists.wheel.name == f"surveillance_ties-{VERSION}-py3-none-any.whl"
    members = wheel_members(dists.wheel)
    bundled = {
        name.removeprefix("surveillance_ties/_data/"): data
        for name, data in members.items()
        if name.startswith("surveillance_ties/_data/")
    }
    assert bundled == package_files()
    code = {
        name: data
        for name, data in members.items()
        if not name.startswith(("surveillance_ties/_data/", f"{DIST_INFO}/"))
    }
    assert code == {
        name.removeprefix("src/"): data for name, data in code_files("src/surveillance_ties").items()
    }
    assert "surveillance_ties/py.typed" in code


@pytest.mark.parametrize("which", ["wheel", "wheel_from_sdist"])
def test_wheel_carries_no_benchmark_or_generator_code(dists: Dists, which: str) -> None:
    """Neither wheel (the one from the sdist, which holds tools/, included) ships tools/, synth or bench."""
    names = sorted(wheel_members(getattr(dists, which)))
    assert {name.split("/")[0] for name in names} == {"surveillance_ties", DIST_INFO}
    assert [name for name in names if name.startswith("tools/")] == []
    assert [
        name
        for name in names
        if not name.startswith("surveillance_ties/_data/")
        and {"synth", "bench", "tools"} & set(PurePosixPath(name).with_suffix("").parts)
    ] == []
    record = wheel_members(getattr(dists, which))[f"{DIST_INFO}/RECORD"].decode()
    assert sorted(line.split(",")[0] for line in record.splitlines()) == names


def test_wheel_metadata_has_the_version_of_the_data_package(dists: Dists) -> None:
    metadata = wheel_members(dists.wheel)[f"{DIST_INFO}/METADATA"].decode()
    assert re.findall(r"^Version: (.*)$", metadata, re.M) == [VERSION]
    assert re.findall(r"^Name: (.*)$", metadata, re.M) == ["surveillance-ties"]
    extras = re.findall(r"^Provides-Extra: (.*)$", metadata, re.M)
    assert {"polars", "figures"} <= set(extras)
    entry_points = wheel_members(dists.wheel)[f"{DIST_INFO}/entry_points.txt"].decode()
    assert "[console_scripts]\nsurveillance-ties = surveillance_ties.cli:main\n" in entry_points


def test_wheel_from_the_sdist_equals_the_wheel(dists: Dists) -> None:
    assert wheel_members(dists.wheel_from_sdist) == wheel_members(dists.wheel)


# -- the wheel installed in a fresh virtual environment -------------------------------------------


@dataclass(frozen=True)
class Venv:
    python: Path
    prefix: Path
    elsewhere: Path  # a working folder outside the repository and the venv
    env: dict[str, str]

    def python_c(self, code: str, *args: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.python), "-c", code, *args], cwd=self.elsewhere, env=self.env)

    def command(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``surveillance-ties ARGS`` from the venv's own script (any exit code)."""
        script = self.prefix / BIN / "surveillance-ties"
        return subprocess.run(
            [str(script), *args], capture_output=True, text=True, cwd=cwd or self.elsewhere, env=self.env
        )


@pytest.fixture(scope="module")
def venv(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    base = tmp_path_factory.mktemp("venv")
    prefix = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(prefix)])
    python = prefix / BIN / ("python.exe" if os.name == "nt" else "python")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--force-reinstall",
            str(dists.wheel_from_sdist),
        ]
    )
    purelib = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    outer = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    Path(purelib, "_outer_libraries.pth").write_text("\n".join(outer) + "\n", encoding="utf-8")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("PYTHON", "VIRTUAL_ENV"))}
    # Offline: any attempt to reach the network goes to a closed local port.
    env.update(https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9", no_proxy="")
    env.update(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="")
    return Venv(python, prefix, elsewhere, env)


def make_zip(target: Path, root: Path = FIXTURE, edit: dict[str, bytes] | None = None) -> Path:
    """A release-like zip of the package files of ``root`` as they are (the fixture's descriptor
    carries the hash and size of each table); ``edit`` replaces files after the fact."""
    with zipfile.ZipFile(target, "w") as archive:
        for rel, data in package_files(root).items():
            archive.writestr(rel, (edit or {}).get(rel, data))
    return target


INNER = """
import importlib.metadata, json, sys
import surveillance_ties as st
from surveillance_ties.datapackage import package_root

def attempt(function):
    try:
        return function()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"

folder, good, longer, altered = sys.argv[1:]
out = {"file": st.__file__, "root": str(package_root())}
out["versions"] = [st.__version__, importlib.metadata.version("surveillance-ties")]
out["tables"] = attempt(st.tables)
out["unknown"] = attempt(lambda: st.load("partnership"))
frames = st.load_all(source=folder)
out["dtypes"] = {name: {c: repr(t) for c, t in frame.dtypes.items()} for name, frame in frames.items()}
out["citation"] = frames["organizations"].attrs["citation"]
from_zip = st.load_all(source=good)
out["zip_equal"] = {name: from_zip[name].equals(frames[name]) for name in frames}
out["longer"] = attempt(lambda: st.load("features", source=longer))
out["altered"] = attempt(lambda: st.load("features", source=altered))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("zips")
    features = (FIXTURE / "data/features.csv").read_bytes()
    altered = features.replace(b",", b";", 1)  # one byte changed: the size agrees, the hash does not
    return {
        "good": make_zip(folder / f"surveillance-ties-{VERSION}.zip"),
        "longer": make_zip(folder / "longer.zip", edit={"data/features.csv": features + b"x\n"}),
        "altered": make_zip(folder / "altered.zip", edit={"data/features.csv": altered}),
    }


@pytest.fixture(scope="module")
def inner(venv: Venv, zips: dict[str, Path]) -> dict[str, Any]:
    result = venv.python_c(INNER, str(FIXTURE), *(str(zips[k]) for k in ("good", "longer", "altered")))
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def expected_pandas_dtype(field: dict[str, Any]) -> Any:
    """The pandas dtype a Table Schema field loads as (the types the fixture's schemas use)."""
    enum = field.get("constraints", {}).get("enum")
    if field["type"] == "string" and enum is not None:
        return pd.CategoricalDtype(enum, ordered=False)
    return {
        "string": pd.StringDtype(),
        "integer": pd.Int64Dtype(),
        "number": pd.Float64Dtype(),
        "boolean": pd.BooleanDtype(),
    }[field["type"]]


def test_installed_package_is_the_wheel_not_the_repository(venv: Venv, inner: dict[str, Any]) -> None:
    site = venv.prefix.resolve()
    assert Path(inner["file"]).resolve().is_relative_to(site)
    assert not Path(inner["file"]).resolve().is_relative_to(ROOT)
    assert Path(inner["root"]) == Path(inner["file"]).parent / "_data"
    assert inner["tables"] == resource_names(ROOT)


def test_installed_versions_agree(venv: Venv, inner: dict[str, Any]) -> None:
    """datapackage.json, ``st.__version__``, the installed metadata and the command agree."""
    assert inner["versions"] == [VERSION, VERSION]
    result = venv.command("--version")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"surveillance-ties, version {VERSION}\n",
        "",
    )


def test_installed_dtypes_follow_the_schemas(inner: dict[str, Any]) -> None:
    assert list(inner["dtypes"]) == resource_names()
    for name in resource_names():
        expected = {f["name"]: repr(expected_pandas_dtype(f)) for f in read_schema(name)["fields"]}
        assert inner["dtypes"][name] == expected, name
    fixture = descriptor()
    assert inner["citation"] == (
        f"The surveillance-ties contributors ({fixture['created'][:4]}). {fixture['title']}, version "
        f"{fixture['version']} [data set], table organizations. {fixture['homepage']}. Licence: CC-BY-4.0."
    )


def test_installed_unknown_table_message(inner: dict[str, Any]) -> None:
    assert inner["unknown"] == (
        f"UnknownTableError: no table 'partnership' in {inner['root']}; the tables are: "
        f"{', '.join(resource_names(ROOT))}"
    )


def test_installed_loads_a_release_zip(inner: dict[str, Any], zips: dict[str, Path]) -> None:
    assert inner["zip_equal"] == dict.fromkeys(resource_names(), True)
    features = next(r for r in descriptor()["resources"] if r["name"] == "features")
    assert inner["longer"] == (
        f"HashMismatchError: {zips['longer']}:data/features.csv: has {features['bytes'] + 2} bytes, not the "
        f"{features['bytes']} its descriptor gives; the copy is damaged or was altered: get it again"
    )
    altered = (FIXTURE / "data/features.csv").read_bytes().replace(b",", b";", 1)
    assert inner["altered"] == (
        f"HashMismatchError: {zips['altered']}:data/features.csv: does not match its hash in the descriptor "
        f"(expected {features['hash']}, found sha256:{hashlib.sha256(altered).hexdigest()}); the copy is "
        "damaged or was altered: get it again"
    )


def test_installed_command_validates_the_package_around_the_folder(venv: Venv, tmp_path: Path) -> None:
    package = copy_package(tmp_path / "package", PACKAGE_PARTS)
    (package / "data" / "notes").mkdir()  # run from a folder inside the package: found upwards
    result = venv.command("validate", cwd=package / "data" / "notes")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{package}: valid, no errors\n", "")


@pytest.mark.live_data
def test_installed_copy_validates_with_its_archived_texts(venv: Venv, inner: dict[str, Any]) -> None:
    """The wheel keeps ``seeds/`` (tests/test_distributions.py), so the installed copy validates in
    full, every quote checked against its archived text, offline and from another folder."""
    assert sorted(p.name for p in Path(inner["root"], "seeds").iterdir()) == sorted(
        p.name for p in (ROOT / "seeds").iterdir() if p.is_file()
    )
    result = venv.command("validate", inner["root"])
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"{inner['root']}: valid, no errors\n",
        "",
    )


def test_installed_command_outside_any_package(venv: Venv) -> None:
    result = venv.command("validate")
    assert result.returncode == 2
    assert result.stdout == (
        "== datapackage.json\n"
        f"datapackage.json: no datapackage.json in {venv.elsewhere} or any folder above it; run the "
        "command inside a package folder, or give the folder (or its datapackage.json) as PATH "
        "[descriptor-missing]\n"
        "    hint: give a package folder that holds a datapackage.json, or the path of that file\n"
        "\n"
        "1 error: 1 descriptor-missing\n"
    )


@pytest.mark.live_data
def test_readme_command_prints_the_schema_types(venv: Venv) -> None:
    """The README's example, run offline from another folder on the bundled (live) tables, prints
    what the README shows, which is the types of the repository's partnerships schema."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command, shown = re.search(r'```console\n\$ python3 -c "(.*?)"\n(.*?)```', readme, re.S).groups()
    assert command == "import surveillance_ties as st; print(st.load('partnerships').dtypes)"
    result = venv.python_c(command)
    schema = read_schema("partnerships", ROOT)
    expected = pd.Series({f["name"]: expected_pandas_dtype(f) for f in schema["fields"]})
    assert result.stdout == f"{expected}\n"
    # the README shows what pandas 3 prints; pandas 2 (the floor) writes the string dtype string[python]
    assert printed_as_pandas_3(expected) == shown
    if PANDAS_3:
        assert result.stdout == shown


# -- typing -------------------------------------------------------------------------------------------

USAGE = """
import pandas as pd
import polars as pl

import surveillance_ties as st

frame: pd.DataFrame = st.load("partnerships")
fast: pl.DataFrame = st.load("partnerships", backend="polars")
names: list[st.TableName] = st.tables()
reveal_type(st.load("features", source="surveillance-ties-0.1.0.zip"))
reveal_type(st.load_all(backend="polars"))
reveal_type(st.schema("partnerships").field("status").enum)
reveal_type(st.citations("partnerships", "ring-axon-footage-sharing"))
reveal_type(st.date_bounds(frame["announced"]))
try:
    st.load("nope")  # type: ignore[call-overload]  # not a table name: mypy says so too
except st.UnknownTableError as exc:
    reveal_type(exc)
"""


def test_installed_wheel_is_typed_for_its_users(venv: Venv) -> None:
    """A user's code, checked with ``mypy --strict`` in another folder with no configuration, sees
    the precise types of the installed wheel (``py.typed``)."""
    usage = venv.elsewhere / "usage.py"
    usage.write_text(USAGE, encoding="utf-8")
    result = subprocess.run(
        [
            str(venv.python),
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "test_packaging"),  # its own cache: other options do not evict it
            str(usage),
        ],
        capture_output=True,
        text=True,
        cwd=venv.elsewhere,
        env=venv.env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert [
        line.split("note: ", 1)[1] for line in result.stdout.splitlines() if "note: Revealed" in line
    ] == [
        'Revealed type is "pandas.core.frame.DataFrame"',
        "Revealed type is \"dict[Literal['organizations'] | Literal['partnerships'] | Literal['features'] | "
        "Literal['regulatory_actions'] | Literal['sources'] | Literal['citations'], "
        'polars.dataframe.frame.DataFrame]"',
        'Revealed type is "tuple[str | int | float | bool, ...] | None"',
        'Revealed type is "pandas.core.frame.DataFrame"',
        'Revealed type is "pandas.core.frame.DataFrame"',
        'Revealed type is "surveillance_ties.datapackage.errors.UnknownTableError"',
    ]
