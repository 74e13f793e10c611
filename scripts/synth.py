#!/usr/bin/env python3
"""Write a synthetic surveillance-ties package: `python scripts/synth.py OUT_DIR --rows 1200000`.

A thin entry point over `tools.synth.generate`; see its docstring
for the shape of the package and the defect kinds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path

# tools/ (the generator and the benchmark) lives beside the package, outside the wheel.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _defects(text: str) -> float | int | Mapping[str, int]:
    """`0.01` (a rate), `3` (a count per kind) or `type=2,enum=5` (counts by kind)."""
    try:
        if "=" in text:
            return {k.strip(): int(v) for k, v in (part.split("=", 1) for part in text.split(","))}
        return float(text) if "." in text else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a defect rate (0.01), a count per kind (3) or kind=count pairs (type=2,enum=5)"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="folder to write (new, empty, or an earlier synthetic package)")
    parser.add_argument("--rows", type=int, default=12_000, help="rows in all six tables together")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    parser.add_argument(
        "--defects",
        type=_defects,
        default=None,
        help="inject defects: a rate (0.01), a count per kind (3) or kind=count pairs",
    )
    args = parser.parse_args(argv)

    try:
        from tools.synth import SynthError, generate
    except ImportError as exc:
        print(
            f"{parser.prog}: surveillance-ties is not installed ({exc}); from the clone, run "
            "`python3 -m pip install -e '.[test,bench]'` first",
            file=sys.stderr,
        )
        return 2

    start = time.perf_counter()
    try:
        result = generate(args.out_dir, args.rows, seed=args.seed, defects=args.defects)
    except SynthError as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    rows = ", ".join(f"{name} {n}" for name, n in result.rows.items())
    print(
        f"{result.root}: {result.total_rows} rows ({rows}), {len(result.archives)} archived texts, "
        f"{len(result.defects)} expected errors from injected defects, in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
