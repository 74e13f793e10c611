"""Cheap facts about every cell of a text column, read straight from Arrow's buffers with numpy.

A pyarrow string array is an offsets buffer and one data buffer of UTF-8 bytes, so the length,
the first and the last character of every cell are a few vectorized gathers, without building a
new array of strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
        width = np.int64
    elif arr.type == pa.string():
        width = np.int32
    else:
        arr = arr.cast(pa.string())
        width = np.int32
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


def edges(col: Any, chars: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the cells whose first / last character is one of ``chars``."""
    import numpy as np

    single, multi = _encoded(chars)
    table = np.zeros(256, dtype=bool)
    table[sorted(single)] = True
    firsts: list[np.ndarray] = []
    lasts: list[np.ndarray] = []
    for arr in _chunks(col):
        off, body = _buffers(arr)
        start, stop = off[:-1], off[1:]
        size = stop - start
        if not len(body):
            firsts.append(np.zeros(len(start), dtype=bool))
            lasts.append(np.zeros(len(start), dtype=bool))
            continue
        live = size > 0
        b0 = body[np.minimum(start, len(body) - 1)]
        bl = body[np.maximum(stop - 1, 0)]
        first = live & table[b0]
        last = live & table[bl]
        if multi:
            lead = np.flatnonzero(live & (b0 >= 0x80))
            tail = np.flatnonzero(live & (bl >= 0x80))
            for n, seqs in multi.items():
                wanted = np.array(sorted(seqs), dtype=np.int64)
                sub = lead[size[lead] >= n]
                first[sub[np.isin(_code(body, start[sub], n), wanted)]] = True
                sub = tail[size[tail] >= n]
                last[sub[np.isin(_code(body, stop[sub] - n, n), wanted)]] = True
        firsts.append(first)
        lasts.append(last)
    if not firsts:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    return np.concatenate(firsts), np.concatenate(lasts)


_DATE_SHAPE = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"


def partial_dates(col: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For partial dates ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``: ``(shaped, real, first, last)``.

    ``shaped``: the cell has one of the three forms; ``real``: it is also a date that exists
    (month 01-12, a day of that month); ``first``/``last``: the first and last day it may mean,
    as ``YYYYMMDD`` integers (0 where not real).
    """
    import numpy as np
    import pyarrow.compute as pc

    shaped = np.asarray(pc.fill_null(pc.match_substring_regex(col, _DATE_SHAPE), False).to_numpy(), dtype=bool)
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
    real = shaped & (month >= 1) & (month <= 12) & (day >= 1) & (day <= dim)
    first = np.where(real, year * 10000 + month * 100 + day, 0)
    last_month = np.where(has_month, month, 12)
    last_dim = month_days[np.clip(last_month, 1, 12) - 1] + ((last_month == 2) & leap)
    last_day = np.where(has_day, day, last_dim)
    last = np.where(real, year * 10000 + last_month * 100 + last_day, 0)
    return shaped, real, first, last
