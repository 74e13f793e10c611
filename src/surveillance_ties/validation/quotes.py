"""Find many quotes in a few archived texts at once, exactly and without a loop per quote.

Each quote is looked up by an *anchor*, its first 16 bytes (8 for a quote of 8 to 15 bytes,
all of a shorter one): the
positions of its archive's text that start with the same bytes are found by binary search in the
sorted keys of all windows of the texts (a key mixes the window's bytes and the text's number;
a collision only adds a candidate). Each (quote, position) candidate is then checked
exactly: the candidate substrings are built as an Arrow ``string_view`` array that points into
the texts (no copy per row in Python) and compared with the quotes by pyarrow. Work grows with
the total size of the texts and of the quotes, not with their product.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import arrow
from surveillance_ties.validation import strings

if TYPE_CHECKING:
    import numpy as np

ANCHOR = 16
_SEP = b"\xff"  # never part of UTF-8 text: no quote can match across two texts
_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)  # odd constants to mix (anchor, text) into one key


def _pack(body: np.ndarray, start: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` bytes (k <= 8) at each start packed into one uint64 (big-endian, zero-padded)."""
    import numpy as np

    grab = np.zeros((len(start), 8), dtype=np.uint8)
    grab[:, :k] = body[start[:, None] + np.arange(k)]
    return grab.view(">u8").ravel().astype(np.uint64)


def _windows(body: np.ndarray, n: int, k: int, skip: int = 0) -> np.ndarray:
    """:func:`_pack` of every position ``0..n-1`` (plus ``skip``), via a sliding window view."""
    import numpy as np

    grab = np.zeros((n, 8), dtype=np.uint8)
    view = np.lib.stride_tricks.sliding_window_view(body[skip:], k)[:n]
    grab[:, :k] = view
    return grab.view(">u8").ravel().astype(np.uint64)


def _key(head: np.ndarray, tail: np.ndarray | None, text: np.ndarray) -> np.ndarray:
    """One uint64 mixing a window's first 8 bytes, its next 8 (if any) and its text number."""
    import numpy as np

    with np.errstate(over="ignore"):
        mixed = head * np.uint64(_MIX[0]) + text.astype(np.uint64) * np.uint64(_MIX[1])
        mixed = mixed ^ (mixed >> np.uint64(29))
        out: np.ndarray = mixed if tail is None else mixed + tail * np.uint64(_MIX[1])
        return out


def occurs(quotes: Any, text_of: np.ndarray, texts: list[bytes]) -> np.ndarray:
    """Whether each quote (a pyarrow string array) occurs in ``texts[text_of[i]]``.

    Empty quotes never occur. Quotes and texts are compared byte for byte (fold them first).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    quotes = quotes.combine_chunks() if isinstance(quotes, pa.ChunkedArray) else quotes
    quotes = quotes.cast(pa.string())
    n = len(quotes)
    found = np.zeros(n, dtype=bool)
    if n == 0 or not texts:
        return found
    buf = _SEP.join(texts) + _SEP * ANCHOR
    body = np.frombuffer(buf, dtype=np.uint8)
    sizes = np.array([len(t) for t in texts], dtype=np.int64)
    text_start = np.concatenate(([0], np.cumsum(sizes + 1)[:-1]))
    text_end = text_start + sizes
    n_pos = len(buf) - ANCHOR
    pos_text = np.repeat(np.arange(len(texts), dtype=np.int64), sizes + 1)[:n_pos]
    off, qbody = strings._buffers(quotes)
    qstart = off[:-1]
    qlen = off[1:] - qstart
    anchor = np.where(qlen >= ANCHOR, ANCHOR, np.where(qlen >= 8, 8, qlen))  # bytes used as key
    for k in np.unique(anchor[qlen > 0]).tolist():
        rows = np.flatnonzero(anchor == k)
        head_k = min(k, 8)
        tkey = _key(
            _windows(body, n_pos, head_k),
            _windows(body, n_pos, k - 8, skip=8) if k > 8 else None,
            pos_text,
        )
        order = np.argsort(tkey)
        tsorted = tkey[order]
        qs = qstart[rows]
        qkey = _key(_pack(qbody, qs, head_k), _pack(qbody, qs + 8, k - 8) if k > 8 else None, text_of[rows])
        by_key = np.argsort(qkey)  # sorted needles make the binary searches cheap
        rows, qkey = rows[by_key], qkey[by_key]
        lo = np.searchsorted(tsorted, qkey, side="left")
        hi = np.searchsorted(tsorted, qkey, side="right")
        count = hi - lo
        total = int(count.sum())
        if total == 0:
            continue
        pair_row = np.repeat(rows, count)
        first = np.repeat(lo, count)
        step = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        pair_pos = order[first + step]
        length = qlen[pair_row]
        t = text_of[pair_row]
        inside = (pair_pos >= text_start[t]) & (pair_pos + length <= text_end[t])
        pair_row, pair_pos, length = pair_row[inside], pair_pos[inside], length[inside]
        if not len(pair_row):
            continue
        candidates = _views(pa.py_buffer(buf), body, pair_pos, length)
        wanted = _views(quotes.buffers()[2], qbody, qstart[pair_row], length)
        same = pc.equal(wanted, candidates)
        found[pair_row[arrow.numpy(same)]] = True
    return found


def _views(buf: Any, body: np.ndarray, start: np.ndarray, length: np.ndarray) -> Any:
    """A ``string_view`` array of the substrings ``body[start:start+length]`` (no bytes copied);
    ``buf`` is the pyarrow buffer that ``body`` views."""
    import numpy as np
    import pyarrow as pa

    m = len(start)
    views = np.zeros((m, 4), dtype="<i4")  # length, prefix or inline bytes, buffer index, offset
    views[:, 0] = length
    raw = views.view(np.uint8).reshape(m, 16)
    short = np.flatnonzero(length <= 12)
    if len(short):
        grab = np.minimum(start[short, None] + np.arange(12), len(body) - 1)
        inline = body[grab]
        inline[np.arange(12)[None, :] >= length[short, None]] = 0
        raw[short, 4:16] = inline
    long = np.flatnonzero(length > 12)
    if len(long):
        raw[long, 4:8] = body[start[long, None] + np.arange(4)]
        views[long, 3] = start[long]
    return pa.Array.from_buffers(pa.string_view(), m, [None, pa.py_buffer(views), buf])
