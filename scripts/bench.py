#!/usr/bin/env python3
"""Run the side-by-side benchmark of issue 14 and write bench/results.json and bench/RESULTS.md.

`python scripts/bench.py [--sizes 12000,120000,1200000] [--repeat 3] [--out bench/]`: a thin entry point
over `tools.bench.run`; the packages are built in `--work` (default `<out>/work/`, git-ignored).
A full run takes ten to twenty minutes on a 2-core machine, most of it stock frictionless and build at
1.2M rows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# tools/ (the generator and the benchmark) lives beside the package, outside the wheel.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(float(part.lower().replace("k", "e3").replace("m", "e6"))) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of row counts "
            "(such as 12000,120000,1200000 or 12k,120k,1.2M)"
        ) from None
    if not sizes or min(sizes) < 1000:
        raise argparse.ArgumentTypeError(f"{text!r}: every size must be at least 1000 rows")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[12_000, 120_000, 1_200_000],
        help="total rows of each synthetic package (default 12000,120000,1200000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each command (default 3)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "bench",
        help="where to write the results (default: bench/ beside scripts/)",
    )
    parser.add_argument("--work", type=Path, default=None, help="where to build the packages (<out>/work)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-errors", type=int, default=1000, help="passed to surveillance-ties validate")
    parser.add_argument(
        "--preliminary",
        metavar="NOTE",
        default=None,
        help="mark the results as preliminary, with this note (for example: a busy machine)",
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="do not profile the measured side of a missed target"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    try:
        from tools.bench import BenchError, run
    except ImportError as exc:
        print(
            f"{parser.prog}: surveillance-ties is not installed ({exc}); from the clone, run "
            "`python3 -m pip install -e '.[test]'` first",
            file=sys.stderr,
        )
        return 2

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        results = run(
            args.out,
            args.work or args.out / "work",
            args.sizes,
            args.repeat,
            seed=args.seed,
            max_errors=args.max_errors,
            preliminary=args.preliminary is not None,
            note=args.preliminary or "",
            profile=not args.no_profile,
            log=log,
        )
    except BenchError as exc:
        log(f"bench: {exc}")
        return 1
    for t in results["targets"]:
        limit = "" if t["op"] == "reported" else f" ({t['op']} {t['limit']:g})"
        floor = f", floor {t['floor']}" if t["floor"] else ""
        log(f"{t['verdict']:>8}  {t['title']}: {t['measured']}{limit}{floor}")
    log(f"wrote {args.out / 'results.json'} and {args.out / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
