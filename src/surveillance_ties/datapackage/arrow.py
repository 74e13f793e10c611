"""Moving values between Python, numpy and pyarrow without pandas.

pyarrow looks for pandas (and imports it: about 0.4 s) the first time it converts a Python object
into an array or a scalar, and whenever an array is turned into a numpy array with
``to_numpy``. The validator, the table reader and the diff never need pandas, so they build Arrow
values from buffers here, and read them back into numpy from their buffers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ints", "mask", "numpy", "scalar", "strings"]


def mask(values: np.ndarray) -> Any:
    """A numpy boolean array as a pyarrow boolean array, built from its bits."""
    import numpy as np
    import pyarrow as pa

    bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def ints(values: np.ndarray) -> Any:
    """A numpy integer array as a pyarrow int64 array."""
    import numpy as np
    import pyarrow as pa

    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def strings(values: list[str]) -> Any:
    """A list of str as a pyarrow string array."""
    import numpy as np
    import pyarrow as pa

    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype="<i4")
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def scalar(value: str | bool | int | float) -> Any:
    """A pyarrow scalar of ``value``, to pass to ``pyarrow.compute`` instead of a Python value."""
    import numpy as np
    import pyarrow as pa

    if isinstance(value, str):
        return strings([value])[0]
    if isinstance(value, bool):
        return mask(np.array([value]))[0]
    if isinstance(value, int):
        return ints(np.array([value]))[0]
    data = np.array([value], dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(data)])[0]


_NUMERIC = {"int8": "<i1", "int16": "<i2", "int32": "<i4", "int64": "<i8", "uint8": "<u1",
            "uint16": "<u2", "uint32": "<u4", "uint64": "<u8", "float": "<f4", "double": "<f8"}  # fmt: skip


def _bits(buffer: Any, offset: int, length: int) -> np.ndarray:
    import numpy as np

    raw = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[offset : offset + length].astype(bool)


def numpy(values: Any, null: bool | int | float = False) -> np.ndarray:
    """A boolean or numeric pyarrow array (or chunked array) as a numpy array; nulls become ``null``."""
    import numpy as np
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        parts = [numpy(chunk, null) for chunk in values.chunks]
        if parts:
            return np.concatenate(parts)
        kind = str(values.type)
        return np.zeros(0, dtype=bool if kind == "bool" else _NUMERIC[kind])
    validity, data = values.buffers()[:2]
    length, offset = len(values), values.offset
    kind = str(values.type)
    if kind == "bool":
        out = _bits(data, offset, length) if data is not None else np.zeros(length, dtype=bool)
    elif kind in _NUMERIC:
        dtype = np.dtype(_NUMERIC[kind])
        out = (
            np.frombuffer(data, dtype=dtype)[offset : offset + length].copy()
            if data is not None
            else np.zeros(length, dtype=dtype)
        )
    else:
        raise TypeError(f"not a boolean or numeric array: {values.type}")
    if values.null_count:
        out[~_bits(validity, offset, length)] = null
    return out
