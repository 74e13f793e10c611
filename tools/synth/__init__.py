"""Synthetic data packages at any size, for the benchmark and for the validator's tests.

:func:`generate` writes a complete package with the project's real Table
Schemas and a ``datapackage.json`` derived from the real one (hash and bytes
refreshed): six tables, archived texts under ``seeds/`` and, on request, a
known number of injected defects of each kind, listed in the returned
manifest (and in ``synth.json``) with the error code, file, line and column
where the validator must report each.

Shape of a package of ``rows`` rows in total (all six tables together)::

    table                share  notes
    organizations          5 %  companies 35 %, police 40 %, agencies, regulators, ...
    partnerships          35 %  the largest table of records
    features               3 %
    regulatory_actions     1 %
    sources                8 %  one in ~1,000 archived (a ~11 KB text under seeds/)
    citations             48 %  the rest: one per record (44 % of rows) + field-level extras

Every record needs at least one citation, so ``citations`` is the largest
table. At ``rows=1_200_000``: 60k organizations, 420k partnerships, 36k
features, 12k regulatory actions, 96k sources (96 archived texts) and 576k
citations, about 230 MB of CSV. Sources that are not archived name the
archived source of their group in ``cited_by``, and every quote is a run of 5
to 24 whole words of one paragraph of that archived text, so it really occurs
there.

The package is valid (no self-ties or duplicate ties, statuses consistent with
end dates, ends after starts, real partial dates), sorted by primary key,
UTF-8 with LF line endings, quoted only where CSV needs it, and deterministic:
the same ``rows``, ``seed`` and ``defects`` give the same bytes. Columns are
built with numpy and pyarrow compute and written by joining whole columns,
with no Python loop per row (1.2M rows take a few seconds).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from tools.synth.model import DEFECT_KINDS, MANIFEST, TABLES, Defect, SynthError, SynthResult

__all__ = [
    "DEFECT_KINDS",
    "MANIFEST",
    "MIN_ROWS",
    "SHARES",
    "Defect",
    "SynthError",
    "SynthResult",
    "counts",
    "generate",
]

#: Share of the rows of each table (``citations`` takes the rest).
SHARES: dict[str, float] = {
    "organizations": 0.05,
    "partnerships": 0.35,
    "features": 0.03,
    "regulatory_actions": 0.01,
    "sources": 0.08,
}
#: The smallest package the shares above can fill.
MIN_ROWS = 1000


def counts(rows: int) -> dict[str, int]:
    """Rows per table for a package of ``rows`` rows in total, in package order."""
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < MIN_ROWS:
        raise SynthError(f"rows must be a whole number of at least {MIN_ROWS} (got {rows!r})")
    out = {name: int(rows * share) for name, share in SHARES.items()}
    out["citations"] = rows - sum(out.values())
    return {name: out[name] for name in TABLES}


def _prepare(out: Path) -> None:
    """Make ``out`` an empty folder; only a new, empty or earlier synthetic package is accepted."""
    if out.exists():
        if not out.is_dir():
            raise SynthError(f"{out}: not a folder; give a new or empty folder")
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise SynthError(
                f"{out}: the folder is not empty and holds no synthetic package ({MANIFEST}); "
                "give a new or empty folder"
            )
        for name in ("data", "schemas", "seeds"):
            if (out / name).is_dir():
                shutil.rmtree(out / name)
        for name in ("datapackage.json", MANIFEST):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def generate(
    out_dir: str | Path, rows: int, seed: int = 0, defects: float | int | Mapping[str, int] | None = None
) -> SynthResult:
    """Write a synthetic package of ``rows`` rows in total into ``out_dir``; return what was written.

    ``defects``: ``None`` for a valid package; a rate such as ``0.01`` (that
    share of ``rows``, spread evenly over :data:`DEFECT_KINDS`); an ``int``
    (that many of every kind); or a mapping ``kind -> count``. Each defect sits
    in its own row and disturbs no other check, so the validator must report
    it at the code, file, line and column the manifest lists. ``out_dir`` must
    be new, empty or an earlier synthetic package, which is replaced. Raises
    :class:`SynthError` for a request it cannot satisfy.
    """
    from surveillance_ties.datapackage import dumps, open_package, package_root
    from surveillance_ties.datapackage.descriptor import refreshed
    from tools.synth import tables as t
    from tools.synth.columns import write_csv
    from tools.synth.defects import Injector, inject, per_kind

    out = Path(out_dir)
    n = counts(rows)
    want = per_kind(defects, rows)
    rng = np.random.default_rng(seed)
    orgs = t.organizations(rng, n["organizations"])
    ties = t.partnerships(rng, n["partnerships"], orgs)
    features = t.features(rng, n["features"], orgs)
    actions, has_amount = t.regulatory_actions(rng, n["regulatory_actions"], orgs)
    sources, group, arch = t.sources(rng, n["sources"])
    records = {
        "organizations": orgs.cols["org_id"],
        "partnerships": ties.cols["partnership_id"],
        "features": features["feature_id"],
        "regulatory_actions": actions["action_id"],
    }
    cites = t.citations(rng, n["citations"], records, sources["source_id"], group, arch)
    columns = {
        "organizations": orgs.cols,
        "partnerships": ties.cols,
        "features": features,
        "regulatory_actions": actions,
        "sources": sources,
        "citations": cites.cols,
    }
    injector = Injector(np.random.default_rng([seed, 1]), columns)
    if want:
        inject(injector, want, ties, has_amount, cites)
        injector.apply()

    root = package_root()
    real = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    fields_of: dict[str, list[str]] = {}
    for resource in real["resources"]:  # checked before anything is written
        name = resource["name"]
        schema = json.loads((root / resource["schema"]).read_text(encoding="utf-8"))
        fields = [f["name"] for f in schema["fields"]]
        if name not in columns or set(fields) != set(columns[name]):
            raise SynthError(
                f"the schema of {name!r} ({resource['schema']}) differs from what "
                "tools.synth generates; update the generator"
            )
        fields_of[name] = fields
    _prepare(out)
    shutil.copytree(root / "schemas", out / "schemas")
    (out / "data").mkdir()
    (out / "seeds").mkdir()
    for name, text in zip(arch.names, arch.texts, strict=True):
        (out / name).write_bytes(text)
    paths: dict[str, Path] = {}
    for resource in real["resources"]:
        name = resource["name"]
        paths[name] = out / resource["path"]
        write_csv(paths[name], fields_of[name], columns[name])
    real["name"] = f"{real['name']}-synthetic"
    real["title"] = f"{real.get('title', real['name'])} (synthetic: {rows} rows, seed {seed})"
    real["description"] = (
        "A synthetic package written by tools.synth for benchmarks and tests, "
        "with the real schemas; its records and archived texts are invented."
    )
    (out / "datapackage.json").write_text(dumps(real), encoding="utf-8", newline="\n")
    with open_package(out, strict=False) as written:
        (out / "datapackage.json").write_text(dumps(refreshed(written)), encoding="utf-8", newline="\n")
    result = SynthResult(
        root=out,
        seed=seed,
        rows=n,
        tables=paths,
        archives=tuple(out / a for a in arch.names),
        defects=tuple(sorted(injector.defects, key=lambda d: (d.file, d.row, d.code))),
    )
    (out / MANIFEST).write_text(
        json.dumps(result.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
    )
    return result
