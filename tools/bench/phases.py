"""Where the CPU time goes, step by step, including the worker threads pyinstrument does not sample.

:func:`phases` runs ``validate`` or ``diff`` once, in a fresh process, with each of its steps (the
functions in :data:`STEPS`) wrapped to add up the CPU time of the thread that runs it
(``time.thread_time``), without the steps it calls itself. The imports are timed apart, before the
run; what no step accounts for (the CSV parsing and hashing on pyarrow's and our own helper
threads, the report) is the rest of the process's CPU time. On two cores a command's wall time
cannot be below half its CPU time, so this table says which steps a target's miss is made of.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: command -> (module, function, what the step does), in the order the command runs them
STEPS: dict[str, list[tuple[str, str, str]]] = {
    "validate": [
        ("surveillance_ties.validation.read", "read_table", "read, hash and parse each table"),
        ("surveillance_ties.validation.hygiene", "empty_rows", "blank rows"),
        ("surveillance_ties.validation.provenance", "check_archives", "archived texts"),
        ("surveillance_ties.validation.provenance", "check_quotes", "every quote in its archived text"),
        ("surveillance_ties.validation.canonical", "check_canonical", "canonical form (size, order)"),
        ("surveillance_ties.validation.cells", "check_header", "header"),
        ("surveillance_ties.validation.hygiene", "check_cells", "cell hygiene (edges, controls)"),
        ("surveillance_ties.validation.cells", "check_fields", "types and constraints"),
        ("surveillance_ties.validation.cells", "check_primary_key", "primary keys"),
        ("surveillance_ties.validation.meaning", "check_meaning", "meaning rules (dates, ties)"),
        ("surveillance_ties.validation.cells", "check_foreign_keys", "foreign keys"),
        ("surveillance_ties.validation.cells", "record_links", "the record each citation names"),
        ("surveillance_ties.validation.cells", "check_citations", "citations point at records"),
        ("surveillance_ties.validation.provenance", "check_uncited", "every record cited"),
    ],
    "diff": [
        ("surveillance_ties.release.diff", "_text", "read each table as text"),
        ("surveillance_ties.release.diff", "_old_rows_of", "match rows by primary key (hash)"),
        ("surveillance_ties.release.diff", "_rows_diff", "compare matched rows column by column"),
        ("surveillance_ties.release.diff", "_dicts", "reported rows as Python dicts"),
        ("surveillance_ties.release.diff_render", "render", "render the JSON"),
    ],
}

_RUN = """
import importlib, json, sys, threading, time
command, steps, args = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
totals = {}
local = threading.local()
lock = threading.Lock()

def wrap(module, name):
    mod = importlib.import_module(module)
    inner = getattr(mod, name)
    def timed(*a, **k):
        stack = local.__dict__.setdefault("stack", [])
        stack.append(0.0)
        start = time.thread_time()
        try:
            return inner(*a, **k)
        finally:
            spent = time.thread_time() - start
            nested = stack.pop()
            if stack:
                stack[-1] += spent
            with lock:
                cpu, calls = totals.get(name, (0.0, 0))
                totals[name] = (cpu + spent - nested, calls + 1)
    setattr(mod, name, timed)

cpu0 = time.process_time()
for module, name, _ in steps:
    wrap(module, name)
import numpy, pyarrow.compute, pyarrow.csv  # what the steps import on first use
imports = time.process_time() - cpu0
cpu0, wall0 = time.process_time(), time.perf_counter()
if command == "validate":
    from surveillance_ties.validation import validate
    validate(args[0])
else:
    from surveillance_ties.release import diff_render
    from surveillance_ties.release.diff import diff_sources
    diff_render.render(diff_sources(args[0], args[1]), "json")
print(json.dumps({"cpu_s": time.process_time() - cpu0, "wall_s": time.perf_counter() - wall0,
                  "imports_cpu_s": imports,
                  "steps": {n: {"cpu_s": c, "calls": k} for n, (c, k) in totals.items()}}))
"""


def phases(command: str, args: Sequence[str], *, cwd: Path | None = None) -> dict[str, Any]:
    """CPU seconds by step of one run of ``command`` (``validate PKG`` or ``diff OLD NEW``), the
    process's CPU and wall seconds after the imports (their CPU seconds apart), and the rest."""
    steps = STEPS[command]
    argv = [sys.executable, "-c", _RUN, command, json.dumps(steps), *args]
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command} with its steps timed failed: {done.stderr.strip()[-2000:]}")
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    rows = [
        {
            "step": what,
            "function": name,
            "cpu_s": round(raw["steps"].get(name, {}).get("cpu_s", 0.0), 3),
            "calls": raw["steps"].get(name, {}).get("calls", 0),
        }
        for _, name, what in steps
    ]
    rest = raw["cpu_s"] - sum(r["cpu_s"] for r in rows)
    return {
        "command": command,
        "cpu_s": round(raw["cpu_s"], 3),
        "wall_s": round(raw["wall_s"], 3),
        "imports_cpu_s": round(raw["imports_cpu_s"], 3),
        "steps": rows,
        "rest_cpu_s": round(max(rest, 0.0), 3),
    }


def describe(name: str, result: Mapping[str, Any]) -> str:
    """One sentence: the CPU time of ``name`` by step, biggest first."""
    rows = sorted((r for r in result["steps"] if r["cpu_s"] >= 0.005), key=lambda r: -r["cpu_s"])
    parts = [f"{r['step']} {r['cpu_s']:.2f} s" for r in rows]
    rest = result["rest_cpu_s"]
    parts.append(f"the rest (CSV parsing and hashing on helper threads, the report) {rest:.2f} s")
    return (
        f"CPU by step of one in-process run of `{name}` ({result['cpu_s']:.2f} s of CPU in "
        f"{result['wall_s']:.2f} s of wall time after {result['imports_cpu_s']:.2f} s of imports; on 2 cores "
        f"the wall time cannot be below half the CPU time): {'; '.join(parts)}"
    )
