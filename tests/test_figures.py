"""The network map and the timeline (issue 7): complete, honest about dates, deterministic, legible.

Drawn from the fixture package and from packages made here. Whether the repository's committed
figures are current is a check of the live data (test_live_documents.py).
"""

from __future__ import annotations

import csv
import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from surveillance_ties.cli import main
from surveillance_ties.datapackage import MissingDependencyError, open_package
from surveillance_ties.documents import figures as figures_module
from surveillance_ties.documents.figures import (
    FIGURES,
    FiguresUnavailable,
    figure,
    figure_files,
    render_figures,
)
from surveillance_ties.documents.figures.data import FigureData, FigureDataError, events, read_package
from surveillance_ties.documents.figures.layout import (
    boxes_overlap,
    components,
    force_layout,
    inside,
    overlaps,
    segment_hits,
    segments_hit,
    separate,
)
from surveillance_ties.documents.figures.network import network_figure
from surveillance_ties.documents.figures.style import (
    EVENT_KINDS,
    RELATIONSHIPS,
    SPARE_EVENT_COLOURS,
    render,
)
from surveillance_ties.documents.figures.timeline import timeline_figure

from .conftest import DISK_FULL, FIXTURE, copy_package, disk_full, read_rows, read_schema

SVG = "{http://www.w3.org/2000/svg}"
FILES = ["network.svg", "network.png", "timeline.svg", "timeline.png"]
# The partial-date fields of the tables that the timeline shows, by table.
DATE_FIELDS = {
    "partnerships": ("partnership_id", ["announced", "ended"]),
    "features": ("feature_id", ["launched", "discontinued"]),
    "regulatory_actions": ("action_id", ["action_date"]),
}
ACTION_EVENT = "event-regulatory_actions-ftc-ring-2023-settlement-action_date"


def figure_data(root: Path) -> FigureData:
    """What the figures draw of the package folder ``root``."""
    with open_package(root) as pkg:
        return read_package(pkg, root)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("figures")
    assert render_figures(FIXTURE, out) == [out / name for name in FILES]
    return out


def by_id(path: Path) -> dict[str, ET.Element]:
    return {el.get("id", ""): el for el in ET.parse(path).getroot().iter() if el.get("id")}


def text_of(element: ET.Element) -> str:
    """The words of every <text> inside an element, lines joined by a space."""
    return " ".join((t.text or "").strip() for t in element.iter(f"{SVG}text"))


def renderer(svg: bytes) -> str:
    match = re.search(rb"<dc:title>(surveillance-ties figures \(matplotlib [^)]+\))</dc:title>", svg)
    assert match, "the SVG names the matplotlib version that drew it"
    return match.group(1).decode()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too, not following links) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def assert_one_line_error(result: Result, code: int, message: str) -> None:
    assert (result.exit_code, result.output) == (code, f"Error: {message}\n")
    assert isinstance(result.exception, SystemExit)  # click's exit, not an escaped exception
    assert "Traceback" not in result.output


# --- deterministic --------------------------------------------------------------------------------


