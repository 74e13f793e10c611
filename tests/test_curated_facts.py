"""The facts curated from the seed article, pinned exactly (issue 2).

Each expected value was read from `seeds/000_0181fdb78757befa.txt`; the quotes
behind it are in `data/citations.csv`. A change to any of them must be a
deliberate edit of this file in the same pull request.
"""

from __future__ import annotations


def project(rows, *cols):
    return sorted(tuple(r[c] for c in cols) for r in rows)


def test_organizations(tables) -> None:
    assert project(
        tables["organizations"], "org_id", "name", "aliases", "org_type", "parent_org_id", "country"
    ) == [
        ("amazon", "Amazon", "", "company", "", ""),
        ("axon", "Axon", "", "company", "", ""),
        ("clearview-ai", "Clearview AI", "", "company", "", ""),
        ("flock-safety", "Flock Safety", "Flock", "company", "", ""),
        ("ftc", "FTC", "", "regulator", "", ""),
        ("ice", "Immigration and Customs Enforcement", "ICE", "law_enforcement", "", ""),
        ("navy", "Navy", "", "military", "", ""),
        ("ring", "Ring", "", "company", "amazon", ""),
        ("secret-service", "Secret Service", "", "law_enforcement", "", ""),
        ("y-combinator", "Y Combinator", "", "other", "", ""),
    ]


def test_partnerships(tables) -> None:
    cols = ("partnership_id", "org_id", "partner_org_id", "relationship_type", "status", "announced", "ended")
    assert project(tables["partnerships"], *cols) == [
        ("clearview-ai-ice-technology-supply", "clearview-ai", "ice", "technology_supply", "active", "", ""),
        ("flock-safety-ice-network-access", "flock-safety", "ice", "network_access", "disputed", "", ""),
        ("flock-safety-navy-network-access", "flock-safety", "navy", "network_access", "reported", "", ""),
        (
            "flock-safety-secret-service-network-access",
            "flock-safety",
            "secret-service",
            "network_access",
            "reported",
            "",
            "",
        ),
        ("ring-axon-footage-sharing", "ring", "axon", "footage_sharing", "active", "", ""),
        # Announced in October 2025 (day from the linked report's URL), called off on Thursday 2026-02-12
        # before it took effect: cancelled, not ended.
        (
            "ring-flock-safety-footage-sharing",
            "ring",
            "flock-safety",
            "footage_sharing",
            "cancelled",
            "2025-10-16",
            "2026-02-12",
        ),
        (
            "y-combinator-flock-safety-affiliation",
            "y-combinator",
            "flock-safety",
            "affiliation",
            "reported",
            "2025-03-13",
            "",
        ),
    ]


def test_the_ice_tie_cites_the_report_and_the_denial(tables) -> None:
    assert project(
        [c for c in tables["citations"] if c["record_id"] == "flock-safety-ice-network-access"],
        "field",
        "source_id",
    ) == [
        ("", "404media-ice-secret-service-navy-access-to-flock"),
        ("status", "flock-safety-blog-does-flock-share-data-with-ice"),
    ]


def test_features(tables) -> None:
    cols = ("feature_id", "org_id", "name", "category", "status", "launched", "uses_biometrics")
    assert project(tables["features"], *cols) == [
        (
            "clearview-ai-facial-recognition",
            "clearview-ai",
            "Facial recognition technology",
            "facial_recognition",
            "active",
            "",
            "true",
        ),
        (
            "flock-safety-camera-network",
            "flock-safety",
            "AI-enabled camera network",
            "camera_network",
            "active",
            "",
            "",
        ),
        (
            "flock-safety-natural-language-search",
            "flock-safety",
            "Natural language video search",
            "video_search",
            "active",
            "",
            "",
        ),
        (
            "ring-familiar-faces",
            "ring",
            "Familiar Faces",
            "facial_recognition",
            "active",
            "2025-12-09",
            "true",
        ),
        (
            "ring-law-enforcement-footage-sharing",
            "ring",
            "Footage sharing with law enforcement",
            "footage_sharing",
            "active",
            "",
            "",
        ),
        # Only Ring's own claim ("not capable of processing human biometrics") is on record: left empty.
        ("ring-search-party", "ring", "Search Party", "video_search", "active", "", ""),
    ]


def test_regulatory_actions(tables) -> None:
    cols = ("action_id", "regulator_org_id", "target_org_id", "action_type", "date", "amount", "currency")
    assert project(tables["regulatory_actions"], *cols) == [
        ("ftc-ring-2023-settlement", "ftc", "ring", "settlement", "2023-05-31", "5800000", "USD"),
    ]


def test_sources(tables) -> None:
    assert project(
        tables["sources"], "source_id", "source_type", "published", "archive_path", "cited_by"
    ) == [
        (
            "404media-ice-secret-service-navy-access-to-flock",
            "news_article",
            "",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "axon-blog-axon-and-ring",
            "company_blog_post",
            "",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "flock-safety-blog-does-flock-share-data-with-ice",
            "company_blog_post",
            "",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "geekwire-2026-ring-search-party-super-bowl-ad",
            "news_article",
            "2026",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "ring-blog-ring-and-flock-cancel-partnership",
            "company_blog_post",
            "2026-02-12",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "ring-law-enforcement-information-requests",
            "company_webpage",
            "",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "techcrunch-2023-05-31-amazon-ring-ftc-settlement",
            "news_article",
            "2023-05-31",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "techcrunch-2025-03-13-flock-safety-raises-275m",
            "news_article",
            "2025-03-13",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "techcrunch-2025-10-16-ring-to-partner-with-flock",
            "news_article",
            "2025-10-16",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "techcrunch-2025-12-09-ring-facial-recognition",
            "news_article",
            "2025-12-09",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "techcrunch-2026-01-26-tech-powering-ice-deportation-crackdown",
            "news_article",
            "2026-01-26",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
            "news_article",
            "2026-02-13",
            "seeds/000_0181fdb78757befa.txt",
            "",
        ),
        (
            "theverge-ring-search-party-backlash",
            "news_article",
            "",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
        (
            "youtube-ring-super-bowl-ad",
            "video",
            "",
            "",
            "techcrunch-2026-02-13-ring-cancels-flock-partnership",
        ),
    ]


def test_row_counts(tables) -> None:
    assert {name: len(rows) for name, rows in tables.items()} == {
        "organizations": 10,
        "partnerships": 7,
        "features": 6,
        "regulatory_actions": 1,
        "sources": 14,
        "citations": 39,
    }
