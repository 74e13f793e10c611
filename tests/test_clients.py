"""Other clients read the package as it is: the frictionless JavaScript client (npm ``datapackage``).

It sniffs a CSV file's dialect when the descriptor gives none, and on some tables guesses a space for
the delimiter; with the dialect every resource declares, it reads all six tables with their foreign
keys resolved (``relations: true``). It reads a release zip by unpacking it entry by entry, so it
needs the zip's directory entries (without them: ENOENT on ``data/citations.csv``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from surveillance_ties.datapackage import open_package
from surveillance_ties.release.build import release_entries, write_zip

from .conftest import ROOT, read_rows, resource_names

pytestmark = [
    pytest.mark.live_data,
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None, reason="node and npm are not installed"
    ),
]

CLIENT = "datapackage@1.1.10"
SCRIPT = Path(__file__).resolve().parent / "js" / "read_package.js"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the npm client installed (from the npm registry)."""
    folder = tmp_path_factory.mktemp("npm")
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(folder), CLIENT],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.copy(SCRIPT, folder / SCRIPT.name)
    return folder


def read_with_node(client: Path, source: Path, tmp: Path) -> dict[str, object]:
    """What tests/js/read_package.js prints for ``source`` (the client unpacks a zip under ``tmp``)."""
    tmp.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["node", str(client / SCRIPT.name), str(source)],
        capture_output=True, text=True, timeout=300, cwd=client, env={**os.environ, "TMPDIR": str(tmp)},
    )  # fmt: skip
    out: dict[str, object] = json.loads(done.stdout)
    assert done.returncode == 0, out
    return out


def test_the_javascript_client_reads_every_table_with_relations(client: Path, tmp_path: Path) -> None:
    rows = read_with_node(client, ROOT / "datapackage.json", tmp_path)
    assert rows == {name: len(read_rows(name, ROOT)) for name in resource_names(ROOT)}


def test_the_javascript_client_reads_every_table_of_the_release_zip(client: Path, tmp_path: Path) -> None:
    """The zip of ``surveillance-ties build`` (the same function writes it), directory entries and all."""
    release = tmp_path / "release.zip"
    with open_package(ROOT) as pkg:
        write_zip(release_entries(pkg), release)
    rows = read_with_node(client, release, tmp_path / "tmp")
    assert rows == {name: len(read_rows(name, ROOT)) for name in resource_names(ROOT)}

    flat = tmp_path / "flat.zip"  # the same files without their directory entries: the client fails
    with zipfile.ZipFile(release) as src, zipfile.ZipFile(flat, "w") as dst:
        for info in src.infolist():
            if not info.is_dir():
                dst.writestr(info, src.read(info))
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    done = subprocess.run(
        ["node", str(client / SCRIPT.name), str(flat)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=client,
        env=env,
    )
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]
    assert error.startswith("Error: ENOENT: no such file or directory, open '"), error
    assert error.endswith("/data/citations.csv'"), error
