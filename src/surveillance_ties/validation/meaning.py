"""Meaning checks: rules a Table Schema cannot say, as pandera checks over whole columns.

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

The checks are :class:`pandera.api.checks.Check` objects whose names are the error codes; a
check returns a boolean Series (True = fine) and works on the text of the cells (pandas strings
backed by pyarrow, empty cell = ""). :func:`checks_for` gives the checks that apply to a set of
fields; :mod:`.mapper` attaches them to the pandera schema built from the Table Schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PARTIAL_DATES = ("announced", "ended", "launched", "discontinued", "date", "published")
DATE_ORDER = (("announced", "ended"), ("launched", "discontinued"))
#: end field -> (statuses that need it, statuses that forbid it)
STATUS_END: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "ended": (frozenset({"ended", "cancelled"}), frozenset({"active", "announced"})),
    "discontinued": (frozenset({"discontinued", "cancelled"}), frozenset({"active", "announced"})),
}
TIE = ("org_id", "partner_org_id", "relationship_type")


@dataclass(frozen=True)
class Rule:
    """One meaning check: its code, the column it points at, and the vectorized test."""

    code: str
    column: str | None
    fields: tuple[str, ...]
    ok: Callable[[pd.DataFrame], pd.Series]
    message: Callable[[str | None], str]


def _arrow(s: pd.Series) -> Any:
    """The pyarrow text column behind a pandas Series (pyarrow-backed, or converted)."""
    import pyarrow as pa

    array = s.array
    if hasattr(array, "__arrow_array__"):
        col = array.__arrow_array__()
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            return col
    return pa.array(s.astype(str).tolist(), pa.string())


_DATES: dict[int, tuple[Any, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {}


def dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``strings.partial_dates`` of a pandas Series: (shaped, real, first, last).

    Remembered per column (two rules read the same end-date column); :func:`forget` clears it.
    """
    from surveillance_ties.validation.strings import partial_dates

    col = _arrow(s)
    hit = _DATES.get(id(col))
    if hit is not None and hit[0] is col:
        return hit[1]
    result = partial_dates(col)
    _DATES[id(col)] = (col, result)
    return result


def forget() -> None:
    """Drop the remembered partial dates (call after a table's checks)."""
    _DATES.clear()


def real_date(s: pd.Series) -> pd.Series:
    """True where a cell is a real partial date (2025, 2025-02, 2025-02-28; not 2025-13)."""
    import pandas as pd

    return pd.Series(dates(s)[1], index=s.index)


def _date_invalid(name: str) -> Rule:
    def ok(df: pd.DataFrame) -> pd.Series:
        import pandas as pd

        shaped, real, _, _ = dates(df[name])
        return pd.Series(~shaped | real, index=df.index)

    return Rule(
        "date-invalid",
        name,
        (name,),
        ok,
        lambda v: (
            f'"{v}" is not a real date (use YYYY, YYYY-MM or YYYY-MM-DD with a month and day that exist)'
        ),
    )


def _date_order(start: str, end: str) -> Rule:
    def ok(df: pd.DataFrame) -> pd.Series:
        import pandas as pd

        _, s_real, s_first, _ = dates(df[start])
        _, e_real, _, e_last = dates(df[end])
        return pd.Series(~(s_real & e_real & (e_last < s_first)), index=df.index)

    return Rule(
        "date-order",
        end,
        (start, end),
        ok,
        lambda v: f'{end} "{v}" is before {start} (the end cannot come before the start)',
    )


def _status_end(end: str, needs: frozenset[str], forbids: frozenset[str]) -> Rule:
    def ok(df: pd.DataFrame) -> pd.Series:
        has_end = df[end] != ""
        status = df["status"]
        return ~((status.isin(sorted(needs)) & ~has_end) | (status.isin(sorted(forbids)) & has_end))

    need = " or ".join(sorted(needs))
    forbid = " or ".join(sorted(forbids))
    return Rule(
        "status-end-date",
        end,
        ("status", end),
        ok,
        lambda v: (
            f"the status says it is over ({need}) but {end} is empty"
            if not v
            else f'{end} is "{v}" but the status ({forbid}) says it is not over'
        ),
    )


def _amount_currency(df: pd.DataFrame) -> pd.Series:
    return ~((df["amount"] != "") & (df["currency"] == ""))


def _self_tie(df: pd.DataFrame) -> pd.Series:
    return ~((df["org_id"] == df["partner_org_id"]) & (df["org_id"] != ""))


def _duplicate_tie(df: pd.DataFrame) -> pd.Series:
    return ~df.duplicated(list(TIE), keep="first")


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


def checks_for(fields: list[str] | set[str]) -> list[object]:
    """The meaning rules as pandera checks (named by their error codes)."""
    from pandera.api.checks import Check

    return [Check(r.ok, name=r.code, description=r.column) for r in rules_for(fields)]
