"""``validate()``: every check of the package in one run, without writing a file or using the network."""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from surveillance_ties.validation.report import Collector, Report


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
    from surveillance_ties.validation import cells, hygiene, meaning_run, provenance
    from surveillance_ties.validation.descriptor import read_package
    from surveillance_ties.validation.read import Table, read_table

    package = read_package(path, out)
    if not package.readable:
        return False
    tables: dict[str, Table] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for resource in package.resources:
            table = read_table(resource, out, pool)
            if table is None or resource.schema is None:
                continue
            blank = hygiene.empty_rows(table)
            if blank is not None:
                table.emit(out, "blank-row", None, blank, lambda v: "every cell of the row is empty")
                table.drop(blank)
            tables[resource.name] = table
        from surveillance_ties.validation.meaning import rules_for

        needs_pandera = any(rules_for(list(t.columns)) for t in tables.values())
        meaning_job = pool.submit(_import_pandera) if needs_pandera else None
        for t in tables.values():
            cells.check_header(t, out)
            hygiene.check_cells(t, out)
            cells.check_fields(t, out)
            cells.check_primary_key(t, out)
        for t in tables.values():
            cells.check_foreign_keys(t, tables, out)
        cells.check_citations(tables, out, package.names)
        texts = provenance.check_archives(package.root, tables, out)
        provenance.check_quotes(tables, texts, out)
        provenance.check_uncited(tables, out)
        if meaning_job is not None:
            meaning_job.result()
    for t in tables.values():
        meaning_run.check_meaning(t, out)
    return True


def _import_pandera() -> None:
    """Import pandera in the background while the cell checks run (its import is the slowest)."""
    from surveillance_ties.validation import meaning_run

    meaning_run.prepare()
