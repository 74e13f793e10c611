"""Other clients read the package as it is: the frictionless JavaScript client (npm ``datapackage``).

It sniffs a CSV file's dialect when the descriptor gives none, and on some tables guesses a space for
the delimiter; with the dialect every resource declares, it reads all six tables with their foreign
keys resolved (``relations: true``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

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


def test_the_javascript_client_reads_every_table_with_relations(client: Path) -> None:
    done = subprocess.run(
        ["node", str(client / SCRIPT.name), str(ROOT / "datapackage.json")],
        capture_output=True, text=True, timeout=300, cwd=client,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == {name: len(read_rows(name, ROOT)) for name in resource_names(ROOT)}
