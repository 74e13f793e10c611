"""Injecting known defects into a synthetic package, each in its own row, and listing where they are.

Every kind edits cells so that exactly one error is due, at a known line and
column, and no other check is disturbed: a primary key is duplicated only in
``citations`` (which nothing refers to), a tie is made uncited by pointing its
only citation at the intact tie after it, dates are broken only where no other
date is compared with them, and so on. Rows are drawn without replacement per
table, so two defects never share a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tools.synth.columns import BoolArray
from tools.synth.model import CITED, DEFECT_KINDS, Defect, SynthError
from tools.synth.tables import Cites, Ties
from tools.synth.vocabulary import REL_TYPES

#: Where the validator reports a defect when that is not simply the edited cell.
_COLUMNS: dict[str, str | None] = {
    "duplicate-tie": None,  # the second row of the pair, as a whole
    "uncited-record": "partnership_id",  # the record's primary key
}


class Injector:
    """Picks distinct rows per table and rewrites cells, recording each defect."""

    def __init__(self, rng: np.random.Generator, tables: dict[str, dict[str, Any]]) -> None:
        self.rng = rng
        self.tables = tables
        self.used = {t: np.zeros(len(next(iter(c.values()))), dtype=bool) for t, c in tables.items()}
        self.edits: dict[tuple[str, str], dict[int, str | None]] = {}
        self.defects: list[Defect] = []

    def pick(
        self,
        table: str,
        eligible: BoolArray,
        k: int,
        kind: str,
        *,
        keep_previous: bool = False,
        keep_next: bool = False,
    ) -> list[int]:
        """``k`` distinct unused rows of ``table`` where ``eligible`` holds, marked used.

        ``keep_previous``: the defect copies the row before, which must stay intact (it is reserved
        too); ``keep_next``: likewise for the row after. Such picks are never neighbours.
        """
        if k <= 0:
            return []
        used = self.used[table]
        ok = eligible & ~used
        if keep_previous:
            ok[0] = False
            ok[1:] &= ~used[:-1]
        if keep_next:
            ok[-1] = False
            ok[:-1] &= ~used[1:]
        cand = np.flatnonzero(ok)
        if keep_previous or keep_next:  # one parity only: two picks are never neighbours
            cand = cand[(cand % 2) == int(self.rng.integers(0, 2))]
        if len(cand) < k:
            raise SynthError(
                f"cannot inject {k} defects of kind {kind!r} into {table} ({len(cand)} suitable "
                "rows left); use more rows or fewer defects"
            )
        rows = np.sort(self.rng.choice(cand, size=k, replace=False))
        used[rows] = True
        if keep_previous:
            used[rows - 1] = True
        if keep_next:
            used[rows + 1] = True
        return [int(r) for r in rows]

    def value(self, table: str, column: str, row: int) -> str | None:
        """The cell's current text (after earlier edits)."""
        edits = self.edits.get((table, column), {})
        if row in edits:
            return edits[row]
        v = self.tables[table][column][row].as_py()
        return None if v is None else str(v)

    def set(self, table: str, column: str, row: int, value: str | None) -> None:
        self.edits.setdefault((table, column), {})[row] = value

    def record(self, kind: str, table: str, row: int, column: str | None, value: str | None) -> None:
        self.defects.append(Defect(kind, DEFECT_KINDS[kind], f"data/{table}.csv", row + 2, column, value))

    def edit(self, kind: str, table: str, row: int, column: str, value: str | None) -> None:
        self.set(table, column, row, value)
        self.record(kind, table, row, _COLUMNS.get(kind, column), value)

    def apply(self) -> None:
        """Write the edits into the columns."""
        for (table, column), edits in self.edits.items():
            arr = self.tables[table][column]
            rows = np.asarray(sorted(edits), dtype=np.int64)
            mask = np.zeros(len(arr), dtype=bool)
            mask[rows] = True
            values = pa.array([edits[int(r)] for r in rows], pa.string())
            self.tables[table][column] = pc.replace_with_mask(arr, pa.array(mask), values)


