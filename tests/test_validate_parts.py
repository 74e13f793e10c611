"""The validator's vectorized parts agree with their plain-Python definitions, on fixed samples."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from surveillance_ties.dates import bounds
from surveillance_ties.provenance import fold
from surveillance_ties.validation import codes, strings
from surveillance_ties.validation.hygiene import FORMULA, WHITESPACE
from surveillance_ties.validation.mapper import to_pandera
from surveillance_ties.validation.provenance import fold_column, fold_text
from surveillance_ties.validation.quotes import occurs

from .conftest import RESOURCES, ROOT, read_schema

ALPHABET = list("ab -=@’‘“”\t\n\r\u3000\xa0\u2009\u2013\u2026\u2028é\x1c")


def _samples(seed: int, n: int, size: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(size))) for _ in range(n)]


def _chunked(values: list[str]) -> pa.ChunkedArray:
    """Two chunks, the first one a slice, as pyarrow's CSV reader hands them out."""
    cut = len(values) // 3
    return pa.chunked_array([pa.array(["x", *values[:cut]]).slice(1), pa.array(values[cut:])])


def test_whitespace_is_what_str_isspace_says() -> None:
    assert [chr(c) for c in range(0x110000) if chr(c).isspace()] == WHITESPACE


def test_edges_agree_with_python() -> None:
    values = _samples(1, 3000, 5)
    [(first, last), (formula, _)] = strings.edges(_chunked(values), WHITESPACE, FORMULA)
    assert first.tolist() == [bool(v) and v[0].isspace() for v in values]
    assert last.tolist() == [bool(v) and v[-1].isspace() for v in values]
    assert formula.tolist() == [bool(v) and v[0] in FORMULA for v in values]
    assert strings.lengths(_chunked(values)).tolist() == [len(v.encode()) for v in values]


def test_fold_column_agrees_with_provenance_fold() -> None:
    values = _samples(2, 3000, 8)
    assert [fold_text(v) for v in values] == [fold(v) for v in values]
    assert fold_column(_chunked(values)).to_pylist() == [fold(v).strip() for v in values]


def test_occurs_agrees_with_python_in() -> None:
    rng = random.Random(3)
    words = ["alpha", "beta", "gamma", "delta", "é", "ü", "’", "zeta"]
    texts = [" ".join(rng.choice(words) for _ in range(200)).encode() for _ in range(4)]
    quotes, text_of = [], []
    for _ in range(3000):
        t = rng.randrange(4)
        text = texts[t].decode()
        start = rng.randrange(len(text))
        quote = text[start : start + rng.randrange(40)]
        if rng.random() < 0.3:
            quote += "x"
        if rng.random() < 0.1:
            t = (t + 1) % 4  # a quote of another text
        quotes.append(quote)
        text_of.append(t)
    got = occurs(pa.array(quotes), np.array(text_of), texts)
    want = [bool(q) and q.encode() in texts[t] for q, t in zip(quotes, text_of, strict=True)]
    assert got.tolist() == want
    assert 0 < sum(want) < len(want)


@pytest.mark.parametrize(
    "value", ["2025", "2025-02", "2024-02-29", "2025-02-29", "1900-02-29", "2000-02-29", "2025-13", "2025-00",
              "2025-04-31", "2025-12-31", "0000", "", "2025-1", "x"]
)  # fmt: skip
def test_partial_dates_agree_with_dates_bounds(value: str) -> None:
    shaped, real, first, last = (a[0] for a in strings.partial_dates(pa.chunked_array([pa.array([value])])))
    try:
        lo, hi = bounds(value)
    except ValueError:
        assert not real
        return
    assert (bool(shaped), bool(real)) == (True, True)
    assert (int(first), int(last)) == (int(lo.strftime("%Y%m%d")), int(hi.strftime("%Y%m%d")))


def test_codes_are_stable_kebab_case_with_hints() -> None:
    assert all(c.code == name and name == name.lower() and " " not in name for name, c in codes.CODES.items())
    assert all(c.title and c.hint.endswith(("", ")")) for c in codes.CODES.values())
    assert codes.FAMILIES == (
        "descriptor",
        "hygiene",
        "header",
        "cells",
        "integrity",
        "provenance",
        "meaning",
    )


def test_pandera_io_from_frictionless_schema_is_not_usable() -> None:
    """Why the project has its own mapper (pandera 0.35, frictionless 5.21)."""
    import pandera.io

    assert not hasattr(pandera.io, "from_frictionless_schema")
    from pandera.io.pandas_io import from_frictionless_schema

    schema = from_frictionless_schema(str(ROOT / "schemas/partnerships.schema.json"))
    check = schema.columns["partnership_id"].checks[0]
    assert check.statistics["pattern"] == "^^[a-z0-9]+(-[a-z0-9]+)*$$"  # anchors doubled
    assert schema.unique is None  # primaryKey dropped


@pytest.mark.parametrize("name", [r["name"] for r in RESOURCES])
def test_mapper_schema_accepts_every_real_table_as_text(name: str) -> None:
    resource = next(r for r in RESOURCES if r["name"] == name)
    frame = pd.read_csv(ROOT / resource["path"], dtype=str, keep_default_na=False)
    schema = to_pandera(read_schema(name), name=name)
    assert list(schema.columns) == list(frame.columns)
    schema.validate(frame, lazy=True)


def test_mapper_schema_rejects_a_bad_cell_and_a_meaning_error() -> None:
    import pandera.errors

    frame = pd.read_csv(ROOT / "data/partnerships.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "status"] = "over"
    frame.loc[1, "partner_org_id"] = frame.loc[1, "org_id"]
    with pytest.raises(pandera.errors.SchemaErrors) as info:
        to_pandera(read_schema("partnerships")).validate(frame, lazy=True)
    failed = info.value.failure_cases
    assert sorted(set(failed["check"].astype(str))) == ["enum", "self-tie"]


@pytest.mark.parametrize(
    ("values", "want"),
    [
        (["a", "b", "c"], [False, False, False]),  # sorted, no repeat
        (
            ["", "", "a", "a", "b", "c", "c", "c"],
            [False, False, False, True, False, False, True, True],
        ),  # sorted
        (["b", "a", "", "b", "a", "", "c"], [False, False, False, True, True, False, False]),  # unsorted
    ],
)
def test_duplicates_flag_every_later_occurrence_but_not_empty_cells(
    values: list[str], want: list[bool]
) -> None:
    from surveillance_ties.validation.cells import duplicates

    col = _chunked(values)
    empty = pa.chunked_array([pa.array([v == "" for v in values])])
    assert duplicates([col], empty).tolist() == want
