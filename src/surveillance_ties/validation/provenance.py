"""Provenance: archived texts exist under ``seeds/``, quotes occur in them, every record is cited.

Keyed off field names: the *sources* table is the one with ``source_id`` and ``archive_path``
(and ``cited_by`` for sources that are not archived); the *citations* table has ``source_id`` and
``quote`` (and ``record_table``/``record_id`` for the uncited-record check, whose cited tables are the
``enum`` of ``record_table``).

A quote matches when it occurs in the archived text of its source, or, for a source that is not
archived, of its ``cited_by`` source, after both are folded by the one folding rule
(:func:`surveillance_ties.datapackage.text.fold`): runs of white space to one space and curly quotes
to straight ones. Quotes are folded column-wise with pyarrow; each archive is read and
folded once; all quotes are then found at once, by the first bytes they start with
(:func:`surveillance_ties.validation.quotes.occurs`).
"""

from __future__ import annotations

from typing import Any

from surveillance_ties.datapackage import Package, PackageError, arrow
from surveillance_ties.datapackage.model import (
    ARCHIVE_PATH,
    CITED_BY,
    QUOTE,
    RECORD_ID,
    RECORD_TABLE,
    SOURCE_ID,
)
from surveillance_ties.datapackage.stores import unsafe_reason
from surveillance_ties.datapackage.text import CURLY as _CURLY
from surveillance_ties.datapackage.text import WHITESPACE, mismatch
from surveillance_ties.datapackage.text import fold as fold_text
from surveillance_ties.validation.cells import Links, record_links, says, short
from surveillance_ties.validation.quotes import occurs
from surveillance_ties.validation.read import Table
from surveillance_ties.validation.report import Collector

SEEDS = "seeds"
_SPACE_RUN = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"
_OTHER_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE if c != " ")
_SPACED = f"[{_OTHER_SPACE}]|  |^ | $"  # cells whose white space folding changes
_NEEDS = f"[{_OTHER_SPACE}{''.join(_CURLY)}]|  |^ | $"  # cells folding changes at all


def _find(tables: dict[str, Table], *fields: str) -> Table | None:
    return next((t for t in tables.values() if all(f in t.columns for f in fields)), None)


def fold_column(col: Any) -> Any:
    """:func:`surveillance_ties.datapackage.text.fold` over a whole text column, then stripped.

    Only the cells that need it (a curly quote, a white-space character other than a single
    space, or a space at either end) go through the regex replacement.
    """
    import pyarrow.compute as pc

    col = col.combine_chunks() if hasattr(col, "combine_chunks") else col
    needs = pc.match_substring_regex(col, _NEEDS)
    if not pc.any(needs).as_py():
        return col
    part = pc.filter(col, needs)
    for old, new in _CURLY.items():
        part = pc.replace_substring(part, old, new)
    spaced = pc.match_substring_regex(part, _SPACED)
    if pc.any(spaced).as_py():
        folded = pc.utf8_trim(pc.replace_substring_regex(pc.filter(part, spaced), _SPACE_RUN, " "), " ")
        part = pc.replace_with_mask(part, spaced, folded)
    return pc.replace_with_mask(col, needs, part)


def check_archives(package: Package, tables: dict[str, Table], out: Collector) -> dict[str, str]:
    """``archive-missing`` for archive paths that are not files under seeds/; the archived texts."""
    import pyarrow.compute as pc

    sources = _find(tables, SOURCE_ID, ARCHIVE_PATH)
    texts: dict[str, str] = {}
    if sources is None:
        return texts
    col = sources.columns[ARCHIVE_PATH]
    missing: list[str] = []
    for path in pc.unique(col).to_pylist():  # once per archive
        if not path:
            continue
        ok = unsafe_reason(path) is None and path.startswith(SEEDS + "/")
        if ok:
            try:
                texts[path] = package.read_bytes(path).decode("utf-8")
            except (PackageError, UnicodeDecodeError):
                ok = False
        if not ok:
            missing.append(path)
    if missing:
        mask = pc.is_in(col, value_set=arrow.strings(missing))
        sources.emit(
            out,
            "archive-missing",
            "archive_path",
            mask,
            lambda v: f"{short(v)} is not a readable UTF-8 file under {SEEDS}/",
        )
    return texts


