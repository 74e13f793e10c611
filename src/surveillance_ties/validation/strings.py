"""Cheap facts about every cell of a text column, read straight from Arrow's buffers with numpy.

(Arrays are built from numpy without pandas by :mod:`surveillance_ties.datapackage.arrow`.)

A pyarrow string array is an offsets buffer and one data buffer of UTF-8 bytes, so the length,
the first and the last character of every cell are a few vectorized gathers, without building a
new array of strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import arrow

if TYPE_CHECKING:
    import numpy as np


def _chunks(col: Any) -> list[Any]:
    import pyarrow as pa

    return list(col.chunks) if isinstance(col, pa.ChunkedArray) else [col]


def _buffers(arr: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a string array as numpy arrays (offsets adjusted for slicing)."""
    import numpy as np
    import pyarrow as pa

    if arr.type == pa.large_string():
        width = "<i8"
    elif arr.type == pa.string():
        width = "<i4"
    else:
        arr = arr.cast(pa.string())
        width = "<i4"
    _, offsets, data = arr.buffers()
    off = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
    body = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return off, body


def lengths(col: Any) -> np.ndarray:
    """Length in bytes of every cell."""
    import numpy as np

    parts = [np.diff(_buffers(a)[0]) for a in _chunks(col)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _encoded(chars: list[str]) -> tuple[set[int], dict[int, set[int]]]:
    """Single bytes, and multi-byte sequences as integers keyed by their length."""
    single: set[int] = set()
    multi: dict[int, set[int]] = {}
    for ch in chars:
        b = ch.encode("utf-8")
        if len(b) == 1:
            single.add(b[0])
        else:
            multi.setdefault(len(b), set()).add(int.from_bytes(b, "big"))
    return single, multi


def _code(body: np.ndarray, start: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` bytes at each start as one integer (big-endian); starts must leave room."""
    import numpy as np

    value = np.zeros(len(start), dtype=np.int64)
    for k in range(n):
        value = (value << 8) | body[start + k].astype(np.int64)
    return value


def _among(values: np.ndarray, wanted: set[int]) -> np.ndarray:
    """``np.isin`` for a handful of wanted values, without sorting."""
    import numpy as np

    hit = np.zeros(len(values), dtype=bool)
    for w in wanted:
        hit |= values == w
    return hit


def edges(col: Any, *sets: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each set of characters: masks of the cells whose first / last character is in it."""
    import numpy as np

    encoded = [_encoded(chars) for chars in sets]
    tables = []
    for single, _ in encoded:
        table = np.zeros(256, dtype=bool)
        table[sorted(single)] = True
        tables.append(table)
    result: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in sets]
    for arr in _chunks(col):
        off, body = _buffers(arr)
        start, stop = off[:-1], off[1:]
        size = stop - start
        live = size > 0
        if len(body):
            b0 = body[np.minimum(start, len(body) - 1)]
            bl = body[np.maximum(stop - 1, 0)]
            lead = np.flatnonzero(live & (b0 >= 0x80))
            tail = np.flatnonzero(live & (bl >= 0x80))
        for (_, multi), table, (firsts, lasts) in zip(encoded, tables, result, strict=True):
            if not len(body):
                firsts.append(np.zeros(len(start), dtype=bool))
                lasts.append(np.zeros(len(start), dtype=bool))
                continue
            first = live & table[b0]
            last = live & table[bl]
            for n, seqs in multi.items():
                leads = np.zeros(256, dtype=bool)
                leads[[q >> (8 * (n - 1)) for q in seqs]] = True
                finals = np.zeros(256, dtype=bool)
                finals[[q & 0xFF for q in seqs]] = True
                sub = lead[(size[lead] >= n) & leads[b0[lead]]]
                first[sub[_among(_code(body, start[sub], n), seqs)]] = True
                sub = tail[(size[tail] >= n) & finals[bl[tail]]]
                last[sub[_among(_code(body, stop[sub] - n, n), seqs)]] = True
            firsts.append(first)
            lasts.append(last)
    return [
        (
            np.concatenate(f) if f else np.zeros(0, dtype=bool),
            np.concatenate(la) if la else np.zeros(0, dtype=bool),
        )
        for f, la in result
    ]


def holding(col: Any, chars: list[str], counted: str) -> tuple[np.ndarray, int]:
    """Cells that hold any of ``chars`` (a mask), and how often ``counted`` occurs in all cells.

    One pass over each chunk's data buffer instead of one substring search per cell and
    character: ``bytes.find`` (memchr) first tells whether any wanted byte is there at all, which
    for most columns ends the work; otherwise the wanted bytes are found with a lookup table and
    mapped to their cells through the offsets. Characters that are more than one byte in UTF-8
    are searched per cell.
    """
    import numpy as np
    import pyarrow.compute as pc

    single, _ = _encoded(chars)
    table = np.zeros(256, dtype=bool)
    table[sorted(single)] = True
    wanted = [bytes((b,)) for b in sorted(single)]
    counted_bytes = counted.encode("utf-8")
    masks: list[np.ndarray] = []
    total = 0
    for arr in _chunks(col):
        off, body = _buffers(arr)
        mask = np.zeros(len(off) - 1, dtype=bool)
        if len(off) > 1 and off[-1] > off[0]:
            span = body[off[0] : off[-1]]
            raw = span.tobytes()
            total += raw.count(counted_bytes)
            if any(b in raw for b in wanted):
                at = np.flatnonzero(table[span]) + off[0]
                mask[np.searchsorted(off, at, side="right") - 1] = True
        masks.append(mask)
    out = np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    for ch in (c for c in chars if len(c.encode("utf-8")) > 1):
        out |= arrow.numpy(pc.match_substring(col, ch))
    return out, total


_DATE_SHAPE = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"


def partial_dates(col: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For partial dates ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``: ``(shaped, real, first, last)``.

    ``shaped``: the cell has one of the three forms; ``real``: it is also a date that exists
    (month 01-12, a day of that month); ``first``/``last``: the first and last day it may mean,
    as ``YYYYMMDD`` integers (0 where not real).
    """
    import numpy as np
    import pyarrow.compute as pc

    shaped = np.asarray(arrow.numpy(pc.match_substring_regex(col, _DATE_SHAPE)), dtype=bool)
    size = lengths(col)
    idx = np.flatnonzero(shaped)
    d = np.zeros((len(idx), 8), dtype=np.int64)
    at = [0, 1, 2, 3, 5, 6, 8, 9]
    base = 0
    for arr in _chunks(col):  # digits of the well-shaped cells only
        off, body = _buffers(arr)
        mine = idx[(idx >= base) & (idx < base + len(arr))]
        if len(mine) and len(body):
            where = np.minimum(off[mine - base][:, None] + np.array(at), len(body) - 1)
            d[np.searchsorted(idx, mine)] = body[where].astype(np.int64) - 48
        base += len(arr)
    n = len(size)
    year = np.zeros(n, dtype=np.int64)
    month = np.ones(n, dtype=np.int64)
    day = np.ones(n, dtype=np.int64)
    year[idx] = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    has_month = shaped & (size >= 7)
    has_day = shaped & (size == 10)
    month[idx] = np.where(has_month[idx], d[:, 4] * 10 + d[:, 5], 1)
    day[idx] = np.where(has_day[idx], d[:, 6] * 10 + d[:, 7], 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    safe_month = np.clip(month, 1, 12)
    dim = month_days[safe_month - 1] + ((safe_month == 2) & leap)
    real = shaped & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= dim)
    first = np.where(real, year * 10000 + month * 100 + day, 0)
    last_month = np.where(has_month, month, 12)
    last_dim = month_days[np.clip(last_month, 1, 12) - 1] + ((last_month == 2) & leap)
    last_day = np.where(has_day, day, last_dim)
    last = np.where(real, year * 10000 + last_month * 100 + last_day, 0)
    return shaped, real, first, last
