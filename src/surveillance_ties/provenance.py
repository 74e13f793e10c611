"""Provenance rules: how a quote is compared with the archived text of its source.

A quote matches when it occurs in the archived text after both are *folded*:
runs of white space become one space and curly quotes become straight ones.
Nothing else is folded (no case folding, no Unicode normalisation), so a quote
that differs by a single letter does not match.
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold white space runs to one space and curly quotes to straight ones."""
    return _SPACE.sub(" ", text.translate(_QUOTES))


def quote_in_text(quote: str, text: str) -> bool:
    """True when ``quote`` occurs verbatim in ``text`` (after folding both)."""
    folded = fold(quote).strip()
    return bool(folded) and folded in fold(text)