def check_quotes(tables: dict[str, Table], raw: dict[str, str], out: Collector) -> None:
    """``quote-not-found`` for quotes absent from the archived text of their source (``raw``: the
    archived texts by path); each message says where the quote stops matching."""
    import numpy as np
    import pyarrow.compute as pc

    sources = _find(tables, SOURCE_ID, ARCHIVE_PATH)
    cites = _find(tables, SOURCE_ID, QUOTE)
    if sources is None or cites is None or cites.num_rows == 0:
        return
    texts = {path: fold_text(text) for path, text in raw.items()}
    ids = sources.columns[SOURCE_ID].combine_chunks()
    own = sources.columns[ARCHIVE_PATH].combine_chunks()
    archive = own
    if CITED_BY in sources.columns:  # a source that is not archived is checked against its citer
        citer = pc.index_in(sources.columns[CITED_BY].combine_chunks(), value_set=ids)
        archive = pc.if_else(pc.equal(archive, arrow.scalar("")), pc.take(archive, citer), archive)
    known = arrow.strings(sorted(texts))
    archive = pc.fill_null(archive, arrow.scalar(""))
    source_of = pc.index_in(cites.columns[SOURCE_ID], value_set=ids)
    archive_no = arrow.numpy(pc.take(pc.index_in(archive, value_set=known), source_of), null=-1)
    has_quote = ~arrow.numpy(cites.missing(QUOTE))
    # no archived text anywhere (not archived, not cited by an archived source): cannot be verbatim
    unarchived = arrow.numpy(pc.take(pc.equal(archive, arrow.scalar("")), source_of))
    nowhere = has_quote & unarchived
    rows = np.flatnonzero((archive_no >= 0) & has_quote)
    group = archive_no[rows].astype(np.int64)
    quote = cites.columns[QUOTE]
    quotes = fold_column(quote if len(rows) == len(quote) else pc.take(quote, arrow.ints(rows)))
    archive_texts = [texts[p].encode("utf-8") for p in known.to_pylist()]
    found = occurs(quotes, group, archive_texts)
    mask = nowhere.copy()
    mask[rows[~found]] = True
    source_ids = cites.columns[SOURCE_ID]
    names = ids.to_pylist()
    citers = sources.columns[CITED_BY].to_pylist() if CITED_BY in sources.columns else [""] * len(names)
    citer_of = dict(zip(names, citers, strict=True))
    own_of = dict(zip(names, own.to_pylist(), strict=True))
    path_of = dict(zip(names, archive.to_pylist(), strict=True))

    def message(i: int) -> str:
        text = str(quote[i].as_py())
        source = str(source_ids[i].as_py())
        path = path_of.get(source, "")
        shown = '"' + text.replace("\n", "\\n") + '"'
        if not path:
            return (
                f"{shown} cannot be checked: its source {source} has no archived text and is not linked "
                "from an archived source"
            )
        if own_of.get(source):
            where = f"the archived text of its source {source} ({path})"
        else:
            where = (
                f"the archived text of {citer_of.get(source)} ({path}), which links to its source {source}"
            )
        miss = mismatch(text, raw[path])
        if len(miss.matched) < 3:
            return f"{shown} is not in {where}: not even its first words are there"
        return (
            f'{shown} is not in {where}: after "{miss.before}" the text has "{miss.text_next}" '
            f'where the quote has "{miss.quote_next}"'
        )

    cites.emit(out, "quote-not-found", "quote", mask, lambda v: "", row_message=message)


def check_uncited(
    tables: dict[str, Table], out: Collector, links: dict[str, dict[str, Links]] | None = None
) -> None:
    """``uncited-record``: every record of the tables named in citations' ``record_table`` enum is
    cited. ``links`` holds :func:`~surveillance_ties.validation.cells.record_links` of citations
    tables by their names (made here when it lacks the one checked)."""
    import numpy as np
    import pyarrow.compute as pc

    cites = _find(tables, RECORD_TABLE, RECORD_ID)
    if cites is None or cites.resource.schema is None:
        return
    field = cites.resource.schema.field(RECORD_TABLE)
    mine = links.get(cites.resource.name) if links is not None else None
    by_table = record_links(cites, tables) if mine is None else mine
    for name in field.categories:  # once per cited table
        t = tables.get(name)
        if t is None:
            continue
        pk = t.primary_key
        if len(pk) != 1 or pk[0] not in t.columns:
            continue
        link = by_table.get(name)
        if link is None or link.found is None:  # no citation names this table
            uncited = np.flatnonzero(~arrow.numpy(t.missing(pk[0])))
        else:
            assert link.keyed is not None
            named = np.zeros(len(link.keyed), dtype=bool)
            named[link.found[link.found >= 0]] = True  # the first row of each key a citation names
            keys = link.keys
            if len(keys) > 1 and not pc.all(pc.less(keys.slice(0, len(keys) - 1), keys.slice(1))).as_py():
                # a key that repeats: its later rows are cited when its first one is
                named = named[arrow.numpy(pc.index_in(keys, value_set=keys)).astype(np.int64)]
            uncited = link.keyed[~named]
        mask = np.zeros(t.num_rows, dtype=bool)
        mask[uncited] = True
        t.emit(
            out,
            "uncited-record",
            pk[0],
            mask,
            says(f"has no citation in the citations table (table = {name})"),
        )
