"""The review of a data pull request: a Markdown report for the job summary of its checks.

:func:`review` compares the package at a base (a git revision, folder or release zip) with the
package of the pull request (by default the package around the current folder) and writes, in
this order:

1. a title naming the two copies;
2. the version line: the version of each copy, the release the changes need
   (:func:`surveillance_ties.release.semver.classify`) and whether the pull request's own version
   is enough, with the changes that need more when it is not;
3. the data diff (:func:`surveillance_ties.release.diff.diff_sources`), table by table: schema
   and metadata changes, the records added (field by field), changed (field by field, old and
   new value) and removed;
4. the quotes behind the records: for every added or changed record of a cited table, and for
   every record whose citations were added or changed, each citation of it in the pull request's
   package, with its field, its source and the source's ``url``, and the quote in full.

The citations table is the table with a ``record_table`` field whose ``enum`` names the cited
tables (and ``record_id``, ``source_id`` and ``quote`` fields); the sources table is the one its
``source_id`` foreign key points at. No table is known by its name. The added and changed
citations are shown under the records they back, marked new or changed, not as rows of their
own; the citations table's part of the data diff lists only the removed ones.

Every value from the data is escaped with the diff renderer's helpers
(:func:`~surveillance_ties.release.diff_render.code` for values,
:func:`~surveillance_ties.release.diff_render.md` for text): no value can open HTML, end a
code span or break a table. Lists stop after ``max_rows`` entries and say how many are left out,
and the whole report stops before :data:`~surveillance_ties.release.diff_render.MARKDOWN_LIMIT`
characters (GitHub takes at most 1 MiB per step summary).

The review is not a gate: it reports what it finds. A copy that cannot be opened raises
:class:`~surveillance_ties.datapackage.errors.PackageError`; a table that cannot be read as its
schema says (the validator reports that) makes the report say so instead of comparing the data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from surveillance_ties.datapackage import DataError, Package, default_root, open_package
from surveillance_ties.datapackage.model import QUOTE, RECORD_FIELD, RECORD_ID, RECORD_TABLE, SOURCE_ID
from surveillance_ties.datapackage.tables import text_rows
from surveillance_ties.release.diff import PackageDiff, RowChange, TableDiff, diff_sources
from surveillance_ties.release.diff_render import (
    MARKDOWN_LIMIT,
    code,
    describe_metadata_change,
    describe_schema_change,
    md,
    table_summary,
)
from surveillance_ties.release.semver import (
    Level,
    ReleaseError,
    bump_level,
    bump_version,
    classify,
    format_version,
    parse_version,
    required_level,
)

__all__ = ["MAX_ROWS", "review"]

#: How many entries each list of the report shows at most (records per table, citations per record,
#: records in the quotes section, reasons).
MAX_ROWS = 50
#: The field of the sources table that holds a source's address.
URL = "url"
_ARTICLE = {Level.PATCH: "a patch", Level.MINOR: "a minor", Level.MAJOR: "a major"}


@dataclass(frozen=True)
class _Citation:
    """One row of the citations table of the pull request's package."""

    citation_id: str
    table: str
    record_id: str
    field: str
    source_id: str
    quote: str


@dataclass
class _Evidence:
    """The citations of the pull request's package, by cited record, and the sources' URLs."""

    table: str  # the citations table
    cited: tuple[str, ...]  # the cited tables (the enum of record_table)
    by_record: dict[tuple[str, str], list[_Citation]] = field(default_factory=dict)
    urls: dict[str, str] | None = None  # None: no sources table (or no url field) to look in


@dataclass
class _Record:
    """A record whose quotes the report shows, and why."""

    table: str
    record_id: str
    status: str  # "added", "changed" or "citations"
    fields: list[str] = field(default_factory=list)  # the changed fields of a changed record


def _label(row: dict[str, str], pk: list[str], index: int) -> str:
    """How a record is named: its primary key's values, or its place in the list without one."""
    return ", ".join(row.get(k, "") for k in pk) if pk else f"#{index + 1}"


def _more(total: int, limit: int) -> int:
    return total - limit if total > limit else 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- the version ---------------------------------------------------------------------------------


