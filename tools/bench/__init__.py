"""The side-by-side benchmark of issue 6: the validator and the loader against their baselines.

:func:`run` builds synthetic packages (valid and with ~1 % defects) at each
size with :mod:`tools.synth`, then measures, each as a whole
fresh process (wall time, CPU time of the child, peak RSS; median of
``repeat`` runs, competitors interleaved run by run after one warm-up run):

- ``surveillance-ties validate`` on each package;
- stock ``frictionless validate datapackage.json`` on the same packages (one
  run from ``frictionless_once_from`` rows up);
- the floor: a process that only reads every CSV with ``pyarrow.csv.read_csv``;
- on the real package, ``import surveillance_ties; load_all()`` against
  ``import pandas; read_csv`` of the six CSVs, and ``surveillance-ties
  validate`` against a bare ``import pandera.pandas``.

It also checks that the validator reports every injected defect at its code,
file, line and column, evaluates the targets (:mod:`.targets`), profiles the
measured side of any missed target with pyinstrument (:mod:`.profile`) and
writes ``results.json`` and ``RESULTS.md`` (:mod:`.render`).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench import profile as prof
from tools.bench.measure import Launcher, machine, warm
from tools.bench.render import markdown
from tools.bench.targets import evaluate, label, median_of

__all__ = ["DEFAULT_SIZES", "BenchError", "Command", "run"]

DEFAULT_SIZES = (12_000, 120_000, 1_200_000)
_FLOOR = "import sys, pyarrow.csv as c\nfor p in sys.argv[1:]: c.read_csv(p)"
_LOADER = "import surveillance_ties; surveillance_ties.load_all()"


class BenchError(RuntimeError):
    """A measured command could not run as expected (the message says which, and its stderr)."""


@dataclass
class Command:
    """One competitor: what to run, how often, and which exit codes are expected."""

    name: str
    argv: list[str]
    runs: int
    expect: tuple[int, ...] = (0,)
    stdout: Path | None = None  # keep the stdout of the runs here
    results: list[dict[str, Any]] = field(default_factory=list)


def _script(name: str) -> list[str]:
    """A console script installed beside this Python, else found on PATH, else ``python -m``."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    return [found] if found else [sys.executable, "-m", name.replace("-", "_")]


def _csvs(root: Path) -> list[Path]:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return [root / r["path"] for r in descriptor["resources"]]