def test_rendering_twice_gives_identical_bytes(rendered: Path, tmp_path: Path) -> None:
    render_figures(FIXTURE, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (rendered / name).read_bytes(), name


def test_figure_files_are_the_bytes_render_figures_writes(rendered: Path) -> None:
    with open_package(FIXTURE) as pkg:
        files = figure_files(pkg, FIXTURE)
    assert list(files) == FILES
    for name in FILES:
        assert files[name] == (rendered / name).read_bytes(), name
    assert list(FIGURES) == ["network", "timeline"]


def test_render_gives_an_svg_and_a_png(rendered: Path) -> None:
    out = render(figure("timeline", figure_data(FIXTURE)))
    assert list(out) == ["svg", "png"]
    assert out["svg"] == (rendered / "timeline.svg").read_bytes()
    assert out["png"] == (rendered / "timeline.png").read_bytes()
    assert out["png"].startswith(b"\x89PNG\r\n\x1a\n")


def test_svg_has_a_title_and_no_date(rendered: Path) -> None:
    svg = (rendered / "network.svg").read_text(encoding="utf-8")
    assert (
        "<title>Who is tied to whom: 10 organizations and 7 ties between them, as the sources report them"
        "</title>" in svg
    )
    assert "<dc:date>" not in svg
    assert renderer(svg.encode()) == f"surveillance-ties figures (matplotlib {matplotlib.__version__})"
    timeline = (rendered / "timeline.svg").read_text(encoding="utf-8")
    assert (
        "<title>What happened when: 5 dated events in 4 records; the other 10 of 14 records have no date "
        "in their sources</title>"
    ) in timeline
    assert "<dc:date>" not in timeline
    for name in ("network.svg", "timeline.svg"):
        assert text_of(by_id(rendered / name)["credit"]) == "Data: Surveillance Ties 0.1.0, CC-BY-4.0"


# --- the network map ----------------------------------------------------------------------------


def test_every_organization_is_a_labelled_node(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    orgs = read_rows("organizations")
    assert len(orgs) == 10
    for org in orgs:
        node = ids[f"node-{org['org_id']}"]
        assert node.find(f".//{SVG}use") is not None or node.find(f".//{SVG}path") is not None
        assert text_of(ids[f"label-{org['org_id']}"]) == org["name"]
    assert sorted(i for i in ids if i.startswith("node-")) == sorted(f"node-{o['org_id']}" for o in orgs)
    assert text_of(ids["label-ice"]) == "Immigration and Customs Enforcement"  # wrapped, whole


def test_every_partnership_is_an_edge_styled_by_type_and_status(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    ties = read_rows("partnerships")
    assert len(ties) == 7
    for tie in ties:
        gid = f"edge-{tie['partnership_id']}"
        line = ids[gid].find(f"{SVG}path")
        assert line is not None, gid
        line_style = line.get("style", "")
        assert f"stroke: {RELATIONSHIPS[tie['relationship_type']].lower()}" in line_style
        assert ("stroke-dasharray" in line_style) == (tie["status"] != "active"), gid
        assert f"{gid}-head" in ids
        if tie["status"] in ("cancelled", "disputed"):
            assert text_of(ids[f"{gid}-tag"]) == tie["status"]
        else:
            assert f"{gid}-tag" not in ids
    edges = sorted(i for i in ids if i.startswith("edge-") and not i.endswith(("-head", "-tag")))
    assert edges == sorted(f"edge-{t['partnership_id']}" for t in ties)
    tags = sorted(i for i in ids if i.endswith("-tag"))
    assert tags == ["edge-flock-safety-ice-network-access-tag", "edge-ring-flock-safety-footage-sharing-tag"]


def test_cancelled_and_disputed_look_different_from_active(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")

    def dashes(gid: str) -> str:
        path = ids[gid].find(f"{SVG}path")
        assert path is not None
        found = re.search(r"stroke-dasharray: ([^;]+);", path.get("style", ""))
        return found.group(1) if found else "solid"

    patterns = {
        "active": dashes("edge-ring-axon-footage-sharing"),
        "cancelled": dashes("edge-ring-flock-safety-footage-sharing"),
        "disputed": dashes("edge-flock-safety-ice-network-access"),
        "reported": dashes("edge-flock-safety-navy-network-access"),
    }
    assert patterns["active"] == "solid"
    assert len(set(patterns.values())) == 4, patterns


def test_ownership_and_regulatory_actions_are_drawn(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    owned = [o["org_id"] for o in read_rows("organizations") if o["parent_org_id"]]
    assert owned == ["ring"]
    for org_id in owned:
        assert ids[f"ownership-{org_id}"].find(f"{SVG}path") is not None
    actions = [a["action_id"] for a in read_rows("regulatory_actions")]
    assert actions == ["ftc-ring-2023-settlement"]
    for action_id in actions:
        assert ids[f"action-{action_id}"].find(f"{SVG}path") is not None
        assert f"action-{action_id}-head" in ids
    assert sorted(i for i in ids if i.startswith(("ownership-", "action-"))) == [
        "action-ftc-ring-2023-settlement",
        "action-ftc-ring-2023-settlement-head",
        "ownership-ring",
        "ownership-ring-head",
    ]


def test_network_legend_explains_what_is_drawn(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    assert text_of(ids["legend-organization"]) == (
        "Organization company law enforcement military regulator other"
    )
    assert text_of(ids["legend-arrow"]) == (
        "Arrow (a tie: from provider to receiver) footage sharing network access technology supply "
        "affiliation owns (from the owner) regulatory action (from the regulator)"
    )
    assert text_of(ids["legend-status"]) == (
        "Status of a tie active cancelled before it took effect disputed by a party "
        "reported, current state unknown"
    )


# --- the timeline --------------------------------------------------------------------------------


def expected_events() -> dict[str, str]:
    out = {}
    for table, (key, fields) in DATE_FIELDS.items():
        for row in read_rows(table):
            for field in fields:
                if row[field]:
                    out[f"event-{table}-{row[key]}-{field}"] = row[field]
    return out


def test_events_are_found_from_the_schemas() -> None:
    found = [
        (e.gid, e.value, e.first, e.last, e.precision, e.record_label, e.status)
        for e in events(figure_data(FIXTURE))
    ]
    assert found == [
        (
            ACTION_EVENT,
            "2023-05-31",
            date(2023, 5, 31),
            date(2023, 5, 31),
            "day",
            "FTC → Ring: settlement",
            "",
        ),
        (
            "event-partnerships-y-combinator-flock-safety-affiliation-announced",
            "2025-03-13",
            date(2025, 3, 13),
            date(2025, 3, 13),
            "day",
            "Y Combinator → Flock Safety: affiliation",
            "reported",
        ),
        (
            "event-partnerships-ring-flock-safety-footage-sharing-announced",
            "2025-10-16",
            date(2025, 10, 16),
            date(2025, 10, 16),
            "day",
            "Ring → Flock Safety: footage sharing",
            "cancelled",
        ),
        (
            "event-features-ring-familiar-faces-launched",
            "2025-12-09",
            date(2025, 12, 9),
            date(2025, 12, 9),
            "day",
            "Ring: Familiar Faces",
            "active",
        ),
        (
            "event-partnerships-ring-flock-safety-footage-sharing-ended",
            "2026-02-12",
            date(2026, 2, 12),
            date(2026, 2, 12),
            "day",
            "Ring → Flock Safety: footage sharing",
            "cancelled",
        ),
    ]  # sources.published is a partial date too, but sources do not refer to organizations
    assert sorted(found_gid for found_gid, *_ in found) == sorted(expected_events())


def test_every_dated_event_is_on_the_timeline(rendered: Path) -> None:
    ids = by_id(rendered / "timeline.svg")
    expected = expected_events()
    assert len(expected) == 5
    assert sorted(i for i in ids if i.startswith("event-")) == sorted(expected)
    for gid, value in expected.items():
        assert text_of(ids["date-" + gid.removeprefix("event-")]) == value
    assert sorted(i for i in ids if i.startswith("span-")) == [
        "span-partnerships-ring-flock-safety-footage-sharing"
    ]
    assert text_of(ids["subtitle"]) == (
        "5 dated events in 4 records; the other 10 of 14 records have no date in their sources"
    )


def test_regulatory_actions_are_events_of_their_own_kind(rendered: Path) -> None:
    from matplotlib.lines import Line2D

    assert EVENT_KINDS["action_date"] == ("#EE3377", "D", "regulatory action")
    assert "date" not in EVENT_KINDS
    fig = timeline_figure(figure_data(FIXTURE))
    marks = {a.get_gid(): a for a in fig.axes[0].get_children() if a.get_gid()}
    action = marks[ACTION_EVENT]  # 2023-05-31: a day, so a point
    assert isinstance(action, Line2D)
    assert (action.get_marker(), action.get_markerfacecolor()) == ("D", "#EE3377")
    assert list(action.get_xdata()) == [(date(2023, 5, 31) - date(1970, 1, 1)).days]
    assert text_of(by_id(rendered / "timeline.svg")["legend-event"]) == (
        "Event tie announced or first reported tie ended or called off feature launched regulatory action"
    )


def test_timeline_legend_states_the_precision_rule(rendered: Path) -> None:
    ids = by_id(rendered / "timeline.svg")
    assert text_of(ids["legend-date"]) == (
        "Date precision day known: a point month known: a bar over the month year known: a bar over the year"
    )
    assert text_of(ids["legend-between"]) == "Between announcement and end cancelled before it took effect"


def test_a_new_date_field_is_drawn_without_a_code_change(tmp_path: Path) -> None:
    from matplotlib.lines import Line2D

    root = copy_package(tmp_path / "pkg")
    for rel in ("data/regulatory_actions.csv", "schemas/regulatory_actions.schema.json"):
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace("action_date", "decided"), encoding="utf-8")
    data = figure_data(root)
    assert [e.gid for e in events(data)][0] == "event-regulatory_actions-ftc-ring-2023-settlement-decided"
    fig = timeline_figure(data)
    mark = next(
        a
        for a in fig.axes[0].get_children()
        if a.get_gid() == "event-regulatory_actions-ftc-ring-2023-settlement-decided"
    )
    assert isinstance(mark, Line2D)
    # The first spare colour and the first marker that no known kind uses.
    assert (mark.get_markerfacecolor(), mark.get_marker()) == (SPARE_EVENT_COLOURS[0], "P")
    out = render(fig)
    legend = ET.fromstring(out["svg"]).iter()
    event_legend = next(el for el in legend if el.get("id") == "legend-event")
    assert text_of(event_legend) == (
        "Event tie announced or first reported tie ended or called off feature launched decided"
    )


def test_an_impossible_date_is_a_data_error(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg")
    path = root / "data" / "regulatory_actions.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",2023-05-31,", ",2023-02-30,"), encoding="utf-8"
    )
    message = (
        "regulatory_actions: record 'ftc-ring-2023-settlement', field 'action_date': '2023-02-30' is not a "
        "real date; run `surveillance-ties validate` and fix the date"
    )
    with pytest.raises(FigureDataError) as exc:
        events(figure_data(root))
    assert str(exc.value) == message
    result = CliRunner().invoke(main, ["figures", str(root)])
    assert_one_line_error(result, 1, message)
    assert not (root / "docs").exists()


# --- growth: a synthetic package of 50 organizations with dates of every precision --------------

WORDS = [
    "North",
    "Vision",
    "Guard",
    "Metro",
    "Police",
    "Department",
    "Analytics",
    "Systems",
    "Camera",
    "Labs",
    "Capital",
    "Bureau",
    "Sheriff",
    "County",
    "Data",
    "Secure",
    "Federal",
    "Agency",
]


def write_table(root: Path, name: str, rows: list[dict[str, str]]) -> None:
    with open(root / "data" / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def synthetic_package(root: Path, n: int = 50, ties: int = 80) -> Path:
    copy_package(root)
    org_type = next(f for f in read_schema("organizations")["fields"] if f["name"] == "org_type")
    types = org_type["constraints"]["enum"]
    orgs = [
        {
            "org_id": f"org-{i:02d}",
            "name": " ".join(WORDS[(i * k + k) % len(WORDS)] for k in range(1 + i % 3)),
            "aliases": "",
            "org_type": types[i % len(types)],
            "parent_org_id": f"org-{i - 1:02d}" if i % 11 == 5 else "",
            "country": "",
            "description": "x",
            "notes": "",
        }
        for i in range(n)
    ]
    write_table(root, "organizations", orgs)
    rels = ["footage_sharing", "network_access", "technology_supply", "investment", "affiliation"]
    statuses = ["active", "reported", "cancelled", "disputed", "ended", "announced"]
    dates = ["", "2024", "2024-05", "2025-03-14", "2023-11"]
    write_table(
        root,
        "partnerships",
        [
            {
                "partnership_id": f"tie-{j:03d}",
                "org_id": f"org-{(j * 7) % n:02d}",
                "partner_org_id": f"org-{(j * 7 + 1 + j % 5) % n:02d}",
                "relationship_type": rels[j % 5],
                "status": statuses[j % 6],
                "announced": dates[j % 5],
                "ended": "2026-01" if statuses[j % 6] in ("ended", "cancelled") else "",
                "description": "x",
                "notes": "",
            }
            for j in range(ties)
        ],
    )
    features = read_rows("features")
    launched = {"clearview-ai-facial-recognition": "2019", "ring-familiar-faces": "2022-02"}
    launched["flock-safety-camera-network"] = "2025-12-09"
    for k, f in enumerate(features):
        f["org_id"], f["launched"] = f"org-{k:02d}", launched.get(f["feature_id"], "")
    write_table(root, "features", features)
    actions = read_rows("regulatory_actions")
    actions[0]["regulator_org_id"], actions[0]["target_org_id"] = "org-05", "org-06"
    write_table(root, "regulatory_actions", actions)
    return root


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_package(tmp_path_factory.mktemp("synthetic") / "pkg")


def test_dates_are_drawn_with_their_precision(synthetic: Path) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    fig = timeline_figure(figure_data(synthetic))
    marks = {a.get_gid(): a for a in fig.axes[0].get_children() if a.get_gid()}
    month = marks["event-features-ring-familiar-faces-launched"]  # launched 2022-02 here
    assert isinstance(month, Rectangle)
    assert month.get_width() == (date(2022, 3, 1) - date(2022, 2, 1)).days == 28
    assert month.get_hatch() is None
    year = marks["event-features-clearview-ai-facial-recognition-launched"]  # 2019
    assert isinstance(year, Rectangle)
    assert year.get_width() == 365 and year.get_hatch() == "////"
    assert year.get_x() == (date(2019, 1, 1) - date(1970, 1, 1)).days
    day = marks["event-features-flock-safety-camera-network-launched"]  # 2025-12-09
    assert isinstance(day, Line2D)
    assert list(day.get_xdata()) == [(date(2025, 12, 9) - date(1970, 1, 1)).days]
    assert day.get_marker() == "^"
    action = marks[ACTION_EVENT]
    assert isinstance(action, Line2D) and action.get_marker() == "D"


def one_date_of_each_precision(root: Path) -> Path:
    """A package whose only dates are a year (a tie announced in 2023), a month (a tie announced
    in 2025-10) and a day (a regulatory action on 2024-03-15)."""
    copy_package(root)
    ties = read_rows("partnerships")[:2]
    for tie, announced in zip(ties, ["2023", "2025-10"], strict=True):
        tie["announced"], tie["ended"] = announced, ""
    write_table(root, "partnerships", ties)
    features = read_rows("features")
    for feature in features:
        feature["launched"] = feature["discontinued"] = ""
    write_table(root, "features", features)
    actions = read_rows("regulatory_actions")
    actions[0]["action_date"] = "2024-03-15"
    write_table(root, "regulatory_actions", actions)
    return root


def days(day: date) -> int:
    """The timeline's x coordinate of the start of ``day``: days since 1970-01-01."""
    return (day - date(1970, 1, 1)).days


def test_a_month_is_a_bar_over_the_month_and_a_year_a_bar_over_the_year(tmp_path: Path) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    root = one_date_of_each_precision(tmp_path / "pkg")
    year_gid = "event-partnerships-clearview-ai-ice-technology-supply-announced"
    month_gid = "event-partnerships-flock-safety-ice-network-access-announced"
    fig = timeline_figure(figure_data(root))
    marks = {a.get_gid(): a for a in fig.axes[0].get_children() if (a.get_gid() or "").startswith("event-")}
    assert sorted(marks) == sorted([ACTION_EVENT, month_gid, year_gid])

    # In data coordinates (days since 1970-01-01): from the first moment of the period to the first
    # moment after it, so the bar covers the whole month or year and nothing more.
    year, month, day = marks[year_gid], marks[month_gid], marks[ACTION_EVENT]
    assert isinstance(year, Rectangle) and isinstance(month, Rectangle) and isinstance(day, Line2D)
    assert (year.get_x(), year.get_x() + year.get_width()) == (days(date(2023, 1, 1)), days(date(2024, 1, 1)))
    assert (year.get_x(), year.get_width()) == (19358, 365)
    assert (month.get_x(), month.get_x() + month.get_width()) == (
        days(date(2025, 10, 1)),
        days(date(2025, 11, 1)),
    )
    assert (month.get_x(), month.get_width()) == (20362, 31)
    assert list(day.get_xdata()) == [days(date(2024, 3, 15))] == [19797]
    assert (year.get_hatch(), month.get_hatch()) == ("////", None)
    y_rows = {gid: marks[gid].get_y() + marks[gid].get_height() / 2 for gid in (year_gid, month_gid)}
    assert y_rows == {year_gid: 0.0, month_gid: 2.0}  # rows in date order: 2023, 2024-03-15, 2025-10

    # In the SVG: the year bar starts at the tick of 2023 and ends at the tick of 2024; the month
    # bar's ends are where the axis (from the ticks of two years) puts 2025-10-01 and 2025-11-01.
    svg = ET.fromstring(render(fig)["svg"])
    ticks = {}
    for group in svg.iter(f"{SVG}g"):
        if (group.get("id") or "").startswith("xtick_") and text_of(group):
            (use,) = group.iter(f"{SVG}use")
            ticks[int(text_of(group))] = float(use.get("x", ""))
    assert sorted(ticks) == [2023, 2024, 2025]
    scale = (ticks[2025] - ticks[2023]) / (days(date(2025, 1, 1)) - days(date(2023, 1, 1)))

    def x(day: date) -> float:
        return ticks[2023] + (days(day) - days(date(2023, 1, 1))) * scale

    def x_extent(gid: str) -> tuple[float, float]:
        group = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == gid)
        (path,) = group.iter(f"{SVG}path")
        xs = [float(v) for v in NUMBER.findall(path.get("d", ""))[0::2]]
        return min(xs), max(xs)

    assert x_extent(year_gid) == pytest.approx((ticks[2023], ticks[2024]), abs=1e-5)
    assert x_extent(month_gid) == pytest.approx((x(date(2025, 10, 1)), x(date(2025, 11, 1))), abs=1e-5)
    assert x_extent(month_gid)[1] - x_extent(month_gid)[0] == pytest.approx(31 * scale, abs=1e-5)


# --- legibility: no two words overlap, and nothing leaves the canvas ---------------------------


def assert_legible(fig) -> None:
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and t.axes is None]
    for ax in fig.axes:
        texts += [t for t in ax.texts if t.get_visible()]
        if ax.axison:
            texts += [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    texts = list({id(t): t for t in texts}.values())
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    canvas = fig.bbox
    for text, box in boxes:
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 and canvas.y0 <= box.y0 and box.y1 <= canvas.y1, (
            text
        )
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), (a, b)
    # Names do not cover another organization's mark.
    ax = fig.axes[0]
    marks = {
        a.get_gid()[5:]: a.get_window_extent(renderer)
        for a in ax.lines
        if (a.get_gid() or "").startswith("node-")
    }
    for label in ax.texts:
        gid = label.get_gid() or ""
        if gid.startswith("label-"):
            box = label.get_window_extent(renderer)
            assert not any(box.overlaps(m) for org, m in marks.items() if org != gid[6:]), gid


@pytest.mark.parametrize("draw", [network_figure, timeline_figure], ids=["network", "timeline"])
def test_fixture_figures_are_legible(draw) -> None:
    assert_legible(draw(figure_data(FIXTURE)))


@pytest.mark.parametrize("draw", [network_figure, timeline_figure], ids=["network", "timeline"])
def test_figures_of_50_organizations_are_legible(draw, synthetic: Path) -> None:
    fig = draw(figure_data(synthetic))
    assert fig.get_size_inches()[0] == 8.0  # README width
    assert_legible(fig)


# --- the network map's geometry, read back from its SVG -----------------------------------------
#
# Boxes are (x0, y0, x1, y1) in the SVG's user units (points, y downwards). Paths are exact:
# matplotlib writes them with absolute coordinates (M, L, Q, C, z), and a path lies within the hull
# of its points (vertices and Bézier control points), so a path's box and hull are taken from its
# points. A stroke widens a shape by half its width with round or bevel joins, and by up to
# miterlimit (SVG's default: 4) half widths with miter joins (SVG's default join): that much is added.
# Text is the one estimate (the SVG keeps it as <text>, drawn by the viewer's font): each line is as
# wide as matplotlib's metrics of the font the SVG names say (the metrics its SVG backend laid the
# text out with), plus 0.1 em on each side, and as tall as the font's whole ascent and descent
# (hhea ascender and descender, whatever the glyphs), placed by its text-anchor and baseline. A
# label's box is the union of its lines' estimates and of its white backing box (an exact path).

Rect = tuple[float, float, float, float]
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
XLINK = "{http://www.w3.org/1999/xlink}href"


def css(element: ET.Element) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in element.get("style", "").split(";") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


def stroke_reach(element: ET.Element, defaults: dict[str, str]) -> float:
    """How far a path's stroke may reach beyond its outline (0 without a stroke); ``defaults``
    are the style sheet's rules for every element (matplotlib's ``*{stroke-linejoin: round; …}``)."""
    style = defaults | css(element)
    if style.get("stroke", "none") == "none":
        return 0.0
    half = float(style.get("stroke-width", "1")) / 2
    if style.get("stroke-linejoin", "miter") in ("round", "bevel"):
        return half
    return half * max(1.0, float(style.get("stroke-miterlimit", "4")))


def style_defaults(root: ET.Element) -> dict[str, str]:
    """The declarations of the SVG's style sheet rule for ``*``."""
    sheet = " ".join(s.text or "" for s in root.iter(f"{SVG}style"))
    found = re.search(r"\*\s*\{([^}]*)\}", sheet)
    pairs = (item.split(":", 1) for item in (found.group(1) if found else "").split(";") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


def path_points(d: str) -> np.ndarray:
    assert set(re.sub(NUMBER, "", d)) <= set("MLQCz \n"), d  # absolute commands only
    return np.array([float(v) for v in NUMBER.findall(d)]).reshape(-1, 2)


def grown(points: np.ndarray, by: float) -> Rect:
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return (x0 - by, y0 - by, x1 + by, y1 + by)


def union(boxes: list[Rect]) -> Rect:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def text_box(element: ET.Element) -> Rect:
    """The estimated box of one line of SVG text (see above)."""
    from matplotlib.font_manager import FontProperties, findfont, get_font
    from matplotlib.textpath import TextToPath

    style = css(element)
    families = [f.strip().strip("'\"") for f in style["font-family"].split(",")]
    prop = FontProperties(
        family=families,
        size=float(style["font-size"].removesuffix("px")),
        style=style.get("font-style", "normal"),
        weight=style.get("font-weight", "normal"),
    )
    transform = element.get("transform", "")
    if element.get("x") is not None:
        x, y = float(element.get("x", "")), float(element.get("y", ""))
        rotation = re.fullmatch(r"rotate\((\S+) \S+ \S+\)", transform)
        assert transform == "" or (rotation and float(rotation.group(1)) == 0), transform
    else:
        found = re.fullmatch(r"translate\((\S+) (\S+)\)", transform)
        assert found, transform  # unrotated
        x, y = float(found.group(1)), float(found.group(2))
    width = TextToPath().get_text_width_height_descent(element.text or "", prop, ismath=False)[0]
    em = prop.get_size_in_points()
    font = get_font(findfont(prop))
    ascent, descent = font.ascender / font.units_per_EM * em, -font.descender / font.units_per_EM * em
    left = x - width * {"start": 0.0, "middle": 0.5, "end": 1.0}[style.get("text-anchor", "start")]
    return (left - 0.1 * em, y - ascent, left + width + 0.1 * em, y + descent)


def group_box(group: ET.Element, defaults: dict[str, str]) -> Rect:
    """The box of everything in a group: its paths (with their strokes) and its text."""
    boxes = [grown(path_points(p.get("d", "")), stroke_reach(p, defaults)) for p in group.iter(f"{SVG}path")]
    return union(boxes + [text_box(t) for t in group.iter(f"{SVG}text")])


@dataclass(frozen=True)
class Shape:
    """A drawn shape: the hull of its points, how far its stroke reaches beyond, and its box."""

    hull: np.ndarray
    reach: float

    @property
    def box(self) -> Rect:
        return grown(self.hull, self.reach)


def convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain; counter-clockwise in a y-up frame."""
    pts = sorted({(float(x), float(y)) for x, y in points})
    if len(pts) < 3:
        return np.array(pts)

    def half(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2 and (
                (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])
                <= 0
            ):
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def apart(a: Shape, b: Shape) -> bool:
    """Whether two shapes, with their strokes, do not touch: a separating axis among the edge
    normals of the two hulls with a gap wider than both strokes' reach (conservative)."""
    for hull in (a.hull, b.hull):
        for p, q in zip(hull, np.roll(hull, -1, axis=0), strict=True):
            normal = np.array([q[1] - p[1], p[0] - q[0]])
            if not normal.any():
                continue
            normal /= np.hypot(*normal)
            pa, pb = a.hull @ normal, b.hull @ normal
            if max(pb.min() - pa.max(), pa.min() - pb.max()) > a.reach + b.reach:
                return True
    return False


def overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class MapGeometry:
    """What the network map's SVG draws where, by SVG id."""

    labels: dict[str, Rect]  # label-<org_id>
    marks: dict[str, Shape]  # node-<org_id>
    heads: dict[str, Shape]  # <edge id>-head: the arrowhead with the stub of line it sits on
    tags: dict[str, Rect]  # <edge id>-tag
    targets: dict[str, str]  # <edge id>-head -> node-<org_id> it points at


def arrow_targets(data: FigureData) -> dict[str, str]:
    """The SVG id of every arrowhead the map should have -> the id of the mark it points at."""
    targets = {}
    for row in data.rows("partnerships"):
        targets[f"edge-{row['partnership_id']}-head"] = f"node-{row['partner_org_id']}"
    for row in data.rows("organizations"):
        if row["parent_org_id"]:
            targets[f"ownership-{row['org_id']}-head"] = f"node-{row['org_id']}"
    for row in data.rows("regulatory_actions"):
        targets[f"action-{row['action_id']}-head"] = f"node-{row['target_org_id']}"
    return targets


def map_geometry(svg: bytes, data: FigureData) -> MapGeometry:
    root = ET.fromstring(svg)
    defaults = style_defaults(root)
    defs = {p.get("id", ""): path_points(p.get("d", "")) for p in root.iter(f"{SVG}path") if p.get("id")}
    groups = {g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("id")}
    marks = {}
    for gid, group in groups.items():
        if gid.startswith("node-"):
            (use,) = group.iter(f"{SVG}use")
            points = defs[use.get(XLINK, "").removeprefix("#")] + (
                float(use.get("x", "")),
                float(use.get("y", "")),
            )
            marks[gid] = Shape(convex_hull(points), stroke_reach(use, defaults))
    heads = {}
    for gid, group in groups.items():
        if gid.endswith("-head"):
            paths = list(group.iter(f"{SVG}path"))
            points = np.vstack([path_points(p.get("d", "")) for p in paths])
            heads[gid] = Shape(convex_hull(points), max(stroke_reach(p, defaults) for p in paths))
    targets = arrow_targets(data)
    return MapGeometry(
        labels={gid: group_box(g, defaults) for gid, g in groups.items() if gid.startswith("label-")},
        marks=marks,
        heads=heads,
        tags={gid: group_box(g, defaults) for gid, g in groups.items() if gid.endswith("-tag")},
        targets={gid: targets[gid] for gid in heads},
    )


def collisions(geometry: MapGeometry) -> dict[str, list[tuple[str, str]]]:
    """Every pair of things on the map that touch, by kind; each list should be empty."""
    g = geometry
    boxes = lambda shapes: {k: s.box for k, s in shapes.items()}  # noqa: E731
    marks = boxes(g.marks)

    def pairs(a: dict[str, Rect], b: dict[str, Rect], *, skip=lambda x, y: False) -> list[tuple[str, str]]:
        return sorted((x, y) for x in a for y in b if x != y and not skip(x, y) and overlap(a[x], b[y]))

    return {
        "arrowhead on a label": pairs(boxes(g.heads), g.labels),
        "arrowhead on a mark": sorted(
            (h, m) for h, head in g.heads.items() for m, mark in g.marks.items() if not apart(head, mark)
        ),
        "tag on a label": pairs(g.tags, g.labels),
        "tag on a mark": pairs(g.tags, marks),
        "tag on an arrowhead": pairs(g.tags, boxes(g.heads)),
        "tag on a tag": pairs(g.tags, g.tags, skip=lambda x, y: x > y),
        "label on a label": pairs(g.labels, g.labels, skip=lambda x, y: x > y),
        "label on another's mark": pairs(
            g.labels, marks, skip=lambda x, y: x.removeprefix("label-") == y.removeprefix("node-")
        ),
    }


KINDS = [
    "arrowhead on a label",
    "arrowhead on a mark",
    "tag on a label",
    "tag on a mark",
    "tag on an arrowhead",
    "tag on a tag",
    "label on a label",
    "label on another's mark",
]


def hubs_package(root: Path, n: int = 36, hubs: int = 3) -> Path:
    """A package whose ties mostly point at three organizations, from every direction."""
    copy_package(root)
    org_type = next(f for f in read_schema("organizations")["fields"] if f["name"] == "org_type")
    types = org_type["constraints"]["enum"]
    orgs = [
        {
            "org_id": f"org-{i:02d}",
            "name": " ".join(WORDS[(i * k + k) % len(WORDS)] for k in range(1 + i % 3)),
            "aliases": "",
            "org_type": types[i % len(types)],
            "parent_org_id": "",
            "country": "",
            "description": "x",
            "notes": "",
        }
        for i in range(n)
    ]
    write_table(root, "organizations", orgs)
    pairs = [(i, i % hubs) for i in range(hubs, n)] + [((i + 1) % hubs, i) for i in range(hubs, n, 4)]
    pairs += [(h, (h + 1) % hubs) for h in range(hubs)]
    rels = ["footage_sharing", "network_access", "technology_supply", "investment", "affiliation"]
    statuses = ["active", "reported", "cancelled", "disputed", "ended", "announced"]
    ties = [
        {
            "partnership_id": f"tie-{j:03d}",
            "org_id": f"org-{a:02d}",
            "partner_org_id": f"org-{b:02d}",
            "relationship_type": rels[j % 5],
            "status": statuses[j % 6],
            "announced": "",
            "ended": "",
            "description": "x",
            "notes": "",
        }
        for j, (a, b) in enumerate(pairs)
    ]
    write_table(root, "partnerships", ties)
    features = read_rows("features")
    for k, feature in enumerate(features):
        feature["org_id"] = f"org-{k:02d}"
    write_table(root, "features", features)
    actions = read_rows("regulatory_actions")
    actions[0]["regulator_org_id"], actions[0]["target_org_id"] = "org-05", "org-00"
    write_table(root, "regulatory_actions", actions)
    return root


@pytest.fixture(scope="module")
def hubs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hubs_package(tmp_path_factory.mktemp("hubs") / "pkg")


@pytest.mark.parametrize("package", ["fixture", "synthetic", "hubs"])
def test_no_arrowhead_or_tag_lands_on_a_name_or_a_mark(package: str, request: pytest.FixtureRequest) -> None:
    """Issue 12 item 5: the cancelled Ring -> Flock Safety arrow ended on the name "Flock Safety".

    Read back from the SVG: every arrowhead keeps off every name and every mark (its own target's
    too), every tag off every name, mark, arrowhead and other tag, and names off each other and off
    other organizations' marks.
    """
    root = FIXTURE if package == "fixture" else request.getfixturevalue(package)
    data = figure_data(root)
    geometry = map_geometry(render(network_figure(data))["svg"], data)
    orgs = [r["org_id"] for r in data.rows("organizations")]
    assert sorted(geometry.labels) == sorted(f"label-{o}" for o in orgs)
    assert sorted(geometry.marks) == sorted(f"node-{o}" for o in orgs)
    assert sorted(geometry.heads) == sorted(arrow_targets(data))  # every arrow has its head
    tagged = [r for r in data.rows("partnerships") if r["status"] in ("cancelled", "disputed")]
    assert set(geometry.tags) <= {f"edge-{r['partnership_id']}-tag" for r in tagged}
    if package == "fixture":
        assert len(geometry.tags) == len(tagged) == 2
    assert collisions(geometry) == dict.fromkeys(KINDS, [])


def test_the_check_finds_an_arrowhead_on_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every name above its mark (as "Flock Safety" was), the check names the arrow and the name."""
    from surveillance_ties.documents.figures import placement

    def above(pos, sizes, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [placement.Name("above", placement.RADIUS + placement.GAP)] * len(sizes)

    monkeypatch.setattr(placement, "choose_names", above)
    data = figure_data(FIXTURE)
    found = collisions(map_geometry(render(network_figure(data))["svg"], data))
    assert found["arrowhead on a label"] == [
        ("action-ftc-ring-2023-settlement-head", "label-ring"),
        ("edge-flock-safety-ice-network-access-head", "label-ice"),
        ("edge-flock-safety-navy-network-access-head", "label-navy"),
        ("edge-ring-flock-safety-footage-sharing-head", "label-flock-safety"),  # issue 12's
        ("ownership-ring-head", "label-ring"),
    ]


def test_a_map_with_hubs_is_drawn_the_same_twice(hubs: Path) -> None:
    data = figure_data(hubs)
    assert render(network_figure(data)) == render(network_figure(data))


@pytest.mark.parametrize("marker", ["o", "s", "p", "h", "D", "v", "^", "X", "P", "<", ">", "d", "8", "*"])
def test_an_arrow_ends_just_clear_of_its_mark_from_every_side(marker: str) -> None:
    """The tip (and the head's corners) stop TIP_CLEAR points from the mark's outline, whatever
    the mark's shape and wherever the arrow comes from; the start START_CLEAR points from it."""
    from surveillance_ties.documents.figures import placement
    from surveillance_ties.documents.figures.network import outline

    shape = outline(marker)
    hull = placement.convex_hull(shape)
    assert np.array_equal(shape, hull)
    for k in range(24):
        angle = k * np.pi / 12 + 0.1
        source = np.array([np.cos(angle), np.sin(angle)]) * 80.0
        pos = np.array([source, (0.0, 0.0)])
        arrows = [placement.Arrow(0, 1, 8.0), placement.Arrow(1, 0, 8.0)]  # two, side by side
        starts, tips, heads = placement.arrow_ends(pos, arrows, [shape, shape])
        u = -source / 80.0
        normal = np.array([-u[1], u[0]])
        length, half = placement.HEAD_LENGTH * 8.0, placement.HEAD_HALF_WIDTH * 8.0
        corners = np.array(
            [tips[0], tips[0] - u * length + normal * half, tips[0] - u * length - normal * half]
        )
        gap = placement._distance(corners, shape).min()
        assert placement.TIP_CLEAR <= gap < placement.TIP_CLEAR + 0.05, (k, gap)
        assert placement.START_CLEAR <= placement._distance(starts[1], shape) < placement.START_CLEAR + 0.05
        assert abs(np.dot(tips[0] - starts[1], normal)) == pytest.approx(
            placement.PARALLEL, abs=0.02
        )  # side by side


def test_separate_keeps_an_owners_boxes_together() -> None:
    """Boxes of one owner may overlap each other; boxes of different owners are pushed apart."""
    centres = np.array([(50.0, 50.0), (60.0, 50.0)])
    extents = [(-5.0, -5.0, 5.0, 5.0), (0.0, -2.0, 20.0, 2.0), (-5.0, -5.0, 5.0, 5.0)]
    pos, fitted = separate(centres, extents, (0.0, 0.0, 200.0, 100.0), pad=2.0, owners=[0, 0, 1])
    assert fitted
    placed = [
        (pos[o][0] + e[0], pos[o][1] + e[1], pos[o][0] + e[2], pos[o][1] + e[3])
        for o, e in zip([0, 0, 1], extents, strict=True)
    ]
    assert overlaps(placed[0], placed[1])  # the same owner's
    assert not overlaps(placed[0], placed[2], 0.99) and not overlaps(placed[1], placed[2], 0.99)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(*[st.floats(-50, 50)] * 2, *[st.floats(0, 40)] * 2), min_size=1, max_size=6),
    st.lists(st.tuples(*[st.floats(-60, 60)] * 4), min_size=1, max_size=6),
)
def test_many_at_once_agree_with_one_at_a_time(boxes, segments) -> None:
    """The vectorised helpers of the layout give what the one-pair helpers give."""
    rects = [(x, y, x + w, y + h) for x, y, w, h in boxes]
    ends = [((s[0], s[1]), (s[2], s[3])) for s in segments]
    hits = segments_hit(np.array([p for p, _ in ends]), np.array([q for _, q in ends]), np.array(rects))
    assert hits.tolist() == [[segment_hits(p, q, r) for p, q in ends] for r in rects]
    assert boxes_overlap(np.array(rects), np.array(rects), 1.0).tolist() == [
        [overlaps(a, b, 1.0) for b in rects] for a in rects
    ]


# --- the timeline's geometry, read back from its SVG ----------------------------------------------
#
# Measured as the network map's is (see above). A row's band reaches halfway to the rows above and
# below it (the axes' top or bottom for the first and last row); a date label belongs to the row
# of its own mark.


@dataclass(frozen=True)
class TimelineGeometry:
    """What the timeline's SVG draws where, by SVG id."""

    rows: list[tuple[str, float, float, float]]  # row name, centre y, band top, band bottom
    marks: dict[str, Rect]  # event-<table>-<record id>-<field>: a point or a bar
    spans: dict[str, Rect]  # span-<table>-<record id>
    labels: dict[str, Rect]  # date-<table>-<record id>-<field>
    texts: dict[str, str]  # date-… -> the date written
    axes: Rect


def own_shapes(group: ET.Element):  # type: ignore[no-untyped-def]
    """The paths and uses drawn by a group (not the marker definitions it carries in <defs>)."""
    for child in group:
        if child.tag == f"{SVG}defs":
            continue
        if child.tag in (f"{SVG}path", f"{SVG}use"):
            yield child
        yield from own_shapes(child)


def timeline_geometry(svg: bytes) -> TimelineGeometry:
    root = ET.fromstring(svg)
    defaults = style_defaults(root)
    defs = {p.get("id", ""): path_points(p.get("d", "")) for p in root.iter(f"{SVG}path") if p.get("id")}
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "axes_1")
    groups = {g.get("id", ""): g for g in axes.iter(f"{SVG}g") if g.get("id")}

    def box(group: ET.Element) -> Rect:
        boxes = []
        for shape in own_shapes(group):
            if shape.tag == f"{SVG}use":
                points = defs[shape.get(XLINK, "").removeprefix("#")] + (
                    float(shape.get("x", "")),
                    float(shape.get("y", "")),
                )
            else:
                points = path_points(shape.get("d", ""))
            boxes.append(grown(points, stroke_reach(shape, defaults)))
        return union(boxes)

    background = next(g for g in axes if (g.get("id") or "").startswith("patch_"))  # the axes' own
    frame = grown(path_points(next(own_shapes(background)).get("d", "")), 0.0)
    # One grid line across the axes at the centre of every row, top to bottom.
    centres = []
    for group in axes:
        if (group.get("id") or "").startswith("line2d_"):
            points = path_points(next(own_shapes(group)).get("d", ""))
            if len({y for _, y in points}) == 1 and (points[:, 0].min(), points[:, 0].max()) == (
                frame[0],
                frame[2],
            ):
                centres.append(float(points[0, 1]))
    names = [text_of(g) for gid, g in groups.items() if re.fullmatch(r"ytick_\d+", gid)]
    assert centres == sorted(centres) and len(names) == len(centres), (names, centres)
    edges = [frame[1], *((a + b) / 2 for a, b in itertools.pairwise(centres)), frame[3]]
    return TimelineGeometry(
        rows=[(n, c, edges[i], edges[i + 1]) for i, (n, c) in enumerate(zip(names, centres, strict=True))],
        marks={gid: box(g) for gid, g in groups.items() if gid.startswith("event-")},
        spans={gid: box(g) for gid, g in groups.items() if gid.startswith("span-")},
        labels={
            gid: union([text_box(t) for t in g.iter(f"{SVG}text")])
            for gid, g in groups.items()
            if gid.startswith("date-")
        },
        texts={gid: text_of(g) for gid, g in groups.items() if gid.startswith("date-")},
        axes=frame,
    )


def gap(a: Rect, b: Rect) -> float:
    """The distance between two boxes (0 when they touch or overlap)."""
    return float(np.hypot(max(0.0, b[0] - a[2], a[0] - b[2]), max(0.0, b[1] - a[3], a[1] - b[3])))


EDGE_CLEAR = 2.0  # points that every mark and date keeps from the ends of the time axis


def misplaced_dates(geometry: TimelineGeometry) -> list[str]:
    """Every way a date label or a mark is out of place; the list should be empty."""
    g = geometry
    out = []

    def row_of(box: Rect) -> tuple[str, float, float, float]:
        middle = (box[1] + box[3]) / 2
        return min(g.rows, key=lambda r: abs(r[1] - middle))

    for mark, box in sorted(g.marks.items()):
        name, centre, _, _ = row_of(box)
        if abs((box[1] + box[3]) / 2 - centre) > 0.01:
            out.append(f"{mark}: not centred on a row")
        if box[0] < g.axes[0] + EDGE_CLEAR or box[2] > g.axes[2] - EDGE_CLEAR:
            out.append(f"{mark} in row {name!r}: at the edge of the time axis {box} {g.axes}")
    for label, box in sorted(g.labels.items()):
        mark = "event-" + label.removeprefix("date-")
        what = f"{label} {g.texts[label]!r}"
        if mark not in g.marks:
            out.append(f"{what}: no mark {mark}")
            continue
        name, _, top, bottom = row_of(g.marks[mark])
        where = f"{what} in row {name!r}"
        if box[1] < top or box[3] > bottom:
            out.append(f"{where}: outside the row's band {top:.1f}..{bottom:.1f} (its box {box})")
        if box[0] < g.axes[0] + EDGE_CLEAR or box[2] > g.axes[2] - EDGE_CLEAR:
            out.append(f"{where}: at the edge of the time axis {g.axes[0]:.1f}..{g.axes[2]:.1f} ({box})")
        for other, other_box in sorted(g.marks.items()):
            if overlap(box, other_box):
                out.append(f"{where}: on the mark {other}")
            elif other != mark and gap(box, other_box) <= gap(box, g.marks[mark]):
                out.append(f"{where}: as near the mark {other} as its own")
        for other, other_box in sorted(g.spans.items()):
            if overlap(box, other_box):
                out.append(f"{where}: on the line {other}")
        for other, other_box in sorted(g.labels.items()):
            if other != label and overlap(box, other_box):
                out.append(f"{where}: on the date {other} {g.texts[other]!r}")
    return out


def close_events_package(root: Path) -> Path:
    """The fixture with a tie announced in 2025-10 (a bar) and ended on 2026-02-12 (a point) close
    together, a feature launched in 2025-12 (a bar) in the row below, and a 2023 settlement (as the
    live package had them when the end's date was drawn in the feature's row)."""
    copy_package(root)
    ties = read_rows("partnerships")
    for tie in ties:
        if tie["partnership_id"] == "ring-flock-safety-footage-sharing":
            tie["announced"], tie["ended"] = "2025-10", "2026-02-12"
        else:
            tie["announced"] = tie["ended"] = ""
    write_table(root, "partnerships", ties)
    features = read_rows("features")
    for feature in features:
        feature["launched"] = "2025-12" if feature["feature_id"] == "ring-familiar-faces" else ""
        feature["discontinued"] = ""
    write_table(root, "features", features)
    actions = read_rows("regulatory_actions")
    actions[0]["action_date"] = "2023"
    write_table(root, "regulatory_actions", actions)
    return root


@pytest.mark.parametrize("package", ["fixture", "close events", "synthetic"])
def test_every_date_is_written_in_its_own_row_beside_its_own_mark(
    package: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The end of the cancelled Ring -> Flock Safety tie (2026-02-12) was written in the row below,
    over the bar of Ring: Familiar Faces, and its mark sat at the right end of the time axis.

    Read back from the SVG: every date lies in its own row's band, inside the time axis, on no mark,
    line or other date, and nearer its own mark than any other; every mark keeps off the axis' ends.
    """
    if package == "fixture":
        root = FIXTURE
    elif package == "close events":
        root = close_events_package(tmp_path / "pkg")
    else:
        root = request.getfixturevalue(package)
    data = figure_data(root)
    geometry = timeline_geometry(render(timeline_figure(data))["svg"])
    assert sorted(geometry.labels) == sorted("date-" + e.gid.removeprefix("event-") for e in events(data))
    assert sorted(geometry.marks) == sorted(e.gid for e in events(data))
    if package == "close events":
        assert [name for name, *_ in geometry.rows] == [
            "FTC → Ring: settlement",
            "Ring → Flock Safety: footage sharing (cancelled)",
            "Ring: Familiar Faces",
        ]
    assert misplaced_dates(geometry) == []


# --- the command and the optional extra -------------------------------------------------------


def test_figures_command_writes_four_files(tmp_path: Path, rendered: Path) -> None:
    result = CliRunner().invoke(main, ["figures", str(FIXTURE), "--out", str(tmp_path / "out")])
    assert (result.exit_code, result.output) == (
        0,
        "".join(f"wrote {tmp_path / 'out' / name}\n" for name in FILES),
    )
    assert snapshot(tmp_path / "out") == snapshot(rendered)


def test_figures_command_writes_into_docs_of_the_package_around_the_current_folder(
    tmp_path: Path, rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_package(tmp_path / "pkg")
    monkeypatch.chdir(root / "data")
    result = CliRunner().invoke(main, ["figures"])
    assert (result.exit_code, result.output) == (
        0,
        "".join(f"wrote {root / 'docs' / name}\n" for name in FILES),
    )
    assert snapshot(root / "docs") == snapshot(rendered)
    assert render_figures(root / "datapackage.json") == [root / "docs" / name for name in FILES]


def test_figures_command_on_a_folder_without_a_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["figures", str(tmp_path)])
    assert_one_line_error(
        result,
        2,
        f"{tmp_path}: this folder has no datapackage.json; give a package folder, its datapackage.json, "
        "a release zip, or an https:// URL of one",
    )
    assert list(tmp_path.iterdir()) == []


def test_without_matplotlib_the_commands_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(figures_module, "_has_matplotlib", lambda: False)
    message = (
        "drawing the figures needs matplotlib, which is not installed; "
        "install it with: pip install 'surveillance-ties[figures]'"
    )
    with pytest.raises(FiguresUnavailable) as exc:
        render_figures(FIXTURE, tmp_path / "out")
    assert str(exc.value) == message
    assert isinstance(exc.value, MissingDependencyError) and isinstance(exc.value, ImportError)
    root = copy_package(tmp_path / "pkg")
    before = snapshot(root)
    for args in (
        ["figures", str(root), "--out", str(tmp_path / "out")],
        ["figures", str(root)],
        ["docs", str(root)],
    ):
        assert_one_line_error(CliRunner().invoke(main, args), 2, message)
    assert not (tmp_path / "out").exists()
    assert snapshot(root) == before  # docs wrote neither DATA.md nor docs/CLI.md


@pytest.mark.parametrize("failing", ["network.svg", "timeline.png"])
def test_a_figures_write_that_fails_changes_nothing(
    failing: str, tmp_path: Path, rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while the first (or the last) figure is moved into place: the previous
    figures are all left as they were, with no temporary file."""
    root = copy_package(tmp_path / "pkg")
    (root / "docs").mkdir()
    for name in FILES:
        (root / "docs" / name).write_bytes(b"old " + name.encode() + b"\n")
    before = snapshot(root)
    target = root / "docs" / failing
    tried = disk_full(monkeypatch, at=target)
    result = CliRunner().invoke(main, ["figures", str(root)])
    assert target in tried, "the write of the failing file was attempted"
    assert_one_line_error(result, 2, f"{target}: {DISK_FULL}")
    assert snapshot(root) == before


def test_figures_do_not_follow_a_docs_link_out_of_the_package(tmp_path: Path) -> None:
    root = copy_package(tmp_path / "pkg")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "network.svg").write_text("someone else's file\n", encoding="utf-8")
    (root / "docs").symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(main, ["figures", str(root)])
    assert_one_line_error(
        result,
        2,
        f"{root / 'docs' / 'network.svg'}: its folder leads outside the package {root} (a link?); "
        "replace the link with a real folder",
    )
    assert snapshot(outside) == {"network.svg": b"someone else's file\n"}


def test_loader_modules_do_not_import_matplotlib() -> None:
    code = (
        "import sys, pathlib, surveillance_ties, surveillance_ties.documents.figures, "
        "surveillance_ties.documents.dictionary, surveillance_ties.documents.docs, "
        "surveillance_ties.documents.figures.data as d; "
        "from surveillance_ties.datapackage import open_package; "
        "root = pathlib.Path(sys.argv[1]); d.read_package(open_package(root), root); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURE)], capture_output=True, text=True, check=True
    )
    assert out.stdout == "[]\n"


# --- the layout helpers ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 400), st.floats(0, 300), st.floats(4, 60), st.floats(4, 20)),
        min_size=1,
        max_size=25,
    )
)
def test_separate_leaves_no_overlap_inside_the_frame(boxes) -> None:
    centres = np.array([(x, y) for x, y, _, _ in boxes])
    extents = [(-w / 2, -h / 2, w / 2, h / 2) for _, _, w, h in boxes]
    frame = (0.0, 0.0, 400.0, 300.0)
    pos, fitted = separate(centres, extents, frame, pad=2.0)
    placed = [(x + e[0], y + e[1], x + e[2], y + e[3]) for (x, y), e in zip(pos, extents, strict=True)]
    if fitted:
        assert all(inside(b, (-0.01, -0.01, 400.01, 300.01)) for b in placed)
        assert not any(overlaps(a, b, 0.9) for a, b in itertools.combinations(placed, 2))
    assert np.array_equal(pos, separate(centres, extents, frame, pad=2.0)[0])  # deterministic


def test_force_layout_is_deterministic_and_normalised() -> None:
    edges = [(0, 1), (1, 2), (2, 0), (3, 4)]
    first = force_layout(6, edges)
    assert np.array_equal(first, force_layout(6, edges))
    assert first.min() == 0.0 and first.max() == 1.0
    assert components(6, edges) == [[0, 1, 2], [3, 4], [5]]


def test_segment_hits() -> None:
    box = (0.0, 0.0, 10.0, 10.0)
    assert segment_hits((-5.0, 5.0), (15.0, 5.0), box)
    assert segment_hits((5.0, 5.0), (50.0, 50.0), box)
    assert not segment_hits((-5.0, 11.0), (15.0, 11.0), box)
    assert not segment_hits((11.0, -5.0), (20.0, 30.0), box)
