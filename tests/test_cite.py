"""`surveillance-ties cite`: a citation taken from the archived text, with the next free id."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveillance_ties.cli import main
from surveillance_ties.curation.cite import CiteError, cite
from surveillance_ties.validation import validate

from .conftest import copy_package, read_rows, with_claims

ARTICLE = "techcrunch-2026-02-13-ring-cancels-flock-partnership"
SEED = "seeds/000_0181fdb78757befa.txt"


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def rows(pkg: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((pkg / "data/citations.csv").read_text(encoding="utf-8"))))


def snapshot(pkg: Path) -> dict[str, bytes]:
    return {str(p.relative_to(pkg)): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}


def test_words_cite_their_whole_sentence_as_the_archive_writes_it(pkg: Path) -> None:
    before = rows(pkg)
    made = cite("organizations", "axon", ARTICLE, words="a company similar to", path=pkg)
    assert (made.citation_id, made.written) == ("axon-2", ["data/citations.csv", "datapackage.json"])
    assert made.quote == (
        "The company accomplishes this in part through a [partnership](https://www.axon.com/blog/building-safer-"
        "communities-together-axon-and-ring) with Axon, a company similar to Flock."
    )
    after = rows(pkg)
    new = [r for r in after if r not in before]
    assert new == [
        {
            "citation_id": "axon-2",
            "record_table": "organizations",
            "record_id": "axon",
            "field": "",
            "source_id": ARTICLE,
            "quote": made.quote,
        }
    ]
    assert [r for r in after if r in before] == before  # every other row as it was, in its order
    assert [r["citation_id"] for r in after] == sorted(r["citation_id"] for r in after)
    assert validate(pkg).valid


def test_an_exact_quote_is_stored_with_the_archives_own_characters(pkg: Path) -> None:
    made = cite(
        "partnerships",
        "flock-safety-ice-network-access",
        "404media-ice-secret-service-navy-access-to-flock",
        quote="Flock's  footage has been\nused by Immigration",
        field="status",
        path=pkg,
    )
    assert (made.citation_id, made.quote) == (
        "flock-safety-ice-network-access-3",
        "Flock’s footage has been used by Immigration",
    )
    [row] = [r for r in rows(pkg) if r["citation_id"] == made.citation_id]
    assert (row["field"], row["source_id"]) == ("status", "404media-ice-secret-service-navy-access-to-flock")
    assert validate(pkg).valid


def test_the_first_citation_of_a_record_and_a_gap_in_the_numbers(pkg: Path) -> None:
    path = pkg / "data/citations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\naxon-1,", "\naxon-7,"), encoding="utf-8")
    made = cite("organizations", "axon", ARTICLE, quote="a company similar to Flock", path=pkg)
    assert made.citation_id == "axon-8"


def test_cli_output(pkg: Path) -> None:
    result = CliRunner().invoke(
        main, ["cite", "features", "ring-search-party", ARTICLE, "--words", "lost dogs", "--path", str(pkg)]
    )
    assert (result.exit_code, result.output) == (
        0,
        "added citation ring-search-party-5: “This news comes less than a week after [Ring’s Super Bowl ad]"
        "(https://www.youtube.com/watch?v=OheUzrXsKrY) aired, which showed how its AI-powered Search Party "
        "feature could use a network of neighborhood cameras to find lost dogs.”\n"
        "wrote data/citations.csv\nwrote datapackage.json\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["organizations", "axon", ARTICLE, "--quote", "a company like Flock"],
            f'"a company like Flock" is not in the archived text of {ARTICLE} ({SEED}): after "a company " the '
            'text has "similar to Floc…" where you have "like Flock"; copy the passage as the text has it',
        ),
        (
            ["organizations", "axon", ARTICLE, "--words", "zebra crossing"],
            f'"zebra crossing" is not in the archived text of {ARTICLE} ({SEED}): not even its first words are there',
        ),
        (
            ["organizations", "axon", ARTICLE, "--words", "mass surveillance"],
            f'"mass surveillance" occurs 2 times in the archived text of {ARTICLE} ({SEED}); give more of the '
            "passage, so that it occurs once; it is in: \"…roversy over the company's capacity for mass "
            'surveillance." --- Ring, the Amazon-owned home secur…"; "… especially cognizant of the dangers of '
            'mass surveillance. ICE uses this same type of [facial rec…"',
        ),
        (
            ["organizations", "axn", ARTICLE, "--words", "Axon"],
            "organizations has no record 'axn' (did you mean axon?); add the record first",
        ),
        (
            ["organisations", "axon", ARTICLE, "--words", "Axon"],
            "'organisations' is not a cited table; cite a record of organizations, partnerships, features, "
            "regulatory_actions (did you mean organizations?)",
        ),
        (
            ["organizations", "axon", ARTICLE, "--words", "Axon", "--field", "nmae"],
            "organizations has no field 'nmae' (did you mean name?); leave --field out to cite the whole record",
        ),
        (
            ["organizations", "axon", "techcrunch-2026-02-13", "--words", "Axon"],
            "data/sources.csv has no source 'techcrunch-2026-02-13'; add it first",
        ),
        (
            ["organizations", "axon", ARTICLE, "--words", "Axon", "--quote", "Axon"],
            "give either the exact quote (--quote) or a few words of it (--words), not both",
        ),
    ],
)
def test_refusals_write_nothing(pkg: Path, args: list[str], message: str) -> None:
    before = snapshot(pkg)
    result = CliRunner().invoke(main, ["cite", *args, "--path", str(pkg)])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert snapshot(pkg) == before
    with pytest.raises(CiteError):
        kwargs = {
            "quote" if "--quote" in args else "words": args[
                args.index("--quote" if "--quote" in args else "--words") + 1
            ]
        }
        if "--quote" in args and "--words" in args:
            kwargs = {"quote": "Axon", "words": "Axon"}
        field = args[args.index("--field") + 1] if "--field" in args else None
        cite(args[0], args[1], args[2], field=field, path=pkg, **kwargs)  # type: ignore[arg-type]


# -- whose claim the quote carries --------------------------------------------------------------


def test_claim_and_claimant_are_stored_in_their_columns(pkg: Path) -> None:
    with_claims(pkg)
    made = cite(
        "partnerships",
        "flock-safety-ice-network-access",
        "flock-safety-blog-does-flock-share-data-with-ice",
        words="does not explicitly",
        field="status",
        claim="party_statement",
        claimant="flock-safety",
        path=pkg,
    )
    [row] = [r for r in rows(pkg) if r["citation_id"] == made.citation_id]
    assert row == {
        "citation_id": "flock-safety-ice-network-access-3",
        "record_table": "partnerships",
        "record_id": "flock-safety-ice-network-access",
        "field": "status",
        "source_id": "flock-safety-blog-does-flock-share-data-with-ice",
        "claim": "party_statement",
        "claimant_org_id": "flock-safety",
        "quote": "(Flock maintains that it [does not explicitly](https://www.flocksafety.com/blog/does-flock-"
        "share-data-with-ice) work with ICE.)",
    }
    assert validate(pkg).valid


def test_the_cli_passes_the_claim_on(pkg: Path) -> None:
    with_claims(pkg)
    result = CliRunner().invoke(
        main,
        ["cite", "organizations", "axon", ARTICLE, "--quote", "a company similar to Flock",
         "--claim", "own_reporting", "--path", str(pkg)],
    )  # fmt: skip
    assert (result.exit_code, result.output) == (
        0,
        "added citation axon-2: “a company similar to Flock”\nwrote data/citations.csv\nwrote datapackage.json\n",
    )
    [row] = [r for r in read_rows("citations", pkg) if r["citation_id"] == "axon-2"]
    assert (row["claim"], row["claimant_org_id"]) == ("own_reporting", "")


KINDS = "own_reporting, party_statement, other_outlet, linked_url"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], f"give --claim, whose claim the quote carries: one of {KINDS} (see DATA.md)"),
        (
            ["--claim", "own-reporting"],
            f"--claim 'own-reporting' is not one of {KINDS} (did you mean own_reporting?)",
        ),
        (
            ["--claim", "own_reporting", "--claimant", "axon"],
            "--claimant names the party whose statement the quote carries; it goes with --claim party_statement only",
        ),
        (
            ["--claim", "party_statement", "--claimant", "axn"],
            "organizations has no record 'axn' (did you mean axon?); add the organization first, or leave "
            "--claimant out when the party is not one",
        ),
    ],
)
def test_a_missing_or_wrong_claim_writes_nothing(pkg: Path, options: list[str], message: str) -> None:
    with_claims(pkg)
    before = snapshot(pkg)
    result = CliRunner().invoke(
        main,
        ["cite", "organizations", "axon", ARTICLE, "--words", "similar to", *options, "--path", str(pkg)],
    )
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert snapshot(pkg) == before


def test_a_claim_for_citations_without_the_column_is_refused(pkg: Path) -> None:
    before = snapshot(pkg)
    with pytest.raises(CiteError) as info:
        cite("organizations", "axon", ARTICLE, words="similar to", claim="own_reporting", path=pkg)
    assert str(info.value) == "data/citations.csv has no claim field; leave --claim and --claimant out"
    assert snapshot(pkg) == before
