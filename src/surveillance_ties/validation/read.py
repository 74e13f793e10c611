"""Read each CSV once: its bytes for hash, size and byte-level hygiene, then one pyarrow parse.

Every column is read as text (``pa.string()``, empty cells as ``""``), so the type checks can
report the very cell that is wrong. Editor line numbers come from the bytes: when every line of
the file is one record (the usual case) the data row at position ``i`` is on line ``i + 2``;
otherwise (quoted line breaks, blank lines, rows pyarrow skipped) the record boundaries are found
with a vectorized quote-parity pass over the newline positions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surveillance_ties.datapackage import (
    MissingFileError,
    Package,
    PackageError,
    Resource,
    UnsafePathError,
    arrow,
)
from surveillance_ties.datapackage.hashing import Digest
from surveillance_ties.validation.report import Collector

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

BOM = b"\xef\xbb\xbf"
_THREADED = 1 << 20  # files above this size are parsed with pyarrow's thread pool


@dataclass
class Table:
    """A parsed table: its header, its columns (text) by field name, and its line map."""

    resource: Resource
    file: str
    header: list[str]
    data: pa.Table  # the data rows (header excluded), columns named c0..c{k-1}
    columns: dict[str, pa.ChunkedArray]  # schema field -> column (first header match)
    _lines: np.ndarray | None = None  # editor line of each data row; None means i + 2
    quiet: np.ndarray | None = None  # rows to report nothing on (ragged rows kept for their keys)
    _missing: dict[str, pa.ChunkedArray] = field(default_factory=dict)
    #: positions of cells already reported as not fitting their type, pattern or enum, per column
    flagged: dict[str, list[np.ndarray]] = field(default_factory=dict)
    size: int = 0  # bytes of the file
    final_newline: bool = True  # the file ends with a line feed
    clean: bool = True  # no byte-level error (encoding, BOM, line ends, blank or ragged rows, quotes)

    @property
    def num_rows(self) -> int:
        return int(self.data.num_rows)

    @property
    def primary_key(self) -> list[str]:
        """The primary-key fields of the table's schema (empty when it has none)."""
        return list(self.resource.schema.primary_key) if self.resource.schema else []

    def lines(self, idx: np.ndarray) -> np.ndarray:
        """Editor line numbers of the data rows at positions ``idx``."""
        return self.line_map()(idx)

    def drop(self, mask: np.ndarray) -> None:
        """Remove the rows where ``mask`` is true (keeping the line numbers of the others)."""
        import numpy as np

        keep = np.flatnonzero(~mask)
        self._lines = self.lines(keep)
        if self.quiet is not None:
            self.quiet = self.quiet[keep]

        self.data = self.data.filter(arrow.mask(~mask))
        names = list(self.columns)
        index = {h: i for i, h in reversed(list(enumerate(self.header)))}
        self.columns = {n: self.data.column(index[n]) for n in names}
        self._missing.clear()

    def line_map(self) -> Callable[[np.ndarray], np.ndarray]:
        """The current position -> line function (kept valid even if rows are dropped later)."""
        lines = self._lines

        def line(idx: np.ndarray) -> np.ndarray:
            return idx + 2 if lines is None else lines[idx]

        return line

    def missing(self, name: str) -> pa.ChunkedArray:
        """Mask of the cells of ``name`` that hold a missing value (``missingValues``, default "")."""
        if name not in self._missing:
            import pyarrow as pa
            import pyarrow.compute as pc

            from surveillance_ties.validation.strings import lengths

            values = list(self.resource.schema.missing_values) if self.resource.schema else [""]
            col = self.columns[name]
            if values == [""]:
                self._missing[name] = pa.chunked_array([arrow.mask(lengths(col) == 0)])
            else:
                self._missing[name] = pc.is_in(col, value_set=arrow.strings(values))
        return self._missing[name]

    def emit(
        self,
        out: Collector,
        code: str,
        column: str | None,
        mask: pa.ChunkedArray | np.ndarray | None,
        message: Callable[[str | None], str],
        hint: str | None = None,
        values: str | None = None,
        row_message: Callable[[int], str] | None = None,
    ) -> int:
        """Report every row where ``mask`` is true; the cell shown is ``values`` (default ``column``);
        ``row_message`` makes a row's message from its position, when the cell alone is not enough."""
        idx = positions(mask)
        if self.quiet is not None and len(idx):
            idx = idx[~self.quiet[idx]]
        if len(idx) and column is not None and code in ("type", "pattern", "enum"):
            self.flagged.setdefault(column, []).append(idx)
        if len(idx):
            name = values or column
            out.add_rows(
                code,
                self.file,
                column,
                idx,
                self.columns.get(name) if name else None,
                message,
                self.line_map(),
                hint,
                row_message,
            )
        return len(idx)


