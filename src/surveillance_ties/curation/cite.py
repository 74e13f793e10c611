"""``cite``: add a citation from the archived text itself, so a contributor never types a quote by hand.

Given a record (table and primary key), the source that backs it, and either the exact quote or a
few words of it, :func:`cite` finds the passage in the archived text of the source (or of the
archived source that links to it), refuses a passage that is not there or not unique (showing
where the text differs, or the candidates), and adds a row to the citations table with the next
free id (``<record id>-<n>``). The quote is stored as the archive writes it, character for
character; with ``words`` it is the whole sentence around them. Then the package is formatted
(rows in key order, descriptor refreshed), all under the package's lock.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from surveillance_ties.datapackage import DataError, Package, open_package
from surveillance_ties.datapackage.model import (
    ARCHIVE_PATH,
    CITED_BY,
    CLAIM,
    CLAIMANT,
    PARTY_STATEMENT,
    QUOTE,
    RECORD_FIELD,
    RECORD_ID,
    RECORD_TABLE,
    SOURCE_ID,
    Resource,
)
from surveillance_ties.datapackage.tables import text_rows
from surveillance_ties.datapackage.text import fold, fold_map, mismatch
from surveillance_ties.datapackage.writing import locked, write_all

__all__ = ["CiteError", "Citation", "cite"]

TEXT_LIMIT = 64 << 20
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n\s*\n")


class CiteError(DataError):
    """The citation cannot be made as asked; the message says why and what to give instead."""


@dataclass(frozen=True)
class Citation:
    """The citation :func:`cite` added: its id, the stored quote and the files it wrote."""

    citation_id: str
    quote: str
    written: list[str]


def _find(pkg: Package, *fields: str) -> Resource:
    for r in pkg.resources:
        if r.schema is not None and r.schema.has(*fields):
            return r
    raise CiteError(
        f"{pkg.label}: no table has the fields {', '.join(fields)}; this package holds no citations"
    )


def _close(word: str, options: list[str]) -> str:
    near = difflib.get_close_matches(word, options, n=3)
    return f" (did you mean {', '.join(near)}?)" if near else ""


def _occurrences(needle: str, text: str) -> list[int]:
    out: list[int] = []
    at = text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def _sentence(folded: str, start: int, stop: int) -> tuple[int, int]:
    """The sentence of the folded text around ``[start, stop)``: from the end of the one before to
    the end of the one it is in (a full stop, question or exclamation mark, or a blank line)."""
    begin = 0
    for m in _SENTENCE_END.finditer(folded, 0, start):
        begin = m.end()
    end = len(folded)
    after = _SENTENCE_END.search(folded, stop)
    if after is not None:
        end = after.end() if not after.group().startswith("\n") else after.start()
    while begin < end and folded[begin].isspace():
        begin += 1
    return begin, end


def _passage(text: str, quote: str | None, words: str | None, where: str) -> str:
    """The passage of ``text`` that ``quote`` or ``words`` designate, as ``text`` writes it."""
    folded, index = fold_map(text)
    wanted = fold(quote if quote is not None else words or "").strip()
    if not wanted:
        raise CiteError("give the quote (--quote) or a few words of it (--words); an empty one cites nothing")
    hits = _occurrences(wanted, folded)
    if not hits:
        miss = mismatch(wanted, text)
        if len(miss.matched) < 3:
            raise CiteError(f'"{wanted}" is not in {where}: not even its first words are there')
        raise CiteError(
            f'"{wanted}" is not in {where}: after "{miss.before}" the text has "{miss.text_next}" where you '
            f'have "{miss.quote_next}"; copy the passage as the text has it'
        )
    spans = [(h, h + len(wanted)) for h in hits] if quote is not None else [
        _sentence(folded, h, h + len(wanted)) for h in hits
    ]  # fmt: skip
    if len(set(spans)) > 1:
        shown = "; ".join(
            '"' + ("…" if h > 40 else "") + folded[max(0, h - 40) : h + len(wanted) + 40] + '…"'
            for h in hits[:5]
        )
        more = f" (and {len(hits) - 5} more)" if len(hits) > 5 else ""
        raise CiteError(
            f'"{wanted}" occurs {len(hits)} times in {where}; give more of the passage, so that it occurs '
            f"once; it is in: {shown}{more}"
        )
    a, b = spans[0]
    return text[index[a] : index[b - 1] + 1]


def _next_id(ids: list[str], record_id: str) -> str:
    taken = set(ids)
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(re.escape(record_id) + r"-(\d+)", i))]
    n = max(numbers, default=0) + 1
    while f"{record_id}-{n}" in taken:
        n += 1
    return f"{record_id}-{n}"


def _claim(pkg: Package, cites: Resource, claim: str | None, claimant: str | None) -> dict[str, str]:
    """The claim columns of the new row: ``claim`` checked against the schema's ``enum``, and
    ``claimant`` only for a party's statement, an id of the table its foreign key names."""
    schema = cites.table_schema
    if not schema.has(CLAIM):
        if claim or claimant:
            raise CiteError(f"{cites.path} has no {CLAIM} field; leave --claim and --claimant out")
        return {}
    kinds = schema.field(CLAIM).categories
    listed = ", ".join(kinds)
    if not claim:
        if not schema.field(CLAIM).required:
            return {}
        raise CiteError(f"give --claim, whose claim the quote carries: one of {listed} (see DATA.md)")
    if kinds and claim not in kinds:
        raise CiteError(f"--claim {claim!r} is not one of {listed}{_close(claim, kinds)}")
    if not claimant:
        return {CLAIM: claim}
    if claim != PARTY_STATEMENT or not schema.has(CLAIMANT):
        raise CiteError(
            f"--claimant names the party whose statement the quote carries; it goes with "
            f"--claim {PARTY_STATEMENT} only"
        )
    for fk in schema.foreign_keys:
        if fk.fields == (CLAIMANT,):
            ids = [row[fk.reference_fields[0]] for row in text_rows(pkg, fk.resource)]
            if claimant not in ids:
                raise CiteError(
                    f"{fk.resource} has no record {claimant!r}{_close(claimant, ids)}; "
                    "add the organization first, or leave --claimant out when the party is not one"
                )
    return {CLAIM: claim, CLAIMANT: claimant}