def _case(
    launch: Launcher,
    name: str,
    commands: list[Command],
    files: Sequence[Path],
    cwd: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Warm the page cache, one untimed run of each repeated command, then the timed runs interleaved.

    Every command runs in ``cwd`` (the work folder), so none picks up the current folder by accident.
    Raises :class:`BenchError` when a command exits with a code it should not.
    """
    warm(files)
    for cmd in commands:
        if cmd.runs > 1:
            launch.run(cmd.argv, cwd=cwd, expect=cmd.expect)
    for i in range(max(c.runs for c in commands)):
        for cmd in commands:
            if i < cmd.runs:
                r = launch.run(cmd.argv, cwd=cwd, stdout=cmd.stdout, expect=cmd.expect)
                cmd.results.append(r.to_dict())
                log(
                    f"  {name} {cmd.name} run {i + 1}/{cmd.runs}: {r.wall_s:.2f} s wall, {r.cpu_s:.2f} s "
                    f"cpu, {r.peak_rss_bytes / 2**20:.0f} MiB, exit {r.exit_code}"
                )
                if r.exit_code not in cmd.expect:
                    raise BenchError(
                        f"{name}: `{' '.join(cmd.argv)[:300]}` exited with {r.exit_code} "
                        f"(expected {cmd.expect}): {r.stderr_tail[-1000:]}"
                    )
    return {
        "commands": {
            c.name: {"argv": c.argv, "runs": c.results, "median": median_of(c.results)} for c in commands
        }
    }


def _defect_check(
    launch: Launcher, pkg: Path, report_capped: Path, log: Callable[[str], None]
) -> dict[str, Any]:
    """The validator's report on a defect package against the manifest: counts, locations, the cap."""
    manifest = json.loads((pkg / "synth.json").read_text(encoding="utf-8"))
    capped = json.loads(report_capped.read_text(encoding="utf-8"))
    full_out = report_capped.with_name(report_capped.stem + "-full.json")
    limit = len(manifest["defects"]) + 1000
    launch.run(
        [*_script("surveillance-ties"), "validate", str(pkg), "--format", "json", "--max-errors", str(limit)],
        cwd=pkg.parent,
        stdout=full_out,
        expect=(1,),
    )
    full = json.loads(full_out.read_text(encoding="utf-8"))
    want = {(d["code"], d["file"], d["row"], d["column"]) for d in manifest["defects"]}
    got = {(e["code"], e["file"], e["row"], e["column"]) for e in full["errors"]}
    out = {
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
        "stdout_bytes": report_capped.stat().st_size,
    }
    log(
        f"  defects: {out['reported']}/{out['expected']} reported at their place, {out['unexpected']} "
        f"unexpected; output lists {out['shown']} of {out['error_count']}"
    )
    return out


def run(
    out: Path,
    work: Path,
    sizes: Sequence[int] = DEFAULT_SIZES,
    repeat: int = 3,
    *,
    seed: int = 1,
    defect_rate: float = 0.01,
    max_errors: int = 1000,
    frictionless_once_from: int = 1_000_000,
    preliminary: bool = False,
    note: str = "",
    profile: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build the packages, measure everything, evaluate the targets; write results.json and RESULTS.md."""
    from surveillance_ties.datapackage import package_root

    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    out, work = out.absolute(), work.absolute()
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    real = package_root()
    results: dict[str, Any] = {
        "preliminary": preliminary,
        "note": note,
        "machine": machine(real),
        "settings": {
            "sizes": sorted(sizes),
            "repeat": repeat,
            "seed": seed,
            "defect_rate": defect_rate,
            "max_errors": max_errors,
            "frictionless_once_from": frictionless_once_from,
            "frictionless_on_defects": "the stock command with its defaults (it stops collecting "
            "errors at its default --limit-errors of 1000)",
        },
        "packages": {},
        "cases": {},
        "defects": {},
        "valid_check": {},
        "profiles": {},
        "causes": {},
    }
    started = time.time()
    with Launcher() as launch:
        results["settings"]["launcher_rss_bytes"] = launch.baseline_rss_bytes
        for size in sorted(sizes):
            for kind in ("valid", "defects"):
                _synthetic(launch, results, work, size, kind, log)
        _real(launch, results, real, work, log)
    results["load_average_end"] = machine()["load_average"]
    results["elapsed_s"] = time.time() - started
    targets = evaluate(results)
    results["targets"] = [t.to_dict() for t in targets]
    if profile and prof.available():
        _profile_misses(results, targets, work, log)
    write(results, out)
    return results


def _synthetic(
    launch: Launcher, results: dict[str, Any], work: Path, size: int, kind: str, log: Callable[[str], None]
) -> None:
    """Generate one synthetic package, race validate, the floor and frictionless on it, check the report."""
    from tools.synth import generate

    s = results["settings"]
    name = f"{label(size)}-{kind}"
    pkg = work / name
    t0 = time.perf_counter()
    synth = generate(pkg, size, seed=s["seed"], defects=s["defect_rate"] if kind == "defects" else None)
    csvs = list(synth.tables.values())
    results["packages"][name] = {
        "path": str(pkg),
        "total_rows": synth.total_rows,
        "rows": synth.rows,
        "csv_bytes": sum(p.stat().st_size for p in csvs),
        "archives": len(synth.archives),
        "defects": len(synth.defects),
        "generate_s": time.perf_counter() - t0,
    }
    log(f"{name}: {synth.total_rows} rows generated in {results['packages'][name]['generate_s']:.1f} s")
    report = work / f"{name}-report.json"
    expect = (0, 1) if kind == "valid" else (1,)  # errors on a valid package are reported, not fatal
    repeat = s["repeat"]
    commands = [
        Command(
            "validate",
            [
                *_script("surveillance-ties"),
                "validate",
                str(pkg),
                "--format",
                "json",
                "--max-errors",
                str(s["max_errors"]),
            ],
            repeat,
            expect,
            report,
        ),
        Command("floor", [sys.executable, "-c", _FLOOR, *map(str, csvs)], repeat),
        Command(
            "frictionless",
            [*_script("frictionless"), "validate", str(pkg / "datapackage.json")],
            1 if size >= s["frictionless_once_from"] else repeat,
            expect,
        ),
    ]
    results["cases"][name] = _case(launch, name, commands, [*csvs, *synth.archives], work, log)
    if kind == "defects":
        results["defects"][name] = _defect_check(launch, pkg, report, log)
    else:
        rep = json.loads(report.read_text(encoding="utf-8"))
        results["valid_check"][name] = {
            "error_count": rep["error_count"],
            "counts": rep["counts"],
            "examples": rep["errors"][:5],
        }


def _real(
    launch: Launcher, results: dict[str, Any], real: Path, work: Path, log: Callable[[str], None]
) -> None:
    """The loader and the contributor loop on the real package."""
    repeat = results["settings"]["repeat"]
    csvs = _csvs(real)
    pandas = f"import pandas; [pandas.read_csv(p) for p in {[str(p) for p in csvs]!r}]"
    results["cases"]["real-loader"] = _case(
        launch,
        "real-loader",
        [
            Command("load_all", [sys.executable, "-c", _LOADER], repeat),
            Command("pandas", [sys.executable, "-c", pandas], repeat),
        ],
        csvs,
        work,
        log,
    )
    results["cases"]["real-validate"] = _case(
        launch,
        "real-validate",
        [
            Command("validate", [*_script("surveillance-ties"), "validate", str(real)], repeat),
            Command("pandera", [sys.executable, "-c", "import pandera.pandas"], repeat),
        ],
        csvs,
        work,
        log,
    )


# target id -> the case whose measured side (validate, or load_all) is profiled when the target is missed
_PROFILED = {
    "valid-vs-floor": "{big}-valid",
    "valid-vs-frictionless": "{big}-valid",
    "valid-peak-rss": "{big}-valid",
    "defects-vs-floor": "{big}-defects",
    "growth": "{big}-valid",
    "loader-vs-pandas": "real-loader",
    "validate-vs-pandera": "real-validate",
}


def _profile_misses(
    results: dict[str, Any], targets: Sequence[Any], work: Path, log: Callable[[str], None]
) -> None:
    big = label(max(results["settings"]["sizes"]))
    for t in targets:
        if t.verdict != "fail" or t.id not in _PROFILED:
            continue
        case = _PROFILED[t.id].format(big=big)
        command = "load_all" if case == "real-loader" else "validate"
        key = f"{case} {command}"
        if key not in results["profiles"]:
            target = _profile_target(results, case, command)
            if target is None:
                continue
            log(f"profiling {key} (missed: {t.id})")
            results["profiles"][key] = prof.profile(target, work / f"profile-{case}-{command}.json", cwd=work)
        results["causes"][t.id] = prof.cause(key, results["profiles"][key])


def _profile_target(results: dict[str, Any], case: str, command: str) -> list[str] | None:
    argv = results["cases"].get(case, {}).get("commands", {}).get(command, {}).get("argv")
    if not argv:
        return None
    if command == "load_all":
        return ["-c", _LOADER]
    i = argv.index("validate")
    return ["-m", "surveillance_ties", *argv[i:]]


def write(results: dict[str, Any], out: Path) -> None:
    """Write ``results.json`` (every raw figure) and ``RESULTS.md`` into ``out``."""
    text = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    (out / "results.json").write_text(text, encoding="utf-8")
    (out / "RESULTS.md").write_text(markdown(results), encoding="utf-8")