def _version(changes: PackageDiff, max_rows: int) -> list[str]:
    """The version line, and the changes that need more than the pull request's bump."""
    old_text, new_text = changes.old_version or "(none)", changes.new_version or "(none)"
    head = f"**Version:** {md(old_text)} -> {md(new_text)}: "
    try:
        old = parse_version(changes.old_version, where=changes.old)
        new = parse_version(changes.new_version, where=changes.new)
    except ReleaseError as exc:
        return [head + f"cannot say which release the changes need: {md(str(exc))}.", ""]
    reasons = classify(changes)
    required = required_level(reasons)
    if required == Level.NONE:
        need = "the changes need no new release"
    else:
        need = (
            f"the changes need {_ARTICLE[required]} release ({format_version(bump_version(old, required))})"
        )
    try:
        bump = bump_level(old, new)
    except ReleaseError as exc:
        return [head + f"{need}; {md(str(exc))}.", ""]
    enough = "enough" if bump >= required else "not enough"
    lines = [head + f"{need}; the pull request's version {format_version(new)} is {enough}.", ""]
    if bump < required:
        short = [r for r in reasons if r.level > bump]
        lines += [f"- {r.level} needed: {md(r.message)}" for r in short[:max_rows]]
        if n := _more(len(short), max_rows):
            lines.append(f"- … and {n} more")
        lines.append("")
    return lines


# -- the citations -------------------------------------------------------------------------------


def _citations_table(pkg: Package) -> tuple[str, tuple[str, ...]] | None:
    """The citations table of ``pkg`` and the tables it cites (its ``record_table`` enum)."""
    for resource in pkg.resources:
        schema = resource.table_schema
        if not schema.has(RECORD_TABLE, RECORD_ID, SOURCE_ID, QUOTE):
            continue
        enum = schema.field(RECORD_TABLE).enum
        if enum is not None:
            return resource.name, tuple(str(v) for v in enum)
    return None


def _source_urls(pkg: Package, citations: str) -> dict[str, str] | None:
    """``source_id -> url`` from the table the citations' ``source_id`` foreign key points at."""
    for fk in pkg.resource(citations).table_schema.foreign_keys:
        if fk.fields != (SOURCE_ID,) or fk.resource not in pkg.table_names:
            continue
        key = fk.reference_fields[0]
        if not pkg.resource(fk.resource).table_schema.has(key, URL):
            return None
        return {row[key]: row[URL] for row in text_rows(pkg, fk.resource)}
    return None


def _evidence(pkg: Package) -> _Evidence | None:
    """The citations of ``pkg`` grouped by the record they back, or ``None`` without a citations table."""
    found = _citations_table(pkg)
    if found is None:
        return None
    name, cited = found
    evidence = _Evidence(name, cited, urls=_source_urls(pkg, name))
    pk = pkg.resource(name).table_schema.primary_key
    key = pk[0] if len(pk) == 1 else ""  # a key of several fields names no single citation
    for row in text_rows(pkg, name):
        citation = _Citation(
            citation_id=row.get(key, ""),
            table=row[RECORD_TABLE],
            record_id=row[RECORD_ID],
            field=row.get(RECORD_FIELD, ""),
            source_id=row[SOURCE_ID],
            quote=row[QUOTE],
        )
        evidence.by_record.setdefault((citation.table, citation.record_id), []).append(citation)
    return evidence


# -- the data diff -------------------------------------------------------------------------------


def _values(table: TableDiff, rows: list[dict[str, str]], heading: str, max_rows: int) -> list[str]:
    """Records added or removed, one line per non-empty field."""
    pk = table.primary_key
    lines = [f"{heading}:", "", "| record | field | value |", "|---|---|---|"]
    for index, row in enumerate(rows[:max_rows]):
        label = code(_label(row, pk, index))
        cells = [(k, v) for k, v in row.items() if k not in pk and v != ""]
        lines += [f"| {label} | {code(k)} | {code(v)} |" for k, v in cells] or [f"| {label} | | |"]
    if n := _more(len(rows), max_rows):
        lines.append(f"| … and {_plural(n, 'more record')} | | |")
    return [*lines, ""]


def _changes(rows: list[RowChange], max_rows: int) -> list[str]:
    """Records changed, one line per changed field with its old and new value."""
    lines = ["Changed:", "", "| record | field | old | new |", "|---|---|---|---|"]
    for row in rows[:max_rows]:
        label = code(", ".join(row.key.values()))
        lines += [f"| {label} | {code(c.field)} | {code(c.old)} | {code(c.new)} |" for c in row.cells]
    if n := _more(len(rows), max_rows):
        lines.append(f"| … and {_plural(n, 'more record')} | | | |")
    return [*lines, ""]


