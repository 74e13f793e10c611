"""The live data, tested by rules that hold for any valid set of records.

None of these tests pins a count, an order, a line number or a value of the live tables: a
contributor who adds a valid, cited record keeps them green. Some rules repeat what the
validator checks, written here independently in a few lines of plain Python, so that a bug in
the validator cannot hide a false record. Specific curated facts are pinned in
``test_live_facts.py``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from surveillance_ties.datapackage import dumps
from surveillance_ties.datapackage.text import fold, quote_in_text
from surveillance_ties.loading.dates import bounds

from .conftest import ROOT, descriptor, live_report, read_rows, read_schema, resource_names

pytestmark = pytest.mark.live_data

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _names() -> list[str]:
    try:
        return resource_names(ROOT)
    except (OSError, ValueError, KeyError, TypeError):  # an unreadable descriptor: the gate says why
        return []


NAMES = _names()


@cache
def tables() -> dict[str, list[dict[str, str]]]:
    return {name: read_rows(name, ROOT) for name in NAMES}


@cache
def schema(name: str) -> dict[str, Any]:
    return read_schema(name, ROOT)


def cited_tables() -> list[str]:
    try:
        field = next(f for f in schema("citations")["fields"] if f["name"] == "record_table")
        return list(field["constraints"]["enum"])
    except (OSError, ValueError, KeyError, TypeError, StopIteration):  # the gate says why
        return []


def key(table: str) -> str:
    return str(schema(table)["primaryKey"][0]) if isinstance(schema(table)["primaryKey"], list) else ""


def date_fields(table: str) -> list[str]:
    return [f["name"] for f in schema(table)["fields"] if "YYYY" in f.get("description", "")]


def archived_text(source_id: str) -> str:
    """The archived text a quote from ``source_id`` is checked against (its own, or its citer's)."""
    sources = {s["source_id"]: s for s in tables()["sources"]}
    source = sources[source_id]
    if not source["archive_path"]:
        source = sources[source["cited_by"]]
    return (ROOT / source["archive_path"]).read_text(encoding="utf-8")


# -- the gates -------------------------------------------------------------------------------


def test_the_validator_passes() -> None:
    valid, text = live_report()
    assert valid, text


def test_stock_frictionless_passes() -> None:
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package(str(ROOT / "datapackage.json")).validate()
    assert report.flatten(["resourceName", "rowNumber", "fieldName", "type"]) == []
    assert [task.name for task in report.tasks] == NAMES


def test_the_descriptor_is_in_its_canonical_form() -> None:
    text = (ROOT / "datapackage.json").read_text(encoding="utf-8")
    assert text == dumps(descriptor(ROOT)), "run `surveillance-ties format`"


def test_version_citation_and_changelog_agree() -> None:
    version = descriptor(ROOT)["version"]
    assert re.search(rf"^version: {re.escape(version)}$", (ROOT / "CITATION.cff").read_text(), re.M)
    assert re.search(rf"^## \[{re.escape(version)}\]", (ROOT / "CHANGELOG.md").read_text(), re.M)


def test_every_table_declares_the_dialect_it_is_written_in() -> None:
    """Clients that sniff a CSV file's dialect guess wrong on some tables (the JavaScript
    ``datapackage`` client and Python's ``csv.Sniffer`` take a space for the delimiter of
    ``sources.csv``): every resource says how its file is written, as ``format`` writes it."""
    expected = {
        "delimiter": ",",
        "quoteChar": '"',
        "doubleQuote": True,
        "header": True,
        "lineTerminator": "\n",
    }
    assert {r["name"]: r.get("dialect") for r in descriptor(ROOT)["resources"]} == {
        n: expected for n in NAMES
    }


# -- provenance --------------------------------------------------------------------------------


@pytest.mark.parametrize("table", cited_tables())
def test_every_record_has_a_citation(table: str) -> None:
    cited = {c["record_id"] for c in tables()["citations"] if c["record_table"] == table}
    assert [r[key(table)] for r in tables()[table] if r[key(table)] not in cited] == []


def test_every_citation_points_at_an_existing_record_and_field() -> None:
    problems = []
    for c in tables()["citations"]:
        table = c["record_table"]
        ids = {row[key(table)] for row in tables()[table]}
        fields = {f["name"] for f in schema(table)["fields"]}
        if c["record_id"] not in ids:
            problems.append((c["citation_id"], "record", c["record_id"]))
        if c["field"] and c["field"] not in fields:
            problems.append((c["citation_id"], "field", c["field"]))
    assert problems == []


def test_every_quote_is_verbatim_in_the_archived_text() -> None:
    missing = [
        c["citation_id"]
        for c in tables()["citations"]
        if not quote_in_text(c["quote"], archived_text(c["source_id"]))
    ]
    assert missing == []


def test_sources_are_archived_or_linked_from_an_archived_source() -> None:
    sources = {s["source_id"]: s for s in tables()["sources"]}
    for s in sources.values():
        if s["archive_path"]:
            assert s["cited_by"] == "", s["source_id"]
            assert s["archive_path"].startswith("seeds/") and (ROOT / s["archive_path"]).is_file()
        else:
            assert sources[s["cited_by"]]["archive_path"] != "", s["source_id"]
            # a linked source is a link of its citing article: its URL occurs in that archived text
            assert s["url"] in archived_text(s["source_id"]), s["source_id"]


def test_every_source_backs_a_record() -> None:
    used = {c["source_id"] for c in tables()["citations"]}
    assert [s["source_id"] for s in tables()["sources"] if s["source_id"] not in used] == []


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", [*cited_tables(), "sources"])
def test_dates_are_real_partial_dates(table: str) -> None:
    bad = []
    for row in tables()[table]:
        for field in date_fields(table):
            if row[field]:
                try:
                    bounds(row[field])
                except ValueError:
                    bad.append((row[key(table)], field, row[field]))
    assert bad == []


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def citations_of(table: str, record: str) -> list[dict[str, str]]:
    return [c for c in tables()["citations"] if (c["record_table"], c["record_id"]) == (table, record)]


def gives_month(quote: str, year: str, month: int) -> bool:
    """The quote names the month: its name, or an ISO date of that month (``2026-02-13``)."""
    return MONTHS[month - 1] in quote or f"{year}-{month:02d}" in quote


def gives_day(quote: str, year: str, month: int, day: int) -> bool:
    """The quote names the day: ``February 12``, ``12 February``, an ISO date, or a weekday."""
    name = MONTHS[month - 1]
    return bool(
        re.search(rf"\b{name} {day}\b|\b{day} {name}\b", quote)
        or f"{year}-{month:02d}-{day:02d}" in quote
        or any(w in quote for w in WEEKDAYS)
    )


@pytest.mark.parametrize("table", cited_tables())
def test_no_event_date_is_more_precise_than_its_quotes(table: str) -> None:
    """An event date has its own citations (on that field), and together they give the precision
    the date has: the month for ``YYYY-MM``, the day for ``YYYY-MM-DD``. The year is in a quote,
    or the notes say how it was resolved (``<field>: ... <year>``). A linked URL is never one of
    those citations: the date in a report's web address is the report's date, on its ``sources``
    row, not the event's."""
    problems = []
    for row in tables()[table]:
        rid = row[key(table)]
        for field in date_fields(table):
            value = row[field]
            if not value:
                continue
            cited = [c for c in citations_of(table, rid) if c["field"] == field]
            quotes = [c["quote"] for c in cited if c["claim"] != "linked_url"]
            year, *rest = value.split("-")
            month, day = (int(part) for part in [*rest, "0", "0"][:2])
            if not quotes:
                problems.append((rid, field, value, "no quote of the article's own text backs it"))
                continue
            if month and not any(gives_month(q, year, month) for q in quotes):
                problems.append((rid, field, value, "no quote names the month"))
            if day and not any(gives_day(q, year, month, day) for q in quotes):
                problems.append((rid, field, value, "no quote names the day"))
            resolved = re.search(rf"\b{field}:[^.]*\b{year}\b", row["notes"])
            if not any(year in q for q in quotes) and not resolved:
                problems.append(
                    (rid, field, value, "the year is in no quote and the notes do not resolve it")
                )
    assert problems == []


def test_no_linked_url_backs_an_event_date() -> None:
    dated = {(t, f) for t in cited_tables() for f in date_fields(t)}
    assert [
        c["citation_id"]
        for c in tables()["citations"]
        if c["claim"] == "linked_url" and (c["record_table"], c["field"]) in dated
    ] == []


# -- whose claim -------------------------------------------------------------------------------


def claim_kinds() -> list[str]:
    field = next(f for f in schema("citations")["fields"] if f["name"] == "claim")
    return list(field["constraints"]["enum"])


def test_every_citation_says_whose_claim_it_carries() -> None:
    assert [c["citation_id"] for c in tables()["citations"] if c["claim"] not in claim_kinds()] == []


def test_a_claimant_is_named_for_party_statements_only() -> None:
    assert [
        c["citation_id"]
        for c in tables()["citations"]
        if c["claimant_org_id"] and c["claim"] != "party_statement"
    ] == []


def test_other_outlets_are_named_in_their_quote() -> None:
    """A quote of another outlet's report names the outlet: its publisher is in the quote."""
    publisher = {s["source_id"]: s["publisher"] for s in tables()["sources"]}
    assert [
        c["citation_id"]
        for c in tables()["citations"]
        if c["claim"] == "other_outlet" and publisher[c["source_id"]] not in c["quote"]
    ] == []


def test_records_known_only_from_a_url_say_so() -> None:
    """A record all of whose citations are ``linked_url`` says in its notes that it is known
    "only from" a link, so that no one reads it as reported."""
    problems = []
    for table in cited_tables():
        for row in tables()[table]:
            claims = {c["claim"] for c in citations_of(table, row[key(table)])}
            if claims == {"linked_url"} and "only from" not in row["notes"]:
                problems.append((table, row[key(table)]))
    assert problems == []


# -- statuses, ids and words --------------------------------------------------------------------


def test_disputed_records_cite_both_sides() -> None:
    """A ``disputed`` record cites at least two sources, whose claims are of two kinds or parties
    (a report and a party's denial, say)."""
    problems = []
    for table in cited_tables():
        if not any(f["name"] == "status" for f in schema(table)["fields"]):
            continue
        for row in tables()[table]:
            if row["status"] != "disputed":
                continue
            cited = citations_of(table, row[key(table)])
            sides = {(c["claim"], c["claimant_org_id"]) for c in cited}
            if len({c["source_id"] for c in cited}) < 2 or len(sides) < 2:
                problems.append((table, row[key(table)], sorted(sides)))
    assert problems == []


@pytest.mark.parametrize("table", NAMES)
def test_ids_are_slugs(table: str) -> None:
    assert [r[key(table)] for r in tables()[table] if not SLUG.match(r[key(table)])] == []


@pytest.mark.parametrize("table", NAMES)
def test_every_field_and_allowed_value_is_documented(table: str) -> None:
    for field in schema(table)["fields"]:
        assert len(field.get("description", "")) > 20, (table, field["name"])
        for value in field.get("constraints", {}).get("enum", []):
            assert f"- `{value}`: " in field["description"], (table, field["name"], value)


@pytest.mark.parametrize("table", cited_tables())
def test_descriptions_are_one_or_two_neutral_sentences(table: str) -> None:
    for row in tables()[table]:
        text = row["description"]
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s]
        assert 1 <= len(sentences) <= 2, (row[key(table)], text)
        assert text.endswith("."), text
        assert not re.search(r"!|\b(shocking|notorious|infamous|creepy|dystopian)\b", text, re.I), text


def test_descriptions_are_in_own_words() -> None:
    """No description shares a run of 8 or more words with an archived text."""
    grams: set[str] = set()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        words = re.findall(r"[a-z0-9']+", fold(path.read_text(encoding="utf-8")).lower())
        grams |= {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    for table in cited_tables():
        for row in tables()[table]:
            w = re.findall(r"[a-z0-9']+", fold(row["description"]).lower())
            copied = [" ".join(w[i : i + 8]) for i in range(len(w) - 7) if " ".join(w[i : i + 8]) in grams]
            assert copied == [], (table, row[key(table)], copied)
