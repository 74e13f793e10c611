"""What the measured commands reported against what the benchmark made (pure functions on plain data).

- :func:`defect_check`: the validator's JSON report on a package with injected defects against the
  generator's manifest (``synth.json``): every defect at its code, file, line and column, nothing else.
- :func:`diff_check`: ``surveillance-ties diff --format json`` between a package and its mutated copy
  against the mutation's manifest (``mutation.json``): per table, exactly the rows removed, changed
  (in the edited field only) and added, and no other change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["KINDS", "defect_check", "diff_check"]

#: The row changes of a table, in the order the results list them.
KINDS = ("removed", "changed", "added")


def defect_check(
    manifest: Mapping[str, Any], capped: Mapping[str, Any], full: Mapping[str, Any], stdout_bytes: int
) -> dict[str, Any]:
    """Compare the injected defects with the reported errors.

    ``capped`` is the report of the timed runs (``--max-errors`` as set), ``full`` a report with room
    for every error; ``stdout_bytes`` the size of the capped report.
    """
    want = {(d["code"], d["file"], d["row"], d["column"]) for d in manifest["defects"]}
    got = {(e["code"], e["file"], e["row"], e["column"]) for e in full["errors"]}
    return {
        "expected": len(want),
        "expected_counts": manifest["defect_counts"],
        "reported_counts": capped["counts"],
        "error_count": capped["error_count"],
        "reported": len(want & got),
        "missing": len(want - got),
        "unexpected": len(got - want),
        "missing_examples": sorted(want - got, key=str)[:5],
        "unexpected_examples": sorted(got - want, key=str)[:5],
        "shown": capped["shown"],
        "truncated": capped["truncated"],
        "stdout_bytes": stdout_bytes,
    }


def _key(row: Mapping[str, Any], pk: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(row.get(f)) for f in pk)


def diff_check(diff: Mapping[str, Any], mutation: Mapping[str, Any]) -> dict[str, Any]:
    """Compare the diff's JSON with the mutation's manifest, table by table.

    ``wrong`` counts, over every table, the keys the diff lists under a kind (removed, changed,
    added) where the mutation did not put them plus those it leaves out, the changed rows whose
    changed cells are not exactly the edited field, and each other change the diff reports (a table
    added, removed or renamed, a schema or metadata change, a package metadata change): 0 when the
    diff says exactly what the mutation did.
    """
    reported = {t["name"]: t for t in diff.get("tables", [])}
    tables: dict[str, Any] = {}
    wrong_total = 0
    examples: list[str] = []
    for name, made in mutation["tables"].items():
        pk = list(made["primary_key"])
        table = reported.get(name, {})
        listed = {
            "removed": [_key(r, pk) for r in table.get("removed", [])],
            "added": [_key(r, pk) for r in table.get("added", [])],
            "changed": [_key(c.get("key", {}), pk) for c in table.get("changed", [])],
        }
        wrong = 0
        for kind in KINDS:
            want = {tuple(k) for k in made[kind]}
            got = set(listed[kind])
            off = sorted(want ^ got)
            wrong += len(off) + len(listed[kind]) - len(got)  # a key listed twice is wrong once more
            examples += [
                f"{name} {kind} {'/'.join(k)}: {'not listed' if k in want else 'listed, not made'}"
                for k in off[:2]
            ]
        edited = {tuple(k): f for k, f in zip(made["changed"], made["changed_fields"], strict=True)}
        for c in table.get("changed", []):
            key = _key(c.get("key", {}), pk)
            fields = [cell.get("field") for cell in c.get("cells", [])]
            if key in edited and fields != [edited[key]]:
                wrong += 1
                examples.append(f"{name} changed {'/'.join(key)}: cells {fields}, edited {edited[key]}")
        other = len(table.get("schema", [])) + len(table.get("metadata", []))
        if table.get("status") not in ("changed", "unchanged"):
            other += 1
            examples.append(f"{name}: reported as {table.get('status', 'absent')!r}")
        wrong += other
        tables[name] = {
            "expected": {kind: len(made[kind]) for kind in KINDS},
            "reported": {kind: len(listed[kind]) for kind in KINDS},
            "other_changes": other,
            "wrong": wrong,
        }
        wrong_total += wrong
    extra = [n for n in reported if n not in mutation["tables"]]
    for name in extra:
        t = reported[name]
        n = (
            sum(len(t.get(kind, [])) for kind in KINDS)
            + len(t.get("schema", []))
            + len(t.get("metadata", []))
        )
        wrong_total += max(n, 1)
        examples.append(f"{name}: a table the mutation did not touch")
    package_changes = len(diff.get("metadata", []))
    wrong_total += package_changes
    if package_changes:
        examples.append(f"{package_changes} package metadata changes")
    return {
        "tables": tables,
        "package_metadata_changes": package_changes,
        "wrong": wrong_total,
        "examples": examples[:10],
    }
