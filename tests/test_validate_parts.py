"""The validator's vectorized parts agree with their plain-Python definitions, on fixed samples."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from surveillance_ties.datapackage import arrow
from surveillance_ties.datapackage.text import CURLY, WHITESPACE, fold, printable
from surveillance_ties.loading.dates import bounds
from surveillance_ties.validation import codes, meaning, strings
from surveillance_ties.validation.hygiene import FORMULA
from surveillance_ties.validation.provenance import fold_column
from surveillance_ties.validation.quotes import occurs

ALPHABET = list("ab -=@’‘“”\t\n\r\u3000\xa0\u2009\u2013\u2026\u2028é\x1c")


def _samples(seed: int, n: int, size: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(size))) for _ in range(n)]


def _chunked(values: list[str]) -> pa.ChunkedArray:
    """Two chunks, the first one a slice, as pyarrow's CSV reader hands them out."""
    cut = len(values) // 3
    return pa.chunked_array([pa.array(["x", *values[:cut]]).slice(1), pa.array(values[cut:])])


def test_whitespace_is_what_str_isspace_says() -> None:
    assert [chr(c) for c in range(0x110000) if chr(c).isspace()] == list(WHITESPACE)


def test_fold_folds_only_white_space_runs_and_curly_quotes() -> None:
    assert fold("a \n\t “b” ‘c’\u3000\xa0d") == "a \"b\" 'c' d"
    assert CURLY == {"‘": "'", "’": "'", "“": '"', "”": '"'}
    assert fold("Ärger – ‚x‘") == "Ärger – ‚x'"  # no case or other punctuation folding


def test_edges_agree_with_python() -> None:
    values = _samples(1, 3000, 5)
    [(first, last), (formula, _)] = strings.edges(_chunked(values), list(WHITESPACE), FORMULA)
    assert first.tolist() == [bool(v) and v[0].isspace() for v in values]
    assert last.tolist() == [bool(v) and v[-1].isspace() for v in values]
    assert formula.tolist() == [bool(v) and v[0] in FORMULA for v in values]
    assert strings.lengths(_chunked(values)).tolist() == [len(v.encode()) for v in values]


def test_fold_column_agrees_with_the_folding_rule() -> None:
    values = _samples(2, 3000, 8)
    assert fold_column(_chunked(values)).to_pylist() == [fold(v).strip() for v in values]


def test_printable_escapes_control_and_bidi_characters_only() -> None:
    assert printable("a\x1b[2Jb\rc\td\ne\u202ef\x7fg\x85é") == "a\\x1b[2Jb\\x0dc\td\ne\\u202ef\\x7fg\\x85é"


@pytest.mark.parametrize(
    "values",
    [
        pa.array([True, False, None, True]),
        pa.array([1, None, -3], pa.int32()),
        pa.array([1.5, None], pa.float64()),
        pa.array([True, False, True, True, False, True, False, False, True, True]).slice(3, 6),
        pa.chunked_array([pa.array([0, 1], pa.int64()), pa.array([2], pa.int64())]),
    ],
)
def test_arrow_numpy_agrees_with_pyarrow(values: object) -> None:
    got = arrow.numpy(values, null=False if "bool" in str(values.type) else 0)  # type: ignore[attr-defined]
    want = [False if v is None and "bool" in str(values.type) else 0 if v is None else v  # type: ignore[attr-defined]
            for v in values.to_pylist()]  # type: ignore[attr-defined]  # fmt: skip
    assert got.tolist() == want


def test_arrow_builders_give_the_values_back() -> None:
    assert arrow.strings(["a", "", "é"]).to_pylist() == ["a", "", "é"]
    assert arrow.ints(np.array([3, -1])).to_pylist() == [3, -1]
    assert arrow.mask(np.array([True, False, True])).to_pylist() == [True, False, True]
    assert [arrow.scalar(v).as_py() for v in ("x", True, 7, 2.5)] == ["x", True, 7, 2.5]
    assert [str(arrow.scalar(v).type) for v in ("x", True, 7, 2.5)] == ["string", "bool", "int64", "double"]


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


def _columns(rows: list[dict[str, str]]) -> dict[str, pa.ChunkedArray]:
    return {k: _chunked([r[k] for r in rows]) for k in rows[0]}


def test_meaning_rules_agree_with_their_python_definitions() -> None:
    rng = random.Random(4)
    dates = ["", "2025", "2025-02", "2025-02-30", "2024-02-29", "2025-13", "2026-01-01", "x"]
    statuses = ["active", "announced", "ended", "cancelled", "reported", "disputed"]
    orgs = ["a", "b", "c", ""]
    rows = [
        {
            "org_id": rng.choice(orgs),
            "partner_org_id": rng.choice(orgs),
            "relationship_type": rng.choice(["x", "y"]),
            "status": rng.choice(statuses),
            "announced": rng.choice(dates),
            "ended": rng.choice(dates),
        }
        for _ in range(400)
    ]
    rules = {
        r.code if r.code != "date-invalid" else f"date-invalid:{r.column}": r
        for r in meaning.rules_for(list(rows[0]))
    }
    cols = _columns(rows)

    def real(v: str) -> bool:
        try:
            bounds(v)
        except ValueError:
            return False
        return True

    shaped = lambda v: bool(v) and v[:4].isdigit() and len(v) in (4, 7, 10) and v != "x"  # noqa: E731
    assert rules["date-invalid:announced"].failing(cols).tolist() == [
        shaped(r["announced"]) and not real(r["announced"]) for r in rows
    ]
    assert rules["date-order"].failing(cols).tolist() == [
        real(r["announced"]) and real(r["ended"]) and bounds(r["ended"])[1] < bounds(r["announced"])[0]
        for r in rows
    ]
    assert rules["status-end-date"].failing(cols).tolist() == [
        (r["status"] in ("ended", "cancelled") and not r["ended"])
        or (r["status"] in ("active", "announced") and bool(r["ended"]))
        for r in rows
    ]
    assert rules["self-tie"].failing(cols).tolist() == [
        r["org_id"] == r["partner_org_id"] != "" for r in rows
    ]
    seen: set[tuple[str, str, str]] = set()
    want = []
    for r in rows:
        k = (r["org_id"], r["partner_org_id"], r["relationship_type"])
        want.append(k in seen)
        seen.add(k)
    assert rules["duplicate-tie"].failing(cols).tolist() == want
    assert sorted(rules) == [
        "date-invalid:announced",
        "date-invalid:ended",
        "date-order",
        "duplicate-tie",
        "self-tie",
        "status-end-date",
    ]


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
