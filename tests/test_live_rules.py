"""The live data, tested by rules that hold for any valid set of records.

None of these tests pins a count, an order, a line number or a value of the live tables: a
contributor who adds a valid, cited record keeps them green. Some rules repeat what the
validator checks, written here independently in a few lines of plain Python, so that a bug in
the validator cannot hide a false record. Specific curated facts are pinned in
``test_live_facts.py``.
"""

from __future__ import annotations

import re
from collections import defaultdict
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


@pytest.mark.parametrize("table", cited_tables())
def test_every_date_has_its_own_citation_and_says_how_it_was_derived(table: str) -> None:
    """A date needs a citation on that field, and the record's notes name the field or the date
    appears as written in the quote."""
    by_field = defaultdict(list)
    for c in tables()["citations"]:
        by_field[(c["record_table"], c["record_id"], c["field"])].append(c["quote"])
    problems = []
    for row in tables()[table]:
        rid = row[key(table)]
        for field in date_fields(table):
            value = row[field]
            if not value:
                continue
            quotes = by_field[(table, rid, field)]
            literal = any(value in q or value.replace("-", "/") in q for q in quotes)
            if not quotes or not (literal or field in row["notes"]):
                problems.append((rid, field, value))
    assert problems == []


# -- statuses, ids and words --------------------------------------------------------------------


def test_disputed_records_cite_at_least_two_sources() -> None:
    for table in cited_tables():
        if not any(f["name"] == "status" for f in schema(table)["fields"]):
            continue
        for row in tables()[table]:
            if row["status"] == "disputed":
                sources = {
                    c["source_id"]
                    for c in tables()["citations"]
                    if c["record_table"] == table and c["record_id"] == row[key(table)]
                }
                assert len(sources) >= 2, (table, row[key(table)])


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
