"""Table Schema -> pandera: the project's own small mapper.

``pandera.io.from_frictionless_schema`` is not used: with pandera 0.35 and frictionless 5.21 it
exists only as ``pandera.io.pandas_io.from_frictionless_schema`` (the top-level name raises
AttributeError), it doubles the anchors of every pattern (``^^…$$``), turns enums into categories,
drops ``primaryKey`` and ``foreignKeys``, maps a nullable boolean to ``bool``, and it imports
frictionless, which the validator never loads (see ``tests/test_validate_mapper.py``).

:func:`to_pandera` maps a Table Schema to a :class:`pandera.pandas.DataFrameSchema` for the table
*as text* (every column a string, an empty cell ``""``), the way the validator reads it: the
field order and names, ``required`` (and primary-key fields), the type (as a check on the text),
``enum``, ``pattern``, ``minLength``/``maxLength``, ``unique`` and ``primaryKey``, plus the
meaning checks of :mod:`.meaning` as DataFrame-wide checks named by their error codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveillance_ties.validation import meaning, types

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa


def _type_check(field: dict[str, Any]) -> Any:
    import pandas as pd
    import pyarrow as pyarrow
    from pandera.api.checks import Check

    def ok(s: pd.Series) -> pd.Series:
        col = pyarrow.chunked_array([pyarrow.array(s.astype(str).tolist(), pyarrow.string())])
        bad = types.invalid(col, field)
        if bad is None:
            return pd.Series(True, index=s.index)
        return pd.Series(~bad.to_numpy(), index=s.index) | (s == "")

    return Check(ok, name=f"type:{field.get('type', 'string')}")


def _column(field: dict[str, Any], required: bool) -> Any:
    from pandera.api.checks import Check
    from pandera.api.pandas.components import Column

    c = field.get("constraints", {})
    checks = [_type_check(field)] if field.get("type", "string") != "string" or "format" in field else []
    if required:
        checks.append(Check.str_length(min_value=1, name="required"))
    if "enum" in c:
        allowed = [str(e) for e in c["enum"]]
        checks.append(Check(lambda s, a=allowed: s.isin(a) | (s == ""), name="enum"))
    if "pattern" in c:
        p = c["pattern"]
        checks.append(Check(lambda s, p=p: s.str.fullmatch(p).fillna(False) | (s == ""), name="pattern"))
    if "minLength" in c or "maxLength" in c:
        lo, hi = c.get("minLength", 0), c.get("maxLength")
        checks.append(
            Check(lambda s, lo=lo, hi=hi: (s == "") | s.str.len().between(lo, 2**31 if hi is None else hi),
                  name="length")
        )  # fmt: skip
    return Column(str, checks=checks, nullable=False, unique=bool(c.get("unique")), name=field["name"])


def to_pandera(
    schema: dict[str, Any], *, columns: bool = True, name: str | None = None
) -> pa.DataFrameSchema:
    """The pandera schema of a table read as text, with the meaning checks attached.

    With ``columns=False`` only the DataFrame-wide meaning checks are kept (what the validator
    runs, since it checks cells column by column with pyarrow itself).
    """
    from pandera.api.pandas.container import DataFrameSchema

    fields = schema["fields"]
    names = [f["name"] for f in fields]
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    cols = {
        f["name"]: _column(f, bool(f.get("constraints", {}).get("required")) or f["name"] in pk)
        for f in fields
    }
    return DataFrameSchema(
        cols if columns else {},
        checks=meaning.checks_for(names),
        unique=pk if columns and pk else None,
        strict=columns,
        ordered=columns,
        name=name,
    )


def meaning_schema(rules: list[meaning.Rule]) -> pa.DataFrameSchema:
    """A pandera schema holding only the given meaning rules, in order (check number = index)."""
    from pandera.api.checks import Check
    from pandera.api.pandas.container import DataFrameSchema

    return DataFrameSchema(checks=[Check(r.ok, name=r.code, description=r.column) for r in rules])


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> dict[int, np.ndarray]:
    """Run the pandera schema (lazily, all checks); positions of failing rows per check number."""
    import numpy as np
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        keep = (cases["schema_context"] == "DataFrameSchema") & cases["index"].notna()
        cases = cases[keep & cases["check_number"].notna()]
        out: dict[int, np.ndarray] = {}
        for number, group in cases.groupby("check_number"):
            out[int(number)] = np.unique(group["index"].astype("int64").to_numpy())
        return out
    return {}