def positions(mask: Any) -> np.ndarray:
    """Positions where a boolean mask (pyarrow or numpy; nulls count as false) is true."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if mask is None:
        return np.empty(0, dtype=np.int64)
    if isinstance(mask, np.ndarray):
        return np.flatnonzero(mask)
    if isinstance(mask, pa.ChunkedArray | pa.Array):
        if not pc.any(mask).as_py():
            return np.empty(0, dtype=np.int64)

        return np.flatnonzero(arrow.numpy(mask))
    raise TypeError(type(mask))


def hasher(spec: str | None) -> Callable[[bytes], str] | None:
    """A function that digests bytes the way ``spec`` (``sha256:…`` or bare md5) is written."""
    if spec is None:
        return None
    expected = Digest.parse(spec)
    if not expected.computable:
        return lambda data: ""  # an algorithm nobody can compute never matches
    return lambda data: str(
        Digest(expected.algorithm, hashlib.new(expected.algorithm, data).hexdigest(), expected.prefixed)
    )


def read_table(
    package: Package, resource: Resource, out: Collector, pool: ThreadPoolExecutor
) -> Table | None:
    """Read and parse one table; add file-level errors; None when it cannot be checked further."""
    file = resource.path
    try:
        data = package.read_bytes(file)
    except MissingFileError:
        out.add("resource-missing", file, f"{file} does not exist (datapackage.json lists it)")
        return None
    except UnsafePathError as exc:
        reason = str(exc).removeprefix(package.where(file) + ": ")
        out.add("resource-path", package.descriptor_file, f"resource {resource.name!r}: {file} {reason}")
        return None
    except PackageError as exc:
        out.add("resource-missing", file, f"{file} cannot be read ({exc})")
        return None
    digest = hasher(resource.hash)
    hashed: Future[str] | None = pool.submit(digest, data) if digest is not None else None
    try:
        return _parse(resource, data, out)
    finally:
        if hashed is not None and hashed.result() != resource.hash:
            out.add(
                "hash",
                file,
                f"the hash in datapackage.json is not the hash of {file} (the file was edited)",
            )
        if resource.bytes is not None and resource.bytes != len(data):
            out.add(
                "bytes",
                file,
                f"datapackage.json says {resource.bytes} bytes but {file} has {len(data)}",
            )


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _parse(resource: Resource, data: bytes, out: Collector) -> Table | None:
    before = out.errors_in(resource.path)
    table = _parse_table(resource, data, out)
    if table is not None:
        table.size = len(data)
        table.final_newline = data.endswith(b"\n")
        table.clean = out.errors_in(resource.path) == before
    return table


def _parse_table(resource: Resource, data: bytes, out: Collector) -> Table | None:
    import pyarrow as pa

    file = resource.path
    if re.fullmatch(rb"[\r\n]*", data):
        out.add("empty-file", file, f"{file} is empty (a table needs at least its header line)")
        return None
    if data.startswith(BOM):
        out.add("bom", file, f"{file} starts with a byte order mark (BOM)", row=1)
    cr = data.find(b"\r")
    if cr >= 0:
        out.add(
            "line-ending",
            file,
            "the line ends with a carriage return (CR or CRLF) instead of a line feed (LF) only",
            row=_line_of(data, cr),
        )
    body = data
    dialect = resource.dialect
    header = _header(body, dialect.delimiter, dialect.quote_char)
    names = [f"c{i}" for i in range(len(header))]
    bad: list[Any] = []
    threaded = len(body) > _THREADED
    fixed = False

    def attempt(newlines: bool, threads: bool) -> pa.Table:
        nonlocal body, fixed
        bad.clear()
        try:
            return _read(body, names, bad, threads, newlines, dialect.delimiter, dialect.quote_char)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) or fixed:
                raise
            body, fixed = _fix_encoding(data, file, out), True
            bad.clear()
            return _read(body, names, bad, threads, newlines, dialect.delimiter, dialect.quote_char)

    n_lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    # a quote left open on the last line (a file cut off inside a quoted cell) parses silently
    quote = dialect.quote_char.encode()
    odd = body.count(quote, body.rfind(b"\n", 0, max(len(body) - 1, 0)) + 1) % 2 == 1
    try:
        table = None
        if not odd:  # the fast parse: every line one record (no line breaks inside quotes)
            table = attempt(False, threaded)
            if bad or table.num_rows != n_lines:
                table = None
        if table is None:
            table = attempt(True, threaded)
            if bad and threaded:  # only the serial reader knows the numbers of skipped rows
                table = attempt(True, False)
    except pa.ArrowInvalid as exc:
        out.add("parse", file, f"{file} cannot be parsed as CSV ({exc})")
        return None
    if table.num_rows == 0:
        out.add("empty-file", file, f"{file} has no header line")
        return None
    header = [str(v) for v in table.slice(0, 1).to_pylist()[0].values()]
    rows = table.slice(1)
    lines, quiet, extra = _line_map(body, rows.num_rows, bad, file, out, n_lines, odd, resource)
    if extra:  # keep the skipped rows' keys for references, but report nothing else on them
        import numpy as np

        cells = list(zip(*(c for _, c in extra), strict=True))
        more = pa.table({n: arrow.strings(list(cells[i])) for i, n in enumerate(names)})
        rows = pa.concat_tables([rows, more])
        assert lines is not None
        lines = np.concatenate([lines, np.array([ln for ln, _ in extra], dtype=np.int64)])
        quiet = np.concatenate([quiet if quiet is not None else np.zeros(len(lines) - len(extra), bool),
                                np.ones(len(extra), dtype=bool)])  # fmt: skip
    columns: dict[str, pa.ChunkedArray] = {}
    fields = set(resource.field_names)
    for i, h in enumerate(header):
        if h in fields and h not in columns:
            columns[h] = rows.column(i)
    return Table(resource, file, header, rows, columns, lines, quiet)


def _fix_encoding(data: bytes, file: str, out: Collector) -> bytes:
    """Report the first byte that is not UTF-8; the text with U+FFFD for every bad byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.add(
            "encoding",
            file,
            f"byte {exc.start} ({data[exc.start]:#04x}) is not UTF-8 "
            "(the file may be Latin-1 or Windows-1252)",
            row=_line_of(data, exc.start),
        )
    return data.decode("utf-8", errors="replace").encode("utf-8")


