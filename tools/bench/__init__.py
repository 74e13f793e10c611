"""The side-by-side benchmark of issue 14: validate, diff and build against read floors and frictionless.

:func:`run` builds synthetic packages (valid and with ~1 % defects) at each
size with :mod:`tools.synth`, then measures, each as a whole fresh process
(wall time, CPU time of the child, peak RSS; median of ``repeat`` runs,
competitors interleaved run by run after one warm-up run):

- ``surveillance-ties validate`` on each package, against stock
  ``frictionless validate datapackage.json`` (one run from
  ``frictionless_once_from`` rows up) and two read floors: a process that only
  reads every CSV with ``pyarrow.csv.read_csv``, and one with
  ``polars.read_csv`` (left out, with a note, when polars is not installed);
- ``surveillance-ties build <pkg> --out <dir>`` on the valid packages of the two
  biggest sizes (no warm-up run);
- ``surveillance-ties diff OLD NEW --format json`` between the biggest valid
  package and a copy with 1 % of each table's rows removed, edited and added
  (:mod:`.mutate`), against the read floors of both packages' CSVs;
- on the real package, ``surveillance-ties validate`` against stock
  ``frictionless validate datapackage.json``, and ``import surveillance_ties;
  load_all()`` against ``import pandas; read_csv`` of the six CSVs.

It checks that the validator reports every injected defect at its code, file,
line and column and that the diff reports exactly the rows the mutation changed
(:mod:`.checks`), evaluates the targets (:mod:`.targets`), profiles the measured
side of every missed or reported target with pyinstrument (:mod:`.profile`), times
the steps of validate and diff on every thread (:mod:`.phases`) and writes
``results.json`` and ``RESULTS.md`` (:mod:`.render`).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench import profile as prof
from tools.bench.checks import defect_check, diff_check
from tools.bench.measure import Launcher, machine, warm
from tools.bench.phases import STEPS, describe, phases
from tools.bench.render import markdown
from tools.bench.targets import evaluate, label, median_of

__all__ = ["DEFAULT_SIZES", "BenchError", "Command", "run"]

DEFAULT_SIZES = (12_000, 120_000, 1_200_000)
_FLOORS = {
    "floor-pyarrow": "import sys, pyarrow.csv as c\nfor p in sys.argv[1:]: c.read_csv(p)",
    # polars infers the types from the first 100 rows; a file whose later rows break them (an injected
    # defect) is read again with the types inferred from every row, and the failed attempt counts too.
    "floor-polars": "import sys, polars as pl\nfor p in sys.argv[1:]:\n"
    " try: pl.read_csv(p)\n except pl.exceptions.ComputeError: pl.read_csv(p, infer_schema_length=None)",
}
_LOADER = "import surveillance_ties; surveillance_ties.load_all()"

Log = Callable[[str], None]


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
    warmup: bool = True  # one untimed run first (when it runs more than once)
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


def polars_available() -> bool:
    """True when this Python can import polars (the second read floor)."""
    return importlib.util.find_spec("polars") is not None


def _floors(csvs: Sequence[Path], repeat: int) -> list[Command]:
    """The read floors over ``csvs``: pyarrow, and polars when it is installed."""
    names = ["floor-pyarrow", *(["floor-polars"] if polars_available() else [])]
    return [Command(n, [sys.executable, "-c", _FLOORS[n], *map(str, csvs)], repeat) for n in names]


def _case(
    launch: Launcher, name: str, commands: list[Command], files: Sequence[Path], cwd: Path, log: Log
) -> dict[str, Any]:
    """Warm the page cache, one untimed run of each repeated command, then the timed runs interleaved.

    Every command runs in ``cwd`` (the work folder), so none picks up the current folder by accident.
    Raises :class:`BenchError` when a command exits with a code it should not.
    """
    warm(files)
    for cmd in commands:
        if cmd.runs > 1 and cmd.warmup:
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


def _defect_check(launch: Launcher, pkg: Path, report_capped: Path, log: Log) -> dict[str, Any]:
    """The validator's report on a defect package against the manifest: counts, locations, the cap."""
    manifest = json.loads((pkg / "synth.json").read_text(encoding="utf-8"))
    full_out = report_capped.with_name(report_capped.stem + "-full.json")
    limit = len(manifest["defects"]) + 1000
    launch.run(
        [*_script("surveillance-ties"), "validate", str(pkg), "--format", "json", "--max-errors", str(limit)],
        cwd=pkg.parent,
        stdout=full_out,
        expect=(1,),
    )
    out = defect_check(
        manifest,
        json.loads(report_capped.read_text(encoding="utf-8")),
        json.loads(full_out.read_text(encoding="utf-8")),
        report_capped.stat().st_size,
    )
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
    mutation_rate: float = 0.01,
    max_errors: int = 1000,
    frictionless_once_from: int = 1_000_000,
    preliminary: bool = False,
    note: str = "",
    profile: bool = True,
    log: Log = print,
) -> dict[str, Any]:
    """Build the packages, measure everything, evaluate the targets; write results.json and RESULTS.md."""
    from surveillance_ties.datapackage import package_root

    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    out, work = out.absolute(), work.absolute()
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    real = package_root()
    ordered = sorted(sizes)
    results: dict[str, Any] = {
        "preliminary": preliminary,
        "note": note,
        "machine": machine(real),
        "settings": {
            "sizes": ordered,
            "repeat": repeat,
            "seed": seed,
            "defect_rate": defect_rate,
            "mutation_seed": seed,
            "mutation_rate": mutation_rate,
            "max_errors": max_errors,
            "frictionless_once_from": frictionless_once_from,
            "frictionless_on_defects": "the stock command with its defaults (it stops collecting "
            "errors at its default --limit-errors of 1000)",
            "build_sizes": ordered[-2:],
            "floor_note": None if polars_available() else "polars is not installed: no polars floor",
        },
        "packages": {},
        "cases": {},
        "defects": {},
        "valid_check": {},
        "diff_check": {},
        "profiles": {},
        "phases": {},
        "causes": {},
    }
    started = time.time()
    with Launcher() as launch:
        results["settings"]["launcher_rss_bytes"] = launch.baseline_rss_bytes
        for size in ordered:
            for kind in ("valid", "defects"):
                _synthetic(launch, results, work, real, size, kind, log)
        _diff(launch, results, work, ordered[-1], log)
        _real(launch, results, real, work, log)
    results["load_average_end"] = machine()["load_average"]
    results["elapsed_s"] = time.time() - started
    targets = evaluate(results)
    results["targets"] = [t.to_dict() for t in targets]
    if profile and prof.available():
        _profile(results, targets, work, log)
    write(results, out)
    return results


