"""Cell hygiene that spreadsheets break: white space at either end, text a spreadsheet would run
as a formula, rows whose every cell is empty. (The byte-level checks, BOM, line endings, encoding
and blank lines, run in :mod:`.read` on the bytes.)

Only the first and last character of each cell is looked at, so the cost does not grow with the
length of the text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveillance_ties.datapackage.text import WHITESPACE
from surveillance_ties.validation import strings
from surveillance_ties.validation.cells import short
from surveillance_ties.validation.read import Table
from surveillance_ties.validation.report import Collector

if TYPE_CHECKING:
    import numpy as np

#: A text cell starting with one of these runs as a formula in a spreadsheet.
FORMULA = ["=", "+", "-", "@", "\t", "\r"]
#: Types whose cells are not text: a leading sign there is a number, not a formula.
NUMERIC = frozenset({"integer", "number"})


def check_cells(t: Table, out: Collector) -> None:
    """``whitespace`` and ``formula`` for every column of the table."""
    schema = t.resource.schema
    types = {f.name: f.type for f in schema.fields} if schema is not None else {}
    for name, col in t.columns.items():
        text = types.get(name) not in NUMERIC
        found = (
            strings.edges(col, list(WHITESPACE), FORMULA) if text else strings.edges(col, list(WHITESPACE))
        )
        first, last = found[0]
        t.emit(
            out, "whitespace", name, first | last, lambda v: f"{short(v)} has white space at its start or end"
        )
        if text:
            t.emit(
                out,
                "formula",
                name,
                found[1][0],
                lambda v: (
                    f"{short(v)} starts with {short((v or ' ')[0])}, so a spreadsheet would run it as "
                    "a formula"
                ),
            )


def empty_rows(t: Table) -> np.ndarray | None:
    """Mask of the data rows whose every cell is empty, or None when there are none."""
    if t.data.num_columns == 0 or t.num_rows == 0:
        return None
    mask = strings.lengths(t.data.column(0)) == 0
    if not mask.any():
        return None
    for i in range(1, t.data.num_columns):
        mask &= strings.lengths(t.data.column(i)) == 0
    return mask if mask.any() else None
