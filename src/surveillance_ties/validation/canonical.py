"""``not-canonical``: a table that ``surveillance-ties format`` would rewrite.

The canonical form is defined once, in :mod:`surveillance_ties.datapackage.canonical`; this is the
same rule on whole columns. A table whose bytes already break a rule with its own error code
(encoding, byte order mark, CR line ends, blank or ragged rows, unclosed quotes) is not reported
again. For the others, two things are checked:

- the rows are in primary-key order (a comparison of each row with the next, column by column);
- the file has exactly the size its cells have when written canonically: each cell's bytes, two
  quotes and a doubled quote character for each cell that needs quoting
  (:func:`~surveillance_ties.datapackage.canonical.needs_quotes`), a delimiter between cells and a
  line feed after each record. With no CR, no blank line and a line feed at the end (checked
  first), a file that parses to these cells has that size only when it is quoted minimally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import arrow
from surveillance_ties.datapackage.canonical import table_text
from surveillance_ties.validation import strings

if TYPE_CHECKING:
    import numpy as np

    from surveillance_ties.validation.read import Table
    from surveillance_ties.validation.report import Collector

FIX = "run `surveillance-ties format`"


def _quoted_size(col: Any, delimiter: str, quote: str, alone: bool) -> int:
    """Bytes of a column's cells written canonically (without delimiters and line ends).

    Every cell that holds a quote needs quoting, so the doubled quotes add one byte per quote
    character in the column.
    """
    needs, quotes = strings.holding(col, [delimiter, quote, "\n", "\r"], quote)
    size = strings.lengths(col)
    if alone:
        needs |= size == 0
    return int(size.sum() + 2 * needs.sum() + quotes)


def _out_of_order(t: Table) -> np.ndarray | None:
    """Positions of the rows that sort before the row above them (by the primary key), or None."""
    import numpy as np
    import pyarrow.compute as pc

    pk = t.primary_key
    if not pk or not all(f in t.columns for f in pk) or t.num_rows < 2:
        return None
    n = t.num_rows
    settled = np.zeros(n - 1, dtype=bool)  # the order of row i and row i + 1 is decided (correctly)
    undecided = np.ones(n - 1, dtype=bool)  # equal on every field so far
    for name in pk:
        col = t.columns[name]
        before, after = col.slice(0, n - 1), col.slice(1)
        less = arrow.numpy(pc.less(before, after))
        equal = arrow.numpy(pc.equal(before, after))
        settled |= undecided & less
        undecided &= equal
    wrong = ~(settled | undecided)
    return np.flatnonzero(wrong) + 1 if wrong.any() else None


def check_canonical(t: Table, out: Collector) -> None:
    """Report a table (once) that is not in its canonical form, naming the first reason."""
    import numpy as np

    if not t.clean:
        return
    file = t.file
    unordered = _out_of_order(t)
    if unordered is not None:
        line, above = (int(n) for n in t.lines(np.array([unordered[0], unordered[0] - 1])))
        key = ", ".join(t.primary_key)
        message = (
            f"the rows are not in primary-key order ({key}): line {line} sorts before line {above}; {FIX}"
        )
        out.add("not-canonical", file, message, row=line)
        return
    if not t.final_newline:
        last = int(t.lines(np.array([t.num_rows - 1]))[0]) if t.num_rows else 1
        out.add("not-canonical", file, f"the last line has no line break; {FIX}", row=last)
        return
    dialect = t.resource.dialect
    alone = len(t.header) == 1
    expected = len(table_text(t.header, [], dialect).encode("utf-8")) + t.num_rows * len(t.header)
    for i in range(t.data.num_columns):
        expected += _quoted_size(t.data.column(i), dialect.delimiter, dialect.quote_char, alone)
    if expected != t.size:
        why = (
            "some cells are quoted where no quote is needed"
            if t.size > expected
            else "some cells that hold a quote, the delimiter or a line break are not quoted"
        )
        out.add(
            "not-canonical",
            file,
            f"{why} ({t.size} bytes, {expected} when written canonically); {FIX}",
        )
