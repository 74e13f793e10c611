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
                wanted = np.array(sorted(seqs), dtype=np.int64)
                sub = lead[size[lead] >= n]
                first[sub[np.isin(_code(body, start[sub], n), wanted)]] = True
                sub = tail[size[tail] >= n]
                last[sub[np.isin(_code(body, stop[sub] - n, n), wanted)]] = True
            firsts.append(first)
            lasts.append(last)
    return [
        (
            np.concatenate(f) if f else np.zeros(0, dtype=bool),
            np.concatenate(la) if la else np.zeros(0, dtype=bool),
        )
        for f, la in result
    ]


_DATE_SHAPE = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"


def partial_dates(col: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For partial dates ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``: ``(shaped, real, first, last)``.

    ``shaped``: the cell has one of the three forms; ``real``: it is also a date that exists
    (month 01-12, a day of that month); ``first``/``last``: the first and last day it may mean,
    as ``YYYYMMDD`` integers (0 where not real).
    """
    import numpy as np
    import pyarrow.compute as pc

    shaped = np.asarray(
        pc.fill_null(pc.match_substring_regex(col, _DATE_SHAPE), False).to_numpy(), dtype=bool
    )
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


def needs_fold(col: Any) -> tuple[np.ndarray, np.ndarray]:
    """Cells that :func:`surveillance_ties.provenance.fold` (then strip) may change: ``(curly,
    space)`` masks, for a curly quote, and for a white-space character other than a single
    space, two spaces in a row or a space at either end. May flag a few cells that folding leaves
    alone (never the other way round)."""
    import numpy as np

    ascii_space = np.zeros(256, dtype=bool)
    ascii_space[[9, 10, 11, 12, 13, 28, 29, 30, 31]] = True
    curly_parts: list[np.ndarray] = []
    space_parts: list[np.ndarray] = []
    for arr in _chunks(col):
        off, body = _buffers(arr)
        n = len(off) - 1
        curly = np.zeros(n, dtype=bool)
        space_flag = np.zeros(n, dtype=bool)
        if len(body):
            hit = ascii_space[body]
            space = body == 32
            hit[:-1] |= space[:-1] & space[1:]
            lead = np.flatnonzero((body == 0xC2) | ((body >= 0xE1) & (body <= 0xE3)))
            quote_at = np.zeros(0, dtype=np.int64)
            if len(lead):
                nxt = body[np.minimum(lead + 1, len(body) - 1)]
                nxt2 = body[np.minimum(lead + 2, len(body) - 1)]
                b = body[lead]
                special = (
                    ((b == 0xC2) & ((nxt == 0x85) | (nxt == 0xA0)))
                    | ((b == 0xE1) & (nxt == 0x9A) & (nxt2 == 0x80))
                    | ((b == 0xE2) & (nxt == 0x80) & ((nxt2 <= 0x8A) | (nxt2 == 0xA8) | (nxt2 == 0xA9)
                                                     | (nxt2 == 0xAF)))
                    | ((b == 0xE2) & (nxt == 0x81) & (nxt2 == 0x9F))
                    | ((b == 0xE3) & (nxt == 0x80) & (nxt2 == 0x80))
                )  # fmt: skip
                hit[lead[special]] = True
                is_quote = (b == 0xE2) & (nxt == 0x80) & ((nxt2 == 0x98) | (nxt2 == 0x99) | (nxt2 == 0x9C)
                                                           | (nxt2 == 0x9D))  # fmt: skip
                quote_at = lead[is_quote]
            curly[np.searchsorted(off, quote_at, side="right") - 1] = True
            space_flag[np.searchsorted(off, np.flatnonzero(hit), side="right") - 1] = True
            size = off[1:] - off[:-1]
            live = size > 0
            space_flag |= live & (body[np.minimum(off[:-1], len(body) - 1)] == 32)
            space_flag |= live & (body[np.maximum(off[1:] - 1, 0)] == 32)
        curly_parts.append(curly)
        space_parts.append(space_flag)
    if not curly_parts:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    return np.concatenate(curly_parts), np.concatenate(space_parts)
