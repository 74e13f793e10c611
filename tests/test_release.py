"""``release --check`` and ``--bump`` (issue 5): the semver guard, CHANGELOG and CITATION checks,
read through the package layer, and a bump that holds the package's lock and writes atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.curation import rehash
from surveillance_ties.datapackage import WriteError, open_package, writing
from surveillance_ties.release import semver
from surveillance_ties.release.build import write_zip, zip_entries
from surveillance_ties.release.diff import _direction
from surveillance_ties.release.semver import (
    Level,
    Reason,
    ReleaseError,
    bump,
    bump_level,
    bump_version,
    changelog_has,
    check,
    citation_version,
    consistency_problems,
    draft_changelog,
    insert_changelog_section,
    last_release,
    set_citation,
)

from .conftest import DISK_FULL, descriptor, disk_full
from .release_fixtures import (
    copy_package,
    edit_descriptor,
    edit_schema,
    edit_table,
    field,
    git,
    git_repo,
    row,
    set_version,
    write_csv,
)

ACME = ["acme", "Acme", "", "company", "", "", "A company that makes cameras.", ""]


def drop_column(table: str, name: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        def rows(rs: list[list[str]]) -> None:
            i = rs[0].index(name)
            for r in rs:
                del r[i]

        edit_table(root, table, rows)
        edit_schema(root, table, lambda s: s["fields"].remove(field(s, name)))

    return edit


def rename_column(root: Path) -> None:
    edit_table(root, "organizations", lambda rs: rs[0].__setitem__(7, "remarks"))
    edit_schema(root, "organizations", lambda s: field(s, "notes").update(name="remarks"))


def remove_citations(root: Path) -> None:
    (root / "data" / "citations.csv").unlink()
    edit_descriptor(
        root, lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "citations"])
    )


def change_type(root: Path) -> None:
    edit_schema(root, "regulatory_actions", lambda s: field(s, "amount").update(type="integer"))


def narrow_minimum(root: Path) -> None:
    edit_schema(root, "regulatory_actions", lambda s: field(s, "amount")["constraints"].update(minimum=1))


def add_row(root: Path) -> None:
    edit_table(root, "organizations", lambda rs: rs.append(ACME))


def remove_row(root: Path) -> None:
    edit_table(root, "organizations", lambda rs: rs.remove(row(rs, "axon")))


def add_column(root: Path) -> None:
    edit_table(
        root, "organizations", lambda rs: [r.append("website" if i == 0 else "") for i, r in enumerate(rs)]
    )
    edit_schema(root, "organizations", lambda s: s["fields"].append({"name": "website", "type": "string"}))


def add_resource(root: Path) -> None:
    write_csv(
        root / "data" / "tags.csv", [["tag_id", "label"], ["alpr", "License plate readers"], ["ice", "ICE"]]
    )
    schema = {
        "fields": [{"name": "tag_id", "type": "string"}, {"name": "label", "type": "string"}],
        "primaryKey": "tag_id",
    }
    (root / "schemas" / "tags.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    resource = {
        "name": "tags",
        "type": "table",
        "path": "data/tags.csv",
        "schema": "schemas/tags.schema.json",
    }
    edit_descriptor(root, lambda d: d["resources"].append(resource))
    rehash(root)


def loosen_required(root: Path) -> None:
    edit_schema(root, "organizations", lambda s: field(s, "name")["constraints"].pop("required"))


def fix_value(root: Path) -> None:
    edit_table(root, "organizations", lambda rs: row(rs, "amazon").__setitem__(1, "Amazon.com"))


def fix_metadata(root: Path) -> None:
    edit_descriptor(root, lambda d: d.update(title="Surveillance ties"))


CASES: list[tuple[str, Callable[[Path], None], Level, str]] = [
    ("field-removed", drop_column("organizations", "aliases"), Level.MAJOR,
     "organizations: field aliases removed (was string, position 3)"),
    ("field-renamed", rename_column, Level.MAJOR, "organizations: field notes renamed to remarks"),
    ("resource-removed", remove_citations, Level.MAJOR, "table citations removed"),
    ("type-changed", change_type, Level.MAJOR, "regulatory_actions: field amount: type number -> integer"),
    ("constraint-tightened", narrow_minimum, Level.MAJOR,
     "regulatory_actions: field amount: constraint minimum tightened (0 -> 1)"),
    ("rows-removed", remove_row, Level.MAJOR, "organizations: 1 row removed (axon)"),
    ("rows-added", add_row, Level.MINOR, "organizations: 1 row added (acme)"),
    ("field-added", add_column, Level.MINOR, "organizations: field website added (string, position 9)"),
    ("resource-added", add_resource, Level.MINOR, "table tags added (2 rows)"),
    ("constraint-loosened", loosen_required, Level.MINOR,
     "organizations: field name: constraint required loosened (true -> null)"),
    ("value-fixed", fix_value, Level.PATCH, "organizations: 1 row changed (amazon)"),
    ("metadata-fixed", fix_metadata, Level.PATCH,
     'package metadata: title: "Surveillance Ties" -> "Surveillance ties"'),
]  # fmt: skip


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last release: an untouched copy of the package at 0.1.0."""
    return copy_package(tmp_path_factory.mktemp("release") / "v0.1.0")