def _release_files(real: Path, pkg: Path) -> None:
    """Copy the top files a release carries (README, CHANGELOG, licences, CITATION.cff) from the real
    package, so that ``build`` accepts the synthetic one."""
    from surveillance_ties.release.build import TOP_FILES

    for name in TOP_FILES:
        shutil.copyfile(real / name, pkg / name)


def _synthetic(
    launch: Launcher, results: dict[str, Any], work: Path, real: Path, size: int, kind: str, log: Log
) -> None:
    """Generate one synthetic package; race validate, the floors, frictionless (and build) on it; check
    the report."""
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
    validate = [*_script("surveillance-ties"), "validate", str(pkg), "--format", "json"]
    commands = [
        Command("validate", [*validate, "--max-errors", str(s["max_errors"])], repeat, expect, report),
        *_floors(csvs, repeat),
        Command(
            "frictionless",
            [*_script("frictionless"), "validate", str(pkg / "datapackage.json")],
            1 if size >= s["frictionless_once_from"] else repeat,
            expect,
        ),
    ]
    if kind == "valid":
        _release_files(real, pkg)
        if size in s["build_sizes"]:
            dist = work / f"{name}-dist"
            build = [*_script("surveillance-ties"), "build", str(pkg), "--out", str(dist)]
            commands.append(Command("build", build, repeat, warmup=False))
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


