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

__all__ = ["CURLY", "WHITESPACE", "fold", "printable", "quote_in_text"]

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