def _removed_citations(rows: list[dict[str, str]], pk: list[str], max_rows: int) -> list[str]:
    lines = [
        "Removed:",
        "",
        "| citation | record | field | source | quote |",
        "|---|---|---|---|---|",
    ]
    for index, row in enumerate(rows[:max_rows]):
        record = f"{code(row.get(RECORD_TABLE, ''))} {code(row.get(RECORD_ID, ''))}"
        lines.append(
            f"| {code(_label(row, pk, index))} | {record} | {_field(row.get(RECORD_FIELD, ''))} "
            f"| {code(row.get(SOURCE_ID, ''))} | {code(row.get(QUOTE, ''))} |"
        )
    if n := _more(len(rows), max_rows):
        lines.append(f"| … and {_plural(n, 'more citation')} | | | | |")
    return [*lines, ""]


def _data(changes: PackageDiff, evidence: _Evidence | None, max_rows: int) -> list[str]:
    """The data diff, table by table."""
    lines = ["#### Data", ""]
    if changes.metadata:
        lines += ["Package metadata:", ""]
        lines += [f"- {md(describe_metadata_change(m))}" for m in changes.metadata]
        lines.append("")
    for table in changes.tables:
        if table.is_empty:
            continue
        lines += [f"**{code(table.name)}**: {md(table_summary(table))}", ""]
        extra = [f"- metadata: {md(describe_metadata_change(m))}" for m in table.metadata]
        extra += [f"- schema: {md(describe_schema_change(s))}" for s in table.schema]
        lines += [*extra, ""] if extra else []
        if evidence is not None and table.name == evidence.table:
            if table.added or table.changed:
                lines += ["The citations added and changed are shown under the records they back.", ""]
            if table.removed:
                lines += _removed_citations(table.removed, table.primary_key, max_rows)
            continue
        if table.added:
            lines += _values(table, table.added, "Added", max_rows)
        if table.changed:
            lines += _changes(table.changed, max_rows)
        if table.removed:
            lines += _values(table, table.removed, "Removed", max_rows)
    unchanged = [code(t.name) for t in changes.tables if t.is_empty]
    if unchanged:
        lines += [f"Unchanged: {', '.join(unchanged)}.", ""]
    return lines


# -- the quotes ----------------------------------------------------------------------------------


def _field(name: str) -> str:
    return code(name) if name else "*(whole record)*"


def _records(changes: PackageDiff, evidence: _Evidence) -> tuple[list[_Record], dict[str, str]]:
    """The records to show quotes for, and the marks of the added and changed citations."""
    tables = {t.name: t for t in changes.tables}
    records: dict[tuple[str, str], _Record] = {}
    for name in evidence.cited:
        table = tables.get(name)
        if table is None or len(table.primary_key) != 1:
            continue
        key = table.primary_key[0]
        for row in table.added:
            records.setdefault((name, row.get(key, "")), _Record(name, row.get(key, ""), "added"))
        for changed in table.changed:
            record_id = changed.key.get(key, "")
            fields = [c.field for c in changed.cells]
            records.setdefault((name, record_id), _Record(name, record_id, "changed", fields))
    marks: dict[str, str] = {}
    cites = tables.get(evidence.table)
    if cites is not None and len(cites.primary_key) == 1:
        key = cites.primary_key[0]
        for row in cites.added:
            marks[row.get(key, "")] = "new"
            target = (row.get(RECORD_TABLE, ""), row.get(RECORD_ID, ""))
            records.setdefault(target, _Record(*target, "citations"))
        backs = {c.citation_id: target for target, cs in evidence.by_record.items() for c in cs}
        for changed in cites.changed:
            citation_id = changed.key.get(key, "")
            was = "; ".join(f"{code(c.field)} was {code(c.old)}" for c in changed.cells)
            marks[citation_id] = f"changed: {was}"
            if citation_id in backs:  # shown under the record it backs now (it may have moved)
                records.setdefault(backs[citation_id], _Record(*backs[citation_id], "citations"))
    order = {name: i for i, name in enumerate(evidence.cited)}
    status = {"added": 0, "changed": 1, "citations": 2}
    ranked = sorted(
        enumerate(records.values()),
        key=lambda p: (order.get(p[1].table, len(order)), status[p[1].status], p[0]),
    )
    return [r for _, r in ranked], marks


