"""The built distributions (issue 4): what the sdist and the wheel hold, and the wheel installed
in a fresh virtual environment outside the repository, imported from another folder.

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
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from surveillance_ties.descriptor import file_stats

from .conftest import DESCRIPTOR, RESOURCE_NAMES, ROOT, read_schema
from .test_load import TABLES_LINE, expected_pandas_dtype, make_zip

VERSION = DESCRIPTOR["version"]
DATA_FOLDERS = ["data", "schemas", "seeds"]
BIN = "Scripts" if os.name == "nt" else "bin"


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output when it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def package_files() -> dict[str, bytes]:
    """The data package files of the repository: relative path -> bytes."""
    files = {"datapackage.json": (ROOT / "datapackage.json").read_bytes()}
    for folder in DATA_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
                files[rel.as_posix()] = path.read_bytes()
    return files


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


def test_sdist_holds_the_data_package_once(dists: Dists) -> None:
    assert dists.sdist.name == f"surveillance_ties-{VERSION}.tar.gz"
    top = f"surveillance_ties-{VERSION}/"
    with tarfile.open(dists.sdist) as archive:
        members = {m.name[len(top) :]: m for m in archive.getmembers() if m.isfile()}
        expected = package_files()
        held = {
            name: archive.extractfile(m).read()  # type: ignore[union-attr]
            for name, m in members.items()
            if name == "datapackage.json" or name.split("/")[0] in DATA_FOLDERS
        }
    assert held == expected
    assert {"pyproject.toml", "hatch_build.py", "README.md", "LICENSE", "LICENSE-DATA", "PKG-INFO"} <= set(
        members
    )
    assert "src/surveillance_ties/py.typed" in members
    assert not [name for name in members if name.startswith("src/surveillance_ties/_data")]


def test_wheel_bundles_the_data_package(dists: Dists) -> None:
    assert dists.wheel.name == f"surveillance_ties-{VERSION}-py3-none-any.whl"
    members = wheel_members(dists.wheel)
    bundled = {
        name.removeprefix("surveillance_ties/_data/"): data
        for name, data in members.items()
        if name.startswith("surveillance_ties/_data/")
    }
    assert bundled == package_files()
    sources = {
        p.relative_to(ROOT / "src").as_posix()
        for p in (ROOT / "src/surveillance_ties").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".typed")
    }
    code = {
        n for n in members if not n.startswith(("surveillance_ties/_data/", f"surveillance_ties-{VERSION}"))
    }
    assert code == sources
    assert "surveillance_ties/py.typed" in code
    metadata = members[f"surveillance_ties-{VERSION}.dist-info/METADATA"].decode()
    assert f"\nVersion: {VERSION}\n" in metadata
    assert "\nProvides-Extra: polars\n" in metadata


def test_wheel_from_the_sdist_equals_the_wheel(dists: Dists) -> None:
    direct, via_sdist = wheel_members(dists.wheel), wheel_members(dists.wheel_from_sdist)
    assert sorted(via_sdist) == sorted(direct)
    assert {n: d for n, d in via_sdist.items() if "_data/" in n} == {
        n: d for n, d in direct.items() if "_data/" in n
    }


# -- the wheel installed in a fresh virtual environment -------------------------------------------


@dataclass(frozen=True)
class Venv:
    python: Path
    prefix: Path
    elsewhere: Path  # a working folder outside the repository and the venv
    env: dict[str, str]

    def python_c(self, code: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.python), "-c", code], cwd=self.elsewhere, env=self.env)


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


INNER = """
import importlib.metadata, json, sys
import surveillance_ties as st
out = {"file": st.__file__, "root": str(st.resources.package_root())}
out["versions"] = [st.__version__, importlib.metadata.version("surveillance-ties")]
frames = st.load_all()
out["dtypes"] = {name: {c: repr(t) for c, t in frame.dtypes.items()} for name, frame in frames.items()}
out["rows"] = {name: len(frame) for name, frame in frames.items()}
try:
    st.load("partnership")
except KeyError as exc:
    out["unknown"] = str(exc)
from_zip = st.load_all(source=sys.argv[1])
out["zip_equal"] = {name: from_zip[name].equals(frames[name]) for name in frames}
try:
    st.load("features", source=sys.argv[2])
