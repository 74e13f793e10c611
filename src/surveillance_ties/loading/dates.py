"""Partial ISO 8601 dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``).

The tables keep dates with the precision their source gives. To filter or
sort them, turn a partial date into the first and the last day it may mean:
``2025-10`` is any day from 2025-10-01 to 2025-10-31.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def precision(value: str) -> str:
    """``"year"``, ``"month"`` or ``"day"`` for a well-formed partial date."""
    return {4: "year", 7: "month", 10: "day"}[len(value)]


def bounds(value: str) -> tuple[date, date]:
    """First and last possible day of a partial date.

    Raises ``ValueError`` with a message naming the value when it is not a
    real partial date (``2025-13`` or ``2025-02-30``).
    """
    m = PATTERN.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in m.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            first = date(year, month, 1)
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        exact = date(year, month, day)
        return exact, exact
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


@overload
def date_bounds(column: pd.Series) -> pd.DataFrame: ...
@overload
def date_bounds(column: pl.Series) -> pl.DataFrame: ...
def date_bounds(column: pd.Series | pl.Series) -> pd.DataFrame | pl.DataFrame:
    """Vectorised :func:`bounds` over a column of partial dates.

    Returns a frame with columns ``first`` and ``last`` (``datetime64[s]``),
    aligned with ``column``'s index. Missing or invalid values give ``NaT``
    in both columns, so ``2025-10`` lies between two dates when
    ``first >= start`` and ``last <= end``. A polars Series (from
    ``st.load(name, backend="polars")``) gives a polars frame of two ``Date``
    columns, null where the value is missing or invalid.

    >>> import pandas as pd
    >>> print(date_bounds(pd.Series(["2025", "2025-02", "2025-10-16", None])))
           first       last
    0 2025-01-01 2025-12-31
    1 2025-02-01 2025-02-28
    2 2025-10-16 2025-10-16
    3        NaT        NaT
    """
    if type(column).__module__.split(".")[0] == "polars":
        return _polars_bounds(column)  # type: ignore[arg-type]
    import pandas as pd

    assert isinstance(column, pd.Series)
    text = column.astype("string")
    parts = text.str.extract(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
    year = parts[0]
    month = parts[1].fillna("01")
    day = parts[2].fillna("01")
    first = pd.to_datetime(year + "-" + month + "-" + day, format="%Y-%m-%d", errors="coerce")
    last = first.copy()
    has_day = parts[2].notna()
    has_month = parts[1].notna() & ~has_day
    year_only = parts[0].notna() & parts[1].isna()
    last = last.where(~has_month, first + pd.offsets.MonthEnd(0))
    last = last.where(~year_only, first + pd.offsets.YearEnd(0))
    out = pd.DataFrame({"first": first, "last": last}, index=column.index)
    return out.astype("datetime64[s]")


def _polars_bounds(column: pl.Series) -> pl.DataFrame:
    import polars as pl

    text = pl.col("value").cast(pl.String)
    year, month, day = (text.str.extract(PATTERN.pattern, group) for group in (1, 2, 3))
    first = pl.concat_str([year, month.fill_null("01"), day.fill_null("01")], separator="-").str.to_date(
        "%Y-%m-%d", strict=False
    )
    last = (
        pl.when(day.is_not_null())
        .then(first)
        .when(month.is_not_null())
        .then(first.dt.month_end())
        .otherwise(first.dt.offset_by("1y").dt.offset_by("-1d"))
    )
    frame = pl.DataFrame({"value": column})
    return frame.select(first.alias("first"), last.alias("last"))
