"""A table's Table Schema as a pandera schema, for the typed frames of ``st.load``.

``st.pandera_schema(name)`` (``pip install 'surveillance-ties[pandera]'``) returns a
``pandera.pandas.DataFrameSchema`` derived from the table's Table Schema, the one definition of
its columns; a frame from ``st.load(name)`` passes it, and a frame you build or change is
checked the way ``surveillance-ties validate`` checks the CSV, field by field::

    import surveillance_ties as st

    schema = st.pandera_schema("partnerships")
    schema.validate(st.load("partnerships"))            # the frame, unchanged
    schema.validate(my_frame, lazy=True)                # SchemaErrors listing every failure

What each part of the Table Schema becomes:

- the field's type: the column's dtype, from the one type map
  (:func:`surveillance_ties.datapackage.typemap.pandas_dtype`), so an ``enum`` field is a
  categorical whose categories are the allowed values in schema order; no coercion;
- ``required``, and every field of the primary key: ``nullable=False``;
- ``enum``: ``Check.isin`` (the allowed values, in schema order);
- ``pattern``: ``Check.str_matches`` of the whole value (the pattern followed by ``\\Z``);
- ``minLength``/``maxLength``: ``Check.str_length``;
- ``minimum``/``maximum``: ``Check.ge``/``Check.le`` (numbers; dates and datetimes as
  timestamps; ``time`` and ``yearmonth`` text in ISO order, like the validator);
- ``unique``: ``unique=True`` with every repeat after the first reported (a field that may be
  empty gets a ``unique`` check that skips empty cells, as the validator does);
- ``primaryKey``: the frame's ``unique`` (every repeat after the first reported);
- the columns in the schema's order, and no others (``strict``, ``ordered``).

A ``pattern``, ``minLength`` or ``maxLength`` of a field that is not loaded as text (an
integer, a date...) is not checked: the frame no longer holds the text. Checks that need other
tables (foreign keys, citations) or several fields of a row (the meaning rules) are the
validator's alone. pandera is imported only when :func:`pandera_schema` is called.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import (
    DescriptorError,
    Field,
    MissingDependencyError,
    SourceLike,
    TableSchema,
    open_package,
)
from surveillance_ties.datapackage.model import Scalar
from surveillance_ties.datapackage.typemap import pandas_dtype, strptime_format
from surveillance_ties.loading.names import TableName

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

__all__ = ["from_table_schema", "pandera_schema"]

_NUMERIC = ("integer", "number", "year")
_ORDERED_TEXT = ("time", "yearmonth")  # compared as ISO text, like the validator


def _is_text(field: Field) -> bool:
    import pandas as pd

    dtype = pandas_dtype(field)
    return isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)


def _timestamp(value: Scalar, field: Field) -> pd.Timestamp:
    import pandas as pd

    fmt = strptime_format(field)
    stamp = pd.Timestamp(dt.datetime.strptime(str(value), fmt)) if fmt else pd.Timestamp(str(value))
    if field.type == "datetime":
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp


def _value(value: Scalar, field: Field) -> Any:
    """A Table Schema value (an ``enum`` item, a bound) as the column holds it; ``ValueError``
    naming the field when it is not a value of the field's type."""
    try:
        return _convert(value, field)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"field {field.name!r}: {value!r} is not a valid {field.type}") from None


def _convert(value: Scalar, field: Field) -> Any:
    kind = field.type
    if kind in ("integer", "year"):
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value) in field.true_values
    if kind in ("date", "datetime"):
        return _timestamp(value, field)
    return str(value)


def _checks(field: Field) -> list[pa.Check]:
    import pandera.pandas as pa

    checks: list[pa.Check] = []
    text = _is_text(field)
    if field.enum is not None:
        checks.append(pa.Check.isin([_value(v, field) for v in field.enum]))
    if field.pattern is not None and text:
        checks.append(pa.Check.str_matches(f"(?:{field.pattern})\\Z"))
    if (field.min_length is not None or field.max_length is not None) and text:
        checks.append(pa.Check.str_length(min_value=field.min_length, max_value=field.max_length))
    ordered = field.type in (*_NUMERIC, "date", "datetime", *_ORDERED_TEXT)
    if field.minimum is not None and ordered:
        checks.append(pa.Check.ge(_value(field.minimum, field)))
    if field.maximum is not None and ordered:
        checks.append(pa.Check.le(_value(field.maximum, field)))
    return checks


def _unique_check() -> pa.Check:
    """Every repeat of a value after its first (empty cells skipped: pandera drops them)."""
    import pandera.pandas as pa

    def first_only(series: pd.Series) -> pd.Series:
        return ~series.duplicated(keep="first")

    return pa.Check(first_only, name="unique")


def from_table_schema(table_schema: TableSchema) -> pa.DataFrameSchema:
    """The pandera schema of a Table Schema (see the module docstring for what each part becomes).

    Needs pandera; :func:`pandera_schema` checks that it is installed. Raises ``ValueError``
    naming the field when an ``enum`` value or a bound is not a value of its field's type.
    """
    import pandera.pandas as pa

    key = table_schema.primary_key
    columns: dict[str, pa.Column] = {}
    for field in table_schema.fields:
        nullable = not (field.required or field.name in key)
        checks = _checks(field)
        unique = field.unique and key != (field.name,)  # else the primary key reports it
        if unique and nullable:
            checks.append(_unique_check())
        columns[field.name] = pa.Column(
            pandas_dtype(field),
            checks=checks,
            nullable=nullable,
            unique=unique and not nullable,
            report_duplicates="exclude_first",
            name=field.name,
            title=field.title or None,
            description=field.description or None,
        )
    return pa.DataFrameSchema(
        columns,
        unique=list(key) or None,
        report_duplicates="exclude_first",
        strict=True,
        ordered=True,
        name=table_schema.name,
        title=table_schema.title or None,
        description=table_schema.description or None,
    )


def pandera_schema(name: TableName, source: SourceLike = None) -> pa.DataFrameSchema:
    """The pandera schema of the table ``name``, derived from its Table Schema.

    A ``pandera.pandas.DataFrameSchema`` that a frame from ``st.load(name, source)`` passes:
    the dtypes of the one type map, ``required`` and primary-key fields not nullable, ``enum``,
    ``pattern`` (the whole value), ``minLength``/``maxLength``, ``minimum``/``maximum``,
    ``unique`` and the primary key (see :mod:`surveillance_ties.loading.pandera_schema`).
    ``source`` is any copy of the package, as in :func:`surveillance_ties.load`.

    Raises :class:`~surveillance_ties.datapackage.errors.MissingDependencyError` without pandera
    0.24 or later (``pip install 'surveillance-ties[pandera]'``),
    :class:`~surveillance_ties.datapackage.errors.UnknownTableError` for a name that is not a
    table of the package and :class:`~surveillance_ties.datapackage.errors.DescriptorError` when an
    ``enum`` value or a bound is not a value of its field's type.
    """
    try:
        import pandera.pandas  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "st.pandera_schema() needs pandera 0.24 or later: pip install 'surveillance-ties[pandera]'"
        ) from None
    with open_package(source) as pkg:
        resource = pkg.resource(name)
        try:
            return from_table_schema(resource.table_schema)
        except ValueError as exc:
            raise DescriptorError(f"{pkg.where(resource.schema_file)}: {exc}; fix the schema") from None
