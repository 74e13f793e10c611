"""What the generator returns: the result, the defect manifest, and the shared constants."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The six tables, in package order.
TABLES = ("organizations", "partnerships", "features", "regulatory_actions", "sources", "citations")
#: Record tables (every record is cited), in the order their citations sort: by the id prefixes below.
CITED = ("regulatory_actions", "features", "organizations", "partnerships")
#: Identifier prefix of each table's records (``org-0000001-...``).
PREFIX = {
    "regulatory_actions": "act",
    "features": "feat",
    "organizations": "org",
    "partnerships": "tie",
    "sources": "src",
}
#: The manifest written beside the package; its presence marks a folder as a synthetic package.
MANIFEST = "synth.json"

#: Defect kinds that ``generate(defects=...)`` can inject, each with the one error code the validator
#: reports for it (a duplicated primary key is one ``primary-key`` error, though the field is also unique).
DEFECT_KINDS: dict[str, str] = {
    "type": "type",
    "required": "required",
    "enum": "enum",
    "pattern": "pattern",
    "minimum": "minimum",
    "primary-key": "primary-key",
    "foreign-key": "foreign-key",
    "citation-record": "citation-record",
    "date-invalid": "date-invalid",
    "date-order": "date-order",
    "status-end-date": "status-end-date",
    "self-tie": "self-tie",
    "duplicate-tie": "duplicate-tie",
    "whitespace": "whitespace",
    "formula": "formula",
    "quote-not-found": "quote-not-found",
    "uncited-record": "uncited-record",
    "amount-currency": "amount-currency",
}


class SynthError(ValueError):
    """A request the generator cannot satisfy; the message says why and what to change."""


@dataclass(frozen=True)
class Defect:
    """One injected defect: the error the validator must report, and where.

    ``row`` is the line number as an editor shows it (1 is the header line),
    ``column`` the field name (``None`` for a whole row), ``value`` the cell's
    text after the edit (``None`` for an empty cell).
    """

    kind: str
    code: str
    file: str
    row: int
    column: str | None
    value: str | None


@dataclass(frozen=True)
class SynthResult:
    """What :func:`tools.synth.generate` wrote."""

    root: Path
    seed: int
    rows: dict[str, int]
    tables: dict[str, Path]
    archives: tuple[Path, ...]
    defects: tuple[Defect, ...] = field(default=())

    @property
    def descriptor(self) -> Path:
        """The package's ``datapackage.json``."""
        return self.root / "datapackage.json"

    @property
    def total_rows(self) -> int:
        """Data rows in all tables together."""
        return sum(self.rows.values())

    def defect_counts(self) -> dict[str, int]:
        """Injected defects per error code, sorted by code."""
        out: dict[str, int] = {}
        for d in self.defects:
            out[d.code] = out.get(d.code, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """The manifest as plain data (paths relative to the package root)."""
        return {
            "seed": self.seed,
            "rows": self.rows,
            "total_rows": self.total_rows,
            "tables": {k: v.relative_to(self.root).as_posix() for k, v in self.tables.items()},
            "archives": [p.relative_to(self.root).as_posix() for p in self.archives],
            "defect_counts": self.defect_counts(),
            "defects": [asdict(d) for d in self.defects],
        }
