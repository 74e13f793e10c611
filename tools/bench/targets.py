"""From raw runs to medians, ratios and the verdict on each target of issue 6 (pure functions on plain data).

The results structure these functions read (as in ``bench/results.json``)::

    {"settings": {"sizes": [12000, 120000, 1200000], "max_errors": 1000, ...},
     "cases": {"1.2M-valid": {"commands": {"validate": {"runs": [{"wall_s": .., "cpu_s": ..,
                                                                   "peak_rss_bytes": .., "exit_code": 0}],
                                                         "median": {...}}, "floor": {...}, ...}}, ...},
     "defects": {"1.2M-defects": {"expected": 12000, "reported": 12000, "missing": 0, "unexpected": 0,
                                  "error_count": 12000, "shown": 1000, "max_errors": 1000, ...}}}
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

#: 1.5 GB, the peak memory limit at 1.2M rows.
RSS_LIMIT_BYTES = 1_500_000_000


def label(rows: int) -> str:
    """``12000`` -> ``12k``, ``1200000`` -> ``1.2M``."""
    if rows >= 1_000_000:
        return f"{rows / 1_000_000:g}M"
    if rows >= 1000:
        return f"{rows / 1000:g}k"
    return str(rows)


def median_of(runs: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Median wall time, CPU time and peak RSS over ``runs`` (each measured separately)."""
    if not runs:
        raise ValueError("no runs to take a median of")
    return {
        "wall_s": statistics.median(float(r["wall_s"]) for r in runs),
        "cpu_s": statistics.median(float(r["cpu_s"]) for r in runs),
        "peak_rss_bytes": statistics.median(float(r["peak_rss_bytes"]) for r in runs),
        "n": len(runs),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def verdict(measured: float | None, op: str, limit: float) -> str:
    """``"pass"`` or ``"fail"`` for ``measured <op> limit`` (``<=`` or ``>=``); ``"n/a"`` if unmeasured."""
    if measured is None:
        return "n/a"
    if op == "<=":
        return "pass" if measured <= limit else "fail"
    if op == ">=":
        return "pass" if measured >= limit else "fail"
    raise ValueError(f"unknown comparison {op!r}")


@dataclass(frozen=True)
class Target:
    """One target of issue 6 and how the run fared."""

    id: str
    title: str
    measured: float | None
    op: str
    limit: float
    unit: str  # "x" for a ratio, "bytes", "errors"
    verdict: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return asdict(self)


def _median(results: Mapping[str, Any], case: str, command: str, key: str = "wall_s") -> float | None:
    try:
        return float(results["cases"][case]["commands"][command]["median"][key])
    except (KeyError, TypeError):
        return None


def _target(
    key: str, title: str, measured: float | None, op: str, limit: float, unit: str, detail: str
) -> Target:
    return Target(key, title, measured, op, limit, unit, verdict(measured, op, limit), detail)


def _ratio(
    results: Mapping[str, Any], a: tuple[str, str], b: tuple[str, str], key: str = "wall_s"
) -> float | None:
    return ratio(_median(results, *a, key), _median(results, *b, key))


def evaluate(results: Mapping[str, Any]) -> list[Target]:
    """Every target of issue 6, computed from the medians of one run (wall times).

    The size targets use the largest size of the run (1.2M by default); growth
    compares it with the next size down, with a limit of 1.2 times the row
    ratio (12x for 120k -> 1.2M).
    """
    sizes = sorted(int(s) for s in results["settings"]["sizes"])
    big = label(sizes[-1])
    valid, bad = f"{big}-valid", f"{big}-defects"
    out = [
        _target(
            "valid-vs-floor",
            f"{big} valid: validate / read floor",
            _ratio(results, (valid, "validate"), (valid, "floor")),
            "<=",
            3.0,
            "x",
            "median wall time of `surveillance-ties validate` over a process that only reads every CSV "
            "with pyarrow.csv.read_csv",
        ),
        _target(
            "valid-vs-frictionless",
            f"{big} valid: stock frictionless / validate",
            _ratio(results, (valid, "frictionless"), (valid, "validate")),
            ">=",
            40.0,
            "x",
            "how many times faster than `frictionless validate datapackage.json`",
        ),
        _target(
            "valid-peak-rss",
            f"{big} valid: validate peak memory",
            _median(results, valid, "validate", "peak_rss_bytes"),
            "<=",
            RSS_LIMIT_BYTES,
            "bytes",
            "median peak resident set size (ru_maxrss) of the validate process; limit 1.5 GB",
        ),
        _target(
            "defects-vs-floor",
            f"{big} with defects: validate / read floor",
            _ratio(results, (bad, "validate"), (bad, "floor")),
            "<=",
            4.0,
            "x",
            "median wall time on the package with ~1% injected defects",
        ),
    ]
    for size in sizes:
        case = f"{label(size)}-defects"
        check = results.get("defects", {}).get(case)
        missing = None if check is None else float(check["missing"] + check["unexpected"])
        out.append(
            _target(
                f"defects-reported-{label(size)}",
                f"{label(size)} with defects: every injected defect reported at its place",
                missing,
                "<=",
                0,
                "errors",
                "injected defects not reported at their code, file, line and column, plus errors "
                "reported where none was injected",
            )
        )
    check = results.get("defects", {}).get(bad)
    shown = None if check is None else float(check["shown"])
    out.append(
        _target(
            "defects-output-capped",
            f"{big} with defects: output capped by --max-errors",
            shown,
            "<=",
            float(results["settings"].get("max_errors", 1000)),
            "errors",
            "errors listed in the JSON output (its per-code counts still cover every error)",
        )
    )
    if len(sizes) > 1:
        mid = label(sizes[-2])
        limit = round(1.2 * sizes[-1] / sizes[-2], 2)
        grown = _ratio(results, (valid, "validate"), (f"{mid}-valid", "validate"))
        out.append(
            _target(
                "growth",
                f"growth: validate {big} / validate {mid} (valid)",
                grown,
                "<=",
                limit,
                "x",
                f"{sizes[-1] / sizes[-2]:g}x the rows may cost at most {limit:g}x the time (linear plus 20%)",
            )
        )
    loader = _ratio(results, ("real-loader", "load_all"), ("real-loader", "pandas"))
    out.append(
        _target(
            "loader-vs-pandas",
            "real package: load_all / pandas.read_csv",
            loader,
            "<=",
            1.3,
            "x",
            "`import surveillance_ties; load_all()` over `import pandas; read_csv` of the six CSVs",
        )
    )
    loop = _ratio(results, ("real-validate", "validate"), ("real-validate", "pandera"))
    out.append(
        _target(
            "validate-vs-pandera",
            "real package: validate / import pandera.pandas",
            loop,
            "<=",
            1.3,
            "x",
            "`surveillance-ties validate` on the real package over a process that only "
            "imports pandera.pandas",
        )
    )
    return out


def ratios(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every ratio between competitors of the same case, in wall and CPU time."""
    pairs = [
        ("validate", "floor"),
        ("frictionless", "validate"),
        ("load_all", "pandas"),
        ("validate", "pandera"),
    ]
    out: list[dict[str, Any]] = []
    for case, data in results["cases"].items():
        for a, b in pairs:
            if a in data["commands"] and b in data["commands"]:
                out.append(
                    {
                        "case": case,
                        "ratio": f"{a} / {b}",
                        "wall": _ratio(results, (case, a), (case, b)),
                        "cpu": _ratio(results, (case, a), (case, b), "cpu_s"),
                    }
                )
    sizes = sorted(int(s) for s in results["settings"]["sizes"])
    for kind in ("valid", "defects"):
        for lo, hi in zip(sizes, sizes[1:], strict=False):
            a, b = f"{label(hi)}-{kind}", f"{label(lo)}-{kind}"
            out.append(
                {
                    "case": f"{kind} growth",
                    "ratio": f"validate {label(hi)} / validate {label(lo)}",
                    "wall": _ratio(results, (a, "validate"), (b, "validate")),
                    "cpu": _ratio(results, (a, "validate"), (b, "validate"), "cpu_s"),
                }
            )
    return out
