"""Two text rules used everywhere: how a quote is compared with its source, and how a cell is shown.

**Folding.** A quote matches its archived text when it occurs in it after both are *folded*: every
run of white space (the characters ``str.isspace`` calls white space, :data:`WHITESPACE`) becomes
one space, and curly quotes become straight ones (:data:`CURLY`). Nothing else is folded: no case
folding, no Unicode normalisation, so a quote that differs by one letter does not match. The
validator folds whole columns with the same two constants.

**Printing.** A cell may hold control characters (ESC, CR, a bidirectional override) that a
terminal would act on. :func:`printable` writes them as visible escapes (``\\x1b``), so output
never moves the cursor, clears the screen or reverses text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CURLY", "WHITESPACE", "Mismatch", "fold", "fold_map", "mismatch", "printable", "quote_in_text"]

#: The characters Python's ``str.isspace`` calls white space (a test checks the list is complete).
WHITESPACE: tuple[str, ...] = (
    "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85", "\xa0", "\u1680",
    *(chr(c) for c in range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
)  # fmt: skip
#: Curly quotes and the straight quote each folds to.
CURLY: dict[str, str] = {"‘": "'", "’": "'", "“": '"', "”": '"'}

_SPACE = re.compile("[" + "".join(re.escape(c) for c in WHITESPACE) + "]+")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def fold(text: str) -> str:
    """``text`` with every run of white space made one space and curly quotes made straight."""
    for curly, straight in CURLY.items():
        text = text.replace(curly, straight)
    return _SPACE.sub(" ", text)


def quote_in_text(quote: str, text: str) -> bool:
    """True when ``quote`` occurs in ``text`` after both are folded (an empty quote never does)."""
    folded = fold(quote).strip()
    return bool(folded) and folded in fold(text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters other than line feed and tab, and bidirectional
    controls, written as visible escapes (``\\x1b``, ``\\u202e``)."""
    return _UNPRINTABLE.sub(_escape, text)


def fold_map(text: str) -> tuple[str, list[int]]:
    """:func:`fold` of ``text``, and for each character of it (and its end) the index in ``text``
    where it comes from, so that a match in the folded text can be shown as the text has it."""
    out: list[str] = []
    index: list[int] = []
    i = 0
    for run in _SPACE.finditer(text):
        for j in range(i, run.start()):
            out.append(CURLY.get(text[j], text[j]))
            index.append(j)
        out.append(" ")
        index.append(run.start())
        i = run.end()
    for j in range(i, len(text)):
        out.append(CURLY.get(text[j], text[j]))
        index.append(j)
    index.append(len(text))
    return "".join(out), index


@dataclass(frozen=True)
class Mismatch:
    """Where a quote stops matching a text: the longest start of the quote the text contains.

    ``matched`` is that start (as the quote has it, folded); ``before`` the last words of it;
    ``text_next`` what the text has after it, ``quote_next`` what the quote has instead (both
    folded, a few words each). ``matched`` is empty when not even the first character occurs. The
    short ones start or end with ``…`` where they were cut.
    """

    matched: str
    before: str
    text_next: str
    quote_next: str


def mismatch(quote: str, text: str, context: int = 30) -> Mismatch:
    """Where the folded ``quote`` stops matching the folded ``text`` (see :class:`Mismatch`)."""
    q = fold(quote).strip()
    t = fold(text)
    lo, hi = 0, len(q)  # the longest k with q[:k] in t: a shorter start occurs whenever a longer one does
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if q[:mid] in t:
            lo = mid
        else:
            hi = mid - 1
    at = t.find(q[:lo]) + lo if lo else 0
    n = context // 2

    return Mismatch(
        matched=q[:lo],
        before=("…" if lo > context else "") + q[max(0, lo - context) : lo],
        text_next=(t[at : at + n] + ("…" if at + n < len(t) else "")) if lo else "",
        quote_next=q[lo : lo + n] + ("…" if lo + n < len(q) else ""),
    )
