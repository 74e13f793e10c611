"""Run the meaning rules of :mod:`.meaning` on a table, through pandera."""

from __future__ import annotations

from surveillance_ties.validation import meaning
from surveillance_ties.validation.read import Table
from surveillance_ties.validation.report import Collector


def prepare() -> None:
    """Import pandera (and pandas) ahead of use."""
    import pandera.pandas  # noqa: F401


def check_meaning(t: Table, out: Collector) -> None:
    """Report the rows of ``t`` that fail a meaning rule (each rule keyed off field names)."""
    rules = meaning.rules_for(list(t.columns))
    if not rules or t.num_rows == 0:
        return
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from surveillance_ties.validation.mapper import failures, meaning_schema

    needed = sorted({f for r in rules for f in r.fields})
    frame = pa.table({f: t.columns[f] for f in needed}).to_pandas(types_mapper=pd.ArrowDtype)
    try:
        failed = failures(meaning_schema(rules), frame)
    finally:
        meaning.forget()
    for number, idx in failed.items():
        rule = rules[number]
        if rule.code in ("date-invalid", "date-order"):  # a cell already flagged says enough
            for f in rule.fields:
                for done in t.flagged.get(f, []):
                    idx = np.setdiff1d(idx, done)
        if rule.column is not None:
            t.emit(out, rule.code, rule.column, _mask(idx, t.num_rows), rule.message)
        else:
            t.emit(out, rule.code, None, _mask(idx, t.num_rows), rule.message)


def _mask(idx: object, n: int) -> object:
    import numpy as np

    mask = np.zeros(n, dtype=bool)
    mask[np.asarray(idx, dtype=np.int64)] = True
    return mask
