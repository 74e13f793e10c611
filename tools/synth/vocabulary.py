"""The words the synthetic package is made of: names, phrases, shares of each category, prose."""

from __future__ import annotations

# Invented prose in the register of the archived articles: archived texts are random runs of its words,
# and no word starts with a character that a spreadsheet would run as a formula.
PROSE = """
The city council approved the contract on Tuesday after a long debate about privacy, footage
retention and who may search the network. Officers can now query cameras across the county, and the
vendor says its software flags vehicles by make, colour and plate within seconds. Critics said the
company’s “transparency portal” lists only some of the agencies that have access, and that audits
published so far cover a small share of the searches. A spokesperson for the department said the
agreement follows state law and that data is deleted after 30 days unless it is part of an
investigation. The deal, first reported by local reporters, expands a pilot that began with a handful
of intersections near schools and shopping centres. Residents who attended the meeting asked whether
federal agencies could reach the footage through shared regional databases; the chief said no request
of that kind had been approved. Documents obtained through a public records request show that the
system logged thousands of lookups in its first month, many of them tied to stolen cars and missing
persons. The contract also covers facial recognition, which the council voted to exclude until a
policy is in place. According to the vendor’s own blog, the network now reaches more than five
thousand communities and several federal partners. [The report](https://example.org/reports/2025/audit)
found gaps in how searches were justified, and [a lawsuit](https://example.org/court/2024/complaint)
filed last year argues that drivers were tracked without a warrant. The regulator fined the firm for
misleading statements about data sharing and ordered it to delete recordings kept beyond the stated
period. Investors backed the startup in a funding round led by a venture firm, and the company says
it will use the money to hire engineers and expand to new markets. Neighbours can share doorbell video
with police through the app if they choose, a feature the company calls “community requests.”
Civil liberties groups warned that the tool makes it easy to follow people over time, while the
company maintains that it does not sell data and that customers own their footage. Officials said the
cameras helped solve burglaries, though the department could not say how many cases relied on them.
"""
TOKENS: tuple[str, ...] = tuple(t for t in PROSE.split() if not t.startswith(("=", "+", "-", "@")))
SYL_A = (
    "Ash",
    "Bright",
    "Cedar",
    "Clear",
    "Copper",
    "Deep",
    "East",
    "Elm",
    "Fair",
    "Falcon",
    "Glen",
    "Granite",
    "Green",
    "Harbor",
    "High",
    "Iron",
    "Lake",
    "Lime",
    "Maple",
    "Mill",
    "North",
    "Oak",
    "Pine",
    "Red",
    "River",
    "Rock",
    "Silver",
    "Spring",
    "Stone",
    "Sun",
    "West",
    "White",
    "Wolf",
)
SYL_B = (
    "bank",
    "bridge",
    "brook",
    "burg",
    "crest",
    "dale",
    "field",
    "ford",
    "gate",
    "haven",
    "hill",
    "land",
    "mark",
    "mont",
    "port",
    "ridge",
    "shire",
    "side",
    "stead",
    "ton",
    "vale",
    "view",
    "wick",
    "wood",
    "worth",
)
# Share of each org_type, and the kinds of name each type takes.
ORG_TYPES: dict[str, float] = {
    "company": 0.35,
    "law_enforcement": 0.40,
    "government_agency": 0.10,
    "regulator": 0.03,
    "investor": 0.04,
    "military": 0.02,
    "nonprofit": 0.04,
    "other": 0.02,
}
ORG_KINDS: dict[str, tuple[str, ...]] = {
    "company": (
        "Vision",
        "Safety",
        "Systems",
        "Analytics",
        "Labs",
        "Technologies",
        "Security",
        "Networks",
        "Sensing",
        "AI",
    ),
    "law_enforcement": (
        "Police Department",
        "Sheriff’s Office",
        "Police",
        "State Patrol",
        "Transit Police",
        "Police Service",
    ),
    "government_agency": (
        "City Council",
        "Department of Transportation",
        "School District",
        "Housing Authority",
        "County Board",
        "Port Authority",
    ),
    "regulator": (
        "Privacy Commission",
        "Data Protection Authority",
        "Trade Commission",
        "Attorney General’s Office",
        "Consumer Authority",
    ),
    "investor": ("Ventures", "Capital", "Partners", "Growth Fund"),
    "military": ("Air Base", "Naval Station", "Army Command"),
    "nonprofit": ("Civil Liberties Union", "Privacy Foundation", "Rights Watch", "Legal Aid Society"),
    "other": ("Association", "Consortium", "Institute", "Cooperative"),
}
ORG_DESCRIPTIONS = {
    "company": "is a company that sells surveillance technology, according to the sources.",
    "law_enforcement": "is a law-enforcement body named in the sources as a user of the technology.",
    "government_agency": "is a government body that the sources name as a customer or partner.",
    "regulator": "is a regulator that the sources report acting on surveillance companies.",
    "investor": "is an investor that the sources report funding surveillance companies.",
    "military": "is part of an armed force that the sources report using the technology.",
    "nonprofit": "is a non-profit organization quoted or named in the sources.",
    "other": "is an organization named in the sources, which do not say what kind it is.",
}
COUNTRIES = (
    "US",
    "US",
    "US",
    "US",
    "GB",
    "CA",
    "AU",
    "DE",
    "FR",
    "NL",
    "IE",
    "NZ",
    "SE",
    "IN",
    "BR",
    "ZA",
)
REL_TYPES = ("footage_sharing", "network_access", "technology_supply", "investment", "affiliation")
REL_P = (0.20, 0.25, 0.40, 0.05, 0.10)
REL_VERBS = (
    "shares footage with",
    "gives network access to",
    "supplies technology to",
    "invests in",
    "is affiliated with",
)
TIE_STATUS = ("announced", "active", "ended", "cancelled", "disputed", "reported")
TIE_STATUS_P = (0.05, 0.45, 0.12, 0.03, 0.10, 0.25)
FEAT_CATS = ("camera_network", "footage_sharing", "facial_recognition", "video_search", "other")
FEAT_CAT_P = (0.30, 0.20, 0.15, 0.25, 0.10)
FEAT_DESC = (
    "A network of cameras whose footage is collected and shared with its users.",
    "A way for users to share recorded video with others, such as the police.",
    "Software that identifies or catalogues people by their faces.",
    "AI search over recorded video for people, vehicles or objects described in words.",
    "A capability that the sources describe without naming its kind.",
)
FEAT_STATUS = ("announced", "active", "discontinued", "cancelled")
FEAT_STATUS_P = (0.10, 0.70, 0.15, 0.05)
FEAT_A = ("Familiar", "Smart", "Rapid", "Live", "Neighbor", "Instant", "Clear", "Safe", "Open", "Deep")
FEAT_B = ("Faces", "Search", "Alerts", "Share", "Watch", "Plates", "Sight", "Link", "Track", "Map")
ACT_TYPES = ("settlement", "fine", "lawsuit", "investigation", "ban", "other")
ACT_P = (0.30, 0.20, 0.20, 0.20, 0.05, 0.05)
ACT_VERBS = (
    "reached a settlement with",
    "fined",
    "sued",
    "opened an investigation into",
    "banned a product of",
    "took action against",
)
CURRENCIES = ("USD", "USD", "USD", "EUR", "GBP", "CAD", "AUD")
SRC_TYPES = (
    "news_article",
    "company_blog_post",
    "company_webpage",
    "press_release",
    "government_document",
    "court_document",
    "report",
    "video",
    "other",
)
SRC_P = (0.60, 0.08, 0.06, 0.08, 0.08, 0.04, 0.04, 0.01, 0.01)
PUBLISHERS = (
    "TechCrunch",
    "The Verge",
    "404 Media",
    "Wired",
    "Ars Technica",
    "The Markup",
    "Local Ledger",
    "City Tribune",
    "County Courier",
    "Metro Daily",
)
DOMAINS = (
    "techcrunch.com",
    "theverge.com",
    "404media.co",
    "wired.com",
    "arstechnica.com",
    "themarkup.org",
    "localledger.example",
    "citytribune.example",
    "countycourier.example",
    "metrodaily.example",
)
FIRST = (
    "Amanda",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jon",
    "Kemi",
    "Luis",
    "Maya",
    "Noor",
    "Owen",
    "Priya",
)
LAST = (
    "Silva",
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Haddad",
    "Kowalski",
    "Tanaka",
    "Brennan",
    "Ortiz",
    "Lindqvist",
    "Mensah",
    "Rossi",
)
# The fields that a second, field-level citation of a record may back.
CITE_FIELDS = {
    "regulatory_actions": ("action_date", "amount", "description"),
    "features": ("launched", "uses_biometrics", "description"),
    "organizations": ("description", "country"),
    "partnerships": ("status", "announced", "ended", "description"),
}
NOTE_TIE = (
    "The source gives no date for the tie.",
    "announced: the date in the path of the cited URL.",
    "The source does not say whether the tie continues.",
)
