"""Cell hygiene that spreadsheets break: white space at either end, text a spreadsheet would run
as a formula, rows whose every cell is empty. (The byte-level checks, BOM, line endings, encoding
and blank lines, run in :mod:`.read` on the bytes.)

Only the first and last character of each cell is looked at, so the cost does not grow with the
length of the text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveillance_ties.validation.cells import short
from surveillance_ties.validation.read import Table
from surveillance_ties.validation.report import Collector

if TYPE_CHECKING:
    import numpy as np

#: The characters Python's ``str.isspace`` calls white space (as ``provenance.fold`` folds them).
WHITESPACE = [
    "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85", "\xa0", "\u1680",
    *(chr(c) for c in range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
]  # fmt: skip
#: A text cell starting with one of these runs as a formula in a spreadsheet.
FORMULA = ["=", "+", "-", "@", "\t", "\r"]
#: Types whose cells are not text: a leading sign there is a number, not a formula.
NUMERIC = frozenset({"integer", "number"})


def check_cells(t: Table, out: Collector) -> None:
    """``whitespace`` and ``formula`` for every column of the table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    space = pa.array(WHITESPACE, pa.string())
    formula = pa.array(FORMULA, pa.string())
    types = {f["name"]: f.get("type", "string") for f in (t.resource.schema or {}).get("fields", [])}
    for name, col in t.columns.items():
        first = pc.utf8_slice_codeunits(col, 0, 1)
        last = pc.utf8_slice_codeunits(col, -1)
        padded = pc.or_(pc.is_in(first, value_set=space), pc.is_in(last, value_set=space))
        t.emit(out, "whitespace", name, padded, lambda v: f"{short(v)} has white space at its start or end")
        if types.get(name) not in NUMERIC:
            t.emit(
                out,
                "formula",
                name,
                pc.is_in(first, value_set=formula),
                lambda v: f"{short(v)} starts with {short((v or ' ')[0])}, so a spreadsheet would run it as "
                "a formula",
            )


def empty_rows(t: Table) -> np.ndarray | None:
    """Mask of the data rows whose every cell is empty, or None when there are none."""
    import numpy as np
    import pyarrow.compute as pc

    if t.data.num_columns == 0 or t.num_rows == 0:
        return None
    mask = pc.equal(t.data.column(0), "")
    if not pc.any(mask).as_py():
        return None
    for i in range(1, t.data.num_columns):
        mask = pc.and_(mask, pc.equal(t.data.column(i), ""))
    out = np.asarray(mask.to_numpy(), dtype=bool)
    return out if out.any() else None