def _diff(launch: Launcher, results: dict[str, Any], work: Path, size: int, log: Log) -> None:
    """Mutate the biggest valid package; race the diff against the floors of both packages; check it."""
    from tools.bench.mutate import mutate

    s = results["settings"]
    old = work / f"{label(size)}-valid"
    new = work / f"{label(size)}-changed"
    t0 = time.perf_counter()
    mutation = mutate(old, new, seed=s["mutation_seed"], rate=s["mutation_rate"])
    csvs = _csvs(new)
    results["packages"][new.name] = {
        "path": str(new),
        "total_rows": sum(t.rows_new for t in mutation.tables.values()),
        "rows": {n: t.rows_new for n, t in mutation.tables.items()},
        "csv_bytes": sum(p.stat().st_size for p in csvs),
        "archives": results["packages"][old.name]["archives"],
        "defects": 0,
        "generate_s": time.perf_counter() - t0,
        "mutation": {n: t.counts() for n, t in mutation.tables.items()},
    }
    log(f"{new.name}: mutated in {results['packages'][new.name]['generate_s']:.1f} s")
    name = f"{label(size)}-diff"
    report = work / f"{name}.json"
    both = [*_csvs(old), *csvs]
    commands = [
        Command(
            "diff",
            [*_script("surveillance-ties"), "diff", str(old), str(new), "--format", "json"],
            s["repeat"],
            stdout=report,
        ),
        *_floors(both, s["repeat"]),
    ]
    results["cases"][name] = _case(launch, name, commands, both, work, log)
    check = diff_check(json.loads(report.read_text(encoding="utf-8")), mutation.to_dict())
    results["diff_check"][name] = check
    log(f"  diff: {check['wrong']} rows or changes reported other than the mutation made them")


def _real(launch: Launcher, results: dict[str, Any], real: Path, work: Path, log: Log) -> None:
    """The loader and the contributor loop (validate against stock frictionless) on the real package."""
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
            Command(
                "frictionless", [*_script("frictionless"), "validate", str(real / "datapackage.json")], repeat
            ),
        ],
        csvs,
        work,
        log,
    )


#: the package arguments of a command whose steps are timed (:mod:`.phases`)
_POSITIONAL = {"validate": 1, "diff": 2}
# target id -> the case and command whose run is profiled when the target is missed or reported
_PROFILED = {
    "real-vs-frictionless": ("real-validate", "validate"),
    "real-peak-rss": ("real-validate", "validate"),
    "valid-vs-floor": ("{big}-valid", "validate"),
    "defects-vs-floor": ("{big}-defects", "validate"),
    "valid-vs-frictionless": ("{big}-valid", "validate"),
    "valid-peak-rss": ("{big}-valid", "validate"),
    "growth": ("{big}-valid", "validate"),
    "diff-vs-floor": ("{big}-diff", "diff"),
    "diff-peak-rss": ("{big}-diff", "diff"),
    "build-vs-floor": ("{big}-valid", "build"),
    "build-growth": ("{big}-valid", "build"),
    "loader-vs-pandas": ("real-loader", "load_all"),
}


def _profile(results: dict[str, Any], targets: Sequence[Any], work: Path, log: Log) -> None:
    """One pyinstrument run of the measured side of each missed or reported target; its cause."""
    big = label(max(results["settings"]["sizes"]))
    for t in targets:
        if t.verdict not in ("fail", "reported") or t.id not in _PROFILED:
            continue
        case, command = _PROFILED[t.id]
        case = case.format(big=big)
        key = f"{case} {command}"
        if key not in results["profiles"]:
            target = profile_target(results, case, command)
            if target is None:
                continue
            log(f"profiling {key} ({t.verdict}: {t.id})")
            results["profiles"][key] = prof.profile(target, work / f"profile-{case}-{command}.json", cwd=work)
            if command in STEPS:
                argv = results["cases"][case]["commands"][command]["argv"]
                i = argv.index(command)
                log(f"timing the steps of {key}")
                results["phases"][key] = phases(command, argv[i + 1 : i + 1 + _POSITIONAL[command]], cwd=work)
        cause = prof.cause(key, results["profiles"][key])
        if key in results["phases"]:
            cause += ". " + describe(key, results["phases"][key])
        results["causes"][t.id] = cause


def profile_target(results: dict[str, Any], case: str, command: str) -> list[str] | None:
    """What pyinstrument runs for ``command`` of ``case``: ``-m surveillance_ties <subcommand> ...`` with
    the measured arguments, or ``-c <code>`` for the loader; None when the command was not measured."""
    argv = results["cases"].get(case, {}).get("commands", {}).get(command, {}).get("argv")
    if not argv:
        return None
    if command == "load_all":
        return ["-c", _LOADER]
    i = argv.index(command)
    return ["-m", "surveillance_ties", *argv[i:]]


def write(results: dict[str, Any], out: Path) -> None:
    """Write ``results.json`` (every raw figure) and ``RESULTS.md`` into ``out``."""
    text = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    (out / "results.json").write_text(text, encoding="utf-8")
    (out / "RESULTS.md").write_text(markdown(results), encoding="utf-8")
