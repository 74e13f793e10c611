"""The built distributions as PyPI and distribution packagers see them (issue 13).

- PyPI: both files pass ``twine check --strict``, and the README, rendered from the wheel's metadata
  the way PyPI renders it (``readme_renderer``, GitHub-flavoured Markdown), has no relative link or
  image: every address is absolute and names a file of this repository that exists.
- Licences: the metadata carries the PEP 639 expression ``MIT AND CC-BY-4.0`` (the code and the
  data) with both licence files; the archived articles of ``seeds/``, under neither licence, stay
  in the wheel (the installed copy validates, quotes included) and ``LICENSE-DATA`` says what they
  are.
- Packagers: the sdist, unpacked, runs a smoke subset of the suite that reads the files it must
  carry (``docs/``, ``.github/``, ``.pre-commit-hooks.yaml``, the README and the generated
  documents): the same tests are collected there as here, and every one of them passes.

The distributions are built once (module-scoped fixture) with hatchling, without build isolation,
as ``tests/test_packaging.py`` builds them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, descriptor

VERSION = descriptor(ROOT)["version"]
DIST_INFO = f"surveillance_ties-{VERSION}.dist-info"
REPOSITORY = "https://github.com/surveillance-ties/surveillance-ties"
BLOB = f"{REPOSITORY}/blob/main/"
RAW = "https://raw.githubusercontent.com/surveillance-ties/surveillance-ties/main/"

#: The smoke subset run from the unpacked sdist: the tests that read what an sdist used to lack.
SMOKE = [
    "tests/test_workflows.py",  # .github/workflows/
    "tests/test_readme.py",  # README.md, the fixture package, the bundled tables
    "tests/test_cli_reference.py::test_readme_shows_the_generated_documents",  # docs/
    "tests/test_validate_cli.py::test_pre_commit_runs_the_validator",  # .pre-commit-hooks.yaml
    "tests/test_live_documents.py::test_data_dictionary_is_current",  # DATA.md
    "tests/test_live_documents.py::test_cli_reference_is_current",  # docs/CLI.md
]


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output when it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    code = "import sys; from hatchling.build import build_sdist, build_wheel; "
    code += "build_sdist(sys.argv[1]); build_wheel(sys.argv[1])"
    run([sys.executable, "-c", code, str(out)], cwd=ROOT)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Built(sdist, wheel)


def wheel_text(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name).decode("utf-8")


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def sdist_text(sdist: Path, name: str) -> str:
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"surveillance_ties-{VERSION}/{name}")
        assert member is not None
        return member.read().decode("utf-8")


# -- what PyPI shows --------------------------------------------------------------------------------


def test_twine_check_strict_passes_on_both_distributions(built: Built) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "--no-color",
            "check",
            "--strict",
            str(built.wheel),
            str(built.sdist),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},  # one line per file, however long its path
    )
    assert (result.returncode, result.stdout.splitlines(), result.stderr) == (
        0,
        [f"Checking {built.wheel}: PASSED", f"Checking {built.sdist}: PASSED"],
        "",
    )


class _Links(HTMLParser):
    """Every ``<a href>`` and ``<img src>`` of an HTML text, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.found.append((tag, value))


def rendered_links(metadata: str) -> list[tuple[str, str]]:
    """The links and images of the long description of ``metadata``, rendered as PyPI renders it."""
    import readme_renderer.markdown

    message = Parser().parsestr(metadata)
    assert message["Description-Content-Type"] == "text/markdown"
    body = message.get_payload()
    assert isinstance(body, str)
    html = readme_renderer.markdown.render(body)
    assert html is not None
    parser = _Links()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("which", ["wheel", "sdist"])
def test_rendered_readme_has_no_relative_link(built: Built, which: str) -> None:
    metadata = (
        wheel_text(built.wheel, f"{DIST_INFO}/METADATA")
        if which == "wheel"
        else sdist_text(built.sdist, "PKG-INFO")
    )
    links = rendered_links(metadata)
    relative = [value for _, value in links if not re.match(r"https?://|#|mailto:", value)]
    assert relative == [], f"relative links and images in the rendered README: {relative}"
    assert [value for tag, value in links if tag == "img"] == [
        f"{RAW}docs/network.svg",
        f"{RAW}docs/timeline.svg",
    ]


