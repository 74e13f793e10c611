"""Curated facts of the live tables, pinned one by one, each with the words that back it.

A pinned fact is a record and some of its values that were read from an archived source and
checked by hand. Adding records, or correcting a value that is not pinned, never breaks these
tests. Changing a pinned value fails exactly one test, which names the fact: such a change must
be deliberate, reviewed against its quote, and made here too in the same pull request.

Every quote below is checked to occur verbatim (after folding white space and curly quotes) in
the archived text it names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import pytest

from surveillance_ties.datapackage.text import quote_in_text

from .conftest import ROOT, read_rows, read_schema

pytestmark = pytest.mark.live_data

SEED = "seeds/000_0181fdb78757befa.txt"
ARTICLE = "techcrunch-2026-02-13-ring-cancels-flock-partnership"
# sha256 of the seed article as delivered: the archive must stay byte for byte.
SEED_SHA256 = "11e6d3e96852384e654bf0d1582e9e314b0757aefe4a820cf3d27cc5e8ef381a"


@dataclass(frozen=True)
class Fact:
    """A record of ``table`` whose ``values`` are pinned; ``quotes`` (from ``archive``) back them."""

    table: str
    record: str
    values: dict[str, str]
    quotes: tuple[str, ...]
    archive: str = SEED
    why: str = ""
    # a citation of the record that must stay: (field, source_id, claim, claimant_org_id)
    citations: tuple[tuple[str, str, str, str], ...] = ()


FACTS = [
    # organizations -----------------------------------------------------------------------------
    Fact("organizations", "ring", {"name": "Ring", "org_type": "company", "parent_org_id": "amazon"},
         ("Ring, the Amazon-owned home security company",)),
    Fact("organizations", "amazon", {"name": "Amazon", "org_type": "company", "parent_org_id": ""},
         ("Ring, the Amazon-owned home security company",)),
    Fact("organizations", "flock-safety", {"name": "Flock Safety", "aliases": "Flock", "org_type": "company"},
         ("[Flock Safety](", "a maker of AI-powered surveillance cameras", "partnership with Flock")),
    Fact("organizations", "axon", {"name": "Axon", "org_type": "company"},
         ("with Axon, a company similar to Flock.",)),
    Fact("organizations", "clearview-ai", {"name": "Clearview AI", "org_type": "company"},
         ("powered by companies like Clearview AI",)),
    Fact("organizations", "ftc", {"name": "FTC", "org_type": "regulator"},
         ("In 2023, the FTC ordered the company to pay $5.8 million",),
         why="the article never spells the abbreviation out, so the name stays as given"),
    Fact("organizations", "ice",
         {"name": "Immigration and Customs Enforcement", "aliases": "ICE", "org_type": "law_enforcement"},
         ("Immigration and Customs Enforcement (ICE)", "to locate people in its [mass deportation efforts]("),
         why="the type is read from its name and from its use of facial recognition to locate people",
         citations=(("org_type", ARTICLE, "own_reporting", ""),)),
    Fact("organizations", "navy", {"name": "Navy", "org_type": "military", "country": ""},
         ("and the Navy, which all have had access",),
         why="the article does not say which country's navy"),
    Fact("organizations", "secret-service", {"name": "Secret Service", "org_type": "other"},
         ("the Secret Service",),
         why="the article names it only as 'the Secret Service' and does not say what kind of body it is"),
    Fact("organizations", "y-combinator", {"name": "Y Combinator", "org_type": "other"},
         ("(https://techcrunch.com/2025/03/13/y-combinators-police-surveillance-darling-flock-safety-",),
         why="known only from the web address of a link, which does not say what kind of organization it is",
         citations=(("", "techcrunch-2025-03-13-flock-safety-raises-275m", "linked_url", ""),)),
    # partnerships: who provides to whom, the kind of tie and its status ---------------------------
    Fact("partnerships", "ring-flock-safety-footage-sharing",
         {"org_id": "ring", "partner_org_id": "flock-safety", "relationship_type": "footage_sharing",
          "status": "cancelled", "announced": "2025-10", "ended": "2026-02-12"},
         ("would have allowed Ring doorbell users to share footage with Flock",
          "Though its partnership with Flock won’t come to fruition",
          "The two companies announced [a deal](", ") in October, which would have allowed",
          "[announced](https://blog.ring.com/about-ring/ring-and-flock-cancel-partnership/) on Thursday",
          'published: "2026-02-13T15:40:15.000Z"',
          "Ring wrote in a blog post that it made a joint decision with Flock to cancel the partnership"),
         why="announced, then called off before it took effect: cancelled, not ended; 'in October' gives a "
             "month (2025-10, the October before the article), and 'on Thursday' in an article published on "
             "Friday 2026-02-13 gives 2026-02-12; the joint decision is Ring's account",
         citations=(("announced", ARTICLE, "own_reporting", ""),
                    ("status", "ring-blog-ring-and-flock-cancel-partnership", "party_statement", "ring"))),
    Fact("partnerships", "ring-axon-footage-sharing",
         {"org_id": "ring", "partner_org_id": "axon", "relationship_type": "footage_sharing",
          "status": "active"},
         ("enable users to share footage with law enforcement if they so choose. The company accomplishes "
          "this in part through a [partnership](https://www.axon.com/blog/building-safer-communities-"
          "together-axon-and-ring) with Axon",)),
    Fact("partnerships", "flock-safety-ice-network-access",
         {"org_id": "flock-safety", "partner_org_id": "ice", "relationship_type": "network_access",
          "status": "disputed"},
         ("Flock’s footage has been used by Immigration and Customs Enforcement (ICE)",
          "(Flock maintains that it [does not explicitly](https://www.flocksafety.com/blog/does-flock-share-data-"
          "with-ice) work with ICE.)"),
         why="404 Media reports the access, Flock denies working with ICE: both sides are cited",
         citations=(("", "404media-ice-secret-service-navy-access-to-flock", "other_outlet", ""),
                    ("status", "flock-safety-blog-does-flock-share-data-with-ice", "party_statement",
                     "flock-safety"))),
    Fact("partnerships", "flock-safety-navy-network-access",
         {"org_id": "flock-safety", "partner_org_id": "navy", "relationship_type": "network_access",
          "status": "reported"},
         ("the Navy, which all have had access to Flock’s tens of thousands of AI-enabled cameras",)),
    Fact("partnerships", "flock-safety-secret-service-network-access",
         {"org_id": "flock-safety", "partner_org_id": "secret-service", "relationship_type": "network_access",
          "status": "reported"},
         ("the Secret Service, and the Navy, which all have had access",)),
    Fact("partnerships", "clearview-ai-ice-technology-supply",
         {"org_id": "clearview-ai", "partner_org_id": "ice", "relationship_type": "technology_supply"},
         ("ICE uses this same type of [facial recognition technology](https://techcrunch.com/2026/01/26/heres-"
          "the-tech-powering-ices-deportation-crackdown/), powered by companies like Clearview AI",),
         why="'powered by companies like Clearview AI' is the article's own unlinked words",
         citations=(("", ARTICLE, "own_reporting", ""),)),
    Fact("partnerships", "y-combinator-flock-safety-affiliation",
         {"org_id": "y-combinator", "partner_org_id": "flock-safety", "relationship_type": "affiliation",
          "announced": ""},
         ("[Flock Safety](https://techcrunch.com/2025/03/13/y-combinators-police-surveillance-darling-flock-",),
         why="known only from a link's web address; the date in its path is the report's, not the tie's",
         citations=(("", "techcrunch-2025-03-13-flock-safety-raises-275m", "linked_url", ""),)),
    # features ----------------------------------------------------------------------------------
    Fact("features", "ring-familiar-faces",
         {"org_id": "ring", "name": "Familiar Faces", "category": "facial_recognition",
          "uses_biometrics": "true", "launched": "2025-12"},
         ("Ring even rolled out [a facial recognition](", "feature in December called “Familiar Faces,”"),
         why="'in December' gives a month: 2025-12, the December before the article of 2026-02-13"),
    Fact("features", "ring-search-party", {"org_id": "ring", "name": "Search Party", "uses_biometrics": ""},
         ("its AI-powered Search Party feature", "“not capable of processing human biometrics.”"),
         why="only Ring's own denial is on record, so the field stays empty"),
    # regulatory actions ------------------------------------------------------------------------
    Fact("regulatory_actions", "ftc-ring-2023-settlement",
         {"regulator_org_id": "ftc", "target_org_id": "ring", "amount": "5800000", "currency": "USD",
          "action_date": "2023"},
         ("In 2023, the FTC ordered the company to pay $5.8 million",),
         why="'In 2023' gives a year; the linked report's date (2023/05/31 in its URL) is the report's"),
]  # fmt: skip


@cache
def rows(table: str) -> dict[str, dict[str, str]]:
    key = read_schema(table, ROOT)["primaryKey"][0]
    return {row[key]: row for row in read_rows(table, ROOT)}


def test_the_seed_is_the_delivered_article_byte_for_byte() -> None:
    assert hashlib.sha256((ROOT / SEED).read_bytes()).hexdigest() == SEED_SHA256


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f"{f.table}:{f.record}")
def test_pinned_fact(fact: Fact) -> None:
    text = (ROOT / fact.archive).read_text(encoding="utf-8")
    assert [q for q in fact.quotes if not quote_in_text(q, text)] == [], "a pin's quote is not in its source"
    row = rows(fact.table).get(fact.record)
    if row is None:
        pytest.fail(
            f"pinned fact removed: {fact.table} has no record {fact.record!r}. Removing a curated record is "
            f"a deliberate change: review it against its quotes {fact.quotes} and remove the pin in "
            "tests/test_live_facts.py in the same pull request."
        )
    actual = {k: row.get(k, "<no such field>") for k in fact.values}
    if actual != fact.values:
        changed = {k: (fact.values[k], actual[k]) for k in fact.values if actual[k] != fact.values[k]}
        pytest.fail(
            f"pinned fact changed: {fact.table} {fact.record}: "
            + "; ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
            + f". This is a deliberate change to review against the quotes {fact.quotes}"
            + (f" ({fact.why})" if fact.why else "")
            + "; if it is right, update the pin in tests/test_live_facts.py in the same pull request."
        )
    cited = {(c["field"], c["source_id"], c["claim"], c["claimant_org_id"])
             for c in read_rows("citations", ROOT)
             if c["record_table"] == fact.table and c["record_id"] == fact.record}  # fmt: skip
    gone = [c for c in fact.citations if c not in cited]
    assert gone == [], f"a pinned citation (field, source, claim, claimant) of {fact.record} is gone"
