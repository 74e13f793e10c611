"""Colours, marks and matplotlib settings shared by the figures, and deterministic saving.

Colours are Paul Tol's colour-blind-safe schemes (https://personal.sron.nl/~pault/):
"light" for the organizations' fills, "vibrant" for lines. A value that a
schema adds later gets the next unused colour and mark of its scheme, so a new
``org_type`` or ``relationship_type`` is drawn without a code change.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Tol "light": fills of organization marks.
LIGHT = ["#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00", "#DDDDDD"]
# Tol "vibrant": lines and event marks.
VIBRANT = ["#0077BB", "#EE7733", "#009988", "#33BBEE", "#EE3377", "#CC3311", "#BBBBBB"]
INK = "#222222"  # text and outlines
MUTED = "#666666"  # secondary text, axes
GRID = "#E4E4E4"

ORG_TYPES: dict[str, tuple[str, str]] = {  # org_type -> (fill, marker)
    "company": ("#77AADD", "o"),
    "law_enforcement": ("#EE8866", "s"),
    "investor": ("#EEDD88", "p"),
    "government_agency": ("#FFAABB", "h"),
    "nonprofit": ("#99DDFF", "v"),
    "regulator": ("#44BB99", "D"),
    "military": ("#BBCC33", "^"),
    "other": ("#DDDDDD", "X"),
}
SPARE_MARKERS = ["P", "<", ">", "d", "8", "*"]

RELATIONSHIPS: dict[str, str] = {  # relationship_type -> line colour
    "footage_sharing": "#0077BB",
    "network_access": "#EE7733",
    "technology_supply": "#009988",
    "investment": "#33BBEE",
    "affiliation": "#EE3377",
}
OWNERSHIP_COLOUR = "#AAAAAA"
ACTION_COLOUR = "#CC3311"

# status -> (matplotlib dash pattern, line width, tag drawn on the line or "")
STATUSES: dict[str, tuple[Any, float, str]] = {
    "active": ("solid", 1.8, ""),
    "reported": ((0, (5.0, 2.0)), 1.5, ""),
    "announced": ((0, (2.0, 2.0)), 1.5, ""),
    "ended": ((0, (6.0, 2.0, 1.0, 2.0, 1.0, 2.0)), 1.5, ""),
    "disputed": ((0, (4.0, 1.5, 1.0, 1.5)), 1.5, "disputed"),
    "cancelled": ((0, (0.8, 1.6)), 1.8, "cancelled"),
}
STATUS_MEANINGS = {
    "active": "active",
    "reported": "reported, current state unknown",
    "announced": "announced, not yet in effect",
    "ended": "ended",
    "disputed": "disputed by a party",
    "cancelled": "cancelled before it took effect",
}

# Timeline: partial-date field -> (colour, marker, legend text)
EVENT_KINDS: dict[str, tuple[str, str, str]] = {
    "announced": ("#0077BB", "o", "tie announced or first reported"),
    "ended": ("#CC3311", "X", "tie ended or called off"),
    "launched": ("#009988", "^", "feature launched"),
    "discontinued": ("#EE7733", "v", "feature discontinued"),
    "action_date": ("#EE3377", "D", "regulatory action"),
}
SPARE_EVENT_COLOURS = ["#33BBEE", "#BBBBBB", "#000000"]

FONT_SIZE = 8.5
SMALL = 7.5
FIGURE_WIDTH = 8.0  # inches: 800 px at 100 dpi, the width of a README on GitHub
PNG_DPI = 200  # a sharp image on high-density screens, shown at half size

RC: dict[str, Any] = {
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: the same metrics everywhere
    "font.size": FONT_SIZE,
    "text.color": INK,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "legend.fontsize": SMALL,
    "legend.title_fontsize": FONT_SIZE,
    "legend.frameon": False,
    "svg.fonttype": "none",  # labels stay <text>, searchable and read by screen readers
    "svg.hashsalt": "surveillance-ties",  # fixed ids: the same data gives the same bytes
    "svg.id": None,
    "path.simplify": False,
    "text.hinting": "default",
}


@dataclass(frozen=True)
class Mark:
    """How one category is drawn."""

    colour: str
    marker: str = "o"


def category_marks(
    values: list[str], known: dict[str, tuple[str, str]], palette: list[str], markers: list[str]
) -> dict[str, Mark]:
    """A mark for every value: the known ones as given, new ones from the unused colours and markers."""
    used_colours = {c for c, _ in known.values()}
    used_markers = {m for _, m in known.values()}
    spare_colours = [c for c in palette if c not in used_colours] or palette
    spare_markers = [m for m in markers if m not in used_markers] or markers
    out: dict[str, Mark] = {}
    extra = 0
    for value in values:
        if value in known:
            out[value] = Mark(*known[value])
        else:
            out[value] = Mark(
                spare_colours[extra % len(spare_colours)], spare_markers[extra % len(spare_markers)]
            )
            extra += 1
    return out


def humanize(value: str) -> str:
    """``law_enforcement`` -> ``law enforcement``."""
    return value.replace("_", " ")


@contextmanager
def rc() -> Iterator[None]:
    """Apply the figures' matplotlib settings for the duration of a block (global state restored)."""
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]  # keys typed as literals
        yield


def heading(figure: Figure, title: str, subtitle: str, credit: str, margin: float) -> None:
    """Title and subtitle at the top left, a credit line at the bottom right (``margin`` in points).

    The figure's label becomes ``"<title>: <subtitle>"``, the SVG's ``<title>``.
    """
    w, h = figure.get_size_inches() * 72.0
    figure.text(
        margin / w, 1 - 10 / h, title, ha="left", va="top", fontsize=12, fontweight="bold", gid="title"
    )
    figure.text(
        margin / w, 1 - 27 / h, subtitle, ha="left", va="top", fontsize=FONT_SIZE, color=MUTED, gid="subtitle"
    )
    figure.text(
        1 - margin / w,
        8 / h,
        credit,
        ha="right",
        va="bottom",
        fontsize=SMALL - 0.5,
        color=MUTED,
        gid="credit",
    )
    figure.set_label(f"{title}: {subtitle}")


def render(figure: Figure) -> dict[str, bytes]:
    """``{"svg": …, "png": …}``: the figure's bytes in both formats; the same figure gives the same bytes.

    No dates go in; the creator names the matplotlib version, since another
    version may draw the same data differently. The SVG gets a ``<title>``
    (the figure's label) for screen readers, and its text stays text.
    """
    import matplotlib

    creator = f"surveillance-ties figures (matplotlib {matplotlib.__version__})"
    with rc():
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": creator})
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": creator})
    text = buffer.getvalue()
    label = str(figure.get_label() or "")
    if label:
        opening = text.index(">", text.index("<svg")) + 1
        text = f"{text[:opening]}\n <title>{html.escape(label)}</title>{text[opening:]}"
    return {"svg": text.encode("utf-8"), "png": png.getvalue()}
