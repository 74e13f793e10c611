"""The validator's error codes: a stable kebab-case code, a short title and a default hint.

This module is the contract between the validator, its corpus tests and the
synthetic defects of ``surveillance_ties.synth``. Codes may be added, never
renamed or removed. Each :class:`Code` belongs to a *family* (the group of
checks that reports it), and carries a default hint that says how to fix the
problem; a check may give a more specific hint for one error.

Where each error points (``file`` is package-relative; ``row`` is the editor line, 1 = header):

- ``datapackage.json``, row None: descriptor-missing, descriptor-shape, resource-path, and
  schema-missing when the resource has no ``schema``; descriptor-json has the row of the JSON error.
- the schema file, column = the field (or None): schema-missing (file not found), schema-invalid,
  schema-unknown-type.
- the table file, row None, column None: resource-missing, empty-file, hash, bytes, and parse when
  the line is unknown.
- the table file, a row, column None: encoding (line of the first bad byte), bom (1), line-ending
  (first line with a CR), parse, blank-row, ragged-row, duplicate-tie (the later row), and
  primary-key / foreign-key when the key has several fields.
- the table file, row 1, column = a header name: header-mismatch (the schema's field at the first
  position that differs, or the extra header name), duplicate-header.
- a cell (row and column): whitespace, formula, type, required, enum, pattern, minimum, maximum,
  length, unique (every occurrence after the first), primary-key and foreign-key for one-field keys,
  citation-record (record_id), citation-field (field), quote-not-found (quote), archive-missing
  (archive_path), uncited-record (the record's primary-key field), date-invalid, date-order and
  status-end-date (the end-date field), amount-currency (currency), self-tie (partner_org_id).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODES", "FAMILIES", "Code", "hint", "title"]


@dataclass(frozen=True)
class Code:
    """One error code: its family, a short title and the default hint."""

    code: str
    family: str
    title: str
    hint: str


_REHASH = "run `surveillance-ties format` after editing a table, then commit datapackage.json"

_ALL: tuple[Code, ...] = (
    # descriptor
    Code(
        "descriptor-missing",
        "descriptor",
        "Descriptor missing",
        "give a package folder that holds a datapackage.json, or the path of that file",
    ),
    Code(
        "descriptor-json",
        "descriptor",
        "Descriptor is not valid JSON",
        "fix the JSON syntax of datapackage.json (a missing comma, quote or bracket)",
    ),
    Code(
        "descriptor-shape",
        "descriptor",
        "Descriptor does not have the Data Package v2 shape",
        "follow https://datapackage.org/standard/data-package/: a JSON object with a `resources` list "
        "of objects, each with a `name` and a `path`",
    ),
    Code(
        "resource-path",
        "descriptor",
        "Unsafe resource path",
        "use a relative path inside the package, with forward slashes, such as `data/organizations.csv` "
        "(no URL, no absolute path, no `..`)",
    ),
    Code(
        "resource-missing",
        "descriptor",
        "Resource file missing",
        "add the file at the path that datapackage.json gives, or correct the path",
    ),
    Code(
        "schema-missing",
        "descriptor",
        "Table Schema missing",
        "give the resource a `schema` that names an existing file under schemas/",
    ),
    Code(
        "schema-invalid",
        "descriptor",
        "Invalid Table Schema",
        "follow https://datapackage.org/standard/table-schema/: a JSON object with a `fields` list, "
        "each field with a unique `name`",
    ),
    Code(
        "dialect-unsupported",
        "descriptor",
        "CSV dialect not supported",
        'describe the CSV as it is written: {"delimiter": ",", "quoteChar": "\\"", "doubleQuote": true, '
        '"header": true, "lineTerminator": "\\n"}',
    ),
    Code(
        "unsafe-file",
        "descriptor",
        "Link or special file in the package",
        "replace the link (or FIFO, device) with the regular file itself; a package holds regular files only",
    ),
    Code(
        "schema-unknown-type",
        "descriptor",
        "Unknown field type",
        "use a Table Schema type: string, number, integer, boolean, object, array, list, date, time, "
        "datetime, year, yearmonth, duration, geopoint, geojson or any",
    ),
    # file hygiene
    Code(
        "encoding",
        "hygiene",
        "Not UTF-8",
        "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in an editor: 'Save with encoding UTF-8')",
    ),
    Code(
        "bom",
        "hygiene",
        "Byte order mark",
        "save the file as UTF-8 without a byte order mark (BOM); `surveillance-ties format` removes it",
    ),
    Code(
        "line-ending",
        "hygiene",
        "CR or CRLF line ending",
        "save the file with Unix (LF) line endings; `surveillance-ties format` rewrites them",
    ),
    Code(
        "empty-file",
        "hygiene",
        "Empty file",
        "a table needs at least its header line; restore the file from git",
    ),
    Code(
        "parse",
        "hygiene",
        "CSV cannot be parsed",
        "check the quotes around this cell: a cell that holds a comma, a quote or a line break must be "
        'quoted, and a quote inside it doubled ("")',
    ),
    Code(
        "blank-row", "hygiene", "Blank row", "delete the blank line (`surveillance-ties format` deletes it)"
    ),
    Code(
        "ragged-row",
        "hygiene",
        "Wrong number of cells",
        "give the row exactly one cell per header field; quote a cell that holds a comma",
    ),
    Code(
        "not-canonical",
        "hygiene",
        "Not in canonical form",
        "run `surveillance-ties format`: it writes every table in its canonical form (rows in primary-key "
        "order, LF line ends, UTF-8 without BOM, quotes only where needed) and refreshes datapackage.json",
    ),
    Code(
        "whitespace",
        "hygiene",
        "Leading or trailing white space",
        "remove the spaces, tabs or line breaks at the start or end of the cell",
    ),
    Code(
        "formula",
        "hygiene",
        "Cell a spreadsheet would run as a formula",
        "reword the cell so it does not start with =, +, -, @, a tab or a carriage return",
    ),
    # header
    Code(
        "header-mismatch",
        "header",
        "Header differs from the schema",
        "make the header line list the schema's field names, in the schema's order",
    ),
    Code(
        "duplicate-header",
        "header",
        "Duplicate header",
        "give every column a distinct name, as in the schema",
    ),
    # cells
    Code("type", "cells", "Wrong type", "write the value in the field's type as the Table Schema defines it"),
    Code(
        "required",
        "cells",
        "Required value missing",
        "fill in this cell; the schema marks the field as required",
    ),
    Code("enum", "cells", "Value not allowed", "use one of the values the schema allows for this field"),
    Code(
        "pattern",
        "cells",
        "Value does not match the pattern",
        "write the value in the form the schema's pattern gives",
    ),
    Code("minimum", "cells", "Value below the minimum", "use a value at or above the schema's minimum"),
    Code("maximum", "cells", "Value above the maximum", "use a value at or below the schema's maximum"),
    Code(
        "length",
        "cells",
        "Value too short or too long",
        "keep the value within the schema's minLength and maxLength",
    ),
    Code(
        "unique",
        "cells",
        "Duplicate value",
        "make the value unique in this column; a record needs its own identifier",
    ),
    Code(
        "primary-key",
        "cells",
        "Duplicate primary key",
        "give each row its own primary key; merge or renumber the duplicate record",
    ),
    Code(
        "foreign-key",
        "cells",
        "Reference not found",
        "use a value that exists in the referenced table, or add that record first",
    ),
    Code(
        "citation-record",
        "cells",
        "Cited record not found",
        "use the primary key of an existing record of the table named in `record_table`",
    ),
    Code(
        "citation-field",
        "cells",
        "Cited field not found",
        "use a field name of the table named in `record_table`, or leave `field` empty for the whole record",
    ),
    # integrity
    Code("hash", "integrity", "Stale hash", _REHASH),
    Code("bytes", "integrity", "Stale byte count", _REHASH),
    # provenance
    Code(
        "quote-not-found",
        "provenance",
        "Quote not in the archived text",
        "copy the passage exactly as the archived text has it (only white space and curly quotes may differ)",
    ),
    Code(
        "archive-missing",
        "provenance",
        "Archived text missing",
        "add the archived text under seeds/ byte for byte, or correct `archive_path`",
    ),
    Code(
        "uncited-record",
        "provenance",
        "Record without a citation",
        "add a row to data/citations.csv with a verbatim quote that backs this record",
    ),
    # meaning
    Code(
        "date-invalid",
        "meaning",
        "Not a real date",
        "use a real date as YYYY, YYYY-MM or YYYY-MM-DD (months 01-12, days that exist in that month)",
    ),
    Code(
        "date-order",
        "meaning",
        "End date before start date",
        "correct one of the two dates: the end cannot come before the start",
    ),
    Code(
        "status-end-date",
        "meaning",
        "Status and end date disagree",
        "give an end date when the status says it ended, was cancelled or discontinued; leave it empty "
        "when the status is active or announced",
    ),
    Code(
        "amount-currency",
        "meaning",
        "Amount without currency",
        "give the ISO 4217 code of the amount in `currency`, such as USD",
    ),
    Code(
        "self-tie",
        "meaning",
        "Organization tied to itself",
        "a tie needs two different organizations; correct org_id or partner_org_id",
    ),
    Code(
        "duplicate-tie",
        "meaning",
        "Duplicate tie",
        "merge the two rows: one tie per pair of organizations and relationship_type",
    ),
)

#: Every code, by its kebab-case name, in a stable order (the order of the families above).
CODES: dict[str, Code] = {c.code: c for c in _ALL}

#: The families in report order.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(c.family for c in _ALL))


def title(code: str) -> str:
    """The short title of ``code``."""
    return CODES[code].title


def hint(code: str) -> str:
    """The default hint of ``code``."""
    return CODES[code].hint
