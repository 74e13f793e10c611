"""Meaning checks: rules a Table Schema cannot say, as vectorized tests over whole columns.

Each rule is keyed off field names, so it applies to any table that has those fields and skips
the others:

=================  ====================================================  ==================
code               rule                                                  fields
=================  ====================================================  ==================
date-invalid       a partial date (YYYY, YYYY-MM, YYYY-MM-DD) is real    PARTIAL_DATES
date-order         the end is not before the start                       DATE_ORDER pairs
status-end-date    ended/cancelled/discontinued has an end date;          status + end field
                   active/announced has none
amount-currency    an amount has a currency                              amount, currency
self-tie           nothing partners with itself                          org_id, partner_org_id
duplicate-tie      one tie per org pair and relationship type            org_id, partner_org_id,
                                                                         relationship_type
=================  ====================================================  ==================

A rule's ``failing`` takes the table's text columns (pyarrow, an empty cell ``""``) and returns
a numpy mask of the rows that break it; numpy and pyarrow are all it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import arrow
from surveillance_ties.validation import strings

if TYPE_CHECKING:
    import numpy as np

    from surveillance_ties.validation.read import Table
    from surveillance_ties.validation.report import Collector

PARTIAL_DATES = ("announced", "ended", "launched", "discontinued", "action_date", "published")
DATE_ORDER = (("announced", "ended"), ("launched", "discontinued"))
#: end field -> (statuses that need it, statuses that forbid it)
STATUS_END: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "ended": (frozenset({"ended", "cancelled"}), frozenset({"active", "announced"})),
    "discontinued": (frozenset({"discontinued", "cancelled"}), frozenset({"active", "announced"})),
}
TIE = ("org_id", "partner_org_id", "relationship_type")

Columns = Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """One meaning check: its code, the column it points at, and the vectorized test."""

    code: str
    column: str | None
    fields: tuple[str, ...]
    failing: Callable[[Columns], np.ndarray]
    message: Callable[[str | None], str]


def _empty(col: Any) -> np.ndarray:
    empty: np.ndarray = strings.lengths(col) == 0
    return empty


def _in(col: Any, values: frozenset[str]) -> np.ndarray:
    import pyarrow.compute as pc

    hit = pc.is_in(col, value_set=arrow.strings(sorted(values)))
    mask: np.ndarray = arrow.numpy(hit)
    return mask


class _Columns(dict[str, Any]):
    """A table's columns, each parsed as partial dates at most once (two rules read each)."""

    def dates(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        cache: dict[str, Any] = self.__dict__.setdefault("_dates", {})
        if name not in cache:
            cache[name] = strings.partial_dates(self[name])
        parsed: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = cache[name]
        return parsed


def _dates(cols: Columns, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return cols.dates(name) if isinstance(cols, _Columns) else strings.partial_dates(cols[name])


def _date_invalid(name: str) -> Rule:
    def failing(cols: Columns) -> np.ndarray:
        shaped, real, _, _ = _dates(cols, name)
        bad: np.ndarray = shaped & ~real
        return bad

    return Rule(
        "date-invalid",
        name,
        (name,),
        failing,
        lambda v: (
            f'"{v}" is not a real date (use YYYY, YYYY-MM or YYYY-MM-DD with a month and day that exist)'
        ),
    )


def _date_order(start: str, end: str) -> Rule:
    def failing(cols: Columns) -> np.ndarray:
        _, s_real, s_first, _ = _dates(cols, start)
        _, e_real, _, e_last = _dates(cols, end)
        bad: np.ndarray = s_real & e_real & (e_last < s_first)
        return bad

    return Rule(
        "date-order",
        end,
        (start, end),
        failing,
        lambda v: f'{end} "{v}" is before {start} (the end cannot come before the start)',
    )


def _status_end(end: str, needs: frozenset[str], forbids: frozenset[str]) -> Rule:
    def failing(cols: Columns) -> np.ndarray:
        has_end = ~_empty(cols[end])
        status = cols["status"]
        bad: np.ndarray = (_in(status, needs) & ~has_end) | (_in(status, forbids) & has_end)
        return bad

    need = " or ".join(sorted(needs))
    forbid = " or ".join(sorted(forbids))
    return Rule(
        "status-end-date",
        end,
        ("status", end),
        failing,
        lambda v: (
            f"the status says it is over ({need}) but {end} is empty"
            if not v
            else f'{end} is "{v}" but the status ({forbid}) says it is not over'
        ),
    )


def _amount_currency(cols: Columns) -> np.ndarray:
    bad: np.ndarray = ~_empty(cols["amount"]) & _empty(cols["currency"])
    return bad


def _self_tie(cols: Columns) -> np.ndarray:
    import pyarrow.compute as pc

    same = arrow.numpy(pc.equal(cols["org_id"], cols["partner_org_id"]))
    bad: np.ndarray = same & ~_empty(cols["org_id"])
    return bad


def _duplicate_tie(cols: Columns) -> np.ndarray:
    from surveillance_ties.validation.cells import duplicates

    bad: np.ndarray = duplicates([cols[f] for f in TIE])
    return bad


def rules_for(fields: list[str] | set[str]) -> list[Rule]:
    """The meaning rules whose fields a table has."""
    have = set(fields)
    rules = [_date_invalid(n) for n in PARTIAL_DATES if n in have]
    rules += [_date_order(s, e) for s, e in DATE_ORDER if s in have and e in have]
    rules += [_status_end(e, *STATUS_END[e]) for e in STATUS_END if e in have and "status" in have]
    if {"amount", "currency"} <= have:
        rules.append(
            Rule("amount-currency", "currency", ("amount", "currency"), _amount_currency,
                 lambda v: "an amount is given but the currency is empty")
        )  # fmt: skip
    if {"org_id", "partner_org_id"} <= have:
        rules.append(
            Rule("self-tie", "partner_org_id", ("org_id", "partner_org_id"), _self_tie,
                 lambda v: f'"{v}" is tied to itself (org_id and partner_org_id are the same)')
        )  # fmt: skip
    if set(TIE) <= have:
        rules.append(
            Rule("duplicate-tie", None, TIE, _duplicate_tie,
                 lambda v: "an earlier row already ties these two organizations with this relationship_type")
        )  # fmt: skip
    return rules


def check_meaning(t: Table, out: Collector) -> None:
    """Report the rows of ``t`` that break a meaning rule (each rule keyed off field names)."""
    import numpy as np

    rules = rules_for(list(t.columns))
    if not rules or t.num_rows == 0:
        return
    columns = _Columns(t.columns)
    for rule in rules:
        mask = np.asarray(rule.failing(columns), dtype=bool)
        if rule.code in ("date-invalid", "date-order"):  # a cell already flagged says enough
            for f in rule.fields:
                for done in t.flagged.get(f, []):
                    mask[done] = False
        t.emit(out, rule.code, rule.column, mask, rule.message)