except ValueError as exc:
    out["bad_zip"] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def inner(venv: Venv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    zips = tmp_path_factory.mktemp("zips")
    good = make_zip(zips / f"surveillance-ties-{VERSION}.zip")
    edited = (ROOT / "data/features.csv").read_bytes() + b"x\n"
    bad = make_zip(zips / "bad.zip", edit={"data/features.csv": edited})
    result = run([str(venv.python), "-c", INNER, str(good), str(bad)], cwd=venv.elsewhere, env=venv.env)
    data: dict[str, Any] = json.loads(result.stdout)
    expected_hash = file_stats(ROOT / "data/features.csv")[0]
    data["expected_bad_zip"] = (
        f"{bad}: data/features.csv does not match its hash in the zip's datapackage.json (expected "
        f"{expected_hash}, found sha256:{hashlib.sha256(edited).hexdigest()}); the zip is damaged or was "
        "altered: download the release again"
    )
    return data


def test_installed_package_is_the_wheel_not_the_repository(venv: Venv, inner: dict[str, Any]) -> None:
    site = venv.prefix.resolve()
    assert Path(inner["file"]).resolve().is_relative_to(site)
    assert not Path(inner["file"]).resolve().is_relative_to(ROOT)
    assert Path(inner["root"]) == Path(inner["file"]).parent / "_data"


def test_installed_dtypes_follow_the_schemas(inner: dict[str, Any]) -> None:
    assert list(inner["dtypes"]) == RESOURCE_NAMES
    for name in RESOURCE_NAMES:
        expected = {f["name"]: repr(expected_pandas_dtype(f)) for f in read_schema(name)["fields"]}
        assert inner["dtypes"][name] == expected, name
    assert inner["rows"] == {
        "organizations": 10,
        "partnerships": 7,
        "features": 6,
        "regulatory_actions": 1,
        "sources": 14,
        "citations": 39,
    }


def test_installed_versions_agree(venv: Venv, inner: dict[str, Any]) -> None:
    assert inner["versions"] == [VERSION, VERSION]
    script = venv.prefix / BIN / "surveillance-ties"
    result = run([str(script), "--version"], cwd=venv.elsewhere, env=venv.env)
    assert result.stdout == f"surveillance-ties, version {VERSION}\n"


def test_installed_unknown_table_message(inner: dict[str, Any]) -> None:
    assert inner["unknown"] == f"no table 'partnership' in {inner['root']}; the tables are: {TABLES_LINE}"


def test_installed_loads_a_release_zip(inner: dict[str, Any]) -> None:
    assert inner["zip_equal"] == dict.fromkeys(RESOURCE_NAMES, True)
    assert inner["bad_zip"] == inner["expected_bad_zip"]


def test_readme_command_prints_the_schema_types(venv: Venv) -> None:
    """The README's example, run offline from another folder, prints the schema's types."""
    result = venv.python_c("import surveillance_ties as st; print(st.load('partnerships').dtypes)")
    expected = pd.Series({f["name"]: expected_pandas_dtype(f) for f in read_schema("partnerships")["fields"]})
    assert result.stdout == f"{expected}\n"
    assert result.stdout == (
        "partnership_id         string\n"
        "org_id                 string\n"
        "partner_org_id         string\n"
        "relationship_type    category\n"
        "status               category\n"
        "announced              string\n"
        "ended                  string\n"
        "description            string\n"
        "notes                  string\n"
        "dtype: object\n"
    )


# -- typing -------------------------------------------------------------------------------------------

TYPED_MODULES = [
    "__init__",
    "loader",
    "frames",
    "dtypes",
    "source",
    "fetch",
    "tableschema",
    "resources",
    "dates",
]
USAGE = """
import pandas as pd
import polars as pl

import surveillance_ties as st

frame: pd.DataFrame = st.load("partnerships")
fast: pl.DataFrame = st.load("partnerships", backend="polars")
names: list[str] = st.tables()
reveal_type(st.load("features", source="surveillance-ties-0.1.0.zip"))
reveal_type(st.load_all(backend="polars"))
reveal_type(st.schema("partnerships").field("status").enum)
reveal_type(st.citations("partnerships", "ring-axon-footage-sharing"))
reveal_type(st.date_bounds(frame["announced"]))
"""


def test_public_api_passes_mypy_strict(tmp_path: Path) -> None:
    """The loader modules pass ``mypy --strict``, and a user's code sees precise types (py.typed)."""
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE, encoding="utf-8")
    modules = [str(ROOT / "src/surveillance_ties" / f"{m}.py") for m in TYPED_MODULES]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "test_packaging"),  # its own cache: other options do not evict it
            *modules,
            str(usage),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert [
        line.split("note: ", 1)[1] for line in result.stdout.splitlines() if "note: Revealed" in line
    ] == [
        'Revealed type is "pandas.core.frame.DataFrame"',
        'Revealed type is "dict[str, polars.dataframe.frame.DataFrame]"',
        'Revealed type is "tuple[str | int | float | bool, ...] | None"',
        'Revealed type is "pandas.core.frame.DataFrame"',
        'Revealed type is "pandas.core.frame.DataFrame"',
    ]
