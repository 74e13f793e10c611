"""The network map and the timeline (issue 7): complete, honest about dates, deterministic, legible.

Drawn from the fixture package and from packages made here. Whether the repository's committed
figures are current is a check of the live data (test_live_documents.py).
"""

from __future__ import annotations

import csv
import errno
import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
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
    components,
    force_layout,
    inside,
    overlaps,
    segment_hits,
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

from .conftest import FIXTURE, copy_package, read_rows, read_schema

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
    real_replace = os.replace
    failed: list[str] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str], **kwargs: object) -> None:
        if Path(dst) == target and not failed:
            failed.append(os.fspath(src))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    result = CliRunner().invoke(main, ["figures", str(root)])
    assert failed, "the write of the failing file was attempted"
    assert_one_line_error(
        result,
        2,
        f"{target}: cannot write (No space left on device); nothing was changed; "
        "free some disk space and run the command again",
    )
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