def _header(body: bytes, delimiter: str = ",", quote: str = '"') -> list[str]:
    """The header's cells, parsed by the csv module from the start of the file."""
    head = body[: 1 << 16].decode("utf-8", errors="replace").lstrip("\ufeff")
    for row in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, quotechar=quote):
        if row:
            return row
    return [""]


def _read(
    body: bytes, names: list[str], bad: list[Any], threaded: bool, newlines: bool, delimiter: str, quote: str
) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def handler(row: Any) -> str:
        bad.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    return pacsv.read_csv(
        pa.py_buffer(body),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=threaded, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char=quote, newlines_in_values=newlines, invalid_row_handler=handler
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _line_map(
    body: bytes,
    num_rows: int,
    bad: list[Any],
    file: str,
    out: Collector,
    n_lines: int,
    odd: bool,
    resource: Resource,
) -> tuple[np.ndarray | None, np.ndarray | None, list[tuple[int, list[str]]]]:
    """Line numbers of the data rows (None when row ``i`` is on line ``i + 2``), the rows not to
    report on (None when all are fine), and the cells of the rows pyarrow skipped, with their lines.

    Also reports blank lines, ragged rows and unclosed quotes.
    """
    if not bad and not odd and n_lines == num_rows + 1:
        return None, None, []
    import numpy as np

    quote = resource.dialect.quote_char
    odd = body.count(quote.encode()) % 2 == 1

    arr = np.frombuffer(body, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == ord(quote))
    ends = nl[(np.searchsorted(quotes, nl) & 1) == 0]  # newlines outside quotes end a record
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(body)]))
    if starts[-1] >= len(body):
        starts, stops = starts[:-1], stops[:-1]
    length = stops - starts
    last = arr[np.maximum(stops - 1, 0)]
    blank = (length == 0) | ((length == 1) & (last == 13))
    start_lines = np.searchsorted(nl, starts) + 1
    out.add_rows(
        "blank-row", file, None, start_lines[blank], None, lambda v: "the line is blank", lambda i: i
    )
    record_lines = start_lines[~blank]  # record 1 = header
    skipped = np.array(sorted(b[0] for b in bad if b[0] is not None), dtype=np.int64)
    extra: list[tuple[int, list[str]]] = []
    unclosed_reported = False
    for number, expected, actual, text in bad:
        line = int(record_lines[number - 1]) if number is not None and number <= len(record_lines) else None
        if str(text).count(quote) % 2:
            out.add("parse", file, "a quote is opened and never closed (or the file is cut off)", row=line)
            unclosed_reported = True
        else:
            out.add("ragged-row", file, f"the row has {actual} cells; the header has {expected}", row=line)
        if line is not None:
            reader = csv.reader(
                io.StringIO(str(text), newline=""), delimiter=resource.dialect.delimiter, quotechar=quote
            )
            cells = next(reader, [])
            extra.append((line, (cells + [""] * expected)[:expected]))
    keep = np.ones(len(record_lines), dtype=bool)
    keep[skipped[skipped <= len(keep)] - 1] = False
    lines = record_lines[keep][1:].astype(np.int64)
    if len(lines) != num_rows:  # quotes the parity pass cannot follow: fall back to a guess
        lines = np.arange(num_rows, dtype=np.int64) + 2
    quiet = None
    if odd and not unclosed_reported and len(record_lines):
        line = int(record_lines[-1])
        out.add("parse", file, "a quote is opened and never closed (or the file is cut off)", row=line)
        quiet = lines >= line
    return lines, quiet, extra
