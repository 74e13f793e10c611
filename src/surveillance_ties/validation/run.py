"""``validate()``: every check of the package in one run, without writing a file or using the network."""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from surveillance_ties.datapackage import (
    DESCRIPTOR,
    Package,
    PackageError,
    Resource,
    default_root,
    open_package,
)
from surveillance_ties.datapackage.model import ARCHIVE_PATH, QUOTE, SOURCE_ID
from surveillance_ties.validation.report import Collector, Report

if TYPE_CHECKING:
    from surveillance_ties.validation.read import Table

#: The package folders whose files a release carries: each must hold regular files only.
PACKAGE_FOLDERS = ("data", "schemas", "seeds")


def validate(path: str | os.PathLike[str] | None = None, *, max_errors: int | None = None) -> Report:
    """Validate the data package at ``path``: a package folder, its ``datapackage.json`` or a release zip.

    ``None`` (the default) is the package around the current folder, found upwards as git finds
    ``.git``. Every check runs and every error is counted; the report keeps the first
    ``max_errors`` errors in file, line, column order (all of them when None). Bad input never
    raises: a package that cannot be read is a report with a ``descriptor-*`` error and
    ``readable`` False.
    """
    try:
        where = Path(path) if path is not None else default_root()
    except PackageError as exc:
        out = Collector(str(Path.cwd()))
        out.add("descriptor-missing", DESCRIPTOR, str(exc))
        return out.report(max_errors, readable=False)
    out = Collector(str(where.absolute()))
    try:
        package = open_package(where, strict=False)
    except PackageError as exc:
        out.add("descriptor-missing", DESCRIPTOR, str(exc))
        return out.report(max_errors, readable=False)
    collecting = gc.isenabled()
    gc.disable()  # few Python objects live here; the cyclic collector only costs time
    try:
        with package:
            readable = _run(package, out)
    finally:
        if collecting:
            gc.enable()
    return out.report(max_errors, readable=readable)


def _descriptor(package: Package, out: Collector) -> None:
    """The descriptor's and schemas' problems, in package order."""
    out.order_file(package.descriptor_file)
    for r in package.resources:
        if r.schema_path:
            out.order_file(r.schema_path)
        out.order_file(r.path, r.field_names)
    for p in package.problems:
        out.order_file(p.file)
        out.add(p.code, p.file, p.message, row=p.row, column=p.column)


def _folders(package: Package, out: Collector) -> None:
    """``unsafe-file`` for every link, FIFO or device in the package folders (a resource or schema
    path that is one is a ``resource-path`` problem of the descriptor already)."""
    named = {
        value
        for res in package.descriptor.get("resources", [])
        if isinstance(res, dict)
        for value in (res.get("path"), res.get("schema"))
        if isinstance(value, str)
    }
    for folder in PACKAGE_FOLDERS:
        try:
            _, refused = package.store.walk(folder)
        except PackageError:
            continue
        for rel in refused:
            if rel in named:
                continue
            out.add("unsafe-file", rel, f"{rel} is a link or a special file, not a regular file")


def _run(package: Package, out: Collector) -> bool:
    _descriptor(package, out)
    if not package.readable:
        return False
    _folders(package, out)
    import numpy  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import pyarrow.csv  # noqa: F401

    from surveillance_ties.validation import canonical, cells, hygiene, meaning, provenance
    from surveillance_ties.validation.read import read_table

    def read(resource: Resource) -> Table | None:
        """Read and parse one table (its file hashed beside the parse), without its blank rows."""
        table = read_table(package, resource, out, hashing)
        if table is None or resource.schema is None:
            return None
        blank = hygiene.empty_rows(table)
        if blank is not None:
            table.emit(out, "blank-row", None, blank, lambda v: "every cell of the row is empty")
            table.drop(blank)
            table.clean = False
        return table

    def check(table: Table, tables: dict[str, Table]) -> None:
        """The checks of one table's own cells, then its foreign keys (which read the other tables,
        never write to them)."""
        canonical.check_canonical(table, out)
        cells.check_header(table, out)
        hygiene.check_cells(table, out)
        cells.check_fields(table, out)
        cells.check_primary_key(table, out)
        meaning.check_meaning(table, out)
        cells.check_foreign_keys(table, tables, out)

    # Two tables at a time (pyarrow and numpy release the GIL). The quotes (the longest check)
    # start as soon as the tables they may read are read (those are read first) and run beside
    # everything else; they share only the report.
    quoted = [r for r in package.resources if _may_hold_quotes(r)]
    first = {r.name for r in quoted}
    with (
        ThreadPoolExecutor(max_workers=2) as hashing,
        ThreadPoolExecutor(max_workers=2) as pool,
        ThreadPoolExecutor(max_workers=1) as beside,
    ):
        order = quoted + [r for r in package.resources if r.name not in first]
        reading = {r.name: pool.submit(read, r) for r in order}

        def quotes() -> None:
            done = {r.name: reading[r.name].result() for r in quoted}
            _provenance(package, {n: t for n, t in done.items() if t is not None}, out)

        quotes_job = beside.submit(quotes)
        done = {r.name: reading[r.name].result() for r in package.resources}
        tables = {n: t for n, t in done.items() if t is not None}
        # The biggest tables first, so that the two threads finish together; meanwhile this thread
        # finds the record each citation names, once for both checks that need it. The citation
        # check skips cells the field checks flagged, so it waits for them.
        biggest = sorted(tables.values(), key=lambda t: -t.num_rows)
        checks = [pool.submit(check, t, tables) for t in biggest]
        links = {n: cells.record_links(t, tables) for n, t in tables.items() if cells.cites_records(t)}
        provenance.check_uncited(tables, out, links)
        for job in checks:
            job.result()
        cells.check_citations(tables, out, package.names, links)
        quotes_job.result()
    return True


def _may_hold_quotes(resource: Resource) -> bool:
    """Whether the provenance checks may read this table: the sources table has ``source_id`` and
    ``archive_path``, the citations table ``source_id`` and ``quote`` (see
    :mod:`surveillance_ties.validation.provenance`, which picks them by their columns)."""
    names = set(resource.field_names)
    return SOURCE_ID in names and (ARCHIVE_PATH in names or QUOTE in names)


def _provenance(package: Package, tables: dict[str, Table], out: Collector) -> None:
    """Archived texts present under seeds/, and every quote in its archived text."""
    from surveillance_ties.validation import provenance

    texts = provenance.check_archives(package, tables, out)
    provenance.check_quotes(tables, texts, out)
