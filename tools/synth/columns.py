"""Whole-column building blocks (numpy and pyarrow compute, no loop per row) and the CSV writer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tools.synth.model import PREFIX

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_DAYS = np.asarray((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), dtype=np.int64)
_GATHER = 1 << 16  # rows per chunk when gathering quotes
_WRITE = 1 << 18  # rows per chunk when writing a CSV


def take(values: Sequence[str], idx: IntArray) -> Any:
    """A string array of ``values[idx[i]]``."""
    return pa.array(values, pa.string()).take(pa.array(idx))


def const(text: str, n: int) -> Any:
    """``n`` copies of ``text``."""
    return take((text,), np.zeros(n, dtype=np.int64))


def join(*parts: Any, sep: str = "") -> Any:
    """Element-wise concatenation of string arrays and scalars; a null part makes the result null."""
    return pc.binary_join_element_wise(*parts, sep)


def null_where(arr: Any, mask: BoolArray) -> Any:
    """``arr`` with nulls (empty cells) where ``mask`` is true."""
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)


def padded(values: IntArray, width: int) -> Any:
    """Integers as zero-padded text."""
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")


def ids(table: str, n: int, suffix: Any | None = None) -> Any:
    """Identifiers ``<prefix>-<0000001>[-<suffix>]``: fixed-width numbers, so sorted as generated."""
    number = padded(np.arange(1, n + 1, dtype=np.int64), max(7, len(str(n))))
    parts = [PREFIX[table], number] if suffix is None else [PREFIX[table], number, suffix]
    return join(*parts, sep="-")


def choice(rng: np.random.Generator, n: int, p: Sequence[float]) -> IntArray:
    """``n`` indices into ``p`` drawn with the (normalised) probabilities ``p``."""
    probs = np.asarray(p, dtype=np.float64)
    return rng.choice(len(probs), size=n, p=probs / probs.sum()).astype(np.int64)


def zipf(rng: np.random.Generator, pool: IntArray, n: int, a: float = 0.8) -> IntArray:
    """``n`` draws from ``pool`` where the k-th element has weight 1/k**a (a few big players)."""
    w = 1.0 / np.arange(1, len(pool) + 1, dtype=np.float64) ** a
    out: IntArray = pool[rng.choice(len(pool), size=n, p=w / w.sum())]
    return out


def precision(rng: np.random.Generator, n: int, empty: float) -> IntArray:
    """Date precisions: 0 empty (share ``empty``), 1 year, 2 month, 3 day (15/25/60 % of the rest)."""
    rest = 1.0 - empty
    return choice(rng, n, (empty, 0.15 * rest, 0.25 * rest, 0.60 * rest))


def dates(rng: np.random.Generator, years: IntArray, prec: IntArray) -> Any:
    """Real partial dates in ``years`` with the precision ``prec`` (see :func:`precision`)."""
    n = len(years)
    month = rng.integers(1, 13, size=n)
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    days_in_month = _DAYS[month - 1] + ((month == 2) & leap)
    day = 1 + (rng.random(n) * days_in_month).astype(np.int64)
    y = pc.cast(pa.array(years), pa.string())
    ym = join(y, padded(month, 2), sep="-")
    ymd = join(ym, padded(day, 2), sep="-")
    p = pa.array(prec)
    out = pc.if_else(pc.equal(p, 3), ymd, pc.if_else(pc.equal(p, 2), ym, y))
    return null_where(out, prec == 0)


def slices(buf: npt.NDArray[np.uint8], start: IntArray, end: IntArray) -> Any:
    """A string array of ``buf[start[i]:end[i]]`` (UTF-8 boundaries), gathered in chunks."""
    out = []
    for lo in range(0, len(start), _GATHER):
        s, e = start[lo : lo + _GATHER], end[lo : lo + _GATHER]
        length = e - s
        offsets = np.concatenate([[0], np.cumsum(length)]).astype(np.int32)
        idx = np.repeat(s - offsets[:-1], length) + np.arange(int(offsets[-1]), dtype=np.int64)
        out.append(
            pa.StringArray.from_buffers(
                len(s), pa.py_buffer(offsets.tobytes()), pa.py_buffer(buf[idx].tobytes())
            )
        )
    return pa.concat_arrays(out) if out else pa.array([], pa.string())


def _csv_cells(arr: Any) -> Any:
    """Quote the cells where CSV needs it (a comma, a quote or a line break), and only those."""
    needs = pc.match_substring_regex(arr, '[,"\r\n]')
    quoted = join('"', pc.replace_substring(arr, '"', '""'), '"')
    return pc.if_else(needs, quoted, arr)


def write_csv(path: Path, fields: list[str], cols: dict[str, Any]) -> None:
    """Write string columns as CSV: UTF-8, LF, a null as an empty cell, minimal quoting.

    Each chunk of rows is joined into lines by pyarrow and written straight
    from the resulting buffer.
    """
    cells = [_csv_cells(cols[f]) for f in fields]
    with open(path, "wb") as fh:
        fh.write((",".join(fields) + "\n").encode("utf-8"))
        for lo in range(0, len(cells[0]), _WRITE):
            part = [c.slice(lo, _WRITE) for c in cells]
            line = pc.binary_join_element_wise(*part, ",", null_handling="replace", null_replacement="")
            line = pc.binary_join_element_wise(line, "", "\n")  # each line plus "\n"
            offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)
            first, last = int(offsets[line.offset]), int(offsets[line.offset + len(line)])
            fh.write(memoryview(line.buffers()[2])[first:last])
