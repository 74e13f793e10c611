"""The network map and the timeline (issue 7): complete, honest about dates, deterministic, legible."""

from __future__ import annotations

import csv
import itertools
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from surveillance_ties import figures as figures_module
from surveillance_ties.cli import main
from surveillance_ties.figures import FiguresUnavailable, render_figures
from surveillance_ties.figures.data import read_package
from surveillance_ties.figures.layout import (
    components,
    force_layout,
    inside,
    overlaps,
    segment_hits,
    separate,
)
from surveillance_ties.figures.network import network_figure
from surveillance_ties.figures.style import RELATIONSHIPS
from surveillance_ties.figures.timeline import timeline_figure

from .conftest import ROOT, read_rows

SVG = "{http://www.w3.org/2000/svg}"
FILES = ["network.svg", "network.png", "timeline.svg", "timeline.png"]
# The partial-date fields of the tables that the timeline shows, by table.
DATE_FIELDS = {
    "partnerships": ("partnership_id", ["announced", "ended"]),
    "features": ("feature_id", ["launched", "discontinued"]),
    "regulatory_actions": ("action_id", ["date"]),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("figures")
    assert render_figures(ROOT, out) == [out / name for name in FILES]
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


def structure(path: Path) -> list[tuple[str, str]]:
    """The ids that the figures set (not matplotlib's own) and the text inside each."""
    ours = re.compile(r"^(node|label|edge|ownership|action|event|date|span|title|subtitle|credit|legend)-?")
    return sorted((i, text_of(el)) for i, el in by_id(path).items() if ours.match(i))


# --- current and deterministic ----------------------------------------------------------------


def test_committed_figures_equal_a_fresh_render(rendered: Path) -> None:
    # Regenerate with `surveillance-ties docs` after changing the data.
    committed_by = renderer((ROOT / "docs" / "network.svg").read_bytes())
    if committed_by == renderer((rendered / "network.svg").read_bytes()):
        for name in FILES:
            assert (ROOT / "docs" / name).read_bytes() == (rendered / name).read_bytes(), name
    else:  # another matplotlib draws differently: the same marks and words must still be there
        for name in ("network.svg", "timeline.svg"):
            assert structure(ROOT / "docs" / name) == structure(rendered / name), name


def test_rendering_twice_gives_identical_bytes(rendered: Path, tmp_path: Path) -> None:
    render_figures(ROOT, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (rendered / name).read_bytes(), name


def test_svg_has_a_title_and_no_date(rendered: Path) -> None:
    svg = (rendered / "network.svg").read_text(encoding="utf-8")
    assert (
        "<title>Who is tied to whom: 10 organizations and 7 ties between them, as the sources report them"
        in svg
    )
    assert "<dc:date>" not in svg
    assert renderer(svg.encode()) == f"surveillance-ties figures (matplotlib {matplotlib.__version__})"


# --- the network map ----------------------------------------------------------------------------


def test_every_organization_is_a_labelled_node(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    orgs = read_rows("organizations")
    assert orgs
    for org in orgs:
        node = ids[f"node-{org['org_id']}"]
        assert node.find(f".//{SVG}use") is not None or node.find(f".//{SVG}path") is not None
        assert text_of(ids[f"label-{org['org_id']}"]) == org["name"]
    assert sorted(i for i in ids if i.startswith("node-")) == sorted(f"node-{o['org_id']}" for o in orgs)


def test_every_partnership_is_an_edge_styled_by_type_and_status(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    ties = read_rows("partnerships")
    assert ties
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
    for action in read_rows("regulatory_actions"):
        assert ids[f"action-{action['action_id']}"].find(f"{SVG}path") is not None


def test_network_legend_explains_what_is_drawn(rendered: Path) -> None:
    ids = by_id(rendered / "network.svg")
    assert text_of(ids["legend-organization"]).split("  ") == [
        "Organization company law enforcement military regulator other"
    ]
    tie_legend = text_of(ids["legend-arrow"])
    for words in (
        "footage sharing",
        "network access",
        "technology supply",
        "affiliation",
        "owns",
        "regulatory action",
    ):
        assert words in tie_legend
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


def test_every_dated_event_is_on_the_timeline(rendered: Path) -> None:
    ids = by_id(rendered / "timeline.svg")
    expected = expected_events()
    assert len(expected) == 5
    assert sorted(i for i in ids if i.startswith("event-")) == sorted(expected)
    for gid, value in expected.items():
        assert text_of(ids["date-" + gid.removeprefix("event-")]) == value
    assert "span-partnerships-ring-flock-safety-footage-sharing" in ids
    assert text_of(ids["subtitle"]) == (
        "5 dated events in 4 records; the other 10 of 14 records have no date in their sources"
    )


def test_timeline_legend_states_the_precision_rule(rendered: Path) -> None:
    legend = text_of(by_id(rendered / "timeline.svg")["legend-date"])
    assert legend == (
        "Date precision day known: a point month known: a bar over the month year known: a bar over the year"
    )


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
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(ROOT / "datapackage.json", root)
    types = json.loads((ROOT / "schemas/organizations.schema.json").read_text())["fields"][3]["constraints"][
        "enum"
    ]
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
    return synthetic_package(tmp_path_factory.mktemp("synthetic"))


def test_dates_are_drawn_with_their_precision(synthetic: Path) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    fig = timeline_figure(read_package(synthetic))
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
def test_real_figures_are_legible(draw) -> None:
    assert_legible(draw(read_package(ROOT)))


@pytest.mark.parametrize("draw", [network_figure, timeline_figure], ids=["network", "timeline"])
def test_figures_of_50_organizations_are_legible(draw, synthetic: Path) -> None:
    fig = draw(read_package(synthetic))
    assert fig.get_size_inches()[0] == 8.0  # README width
    assert_legible(fig)


# --- the command and the optional extra -------------------------------------------------------


def test_figures_command_writes_four_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["figures", str(ROOT), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output == "".join(f"wrote {tmp_path / 'out' / name}\n" for name in FILES)


def test_figures_command_on_a_folder_without_a_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["figures", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {tmp_path / 'datapackage.json'}: no such file "
        "(give a package folder or its datapackage.json)\n"
    )


def test_without_matplotlib_the_command_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setattr(figures_module, "_has_matplotlib", lambda: False)
    with pytest.raises(FiguresUnavailable):
        render_figures(ROOT, tmp_path)
    result = CliRunner().invoke(main, ["figures", str(ROOT), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (
        "Error: drawing the figures needs matplotlib, which is not installed; "
        "install it with: pip install 'surveillance-ties[figures]'\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_loader_modules_do_not_import_matplotlib() -> None:
    code = (
        "import sys, surveillance_ties, surveillance_ties.figures, surveillance_ties.dictionary, "
        "surveillance_ties.docs, surveillance_ties.figures.data as d; d.read_package(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True)
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