def _heading(record: _Record) -> str:
    what = {
        "added": "added",
        "changed": "changed: " + ", ".join(code(f) for f in record.fields),
        "citations": "its citations changed",
    }[record.status]
    return f"**{code(record.table)} {code(record.record_id)}** ({what})"


def _quotes(changes: PackageDiff, evidence: _Evidence | None, max_rows: int) -> list[str]:
    """For each added or changed record (or one with new or changed citations): its quotes."""
    lines = ["#### Quotes", ""]
    if evidence is None:
        return [
            *lines,
            "The package has no citations table (a table with a `record_table` field that has an "
            "`enum` of the cited tables): no quotes to show.",
            "",
        ]
    records, marks = _records(changes, evidence)
    if not records:
        return [*lines, "No record of a cited table was added or changed, and no citation was.", ""]
    for record in records[:max_rows]:
        lines += [_heading(record), ""]
        citations = evidence.by_record.get((record.table, record.record_id), [])
        if not citations:
            lines += [f"No citation in {code(evidence.table)} backs this record.", ""]
            continue
        lines += ["| citation | field | source | quote |", "|---|---|---|---|"]
        for citation in citations[:max_rows]:
            mark = marks.get(citation.citation_id)
            name = code(citation.citation_id) + (f" ({mark})" if mark else "")
            lines.append(
                f"| {name} | {_field(citation.field)} | {_source(citation.source_id, evidence)} "
                f"| {code(citation.quote)} |"
            )
        if n := _more(len(citations), max_rows):
            lines.append(f"| … and {_plural(n, 'more citation')} | | | |")
        lines.append("")
    if n := _more(len(records), max_rows):
        lines += [f"… and {_plural(n, 'more record')} whose quotes are left out.", ""]
    return lines


def _source(source_id: str, evidence: _Evidence) -> str:
    if evidence.urls is None:
        return code(source_id)
    url = evidence.urls.get(source_id)
    if url is None:
        return f"{code(source_id)} (not in the sources table)"
    return f"{code(source_id)} {md(url)}" if url else code(source_id)


# -- the report ----------------------------------------------------------------------------------


def _limit(text: str) -> str:
    """``text`` cut at a line end before :data:`MARKDOWN_LIMIT` characters, saying how much is cut."""
    if len(text) <= MARKDOWN_LIMIT:
        return text
    cut = text.rfind("\n", 0, MARKDOWN_LIMIT - 200) + 1
    left = text[cut:].count("\n")
    return (
        text[:cut] + f"\n*(truncated: {_plural(left, 'more line')} left out; run `surveillance-ties review` "
        "locally for the whole report)*\n"
    )


def review(
    base: str,
    head: str | None = None,
    *,
    base_dir: str | os.PathLike[str] = ".",
    max_rows: int = MAX_ROWS,
) -> str:
    """The Markdown review of the changes from ``base`` to ``head`` (see the module docstring).

    ``base`` and ``head`` are each a package folder, a ``datapackage.json``, a release zip or a git
    revision of the repository around ``base_dir``; ``head`` defaults to the package around the
    current folder. Raises :class:`~surveillance_ties.datapackage.errors.PackageError` when a copy
    cannot be opened.
    """
    head_spec = head if head is not None else str(default_root())
    title = f"### Data review: {code(base)} → {code(head_spec)}"
    try:
        changes = diff_sources(base, head_spec, base=Path(base_dir))
    except DataError as exc:
        return _limit(f"{title}\n\nThe data cannot be compared: {md(str(exc))}\n")
    lines = [title, "", *_version(changes, max_rows)]
    if changes.is_empty:
        lines.append("No changes to the data, the schemas or the metadata.")
        return _limit("\n".join(lines) + "\n")
    try:
        with open_package(head_spec, revisions=True, base=base_dir) as pkg:
            evidence = _evidence(pkg)
    except DataError as exc:
        lines += _data(changes, None, max_rows)
        lines += ["#### Quotes", "", f"The quotes cannot be read: {md(str(exc))}", ""]
    else:
        lines += _data(changes, evidence, max_rows)
        lines += _quotes(changes, evidence, max_rows)
    return _limit("\n".join(lines).rstrip("\n") + "\n")
