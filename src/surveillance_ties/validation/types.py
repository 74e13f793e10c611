"""Table Schema field types, checked on whole text columns with pyarrow compute.

:func:`invalid` returns a boolean mask of the cells that are not a value of the field's type
(missing cells are the caller's business). :func:`numbers` turns a column into comparable values
for ``minimum``/``maximum`` and ``enum``. Everything is vectorized; only the JSON types
(``object``, ``array``, ``geojson``) are parsed with :mod:`json`, once per distinct value.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import Field, arrow

if TYPE_CHECKING:
    import pyarrow as pa

_INT = r"[+-]?[0-9]+"
_NUM = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|INF|-INF"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
_ZONE = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_COORD = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"

#: Regular expressions (RE2, matched against the whole cell) for the types that need nothing more.
PATTERNS: dict[str, str] = {
    "integer": _INT,
    "number": _NUM,
    "time": _TIME + _ZONE,
    "datetime": _DATE + "T" + _TIME + _ZONE,
    "date": _DATE,
    "year": r"[0-9]{4}",
    "yearmonth": r"[0-9]{4}-(?:0[1-9]|1[0-2])",
    "duration": r"P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?"
    r"(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?",
}
_STRING_FORMATS: dict[str, str] = {
    "email": r"[^@\s]+@[^@\s]+",
    "uri": r"[A-Za-z][A-Za-z0-9+.\-]*:\S*",
    "uuid": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "binary": r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
}
_GEOPOINT: dict[str, str] = {
    "default": rf"\s*({_COORD})\s*,\s*({_COORD})\s*",
    "array": rf"\[\s*({_COORD})\s*,\s*({_COORD})\s*\]",
}


def _full(col: Any, pattern: str) -> Any:
    import pyarrow.compute as pc

    return pc.match_substring_regex(col, f"^(?:{pattern})$")


def _not(mask: Any) -> Any:
    import pyarrow.compute as pc

    return pc.invert(mask)


def _real_dates(col: Any, fmt: str = "%Y-%m-%d") -> Any:
    """True where ``col`` is a date that exists (strptime is lenient, so round-trip it)."""
    import pyarrow.compute as pc

    parsed = pc.strptime(col, format=fmt, unit="s", error_is_null=True)

    return pc.fill_null(pc.equal(pc.strftime(parsed, format=fmt), col), arrow.scalar(False))


def _number_text(col: Any, field: Field) -> Any:
    """The column with ``groupChar`` removed and ``decimalChar`` made a dot."""
    import pyarrow.compute as pc

    group = field.group_char
    if group:
        col = pc.replace_substring(col, group, "")
    decimal = field.decimal_char
    if decimal != ".":
        col = pc.replace_substring(col, decimal, ".")
    if field.bare_number is False:
        col = pc.replace_substring_regex(col, r"^[^0-9+\-.]*(.*?)[^0-9.]*$", r"\1")
    return col


def invalid(col: pa.ChunkedArray, field: Field) -> pa.ChunkedArray | None:
    """Mask of the cells that are not values of ``field``'s type, or None when every text is."""
    import pyarrow.compute as pc

    ftype = field.type
    fmt = field.format
    if ftype == "string":
        pattern = _STRING_FORMATS.get(fmt)
        return _not(_full(col, pattern)) if pattern else None
    if ftype == "any":
        return None
    if ftype == "boolean":
        values = list(field.true_values) + list(field.false_values)
        return _not(pc.is_in(col, value_set=arrow.strings(values)))
    if ftype in ("integer", "number"):
        return _not(_full(_number_text(col, field), PATTERNS[ftype]))
    if ftype == "date" and fmt not in ("default", "any"):
        return _not(_real_dates(col, fmt.replace("%-", "%")))
    if ftype in ("date", "datetime"):
        shape = _full(col, PATTERNS[ftype])
        day = pc.utf8_slice_codeunits(col, 0, 10)
        return _not(pc.and_(shape, _real_dates(day)))
    if ftype in PATTERNS:
        bad = _not(_full(col, PATTERNS[ftype]))
        if ftype == "duration":
            bad = pc.or_(
                bad, pc.or_(pc.is_in(col, value_set=arrow.strings(["P", "PT"])), pc.ends_with(col, "T"))
            )
        return bad
    if ftype == "geopoint":
        return _geopoint(col, fmt)
    if ftype == "list":
        return _list(col, field)
    if ftype in ("object", "array", "geojson"):
        return _json(col, dict if ftype != "array" else list)
    return None


def _geopoint(col: Any, fmt: str) -> Any:
    import pyarrow.compute as pc

    if fmt == "object":
        return _json(col, dict)
    pattern = _GEOPOINT.get(fmt, _GEOPOINT["default"])
    shape = _full(col, pattern)
    text = pc.replace_substring_regex(col, r"[\[\]\s]", "")

    split = pc.split_pattern(pc.if_else(shape, text, arrow.scalar("0,0")), ",")
    lon = pc.cast(pc.list_element(split, arrow.scalar(0)), "float64")
    lat = pc.cast(pc.list_element(split, arrow.scalar(1)), "float64")
    in_range = pc.and_(
        pc.less_equal(pc.abs(lon), arrow.scalar(180.0)),
        pc.less_equal(pc.abs(lat), arrow.scalar(90.0)),
    )
    return _not(pc.and_(shape, in_range))


def _list(col: Any, field: Field) -> Any:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    items = pc.split_pattern(col, field.delimiter)
    flat = pc.list_flatten(items)
    item_field = replace(Field(field.name), type=field.item_type or "string")
    bad_items = invalid(flat, item_field)
    if bad_items is None:
        return None
    parents = arrow.numpy(pc.list_parent_indices(items))
    bad_np = arrow.numpy(bad_items)
    out = np.zeros(len(col), dtype=bool)
    out[parents[bad_np]] = True

    return pa.chunked_array([arrow.mask(out)])


def _json(col: Any, kind: type) -> Any:
    import json

    import pyarrow.compute as pc

    distinct = pc.unique(col).to_pylist()
    bad: list[str] = []
    for text in distinct:  # once per distinct value, and only for the JSON types
        try:
            ok = isinstance(json.loads(text), kind)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            bad.append(text)
    return pc.is_in(col, value_set=arrow.strings(bad))


def comparable(col: pa.ChunkedArray, field: Field) -> pa.ChunkedArray | None:
    """The column as numbers (integer, number, year) or text in ISO order (dates, times); None
    for types without an order. Call it only on cells that passed :func:`invalid`."""
    import pyarrow.compute as pc

    ftype = field.type
    if ftype in ("integer", "number", "year"):
        text = _number_text(col, field) if ftype != "year" else col
        text = pc.replace_substring_regex(text, r"^(-?)INF$", r"\1inf")
        return pc.cast(pc.replace_substring(text, "NaN", "nan"), "float64")
    if ftype in ("date", "datetime", "time", "yearmonth"):
        return col
    return None


def bound(value: Any, field: Field) -> Any:
    """A schema bound (``minimum``/``maximum``) in the form :func:`comparable` gives."""
    if field.type in ("integer", "number", "year"):
        return float(value)
    return str(value)
