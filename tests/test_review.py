"""``review`` (issue 11): the Markdown review of a data pull request, for its job summary.

A throwaway git repository holds two commits of a copy of the fixture package: the second adds an
organization with its citation and corrects a partnership's description with a new citation on
that field. The review of the second against the first is pinned whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.datapackage import PackageError
from surveillance_ties.release.review import review

from .conftest import RELEASE_PARTS, copy_package
from .release_fixtures import edit_descriptor, edit_schema, field, git, read_csv, row, write_csv

ARTICLE = "techcrunch-2026-02-13-ring-cancels-flock-partnership"
ARTICLE_URL = (
    "https://techcrunch.com/2026/02/13/"
    "amazons-ring-cancels-partnership-with-flock-a-network-of-ai-cameras-used-by-ice-feds-and-police/"
)
REPORT_404 = "404media-ice-secret-service-navy-access-to-flock"
REPORT_404_URL = (
    "https://www.404media.co/ice-secret-service-navy-all-had-access-to-flocks-nationwide-network-of-cameras/"
)
NAVY_QUOTE = (
    f"As reported by [404 Media]({REPORT_404_URL}), Flock’s footage has been used by Immigration and "
    "Customs Enforcement (ICE), the Secret Service, and the Navy, which all have had access to Flock’s "
    "tens of thousands of AI-enabled cameras."
)
OLD_DESCRIPTION = (
    "404 Media reported that the Navy has had access to Flock's camera network and used its footage."
)
NEW_DESCRIPTION = (
    "404 Media reported that the Navy has had access to Flock's tens of thousands of AI-enabled cameras "
    "and used their footage."
)
ORGANIZATION = [
    "404-media",
    "404 Media",
    "",
    "company",
    "",
    "",
    "News outlet that reported that ICE, the Secret Service and the Navy had access to Flock's cameras.",
    "",
]
ORGANIZATION_QUOTE = f"As reported by [404 Media]({REPORT_404_URL})"
FIELD_QUOTE = "the Navy, which all have had access to Flock’s tens of thousands of AI-enabled cameras"


def insert_sorted(rows: list[list[str]], new: list[str]) -> None:
    """Insert ``new`` among the data rows (after the header) in the order of their first cell."""
    at = next((i for i, r in enumerate(rows[1:], 1) if r[0] > new[0]), len(rows))
    rows.insert(at, new)


def edit(root: Path, table: str, change: Callable[[list[list[str]]], object]) -> None:
    """Apply ``change`` to the rows (header first) of ``data/<table>.csv``."""
    path = root / "data" / f"{table}.csv"
    rows = read_csv(path)
    change(rows)
    write_csv(path, rows)


def pull_request(root: Path, quote: str = ORGANIZATION_QUOTE) -> str:
    """A repository whose first commit is the fixture and whose HEAD is the change; the first sha."""
    copy_package(root, RELEASE_PARTS)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the fixture")
    first = git(root, "rev-parse", "HEAD").strip()
    edit(root, "organizations", lambda rows: insert_sorted(rows, ORGANIZATION))

    def partnership(rows: list[list[str]]) -> None:
        navy = row(rows, "flock-safety-navy-network-access")
        assert navy[7] == OLD_DESCRIPTION
        navy[7] = NEW_DESCRIPTION

    edit(root, "partnerships", partnership)

    def citations(rows: list[list[str]]) -> None:
        insert_sorted(rows, ["404-media-1", "organizations", "404-media", "", ARTICLE, quote])
        insert_sorted(
            rows,
            [
                "flock-safety-navy-network-access-2",
                "partnerships",
                "flock-safety-navy-network-access",
                "description",
                ARTICLE,
                FIELD_QUOTE,
            ],
        )

    edit(root, "citations", citations)
    git(root, "commit", "-q", "-am", "404 Media; the Navy's access")
    return first


def expected(first: str, head: str) -> str:
    return "\n".join(
        [
            f"### Data review: `{first}` → `{head}`",
            "",
            "**Version:** 0.1.0 -> 0.1.0: the changes need a minor release (0.1.1); "
            "the pull request's version 0.1.0 is not enough.",
            "",
            "- minor needed: organizations: 1 row added (404-media)",
            "- patch needed: partnerships: 1 row changed (flock-safety-navy-network-access)",
            "- minor needed: citations: 2 rows added (404-media-1, flock-safety-navy-network-access-2)",
            "",
            "#### Data",
            "",
            "**`organizations`**: 1 row added, 0 removed, 0 changed",
            "",
            "Added:",
            "",
            "| record | field | value |",
            "|---|---|---|",
            "| `404-media` | `name` | `404 Media` |",
            "| `404-media` | `org_type` | `company` |",
            "| `404-media` | `description` | `News outlet that reported that ICE, the Secret Service and the "
            "Navy had access to Flock's cameras.` |",
            "",
            "**`partnerships`**: 0 rows added, 0 removed, 1 changed",
            "",
            "Changed:",
            "",
            "| record | field | old | new |",
            "|---|---|---|---|",
            f"| `flock-safety-navy-network-access` | `description` | `{OLD_DESCRIPTION}` "
            f"| `{NEW_DESCRIPTION}` |",
            "",
            "**`citations`**: 2 rows added, 0 removed, 0 changed",
            "",
            "The citations added and changed are shown under the records they back.",
            "",
            "Unchanged: `features`, `regulatory_actions`, `sources`.",
            "",
            "#### Quotes",
            "",
            "**`organizations` `404-media`** (added)",
            "",
            "| citation | field | source | quote |",
            "|---|---|---|---|",
            f"| `404-media-1` (new) | *(whole record)* | `{ARTICLE}` {ARTICLE_URL} "
            f"| `{ORGANIZATION_QUOTE}` |",
            "",
            "**`partnerships` `flock-safety-navy-network-access`** (changed: `description`)",
            "",
            "| citation | field | source | quote |",
            "|---|---|---|---|",
            f"| `flock-safety-navy-network-access-1` | *(whole record)* | `{REPORT_404}` {REPORT_404_URL} "
            f"| `{NAVY_QUOTE}` |",
            f"| `flock-safety-navy-network-access-2` (new) | `description` | `{ARTICLE}` {ARTICLE_URL} "
            f"| `{FIELD_QUOTE}` |",
            "",
        ]
    )


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    return root, pull_request(root)


def test_review_of_a_pull_request(repo: tuple[Path, str]) -> None:
    root, first = repo
    assert review(first, str(root), base_dir=root) == expected(first, str(root))


def test_review_command_writes_the_report(repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    root, first = repo
    result = CliRunner().invoke(main, ["review", first, str(root)])  # from another folder
    assert (result.exit_code, result.output) == (0, expected(first, str(root)))
    monkeypatch.chdir(root / "data")  # without PATH: the package around the current folder
    result = CliRunner().invoke(main, ["review", first])
    assert (result.exit_code, result.output) == (0, expected(first, str(root)))


def test_review_of_no_change(repo: tuple[Path, str]) -> None:
    root, _ = repo
    assert review("HEAD", str(root), base_dir=root) == (
        f"### Data review: `HEAD` → `{root}`\n"
        "\n"
        "**Version:** 0.1.0 -> 0.1.0: the changes need no new release; "
        "the pull request's version 0.1.0 is enough.\n"
        "\n"
        "No changes to the data, the schemas or the metadata.\n"
    )


@pytest.mark.parametrize(
    ("version", "line"),
    [
        # before 1.0.0 a minor change bumps the patch number: 0.1.1 is enough
        ("0.1.1", "the changes need a minor release (0.1.1); the pull request's version 0.1.1 is enough."),
        ("0.2.0", "the changes need a minor release (0.1.1); the pull request's version 0.2.0 is enough."),
        ("1.0.0", "the changes need a minor release (0.1.1); the pull request's version 1.0.0 is enough."),
        (
            "0.0.9",
            "the changes need a minor release (0.1.1); the version went backwards, from 0.1.0 to 0.0.9.",
        ),
        ("next", "cannot say which release the changes need: HEAD: version 'next' is not MAJOR.MINOR.PATCH "
         "(such as 0.1.0)."),
    ],
)  # fmt: skip
def test_version_line_says_whether_the_version_is_enough(
    repo: tuple[Path, str], version: str, line: str
) -> None:
    root, first = repo
    edit_descriptor(root, lambda d: d.update(version=version))
    git(root, "commit", "-q", "-am", f"version {version}")
    lines = review(first, "HEAD", base_dir=root).splitlines()
    assert lines[2] == f"**Version:** 0.1.0 -> {version}: {line}"
    reasons = [item for item in lines[3:8] if item.startswith("- ")]
    assert reasons == []  # a version that is enough lists no missing bump


def test_a_hostile_quote_is_shown_escaped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    first = pull_request(root, quote="Ring | Flock `code` <script>alert(1)</script> &amp;\nnext")
    lines = review(first, str(root), base_dir=root).splitlines()
    [cell] = [line for line in lines if line.startswith("| `404-media-1` (new)")]
    assert cell == (
        f"| `404-media-1` (new) | *(whole record)* | `{ARTICLE}` {ARTICLE_URL} "
        "| ``Ring \\| Flock `code` <script>alert(1)</script> &amp; next`` |"
    )


def test_a_hostile_url_is_shown_escaped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    first = pull_request(root)
    url = "https://example.org/<img src=x onerror=alert(1)>|`"

    def sources(rows: list[list[str]]) -> None:
        row(rows, ARTICLE)[7] = url

    edit(root, "sources", sources)
    git(root, "commit", "-q", "-am", "a hostile url")
    lines = review(first, str(root), base_dir=root).splitlines()
    shown = url.replace("|", "\\|")  # a code span in a table cell
    assert (
        f"| `{ARTICLE}` | `url` | `{ARTICLE_URL}` | `` {shown} `` |" in lines
    )  # padded: it ends with a backtick
    assert (
        f"| `404-media-1` (new) | *(whole record)* | `{ARTICLE}` https://example.org/&lt;img src=x "
        f"onerror=alert(1)>\\|` | `{ORGANIZATION_QUOTE}` |"
    ) in lines


def test_a_removed_citation_is_listed_with_its_quote(repo: tuple[Path, str]) -> None:
    root, first = repo
    edit(root, "citations", lambda rows: rows.remove(row(rows, "navy-1")))
    git(root, "commit", "-q", "-am", "no navy-1")
    lines = review(first, str(root), base_dir=root).splitlines()
    start = lines.index("**`citations`**: 2 rows added, 1 removed, 0 changed")
    assert lines[start : start + 9] == [
        "**`citations`**: 2 rows added, 1 removed, 0 changed",
        "",
        "The citations added and changed are shown under the records they back.",
        "",
        "Removed:",
        "",
        "| citation | record | field | source | quote |",
        "|---|---|---|---|---|",
        f"| `navy-1` | `organizations` `navy` | *(whole record)* | `{ARTICLE}` "
        "| `and the Navy, which all have had access to Flock’s tens of thousands of AI-enabled cameras` |",
    ]


def test_a_changed_citation_shows_its_old_value_under_its_record(repo: tuple[Path, str]) -> None:
    root, first = repo

    def shorter(rows: list[list[str]]) -> None:
        row(rows, "navy-1")[5] = "the Navy"

    edit(root, "citations", shorter)
    git(root, "commit", "-q", "-am", "a shorter quote")
    text = review(first, str(root), base_dir=root)
    assert "- patch needed: citations: 1 row changed (navy-1)\n" in text
    assert "**`citations`**: 2 rows added, 0 removed, 1 changed\n" in text
    # after the added organization, before the partnership: cited tables in the order of the enum
    assert (
        f"| `{ORGANIZATION_QUOTE}` |\n"
        "\n"
        "**`organizations` `navy`** (its citations changed)\n"
        "\n"
        "| citation | field | source | quote |\n"
        "|---|---|---|---|\n"
        "| `navy-1` (changed: `quote` was `and the Navy, which all have had access to Flock’s tens of "
        f"thousands of AI-enabled cameras`) | *(whole record)* | `{ARTICLE}` {ARTICLE_URL} | `the Navy` |\n"
        "\n"
        "**`partnerships` `flock-safety-navy-network-access`** (changed: `description`)\n"
    ) in text


def test_long_lists_stop_and_say_how_many_are_left_out(repo: tuple[Path, str]) -> None:
    root, first = repo
    lines = review(first, str(root), base_dir=root, max_rows=1).splitlines()
    assert lines[4:7] == ["- minor needed: organizations: 1 row added (404-media)", "- … and 2 more", ""]
    assert lines[-7:] == [
        "**`organizations` `404-media`** (added)",
        "",
        "| citation | field | source | quote |",
        "|---|---|---|---|",
        f"| `404-media-1` (new) | *(whole record)* | `{ARTICLE}` {ARTICLE_URL} | `{ORGANIZATION_QUOTE}` |",
        "",
        "… and 1 more record whose quotes are left out.",
    ]


def test_a_record_with_many_citations_shows_the_first(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "repo", RELEASE_PARTS)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the fixture")

    def rename(rows: list[list[str]]) -> None:
        row(rows, "ring")[1] = "Ring LLC"

    edit(root, "organizations", rename)
    lines = review("HEAD", str(root), base_dir=root, max_rows=1).splitlines()
    assert lines[lines.index("#### Quotes") :] == [
        "#### Quotes",
        "",
        "**`organizations` `ring`** (changed: `name`)",
        "",
        "| citation | field | source | quote |",
        "|---|---|---|---|",
        f"| `ring-1` | *(whole record)* | `{ARTICLE}` {ARTICLE_URL} "
        "| `Ring, the Amazon-owned home security company` |",
        "| … and 1 more citation | | | |",
    ]


def test_without_a_citations_table_the_review_says_so(repo: tuple[Path, str]) -> None:
    root, first = repo
    edit_schema(root, "citations", lambda schema: field(schema, "record_table")["constraints"].pop("enum"))
    text = review(first, str(root), base_dir=root)
    assert "- schema: field record_table: constraint enum loosened (" in text
    assert text.endswith(
        "#### Quotes\n"
        "\n"
        "The package has no citations table (a table with a `record_table` field that has an `enum` of the "
        "cited tables): no quotes to show.\n"
    )


def test_a_copy_that_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_package(tmp_path / "package", RELEASE_PARTS)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["review", "no-such-revision"])
    assert (result.exit_code, result.output) == (
        2,
        "Error: no-such-revision: no such file, folder or git revision; give a package folder, its "
        "datapackage.json, a release zip, or an https:// URL of one or a revision such as HEAD~1 or v0.1.0\n",
    )
    with pytest.raises(PackageError):
        review("no-such-revision", str(root), base_dir=root)


def test_a_table_that_does_not_fit_its_schema_is_reported_not_raised(repo: tuple[Path, str]) -> None:
    root, first = repo
    path = root / "data" / "partnerships.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("partnership_id,", "id,", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["review", first, str(root)])
    assert (result.exit_code, result.output) == (
        0,
        f"### Data review: `{first}` → `{root}`\n"
        "\n"
        f"The data cannot be compared: {path}: the header does not match the fields of its Table Schema "
        "(missing partnership_id); expected: "
        "partnership_id,org_id,partner_org_id,relationship_type,status,announced,ended,description,notes\n",
    )


def test_a_citation_moved_to_another_record_is_shown_under_it(repo: tuple[Path, str]) -> None:
    root, first = repo

    def move(rows: list[list[str]]) -> None:
        row(rows, "secret-service-1")[2] = "ice"

    edit(root, "citations", move)
    git(root, "commit", "-q", "-am", "a moved citation")
    lines = review(first, str(root), base_dir=root).splitlines()
    start = lines.index("**`organizations` `ice`** (its citations changed)")
    assert lines[start : start + 6] == [
        "**`organizations` `ice`** (its citations changed)",
        "",
        "| citation | field | source | quote |",
        "|---|---|---|---|",
        f"| `ice-1` | *(whole record)* | `{ARTICLE}` {ARTICLE_URL} "
        "| `Immigration and Customs Enforcement (ICE)` |",
        f"| `secret-service-1` (changed: `record_id` was `secret-service`) | *(whole record)* | `{ARTICLE}` "
        f"{ARTICLE_URL} | `the Secret Service` |",
    ]


def test_a_long_report_is_cut_at_a_line_end_and_says_so(
    repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, first = repo
    whole = review(first, str(root), base_dir=root)
    monkeypatch.setattr("surveillance_ties.release.review.MARKDOWN_LIMIT", 1500)
    cut = review(first, str(root), base_dir=root)
    kept = whole[: whole.rfind("\n", 0, 1300) + 1]
    assert len(cut) <= 1500
    assert cut == (
        kept + f"\n*(truncated: {whole.count(chr(10)) - kept.count(chr(10))} more lines left out; run "
        "`surveillance-ties review` locally for the whole report)*\n"
    )