def per_kind(defects: float | int | Mapping[str, int] | None, rows: int) -> dict[str, int]:
    """How many defects of each kind: none, a rate of ``rows`` spread evenly, a count each, or a mapping."""
    if defects is None:
        return {}
    if isinstance(defects, Mapping):
        unknown = sorted(set(defects) - set(DEFECT_KINDS))
        if unknown:
            raise SynthError(f"unknown defect kinds {unknown}; use some of {sorted(DEFECT_KINDS)}")
        return {k: int(v) for k, v in defects.items() if v > 0}
    if isinstance(defects, bool):
        raise SynthError("defects must be a rate (0 < rate < 1), a count per kind or a mapping")
    if isinstance(defects, int):
        if defects < 0:
            raise SynthError(f"defects must not be negative (got {defects})")
        return {k: defects for k in DEFECT_KINDS} if defects else {}
    if not 0 <= defects < 1:
        raise SynthError(f"a defect rate must be between 0 and 1 (got {defects}); give an int for a count")
    total = round(defects * rows)
    each, rest = divmod(total, len(DEFECT_KINDS))
    return {k: each + (i < rest) for i, k in enumerate(DEFECT_KINDS) if each + (i < rest) > 0}


def inject(inj: Injector, want: dict[str, int], ties: Ties, has_amount: BoolArray, cites: Cites) -> None:
    """Inject ``want[kind]`` defects of each kind, each in its own row, none disturbing another."""

    def every(table: str) -> BoolArray:
        return np.ones(len(inj.used[table]), dtype=bool)

    def k(kind: str) -> int:
        return want.get(kind, 0)

    def split(kind: str) -> tuple[int, int]:
        return k(kind) - k(kind) // 2, k(kind) // 2

    with_amount = has_amount.copy()
    # type: a boolean that is not one; an amount that is not a number (its currency stays)
    n_bool, n_amount = split("type")
    for j, r in enumerate(inj.pick("features", every("features"), n_bool, "type")):
        inj.edit("type", "features", r, "uses_biometrics", ("yes", "unknown", "no")[j % 3])
    for j, r in enumerate(inj.pick("regulatory_actions", with_amount, n_amount, "type")):
        inj.edit("type", "regulatory_actions", r, "amount", ("5.8 million", "n/a", "$1200")[j % 3])
    for r in inj.pick("partnerships", every("partnerships"), k("required"), "required"):
        inj.edit("required", "partnerships", r, "description", None)
    for j, r in enumerate(inj.pick("sources", every("sources"), k("enum"), "enum")):
        inj.edit("enum", "sources", r, "source_type", ("blog_post", "newsletter", "podcast")[j % 3])
    for j, r in enumerate(inj.pick("organizations", every("organizations"), k("pattern"), "pattern")):
        inj.edit("pattern", "organizations", r, "country", ("us", "USA", "U.K.")[j % 3])
    for r in inj.pick("regulatory_actions", with_amount, k("minimum"), "minimum"):
        amount = inj.value("regulatory_actions", "amount", r)
        inj.edit("minimum", "regulatory_actions", r, "amount", f"-{amount}")
    for r in inj.pick("regulatory_actions", with_amount, k("amount-currency"), "amount-currency"):
        inj.edit("amount-currency", "regulatory_actions", r, "currency", None)
    # primary-key: a citation takes the id of the row before it (no table refers to citations)
    for r in inj.pick("citations", every("citations"), k("primary-key"), "primary-key", keep_previous=True):
        inj.edit("primary-key", "citations", r, "citation_id", inj.value("citations", "citation_id", r - 1))
    n_feat, n_tie = split("foreign-key")
    for j, r in enumerate(inj.pick("features", every("features"), n_feat, "foreign-key")):
        inj.edit("foreign-key", "features", r, "org_id", f"org-missing-{j:06d}")
    for j, r in enumerate(inj.pick("partnerships", every("partnerships"), n_tie, "foreign-key")):
        inj.edit("foreign-key", "partnerships", r, "partner_org_id", f"org-unknown-{j:06d}")
    # citation-record: a record's second citation names a record that does not exist
    for j, r in enumerate(inj.pick("citations", cites.extra, k("citation-record"), "citation-record")):
        inj.edit("citation-record", "citations", r, "record_id", f"missing-record-{j:06d}")
    # date-invalid on disputed or reported ties (no end date to compare with)
    undated_end = ~ties.has_ended & (ties.status >= 4)
    for j, r in enumerate(inj.pick("partnerships", undated_end, k("date-invalid"), "date-invalid")):
        y = int(ties.ann_year[r])
        bad = (f"{y}-02-30", f"{y}-04-31", f"{y}-06-31")[j % 3]
        inj.edit("date-invalid", "partnerships", r, "announced", bad)
    announced = ties.cols["announced"].is_valid().to_numpy(zero_copy_only=False)
    for r in inj.pick("partnerships", ties.has_ended & announced, k("date-order"), "date-order"):
        inj.edit("date-order", "partnerships", r, "ended", str(int(ties.ann_year[r]) - 1))
    n_ended, n_active = split("status-end-date")
    for r in inj.pick("partnerships", ties.status == 2, n_ended, "status-end-date"):
        inj.edit("status-end-date", "partnerships", r, "ended", None)
    for r in inj.pick("partnerships", ties.status == 1, n_active, "status-end-date"):
        inj.edit("status-end-date", "partnerships", r, "ended", str(int(ties.ann_year[r]) + 1))
    # self-tie: on ties with distinct (org, type), so that two self-ties never duplicate each other
    _, first = np.unique(ties.org * len(REL_TYPES) + ties.rel, return_index=True)
    distinct = np.zeros(len(ties.org), dtype=bool)
    distinct[first] = True
    for r in inj.pick("partnerships", distinct, k("self-tie"), "self-tie"):
        inj.edit("self-tie", "partnerships", r, "partner_org_id", inj.value("partnerships", "org_id", r))
    # duplicate-tie: a tie takes the pair and type of the tie before it
    for r in inj.pick(
        "partnerships", every("partnerships"), k("duplicate-tie"), "duplicate-tie", keep_previous=True
    ):
        for col in ("org_id", "partner_org_id", "relationship_type"):
            inj.set("partnerships", col, r, inj.value("partnerships", col, r - 1))
        inj.record("duplicate-tie", "partnerships", r, _COLUMNS["duplicate-tie"], None)
    for j, r in enumerate(inj.pick("organizations", every("organizations"), k("whitespace"), "whitespace")):
        desc = str(inj.value("organizations", "description", r))
        inj.edit("whitespace", "organizations", r, "description", desc + " " if j % 2 else " " + desc)
    for j, r in enumerate(inj.pick("organizations", every("organizations"), k("formula"), "formula")):
        inj.edit(
            "formula",
            "organizations",
            r,
            "notes",
            ('=HYPERLINK("https://example.org")', "+1 555 0100", "@vendor said so", "-see above")[j % 4],
        )
    for r in inj.pick("citations", every("citations"), k("quote-not-found"), "quote-not-found"):
        quote = inj.value("citations", "quote", r)
        inj.edit("quote-not-found", "citations", r, "quote", f"Paraphrased: {quote}")
    # uncited-record: the only citation of a tie is pointed at the (intact) tie after it
    ties_cited = cites.table == CITED.index("partnerships")
    twice = np.zeros(len(ties.org), dtype=bool)
    twice[cites.record[ties_cited & cites.extra]] = True
    citation_of = np.full(len(ties.org), -1, dtype=np.int64)
    citation_of[cites.record[ties_cited & ~cites.extra]] = np.flatnonzero(ties_cited & ~cites.extra)
    ok = ~twice & (citation_of >= 0) & ~inj.used["citations"][np.maximum(citation_of, 0)]
    ok[-1] = False
    ok[:-1] &= ~inj.used["partnerships"][1:]
    rows = inj.pick("partnerships", ok, k("uncited-record"), "uncited-record", keep_next=True)
    for r in rows:
        c = int(citation_of[r])
        inj.used["citations"][c] = True
        inj.set("citations", "record_id", c, inj.value("partnerships", "partnership_id", r + 1))
        inj.record(
            "uncited-record",
            "partnerships",
            r,
            _COLUMNS["uncited-record"],
            inj.value("partnerships", "partnership_id", r),
        )
