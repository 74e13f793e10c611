"""The validation report: errors as data, an exact count per code, a stable JSON structure.

:class:`Report` and :class:`Error` are frozen dataclasses. ``Report.to_dict()`` returns this
structure (``format`` is bumped only when a key is renamed or removed; keys may be added)::

    {
      "format": 1,                      # version of this structure
      "path": "/abs/path/datapackage.json",
      "valid": false,                   # true when error_count == 0
      "readable": true,                 # false: the descriptor could not be read at all
      "error_count": 1234,              # every error found, exact
      "counts": {"type": 1200, "hash": 34},   # per code, exact, in the order of codes.CODES
      "shown": 1000,                    # len(errors)
      "truncated": true,                # error_count > shown (capped by max_errors)
      "errors": [                       # sorted by file, row, column, code
        {"code": "type", "file": "data/regulatory_actions.csv", "row": 2,
         "column": "amount", "value": "5.8m", "message": "...", "hint": "..."}
      ]
    }

``row`` is the line number as an editor shows it (1 = the header line), ``null`` for an error
about a whole file; ``column`` is a field name or ``null``; ``value`` is the offending cell text
or ``null``.

Checks add errors to a :class:`Collector`, either one at a time or as a whole batch of rows found
by a vectorized check; the collector counts every error but builds :class:`Error` objects only for
the ``max_errors`` it keeps, so a table full of bad cells costs no per-row Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surveillance_ties.validation.codes import CODES

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = ["Collector", "Error", "Report"]

FORMAT = 1
_CODE_ORDER = {c: i for i, c in enumerate(CODES)}


@dataclass(frozen=True)
class Error:
    """One problem: where it is, what is wrong and how to fix it."""

    code: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    hint: str

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready dict (keys as in the module docstring)."""
        return {
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`surveillance_ties.validate`: kept errors plus exact counts."""

    path: str
    errors: tuple[Error, ...]
    counts: Mapping[str, int]
    error_count: int
    readable: bool = True

    @property
    def valid(self) -> bool:
        """True when no error at all was found."""
        return self.error_count == 0

    @property
    def truncated(self) -> bool:
        """True when more errors were found than kept (see ``max_errors``)."""
        return self.error_count > len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON structure (see the module docstring)."""
        return {
            "format": FORMAT,
            "path": self.path,
            "valid": self.valid,
            "readable": self.readable,
            "error_count": self.error_count,
            "counts": dict(self.counts),
            "shown": len(self.errors),
            "truncated": self.truncated,
            "errors": [e.to_dict() for e in self.errors],
        }


Message = Callable[[str | None], str]


@dataclass
class _Batch:
    """Rows of one table that fail one check on one column."""

    code: str
    file: str
    column: str | None
    idx: np.ndarray  # row positions in the table (0 = first data row), ascending
    values: pa.Array | pa.ChunkedArray | Sequence[str] | None  # aligned with the table, or None
    message: Message
    hint: str
    lines: Callable[[np.ndarray], np.ndarray]
    row_message: Callable[[int], str] | None = None  # a message for a row position, instead


@dataclass
class Collector:
    """Gathers errors from every check; :meth:`report` sorts, caps and counts them."""

    path: str
    file_order: dict[str, int] = field(default_factory=dict)
    column_order: dict[tuple[str, str], int] = field(default_factory=dict)
    _single: list[Error] = field(default_factory=list)
    _batches: list[_Batch] = field(default_factory=list)

    def errors_in(self, file: str) -> int:
        """How many errors (single ones and batches) point at ``file`` so far."""
        return sum(e.file == file for e in self._single) + sum(b.file == file for b in self._batches)

    def order_file(self, file: str, columns: Sequence[str] = ()) -> None:
        """Declare a file (and its columns) so errors sort in package order."""
        self.file_order.setdefault(file, len(self.file_order))
        for i, name in enumerate(columns):
            self.column_order.setdefault((file, name), i)

    def add(
        self,
        code: str,
        file: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        hint: str | None = None,
    ) -> None:
        """Add one error."""
        self._single.append(Error(code, file, row, column, value, message, hint or CODES[code].hint))

    def add_rows(
        self,
        code: str,
        file: str,
        column: str | None,
        idx: np.ndarray,
        values: pa.Array | pa.ChunkedArray | Sequence[str] | None,
        message: Message,
        lines: Callable[[np.ndarray], np.ndarray],
        hint: str | None = None,
        row_message: Callable[[int], str] | None = None,
    ) -> None:
        """Add one error per position in ``idx`` (row positions of a table, ascending).

        ``values`` is the whole column (indexed by position) or None; ``message`` turns a cell
        value into the message (``row_message``, when given, a row position: for messages that
        need more of the row); ``lines`` maps positions to editor line numbers. Messages are made
        only for the errors the report keeps.
        """
        if len(idx):
            self._batches.append(
                _Batch(code, file, column, idx, values, message, hint or CODES[code].hint, lines, row_message)
            )

    def counts(self) -> dict[str, int]:
        """Exact number of errors per code, in the order of ``CODES``."""
        out: dict[str, int] = {}
        for e in self._single:
            out[e.code] = out.get(e.code, 0) + 1
        for b in self._batches:
            out[b.code] = out.get(b.code, 0) + len(b.idx)
        return {c: out[c] for c in sorted(out, key=_CODE_ORDER.__getitem__)}

    def report(self, max_errors: int | None = None, *, readable: bool = True) -> Report:
        """The report: every error counted, the first ``max_errors`` (all when None) kept."""
        counts = self.counts()
        total = sum(counts.values())
        limit = total if max_errors is None else max(0, max_errors)
        candidates: list[Error] = list(self._single)
        for b in self._batches:
            candidates.extend(_materialize(b, limit))
        big = len(self.file_order) + 1
        candidates.sort(
            key=lambda e: (
                self.file_order.get(e.file, big),
                e.file,
                -1 if e.row is None else e.row,
                self.column_order.get((e.file, e.column or ""), -1),
                _CODE_ORDER[e.code],
            )
        )
        return Report(self.path, tuple(candidates[:limit]), counts, total, readable)


def _materialize(batch: _Batch, limit: int) -> list[Error]:
    """Error objects for the first ``limit`` rows of a batch (only those are ever built)."""
    idx = batch.idx[:limit]
    if not len(idx):
        return []
    lines = batch.lines(idx)
    values: list[str | None]
    if batch.values is None:
        values = [None] * len(idx)
    elif isinstance(batch.values, Sequence):
        values = [batch.values[int(i)] for i in idx]
    else:
        from surveillance_ties.datapackage import arrow

        values = batch.values.take(arrow.ints(idx)).to_pylist()
    return [
        Error(
            batch.code,
            batch.file,
            int(line),
            batch.column,
            v,
            batch.row_message(int(i)) if batch.row_message is not None else batch.message(v),
            batch.hint,
        )
        for i, line, v in zip(idx, lines, values, strict=True)
    ]
