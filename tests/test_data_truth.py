"""The truth rules of the curated tables (issue 2): citations, verbatim quotes, dates, IDs, descriptions."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import pytest

from surveillance_ties.dates import bounds
from surveillance_ties.provenance import fold, quote_in_text

from .conftest import CITED_TABLES, ROOT, read_schema

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SEED = "seeds/000_0181fdb78757befa.txt"
# sha256 of the seed article as delivered in shared/seeds: the archive must stay byte for byte.
SEED_SHA256 = "11e6d3e96852384e654bf0d1582e9e314b0757aefe4a820cf3d27cc5e8ef381a"


def primary_key(table: str) -> str:
    return read_schema(table)["primaryKey"][0]


def date_fields(table: str) -> list[str]:
    return [f["name"] for f in read_schema(table)["fields"] if "YYYY" in f.get("description", "")]


def test_seed_is_the_delivered_article_byte_for_byte() -> None:
    assert hashlib.sha256((ROOT / SEED).read_bytes()).hexdigest() == SEED_SHA256


@pytest.mark.parametrize("table", CITED_TABLES)
def test_every_record_has_a_citation(tables, table) -> None:
    cited = {c["record_id"] for c in tables["citations"] if c["table"] == table}
    ids = [row[primary_key(table)] for row in tables[table]]
    assert [i for i in ids if i not in cited] == []


def test_every_citation_points_at_an_existing_record_and_field(tables) -> None:
    problems = []
    for c in tables["citations"]:
        ids = {row[primary_key(c["table"])] for row in tables[c["table"]]}
        fields = {f["name"] for f in read_schema(c["table"])["fields"]}
        if c["record_id"] not in ids:
            problems.append((c["citation_id"], "record", c["record_id"]))
        if c["field"] and c["field"] not in fields:
            problems.append((c["citation_id"], "field", c["field"]))
    assert problems == []


def archived_text(tables, source_id: str) -> str:
    """The archived text a quote from ``source_id`` is checked against (its own, or its citer's)."""
    sources = {s["source_id"]: s for s in tables["sources"]}
    source = sources[source_id]
    if not source["archive_path"]:
        source = sources[source["cited_by"]]
    return (ROOT / source["archive_path"]).read_text(encoding="utf-8")


def test_every_quote_is_verbatim_in_the_archived_text(tables) -> None:
    missing = [
        c["citation_id"]
        for c in tables["citations"]
        if not quote_in_text(c["quote"], archived_text(tables, c["source_id"]))
    ]
    assert missing == []


def test_quote_folding_folds_only_white_space_and_curly_quotes() -> None:
    assert fold("a \n\t “b” ‘c’") == "a \"b\" 'c'"
    assert quote_in_text("Ring’s  Super\nBowl ad", "[Ring's Super Bowl ad](x)")
    assert not quote_in_text("ring's super bowl ad", "[Ring's Super Bowl ad](x)")  # no case folding
    assert not quote_in_text("Rings Super Bowl ad", "[Ring's Super Bowl ad](x)")
    assert not quote_in_text("   ", "anything")


def test_sources_are_archived_or_cited_by_an_archived_source(tables) -> None:
    sources = {s["source_id"]: s for s in tables["sources"]}
    for s in sources.values():
        if s["archive_path"]:
            assert s["cited_by"] == "", s["source_id"]
            assert s["archive_path"].startswith("seeds/") and (ROOT / s["archive_path"]).is_file()
        else:
            assert sources[s["cited_by"]]["archive_path"] != "", s["source_id"]
            # A linked source is a link of its citing article: its URL occurs in that archived text.
            assert s["url"] in archived_text(tables, s["source_id"]), s["source_id"]


def test_every_source_backs_a_record(tables) -> None:
    used = {c["source_id"] for c in tables["citations"]}
    assert sorted(s["source_id"] for s in tables["sources"] if s["source_id"] not in used) == []


@pytest.mark.parametrize("table", CITED_TABLES + ["sources"])
def test_dates_are_real_partial_dates(tables, table) -> None:
    bad = []
    for row in tables[table]:
        for field in date_fields(table):
            if row[field]:
                try:
                    bounds(row[field])
                except ValueError:
                    bad.append((row[primary_key(table)], field, row[field]))
    assert bad == []


@pytest.mark.parametrize("table", CITED_TABLES)
def test_every_date_has_its_own_citation_and_says_how_it_was_derived(tables, table) -> None:
    """A date needs a citation on that field, and the record's notes name the field or the
    date appears as written in the quote (an ISO date, or a URL path date such as 2025/10/16)."""
    by_field = defaultdict(list)
    for c in tables["citations"]:
        by_field[(c["table"], c["record_id"], c["field"])].append(c["quote"])
    problems = []
    for row in tables[table]:
        rid = row[primary_key(table)]
        for field in date_fields(table):
            value = row[field]
            if not value:
                continue
            quotes = by_field[(table, rid, field)]
            literal = any(value in q or value.replace("-", "/") in q for q in quotes)
            if not quotes or not (literal or f"{field}:" in row["notes"] or field in row["notes"]):
                problems.append((rid, field, value))
    assert problems == []


def test_end_dates_do_not_precede_start_dates(tables) -> None:
    for row in tables["partnerships"]:
        if row["announced"] and row["ended"]:
            assert bounds(row["announced"])[0] <= bounds(row["ended"])[1], row["partnership_id"]


def test_status_and_end_date_agree(tables) -> None:
    for row in tables["partnerships"]:
        if row["status"] in {"ended", "cancelled"}:
            assert row["ended"], row["partnership_id"]
        if row["status"] in {"active", "announced"}:
            assert not row["ended"], row["partnership_id"]


def test_disputed_ties_cite_both_sides(tables) -> None:
    for row in tables["partnerships"]:
        if row["status"] == "disputed":
            sources = {
                c["source_id"]
                for c in tables["citations"]
                if c["table"] == "partnerships" and c["record_id"] == row["partnership_id"]
            }
            assert len(sources) >= 2, row["partnership_id"]


def test_ids_are_stable_slugs_and_unique(tables) -> None:
    for name, rows in tables.items():
        key = read_schema(name)["primaryKey"][0]
        ids = [r[key] for r in rows]
        assert [i for i in ids if not SLUG.match(i)] == [], name
        assert len(ids) == len(set(ids)), name


@pytest.mark.parametrize("table", CITED_TABLES)
def test_descriptions_are_one_or_two_neutral_sentences(tables, table) -> None:
    for row in tables[table]:
        text = row["description"]
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s]
        assert 1 <= len(sentences) <= 2, (row[primary_key(table)], text)
        assert text.endswith("."), text
        assert not re.search(r"!|\b(shocking|notorious|infamous|creepy|dystopian)\b", text, re.I), text


def test_descriptions_are_not_copied_from_the_article(tables) -> None:
    """Own words: no description shares a run of 8 or more words with the archived article."""
    article = fold((ROOT / SEED).read_text(encoding="utf-8")).lower()
    words = re.findall(r"[a-z0-9']+", article)
    grams = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    for table in CITED_TABLES:
        for row in tables[table]:
            w = re.findall(r"[a-z0-9']+", fold(row["description"]).lower())
            copied = [" ".join(w[i : i + 8]) for i in range(len(w) - 7) if " ".join(w[i : i + 8]) in grams]
            assert copied == [], (table, row[primary_key(table)], copied)
