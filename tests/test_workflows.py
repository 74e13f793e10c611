"""The GitHub workflows (issue 11): hardened, and the validate workflow gates and reviews.

Every workflow is read with ``yaml.safe_load`` (which reads the key ``on`` as ``True``); the
version comments after the pins are read from the text, since YAML drops comments.
"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import FIXTURE, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
PIN_LINE = re.compile(r"^\s*(- )?uses: ([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")
UNTRUSTED = re.compile(r"\$\{\{\s*github\.(event|head_ref)")
REVIEW = 'surveillance-ties review "$BASE_SHA" >> "$GITHUB_STEP_SUMMARY"'


def load(path: Path) -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return workflow


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(job name, step)`` for every step of every job."""
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def test_the_workflows_are_the_three_the_project_runs() -> None:
    assert [p.name for p in WORKFLOWS] == ["release.yml", "tests.yml", "validate.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    unpinned = [
        (job, step["uses"])
        for job, step in steps(load(path))
        if "uses" in step and not PINNED.match(step["uses"])
    ]
    assert unpinned == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_pin_names_its_release_in_a_comment(path: Path) -> None:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(- )?uses:", line)
    ]
    assert lines, "a workflow without actions"
    assert [line for line in lines if not PIN_LINE.match(line)] == []


def test_each_action_is_pinned_to_one_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for _, step in steps(load(path)):
            if "uses" in step and "@" in step["uses"]:
                action, _, ref = step["uses"].partition("@")
                pins.setdefault(action, set()).add(ref)
    assert {action: len(refs) for action, refs in pins.items()} == {action: 1 for action in pins}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_checkout_keeps_no_credentials(path: Path) -> None:
    checkouts = [
        (job, step.get("with", {}))
        for job, step in steps(load(path))
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts
    assert [job for job, options in checkouts if options.get("persist-credentials") is not False] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path: Path) -> None:
    jobs = load(path)["jobs"]
    timeouts = {name: job.get("timeout-minutes") for name, job in jobs.items()}
    assert all(isinstance(t, int) and 0 < t <= 60 for t in timeouts.values()), timeouts


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_token_can_only_read_unless_a_job_says_why(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    granted = {name: job["permissions"] for name, job in workflow["jobs"].items() if "permissions" in job}
    expected = {
        "release.yml": {"data": {"contents": "write"}, "pypi": {"id-token": "write"}},
        "tests.yml": {},
        "validate.yml": {},
    }
    assert granted == expected[path.name]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_script_interpolates_event_content(path: Path) -> None:
    scripts = [(job, step["run"]) for job, step in steps(load(path)) if "run" in step]
    assert scripts
    assert [(job, script) for job, script in scripts if UNTRUSTED.search(script)] == []


def test_validate_workflow_validates_every_push_and_reviews_pull_requests() -> None:
    workflow = load(ROOT / ".github/workflows/validate.yml")
    assert set(workflow[True]) == {"push", "pull_request"}
    job = workflow["jobs"]["validate"]
    [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 0}
    commands = [s["run"] for s in job["steps"] if "run" in s]
    assert commands == ["python -m pip install .", "surveillance-ties validate --format github", REVIEW]
    [review] = [s for s in job["steps"] if s.get("run") == REVIEW]
    assert review["if"] == "github.event_name == 'pull_request' && !cancelled()"
    assert review["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}"}


def test_validate_workflow_checks_the_version_bump_and_the_documents() -> None:
    jobs = load(ROOT / ".github/workflows/validate.yml")["jobs"]
    assert list(jobs) == ["validate", "release-check", "docs"]
    assert jobs["release-check"]["if"] == "github.event_name == 'pull_request'"
    assert [s["run"] for s in jobs["release-check"]["steps"] if "run" in s] == [
        "python -m pip install .",
        "surveillance-ties release --check",
    ]
    assert [s["run"] for s in jobs["docs"]["steps"] if "run" in s] == [
        "python -m pip install '.[figures]'",
        "surveillance-ties docs --check",
    ]


def test_tests_workflow_runs_the_ci_script_on_every_python_of_the_classifiers() -> None:
    workflow = load(ROOT / ".github/workflows/tests.yml")
    assert set(workflow[True]) == {"push", "pull_request"}
    assert list(workflow["jobs"]) == ["tests", "lowest"]
    job = workflow["jobs"]["tests"]
    assert job["strategy"] == {"fail-fast": False, "matrix": {"python-version": ["3.11", "3.12", "3.13"]}}
    [setup] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"] == {"python-version": "${{ matrix.python-version }}"}
    assert [s["run"] for s in job["steps"] if "run" in s] == ["bash .ci/run"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    classified = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.match(r".*:: 3\.\d+$", c)]
    assert classified == job["strategy"]["matrix"]["python-version"]
    assert project["requires-python"] == ">=3.11"


LOWEST_INSTALL = """uv venv --python "$(command -v python)" .venv-lowest
uv pip install --python .venv-lowest/bin/python --resolution lowest-direct -e '.[test]'
"""
LOWEST_RUN = """set +e
.venv-lowest/bin/python -m pytest
status=$?
if [ "$status" -eq 5 ]; then
  echo "::error::pytest collected no tests (exit code 5): that is a failure"
  exit 1
fi
exit "$status"
"""


def test_tests_workflow_runs_the_suite_on_the_lowest_declared_versions() -> None:
    """The ``lowest`` job: Python 3.11, every direct requirement at the lowest version it allows
    (uv ``--resolution lowest-direct``), the whole suite, exit code 5 (no test) a failure."""
    job = load(ROOT / ".github/workflows/tests.yml")["jobs"]["lowest"]
    [setup] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"] == {"python-version": "3.11"}
    assert [s["run"] for s in job["steps"] if "run" in s] == [
        'python -m pip install "uv==0.13.9"',
        LOWEST_INSTALL,
        LOWEST_RUN,
    ]
    # the one test left out there: mypy's verdict depends on the type information of the libraries
    [suite] = [s for s in job["steps"] if s.get("run") == LOWEST_RUN]
    assert suite["env"] == {
        "PYTEST_ADDOPTS": "--deselect tests/test_lint.py::test_mypy_strict_checks_the_package_and_the_tools"
    }
    lint = (ROOT / "tests/test_lint.py").read_text(encoding="utf-8")
    assert "\ndef test_mypy_strict_checks_the_package_and_the_tools() -> None:\n" in lint


def test_release_workflow_runs_on_version_tags() -> None:
    workflow = load(ROOT / ".github/workflows/release.yml")
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    assert workflow["jobs"]["pypi"]["needs"] == ["data", "python"]


def test_release_workflow_attaches_every_file_the_build_writes(tmp_path: Path) -> None:
    """Each file of ``surveillance-ties build`` matches one pattern of the release's ``files`` (so the
    GitHub release carries everything SHA256SUMS lists), and each pattern matches a file."""
    from surveillance_ties.release.build import build

    workflow = load(ROOT / ".github/workflows/release.yml")
    (upload,) = [s for name, s in steps(workflow) if name == "data" and "files" in s.get("with", {})]
    patterns = upload["with"]["files"].split()
    assert patterns == [
        "dist/*.zip",
        "dist/*.sqlite",
        "dist/*.parquet",
        "dist/*.metadata.json",
        "dist/*.SHA256SUMS",
    ]
    out = tmp_path / "dist"
    build(FIXTURE, out)
    written = sorted(f"dist/{p.name}" for p in out.iterdir())
    assert {f: [p for p in patterns if fnmatch(f, p)] for f in written} == {
        f: [next(p for p in patterns if fnmatch(f, p))] for f in written
    }
    assert all(any(fnmatch(f, p) for f in written) for p in patterns)