def cite(
    table: str,
    record_id: str,
    source_id: str,
    *,
    quote: str | None = None,
    words: str | None = None,
    field: str | None = None,
    claim: str | None = None,
    claimant: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Citation:
    """Add a citation of ``source_id`` to the record ``record_id`` of ``table`` (see the module
    docstring); ``field`` is the field it backs (``None``: the whole record); ``claim`` whose
    claim the quote carries (one of the ``claim`` field's values) and ``claimant`` the
    organization whose statement it is, for a ``party_statement``. Give exactly one of ``quote``
    and ``words``. Raises :class:`CiteError` (exit code 1) when the record, field, source, claim or
    claimant is unknown, or the passage is not there or not unique; nothing is written then."""
    from surveillance_ties.curation import _canonical, package_folder

    if (quote is None) == (words is None):
        raise CiteError("give either the exact quote (--quote) or a few words of it (--words), not both")
    root = package_folder(path)
    with locked(root), open_package(root) as pkg:
        cites = _find(pkg, RECORD_TABLE, RECORD_ID, SOURCE_ID, QUOTE)
        sources = _find(pkg, SOURCE_ID, ARCHIVE_PATH)
        cited = cites.table_schema.field(RECORD_TABLE).categories
        if table not in cited:
            raise CiteError(
                f"{table!r} is not a cited table; cite a record of {', '.join(cited)}{_close(table, cited)}"
            )
        target = pkg.resource(table)
        key = target.table_schema.primary_key
        if len(key) != 1:
            raise CiteError(f"{table} has no one-field primary key, so a record cannot be named by one id")
        ids = [row[key[0]] for row in text_rows(pkg, table)]
        if record_id not in ids:
            raise CiteError(
                f"{table} has no record {record_id!r}{_close(record_id, ids)}; add the record first"
            )
        if field and field not in target.table_schema.field_names:
            raise CiteError(
                f"{table} has no field {field!r}{_close(field, target.table_schema.field_names)}; "
                "leave --field out to cite the whole record"
            )
        claimed = _claim(pkg, cites, claim, claimant)
        by_id = {row[SOURCE_ID]: row for row in text_rows(pkg, sources.name)}
        source = by_id.get(source_id)
        if source is None:
            raise CiteError(
                f"{sources.path} has no source {source_id!r}{_close(source_id, list(by_id))}; add it first"
            )
        archived = source.get(ARCHIVE_PATH, "")
        where = f"the archived text of {source_id} ({archived})"
        if not archived:
            citer = by_id.get(source.get(CITED_BY, ""), {})
            archived = citer.get(ARCHIVE_PATH, "")
            where = f"the archived text of {source.get(CITED_BY)} ({archived}), which links to {source_id}"
        if not archived:
            raise CiteError(
                f"{source_id} has no archived text and no archived source links to it; archive it first"
            )
        text = pkg.read_bytes(archived, TEXT_LIMIT).decode("utf-8")
        passage = _passage(text, quote, words, where)
        rows = text_rows(pkg, cites.name)
        new_id = _next_id([row[cites.table_schema.field_names[0]] for row in rows], record_id)
        values = {
            cites.table_schema.primary_key[0]: new_id,
            RECORD_TABLE: table,
            RECORD_ID: record_id,
            RECORD_FIELD: field or "",
            SOURCE_ID: source_id,
            QUOTE: passage,
            **claimed,
        }
        missing = [
            f.name for f in cites.table_schema.fields if f.required and not values.get(f.name)
        ]  # fmt: skip
        if missing:
            raise CiteError(
                f"{cites.path} also needs {', '.join(missing)}; this command does not fill them in yet"
            )
        row = [values.get(name, "") for name in cites.table_schema.field_names]
        wanted, changed = _canonical(pkg, {cites.path: [row]})
        write_all({Path(root) / rel: wanted[rel] for rel in changed}, root=root)
    return Citation(new_id, passage, changed)