@pytest.fixture(scope="module")
def released_1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last release after 1.0.0: an untouched copy of the package, at 1.2.3."""
    root = copy_package(tmp_path_factory.mktemp("release") / "v1.2.3")
    set_version(root, "1.2.3")
    return root


# the version each level needs, and the largest smaller bump, after 1.2.3 and before 1.0.0 (0.1.0)
NEEDED = {
    "1.2.3": ({Level.MAJOR: "2.0.0", Level.MINOR: "1.3.0", Level.PATCH: "1.2.4"},
              {Level.MAJOR: "1.3.0", Level.MINOR: "1.2.4"}),
    "0.1.0": ({Level.MAJOR: "0.2.0", Level.MINOR: "0.1.1", Level.PATCH: "0.1.1"},
              {Level.MAJOR: "0.1.1"}),
}  # fmt: skip


@pytest.mark.parametrize("start", ["1.2.3", "0.1.0"])
@pytest.mark.parametrize(("case", "edit", "level", "message"), CASES, ids=[c[0] for c in CASES])
def test_semver_rule(released: Path, released_1: Path, tmp_path: Path, start: str, case: str,
                     edit: Callable[[Path], None], level: Level, message: str) -> None:  # fmt: skip
    """Each change needs its level; before 1.0.0 the level moves one number down (a major change
    bumps the minor number, a minor change the patch number)."""
    last = released_1 if start == "1.2.3" else released
    new = copy_package(tmp_path / "new")
    if start != "0.1.0":
        set_version(new, start)
    edit(new)
    result = check(new, against=str(last))
    assert (result.against, result.previous_version, result.version) == (str(last), start, start)
    assert result.reasons == [Reason(level, message)]
    assert (result.required, result.bump, result.ok) == (level, Level.NONE, False)
    needed, smaller = NEEDED[start][0][level], NEEDED[start][1].get(level)
    zero = "; before 1.0.0, one number down" if start == "0.1.0" else ""
    assert result.problems == [
        f"the changes since {last} need a {level} release ({start} -> {needed}{zero}), "
        f"but {start} -> {start} is no bump; "
        "run `surveillance-ties release --bump` or set the version by hand:\n"
        f"  {level} needed: {message}"
    ]
    set_version(new, needed)
    passed = check(new, against=str(last))
    assert (passed.ok, passed.problems) == (True, [])
    assert passed.bump == (level if start == "1.2.3" or level == Level.MAJOR else Level.MINOR)
    if smaller is not None:
        set_version(new, smaller)
        failed = check(new, against=str(last))
        assert failed.bump == Level(level - 1)
        assert failed.problems[0].startswith(f"the changes since {last} need a {level} release")
        tail = f"is a {Level(level - 1)} bump; run `surveillance-ties release --bump`"
        tail += " or set the version by hand:"
        assert failed.problems[0].endswith(f"{tail}\n  {level} needed: {message}")


def test_no_changes_need_no_bump(released: Path, tmp_path: Path) -> None:
    result = check(copy_package(tmp_path / "same"), against=str(released))
    assert (result.ok, result.reasons, result.required, result.bump) == (True, [], Level.NONE, Level.NONE)


@pytest.mark.parametrize(
    ("key", "old", "new", "expected"),
    [
        ("required", None, True, "tightened"),
        ("required", True, False, "loosened"),
        ("required", None, False, None),
        ("unique", None, True, "tightened"),
        ("enum", None, ["a"], "tightened"),
        ("enum", ["a", "b"], ["a"], "tightened"),
        ("enum", ["a", "b"], ["a", "c"], "tightened"),
        ("enum", ["a"], ["a", "b"], "loosened"),
        ("enum", ["a"], None, "loosened"),
        ("enum", ["a", "b"], ["b", "a"], None),
        ("pattern", None, "^a$", "tightened"),
        ("pattern", "^a$", "^b$", "tightened"),
        ("pattern", "^a$", None, "loosened"),
        ("minimum", 0, 1, "tightened"),
        ("minimum", 1, 0, "loosened"),
        ("maximum", 10, 5, "tightened"),
        ("maximum", 5, 10, "loosened"),
        ("maximum", None, 5, "tightened"),
        ("minLength", 1, 2, "tightened"),
        ("maxLength", 9, 8, "tightened"),
        ("maxLength", 8, None, "loosened"),
    ],
)
def test_constraint_direction(key: str, old: Any, new: Any, expected: str | None) -> None:
    assert _direction(key, old, new) == expected


def test_version_arithmetic() -> None:
    assert bump_version((1, 1, 3), Level.MAJOR) == (2, 0, 0)
    assert bump_version((1, 1, 3), Level.MINOR) == (1, 2, 0)
    assert bump_version((1, 1, 3), Level.PATCH) == (1, 1, 4)
    assert bump_version((1, 1, 3), Level.NONE) == (1, 1, 3)
    assert bump_level((1, 1, 3), (2, 0, 0)) == Level.MAJOR
    assert bump_level((1, 1, 3), (1, 3, 0)) == Level.MINOR
    assert bump_level((1, 1, 3), (1, 1, 5)) == Level.PATCH
    assert bump_level((1, 1, 3), (1, 1, 3)) == Level.NONE
    # before 1.0.0, one number down: 1.0.0 is never computed
    assert bump_version((0, 1, 3), Level.MAJOR) == (0, 2, 0)
    assert bump_version((0, 1, 3), Level.MINOR) == (0, 1, 4)
    assert bump_version((0, 1, 3), Level.PATCH) == (0, 1, 4)
    assert bump_version((0, 1, 3), Level.NONE) == (0, 1, 3)
    assert bump_level((0, 1, 3), (1, 0, 0)) == Level.MAJOR
    assert bump_level((0, 1, 3), (0, 3, 0)) == Level.MAJOR
    assert bump_level((0, 1, 3), (0, 1, 5)) == Level.MINOR
    assert bump_level((0, 1, 3), (0, 1, 3)) == Level.NONE
    with pytest.raises(ReleaseError, match="the version went backwards, from 0.2.0 to 0.1.9"):
        bump_level((0, 2, 0), (0, 1, 9))


def test_changelog_section_is_required(released: Path, tmp_path: Path) -> None:
    new = copy_package(tmp_path / "new")
    add_row(new)
    set_version(new, "0.2.0", changelog=False)
    result = check(new, against=str(released))
    assert result.problems == [
        "CHANGELOG.md has no `## [0.2.0]` section: add one saying what changed "
        "(`surveillance-ties release --bump` drafts it)"
    ]


def test_citation_must_name_the_version(released: Path, tmp_path: Path) -> None:
    new = copy_package(tmp_path / "new")
    add_row(new)
    set_version(new, "0.2.0")
    citation = new / "CITATION.cff"
    citation.write_text(citation.read_text().replace("version: 0.2.0", 'version: "0.1.0"'))
    assert check(new, against=str(released)).problems == [
        "CITATION.cff names version 0.1.0, but datapackage.json says 0.2.0; set `version: 0.2.0`"
    ]
    citation.write_text(citation.read_text().replace('version: "0.1.0"\n', ""))
    assert check(new, against=str(released)).problems == [
        "CITATION.cff is missing or has no `version:`; add `version: 0.2.0`"
    ]


def test_version_going_backwards_fails(released: Path, tmp_path: Path) -> None:
    newer = copy_package(tmp_path / "newer")
    set_version(newer, "0.2.0")
    result = check(copy_package(tmp_path / "older"), against=str(newer))
    assert result.problems == [
        f"the version went backwards, from 0.2.0 to 0.1.0 (the release {newer} is 0.2.0)"
    ]


def test_without_a_release_tag_only_consistency_is_checked(tmp_path: Path) -> None:
    repo = copy_package(tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    result = check(repo)
    assert (result.ok, result.against, result.reasons) == (True, None, [])
    assert result.notes == [
        "no vX.Y.Z release tag yet: only checked that the version, CHANGELOG.md and CITATION.cff agree"
    ]
    edit_descriptor(repo, lambda d: d.update(version="0.3.0"))
    assert check(repo).problems == [
        "CHANGELOG.md has no `## [0.3.0]` section: add one saying what changed "
        "(`surveillance-ties release --bump` drafts it)",
        "CITATION.cff names version 0.1.0, but datapackage.json says 0.3.0; set `version: 0.3.0`",
    ]
    assert check(copy_package(tmp_path / "not-a-repo")).notes == result.notes


def test_last_release_is_the_newest_version_tag(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    for tag in ("v0.9.0", "v0.10.0", "v2.0.0-rc.1", "release-3"):
        git(repo, "tag", tag)
    assert last_release(repo) == "v0.10.0"


def test_check_then_bump_against_the_tag(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    add_row(repo)
    fix_value(repo)
    git(repo, "commit", "-qam", "more data")
    failed = check(repo)
    assert (failed.against, failed.required, failed.ok) == ("v0.1.0", Level.MINOR, False)
    data_before = {p.name: p.read_bytes() for p in (repo / "data").iterdir()}

    result = bump(repo, today=dt.date(2026, 12, 1))
    assert (result.old_version, result.new_version, result.against) == ("0.1.0", "0.1.1", "v0.1.0")
    assert result.written == ["datapackage.json", "CITATION.cff", "CHANGELOG.md"]
    assert {
        p.name: p.read_bytes() for p in (repo / "data").iterdir()
    } == data_before  # never touches data rows
    assert descriptor(repo)["version"] == "0.1.1"
    citation = (repo / "CITATION.cff").read_text()
    assert "\nversion: 0.1.1\ndate-released: 2026-12-01\n" in citation
    assert "0.1.0" not in citation and "2026-11-26" not in citation
    changelog = (repo / "CHANGELOG.md").read_text()
    assert (
        "## [Unreleased]\n\n"
        "## [0.1.1] - 2026-12-01\n\n"
        "<!-- Drafted by `surveillance-ties release --bump` from the changes since v0.1.0; edit it. -->\n\n"
        "### Added\n"
        "- `organizations`: 1 row (acme).\n\n"
        "### Fixed\n"
        "- `organizations`: 1 row corrected (amazon), in name.\n\n"
        "## [0.1.0] - 2026-11-26\n"
    ) in changelog
    assert check(repo).ok
    again = bump(repo, today=dt.date(2026, 12, 2))
    assert (again.new_version, again.written) == ("0.1.1", [])


def test_bump_keeps_a_larger_version(released: Path, tmp_path: Path) -> None:
    new = copy_package(tmp_path / "new")
    fix_value(new)
    set_version(new, "1.0.0")
    result = bump(new, against=str(released), today=dt.date(2026, 12, 1))
    assert (result.new_version, result.required, result.written) == ("1.0.0", Level.PATCH, [])
    assert result.notes == ["the version 1.0.0 is already more than the changes need"]


def test_bump_without_a_tag_syncs_citation_and_changelog(tmp_path: Path) -> None:
    new = copy_package(tmp_path / "new")
    edit_descriptor(new, lambda d: d.update(version="0.1.1"))
    result = bump(new, today=dt.date(2026, 12, 1))
    assert (result.new_version, result.written) == ("0.1.1", ["CITATION.cff", "CHANGELOG.md"])
    assert result.notes == [
        "no vX.Y.Z release tag yet: the version stays; CITATION.cff and CHANGELOG.md follow it"
    ]
    assert check(new).ok


def test_changelog_and_citation_text_helpers() -> None:
    assert insert_changelog_section(
        "# Log\n\n## [Unreleased]\n- x\n\n## [0.1.0] - 2026\n", "## [0.2.0] - d\n"
    ) == ("# Log\n\n## [Unreleased]\n- x\n\n## [0.2.0] - d\n\n## [0.1.0] - 2026\n")
    assert insert_changelog_section("# Log\n", "## [0.2.0] - d\n") == "# Log\n\n## [0.2.0] - d\n"
    assert set_citation("cff-version: 1.2.0\nversion: 0.1.0\n", "0.2.0", dt.date(2026, 1, 2)) == (
        "cff-version: 1.2.0\nversion: 0.2.0\ndate-released: 2026-01-02\n"
    )
    assert draft_changelog("0.1.1", dt.date(2026, 1, 2), None, None) == (
        "## [0.1.1] - 2026-01-02\n\n"
        "<!-- Drafted by `surveillance-ties release --bump` from the changes; edit it. -->\n\n"
        "### Changed\n- (say what changed)\n"
    )


def test_cli_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo")
    runner = CliRunner()
    monkeypatch.chdir(repo)
    passed = runner.invoke(main, ["release", "--check"])
    assert passed.exit_code == 0, passed.output
    assert passed.output == (
        "version 0.1.0, last release v0.1.0 (0.1.0)\n"
        "changes need: no bump; version bump: none\n"
        "release check passed\n"
    )
    usage = runner.invoke(main, ["release"])
    assert usage.exit_code == 2 and "give --check or --bump" in usage.output
    add_row(repo)
    failed = runner.invoke(main, ["release", "--check"])
    assert failed.exit_code == 1
    assert "  minor: organizations: 1 row added (acme)\n" in failed.output
    assert "need a minor release (0.1.0 -> 0.1.1; before 1.0.0, one number down)" in failed.output
    bumped = runner.invoke(main, ["release", "--bump"])
    assert bumped.exit_code == 0, bumped.output
    assert "version 0.1.0 -> 0.1.1\n" in bumped.output
    assert runner.invoke(main, ["release", "--check", "--against", "v0.1.0"]).exit_code == 0
    unknown = runner.invoke(main, ["release", "--check", "--against", "v7.0.0"])
    assert unknown.exit_code == 2 and "v7.0.0: no such file, folder or git revision" in unknown.output


def release_files(root: Path) -> dict[str, bytes]:
    """The files a bump may write, and every entry of the package folder (hidden ones too)."""
    files = {
        name: (root / name).read_bytes() for name in ("datapackage.json", "CITATION.cff", "CHANGELOG.md")
    }
    return {**files, "entries": "\n".join(sorted(os.listdir(root))).encode()}


def test_check_against_a_release_zip(released: Path, tmp_path: Path) -> None:
    archive = tmp_path / "surveillance-ties-0.1.0.zip"
    with open_package(released) as pkg:
        write_zip(zip_entries(pkg), archive)
    new = copy_package(tmp_path / "new")
    add_row(new)
    result = check(new, against=str(archive))
    assert (result.against, result.previous_version, result.required) == (str(archive), "0.1.0", Level.MINOR)
    assert result.reasons == [Reason(Level.MINOR, "organizations: 1 row added (acme)")]
    with pytest.raises(ReleaseError) as excinfo:  # the package itself must be a folder
        check(archive)
    assert str(excinfo.value) == f"{archive}: a release is checked and bumped in a package folder, not a zip"


def test_helpers_read_through_an_opened_package(tmp_path: Path) -> None:
    """CHANGELOG.md and CITATION.cff are read through the package layer: a folder or a git revision."""
    repo = git_repo(tmp_path / "repo")
    set_version(repo, "0.2.0")
    with open_package(repo) as pkg:
        assert (changelog_has(pkg, "0.2.0"), changelog_has(pkg, "0.1.0"), changelog_has(pkg, "0.3.0")) == (
            True,
            True,
            False,
        )
        assert citation_version(pkg) == "0.2.0"
        assert consistency_problems(pkg, "0.2.0") == []
    with open_package("v0.1.0", revisions=True, base=repo) as tagged:  # the committed files, not the edits
        assert (changelog_has(tagged, "0.2.0"), citation_version(tagged)) == (False, "0.1.0")
        assert consistency_problems(tagged, "0.2.0") == [
            "CHANGELOG.md has no `## [0.2.0]` section: add one saying what changed "
            "(`surveillance-ties release --bump` drafts it)",
            "CITATION.cff names version 0.1.0, but datapackage.json says 0.2.0; set `version: 0.2.0`",
        ]


def test_a_link_out_of_the_package_is_never_read(tmp_path: Path) -> None:
    new = copy_package(tmp_path / "new")
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("CITATION.cff", "CHANGELOG.md"):  # true copies, but outside the package
        (outside / name).write_bytes((new / name).read_bytes())
        (new / name).unlink()
        (new / name).symlink_to(outside / name)
    assert check(new).problems == [
        "CHANGELOG.md has no `## [0.1.0]` section: add one saying what changed "
        "(`surveillance-ties release --bump` drafts it)",
        "CITATION.cff is missing or has no `version:`; add `version: 0.1.0`",
    ]
    before = {name: (outside / name).read_bytes() for name in ("CITATION.cff", "CHANGELOG.md")}
    with pytest.raises(ReleaseError) as excinfo:
        bump(new, today=dt.date(2026, 12, 1))
    assert str(excinfo.value) == (
        f"{new / 'CITATION.cff'}: no such file; add a CITATION.cff (see https://citation-file-format.github.io)"
    )
    assert {name: (outside / name).read_bytes() for name in before} == before
    assert (new / "CITATION.cff").is_symlink() and (new / "CHANGELOG.md").is_symlink()
    assert descriptor(new)["version"] == "0.1.0"


def test_bump_waits_for_the_package_lock(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    add_row(repo)
    before = release_files(repo)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = bump(repo, today=dt.date(2026, 12, 1))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    with writing.locked(repo):  # another command is changing the package
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(0.6)
        assert thread.is_alive()  # waiting for the lock ...
        assert release_files(repo) == before  # ... without having written anything
    thread.join(30)
    assert not thread.is_alive() and "error" not in outcome, outcome
    assert (outcome["result"].new_version, outcome["result"].written) == (
        "0.1.1",
        ["datapackage.json", "CITATION.cff", "CHANGELOG.md"],
    )
    assert descriptor(repo)["version"] == "0.1.1"


def test_bump_gives_up_when_the_lock_stays_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo")
    add_row(repo)
    before = release_files(repo)
    monkeypatch.setattr(semver, "locked", lambda folder: writing.locked(folder, timeout=0.2))
    with writing.locked(repo):
        result = CliRunner().invoke(main, ["release", str(repo), "--bump"])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {repo}: another surveillance-ties command has been changing this package for 0 s; "
        "wait for it to finish, then run the command again\n",
    )
    assert release_files(repo) == before


def test_a_failed_write_leaves_the_files_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo")
    add_row(repo)
    before = release_files(repo)
    moves = disk_full(monkeypatch)
    with pytest.raises(WriteError) as excinfo:
        bump(repo, today=dt.date(2026, 12, 1))
    assert str(excinfo.value) == f"{repo / 'datapackage.json'}: {DISK_FULL}"
    assert moves == [repo / "datapackage.json"]
    assert release_files(repo) == before  # the old file whole, and no temporary file left beside it
    result = CliRunner().invoke(main, ["release", str(repo), "--bump"])
    assert (result.exit_code, result.output) == (2, f"Error: {excinfo.value}\n")
    assert release_files(repo) == before

    monkeypatch.undo()  # the disk has room again
    assert bump(repo, today=dt.date(2026, 12, 1)).written == [
        "datapackage.json",
        "CITATION.cff",
        "CHANGELOG.md",
    ]
    assert release_files(repo)["entries"] == before["entries"]
