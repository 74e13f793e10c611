"""``validate()``: every check of the package in one run, without writing a file or using the network."""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from surveillance_ties.validation.report import Collector, Report

if TYPE_CHECKING:
    from surveillance_ties.validation.read import Table


def validate(path: str | os.PathLike[str] = ".", *, max_errors: int | None = None) -> Report:
    """Validate the data package at ``path`` (a package folder or its ``datapackage.json``).

    Every check runs and every error is counted; the report keeps the first ``max_errors``
    errors in file, line, column order (all of them when None). Bad input never raises: a
    package that cannot be read is a report with a ``descriptor-*`` error and ``readable`` False.
    """
    out = Collector(str(Path(path).absolute()))
    collecting = gc.isenabled()
    gc.disable()  # few Python objects live here; the cyclic collector only costs time
    try:
        readable = _run(Path(path), out)
    finally:
        if collecting:
            gc.enable()
    return out.report(max_errors, readable=readable)


def _run(path: Path, out: Collector) -> bool:
    from surveillance_ties.validation.descriptor import read_package

    package = read_package(path, out)
    if not package.readable:
        return False
    # The main thread imports what it needs first; pandas and pandera then load in the background
    # while the tables are read and checked (pyarrow and numpy release the GIL).
    # (An import in a function while another thread imports waits for that import's locks.)
    import numpy  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import pyarrow.csv  # noqa: F401

    from surveillance_ties.validation import (  # noqa: F401
        cells,
        hygiene,
        mapper,
        meaning_run,
        provenance,
        quotes,
        strings,
        types,
    )
    from surveillance_ties.validation.meaning import rules_for
    from surveillance_ties.validation.read import read_table

    tables: dict[str, Table] = {}
    with ThreadPoolExecutor(max_workers=3) as pool:
        needs_pandera = any(rules_for(r.fields) for r in package.resources)
        pandera_job = pool.submit(meaning_run.prepare) if needs_pandera else None
        for resource in package.resources:
            table = read_table(resource, out, pool)
            if table is None or resource.schema is None:
                continue
            blank = hygiene.empty_rows(table)
            if blank is not None:
                table.emit(out, "blank-row", None, blank, lambda v: "every cell of the row is empty")
                table.drop(blank)
            tables[resource.name] = table
        # quotes (the longest check) run beside the cell checks; they share no state but the report
        quotes_job = pool.submit(_provenance, package.root, tables, out)
        for t in tables.values():
            cells.check_header(t, out)
            hygiene.check_cells(t, out)
            cells.check_fields(t, out)
            cells.check_primary_key(t, out)
        for t in tables.values():
            cells.check_foreign_keys(t, tables, out)
        cells.check_citations(tables, out, package.names)
        provenance.check_uncited(tables, out)
        quotes_job.result()
        if pandera_job is not None:
            pandera_job.result()
    for t in tables.values():
        meaning_run.check_meaning(t, out)
    return True


def _provenance(root: Path, tables: dict[str, Table], out: Collector) -> None:
    """Archived texts present under seeds/, and every quote in its archived text."""
    from surveillance_ties.validation import provenance

    texts = provenance.check_archives(root, tables, out)
    provenance.check_quotes(tables, texts, out)
