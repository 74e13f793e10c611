"""``bench/RESULTS.md``: every figure, every ratio and each target's verdict, as Markdown tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.bench.targets import label, ratios

_MIB = 1024 * 1024


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if value == float("inf"):
        return "∞"
    return f"{value:.{digits}f}"


def _measured(target: Mapping[str, Any]) -> str:
    value = target["measured"]
    if value is None:
        return "–"
    if target["unit"] == "bytes":
        return f"{value / _MIB:.0f} MiB"
    if target["unit"] == "errors":
        return "∞" if value == float("inf") else f"{value:.0f}"
    return f"{value:.2f}×"


def _limit(target: Mapping[str, Any]) -> str:
    limit = target["limit"]
    if target["op"] == "reported" or limit is None:
        return "reported (no limit)"
    if target["unit"] == "bytes":
        if limit % _MIB == 0:
            return f"{target['op']} {limit / _MIB:g} MiB"
        return f"{target['op']} {limit / 1e9:g} GB ({limit / _MIB:.0f} MiB)"
    if target["unit"] == "errors":
        return f"{target['op']} {limit:g}"
    return f"{target['op']} {limit:g}×"


def _verdict(v: str) -> str:
    return {"pass": "✅ pass", "fail": "❌ miss", "reported": "reported", "n/a": "– not measured"}.get(v, v)


def _header(results: Mapping[str, Any]) -> list[str]:
    m = results["machine"]
    s = results["settings"]
    mem = m.get("memory_bytes")
    floor_note = s.get("floor_note")
    lines = [
        f"Written by `python scripts/bench.py` on {m['date']} (git {m.get('git_commit') or 'unknown'}).",
        "",
        f"- Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), "
        f"{'?' if mem is None else f'{mem / 2**30:.1f} GiB'} memory, {m['system']}; load average at start "
        f"{_loads(m.get('load_average'))}, at end {_loads(results.get('load_average_end'))}.",
        f"- Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v) + ".",
        f"- Each figure is the median of {s['repeat']} runs of a fresh process (wall time; CPU = user + sys "
        "of the child; peak RSS = its ru_maxrss), competitors interleaved run by run (A B A B …) after one "
        "untimed warm-up run each (build has none: its inputs are warm from the others). Stock frictionless "
        f"runs once at {label(s['frictionless_once_from'])} rows and above (it takes minutes there); it runs "
        "with its defaults everywhere, also on the defect packages (where it stops collecting errors at its "
        "default `--limit-errors` of 1000).",
        "- The read floor of a case is the faster (median wall) of two fresh processes that only read every "
        "CSV of the case: `pyarrow.csv.read_csv` (floor-pyarrow) and `polars.read_csv` (floor-polars); each "
        "floor target names the one it used" + (f" ({floor_note})" if floor_note else "") + ".",
        f"- Packages: `tools.synth` with seed {s['seed']}; the defect packages carry "
        f"{s['defect_rate']:.0%} of their rows as injected defects spread over 18 kinds; validate runs with "
        f"`--format json --max-errors {s['max_errors']}`. The diff compares the biggest valid package with "
        f"a copy (`tools.bench.mutate`, seed {s.get('mutation_seed', s['seed'])}) in which "
        f"{s.get('mutation_rate', 0.01):.0%} of each table's rows are removed, "
        f"{s.get('mutation_rate', 0.01):.0%} edited (one free-text cell) and "
        f"{s.get('mutation_rate', 0.01):.0%} added (new keys), with `--format json`. build writes the zip, "
        "SQLite, Parquet and checksums of the valid package (the release's top files copied from the "
        "real package) at the two biggest sizes.",
        *_shape(results),
    ]
    return lines


def _targets(results: Mapping[str, Any]) -> list[str]:
    lines = [
        "## Targets",
        "",
        "| target | measured | limit | verdict | notes |",
        "|---|---:|---:|---|---|",
    ]
    for t in results["targets"]:
        cells = [t["title"], _measured(t), _limit(t), _verdict(t["verdict"]), t.get("note", "")]
        lines.append("| " + " | ".join(cells) + " |")
    causes = results.get("causes", {})
    misses = [t for t in results["targets"] if t["verdict"] == "fail"]
    if misses:
        lines += ["", "### Missed targets and their measured causes", ""]
        for t in misses:
            cause = causes.get(t["id"], "not profiled in this run")
            lines.append(f"- **{t['title']}** ({_measured(t)}, limit {_limit(t)}): {cause}")
    reported = [t for t in results["targets"] if t["verdict"] == "reported" and t["id"] in causes]
    if reported:
        lines += ["", "### Reported figures and where their time goes", ""]
        for t in reported:
            lines.append(f"- **{t['title']}** ({_measured(t)}): {causes[t['id']]}")
    return lines


def _timings(results: Mapping[str, Any]) -> list[str]:
    lines = [
        "## Timings",
        "",
        "| case | command | runs | wall median (s) | CPU median (s) | peak RSS median (MiB) "
        "| wall of each run (s) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for case, data in results["cases"].items():
        for name, cmd in data["commands"].items():
            med = cmd["median"]
            runs = ", ".join(_num(r["wall_s"]) for r in cmd["runs"])
            note = " (one run)" if med["n"] == 1 else ""
            lines.append(
                f"| {case} | {name}{note} | {med['n']} | {_num(med['wall_s'])} | "
                f"{_num(med['cpu_s'])} | {med['peak_rss_bytes'] / _MIB:.0f} | {runs} |"
            )
    lines += ["", "## Ratios", "", "| case | ratio | wall | CPU |", "|---|---|---:|---:|"]
    for r in ratios(results):
        lines.append(f"| {r['case']} | {r['ratio']} | {_num(r['wall'])}× | {_num(r['cpu'])}× |")
    return lines


def _checks(results: Mapping[str, Any]) -> list[str]:
    lines = [
        "## Packages",
        "",
        "| package | rows | CSV bytes | archived texts | injected defects | generated in (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, p in results["packages"].items():
        lines.append(
            f"| {name} | {p['total_rows']} | {p['csv_bytes']} | {p['archives']} | {p['defects']} | "
            f"{_num(p['generate_s'])} |"
        )
    lines += [
        "",
        "## Injected defects against the validator's report",
        "",
        "| package | injected | reported (all codes) | missing | unexpected | listed in output | "
        "output bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case, d in results.get("defects", {}).items():
        lines.append(
            f"| {case} | {d['expected']} | {d['error_count']} | {d['missing']} | "
            f"{d['unexpected']} | {d['shown']} | {d['stdout_bytes']} |"
        )
    for case, v in results.get("valid_check", {}).items():
        if v["error_count"]:
            n = v["error_count"]
            lines.append(f"| {case} (valid: none expected) | 0 | {n} | – | {n} | – | – |")
    for case, check in results.get("diff_check", {}).items():
        lines += [
            "",
            f"## {case}: the rows the mutation changed against the diff's report",
            "",
            "| table | removed (made / reported) | changed (made / reported) | added (made / reported) "
            "| other changes | wrong |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, t in check["tables"].items():
            made, seen = t["expected"], t["reported"]
            cells = " | ".join(f"{made[k]} / {seen[k]}" for k in ("removed", "changed", "added"))
            lines.append(f"| {name} | {cells} | {t['other_changes']} | {t['wrong']} |")
        if check.get("examples"):
            lines += ["", "Examples: " + "; ".join(check["examples"]) + "."]
    return lines


def _profiles(results: Mapping[str, Any]) -> list[str]:
    if not results.get("profiles"):
        return []
    lines = [
        "## Profiles",
        "",
        "pyinstrument, one run each, main thread only (time in worker threads shows as "
        "`lock.acquire`): the time of each of our functions with the library calls it "
        "makes, all imports in one row, then the imports by package.",
        "",
    ]
    for name, p in results["profiles"].items():
        ours = "; ".join(_share(h) for h in p["ours"][:8])
        imports = "; ".join(_share(h) for h in p["imports"][:6])
        lines.append(f"- **{name}** ({_num(p['duration_s'])} s): {ours}. Imports: {imports}.")
    return lines


def markdown(results: Mapping[str, Any]) -> str:
    """The whole RESULTS.md text."""
    lines: list[str] = ["# Benchmark results (issue 14)", ""]
    if results.get("preliminary"):
        note = results.get("note") or "Measured on a busy machine; the figures are noisy."
        lines += [f"> **PRELIMINARY.** {note}", ""]
    lines += _header(results)
    for part in (_targets, _timings, _checks, _profiles):
        section = part(results)
        if section:
            lines += ["", *section]
    return "\n".join(lines) + "\n"


def _shape(results: Mapping[str, Any]) -> list[str]:
    packages = {k: v for k, v in (results.get("packages") or {}).items() if v.get("rows")}
    if not packages:
        return []
    name, biggest = max(packages.items(), key=lambda kv: kv[1]["total_rows"])
    rows = ", ".join(f"{table} {n}" for table, n in biggest["rows"].items())
    return [f"- Rows per table in {name}: {rows}. Every record is cited, so citations are the largest table."]


def _share(h: Mapping[str, Any]) -> str:
    return f"{h['share']:.0%} {h['function']}" + (f" ({h['file']})" if h["file"] else "")


def _loads(values: Any) -> str:
    return "?" if not values else " / ".join(f"{v:.2f}" for v in values)