def test_readme_addresses_name_files_of_the_repository(built: Built) -> None:
    """Every address into this repository (a document on main, an image on main) names a file that
    is there, so that no link of the PyPI page is dead once main is pushed."""
    links = rendered_links(wheel_text(built.wheel, f"{DIST_INFO}/METADATA"))
    inside = [
        value.split("#")[0].removeprefix(BLOB).removeprefix(RAW)
        for _, value in links
        if value.startswith((BLOB, RAW))
    ]
    assert len(inside) >= 10
    assert [path for path in inside if not (ROOT / path).is_file()] == []


# -- licences ---------------------------------------------------------------------------------------


def test_licence_metadata_is_the_expression_for_code_and_data(built: Built) -> None:
    for metadata in (wheel_text(built.wheel, f"{DIST_INFO}/METADATA"), sdist_text(built.sdist, "PKG-INFO")):
        headers = Parser().parsestr(metadata, headersonly=True)
        # 2.4 (hatchling 1.27) or newer: the first core metadata with License-Expression
        assert tuple(int(n) for n in headers["Metadata-Version"].split(".")) >= (2, 4)
        assert headers.get_all("License-Expression") == ["MIT AND CC-BY-4.0"]
        assert headers.get_all("License-File") == ["LICENSE", "LICENSE-DATA"]
        assert headers.get_all("License") is None
        assert [c for c in headers.get_all("Classifier") or [] if c.startswith("License ::")] == []
    for name in ("LICENSE", "LICENSE-DATA"):
        assert wheel_text(built.wheel, f"{DIST_INFO}/licenses/{name}") == (ROOT / name).read_text("utf-8")


def test_wheel_keeps_the_archived_texts_and_says_what_they_are(built: Built) -> None:
    """The decision: ``seeds/`` stays in the wheel (the installed copy validates, its quotes
    included: ``tests/test_packaging.py``), every archived text of the repository and nothing else;
    the licence file the wheel carries says they are under neither licence."""
    seeds = sorted(
        f"surveillance_ties/_data/{p.relative_to(ROOT).as_posix()}"
        for p in (ROOT / "seeds").rglob("*")
        if p.is_file()
    )
    assert seeds
    assert [n for n in wheel_names(built.wheel) if n.startswith("surveillance_ties/_data/seeds/")] == seeds
    notice = " ".join(wheel_text(built.wheel, f"{DIST_INFO}/licenses/LICENSE-DATA").split())
    assert (
        "it is NOT licensed under CC BY 4.0 or under the MIT licence, and the licence expression of the "
        'Python package ("MIT AND CC-BY-4.0") does not cover it.'
    ) in notice
    assert "and the Python wheel (under surveillance_ties/_data/seeds/) carry it" in notice


# -- the sdist runs its own tests -------------------------------------------------------------------


@pytest.mark.live_data  # the subset runs tests of the live data (the README's examples, DATA.md)
def test_unpacked_sdist_passes_its_smoke_tests(built: Built, tmp_path: Path) -> None:
    """What a distribution packager does: unpack the sdist and run the tests from it, with its own
    source on the path. The tests collected there are the ones collected here, and all pass."""
    collected = run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *SMOKE], cwd=ROOT
    ).stdout
    expected = sorted(line for line in collected.splitlines() if line.startswith("tests/"))
    assert len(expected) >= 30
    with tarfile.open(built.sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    unpacked = tmp_path / f"surveillance_ties-{VERSION}"
    assert not (unpacked / ".git").exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    env["PYTHONPATH"] = str(unpacked / "src")
    where = run(
        [sys.executable, "-c", "import surveillance_ties; print(surveillance_ties.__file__)"], env=env
    )
    assert Path(where.stdout.strip()) == unpacked / "src" / "surveillance_ties" / "__init__.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", *SMOKE],
        capture_output=True,
        text=True,
        cwd=unpacked,
        env=env,
    )
    passed = sorted(
        line.removeprefix("PASSED ") for line in result.stdout.splitlines() if line.startswith("PASSED ")
    )
    assert (result.returncode, passed) == (0, expected), result.stdout[-3000:] + result.stderr
    assert re.search(rf"^{len(expected)} passed in ", result.stdout, re.M), result.stdout[-500:]
